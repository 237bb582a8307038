/* fork(), _Fork() and the pthread_atfork handlers. */
#ifndef FG_HOOKS_FORK_H
#define FG_HOOKS_FORK_H

#include "../preload/state.h"

/* Registers the atfork handlers; at load. */
void fg_fork_install(void);

/* glibc's registration entry, where every pthread_atfork lands: exported, so
 * that forkguard's handlers are registered before anyone else's. */
int __register_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void),
                      void *dso);

#endif
