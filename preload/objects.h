/* Which loaded object an address belongs to, answered in a forked child
 * without dladdr or dl_iterate_phdr.
 *
 * glibc resets the loader's dl_load_lock in a fork() child but not in a
 * _Fork() child, and 2.36 resets dl_load_write_lock in neither: a thread
 * that held one at the fork (a slow library constructor, another thread's
 * dl_iterate_phdr) leaves it held for good, and dladdr or dl_iterate_phdr
 * there never returns. _dl_find_object (glibc >= 2.35) reads the loader's
 * lock-free index instead: the copy a fork inherits is always a complete one
 * (the loader writes the inactive copy, then switches), and it is the index
 * libgcc's unwinder uses. Without it (glibc 2.34) nothing is found. */
#ifndef FG_OBJECTS_H
#define FG_OBJECTS_H

#include <stdint.h>

struct fg_object {
    uintptr_t base;   /* first mapped address (dladdr's dli_fbase) */
    const char *path; /* the loader's name for it; the main program's argv[0] */
    int is_jdk;       /* under the JDK's lib/ directory (libjvm, libjava, libnio...) */
};

/* 0 and *o filled when addr lies in a loaded object, -1 otherwise. */
int fg_objects_find_sigsafe(uintptr_t addr, struct fg_object *o);

#endif
