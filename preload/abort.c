#include "abort.h"

#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Raw tgkill: delivered to this thread before the call returns, since
 * SIGABRT is unblocked. */
static void raise_abrt_sigsafe(void)
{
    syscall(SYS_tgkill, (pid_t)syscall(SYS_getpid), (pid_t)syscall(SYS_gettid), SIGABRT);
}

void fg_abort_sigsafe(void)
{
    struct sigaction dfl;
    sigset_t abrt;
    sigemptyset(&abrt);
    sigaddset(&abrt, SIGABRT);
    sigprocmask(SIG_UNBLOCK, &abrt, NULL);
    raise_abrt_sigsafe();
    /* The host's handler returned, or SIGABRT is ignored: as abort() does,
     * the default action, which cannot be caught. */
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGABRT, &dfl, NULL);
    sigprocmask(SIG_UNBLOCK, &abrt, NULL);
    raise_abrt_sigsafe();
    for (;;)
        _exit(127);
}
