/* libfgcount.so: counts allocator and lock calls made in a forked child.
 *
 * Preloaded after libforkguard (LD_PRELOAD="libforkguard.so libfgcount.so"),
 * so every call forkguard, libgcc_s or anything else makes through the PLT
 * to these functions lands here first. Counting is off until the host calls
 * fgcount_arm() (from its pthread_atfork prepare handler, or right before
 * _Fork()); from then on a call is counted only when it comes from another
 * process than the one that armed it, i.e. from the forked child, which
 * inherits the armed flag. The parent disarms in its parent handler; calls it
 * makes meanwhile (the rest of fork's prepare work) are not counted.
 *
 * What is caught: calls through the PLT/GOT to malloc, calloc, realloc, free,
 * posix_memalign, aligned_alloc, memalign, pthread_mutex_lock,
 * pthread_mutex_trylock, pthread_rwlock_rdlock, pthread_rwlock_wrlock and
 * abort (which takes a process-wide lock), from libforkguard, libgcc_s,
 * libjvm... What is not: glibc's calls to itself (dladdr's dl_load_lock,
 * dl_iterate_phdr's dl_load_write_lock), which never go through the PLT;
 * tests/hosts/forkpath forks with the loader's lock held instead.
 *
 * The counts leave the child through fgcount_dump_sigsafe (write(2) only),
 * called by the host's SIGABRT handler, by the host itself, or by the _exit()
 * defined here (FORKGUARD_EXIT_CODE: forkguard's _exit(N) comes through it). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define API __attribute__((visibility("default")))

enum {
    F_MALLOC,
    F_CALLOC,
    F_REALLOC,
    F_FREE,
    F_POSIX_MEMALIGN,
    F_ALIGNED_ALLOC,
    F_MEMALIGN,
    F_MUTEX_LOCK,
    F_MUTEX_TRYLOCK,
    F_RWLOCK_RD,
    F_RWLOCK_WR,
    F_ABORT,
    F_COUNT
};
static const char *const names[F_COUNT] = {"malloc",
                                           "calloc",
                                           "realloc",
                                           "free",
                                           "posix_memalign",
                                           "aligned_alloc",
                                           "memalign",
                                           "pthread_mutex_lock",
                                           "pthread_mutex_trylock",
                                           "pthread_rwlock_rdlock",
                                           "pthread_rwlock_wrlock",
                                           "abort"};

static volatile int armed;
static pid_t armed_pid;
static unsigned long counts[F_COUNT];
#define MAX_CALLERS 24
static struct {
    int fn;
    uintptr_t caller;
} callers[MAX_CALLERS];
static unsigned n_callers;

API int fgcount_fd = 1; /* where fgcount_dump_sigsafe writes; the host sets it */

static struct {
    void *(*malloc)(size_t);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void (*free)(void *);
    int (*posix_memalign)(void **, size_t, size_t);
    void *(*aligned_alloc)(size_t, size_t);
    void *(*memalign)(size_t, size_t);
    int (*mutex_lock)(pthread_mutex_t *);
    int (*mutex_trylock)(pthread_mutex_t *);
    int (*rwlock_rd)(pthread_rwlock_t *);
    int (*rwlock_wr)(pthread_rwlock_t *);
    void (*abort)(void);
} real;

/* dlsym may allocate (its error buffer) while we resolve: those requests are
 * served from here and never freed. */
static char bootstrap[64 * 1024] __attribute__((aligned(16)));
static size_t bootstrap_used;
static int resolving;

static void *bootstrap_alloc(size_t n)
{
    void *p;
    n = (n + 15) & ~(size_t)15;
    if (n > sizeof bootstrap - bootstrap_used)
        return NULL;
    p = bootstrap + bootstrap_used;
    bootstrap_used += n;
    return p;
}

static int from_bootstrap(const void *p)
{
    return (const char *)p >= bootstrap && (const char *)p < bootstrap + sizeof bootstrap;
}

static void resolve(void)
{
    if (real.free || resolving)
        return;
    resolving = 1;
    real.malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    real.calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    real.realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    real.posix_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT, "posix_memalign");
    real.aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
    real.memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
    real.mutex_lock = (int (*)(pthread_mutex_t *))dlsym(RTLD_NEXT, "pthread_mutex_lock");
    real.mutex_trylock = (int (*)(pthread_mutex_t *))dlsym(RTLD_NEXT, "pthread_mutex_trylock");
    real.rwlock_rd = (int (*)(pthread_rwlock_t *))dlsym(RTLD_NEXT, "pthread_rwlock_rdlock");
    real.rwlock_wr = (int (*)(pthread_rwlock_t *))dlsym(RTLD_NEXT, "pthread_rwlock_wrlock");
    real.abort = (void (*)(void))dlsym(RTLD_NEXT, "abort");
    real.free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    resolving = 0;
}

static inline void note(int fn, void *caller)
{
    if (__builtin_expect(!armed, 1))
        return;
    if ((pid_t)syscall(SYS_getpid) == armed_pid)
        return; /* the parent, between its prepare and parent handlers */
    counts[fn]++;
    if (n_callers < MAX_CALLERS) {
        callers[n_callers].fn = fn;
        callers[n_callers].caller = (uintptr_t)caller;
        n_callers++;
    }
}
#define NOTE(fn) note(fn, __builtin_return_address(0))

API void *malloc(size_t n)
{
    NOTE(F_MALLOC);
    resolve();
    if (!real.malloc)
        return bootstrap_alloc(n);
    return real.malloc(n);
}

API void *calloc(size_t a, size_t b)
{
    NOTE(F_CALLOC);
    resolve();
    if (!real.calloc)
        return bootstrap_alloc(a * b); /* static memory is zeroed */
    return real.calloc(a, b);
}

API void *realloc(void *p, size_t n)
{
    NOTE(F_REALLOC);
    resolve();
    if (from_bootstrap(p)) {
        void *q = real.malloc ? real.malloc(n) : bootstrap_alloc(n);
        size_t left = (size_t)(bootstrap + sizeof bootstrap - (char *)p);
        if (q)
            memcpy(q, p, n < left ? n : left);
        return q;
    }
    if (!real.realloc)
        return bootstrap_alloc(n);
    return real.realloc(p, n);
}

API void free(void *p)
{
    NOTE(F_FREE);
    if (!p || from_bootstrap(p))
        return;
    resolve();
    if (real.free)
        real.free(p);
}

API int posix_memalign(void **out, size_t align, size_t n)
{
    NOTE(F_POSIX_MEMALIGN);
    resolve();
    return real.posix_memalign(out, align, n);
}

API void *aligned_alloc(size_t align, size_t n)
{
    NOTE(F_ALIGNED_ALLOC);
    resolve();
    return real.aligned_alloc(align, n);
}

API void *memalign(size_t align, size_t n)
{
    NOTE(F_MEMALIGN);
    resolve();
    return real.memalign(align, n);
}

API int pthread_mutex_lock(pthread_mutex_t *m)
{
    NOTE(F_MUTEX_LOCK);
    resolve();
    return real.mutex_lock(m);
}

API int pthread_mutex_trylock(pthread_mutex_t *m)
{
    NOTE(F_MUTEX_TRYLOCK);
    resolve();
    return real.mutex_trylock(m);
}

API int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
    NOTE(F_RWLOCK_RD);
    resolve();
    return real.rwlock_rd(l);
}

API int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
    NOTE(F_RWLOCK_WR);
    resolve();
    return real.rwlock_wr(l);
}

/* glibc's abort() takes a process-wide lock before raising SIGABRT. */
API void abort(void)
{
    NOTE(F_ABORT);
    resolve();
    real.abort();
    for (;;)
        syscall(SYS_exit_group, 127);
}

API void fgcount_arm(void)
{
    armed_pid = (pid_t)syscall(SYS_getpid);
    __atomic_store_n(&armed, 1, __ATOMIC_SEQ_CST);
}

API void fgcount_disarm(void)
{
    __atomic_store_n(&armed, 0, __ATOMIC_SEQ_CST);
}

/* Async-signal-safe formatting: a fixed buffer and one write(2). */
struct out {
    char buf[4096];
    size_t len;
};

static void put(struct out *o, const char *s)
{
    size_t n = strlen(s);
    if (n > sizeof o->buf - o->len)
        n = sizeof o->buf - o->len;
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void put_num(struct out *o, uintptr_t v, int hex)
{
    char tmp[24];
    size_t i = sizeof tmp;
    tmp[--i] = '\0';
    do {
        tmp[--i] = "0123456789abcdef"[v % (hex ? 16 : 10)];
        v /= hex ? 16 : 10;
    } while (v);
    if (hex) {
        tmp[--i] = 'x';
        tmp[--i] = '0';
    }
    put(o, tmp + i);
}

/* One line: "fgcount: TAG pid=P total=N malloc=N ... callers=fn@0x..,..". */
API void fgcount_dump_sigsafe(const char *tag)
{
    struct out o;
    unsigned long total = 0;
    unsigned i;
    o.len = 0;
    for (i = 0; i < F_COUNT; i++)
        total += counts[i];
    put(&o, "fgcount: ");
    put(&o, tag);
    put(&o, " pid=");
    put_num(&o, (uintptr_t)syscall(SYS_getpid), 0);
    put(&o, " armed=");
    put_num(&o, (uintptr_t)armed, 0);
    put(&o, " total=");
    put_num(&o, total, 0);
    for (i = 0; i < F_COUNT; i++) {
        put(&o, " ");
        put(&o, names[i]);
        put(&o, "=");
        put_num(&o, counts[i], 0);
    }
    put(&o, " callers=");
    for (i = 0; i < n_callers; i++) {
        if (i)
            put(&o, ",");
        put(&o, names[callers[i].fn]);
        put(&o, "@");
        put_num(&o, callers[i].caller, 1);
    }
    if (o.len >= sizeof o.buf)
        o.len = sizeof o.buf - 1;
    o.buf[o.len++] = '\n';
    if (write(fgcount_fd, o.buf, o.len) < 0)
        return;
}

/* forkguard's FORKGUARD_EXIT_CODE path ends in _exit(N): report on the way. */
API void _exit(int status)
{
    if (armed && (pid_t)syscall(SYS_getpid) != armed_pid)
        fgcount_dump_sigsafe("_exit");
    for (;;)
        syscall(SYS_exit_group, status);
}
