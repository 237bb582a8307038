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

/* The absolute path of FORKGUARD_LOG; empty: stderr. Written at load only. */
static char log_path[PATH_MAX];
/* The path as the user gave it, printable, for messages. */
static char log_name[256];
static int log_refused; /* opening failed once: stderr from now on */
static int log_failed;  /* a write failed once: said so */
static int log_stalled; /* a full non-blocking target timed out once */

/* Why the log cannot be used: an error text, a symlinked directory of the
 * path, or the owner of an existing file. */
struct why {
    const char *text;
    char link[512]; /* non-empty: this directory is a symbolic link (its
                       name's start: messages echo 160 characters at most) */
    int other_uid;
    uid_t uid;
};

/* "forkguard: FORKGUARD_LOG=NAME: WHAT...; using stderr\n" */
static size_t log_message(char *mem, size_t size, const char *what, const struct why *w)
{
    struct fg_buf b;
    fg_buf_init(&b, mem, size);
    fg_buf_str(&b, FG_MSG_PREFIX "FORKGUARD_LOG=");
    fg_buf_str(&b, log_name);
    fg_buf_str(&b, ": ");
    fg_buf_str(&b, what);
    if (w->link[0]) {
        fg_buf_printable(&b, w->link, 160);
        fg_buf_str(&b, " is a symbolic link");
    } else if (w->other_uid) {
        fg_buf_str(&b, "owned by uid ");
        fg_buf_u64(&b, w->uid);
        fg_buf_str(&b, ", not by this process (uid ");
        fg_buf_u64(&b, geteuid());
        fg_buf_char(&b, ')');
    } else {
        fg_buf_str(&b, w->text ? w->text : "unknown error");
    }
    fg_buf_str(&b, "; using stderr");
    return fg_buf_finish(&b, "\n");
}

static int fail_errno(struct why *w, int err)
{
    w->text = strerrordesc_np(err);
    return -1;
}

/* Opens log_path's directories one by one from "/", never following a
 * symbolic link. Returns an O_PATH fd of the last one with the file's name
 * in comp, or -1 with w set. */
static int walk_sigsafe(char comp[NAME_MAX + 1], struct why *w)
{
    const char *p = log_path, *next;
    int dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), fd;
    struct stat st;

    if (dfd < 0)
        return fail_errno(w, errno);
    for (;;) {
        size_t n;
        while (*p == '/')
            p++;
        next = strchr(p, '/');
        n = next ? (size_t)(next - p) : strlen(p);
        if (n > NAME_MAX || n == 0) { /* n == 0: the path is "/" */
            close(dfd);
            return fail_errno(w, n ? ENAMETOOLONG : EISDIR);
        }
        memcpy(comp, p, n);
        comp[n] = '\0';
        while (next && *next == '/')
            next++;
        if (!next || !*next)
            return dfd; /* comp is the file */
        fd = openat(dfd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            int err = errno;
            /* O_NOFOLLOW|O_DIRECTORY on a symlink fails with ENOTDIR: say
             * which it was, naming it. */
            if (fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
                size_t upto = (size_t)(p - log_path) + n;
                if (upto >= sizeof w->link)
                    upto = sizeof w->link - 1;
                memcpy(w->link, log_path, upto);
                w->link[upto] = '\0';
            } else {
                w->text = strerrordesc_np(err);
            }
            close(dfd);
            return -1;
        }
        close(dfd);
        dfd = fd;
        p = next;
    }
}

/* What is refused in an existing log, from its lstat (or fstat). */
static int check_existing(const struct stat *st, struct why *w)
{
    if (S_ISLNK(st->st_mode))
        w->text = "is a symbolic link";
    else if (S_ISDIR(st->st_mode))
        w->text = strerrordesc_np(EISDIR);
    else if (!S_ISREG(st->st_mode))
        w->text = "not a regular file";
    else if (st->st_uid != geteuid())
        w->other_uid = 1, w->uid = st->st_uid;
    else if (st->st_nlink > 1)
        w->text = "it has more than one hard link";
    else
        return 0;
    return -1;
}

/* Pseudo file systems where no log file can be created (root passes the
 * access check there, the creation then fails). */
static int pseudo_fs(int dfd)
{
    struct statfs sf;
    return fstatfs(dfd, &sf) == 0 &&
           (sf.f_type == SYSFS_MAGIC || sf.f_type == PROC_SUPER_MAGIC ||
            sf.f_type == CGROUP2_SUPER_MAGIC || sf.f_type == CGROUP_SUPER_MAGIC ||
            sf.f_type == DEBUGFS_MAGIC || sf.f_type == TRACEFS_MAGIC);
}

/* At load: would the first record be able to use the log? Creates nothing,
 * so that every process can afford it and none leaves a file behind; what
 * changes in between is caught when the file is opened. */
static int log_check(struct why *w)
{
    char comp[NAME_MAX + 1];
    struct stat st;
    int dfd = walk_sigsafe(comp, w), rc = 0;

    if (dfd < 0)
        return -1;
    if (fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        rc = check_existing(&st, w);
        if (rc == 0 && faccessat(dfd, comp, W_OK, AT_EACCESS) != 0)
            rc = fail_errno(w, errno);
    } else if (errno != ENOENT) {
        rc = fail_errno(w, errno);
    } else if (faccessat(dfd, ".", W_OK | X_OK, AT_EACCESS) != 0) {
        rc = fail_errno(w, errno);
    } else if (pseudo_fs(dfd)) {
        rc = fail_errno(w, EACCES);
    }
    close(dfd);
    return rc;
}

/* Opens and checks the log; the fd (3 or above), or -1 with w set. */
static int log_open_sigsafe(struct why *w)
{
    char comp[NAME_MAX + 1];
    struct stat st;
    int dfd = walk_sigsafe(comp, w), fd;

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
            fail_errno(w, errno);
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
            return fail_errno(w, err);
        fd = high;
    }
    if (fstat(fd, &st) != 0)
        fail_errno(w, errno);
    else if (check_existing(&st, w) == 0 && fcntl(fd, F_SETFL, O_APPEND) != 0)
        fail_errno(w, errno);
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
    struct why w;
    struct stat st;
    char line[1024]; /* fits log_message's bounded echoes */
    int fd = __atomic_load_n(&fg.log_fd, __ATOMIC_ACQUIRE), expected;

    if (fd != 2 && fstat(fd, &st) == 0 && st.st_dev == fg.log_dev && st.st_ino == fg.log_ino)
        return fd;
    if (!log_path[0] || __atomic_load_n(&log_refused, __ATOMIC_RELAXED))
        return 2;
    memset(&w, 0, sizeof w);
    fd = log_open_sigsafe(&w);
    if (fd < 0) {
        __atomic_store_n(&log_refused, 1, __ATOMIC_RELAXED);
        (void)!write(2, line, log_message(line, sizeof line, "cannot open: ", &w));
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
            struct why w;
            memset(&w, 0, sizeof w);
            w.text = strerrordesc_np(errno);
            log_failed = 1;
            (void)!write_all_sigsafe(2, line,
                                     log_message(line, sizeof line, "write failed: ", &w));
        }
        write_all_sigsafe(2, p, n);
    }
    errno = saved;
}

int fg_log_init(const char *path, char *msg, size_t msg_size)
{
    struct fg_buf b;
    struct why w;
    size_t len = strlen(path), dir = 0, n;

    memset(&w, 0, sizeof w);
    fg_buf_init(&b, log_name, sizeof log_name);
    fg_buf_printable(&b, path, 120);
    fg_buf_cstr(&b);
    if (path[0] != '/') {
        /* Resolved once, here: a descendant that changed directory must
         * still write to this file, not create one where it happens to be. */
        if (!getcwd(log_path, sizeof log_path)) {
            w.text = strerrordesc_np(errno);
            n = log_message(msg, msg_size,
                            "cannot resolve against the working directory: ", &w);
            goto bad;
        }
        dir = strlen(log_path);
    }
    if (dir + 1 + len >= sizeof log_path) {
        w.text = strerrordesc_np(ENAMETOOLONG);
        n = log_message(msg, msg_size, "cannot open: ", &w);
        goto bad;
    }
    if (dir) {
        log_path[dir++] = '/';
        memcpy(log_path + dir, path, len + 1);
    } else {
        memcpy(log_path, path, len + 1);
    }
    /* Checked now, so that a log that cannot work is said at once, as any
     * bad value is; opened only by the first record. */
    if (log_check(&w) != 0) {
        n = log_message(msg, msg_size, "cannot open: ", &w);
        goto bad;
    }
    /* The absolute value for descendants too: the same file whatever their
     * working directory; only the spelling changes. */
    if (dir && setenv("FORKGUARD_LOG", log_path, 1) != 0) {
        w.text = strerrordesc_np(errno);
        n = log_message(msg, msg_size, "cannot export its absolute path: ", &w);
        goto bad;
    }
    return 0;
bad:
    msg[n - 1] = '\0'; /* the caller's messages carry no newline */
    log_path[0] = '\0';
    return -1;
}
