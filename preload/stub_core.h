/* The one interface between the two libraries of forkguard:
 * libforkguard.so, the stub (stub/), which every preloaded process maps, and
 * libforkguard-core.so (preload/, hooks/, bridges/, jdbc/), which the stub
 * loads when a JVM is created, or at start-up when there is something to say
 * (a bad FORKGUARD_* value) or a log to check (FORKGUARD_LOG).
 *
 * Both come from one build and sit in one directory; the ABI number still
 * guards against a core of another build found there. */
#ifndef FG_STUB_CORE_H
#define FG_STUB_CORE_H

#include "config.h"
#include "fork_site.h"

#include <jni.h>
#include <stdint.h>
#include <sys/types.h>

#define FG_CORE_ABI 1
#define FG_CORE_FILE "libforkguard-core.so"
#define FG_CORE_ENTRY "forkguard_core_init"

/* What the stub hands the core, once. */
struct fg_stub_view {
    unsigned abi;
    /* Copies of the FORKGUARD_* values read at load (the host may rewrite
     * its environment later). */
    const struct fg_config_input *config;
    void *(*dlsym)(void *, const char *);
    void *(*dlvsym)(void *, const char *, const char *);
    pid_t (*fork)(void);
    pid_t (*fork_raw)(void);
    /* The calling thread's fork site: initial-exec TLS lives in the stub,
     * which is preloaded and so always in static TLS. Async-signal-safe. */
    struct fg_fork_site *(*fork_site)(void);
    uintptr_t stub_base; /* the stub's frames are forkguard's too */
};

/* What the core gives back: the bodies of the stub's entry points. */
struct fg_core_ops {
    unsigned abi;
    /* `caller`: return address into the code that asked for the JVM;
     * `real`: libjvm's JNI_CreateJavaVM as the host's dlsym found it, or
     * NULL (a host linked with -ljvm: the core looks it up). */
    jint (*create_vm)(JavaVM **pvm, void **penv, void *args, const void *caller, void *real);
    pid_t (*fork)(void);
    pid_t (*fork_raw)(void);
    void (*prepare)(void);
    void (*parent)(void);
    void (*child_sigsafe)(void);
    pid_t (*jvm_owner)(void);
    int (*jvm_usable)(void);
};

typedef const struct fg_core_ops *(*fg_core_init_fn)(const struct fg_stub_view *view);

#endif
