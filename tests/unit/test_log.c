/* preload/log.c: a record meets a target the host made non-blocking (stderr
 * of node.js, of an event loop) while it is full. It once got EAGAIN and was
 * lost; now it waits, within a bound, for the target to drain.
 *
 * The target is a pipe shrunk to one page and filled. The writer runs in a
 * thread; the test drains the pipe only once that thread is asleep (in its
 * poll), which it reads from /proc, so the EAGAIN is certain and no sleep
 * is used as synchronisation. */
#include "preload/log.h"
#include "preload/state.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

static const char fg_record[] = "forkguard: a record that must not be lost\n";

struct fg_writer {
    pid_t tid;
    int done;
};

static void *fg_write_thread(void *arg)
{
    struct fg_writer *w = arg;
    __atomic_store_n(&w->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
    fg_log_write_sigsafe(fg_record, sizeof fg_record - 1);
    __atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* 'S' (asleep) or 'R' from /proc/self/task/TID/stat. */
static char fg_thread_state(pid_t tid)
{
    char path[64], buf[512], *close_paren;
    ssize_t n;
    int fd;
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
    fd = open(path, O_RDONLY);
    if (fd < 0)
        return '?';
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return '?';
    buf[n] = '\0';
    close_paren = strrchr(buf, ')');
    return close_paren && close_paren[1] == ' ' ? close_paren[2] : '?';
}

/* A non-blocking pipe of one page, full; its write end is the log. */
static int fg_full_pipe(int p[2])
{
    static char junk[4096];
    struct stat st;
    assert_int_equal(pipe(p), 0);
    fcntl(p[1], F_SETPIPE_SZ, 4096);
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    memset(junk, 'j', sizeof junk);
    while (write(p[1], junk, sizeof junk) > 0 || errno != EAGAIN)
        ;
    while (write(p[1], junk, 1) > 0) /* up to the last byte */
        ;
    fg.log_fd = p[1];
    assert_int_equal(fstat(p[1], &st), 0);
    fg.log_dev = st.st_dev;
    fg.log_ino = st.st_ino;
    return 0;
}

/* Everything in the pipe; *found: it held the record whole. */
static size_t fg_drain(int fd, int *found)
{
    static char buf[1 << 16];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof buf - 1 && (r = read(fd, buf + n, sizeof buf - 1 - n)) > 0)
        n += (size_t)r;
    buf[n] = '\0';
    if (found)
        *found = strstr(buf, fg_record) != NULL;
    return n;
}

static void test_eagain_waits_for_the_reader(void **state)
{
    struct fg_writer w = {0, 0};
    pthread_t t;
    int p[2], found = 0;
    (void)state;
    fg_full_pipe(p);
    assert_int_equal(pthread_create(&t, NULL, fg_write_thread, &w), 0);
    /* Until the writer sleeps (waiting for room) or gave up at once. */
    while (!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE) &&
           (__atomic_load_n(&w.tid, __ATOMIC_ACQUIRE) == 0 || fg_thread_state(w.tid) != 'S'))
        sched_yield();
    if (__atomic_load_n(&w.done, __ATOMIC_ACQUIRE)) {
        pthread_join(t, NULL);
        fg_drain(p[0], &found);
        fail_msg("the writer returned at once on a full non-blocking target; record in it: %d",
                 found);
    }
    /* Drain while it waits; it must then write the record here, whole. */
    fcntl(p[0], F_SETFL, 0);
    {
        static char junk[4096];
        ssize_t r = read(p[0], junk, sizeof junk); /* makes room */
        assert_true(r > 0);
    }
    pthread_join(t, NULL);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    fg_drain(p[0], &found);
    assert_true(found);
    close(p[0]);
    close(p[1]);
    fg.log_fd = 2;
}

/* Nobody reads: the record gives up within the bound (this test would time
 * out otherwise) and goes to stderr, with one line saying why. */
static void test_eagain_is_bounded(void **state)
{
    int p[2], e[2], saved_err = dup(2), found = 0;
    char err[4096];
    ssize_t n;
    (void)state;
    fg_full_pipe(p);
    assert_int_equal(pipe(e), 0);
    dup2(e[1], 2);
    fg_log_write_sigsafe(fg_record, sizeof fg_record - 1);
    dup2(saved_err, 2);
    close(saved_err);
    close(e[1]);
    n = read(e[0], err, sizeof err - 1);
    assert_true(n > 0);
    err[n] = '\0';
    assert_non_null(strstr(err, "write failed: "));
    assert_non_null(strstr(err, fg_record));
    fg_drain(p[0], &found);
    assert_false(found);
    close(e[0]);
    close(p[0]);
    close(p[1]);
    fg.log_fd = 2;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eagain_waits_for_the_reader),
        cmocka_unit_test(test_eagain_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
