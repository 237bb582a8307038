/* FORKGUARD_* configuration: parsed once, at load, from the environment.
 *
 * The parser is pure (input strings in, struct out, one message per bad value
 * through a callback) so that unit tests can drive it without an environment. */
#ifndef FG_CONFIG_H
#define FG_CONFIG_H

#include <stddef.h>

enum fg_mode { FG_MODE_BLOCK, FG_MODE_WARN, FG_MODE_OFF };
enum fg_format { FG_FORMAT_TEXT, FG_FORMAT_JSON };
enum fg_cp_mode { FG_CP_ISOLATED, FG_CP_SYSTEM };

/* Raw values as found in the environment; NULL when unset. */
struct fg_config_input {
    const char *mode;
    const char *log;
    const char *format;
    const char *on_fork;
    const char *exit_code;
    const char *classpath;
    const char *drivers;
    const char *classpath_mode;
    int secure; /* AT_SECURE: setuid or similar; the environment is not trusted */
};

struct fg_config {
    enum fg_mode mode;
    enum fg_format format;
    int on_fork_warn;
    int exit_code;         /* 0: abort() where block kills; else _exit(exit_code) */
    const char *log_path;  /* NULL: stderr */
    const char *classpath; /* NULL: no injection */
    const char *drivers;
    enum fg_cp_mode classpath_mode;
};

/* Called once per bad value with a complete one-line message (no newline). */
typedef void (*fg_config_error_fn)(void *ctx, const char *variable, const char *line);

void fg_config_parse(const struct fg_config_input *in, struct fg_config *out,
                     fg_config_error_fn on_error, void *ctx);

const char *fg_config_mode_name(enum fg_mode mode);

#endif
