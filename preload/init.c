/* Load-time set-up of the core: configuration and the log (the constructor
 * that calls it, and installs the fork handlers, is hooks/load.c). */
#include "config.h"
#include "log.h"
#include "realsym.h"
#include "report_emit.h"
#include "state.h"
#include "init.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#define FG_MAX_CONFIG_ERRORS 10

struct pending {
    char lines[FG_MAX_CONFIG_ERRORS][1024]; /* the longest message is ~900 bytes */
    unsigned n;
};

/* Messages wait until the log is open, so they land where the user looks. */
static void keep_error(void *ctx, const char *variable, const char *line)
{
    struct pending *p = ctx;
    if (p->n >= FG_MAX_CONFIG_ERRORS)
        return;
    memcpy(p->lines[p->n], line, strnlen(line, sizeof p->lines[0] - 1));
    (void)variable; /* the line names it */
    p->n++;
}

/* Copies survive a host that rewrites its environment later. */
static const char *keep(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* One pass over the environment for the FORKGUARD_* variables (every process
 * a preloaded library enters pays for this, so no getenv per variable). */
static void read_environment(struct fg_config_input *in)
{
    static const struct {
        const char *name;
        size_t offset;
    } vars[] = {
        {"MODE=", offsetof(struct fg_config_input, mode)},
        {"LOG=", offsetof(struct fg_config_input, log)},
        {"FORMAT=", offsetof(struct fg_config_input, format)},
        {"ON_FORK=", offsetof(struct fg_config_input, on_fork)},
        {"EXIT_CODE=", offsetof(struct fg_config_input, exit_code)},
        {"CLASSPATH=", offsetof(struct fg_config_input, classpath)},
        {"DRIVERS=", offsetof(struct fg_config_input, drivers)},
        {"CLASSPATH_MODE=", offsetof(struct fg_config_input, classpath_mode)},
    };
    char **e;
    size_t i;
    memset(in, 0, sizeof *in);
    for (e = environ; e && *e; e++) {
        const char *rest;
        if (strncmp(*e, "FORKGUARD_", 10) != 0)
            continue;
        rest = *e + 10;
        for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
            size_t n = strlen(vars[i].name);
            const char **slot = (const char **)((char *)in + vars[i].offset);
            /* The first occurrence wins, as with getenv. */
            if (strncmp(rest, vars[i].name, n) == 0 && !*slot)
                *slot = rest + n;
        }
    }
}

int fg_init_load(void)
{
    static struct pending pending;
    struct fg_config_input in;
    char msg[1024];
    unsigned i;

    /* Nothing else here that a process without a JVM does not need: real
     * symbols are resolved on first use (fg_realsym_init). */
    fg.log_fd = 2;
    fg.self_pid = getpid();
    /* Another install's copy came first (a global LD_PRELOAD and a `forkguard
     * run`): the host binds to that one, which guards. This one opens no log,
     * says nothing and registers no fork handler; its entries pass through. */
    if (fg_realsym_other_copy()) {
        fg.cfg.mode = FG_MODE_OFF;
        return 0;
    }
    read_environment(&in);
    in.secure = getauxval(AT_SECURE) != 0;
    fg_config_parse(&in, &fg.cfg, keep_error, &pending);
    fg.cfg.classpath = keep(fg.cfg.classpath);
    fg.cfg.drivers = keep(fg.cfg.drivers);

    /* Named now, opened by the first record: most processes write none. */
    if (fg.cfg.log_path && fg_log_init(fg.cfg.log_path, msg, sizeof msg) != 0)
        keep_error(&pending, "FORKGUARD_LOG", msg);
    fg.cfg.log_path = NULL; /* copied or abandoned; the string is not ours */
    for (i = 0; i < pending.n; i++)
        fg_report_config_error(pending.lines[i]);
    return 1;
}
