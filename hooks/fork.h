/* fork(), _Fork() and the pthread_atfork handlers. */
#ifndef FG_HOOKS_FORK_H
#define FG_HOOKS_FORK_H

#include "../preload/state.h"

/* Registers the atfork handlers; at load. */
void fg_fork_install(void);

#endif
