/* Load-time set-up: configuration, the log, real symbols, fork handlers. */
#include "config.h"
#include "log.h"
#include "realsym.h"
#include "report_emit.h"
#include "state.h"
#include "../hooks/fork.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#define FG_MAX_CONFIG_ERRORS 10

struct pending {
    char lines[FG_MAX_CONFIG_ERRORS][1024]; /* the longest message is ~900 bytes */
    const char *vars[FG_MAX_CONFIG_ERRORS];
    unsigned n;
};

/* Messages wait until the log is open, so they land where the user looks. */
static void keep_error(void *ctx, const char *variable, const char *line)
{
    struct pending *p = ctx;
    if (p->n >= FG_MAX_CONFIG_ERRORS)
        return;
    memcpy(p->lines[p->n], line, strnlen(line, sizeof p->lines[0] - 1));
    p->vars[p->n] = variable;
    p->n++;
}

/* Copies survive a host that rewrites its environment later. */
static const char *keep(const char *s)
{
    return s ? strdup(s) : NULL;
}

__attribute__((constructor)) static void fg_init(void)
{
    static struct pending pending;
    struct fg_config_input in;
    Dl_info self;
    char msg[1024];
    unsigned i;

    fg.log_fd = 2;
    fg.self_pid = getpid();
    if (dladdr((void *)fg_init, &self))
        fg.self_base = (uintptr_t)self.dli_fbase;
    fg_realsym_init();

    memset(&in, 0, sizeof in);
    in.secure = getauxval(AT_SECURE) != 0;
    in.mode = getenv("FORKGUARD_MODE");
    in.log = getenv("FORKGUARD_LOG");
    in.format = getenv("FORKGUARD_FORMAT");
    in.on_fork = getenv("FORKGUARD_ON_FORK");
    in.exit_code = getenv("FORKGUARD_EXIT_CODE");
    in.classpath = getenv("FORKGUARD_CLASSPATH");
    in.drivers = getenv("FORKGUARD_DRIVERS");
    in.classpath_mode = getenv("FORKGUARD_CLASSPATH_MODE");
    fg_config_parse(&in, &fg.cfg, keep_error, &pending);
    fg.cfg.classpath = keep(fg.cfg.classpath);
    fg.cfg.drivers = keep(fg.cfg.drivers);

    if (fg.cfg.log_path && fg_log_open(fg.cfg.log_path, msg, sizeof msg) != 0)
        keep_error(&pending, "FORKGUARD_LOG", msg);
    fg.cfg.log_path = NULL; /* opened or abandoned; the string is not ours */
    for (i = 0; i < pending.n; i++)
        fg_report_config_error(pending.vars[i], pending.lines[i]);

    fg_fork_install();
}
