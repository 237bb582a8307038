/* `forkguard run`: parse the options into FORKGUARD_* variables, put the
 * library first in LD_PRELOAD and exec. Exec rather than fork+wait, so the
 * command keeps our pid, signals and exit status with nothing in between. */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ld_preload.h"
#include "messages.h"
#include "paths.h"

#define FG_RUN_LIB "libforkguard.so"
#define FG_RUN_DEMO "demo-host"

/* One row per option: the variable it sets and, when the library accepts
 * only a few values, those values, so a typo fails here, before the command
 * runs, rather than as a warning from inside it. */
struct fg_run_option {
    const char *name;
    const char *var;
    const char *const *values; /* NULL-terminated; NULL: any non-empty value */
    const char *expect;
    const char *value; /* parsed */
};

static const char *const fg_run_modes[] = {FG_MODE_NAMES, NULL};
static const char *const fg_run_formats[] = {FG_FORMAT_NAMES, NULL};

/* Index of --log in the table below. */
#define FG_RUN_LOG 1

static struct fg_run_option fg_run_options[] = {
    {"--mode", "FORKGUARD_MODE", fg_run_modes, FG_EXPECT_MODE, NULL},
    {"--log", "FORKGUARD_LOG", NULL, NULL, NULL},
    {"--format", "FORKGUARD_FORMAT", fg_run_formats, FG_EXPECT_FORMAT, NULL},
    {"--classpath", "FORKGUARD_CLASSPATH", NULL, NULL, NULL},
    {"--drivers", "FORKGUARD_DRIVERS", NULL, NULL, NULL},
};
#define FG_RUN_NOPTIONS (sizeof fg_run_options / sizeof fg_run_options[0])

static struct fg_run_option *fg_run_option_find(const char *arg, size_t len)
{
    size_t i;

    for (i = 0; i < FG_RUN_NOPTIONS; i++)
        if (strlen(fg_run_options[i].name) == len &&
            strncmp(fg_run_options[i].name, arg, len) == 0)
            return &fg_run_options[i];
    return NULL;
}

static int fg_run_option_check(const struct fg_run_option *o, const char *value)
{
    const char *const *v;

    if (o->values == NULL)
        return 0;
    for (v = o->values; *v != NULL; v++)
        if (strcmp(*v, value) == 0)
            return 0;
    fprintf(stderr, FG_CLI_ERR_BAD_VALUE, value, o->name, o->expect);
    return -1;
}

/* Parses ARGV[1..] up to the command. Returns 0 with *cmd set (NULL: no
 * command, run the demo), 1 when help was asked for, or -1 after reporting a
 * usage error. */
static int fg_run_parse(int argc, char **argv, char ***cmd)
{
    int i;

    *cmd = NULL;
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i], *eq, *value;
        struct fg_run_option *o;

        if (strcmp(arg, "--") == 0) {
            /* An explicit "--" promises a command: silently running the
             * demo instead would hide a script's empty variable. */
            if (i + 1 >= argc) {
                fputs(FG_CLI_ERR_MISSING_CMD, stderr);
                return -1;
            }
            *cmd = &argv[i + 1];
            return 0;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
            return 1;
        if (arg[0] != '-') {
            *cmd = &argv[i];
            return 0;
        }
        /* Only long options are ours: "-x" is an unknown option, not a command. */
        eq = strchr(arg, '=');
        o = NULL;
        if (strncmp(arg, "--", 2) == 0)
            o = fg_run_option_find(arg, eq != NULL ? (size_t)(eq - arg) : strlen(arg));
        if (o == NULL) {
            fprintf(stderr, FG_CLI_ERR_UNKNOWN_OPT, arg);
            return -1;
        }
        if (eq != NULL) {
            value = eq + 1;
        } else {
            /* "--log --" would otherwise swallow the separator as a file name. */
            value = i + 1 < argc && strcmp(argv[i + 1], "--") != 0 ? argv[++i] : NULL;
        }
        if (value == NULL || value[0] == '\0') {
            fprintf(stderr, FG_CLI_ERR_NEEDS_VALUE, o->name);
            return -1;
        }
        if (fg_run_option_check(o, value) < 0)
            return -1;
        o->value = value; /* the last one given wins, as with most tools */
    }
    return 0;
}

/* The shipped file NAME, or -1 after reporting where it was looked for. */
static int fg_run_locate(const char *name, int amode, struct fg_paths_found *f)
{
    int rc = fg_paths_find(name, amode, f);

    if (rc == -ENOENT)
        fprintf(stderr, FG_CLI_ERR_NOT_FOUND, name, f->tried[0], f->tried[1], f->tried[2]);
    else if (rc < 0)
        fprintf(stderr, FG_CLI_ERR_SELF, strerror(-rc));
    return rc < 0 ? -1 : 0;
}

static int fg_run_setenv(const char *var, const char *value)
{
    if (setenv(var, value, 1) == 0)
        return 0;
    fprintf(stderr, FG_CLI_ERR_SETENV, var, strerror(errno));
    return -1;
}

/* Whether PATH's directory is spelled as its real path (no symlink, no "..") */
static int fg_run_dir_is_real(const char *path)
{
    char dir[PATH_MAX], real[PATH_MAX];
    const char *slash = strrchr(path, '/');
    size_t n = slash == path ? 1 : (size_t)(slash - path);

    if (slash == NULL || n >= sizeof dir)
        return 0;
    memcpy(dir, path, n);
    dir[n] = '\0';
    return realpath(dir, real) != NULL && strcmp(real, dir) == 0;
}

/* --log PATH: absolute, so that every process of the command writes to this
 * one file whatever its working directory, and created now (empty, 0600), so
 * that `forkguard report PATH` finds it even when nothing was reported: the
 * library itself creates it only with the first record. A file that cannot
 * be created here is left to the library to report, at that first record. */
static int fg_run_log_path(struct fg_run_option *o, char **owned)
{
    char cwd[PATH_MAX];
    int fd;

    *owned = NULL;
    if (strcmp(o->value, "stderr") == 0)
        return 0;
    if (o->value[0] != '/') {
        if (getcwd(cwd, sizeof cwd) == NULL) {
            fprintf(stderr, FG_CLI_ERR_LOG_CWD, o->value, strerror(errno));
            return -1;
        }
        if (asprintf(owned, "%s/%s", cwd, o->value) < 0) {
            *owned = NULL;
            fprintf(stderr, FG_CLI_ERR_SETENV, o->var, strerror(errno));
            return -1;
        }
        o->value = *owned;
    }
    /* Not through a symlinked directory: the library refuses those, and
     * would leave the file created here unused. */
    if (fg_run_dir_is_real(o->value)) {
        fd =
            open(o->value,
                 O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC,
                 0600);
        if (fd >= 0)
            close(fd);
    }
    return 0;
}

static int fg_run_environ(const char *lib)
{
    char *preload;
    size_t i;
    int rc;

    /* ld.so splits LD_PRELOAD at ':' and ' ': such a path would load as
     * pieces, none of which is the library. */
    if (strpbrk(lib, ": ") != NULL) {
        fprintf(stderr, FG_CLI_ERR_PRELOAD_PATH, lib);
        return -1;
    }
    preload = fg_ld_preload_compose(lib, getenv("LD_PRELOAD"));
    if (preload == NULL) {
        fprintf(stderr, FG_CLI_ERR_SETENV, "LD_PRELOAD", strerror(errno));
        return -1;
    }
    rc = fg_run_setenv("LD_PRELOAD", preload);
    free(preload);
    /* Only the options given: variables the user set themselves (and those
     * without an option, like FORKGUARD_ON_FORK) pass through untouched. */
    for (i = 0; rc == 0 && i < FG_RUN_NOPTIONS; i++)
        if (fg_run_options[i].value != NULL)
            rc = fg_run_setenv(fg_run_options[i].var, fg_run_options[i].value);
    return rc;
}

/* As shells do: 127 when there is no such command, 126 when there is one
 * but it cannot be executed. */
static int fg_run_exec_failed(const char *cmd, int err)
{
    fprintf(stderr, FG_CLI_ERR_EXEC, cmd, strerror(err));
    switch (err) {
    case ENOENT:
    case ENOTDIR:
    case ENAMETOOLONG:
    case ELOOP:
        return 127;
    default:
        return 126;
    }
}

int fg_run_main(int argc, char **argv)
{
    struct fg_paths_found lib, demo;
    char **cmd, *demo_argv[2], *log_path = NULL;
    int rc;

    rc = fg_run_parse(argc, argv, &cmd);
    if (rc != 0) {
        if (rc > 0)
            return fputs(FG_CLI_USAGE, stdout) == EOF || fflush(stdout) == EOF ? 1 : 0;
        return 2;
    }
    if (fg_run_locate(FG_RUN_LIB, R_OK, &lib) < 0)
        return 2;
    if (cmd == NULL) {
        if (fg_run_locate(FG_RUN_DEMO, X_OK, &demo) < 0)
            return 2;
        demo_argv[0] = demo.path;
        demo_argv[1] = NULL;
        cmd = demo_argv;
    }
    if (fg_run_options[FG_RUN_LOG].value != NULL &&
        fg_run_log_path(&fg_run_options[FG_RUN_LOG], &log_path) < 0)
        return 2;
    if (fg_run_environ(lib.path) < 0) {
        free(log_path);
        return 2;
    }
    execvp(cmd[0], cmd);
    rc = fg_run_exec_failed(cmd[0], errno);
    free(log_path);
    return rc;
}
