#include "config.h"

#include "buf.h"
#include "messages.h"

#include <string.h>

/* Longest part of a bad value echoed back: enough to recognise it, short
 * enough to keep the message on one readable line. */
#define FG_ECHO_MAX 64

static void report(fg_config_error_fn on_error, void *ctx, const char *var, const char *value,
                   const char *expected, const char *using)
{
    char mem[512];
    struct fg_buf b;
    if (!on_error)
        return;
    fg_buf_init(&b, mem, sizeof mem);
    fg_buf_str(&b, FG_MSG_PREFIX);
    fg_buf_str(&b, var);
    fg_buf_char(&b, '=');
    fg_buf_printable(&b, value, FG_ECHO_MAX);
    fg_buf_str(&b, ": expected ");
    fg_buf_str(&b, expected);
    fg_buf_str(&b, "; using ");
    fg_buf_str(&b, using);
    fg_buf_cstr(&b);
    on_error(ctx, var, mem);
}

/* The index of value in names (the enum's order; the first is the default).
 * Unset means the default silently; set to anything that is not one of the
 * names (empty included) is reported. */
static int parse_choice(const char *value, const char *const *names, size_t n, const char *var,
                        const char *expected, fg_config_error_fn on_error, void *ctx)
{
    size_t i;
    if (!value)
        return 0;
    for (i = 0; i < n; i++)
        if (strcmp(value, names[i]) == 0)
            return (int)i;
    report(on_error, ctx, var, value, expected, names[0]);
    return 0;
}

static int parse_exit_code(const char *value, fg_config_error_fn on_error, void *ctx)
{
    int v = 0;
    const char *p = value;
    if (!value)
        return 0;
    /* Digits only, no sign, no spaces, no leading zeros games beyond range. */
    while (*p >= '0' && *p <= '9' && v <= 255) {
        v = v * 10 + (*p - '0');
        p++;
    }
    if (p == value || *p != '\0' || v < 1 || v > 255) {
        report(on_error, ctx, "FORKGUARD_EXIT_CODE", value, FG_EXPECT_EXIT_CODE, "abort()");
        return 0;
    }
    return v;
}

void fg_config_parse(const struct fg_config_input *in, struct fg_config *out,
                     fg_config_error_fn on_error, void *ctx)
{
    static const char *const modes[] = {FG_MODE_NAMES};
    static const char *const formats[] = {FG_FORMAT_NAMES};
    static const char *const on_fork[] = {FG_ON_FORK_NAMES};
    static const char *const cp_modes[] = {FG_CP_MODE_NAMES};

    memset(out, 0, sizeof *out);
    out->mode = (enum fg_mode)parse_choice(in->mode, modes, 3, "FORKGUARD_MODE", FG_EXPECT_MODE,
                                           on_error, ctx);
    out->format = (enum fg_format)parse_choice(in->format, formats, 2, "FORKGUARD_FORMAT",
                                               FG_EXPECT_FORMAT, on_error, ctx);
    out->on_fork_warn = parse_choice(in->on_fork, on_fork, 2, "FORKGUARD_ON_FORK",
                                     FG_EXPECT_ON_FORK, on_error, ctx);
    out->exit_code = parse_exit_code(in->exit_code, on_error, ctx);
    out->classpath_mode = (enum fg_cp_mode)parse_choice(in->classpath_mode, cp_modes, 2,
                                                        "FORKGUARD_CLASSPATH_MODE",
                                                        FG_EXPECT_CP_MODE, on_error, ctx);

    /* "stderr" and empty both mean the default destination; an empty value is
     * worth a word because the user probably meant a path. */
    if (in->log && in->log[0] && strcmp(in->log, "stderr") != 0)
        out->log_path = in->log;
    else if (in->log && !in->log[0])
        report(on_error, ctx, "FORKGUARD_LOG", in->log, "stderr or a file path", "stderr");

    /* Under secure execution an attacker controls the environment of a
     * privileged process: open no path it names, load no code it names. */
    if (in->secure) {
        out->log_path = NULL;
        out->classpath = NULL;
        out->drivers = NULL;
    } else {
        out->classpath = in->classpath && in->classpath[0] ? in->classpath : NULL;
        out->drivers = in->drivers && in->drivers[0] ? in->drivers : NULL;
    }
}

const char *fg_config_mode_name(enum fg_mode mode)
{
    static const char *const names[] = {FG_MODE_NAMES};
    return (unsigned)mode < sizeof names / sizeof names[0] ? names[mode] : names[0];
}
