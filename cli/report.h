/* forkguard report [--allow-unreadable] LOG: a readable summary of a log. */
#ifndef FG_CLI_REPORT_H
#define FG_CLI_REPORT_H

/* argv[0] is "report". Exit status: 0 when no forked child used JNI, 1 when
 * some did, 2 for a usage error or an unreadable file, 3 when no use was
 * found but lines were unreadable or cut (unless --allow-unreadable). */
int fg_report_main(int argc, char **argv);

#endif
