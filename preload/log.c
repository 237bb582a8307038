/* The log destination: stderr or FORKGUARD_LOG.
 *
 * The file is named at load (made absolute against the working directory of
 * that moment) but opened only when the first record is written, so that the
 * many processes of a tree that never report create no file; that first
 * record may come from a forked child, so opening, checking and writing are
 * all async-signal-safe (system calls and stack buffers only).
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

#include "buf.h"
#include "messages.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* How long a record waits for a non-blocking stderr (or log) that is full:
 * long enough for a reader that is merely slow, short enough that a reader
 * that is gone costs one short pause. Only the first stall of a process
 * waits; later records do not. */
#define FG_LOG_STALL_MS 500

/* The absolute path of FORKGUARD_LOG; empty: stderr. Written at load only. */
static char log_path[PATH_MAX];
/* The path as the user gave it, printable, for messages. */
static char log_name[256];
static int log_refused; /* opening failed once: stderr from now on */
static int log_failed;  /* a write failed once: said so */
static int log_stalled; /* a full non-blocking target timed out once */

/* "forkguard: FORKGUARD_LOG=NAME: " + WHAT + WHY + "; using stderr" */
static size_t log_message(char *mem, size_t size, const char *what, const char *why,
                          const char *why2)
{
    struct fg_buf b;
    fg_buf_init(&b, mem, size);
    fg_buf_str_sigsafe(&b, FG_MSG_PREFIX "FORKGUARD_LOG=");
    fg_buf_str_sigsafe(&b, log_name);
    fg_buf_str_sigsafe(&b, ": ");
    fg_buf_str_sigsafe(&b, what);
    fg_buf_str_sigsafe(&b, why);
    fg_buf_str_sigsafe(&b, why2);
    fg_buf_str_sigsafe(&b, "; using stderr");
    return fg_buf_finish_sigsafe(&b, "\n");
}

int fg_log_init(const char *path, char *msg, size_t msg_size)
{
    struct fg_buf b;
    size_t len = strlen(path), dir = 0, n;

    fg_buf_init(&b, log_name, sizeof log_name);
    fg_buf_printable_sigsafe(&b, path, 120);
    log_name[fg_buf_finish_sigsafe(&b, "")] = '\0';
    if (path[0] != '/') {
        /* Resolved once, here: a descendant that changed directory must
         * still write to this file, not create one where it happens to be. */
        if (!getcwd(log_path, sizeof log_path)) {
            n = log_message(msg, msg_size, "cannot resolve against the working directory: ",
                            strerrordesc_np(errno) ?: "unknown error", "");
            goto bad;
        }
        dir = strlen(log_path);
    }
    if (dir + 1 + len >= sizeof log_path) {
        n = log_message(msg, msg_size, "cannot open: ", "path too long", "");
        goto bad;
    }
    if (dir) {
        log_path[dir++] = '/';
        memcpy(log_path + dir, path, len + 1);
        /* The absolute value for descendants too (the same file whatever
         * their working directory); only the spelling changes. */
        if (setenv("FORKGUARD_LOG", log_path, 1) != 0) {
            n = log_message(msg, msg_size, "cannot export its absolute path: ",
                            strerrordesc_np(errno) ?: "unknown error", "");
            goto bad;
        }
    } else {
        memcpy(log_path, path, len + 1);
    }
    return 0;
bad:
    msg[n - 1] = '\0'; /* the caller's messages carry no newline */
    log_path[0] = '\0';
    return -1;
}

/* Walks log_path from "/" one component at a time, never following a
 * symbolic link, and opens the file. Returns the fd, or -1 with *why (and
 * *what: the component concerned) set. */
static int open_nofollow_sigsafe(const char **why, char *what, size_t what_size)
{
    char comp[NAME_MAX + 1];
    const char *p = log_path, *next;
    int dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), fd;
    struct stat st;

    what[0] = '\0';
    if (dfd < 0) {
        *why = strerrordesc_np(errno);
        return -1;
    }
    for (;;) {
        size_t n;
        while (*p == '/')
            p++;
        next = strchr(p, '/');
        n = next ? (size_t)(next - p) : strlen(p);
        if (n > NAME_MAX) {
            *why = strerrordesc_np(ENAMETOOLONG);
            close(dfd);
            return -1;
        }
        memcpy(comp, p, n);
        comp[n] = '\0';
        while (next && *next == '/')
            next++;
        if (!next || !*next)
            break; /* comp is the file */
        fd = openat(dfd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            int err = errno;
            size_t upto = (size_t)(p - log_path) + n;
            /* O_NOFOLLOW|O_DIRECTORY on a symlink fails with ENOTDIR; say
             * which it was. */
            if (fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
                *why = " is a symbolic link";
            else
                *why = strerrordesc_np(err);
            if (upto >= what_size)
                upto = what_size - 1;
            memcpy(what, log_path, upto);
            what[upto] = '\0';
            close(dfd);
            return -1;
        }
        close(dfd);
        dfd = fd;
        p = next;
    }
    /* O_NONBLOCK: a FIFO nobody reads must not block the open (it is
     * refused below anyway); never O_TRUNC: the processes of a tree share
     * the file. */
    /* O_RDWR: the last byte is read back to start records on a fresh line
     * (a FIFO opened so does not fail either, and is refused as such). */
    fd = openat(dfd, comp,
                O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK,
                0600);
    if (fd < 0 && errno == EACCES)
        fd = openat(dfd, comp,
                    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK,
                    0600);
    if (fd < 0)
        *why = errno == ELOOP ? "is a symbolic link" : strerrordesc_np(errno);
    close(dfd);
    return fd;
}

/* Opens and checks the log; the fd (3 or above), or -1 after saying why on
 * stderr in one line. */
static int log_open_sigsafe(void)
{
    char what[PATH_MAX], line[PATH_MAX + 512];
    const char *why = NULL;
    struct fg_buf b;
    struct stat st;
    int fd = open_nofollow_sigsafe(&why, what, sizeof what), other_uid = 0;

    /* A host started with stdin, stdout or stderr closed would otherwise
     * have its own output land in our log once it opens files. */
    if (fd >= 0 && fd < 3) {
        int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (high < 0)
            why = strerrordesc_np(errno);
        close(fd);
        fd = high;
    }
    if (fd >= 0) {
        if (fstat(fd, &st) != 0)
            why = strerrordesc_np(errno);
        else if (!S_ISREG(st.st_mode))
            why = "not a regular file";
        else if (st.st_uid != geteuid())
            other_uid = 1;
        else if (st.st_nlink > 1)
            why = "it has more than one hard link";
        else if (fcntl(fd, F_SETFL, O_APPEND) != 0)
            why = strerrordesc_np(errno);
        else {
            fg.log_dev = st.st_dev;
            fg.log_ino = st.st_ino;
            return fd;
        }
        close(fd);
    }
    fg_buf_init(&b, line, sizeof line);
    fg_buf_str_sigsafe(&b, FG_MSG_PREFIX "FORKGUARD_LOG=");
    fg_buf_str_sigsafe(&b, log_name);
    fg_buf_str_sigsafe(&b, ": cannot open: ");
    if (what[0]) {
        /* A directory of the path: name it. */
        fg_buf_printable_sigsafe(&b, what, 160);
        fg_buf_str_sigsafe(&b, why && why[0] == ' ' ? "" : ": ");
    }
    if (other_uid) {
        fg_buf_str_sigsafe(&b, "owned by uid ");
        fg_buf_u64_sigsafe(&b, st.st_uid);
        fg_buf_str_sigsafe(&b, ", not by this process (uid ");
        fg_buf_u64_sigsafe(&b, geteuid());
        fg_buf_char_sigsafe(&b, ')');
    } else {
        fg_buf_str_sigsafe(&b, why ? why : "unknown error");
    }
    fg_buf_str_sigsafe(&b, "; using stderr");
    (void)!write(2, line, fg_buf_finish_sigsafe(&b, "\n"));
    return -1;
}

/* The fd records go to: the log, opened now if this is the first record (or
 * if the host closed ours or reused its number), else stderr. */
static int current_fd_sigsafe(void)
{
    struct stat st;
    int fd = __atomic_load_n(&fg.log_fd, __ATOMIC_ACQUIRE), expected;
    if (fd != 2 && fstat(fd, &st) == 0 && st.st_dev == fg.log_dev && st.st_ino == fg.log_ino)
        return fd;
    if (!log_path[0] || __atomic_load_n(&log_refused, __ATOMIC_RELAXED))
        return 2;
    fd = log_open_sigsafe();
    if (fd < 0) {
        __atomic_store_n(&log_refused, 1, __ATOMIC_RELAXED);
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
 * anything else written there. Racy only against another writer appending
 * between this check and our write, which costs at worst an empty line. */
static int ends_mid_line_sigsafe(int fd)
{
    struct stat st;
    char last;
    return fstat(fd, &st) == 0 && st.st_size > 0 &&
           pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n';
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
            log_failed = 1;
            (void)!write_all_sigsafe(
                2, line,
                log_message(line, sizeof line, "write failed: ",
                            strerrordesc_np(errno) ?: "unknown error", ""));
        }
        write_all_sigsafe(2, p, n);
    }
    errno = saved;
}
