#include "log.h"

#include "buf.h"
#include "messages.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The log's name, for the one line that says it stopped taking records
 * (kept here because the child cannot format from the environment). */
static char log_name[256];
static int log_failed;

int fg_log_open(const char *path, char *msg, size_t msg_size)
{
    struct fg_buf b;
    struct stat st;
    /* O_NOFOLLOW: a planted symlink must not redirect our appends; never
     * O_TRUNC: several processes of one tree share the file; O_NONBLOCK: a
     * FIFO nobody reads must not block every process at load (it is refused
     * below anyway, like everything that is not a regular file). */
    int fd = open(path,
                  O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK,
                  0644);
    int err = errno;
    /* A host started with stdin, stdout or stderr closed would otherwise
     * have its own output land in our log once it opens files: keep the
     * log at 3 or above. */
    if (fd >= 0 && fd < 3) {
        int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        close(fd);
        fd = high;
        err = errno;
    }
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        fcntl(fd, F_SETFL, O_APPEND) == 0) {
        fg.log_fd = fd;
        fg.log_dev = st.st_dev;
        fg.log_ino = st.st_ino;
        fg_buf_init(&b, log_name, sizeof log_name);
        fg_buf_printable_sigsafe(&b, path, 120);
        log_name[fg_buf_finish_sigsafe(&b, "")] = '\0';
        return 0;
    }
    if (fd >= 0) {
        close(fd);
        err = EINVAL;
    }
    fg_buf_init(&b, msg, msg_size);
    fg_buf_str_sigsafe(&b, FG_MSG_PREFIX "FORKGUARD_LOG=");
    fg_buf_printable_sigsafe(&b, path, 160);
    fg_buf_str_sigsafe(&b, ": cannot open: ");
    fg_buf_str_sigsafe(&b, err == ELOOP ? "is a symbolic link"
                           : err == EINVAL ? "not a regular file"
                                           : strerror(err));
    fg_buf_str_sigsafe(&b, "; using stderr");
    fg_buf_finish_sigsafe(&b, "");
    msg[b.len < msg_size ? b.len : msg_size - 1] = '\0';
    return -1;
}

static int current_fd_sigsafe(void)
{
    struct stat st;
    if (fg.log_fd == 2)
        return 2;
    if (fstat(fg.log_fd, &st) != 0 || st.st_dev != fg.log_dev || st.st_ino != fg.log_ino)
        return 2;
    return fg.log_fd;
}

/* Returns 0 when everything was written. */
static int write_all_sigsafe(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

void fg_log_write_sigsafe(const char *p, size_t n)
{
    int saved = errno; /* the host may be between a failing call and its errno check */
    int fd = current_fd_sigsafe();
    /* A log that refuses writes (full disk, a /proc file) must not swallow
     * the report: stderr gets the record instead. */
    if (write_all_sigsafe(fd, p, n) != 0 && fd != 2) {
        if (!log_failed) {
            char line[512];
            struct fg_buf b;
            const char *why = strerrordesc_np(errno); /* a static table: no locale, no malloc */
            log_failed = 1;
            fg_buf_init(&b, line, sizeof line);
            fg_buf_str_sigsafe(&b, FG_MSG_PREFIX "FORKGUARD_LOG=");
            fg_buf_str_sigsafe(&b, log_name);
            fg_buf_str_sigsafe(&b, ": write failed: ");
            fg_buf_str_sigsafe(&b, why ? why : "unknown error");
            fg_buf_str_sigsafe(&b, "; using stderr");
            write_all_sigsafe(2, line, fg_buf_finish_sigsafe(&b, "\n"));
        }
        write_all_sigsafe(2, p, n);
    }
    errno = saved;
}
