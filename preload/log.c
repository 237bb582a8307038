/* The log destination: stderr or FORKGUARD_LOG.
 *
 * The file is named and checked at load (made absolute against the working
 * directory of that moment; a log that cannot work is said then, like any bad
 * value) but opened, and created, only when the first record is written, so
 * that the many processes of a tree that never report create no file. That
 * first record may come from a forked child, so opening, checking and writing
 * are all async-signal-safe (system calls and stack buffers only).
 *
 * What is refused, each with one line naming the path and the reason, the
 * record then going to stderr:
 *   - a symbolic link anywhere in the path (every component is opened with
 *     O_NOFOLLOW from "/"): an appended log must not be redirected;
 *   - anything but a regular file;
 *   - an existing file owned by another user than the process's effective
 *     one, or with more than one hard link (a planted link to someone's
 *     file).
 * A new log is created 0600: reports name paths, pids and code addresses. */
#include "log.h"
#include "log_path.h"

#include "buf.h"
#include "messages.h"
#include "state.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* How long a record waits for a non-blocking stderr (or log) that is full:
 * long enough for a reader that is merely slow, short enough that a reader
 * that is gone costs one short pause. Only the first stall of a process
 * waits; later records do not. */
#define FG_LOG_STALL_MS 500

static struct fg_log_names names;
struct fg_log_names *fg_log_names = &names;
static int log_refused; /* opening failed once: stderr from now on */
static int log_failed;  /* a write failed once: said so */
static int log_stalled; /* a full non-blocking target timed out once */

/* Opens and checks the log; the fd (3 or above), or -1 with w set. */
static int log_open_sigsafe(struct fg_log_why *w)
{
    char comp[NAME_MAX + 1];
    struct stat st;
    int dfd = fg_log_walk_sigsafe(comp, w), fd;

    if (dfd < 0)
        return -1;
    /* O_RDWR: the last byte is read back to start records on a fresh line.
     * O_NONBLOCK: a FIFO must not block the open (it is refused below).
     * Never O_TRUNC: the processes of a tree share the file. */
    fd = openat(dfd, comp,
                O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK,
                0600);
    if (fd < 0 && errno == EACCES)
        fd = openat(dfd, comp,
                    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY |
                        O_NONBLOCK,
                    0600);
    if (fd < 0) {
        if (errno == ELOOP)
            w->text = "is a symbolic link";
        else
            fg_log_fail_errno(w, errno);
        close(dfd);
        return -1;
    }
    close(dfd);
    /* A host started with stdin, stdout or stderr closed would otherwise
     * have its own output land in our log once it opens files. */
    if (fd < 3) {
        int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        int err = errno;
        close(fd);
        if (high < 0)
            return fg_log_fail_errno(w, err);
        fd = high;
    }
    if (fstat(fd, &st) != 0)
        fg_log_fail_errno(w, errno);
    else if (fg_log_check_existing(&st, w) == 0 && fcntl(fd, F_SETFL, O_APPEND) != 0)
        fg_log_fail_errno(w, errno);
    else if (!w->text && !w->other_uid) {
        fg.log_dev = st.st_dev;
        fg.log_ino = st.st_ino;
        return fd;
    }
    close(fd);
    return -1;
}

/* The fd records go to: the log, opened now if this is the first record (or
 * if the host closed ours or reused its number), else stderr. */
static int current_fd_sigsafe(void)
{
    struct fg_log_why w;
    struct stat st;
    char line[1024]; /* fits log_message's bounded echoes */
    int fd = __atomic_load_n(&fg.log_fd, __ATOMIC_ACQUIRE), expected;

    if (fd != 2 && fstat(fd, &st) == 0 && st.st_dev == fg.log_dev && st.st_ino == fg.log_ino)
        return fd;
    if (!fg_log_path[0] || __atomic_load_n(&log_refused, __ATOMIC_RELAXED))
        return 2;
    memset(&w, 0, sizeof w);
    fd = log_open_sigsafe(&w);
    if (fd < 0) {
        __atomic_store_n(&log_refused, 1, __ATOMIC_RELAXED);
        (void)!write(2, line, fg_log_message(line, sizeof line, "cannot open: ", &w));
        return 2;
    }
    /* Two threads writing their first record at once: one fd is kept. */
    expected = __atomic_load_n(&fg.log_fd, __ATOMIC_ACQUIRE);
    if (!__atomic_compare_exchange_n(&fg.log_fd, &expected, fd, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        close(fd);
        return expected;
    }
    return fd;
}

static long now_ms_sigsafe(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Returns 0 when everything was written. A target set non-blocking by the
 * host (stderr, typically) that is full gets up to FG_LOG_STALL_MS to take
 * the record rather than losing it at the first EAGAIN. */
static int write_all_sigsafe(int fd, const char *p, size_t n)
{
    long deadline = -1;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {fd, POLLOUT, 0};
            long left;
            if (__atomic_load_n(&log_stalled, __ATOMIC_RELAXED))
                return -1;
            if (deadline < 0)
                deadline = now_ms_sigsafe() + FG_LOG_STALL_MS;
            left = deadline - now_ms_sigsafe();
            if (left <= 0 || (poll(&pfd, 1, (int)left) == 0 && now_ms_sigsafe() >= deadline)) {
                __atomic_store_n(&log_stalled, 1, __ATOMIC_RELAXED);
                errno = EAGAIN;
                return -1;
            }
            continue; /* writable, interrupted, or an error the write will tell */
        }
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Whether the log file ends inside a line: a record cut by a full disk, or
 * anything else written there, and left so. Another process's record being
 * appended right now also shows a size that ends mid-line (the kernel grows
 * the file page by page while it copies, and fstat takes no lock): that file
 * keeps growing, and its record ends with a newline of its own, so an end
 * that moves within a few yields is not a partial line (a newline put before
 * our record there would leave an empty line). What is left is a writer that
 * stalls mid-record for longer than that: at worst an empty line. */
static int ends_mid_line_sigsafe(int fd)
{
    struct stat st;
    off_t size;
    char last;
    int i;
    if (fstat(fd, &st) != 0 || st.st_size <= 0 || pread(fd, &last, 1, st.st_size - 1) != 1 ||
        last == '\n')
        return 0;
    size = st.st_size;
    for (i = 0; i < 3; i++) {
        sched_yield();
        if (fstat(fd, &st) != 0 || st.st_size != size)
            return 0;
    }
    return 1;
}

/* One record with a '\n' before it, in one system call (writev: atomic on
 * an O_APPEND regular file like write, and no copy of a 16 KB record on a
 * stack that may be a small thread's). */
static int write_fresh_sigsafe(int fd, const char *p, size_t n)
{
    struct iovec iov[2] = {{(void *)"\n", 1}, {(void *)p, n}};
    ssize_t w;
    do
        w = writev(fd, iov, 2);
    while (w < 0 && errno == EINTR);
    if (w <= 0)
        return write_all_sigsafe(fd, "\n", 1) == 0 ? write_all_sigsafe(fd, p, n) : -1;
    return (size_t)w >= n + 1 ? 0 : write_all_sigsafe(fd, p + (w - 1), n - (size_t)(w - 1));
}

void fg_log_write_sigsafe(const char *p, size_t n)
{
    int saved = errno; /* the host may be between a failing call and its errno check */
    int fd = current_fd_sigsafe(), rc;

    /* Never glue a record onto a partial line: start it on a fresh one. */
    if (fd != 2 && ends_mid_line_sigsafe(fd))
        rc = write_fresh_sigsafe(fd, p, n);
    else
        rc = write_all_sigsafe(fd, p, n);
    /* A log that refuses writes (full disk, a /proc file) must not swallow
     * the report: stderr gets the record instead. */
    if (rc != 0 && fd != 2) {
        if (!log_failed) {
            char line[512];
            struct fg_log_why w;
            memset(&w, 0, sizeof w);
            w.text = strerrordesc_np(errno);
            log_failed = 1;
            (void)!write_all_sigsafe(2, line,
                                     fg_log_message(line, sizeof line, "write failed: ", &w));
        }
        write_all_sigsafe(2, p, n);
    }
    errno = saved;
}
