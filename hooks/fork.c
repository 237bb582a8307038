/* fork interception.
 *
 * All the child's work happens in one place, fg_fork_child_sigsafe, reached
 * from glibc's fork() through our pthread_atfork child handler (registered at
 * load, so it runs first among the child handlers) and from our _Fork wrapper
 * (glibc's _Fork runs no handlers). vfork and posix_spawn children run no
 * handlers either: nothing is written into memory they share with the parent.
 *
 * In a process with no JVM in its lineage every path here is one load and a
 * compare. */
#include "fork.h"

#include "poison.h"
#include "../preload/backtrace.h"
#include "../preload/realsym.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>

/* initial-exec: the preloaded library sits in static TLS, so the child reads it
 * without __tls_get_addr (which may allocate). */
static __thread struct fg_fork_site site __attribute__((tls_model("initial-exec")));

const struct fg_fork_site *fg_fork_site_sigsafe(void)
{
    return &site;
}

/* Parent side, before the fork: remember where it was called. Only a process
 * in a JVM lineage pays for it (2-5 us of unwinding). */
static void capture_site(void)
{
    site.n = fg_backtrace_capture(site.ips, FG_FRAMES_MAX);
    fg.fork_parent_pid = fg.self_pid;
}

static void prepare(void)
{
    if (!fg.owner_pid || fg.cfg.mode == FG_MODE_OFF || site.captured)
        return;
    capture_site();
}

static void parent(void)
{
    site.captured = 0;
}

void fg_fork_child_sigsafe(void)
{
    site.captured = 0;
    if (!fg.owner_pid)
        return;
    fg.self_pid = getpid();
    if (fg.cfg.mode == FG_MODE_OFF)
        return;
    fg_poison_child_sigsafe();
}

void fg_fork_install(void)
{
    pthread_atfork(prepare, parent, fg_fork_child_sigsafe);
}

__attribute__((visibility("default"))) pid_t fork(void)
{
    pid_t pid;
    if (!fg.real.fork)
        fg_realsym_init(); /* forked from another library's constructor */
    if (!fg.owner_pid || fg.cfg.mode == FG_MODE_OFF)
        return fg.real.fork();
    capture_site();
    site.captured = 1;
    pid = fg.real.fork();
    site.captured = 0;
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
    if (!fg.owner_pid || fg.cfg.mode == FG_MODE_OFF)
        return fg.real.fork_raw();
    capture_site();
    pid = fg.real.fork_raw();
    if (pid == 0)
        fg_fork_child_sigsafe();
    return pid;
}
