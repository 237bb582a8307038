/* The stub's constructor, and the loading of libforkguard-core.so.
 *
 * Every process the library is preloaded into runs the constructor, so it
 * does only what cannot wait: a look at the environment for FORKGUARD_*
 * values (copied: a host may rewrite its environment later) and the atfork
 * registration. FORKGUARD_LOG is checked here, and a relative path made
 * absolute, as the contract promises (preload/log_path.c is linked into
 * both libraries). The core is loaded when a JVM is created, or here at
 * once when a value is bad or the log cannot be used: the one-line error is
 * the core's, said at start-up. */
#include "stub.h"

#include "../preload/log_path.h"
#include "../preload/messages.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

/* How long a thread waits for another thread's load of the core. */
#define FG_CORE_WAIT_S 10

struct fg_stub fg_stub;
/* Weak: where every source is linked into one program (the unit tests) the
 * core's definition is the one, and the stub only borrows it (below). */
__attribute__((weak)) struct fg_log_names *fg_log_names;

/* Linked into the same object only in builds that take every source into one
 * program (the unit tests); hidden and weak, so the library proper carries no
 * dynamic reference to it and loads the core from its file instead. */
extern const struct fg_core_ops *forkguard_core_init(const struct fg_stub_view *view)
    __attribute__((weak, visibility("hidden")));

/* "FORKGUARD_" without strncmp: in a process that never uses forkguard the
 * constructor binds no libc function but pthread_atfork. */
static const char *after_prefix(const char *s)
{
    static const char prefix[] = "FORKGUARD_";
    size_t i;
    for (i = 0; i < sizeof prefix - 1; i++)
        if (s[i] != prefix[i])
            return NULL;
    return s + i;
}

/* One pass over the environment; returns how many FORKGUARD_* values it
 * found (the first occurrence wins, as with getenv). */
static int read_environment(struct fg_config_input *in)
{
    static const struct {
        const char *name;
        size_t offset;
    } vars[] = {
        {"MODE=", offsetof(struct fg_config_input, mode)},
        {"LOG=", offsetof(struct fg_config_input, log)},
        {"FORMAT=", offsetof(struct fg_config_input, format)},
        {"ON_FORK=", offsetof(struct fg_config_input, on_fork)},
        {"EXIT_CODE=", offsetof(struct fg_config_input, exit_code)},
        {"CLASSPATH=", offsetof(struct fg_config_input, classpath)},
        {"DRIVERS=", offsetof(struct fg_config_input, drivers)},
        {"CLASSPATH_MODE=", offsetof(struct fg_config_input, classpath_mode)},
    };
    char **e;
    size_t i;
    int found = 0;
    for (e = environ; e && *e; e++) {
        const char *rest = after_prefix(*e);
        if (!rest)
            continue;
        for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
            size_t n = strlen(vars[i].name);
            const char **slot = (const char **)((char *)in + vars[i].offset);
            if (strncmp(rest, vars[i].name, n) == 0 && !*slot) {
                *slot = strdup(rest + n); /* NULL if out of memory: unset */
                found += *slot != NULL;
            }
        }
    }
    return found;
}

static void count_error(void *ctx, const char *variable, const char *line)
{
    (void)variable;
    (void)line;
    ++*(int *)ctx;
}

/* Whether the core has something to do before a JVM exists: a bad value to
 * report, or a log that cannot work. A good log is checked here, without the
 * core (the check is preload/log_path.c, linked into both), and its absolute
 * path kept for the core. */
static int needed_at_load(struct fg_config_input *in)
{
    struct fg_config cfg;
    struct fg_log_names *core_names = fg_log_names, *names;
    char msg[1024];
    int errors = 0, rc = 0;
    fg_config_parse(in, &cfg, count_error, &errors);
    if (errors > 0)
        return 1;
    if (!cfg.log_path)
        return 0;
    names = calloc(1, sizeof *names);
    if (!names)
        return 1;
    fg_log_names = names;
    if (fg_log_init(cfg.log_path, msg, sizeof msg) != 0) {
        rc = 1; /* the core checks again, and says why */
    } else if (strcmp(fg_log_path, in->log) != 0) {
        char *absolute = strdup(fg_log_path);
        if (absolute) {
            free((void *)in->log);
            in->log = absolute;
        }
    }
    fg_log_names = core_names;
    free(names);
    return rc;
}

__attribute__((constructor)) static void fg_stub_load(void)
{
    /* Another install's copy came first (a global LD_PRELOAD and a `forkguard
     * run`): the host binds to that one, which guards. This one never loads
     * its core, says nothing and registers no handler; its entries pass
     * through. */
    if (fg_stub_other_copy()) {
        fg_stub.standing_down = 1;
        return;
    }
    if (read_environment(&fg_stub.config) > 0) {
        fg_stub.config.secure = getauxval(AT_SECURE) != 0;
        if (needed_at_load(&fg_stub.config))
            fg_stub_core();
    }
    fg_stub_fork_install();
}

/* The path of the object mapped at `base`, from the kernel's /proc/self/maps
 * (absolute, whatever directory the host is in now). */
static int mapped_path(uintptr_t base, char *path, size_t size)
{
    char buf[4096 + 1];
    size_t have = 0;
    ssize_t got;
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    /* Lines "start-end perms offset dev inode path", streamed: a JVM process
     * has thousands. */
    while ((got = read(fd, buf + have, sizeof buf - 1 - have)) > 0) {
        char *line = buf, *nl, *p;
        have += (size_t)got;
        buf[have] = '\0';
        while ((nl = memchr(line, '\n', have - (size_t)(line - buf))) != NULL) {
            *nl = '\0';
            if (strtoull(line, NULL, 16) == base && (p = strchr(line, '/')) != NULL &&
                strlen(p) < size) {
                strcpy(path, p);
                close(fd);
                return 0;
            }
            line = nl + 1;
        }
        have -= (size_t)(line - buf);
        memmove(buf, line, have);
        if (have == sizeof buf - 1)
            have = 0; /* a line longer than the buffer is not ours */
    }
    close(fd);
    return -1;
}

/* Our own file's absolute path: ld.so's name for it, absolute unless
 * LD_PRELOAD named it relatively (relative to a directory the host may have
 * left since), and then the kernel's. */
static int own_path(char *path, size_t size)
{
    Dl_info info;
    if (!dladdr((void *)own_path, &info) || !info.dli_fname)
        return -1;
    fg_stub.self_base = (uintptr_t)info.dli_fbase;
    if (info.dli_fname[0] != '/')
        return mapped_path(fg_stub.self_base, path, size);
    if (strlen(info.dli_fname) >= size)
        return -1;
    strcpy(path, info.dli_fname);
    return 0;
}

/* One line on stderr: the log is the core's, and the core is what is missing. */
static void say_no_core(const char *path, const char *why)
{
    char line[PATH_MAX + 512];
    size_t n = 0;
    const char *parts[] = {FG_MSG_PREFIX "cannot load ", path, ": ", why,
                           "; the JVM of this process is not guarded\n"};
    size_t i;
    for (i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        size_t len = strnlen(parts[i], sizeof line - 1 - n);
        memcpy(line + n, parts[i], len);
        n += len;
    }
    if (write(2, line, n) < 0)
        return; /* nowhere else to say it */
}

static const struct fg_core_ops *load_core(void)
{
    static struct fg_stub_view view;
    char path[PATH_MAX];
    fg_core_init_fn init = forkguard_core_init;
    const struct fg_core_ops *ops;
    char *slash;
    void *h;

    fg_stub_realsym_init();
    fg_stub_fork_prebind();
    if (own_path(path, sizeof path - sizeof FG_CORE_FILE) != 0) {
        say_no_core("libforkguard's own path", "not found");
        return NULL;
    }
    if (!init) {
        slash = strrchr(path, '/');
        strcpy(slash ? slash + 1 : path, FG_CORE_FILE);
        /* RTLD_NOW: everything the core calls is bound here, in the parent,
         * never lazily in a child. RTLD_LOCAL: it interposes nothing. */
        h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            say_no_core(path, dlerror());
            return NULL;
        }
        init = (fg_core_init_fn)fg_stub.dlsym(h, FG_CORE_ENTRY);
        if (!init) {
            say_no_core(path, "no " FG_CORE_ENTRY " in it (a core of another build?)");
            return NULL;
        }
    }
    view.abi = FG_CORE_ABI;
    view.config = &fg_stub.config;
    view.dlsym = fg_stub.dlsym;
    view.dlvsym = fg_stub.dlvsym;
    view.fork = fg_stub.fork;
    view.fork_raw = fg_stub.fork_raw;
    view.fork_site = fg_stub_fork_site;
    view.stub_base = fg_stub.self_base;
    ops = init(&view);
    if (!ops || ops->abi != FG_CORE_ABI) {
        say_no_core(path, "its interface is not this library's (a core of another build?)");
        return NULL;
    }
    return ops;
}

const struct fg_core_ops *fg_stub_core(void)
{
    /* 0: not loaded; > 0: being loaded by that process; -1: done, whatever
     * came of it. */
    static pid_t state;
    pid_t expected = 0, me;
    if (fg_stub.standing_down)
        return NULL;
    if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) == -1)
        return __atomic_load_n(&fg_stub.core, __ATOMIC_ACQUIRE);
    me = getpid();
    if (__atomic_compare_exchange_n(&state, &expected, me, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&fg_stub.core, load_core(), __ATOMIC_RELEASE);
        __atomic_store_n(&state, -1, __ATOMIC_RELEASE);
        return fg_stub.core;
    }
    /* Another thread is loading it: a few milliseconds. Unless this is a child
     * forked in the middle of that load, which will never finish here (the
     * core, if the parent had published it, is whole), or the loading thread
     * waits for the loader's lock that this one holds (a JVM created from a
     * library constructor while another thread creates one): the wait is
     * bounded, and the JVM passes through unguarded after it. */
    {
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        while ((expected = __atomic_load_n(&state, __ATOMIC_ACQUIRE)) > 0) {
            if (expected != me)
                break;
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (now.tv_sec - start.tv_sec > FG_CORE_WAIT_S)
                break;
            sched_yield();
        }
    }
    /* Done (a failure was said by the loading thread), or given up on. */
    if (expected > 0 && !__atomic_load_n(&fg_stub.core, __ATOMIC_ACQUIRE))
        say_no_core(FG_CORE_FILE, expected != me
                                      ? "this process forked while its parent was loading it"
                                      : "another thread is still loading it");
    return __atomic_load_n(&fg_stub.core, __ATOMIC_ACQUIRE);
}
