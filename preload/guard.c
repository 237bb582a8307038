#include "guard.h"

#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static sigjmp_buf jump;
static int active;           /* one guarded section per process at a time */
static volatile pid_t owner; /* the thread running it */

/* Only the guarded thread jumps: a child may have other threads (warn mode,
 * a host that starts threads after fork), and their faults are theirs. */
static void on_signal(int sig)
{
    if (__atomic_load_n(&active, __ATOMIC_ACQUIRE) && (pid_t)syscall(SYS_gettid) == owner)
        siglongjmp(jump, 1);
    (void)sig;
}

/* A one-shot CLOCK_MONOTONIC timer that signals this thread only (raw
 * syscalls: glibc's timer_create may allocate for other notify modes). */
static int arm(int *id, unsigned timeout_ms)
{
    struct sigevent ev;
    struct itimerspec when;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGALRM;
    ev._sigev_un._tid = owner;
    if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, id) != 0)
        return -1;
    memset(&when, 0, sizeof when);
    when.it_value.tv_sec = timeout_ms / 1000;
    when.it_value.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
    return (int)syscall(SYS_timer_settime, *id, 0, &when, NULL);
}

int fg_guard_run_sigsafe(fg_guarded_fn fn, void *arg, unsigned timeout_ms)
{
    static const int sigs[] = {SIGALRM, SIGSEGV, SIGBUS};
    struct sigaction sa, old[3];
    sigset_t unblock, old_mask;
    int timer = 0; /* the kernel's timer id */
    volatile int rc = -1, armed = 0;
    unsigned i;

    if (__atomic_exchange_n(&active, 2, __ATOMIC_ACQ_REL))
        return -1; /* another thread is in a guarded section */
    owner = (pid_t)syscall(SYS_gettid);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigemptyset(&unblock);
    for (i = 0; i < 3; i++) {
        sigaction(sigs[i], &sa, &old[i]);
        sigaddset(&unblock, sigs[i]);
    }
    sigprocmask(SIG_UNBLOCK, &unblock, &old_mask);

    if (sigsetjmp(jump, 1) == 0) {
        __atomic_store_n(&active, 1, __ATOMIC_RELEASE);
        armed = arm(&timer, timeout_ms) == 0;
        fn(arg);
        rc = 0;
    }
    __atomic_store_n(&active, 2, __ATOMIC_RELEASE); /* no more jumps */
    if (armed)
        syscall(SYS_timer_delete, timer);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    for (i = 0; i < 3; i++)
        sigaction(sigs[i], &old[i], NULL);
    __atomic_store_n(&active, 0, __ATOMIC_RELEASE);
    return rc;
}
