#include "log.h"

#include "buf.h"
#include "messages.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fg_log_open(const char *path, char *msg, size_t msg_size)
{
    struct fg_buf b;
    struct stat st;
    /* O_NOFOLLOW: a planted symlink must not redirect our appends; never
     * O_TRUNC: several processes of one tree share the file. */
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
                  0644);
    int err = errno;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        fg.log_fd = fd;
        fg.log_dev = st.st_dev;
        fg.log_ino = st.st_ino;
        return 0;
    }
    if (fd >= 0) {
        close(fd);
        err = EINVAL;
    }
    fg_buf_init(&b, msg, msg_size);
    fg_buf_str_sigsafe(&b, FG_MSG_PREFIX "FORKGUARD_LOG=");
    fg_buf_printable_sigsafe(&b, path, 200);
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

void fg_log_write_sigsafe(const char *p, size_t n)
{
    int fd = current_fd_sigsafe();
    int saved = errno; /* the host may be between a failing call and its errno check */
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        p += w;
        n -= (size_t)w;
    }
    errno = saved;
}
