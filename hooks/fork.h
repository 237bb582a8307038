/* fork(), _Fork() and the pthread_atfork handlers. */
#ifndef FG_HOOKS_FORK_H
#define FG_HOOKS_FORK_H

#include "../preload/state.h"

/* Where the last fork of this thread's lineage was called: return addresses
 * captured in the parent, inherited by the child with the thread's memory. */
struct fg_fork_site {
    uintptr_t ips[FG_FRAMES_MAX];
    int n;
    int captured; /* set by the fork() wrapper so the prepare handler skips */
};

const struct fg_fork_site *fg_fork_site_sigsafe(void);

/* Registers the atfork handlers; at load. */
void fg_fork_install(void);

#endif
