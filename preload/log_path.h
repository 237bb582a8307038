/* FORKGUARD_LOG's path: made absolute and checked (fg_log_init), and the
 * pieces the opening shares with that check. Pure of forkguard's state, so
 * that the stub can check a log at start-up without loading the core
 * (stub/load.c); the core checks it again when it is loaded and opens it at
 * the first record (preload/log.c). */
#ifndef FG_LOG_PATH_H
#define FG_LOG_PATH_H

#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

struct fg_log_names {
    char path[PATH_MAX]; /* the absolute path of FORKGUARD_LOG; empty: stderr */
    char name[256];      /* the path as the user gave it, printable, for messages */
};

/* Where fg_log_init writes them: the core's static struct (preload/log.c);
 * in the stub, memory allocated only when FORKGUARD_LOG is set (4 KB of
 * .bss would cost every process one more mapping at start-up). */
extern struct fg_log_names *fg_log_names __attribute__((visibility("hidden")));
#define fg_log_path (fg_log_names->path)
#define fg_log_name (fg_log_names->name)

/* Why the log cannot be used: an error text, a symlinked directory of the
 * path, or the owner of an existing file. */
struct fg_log_why {
    const char *text;
    char link[512]; /* non-empty: this directory is a symbolic link (its
                       name's start: messages echo 160 characters at most) */
    int other_uid;
    uid_t uid;
};

/* "forkguard: FORKGUARD_LOG=NAME: WHAT...; using stderr\n" into mem;
 * returns its length. */
size_t fg_log_message(char *mem, size_t size, const char *what, const struct fg_log_why *w);

/* Sets w's text from errno value err; returns -1. */
int fg_log_fail_errno(struct fg_log_why *w, int err);

/* Opens fg_log_path's directories one by one from "/", never following a
 * symbolic link. Returns an O_PATH fd of the last one with the file's name
 * in comp, or -1 with w set. Async-signal-safe. */
int fg_log_walk_sigsafe(char comp[NAME_MAX + 1], struct fg_log_why *w);

/* What is refused in an existing log, from its lstat (or fstat): -1 with w
 * set, else 0. */
int fg_log_check_existing(const struct stat *st, struct fg_log_why *w);

/* Names FORKGUARD_LOG: a relative path is made absolute against the working
 * directory and exported so, for descendants, and the log is checked (can
 * the first record create or append to it?). Nothing is opened yet (see
 * fg_log_write_sigsafe). On failure returns -1 with a one-line reason in
 * msg, and stderr stays the destination. */
int fg_log_init(const char *path, char *msg, size_t msg_size);

#endif
