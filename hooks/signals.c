#include "signals.h"

#include "jvm.h"
#include "../preload/state.h"

#include <signal.h>
#include <stdint.h>
#include <string.h>

/* Standard signals only: HotSpot uses no real-time signal, and each
 * rt_sigaction costs ~0.1 us of the child's start. */
#define FG_STD_SIGNALS 32

static struct sigaction before_jvm[FG_STD_SIGNALS];
static int have_snapshot;

static int skipped(int sig)
{
    return sig == SIGKILL || sig == SIGSTOP || sig == SIGSEGV || sig == SIGBUS ||
           sig == SIGFPE || sig == SIGILL || sig == SIGTRAP;
}

void fg_signals_snapshot(void)
{
    int sig;
    for (sig = 1; sig < FG_STD_SIGNALS; sig++)
        if (sigaction(sig, NULL, &before_jvm[sig]) != 0)
            before_jvm[sig].sa_handler = SIG_DFL;
    have_snapshot = 1;
}

void fg_signals_reset_child_sigsafe(void)
{
    int sig;
    for (sig = 1; sig < FG_STD_SIGNALS; sig++) {
        struct sigaction now, dfl;
        const void *handler;
        if (skipped(sig) || sigaction(sig, NULL, &now) != 0)
            continue;
        handler = (now.sa_flags & SA_SIGINFO) ? (const void *)now.sa_sigaction
                                              : (const void *)now.sa_handler;
        if (handler == (const void *)SIG_DFL || handler == (const void *)SIG_IGN ||
            !fg_jvm_owns_code_sigsafe(handler))
            continue;
        if (have_snapshot) {
            sigaction(sig, &before_jvm[sig], NULL);
        } else {
            memset(&dfl, 0, sizeof dfl);
            dfl.sa_handler = SIG_DFL;
            sigemptyset(&dfl.sa_mask);
            sigaction(sig, &dfl, NULL);
        }
    }
}
