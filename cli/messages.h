/* Every user-facing string of the forkguard command, in one place so that
 * wording stays consistent and reviewable. The version and the lists of
 * accepted values come from the library's own header, so the command and the
 * library can never disagree about them. */
#ifndef FG_CLI_MESSAGES_H
#define FG_CLI_MESSAGES_H

#include "../preload/messages.h"

#define FG_CLI_USAGE                                                                           \
    "usage: forkguard run [OPTIONS] [--] CMD [ARGS...]\n"                                      \
    "       forkguard run [OPTIONS]        run the bundled demo host\n"                        \
    "       forkguard report [--allow-unreadable] LOG\n"                                       \
    "                                      summarise a forkguard log (text or json)\n"         \
    "       forkguard --help | --version\n"                                                    \
    "\n"                                                                                       \
    "Runs CMD with libforkguard.so prepended to LD_PRELOAD: a forked child of a\n"             \
    "process that owns a JVM is stopped with a report when it uses JNI, instead of\n"          \
    "hanging. '--' is needed only when CMD starts with '-'.\n"                                 \
    "\n"                                                                                       \
    "options (each sets its FORKGUARD_* variable; --opt=value also works):\n"                  \
    "  --mode block|warn|off     what a forked child's JNI call gets (default block)\n"        \
    "  --log stderr|PATH         where reports go (default stderr; a file is appended,\n"      \
    "                            created now, 0600; a relative PATH is made absolute)\n"       \
    "  --format text|json        report format (default text)\n"                               \
    "  --classpath CP            JARs and directories to load once the JVM starts\n"           \
    "  --drivers LIST            ','-separated JDBC driver classes to register\n"              \
    "\n"                                                                                       \
    "exit status: CMD's; 127 when CMD is not found, 126 when it cannot be executed,\n"         \
    "2 for a usage error or when the library cannot be found.\n"                               \
    "report: 0 when no forked child used JNI, 1 when some did, 2 when LOG cannot\n"            \
    "be read, 3 when no use was found but some lines could not be read or were\n"              \
    "cut short (a record cut by a full disk, say): such a log proves nothing.\n"               \
    "--allow-unreadable lists those lines but lets them pass (for a captured\n"                \
    "stderr mixing the program's own output with the reports).\n"                              \
    "\n"                                                                                       \
    "examples:\n"                                                                              \
    "  forkguard run -- python3 app.py\n"                                                      \
    "  forkguard run --mode warn --log /tmp/fg.log gunicorn --preload app:app\n"               \
    "  forkguard run --format json -- Rscript job.R\n"

#define FG_CLI_ERR_REPORT_USAGE                                                                \
    FG_MSG_PREFIX                                                                              \
    "usage: forkguard report [--allow-unreadable] LOG (a forkguard log; - for stdin)\n"
#define FG_CLI_ERR_REPORT_OPEN FG_MSG_PREFIX "cannot read %s: %s\n"
/* Follows "forkguard: LOG: N unreadable or truncated lines (line 3, ...)". */
#define FG_CLI_ERR_REPORT_BAD                                                                  \
    ": the log cannot show that no forked child used JNI (--allow-unreadable accepts "         \
    "such lines)\n"

#define FG_CLI_VERSION "forkguard " FG_VERSION "\n"

#define FG_CLI_TRY_HELP " (try 'forkguard --help')"
#define FG_CLI_ERR_UNKNOWN_CMD                                                                 \
    FG_MSG_PREFIX "unknown command '%s': expected run or report" FG_CLI_TRY_HELP "\n"
#define FG_CLI_ERR_UNKNOWN_OPT FG_MSG_PREFIX "unknown option '%s'" FG_CLI_TRY_HELP "\n"
#define FG_CLI_ERR_EXTRA_ARG FG_MSG_PREFIX "unexpected argument '%s' after %s\n"
#define FG_CLI_ERR_NEEDS_VALUE FG_MSG_PREFIX "option %s needs a value\n"
#define FG_CLI_ERR_BAD_VALUE FG_MSG_PREFIX "bad value '%s' for %s: expected %s\n"
#define FG_CLI_ERR_MISSING_CMD FG_MSG_PREFIX "missing command after --\n"
#define FG_CLI_ERR_EXEC FG_MSG_PREFIX "cannot run '%s': %s\n"
#define FG_CLI_ERR_NOT_FOUND FG_MSG_PREFIX "%s not found; tried %s, %s and %s\n"
#define FG_CLI_ERR_SELF                                                                        \
    FG_MSG_PREFIX "cannot locate the forkguard executable (/proc/self/exe): %s\n"
#define FG_CLI_ERR_PRELOAD_PATH                                                                \
    FG_MSG_PREFIX "%s: LD_PRELOAD cannot carry a path containing ':' or a space\n"
#define FG_CLI_ERR_SETENV FG_MSG_PREFIX "cannot set %s: %s\n"
#define FG_CLI_ERR_LOG_CWD                                                                     \
    FG_MSG_PREFIX "--log %s: cannot make it absolute (working directory: %s)\n"

#endif
