/* fork interception.
 *
 * All the child's work happens in one place, child_sigsafe, reached
 * from glibc's fork() through our atfork child handler (registered before
 * anyone else's, so it runs first among the child handlers) and from our _Fork wrapper
 * (glibc's _Fork runs no handlers). vfork and posix_spawn children run no
 * handlers either: nothing is written into memory they share with the parent.
 *
 * In a process with no JVM in its lineage every path here is one load and a
 * compare. */
#include "fork.h"

#include "../preload/fork_site.h"

#include "jvm.h"
#include "poison.h"
#include "../preload/guard.h"
#include "../preload/report_emit.h"
#include "../preload/backtrace.h"
#include "../preload/elf_lookup.h"
#include "../preload/realsym.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>

/* Parent side, before the fork: remember where it was called. Only a process
 * in a JVM lineage pays for it (2-5 us of unwinding). */
static void capture_site(void)
{
    /* Nothing is loaded here: fg_backtrace_load ran at JVM creation. */
    fg_fork_site.n = fg_backtrace_capture(fg_fork_site.ips, FG_FRAMES_MAX);
    fg.fork_parent_pid = fg.self_pid;
}

/* Only a JVM lineage needs the fork site: for the child's report (unless
 * off) or for the fork-time warning. */
static int wants_site(void)
{
    return fg.owner_pid && (fg.cfg.mode != FG_MODE_OFF || fg.cfg.on_fork_warn);
}

/* Call sites already warned about (FORKGUARD_ON_FORK=warn): a hash of the
 * innermost return addresses, inserted lock-free because several threads may
 * fork at once. Once full, nothing more is reported: a program with that many
 * fork sites has heard the message. */
#define SITE_SLOTS 256
static uint64_t warned_sites[SITE_SLOTS];

static int first_time(const uintptr_t *ips, int n)
{
    uint64_t h = 1469598103934665603ull;
    unsigned i, slot;
    for (i = 0; i < (unsigned)n && i < 8; i++)
        h = (h ^ ips[i]) * 1099511628211ull;
    h |= 1; /* 0 marks a free slot */
    for (i = 0; i < SITE_SLOTS; i++) {
        uint64_t expected = 0;
        slot = (unsigned)((h + i) % SITE_SLOTS);
        if (__atomic_load_n(&warned_sites[slot], __ATOMIC_ACQUIRE) == h)
            return 0;
        if (__atomic_compare_exchange_n(&warned_sites[slot], &expected, h, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return 1;
        if (expected == h)
            return 0;
    }
    return 0;
}

/* Parent side, after the fork: the warning, if asked for, once per fg_fork_site. */
static void warn_after_fork(pid_t child)
{
    if (!fg.cfg.on_fork_warn || fg.owner_pid != fg.self_pid || fg_fork_site.n == 0 ||
        !fg_jvm_alive())
        return;
    if (first_time(fg_fork_site.ips, fg_fork_site.n))
        fg_report_fork(child, fg_fork_site.ips, fg_fork_site.n);
}

static void prepare(void)
{
    if (!wants_site() || fg_fork_site.captured)
        return;
    capture_site();
}

/* Forks made inside libc (daemon(), ...) reach us only through the handlers;
 * the wrapper below reports its own forks, with the child's pid. */
static void parent(void)
{
    if (fg_fork_site.captured || !wants_site())
        return;
    warn_after_fork(0);
}

static void child_sigsafe(void)
{
    fg_fork_site.captured = 0;
    if (!fg.owner_pid)
        return;
    fg.self_pid = getpid();
    if (fg.cfg.mode == FG_MODE_OFF)
        return;
    /* What another thread of the parent was doing at fork() does not go on
     * here: its guarded section, its report. */
    fg_guard_reset_child_sigsafe();
    fg_report_reset_child_sigsafe();
    fg_poison_child_sigsafe();
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
 * before 2.34 (GLIBC_2.2.5 is x86-64's base version): bound at load like
 * every import, it registers without coming back through our
 * __register_atfork, so our own registration costs no symbol search at
 * start-up. Weak: a libc without it gives NULL, and the search is made. */
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

void fg_fork_install(void)
{
    static int state; /* 0: not yet, 1: registering, 2: registered */
    int expected = 0;
    fg_register_atfork_fn real;
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
    fg_fork_install();
    real = real_register_atfork();
    if (!real)
        return ENOMEM;
    return real(prepare_fn, parent_fn, child_fn, dso);
}

__attribute__((visibility("default"))) pid_t fork(void)
{
    pid_t pid;
    if (!fg.real.fork)
        fg_realsym_init(); /* forked from another library's constructor */
    if (!wants_site())
        return fg.real.fork();
    capture_site();
    fg_fork_site.captured = 1;
    pid = fg.real.fork();
    fg_fork_site.captured = 0;
    if (pid > 0)
        warn_after_fork(pid);
    return pid;
}

__attribute__((visibility("default"))) pid_t _Fork(void)
{
    pid_t pid;
    if (!fg.real.fork_raw)
        fg_realsym_init();
    if (!fg.real.fork_raw) {
        errno = ENOSYS; /* a glibc older than 2.34 has no _Fork */
        return -1;
    }
    if (!wants_site())
        return fg.real.fork_raw();
    capture_site();
    pid = fg.real.fork_raw();
    if (pid == 0)
        child_sigsafe();
    else if (pid > 0)
        warn_after_fork(pid);
    return pid;
}
