/* FORKGUARD_LOG's path, made absolute and checked: see log_path.h, and
 * log.c for what is refused and why. */
#include "log_path.h"

#include "buf.h"
#include "messages.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

/* "forkguard: FORKGUARD_LOG=NAME: WHAT...; using stderr\n" */
size_t fg_log_message(char *mem, size_t size, const char *what, const struct fg_log_why *w)
{
    struct fg_buf b;
    fg_buf_init(&b, mem, size);
    fg_buf_str(&b, FG_MSG_PREFIX "FORKGUARD_LOG=");
    fg_buf_str(&b, fg_log_name);
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

int fg_log_fail_errno(struct fg_log_why *w, int err)
{
    w->text = strerrordesc_np(err);
    return -1;
}

/* Opens fg_log_path's directories one by one from "/", never following a
 * symbolic link. Returns an O_PATH fd of the last one with the file's name
 * in comp, or -1 with w set. */
int fg_log_walk_sigsafe(char comp[NAME_MAX + 1], struct fg_log_why *w)
{
    const char *p = fg_log_path, *next;
    int dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), fd;
    struct stat st;

    if (dfd < 0)
        return fg_log_fail_errno(w, errno);
    for (;;) {
        size_t n;
        while (*p == '/')
            p++;
        next = strchr(p, '/');
        n = next ? (size_t)(next - p) : strlen(p);
        if (n > NAME_MAX || n == 0) { /* n == 0: the path is "/" */
            close(dfd);
            return fg_log_fail_errno(w, n ? ENAMETOOLONG : EISDIR);
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
                size_t upto = (size_t)(p - fg_log_path) + n;
                if (upto >= sizeof w->link)
                    upto = sizeof w->link - 1;
                memcpy(w->link, fg_log_path, upto);
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
int fg_log_check_existing(const struct stat *st, struct fg_log_why *w)
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
static int log_check(struct fg_log_why *w)
{
    char comp[NAME_MAX + 1];
    struct stat st;
    int dfd = fg_log_walk_sigsafe(comp, w), rc = 0;

    if (dfd < 0)
        return -1;
    if (fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        rc = fg_log_check_existing(&st, w);
        if (rc == 0 && faccessat(dfd, comp, W_OK, AT_EACCESS) != 0)
            rc = fg_log_fail_errno(w, errno);
    } else if (errno != ENOENT) {
        rc = fg_log_fail_errno(w, errno);
    } else if (faccessat(dfd, ".", W_OK | X_OK, AT_EACCESS) != 0) {
        rc = fg_log_fail_errno(w, errno);
    } else if (pseudo_fs(dfd)) {
        rc = fg_log_fail_errno(w, EACCES);
    }
    close(dfd);
    return rc;
}

int fg_log_init(const char *path, char *msg, size_t msg_size)
{
    struct fg_buf b;
    struct fg_log_why w;
    size_t len = strlen(path), dir = 0, n;

    memset(&w, 0, sizeof w);
    fg_buf_init(&b, fg_log_name, sizeof fg_log_name);
    fg_buf_printable(&b, path, 120);
    fg_buf_cstr(&b);
    if (path[0] != '/') {
        /* Resolved once, here: a descendant that changed directory must
         * still write to this file, not create one where it happens to be. */
        if (!getcwd(fg_log_path, sizeof fg_log_path)) {
            w.text = strerrordesc_np(errno);
            n = fg_log_message(msg, msg_size,
                               "cannot resolve against the working directory: ", &w);
            goto bad;
        }
        dir = strlen(fg_log_path);
    }
    if (dir + 1 + len >= sizeof fg_log_path) {
        w.text = strerrordesc_np(ENAMETOOLONG);
        n = fg_log_message(msg, msg_size, "cannot open: ", &w);
        goto bad;
    }
    if (dir) {
        fg_log_path[dir++] = '/';
        memcpy(fg_log_path + dir, path, len + 1);
    } else {
        memcpy(fg_log_path, path, len + 1);
    }
    /* Checked now, so that a log that cannot work is said at once, as any
     * bad value is; opened only by the first record. */
    if (log_check(&w) != 0) {
        n = fg_log_message(msg, msg_size, "cannot open: ", &w);
        goto bad;
    }
    /* The absolute value for descendants too: the same file whatever their
     * working directory; only the spelling changes. */
    if (dir && setenv("FORKGUARD_LOG", fg_log_path, 1) != 0) {
        w.text = strerrordesc_np(errno);
        n = fg_log_message(msg, msg_size, "cannot export its absolute path: ", &w);
        goto bad;
    }
    return 0;
bad:
    msg[n - 1] = '\0'; /* the caller's messages carry no newline */
    fg_log_path[0] = '\0';
    return -1;
}
