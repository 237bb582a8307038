#include "guard.h"

#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>

static sigjmp_buf jump;
static volatile sig_atomic_t active;

static void on_signal(int sig)
{
    (void)sig;
    if (active)
        siglongjmp(jump, 1);
}

int fg_guard_run_sigsafe(fg_guarded_fn fn, void *arg, unsigned timeout_ms)
{
    static const int sigs[] = {SIGALRM, SIGSEGV, SIGBUS};
    struct sigaction sa, old[3];
    struct itimerval timer, old_timer;
    sigset_t unblock, old_mask;
    volatile int rc = -1;
    unsigned i;

    if (active)
        return -1;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigemptyset(&unblock);
    for (i = 0; i < 3; i++) {
        sigaction(sigs[i], &sa, &old[i]);
        sigaddset(&unblock, sigs[i]);
    }
    sigprocmask(SIG_UNBLOCK, &unblock, &old_mask);
    memset(&timer, 0, sizeof timer);
    timer.it_value.tv_sec = timeout_ms / 1000;
    timer.it_value.tv_usec = (timeout_ms % 1000) * 1000;

    if (sigsetjmp(jump, 1) == 0) {
        active = 1;
        setitimer(ITIMER_REAL, &timer, &old_timer);
        fn(arg);
        rc = 0;
    }
    active = 0;
    setitimer(ITIMER_REAL, &old_timer, NULL);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    for (i = 0; i < 3; i++)
        sigaction(sigs[i], &old[i], NULL);
    return rc;
}
