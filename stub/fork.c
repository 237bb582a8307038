/* fork(), _Fork(), __register_atfork and the atfork handlers: passed on to
 * the core when it is loaded (a JVM was created in this process or its
 * lineage), else straight to libc. The child's work is the core's
 * (hooks/fork.c); here only pointer tests and calls through pointers run in
 * a child, so nothing of the stub is bound lazily there. */
#include "stub.h"

#include "../preload/elf_lookup.h"

#include <errno.h>
#include <sys/types.h>

/* The exported entries (libc's unistd.h declares fork; not the others). */
int __register_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void),
                      void *dso);
pid_t fork(void);
pid_t _Fork(void);

/* Initial-exec: the preloaded stub sits in static TLS, so a child reads it
 * without __tls_get_addr (which may allocate); the core reaches it through
 * fg_stub_fork_site. */
static __thread struct fg_fork_site fork_site __attribute__((tls_model("initial-exec")));

struct fg_fork_site *fg_stub_fork_site(void)
{
    return &fork_site;
}

static const struct fg_core_ops *core(void)
{
    return __atomic_load_n(&fg_stub.core, __ATOMIC_ACQUIRE);
}

static void prepare(void)
{
    const struct fg_core_ops *c = core();
    if (c)
        c->prepare();
}

static void parent(void)
{
    const struct fg_core_ops *c = core();
    if (c)
        c->parent();
}

static void child_sigsafe(void)
{
    const struct fg_core_ops *c = core();
    if (c)
        c->child_sigsafe();
}

/* glibc runs atfork child handlers in registration order, and a library
 * loaded before libforkguard (a DT_NEEDED of the program: its constructor
 * runs before ours) may register one that uses JNI before our handler has
 * poisoned the tables. Every registration goes through __register_atfork
 * (pthread_atfork is a stub linked into each caller), so ours is registered
 * at the first registration of anyone, before theirs. */
typedef int (*fg_register_atfork_fn)(void (*)(void), void (*)(void), void (*)(void), void *);
extern void *__dso_handle __attribute__((visibility("hidden")));

/* glibc's own pthread_atfork, the compat entry kept for binaries linked
 * before 2.34 (GLIBC_2.2.5 is x86-64's base version): it registers without
 * coming back through our __register_atfork. Weak: a libc without it gives
 * NULL, and the search is made. */
extern int fg_libc_pthread_atfork(void (*)(void), void (*)(void), void (*)(void))
    __attribute__((weak));
__asm__(".symver fg_libc_pthread_atfork, pthread_atfork@GLIBC_2.2.5");

/* The real one, for others' registrations (with their DSO handle, so that
 * dlclose removes theirs): searched once, only when someone registers. */
static fg_register_atfork_fn real_register_atfork(void)
{
    static const char *const versions[] = {"GLIBC_2.3.2", NULL};
    static fg_register_atfork_fn real;
    if (!real)
        real = (fg_register_atfork_fn)fg_elf_find("libc.so.6", "__register_atfork", versions,
                                                  NULL);
    return real;
}

void fg_stub_fork_prebind(void)
{
    (void)real_register_atfork();
}

void fg_stub_fork_install(void)
{
    static int state; /* 0: not yet, 1: registering, 2: registered */
    int expected = 0;
    fg_register_atfork_fn real;
    if (fg_stub.standing_down)
        return;
    if (!__atomic_compare_exchange_n(&state, &expected, 1, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != 2)
            ; /* another thread registers ours: a few instructions away */
        return;
    }
    if (fg_libc_pthread_atfork) {
        fg_libc_pthread_atfork(prepare, parent, child_sigsafe);
    } else {
        real = real_register_atfork();
        if (real)
            real(prepare, parent, child_sigsafe, __dso_handle);
    }
    __atomic_store_n(&state, 2, __ATOMIC_RELEASE);
}

__attribute__((visibility("default"))) int __register_atfork(void (*prepare_fn)(void),
                                                             void (*parent_fn)(void),
                                                             void (*child_fn)(void), void *dso)
{
    fg_register_atfork_fn real;
    fg_stub_fork_install();
    real = real_register_atfork();
    if (!real)
        return ENOMEM;
    return real(prepare_fn, parent_fn, child_fn, dso);
}

__attribute__((visibility("default"))) pid_t fork(void)
{
    const struct fg_core_ops *c = core();
    if (c)
        return c->fork();
    if (!fg_stub.fork)
        fg_stub_realsym_init(); /* forked from another library's constructor */
    if (!fg_stub.fork) {
        errno = ENOSYS;
        return -1;
    }
    return fg_stub.fork();
}

__attribute__((visibility("default"))) pid_t _Fork(void)
{
    const struct fg_core_ops *c = core();
    if (c)
        return c->fork_raw();
    if (!fg_stub.fork_raw)
        fg_stub_realsym_init();
    if (!fg_stub.fork_raw) {
        errno = ENOSYS; /* a glibc older than 2.34 has no _Fork */
        return -1;
    }
    return fg_stub.fork_raw();
}
