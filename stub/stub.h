/* libforkguard.so, the part every preloaded process maps: the interposed
 * entry points (fork, _Fork, __register_atfork, dlsym, dlvsym,
 * JNI_CreateJavaVM, the public API), the FORKGUARD_* values read at load,
 * and the loading of libforkguard-core.so, which does all the real work.
 *
 * A process that never creates a JVM runs only this: a pass over the
 * environment, one atfork registration, and a pointer test in each entry.
 * It is linked lazily (only what is called gets bound): none of its own
 * code runs in a child of a JVM owner beyond calls through pointers into the
 * core, which is loaded RTLD_NOW. */
#ifndef FG_STUB_H
#define FG_STUB_H

#include "../preload/config.h"
#include "../preload/stub_core.h"

#include <stdint.h>
#include <sys/types.h>

/* `dlsym` and `dlvsym` come first: the assembly entries of
 * stub/dlsym_<arch>.S read them at fixed offsets. */
struct fg_stub {
    void *(*dlsym)(void *, const char *);
    void *(*dlvsym)(void *, const char *, const char *);
    pid_t (*fork)(void);
    pid_t (*fork_raw)(void); /* glibc's _Fork; NULL before glibc 2.34 */
    /* libjvm's JNI_CreateJavaVM as last handed out by dlsym/dlvsym. */
    void *create_vm;
    /* Set once the core is loaded (acquire/release): the entries test it. */
    const struct fg_core_ops *core;
    int standing_down; /* another install's copy came first and guards */
    struct fg_config_input config;
    uintptr_t self_base;
};

extern struct fg_stub fg_stub __attribute__((visibility("hidden")));

/* Resolves dlsym, dlvsym, fork and _Fork (once; a constructor of another
 * library may call an entry before ours ran). */
void fg_stub_realsym_init(void);

/* The core, loaded on first call (thread-safe), or NULL when it cannot be
 * (said once on stderr) or another copy guards. Never from a forked child of
 * a JVM owner: there the core is already loaded. */
const struct fg_core_ops *fg_stub_core(void);

/* libjvm's JNI_CreateJavaVM when the core cannot be had. */
void *fg_stub_find_create_vm(void);

struct fg_fork_site *fg_stub_fork_site(void);

/* Finds libc's __register_atfork now, in the parent, when the core is
 * loaded: a child of the JVM owner that registers handlers then calls
 * nothing the stub would bind lazily there. */
void fg_stub_fork_prebind(void);

/* The atfork handlers' registration (at load, or at the first registration
 * of anyone, whichever comes first). */
void fg_stub_fork_install(void);

/* Whether another install's copy came first in the search order. */
int fg_stub_other_copy(void);

/* The FORKGUARD_* marker every copy exports: see stub/load.c. */
#define FG_MARKER "forkguard_version"

#endif
