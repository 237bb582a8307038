/* `forkguard run`: run a command, or the demo host, under the library. */
#ifndef FG_CLI_RUN_H
#define FG_CLI_RUN_H

/* ARGV[0] is "run". Returns an exit status only when nothing was executed
 * (a usage error: 2; help: 0; exec failure: 126/127); otherwise it does not
 * return and the command's own status is the process's. */
int fg_run_main(int argc, char **argv);

#endif
