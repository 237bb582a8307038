/* The core's set-up, once, when the stub loads it (stub/load.c): the
 * configuration from the stub's copies of the FORKGUARD_* values, and the
 * log. */
#include "config.h"
#include "log.h"
#include "report_emit.h"
#include "state.h"
#include "init.h"

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

/* From a hidden function: an exported one's address could be another copy's. */
static void note_self_base(void)
{
    Dl_info self;
    if (dladdr((void *)note_self_base, &self))
        fg.self_base = (uintptr_t)self.dli_fbase;
}

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

void fg_init_core(const struct fg_stub_view *view)
{
    static struct pending pending;
    char msg[1024];
    unsigned i;

    fg.log_fd = 2;
    fg.self_pid = getpid();
    fg.real.dlsym = view->dlsym;
    fg.real.dlvsym = view->dlvsym;
    fg.real.fork = view->fork;
    fg.real.fork_raw = view->fork_raw;
    fg.fork_site = view->fork_site;
    fg.stub_base = view->stub_base;
    note_self_base();
    /* The stub's copies of the values, which live as long as the process. A
     * core loaded at JVM creation has nothing to say about them: a bad value
     * or a log would have loaded it at start-up. */
    fg_config_parse(view->config, &fg.cfg, keep_error, &pending);

    /* Named now, opened by the first record: most processes write none. */
    if (fg.cfg.log_path && fg_log_init(fg.cfg.log_path, msg, sizeof msg) != 0)
        keep_error(&pending, "FORKGUARD_LOG", msg);
    fg.cfg.log_path = NULL; /* copied or abandoned */
    for (i = 0; i < pending.n; i++)
        fg_report_config_error(pending.lines[i]);
}
