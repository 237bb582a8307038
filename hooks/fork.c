/* fork interception, the core's half (the exported entries and the atfork
 * registration are the stub's: stub/fork.c).
 *
 * All the child's work happens in one place, fg_fork_child_sigsafe, reached
 * from glibc's fork() through the stub's atfork child handler (registered
 * before anyone else's, so it runs first among the child handlers) and from
 * the _Fork wrapper (glibc's _Fork runs no handlers). vfork and posix_spawn children run no
 * handlers either: nothing is written into memory they share with the parent.
 *
 * In a process with no JVM in its lineage every path here is one load and a
 * compare. */
#include "fork.h"
#include "../preload/child_text.h"

#include "../preload/fork_site.h"

#include "jvm.h"
#include "poison.h"
#include "../preload/guard.h"
#include "../preload/report_emit.h"
#include "../preload/backtrace.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Parent side, before the fork: remember where it was called. Only a process
 * in a JVM lineage pays for it (2-5 us of unwinding). */
static void capture_site(void)
{
    struct fg_fork_site *site = fg_fork_site_here();
    /* The parent's half of the child's poisoning first: it is the part the
     * child needs (the fork site only names where the fork was). */
    fg_poison_prepare_parent_sigsafe();
    /* Nothing is loaded here: fg_backtrace_load ran at JVM creation. */
    site->n = fg_backtrace_capture(site->ips, FG_FRAMES_MAX);
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
    const struct fg_fork_site *site = fg_fork_site_here();
    if (!fg.cfg.on_fork_warn || fg.owner_pid != fg.self_pid || site->n == 0 || !fg_jvm_alive())
        return;
    if (first_time(site->ips, site->n))
        fg_report_fork(child, site->ips, site->n);
}

void fg_fork_prepare(void)
{
    if (!wants_site() || fg_fork_site_here()->captured)
        return;
    capture_site();
}

/* Forks made inside libc (daemon(), ...) reach us only through the handlers;
 * the wrapper below reports its own forks, with the child's pid. */
void fg_fork_parent(void)
{
    if (fg_fork_site_here()->captured || !wants_site())
        return;
    warn_after_fork(0);
}

/* getpid() without its PLT entry: the core's PLT is one more page a child
 * would map in (~2 us) for this one call on its way. */
static pid_t getpid_sigsafe(void)
{
#if defined(__x86_64__)
    long pid;
    __asm__ volatile("syscall" : "=a"(pid) : "0"((long)SYS_getpid) : "rcx", "r11", "memory");
    return (pid_t)pid;
#else
    return getpid();
#endif
}

FG_CHILD_TEXT void fg_fork_child_sigsafe(void)
{
    fg_fork_site_here()->captured = 0;
    if (!fg.owner_pid)
        return;
    fg.self_pid = getpid_sigsafe();
    if (fg.cfg.mode == FG_MODE_OFF)
        return;
    /* What another thread of the parent was doing at fork() does not go on
     * here: its guarded section, its report. */
    fg_guard_reset_child_sigsafe();
    fg_report_reset_child_sigsafe();
    fg_poison_child_sigsafe();
}

FG_CHILD_TEXT pid_t fg_fork_call(void)
{
    struct fg_fork_site *site = fg_fork_site_here();
    pid_t pid;
    if (!wants_site())
        return fg.real.fork();
    capture_site();
    site->captured = 1;
    pid = fg.real.fork();
    site->captured = 0;
    if (pid > 0)
        warn_after_fork(pid);
    return pid;
}

FG_CHILD_TEXT pid_t fg_fork_raw_call(void)
{
    pid_t pid;
    if (!fg.real.fork_raw) {
        errno = ENOSYS; /* a glibc older than 2.34 has no _Fork */
        return -1;
    }
    if (!wants_site())
        return fg.real.fork_raw();
    capture_site();
    pid = fg.real.fork_raw();
    if (pid == 0)
        fg_fork_child_sigsafe();
    else if (pid > 0)
        warn_after_fork(pid);
    return pid;
}
