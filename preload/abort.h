/* abort() for the child path. */
#ifndef FG_ABORT_H
#define FG_ABORT_H

/* What abort() does, without its lock: glibc's abort takes a process-wide
 * lock, and a parent thread that was inside abort() (its SIGABRT handler
 * still running) when the owner forked leaves it held in the child for good.
 * SIGABRT is unblocked and raised (the host's handler runs first, as with
 * abort()), then raised again with the default action; _exit(127) if even
 * that came back. */
__attribute__((noreturn)) void fg_abort_sigsafe(void);

#endif
