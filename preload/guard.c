#include "guard.h"
#include "child_text.h"

#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static sigjmp_buf jump;
static int busy;             /* one guarded section per process at a time */
static volatile int armed;   /* jump is valid: set after sigsetjmp, cleared before leaving */
static volatile pid_t owner; /* the thread running the section */
static int timer_sig;        /* the real-time signal the section's timer uses */
static struct sigaction previous[3]; /* the host's dispositions, for forwarding */

/* The cookie our timer carries in si_value: a host timer on the same signal
 * carries its own. */
static const char cookie;

enum { SLOT_TIMER, SLOT_SEGV, SLOT_BUS };

static int slot_of(int sig)
{
    return sig == SIGSEGV ? SLOT_SEGV : sig == SIGBUS ? SLOT_BUS : SLOT_TIMER;
}

/* Hands a signal that is not ours to whoever had it before the section, as
 * if we had not been there. SIG_DFL: restored and left to act (a fault
 * re-executes and faults again; an asynchronous signal is raised again and
 * acts when this handler returns, since it is blocked meanwhile). */
static void forward(int sig, siginfo_t *info, void *ctx)
{
    const struct sigaction *old = &previous[slot_of(sig)];
    if (old->sa_flags & SA_SIGINFO) {
        old->sa_sigaction(sig, info, ctx);
    } else if (old->sa_handler == SIG_DFL) {
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        sigaction(sig, &dfl, NULL);
        if (info->si_code <= 0 || sig == timer_sig)
            syscall(SYS_tgkill, (pid_t)syscall(SYS_getpid), (pid_t)syscall(SYS_gettid), sig);
    } else if (old->sa_handler != SIG_IGN) {
        old->sa_handler(sig);
    }
}

/* Ours: our timer's expiry, or a fault the kernel raised on the guarded
 * thread while the jump is armed. Our timer's expiry outside that window
 * (it fired while the section was ending) is dropped. Everything else goes
 * to the host's handler. */
static void on_signal(int sig, siginfo_t *info, void *ctx)
{
    int here = armed && (pid_t)syscall(SYS_gettid) == owner;
    if (sig == timer_sig && info->si_code == SI_TIMER && info->si_value.sival_ptr == &cookie) {
        if (here)
            siglongjmp(jump, 1);
        return;
    }
    if ((sig == SIGSEGV || sig == SIGBUS) && info->si_code > 0 && here)
        siglongjmp(jump, 1);
    forward(sig, info, ctx);
}

/* A real-time signal nobody handles, blocks (a host may take a blocked one
 * with sigwaitinfo) or has pending: the host's own signals are never taken
 * over. 0 when none is free. */
static int free_rt_signal(void)
{
    sigset_t pending, blocked;
    int sig;
    sigpending(&pending);
    sigprocmask(SIG_BLOCK, NULL, &blocked);
    for (sig = SIGRTMAX; sig >= SIGRTMIN; sig--) {
        struct sigaction now;
        if (sigismember(&pending, sig) || sigismember(&blocked, sig) ||
            sigaction(sig, NULL, &now) != 0)
            continue;
        if (!(now.sa_flags & SA_SIGINFO) && now.sa_handler == SIG_DFL)
            return sig;
    }
    return 0;
}

/* A one-shot CLOCK_MONOTONIC timer that signals this thread only (raw
 * syscalls: glibc's timer_create may allocate for other notify modes). */
static int arm_timer(int *id, unsigned timeout_ms)
{
    struct sigevent ev;
    struct itimerspec when;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = timer_sig;
    ev.sigev_value.sival_ptr = (void *)&cookie;
    ev._sigev_un._tid = owner;
    if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, id) != 0)
        return -1;
    memset(&when, 0, sizeof when);
    when.it_value.tv_sec = timeout_ms / 1000;
    when.it_value.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
    if (syscall(SYS_timer_settime, *id, 0, &when, NULL) != 0) {
        syscall(SYS_timer_delete, *id);
        return -1;
    }
    return 0;
}

/* A section another thread of the parent was in at fork() does not go on in
 * the child: its handlers go back to the host's, and the child may run its
 * own section. */
FG_CHILD_TEXT void fg_guard_reset_child_sigsafe(void)
{
    static const int sigs[] = {SIGSEGV, SIGBUS};
    struct sigaction now;
    unsigned i;
    if (!__atomic_load_n(&busy, __ATOMIC_ACQUIRE))
        return;
    armed = 0;
    for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sigaction(sigs[i], NULL, &now) == 0 && (now.sa_flags & SA_SIGINFO) &&
            now.sa_sigaction == on_signal)
            sigaction(sigs[i], &previous[slot_of(sigs[i])], NULL);
    if (timer_sig && sigaction(timer_sig, NULL, &now) == 0 && (now.sa_flags & SA_SIGINFO) &&
        now.sa_sigaction == on_signal)
        sigaction(timer_sig, &previous[SLOT_TIMER], NULL);
    __atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
}

int fg_guard_run_sigsafe(fg_guarded_fn fn, void *arg, unsigned timeout_ms)
{
    struct sigaction sa;
    sigset_t unblock, old_mask;
    int timer = 0; /* the kernel's timer id */
    volatile int rc = -1, timed = 0;

    if (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQ_REL))
        return FG_GUARD_BUSY;
    owner = (pid_t)syscall(SYS_gettid);
    timer_sig = timeout_ms ? free_rt_signal() : 0;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    /* SA_ONSTACK: a thread of the host that overflows its stack and has an
     * alternate one gets there, as with its own handler. */
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigemptyset(&unblock);
    /* Faults are synchronous: a blocked one kills the process whatever the
     * handler, so they are unblocked here. Anything already pending that the
     * host had blocked is not ours and is forwarded by on_signal. */
    sigaction(SIGSEGV, &sa, &previous[SLOT_SEGV]);
    sigaction(SIGBUS, &sa, &previous[SLOT_BUS]);
    sigaddset(&unblock, SIGSEGV);
    sigaddset(&unblock, SIGBUS);
    if (timer_sig) {
        sigaction(timer_sig, &sa, &previous[SLOT_TIMER]);
        sigaddset(&unblock, timer_sig);
    }
    sigprocmask(SIG_UNBLOCK, &unblock, &old_mask);

    if (sigsetjmp(jump, 1) == 0) {
        armed = 1;
        /* No bound asked for, no free signal, or no timer: the work runs
         * without a time bound rather than not at all (faults are still
         * caught). */
        timed = timer_sig && arm_timer(&timer, timeout_ms) == 0;
        fn(arg);
        rc = 0;
    }
    armed = 0; /* no more jumps; a late expiry is dropped by on_signal */
    if (timed)
        syscall(SYS_timer_delete, timer);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    sigaction(SIGSEGV, &previous[SLOT_SEGV], NULL);
    sigaction(SIGBUS, &previous[SLOT_BUS], NULL);
    if (timer_sig)
        sigaction(timer_sig, &previous[SLOT_TIMER], NULL);
    __atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
    return rc;
}
