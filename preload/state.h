/* The one state struct of forkguard.
 *
 * Written at fixed moments only, each by one file (docs/maintainers.md has the
 * table): at load (preload/init.c, log.c), at first use (realsym.c), when the
 * JVM is created (hooks/jvm.c's record, preload/host.c), at a fork
 * (hooks/fork.c) and in a forked child (hooks/fork.c, hooks/poison.c,
 * bridges/jpype_adapter.c). Everything the child needs is resolved in the
 * parent beforehand: the child only writes memory it already owns and calls
 * write(2). */
#ifndef FG_STATE_H
#define FG_STATE_H

#include "code_ranges.h"
#include "config.h"

#include <jni.h>
#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

struct fg_fork_site;

/* Slots in the largest JNIEnv table we know (JNI_VERSION_24: 236). */
#define FG_ENV_SLOTS_MAX 240
#define FG_FRAMES_MAX 32

enum fg_host {
    FG_HOST_C,
    FG_HOST_PYTHON,
    FG_HOST_GUNICORN,
    FG_HOST_UWSGI,
    FG_HOST_R,
    FG_HOST_RUBY,
    FG_HOST_JAVA
};

typedef jint (*fg_create_vm_fn)(JavaVM **, void **, void *);
typedef jint (*fg_get_vms_fn)(JavaVM **, jsize, jsize *);

struct fg_real {
    void *(*dlsym)(void *, const char *);
    void *(*dlvsym)(void *, const char *, const char *);
    pid_t (*fork)(void);
    pid_t (*fork_raw)(void); /* glibc's _Fork; NULL before glibc 2.34 */
    fg_create_vm_fn create_vm;
    fg_get_vms_fn get_vms;
};

struct fg_state {
    struct fg_real real;
    struct fg_config cfg;
    int log_fd;
    dev_t log_dev; /* identity of log_fd, to notice a host that reused the fd */
    ino_t log_ino;

    /* Lineage: the JVM owner and where this process comes from. */
    pid_t owner_pid; /* 0: no JVM created in this lineage */
    pid_t self_pid;  /* this process, refreshed in every child of the lineage */
    pid_t fork_parent_pid;
    int poisoned; /* this process's JNI tables are replaced */
    int reported; /* one report per process in block mode */
    int teardown; /* the child called DestroyJavaVM: the host is exiting */

    /* The JVM, as recorded when its creation succeeded. */
    JavaVM *vm;
    void **env_table;   /* the JNINativeInterface_ every JNIEnv points to */
    unsigned env_slots; /* slots in that table, from GetVersion() */
    jint env_version;   /* GetVersion(), answered by the child itself */
    const struct JNIInvokeInterface_ *vm_functions; /* the real invoke table */
    char libjvm_path[PATH_MAX];
    char jdk_lib_dir[PATH_MAX];     /* JAVA_HOME/lib/: the JDK's own native code */
    struct fg_code_ranges jvm_code; /* libjvm's executable segments */
    uintptr_t self_base;            /* libforkguard-core's load base: its frames are skipped */
    uintptr_t stub_base;            /* libforkguard's (the stub's): so are its frames */
    struct fg_fork_site *(*fork_site)(void); /* the stub's TLS: preload/fork_site.h */
    uintptr_t main_base; /* the main program's load base (dladdr's dli_fbase) */
    enum fg_host host;
};

extern struct fg_state fg __attribute__((visibility("hidden")));

#endif
