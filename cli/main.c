/* The forkguard command: argument dispatch. Each subcommand lives in its own
 * file; this one only decides which runs, and handles --help and --version. */
#include <stdio.h>
#include <string.h>

#include "messages.h"
#include "report.h"
#include "run.h"

static int fg_main_print(const char *text)
{
    return fputs(text, stdout) == EOF || fflush(stdout) == EOF ? 1 : 0;
}

int main(int argc, char **argv)
{
    const char *arg;

    if (argc < 2) {
        /* Not asked for: it is an error, so it goes where errors go. */
        fputs(FG_CLI_USAGE, stderr);
        return 2;
    }
    arg = argv[1];
    if (strcmp(arg, "run") == 0)
        return fg_run_main(argc - 1, argv + 1);
    if (strcmp(arg, "report") == 0)
        return fg_report_main(argc - 1, argv + 1);
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 || strcmp(arg, "--version") == 0) {
        if (argc > 2) {
            fprintf(stderr, FG_CLI_ERR_EXTRA_ARG, argv[2], arg);
            return 2;
        }
        return fg_main_print(strcmp(arg, "--version") == 0 ? FG_CLI_VERSION : FG_CLI_USAGE);
    }
    fprintf(stderr, arg[0] == '-' ? FG_CLI_ERR_UNKNOWN_OPT : FG_CLI_ERR_UNKNOWN_CMD, arg);
    return 2;
}
