/* Where the last fork of this thread's lineage was called: return addresses
 * captured in the parent (hooks/fork.c), inherited by the child with the
 * thread's memory, read by the child's report (report_emit.c). */
#ifndef FG_FORK_SITE_H
#define FG_FORK_SITE_H

#include "state.h"

#include <stdint.h>

struct fg_fork_site {
    uintptr_t ips[FG_FRAMES_MAX];
    int n;
    int captured; /* set by the fork() wrapper so the prepare handler skips */
};

/* The calling thread's: the buffer is initial-exec TLS of the stub
 * (stub/fork.c), which is preloaded and so in static TLS; a child reads it
 * without __tls_get_addr (which may allocate). Async-signal-safe. */
struct fg_fork_site *fg_fork_site_here(void);

#endif
