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

/* initial-exec: the preloaded library sits in static TLS, so the child reads
 * it without __tls_get_addr (which may allocate). */
extern __thread struct fg_fork_site fg_fork_site
    __attribute__((tls_model("initial-exec"), visibility("hidden")));

#endif
