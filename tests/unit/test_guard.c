/* preload/guard.c: the bound around a child's unwinding. It must cut short
 * work that faults or runs too long, and must leave every signal that is not
 * its own to the host: a SIGALRM the host blocked and left pending, a
 * SIGALRM or SIGSEGV the host sends itself during the section, its handlers
 * afterwards. */
#include "preload/guard.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/wait.h>

#include <cmocka.h>

static volatile sig_atomic_t host_alrm, host_segv;

static void on_host_alrm(int sig)
{
    (void)sig;
    host_alrm++;
}

static void on_host_segv(int sig, siginfo_t *info, void *ctx)
{
    (void)sig;
    (void)info;
    (void)ctx;
    host_segv++;
}

static void set_handler(int sig, void (*h)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(sig, &sa, NULL), 0);
}

static void *handler_of(int sig)
{
    struct sigaction now;
    assert_int_equal(sigaction(sig, NULL, &now), 0);
    return (now.sa_flags & SA_SIGINFO) ? (void *)now.sa_sigaction : (void *)now.sa_handler;
}

static void nothing(void *arg)
{
    ++*(int *)arg;
}

/* Unmapped, and not NULL (UBSan would stop at a NULL store first). */
static int *volatile unmapped = (int *)16;

static void fault(void *arg)
{
    (void)arg;
    *unmapped = 1;
}

static void spin(void *arg)
{
    (void)arg;
    for (;;)
        __asm__ volatile("" ::: "memory");
}

static void test_finishes(void **state)
{
    int ran = 0;
    (void)state;
    assert_int_equal(fg_guard_run_sigsafe(nothing, &ran, 500), 0);
    assert_int_equal(ran, 1);
}

static void test_fault_cut_short(void **state)
{
    (void)state;
    set_handler(SIGSEGV, SIG_DFL);
    assert_int_equal(fg_guard_run_sigsafe(fault, NULL, 500), -1);
    assert_ptr_equal(handler_of(SIGSEGV), (void *)SIG_DFL);
}

/* The owner's fork-site walk: faults only, no timer. */
static void test_faults_only(void **state)
{
    int ran = 0;
    (void)state;
    assert_int_equal(fg_guard_run_sigsafe(nothing, &ran, 0), 0);
    assert_int_equal(ran, 1);
    assert_int_equal(fg_guard_run_sigsafe(fault, NULL, 0), -1);
}

static void nested(void *arg)
{
    ++*(int *)arg;
    /* Another section while this one runs (as a second forking thread's
     * would): refused at once, its work not run. */
    if (fg_guard_run_sigsafe(nothing, arg, 500) != FG_GUARD_BUSY)
        *(int *)arg = -100;
}

static void test_busy(void **state)
{
    int ran = 0;
    (void)state;
    assert_int_equal(fg_guard_run_sigsafe(nested, &ran, 500), 0);
    assert_int_equal(ran, 1);
}

static void test_timeout_cut_short(void **state)
{
    (void)state;
    assert_int_equal(fg_guard_run_sigsafe(spin, NULL, 50), -1);
}

/* The bug: SIGALRM, blocked by the host with one pending, was unblocked and
 * taken as the guard's own before its jump buffer was set: the process died
 * in __longjmp. Now it stays blocked, pending and the host's. */
static void test_pending_blocked_sigalrm_left_alone(void **state)
{
    sigset_t alrm, pending;
    int ran = 0;
    (void)state;
    host_alrm = 0;
    set_handler(SIGALRM, on_host_alrm);
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    sigprocmask(SIG_BLOCK, &alrm, NULL);
    raise(SIGALRM);
    assert_int_equal(fg_guard_run_sigsafe(nothing, &ran, 500), 0);
    assert_int_equal(ran, 1);
    assert_int_equal(host_alrm, 0);
    sigpending(&pending);
    assert_true(sigismember(&pending, SIGALRM));
    assert_ptr_equal(handler_of(SIGALRM), (void *)on_host_alrm);
    sigprocmask(SIG_UNBLOCK, &alrm, NULL);
    assert_int_equal(host_alrm, 1);
    set_handler(SIGALRM, SIG_DFL);
}

static void raise_alrm(void *arg)
{
    raise(SIGALRM);
    ++*(int *)arg;
}

/* The host's own SIGALRM during the section reaches the host's handler and
 * does not cut the work short. */
static void test_host_sigalrm_not_swallowed(void **state)
{
    int ran = 0;
    (void)state;
    host_alrm = 0;
    set_handler(SIGALRM, on_host_alrm);
    assert_int_equal(fg_guard_run_sigsafe(raise_alrm, &ran, 500), 0);
    assert_int_equal(ran, 1);
    assert_int_equal(host_alrm, 1);
    set_handler(SIGALRM, SIG_DFL);
}

static void send_segv(void *arg)
{
    kill(getpid(), SIGSEGV); /* si_code SI_USER: not a fault of this work */
    ++*(int *)arg;
}

/* A SIGSEGV sent with kill() is not a fault of the guarded work: it goes to
 * the host's handler (the JVM's, in a warn-mode child). */
static void test_sent_sigsegv_forwarded(void **state)
{
    struct sigaction sa;
    int ran = 0;
    (void)state;
    host_segv = 0;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_host_segv;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    assert_int_equal(fg_guard_run_sigsafe(send_segv, &ran, 500), 0);
    assert_int_equal(ran, 1);
    assert_int_equal(host_segv, 1);
    assert_ptr_equal(handler_of(SIGSEGV), (void *)on_host_segv);
    set_handler(SIGSEGV, SIG_DFL);
}

/* Every real-time signal handled by the host: none is taken; the work still
 * runs (unbounded in time) and the host's handlers stay. */
static void test_no_free_signal(void **state)
{
    int sig, ran = 0;
    (void)state;
    for (sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
        set_handler(sig, on_host_alrm);
    assert_int_equal(fg_guard_run_sigsafe(nothing, &ran, 500), 0);
    assert_int_equal(ran, 1);
    for (sig = SIGRTMIN; sig <= SIGRTMAX; sig++) {
        assert_ptr_equal(handler_of(sig), (void *)on_host_alrm);
        set_handler(sig, SIG_DFL);
    }
}

static int rt_handled;

static void count_rt(int sig)
{
    (void)sig;
    rt_handled++;
}

static void spin_briefly(void *arg)
{
    volatile unsigned long i;
    (void)arg;
    for (i = 0; i < 20000000ul; i++)
        ;
}

/* A real-time signal the host blocks (to take it with sigwaitinfo) is not
 * free. With every one but SIGRTMIN blocked and SIGRTMIN handled by the host,
 * none is: the section runs without a timer (its 1 ms bound cannot cut the
 * work short) and leaves the host's signals as they were. */
/* A thread of the parent is inside a guarded section when another forks: the
 * child, after its reset, runs a section of its own (it would otherwise be
 * refused as busy, and its report would go out without frames) and finds the
 * host's SIGSEGV disposition, not the guard's. */
static int fg_hold_pipe[2], fg_entered_pipe[2];

static void fg_hold(void *arg)
{
    char c = 1;
    (void)arg;
    if (write(fg_entered_pipe[1], &c, 1) != 1 || read(fg_hold_pipe[0], &c, 1) != 1)
        return;
}

static void *fg_hold_thread(void *arg)
{
    (void)arg;
    fg_guard_run_sigsafe(fg_hold, NULL, 0);
    return NULL;
}

static void fg_nothing(void *arg)
{
    (void)arg;
}

static void test_child_of_busy_parent(void **state)
{
    pthread_t t;
    pid_t pid;
    int status = 0;
    char c = 0;
    struct sigaction host;
    (void)state;
    assert_int_equal(sigaction(SIGSEGV, NULL, &host), 0); /* cmocka's, or the default */
    assert_int_equal(pipe(fg_hold_pipe), 0);
    assert_int_equal(pipe(fg_entered_pipe), 0);
    assert_int_equal(pthread_create(&t, NULL, fg_hold_thread, NULL), 0);
    assert_int_equal(read(fg_entered_pipe[0], &c, 1), 1); /* the section is running */
    pid = fork();
    if (pid == 0) {
        struct sigaction now;
        fg_guard_reset_child_sigsafe();
        if (sigaction(SIGSEGV, NULL, &now) != 0 || now.sa_handler != host.sa_handler)
            _exit(2);
        _exit(fg_guard_run_sigsafe(fg_nothing, NULL, 0) == 0 ? 0 : 1);
    }
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    c = 1;
    assert_int_equal(write(fg_hold_pipe[1], &c, 1), 1);
    pthread_join(t, NULL);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_blocked_rt_not_taken(void **state)
{
    sigset_t rt, old, pending;
    int sig;
    (void)state;
    rt_handled = 0;
    sigemptyset(&rt);
    for (sig = SIGRTMIN + 1; sig <= SIGRTMAX; sig++)
        sigaddset(&rt, sig);
    sigprocmask(SIG_BLOCK, &rt, &old);
    set_handler(SIGRTMIN, count_rt);
    assert_int_equal(fg_guard_run_sigsafe(spin_briefly, NULL, 1), 0);
    sigpending(&pending);
    for (sig = SIGRTMIN + 1; sig <= SIGRTMAX; sig++) {
        assert_false(sigismember(&pending, sig));
        assert_ptr_equal(handler_of(sig), (void *)SIG_DFL);
    }
    assert_int_equal(rt_handled, 0);
    sigprocmask(SIG_SETMASK, &old, NULL);
    set_handler(SIGRTMIN, SIG_DFL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finishes),
        cmocka_unit_test(test_fault_cut_short),
        cmocka_unit_test(test_timeout_cut_short),
        cmocka_unit_test(test_faults_only),
        cmocka_unit_test(test_busy),
        cmocka_unit_test(test_pending_blocked_sigalrm_left_alone),
        cmocka_unit_test(test_host_sigalrm_not_swallowed),
        cmocka_unit_test(test_sent_sigsegv_forwarded),
        cmocka_unit_test(test_no_free_signal),
        cmocka_unit_test(test_blocked_rt_not_taken),
        cmocka_unit_test(test_child_of_busy_parent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
