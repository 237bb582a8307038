/* The loaded objects as the parent last saw them: which object an address
 * belongs to, answered in a forked child without dladdr or dl_iterate_phdr.
 *
 * glibc resets the loader's dl_load_lock in a fork() child but not in a
 * _Fork() child, and 2.36 resets dl_load_write_lock in neither: a thread
 * that held one at the fork (a slow library constructor, another thread's
 * dl_iterate_phdr) leaves it held for good, and dladdr or dl_iterate_phdr
 * there never returns. So the parent takes the list at every fork of a JVM
 * owner (fg_objects_refresh, cheap when nothing was loaded or unloaded since
 * the last time) and the child reads the copy it inherited. */
#ifndef FG_OBJECTS_H
#define FG_OBJECTS_H

#include <stdint.h>

struct fg_object {
    uintptr_t base;   /* first mapped address (dladdr's dli_fbase) */
    uintptr_t lo, hi; /* the span of its loadable segments */
    const char *path; /* the loader's name for it; the main program's argv[0] */
    int is_main;
    int is_jdk;       /* under the JDK's lib/ directory (libjvm, libjava, libnio...) */
};

/* Takes the list again when objects were loaded or unloaded since the last
 * time. Parent only: dl_iterate_phdr. Several threads may call it at once. */
void fg_objects_refresh(void);

/* The object containing addr in the last list, or NULL. */
const struct fg_object *fg_objects_find_sigsafe(uintptr_t addr);

#endif
