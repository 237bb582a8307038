/* Poisoning through the real fork path: the test process plays the JVM
 * owner (fake tables, see fg_fake_jni.h), forks with the library's own fork()
 * and atfork handler, and judges its children by their exit status and by
 * the report they leave in the log pipe. Children never use cmocka: a failed
 * assertion there would run the rest of the suite twice. Every wait is
 * bounded (5 s, where a healthy child takes milliseconds), so a hang fails
 * instead of stalling the run. */
#include "fg_fake_jni.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#define FG_WAIT_SECS 5

/* Exit codes a child uses to say what went wrong. */
#define FG_CHILD_RETURNED 99 /* the JNI call came back in block mode */
#define FG_CHILD_NOT_POISONED 98
#define FG_CHILD_WRONG_RESULT 97

/* waitpid with a deadline; on timeout the child is killed and the test
 * fails. */
static int fg_wait(pid_t pid)
{
    struct timespec tick = {0, 10 * 1000 * 1000};
    int status = 0, i;
    for (i = 0; i < FG_WAIT_SECS * 100; i++) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (r < 0)
            fail_msg("waitpid(%d): %s", (int)pid, strerror(errno));
        nanosleep(&tick, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    fail_msg("child %d still running after %d s: hang", (int)pid, FG_WAIT_SECS);
    return -1;
}

static const char *fg_describe(int status)
{
    static char s[64];
    if (WIFEXITED(status))
        snprintf(s, sizeof s, "exit %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(s, sizeof s, "signal %d", WTERMSIG(status));
    else
        snprintf(s, sizeof s, "status 0x%x", status);
    return s;
}

static JNIEnv *fg_env(void)
{
    static const struct JNINativeInterface_ *fns;
    fns = (const struct JNINativeInterface_ *)(void *)fg_table;
    return &fns;
}

/* In a child: the host's first JNI call. */
static __attribute__((noreturn)) void fg_child_find_class(void)
{
    struct rlimit no_core = {0, 0};
    JNIEnv *env = fg_env();
    setrlimit(RLIMIT_CORE, &no_core); /* the abort is expected: no core file */
    alarm(FG_WAIT_SECS);
    if (fg_table[FG_SLOT(FindClass)] == (void *)fg_fake_find_class)
        _exit(FG_CHILD_NOT_POISONED);
    (*env)->FindClass(env, "java/lang/String");
    _exit(FG_CHILD_RETURNED);
}

/* The parent's tables are untouched by the child's poisoning. */
static void fg_check_parent_intact(void)
{
    assert_int_equal(fg.poisoned, 0);
    assert_ptr_equal(fg_table[FG_SLOT(FindClass)], (void *)fg_fake_find_class);
    assert_memory_equal(fg_table, fg_old, sizeof fg_table);
    assert_ptr_equal(fg_vm, &fg_invoke);
}

static void fg_check_report(const char *log, pid_t child, const char *action)
{
    char want[256];
    snprintf(want, sizeof want,
             "forkguard: JNI call FindClass in pid %d, a forked child of JVM owner pid %d\n",
             (int)child, (int)getpid());
    if (strncmp(log, want, strlen(want)) != 0)
        fail_msg("report starts %.200s, want %s", log, want);
    snprintf(want, sizeof want, "\n  fork:    pid %d forked pid %d\n", (int)getpid(),
             (int)child);
    assert_non_null(strstr(log, want));
    snprintf(want, sizeof want, "\n  action:  %s\n", action);
    assert_non_null(strstr(log, want));
    assert_int_equal(fg_count(log, "forkguard: JNI call "), 1);
}

static void test_block_env_call_aborts(void **state)
{
    pid_t pid;
    int st;
    (void)state;
    fg_setup(JNI_VERSION_10, FG_MODE_BLOCK);
    pid = fork();
    if (pid == 0)
        fg_child_find_class();
    assert_true(pid > 0);
    fg_check_parent_intact();
    st = fg_wait(pid);
    if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGABRT)
        fail_msg("child: %s, want SIGABRT (%d)", fg_describe(st), SIGABRT);
    assert_int_equal(fg_got.find_class, 0);
    fg_check_report(fg_read_log(), pid, "abort (FORKGUARD_MODE=block)");
}

static void test_block_env_call_exit_code(void **state)
{
    pid_t pid;
    int st;
    (void)state;
    fg_setup(JNI_VERSION_10, FG_MODE_BLOCK);
    fg.cfg.exit_code = 42;
    pid = fork();
    if (pid == 0)
        fg_child_find_class();
    assert_true(pid > 0);
    st = fg_wait(pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 42)
        fail_msg("child: %s, want exit 42", fg_describe(st));
    fg_check_report(fg_read_log(), pid, "_exit(42) (FORKGUARD_EXIT_CODE=42)");
}

/* A grandchild of the owner is a child of the owner: it inherits the
 * poisoned tables, and its report names its own parent. */
static void test_block_grandchild_aborts(void **state)
{
    pid_t pid;
    int st;
    char want[128];
    const char *log;
    (void)state;
    fg_setup(JNI_VERSION_10, FG_MODE_BLOCK);
    pid = fork();
    if (pid == 0) {
        pid_t g;
        int gst = 0;
        alarm(FG_WAIT_SECS);
        if (!fg.poisoned)
            _exit(FG_CHILD_NOT_POISONED);
        g = fork();
        if (g == 0)
            fg_child_find_class();
        if (g < 0 || waitpid(g, &gst, 0) != g)
            _exit(2);
        _exit(WIFSIGNALED(gst) && WTERMSIG(gst) == SIGABRT ? 0 : 3);
    }
    assert_true(pid > 0);
    st = fg_wait(pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("child: %s, want exit 0 (grandchild aborted)", fg_describe(st));
    log = fg_read_log();
    snprintf(want, sizeof want, ", a forked child of JVM owner pid %d\n", (int)getpid());
    assert_non_null(strstr(log, want));
    snprintf(want, sizeof want, "\n  fork:    pid %d forked pid ", (int)pid);
    assert_non_null(strstr(log, want));
    assert_int_equal(fg_count(log, "forkguard: JNI call "), 1);
}

/* warn: the child's call reaches the real function and returns its value. */
static void test_warn_child_calls_through(void **state)
{
    pid_t pid;
    int st;
    const char *log;
    (void)state;
    fg_setup(JNI_VERSION_10, FG_MODE_WARN);
    pid = fork();
    if (pid == 0) {
        JNIEnv *env = fg_env();
        alarm(FG_WAIT_SECS);
        if (fg_table[FG_SLOT(FindClass)] == (void *)fg_fake_find_class)
            _exit(FG_CHILD_NOT_POISONED);
        if ((*env)->FindClass(env, "x") != (jclass)(uintptr_t)0xc1a55 ||
            fg_got.find_class != 1 || strcmp(fg_got.name, "x") != 0)
            _exit(FG_CHILD_WRONG_RESULT);
        _exit(0);
    }
    assert_true(pid > 0);
    fg_check_parent_intact();
    st = fg_wait(pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("child: %s, want exit 0", fg_describe(st));
    log = fg_read_log();
    assert_int_equal(fg_count(log, "forkguard: JNI call FindClass in pid "), 1);
    assert_non_null(strstr(log, "(FORKGUARD_MODE=warn)"));
}

/* off: the child keeps the real tables and nothing is written. */
static void test_off_child_untouched(void **state)
{
    pid_t pid;
    int st;
    (void)state;
    fg_setup(JNI_VERSION_10, FG_MODE_OFF);
    pid = fork();
    if (pid == 0) {
        JNIEnv *env = fg_env();
        alarm(FG_WAIT_SECS);
        if (fg.poisoned || memcmp(fg_table, fg_old, sizeof fg_table) != 0)
            _exit(FG_CHILD_WRONG_RESULT);
        (*env)->FindClass(env, "y");
        _exit(fg_got.find_class == 1 ? 0 : FG_CHILD_WRONG_RESULT);
    }
    assert_true(pid > 0);
    st = fg_wait(pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("child: %s, want exit 0", fg_describe(st));
    assert_string_equal(fg_read_log(), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_block_env_call_aborts, fg_teardown),
        cmocka_unit_test_teardown(test_block_env_call_exit_code, fg_teardown),
        cmocka_unit_test_teardown(test_block_grandchild_aborts, fg_teardown),
        cmocka_unit_test_teardown(test_warn_child_calls_through, fg_teardown),
        cmocka_unit_test_teardown(test_off_child_untouched, fg_teardown),
    };
    setvbuf(stdout, NULL, _IOLBF, 0); /* keeps cmocka's stdout and stderr in order */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
