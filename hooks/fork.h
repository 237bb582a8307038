/* The core's side of fork(), _Fork() and the atfork handlers; the stub's
 * entries (stub/fork.c) call these through struct fg_core_ops. */
#ifndef FG_HOOKS_FORK_H
#define FG_HOOKS_FORK_H

#include <sys/types.h>

pid_t fg_fork_call(void);
pid_t fg_fork_raw_call(void);
void fg_fork_prepare(void);
void fg_fork_parent(void);
void fg_fork_child_sigsafe(void);

#endif
