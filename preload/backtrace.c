#include "backtrace.h"

#include "elf_symtab.h"
#include "guard.h"
#include "objects.h"
#include "state.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unwind.h>

/* libgcc's unwinder, in the parent (the fork site) and in the child (the
 * JNI call). libunwind is not used: around its dl_iterate_phdr it blocks
 * every signal and takes dl_load_write_lock, which glibc does not reset in a
 * child (1-2 % of children forked under load hung for good that way), and
 * loading it (with liblzma) cost 0.4 ms. libgcc_s (GCC >= 12 on glibc >=
 * 2.35) finds unwind tables with the lock-free _dl_find_object, allocates
 * nothing and blocks no signal. */
static struct {
    _Unwind_Reason_Code (*backtrace)(_Unwind_Trace_Fn, void *);
    _Unwind_Word (*get_ip)(struct _Unwind_Context *);
} libgcc;

/* forkguard's own code, the core's and the stub's, to skip its frames
 * without dladdr in the child. */
static struct fg_code_ranges self_code, stub_code;

static int in_self_sigsafe(uintptr_t ip)
{
    return fg_code_ranges_contain_sigsafe(&self_code, ip) ||
           fg_code_ranges_contain_sigsafe(&stub_code, ip);
}

/* libgcc's walk: no lock, no allocation, no signal mask. Stores return
 * addresses from the first frame outside libforkguard into ips or frames. */
struct walk {
    uintptr_t *ips;
    struct fg_frame *frames;
    int max, n, leading;
};

static _Unwind_Reason_Code walk_frame(struct _Unwind_Context *ctx, void *arg)
{
    struct walk *w = arg;
    uintptr_t ip = (uintptr_t)libgcc.get_ip(ctx);
    if (ip == 0)
        return _URC_END_OF_STACK;
    if (w->leading && in_self_sigsafe(ip))
        return _URC_NO_REASON;
    w->leading = 0;
    if (w->frames) {
        memset(&w->frames[w->n], 0, sizeof w->frames[w->n]);
        w->frames[w->n].ip = ip;
    } else {
        w->ips[w->n] = ip;
    }
    w->n++;
    return w->n < w->max ? _URC_NO_REASON : _URC_END_OF_STACK;
}

static int walk_sigsafe(uintptr_t *ips, struct fg_frame *frames, int max)
{
    struct walk w = {ips, frames, max, 0, 1};
    if (!libgcc.backtrace || max <= 0)
        return 0;
    libgcc.backtrace(walk_frame, &w);
    return w.n;
}

struct capture {
    uintptr_t *ips;
    int max, n;
};

static void capture_job(void *arg)
{
    struct capture *c = arg;
    c->n = walk_sigsafe(c->ips, NULL, c->max);
}

static void load_once(void)
{
    uintptr_t ips[FG_FRAMES_MAX];
    struct capture c = {ips, FG_FRAMES_MAX, 0};
    void *h;
    fg_code_ranges_collect(&self_code, fg.self_base, NULL);
    if (fg.stub_base != fg.self_base) /* one object in the unit tests */
        fg_code_ranges_collect(&stub_code, fg.stub_base, NULL);
    /* Already mapped in most JVM processes (Debian's libjvm needs it), when
     * this costs a reference count; otherwise ~60,000 instructions. */
    h = dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_LOCAL);
    if (h) {
        libgcc.get_ip =
            (_Unwind_Word(*)(struct _Unwind_Context *))fg.real.dlsym(h, "_Unwind_GetIP");
        if (libgcc.get_ip)
            libgcc.backtrace = (_Unwind_Reason_Code(*)(_Unwind_Trace_Fn, void *))fg.real.dlsym(
                h, "_Unwind_Backtrace");
    }
    /* libgcc_s is usually bound lazily (a dependency of libjvm, no
     * BIND_NOW), and dlopen(RTLD_NOW) does not relocate an object already
     * loaded again: one walk here binds its PLT slots (_Unwind_Find_FDE,
     * _dl_find_object, pthread_once...) in the parent, so that a child's walk
     * does not go through the dynamic linker. Guarded as every walk in the
     * owner (fg_backtrace_capture). */
    fg_guard_run_sigsafe(capture_job, &c, 0);
}

int fg_backtrace_load(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, load_once);
    return libgcc.backtrace ? 0 : -1;
}

int fg_backtrace_capture(uintptr_t *ips, int max)
{
    struct capture c = {ips, max, 0};
    /* libgcc trusts unwind information (libunwind checks its reads): a host
     * frame with wrong CFI makes it read unmapped memory, and that must cut
     * the walk, not kill the host. In the owner nothing
     * the walk needs can be held by a vanished thread: faults only. A child
     * of the owner forking again is on the child path itself: the same bound
     * as its reports, and no waiting for another thread's guarded section
     * (none then: no frames). A cut walk keeps the frames it found. */
    unsigned tries;
    if (fg.self_pid != fg.owner_pid) {
        fg_guard_run_sigsafe(capture_job, &c, FG_BACKTRACE_BOUND_MS);
        return c.n;
    }
    /* Threads of the owner forking at once take turns: a walk is a few
     * microseconds. */
    for (tries = 0; tries < 10000; tries++) {
        if (fg_guard_run_sigsafe(capture_job, &c, 0) != FG_GUARD_BUSY)
            break;
        sched_yield();
    }
    return c.n;
}

int fg_backtrace_here_guarded(struct fg_frame *out, int max)
{
    return walk_sigsafe(NULL, out, max);
}

/* Function names from each module file's .symtab (static functions of
 * hosts that were not stripped), else its .dynsym. Each module is mapped once
 * for all its frames. */
static void symtab_pass_guarded(struct fg_frame *frames, int n)
{
    int i, j;
    for (i = 0; i < n; i++) {
        struct fg_symtab t;
        const char *path = frames[i].module;
        if (frames[i].symbol || !path || frames[i].looked_up)
            continue;
        /* The main program's name is argv[0], maybe relative to a directory
         * the program has left. */
        if (frames[i].base == fg.main_base)
            path = "/proc/self/exe";
        if (fg_symtab_open_sigsafe(&t, path) != 0)
            t.map = NULL;
        for (j = i; j < n; j++) {
            uintptr_t off;
            if (frames[j].symbol || frames[j].base != frames[i].base)
                continue;
            if (t.map &&
                fg_symtab_lookup_guarded(&t, frames[j].base, frames[j].ip - 1, frames[j].name,
                                         sizeof frames[j].name, &off) == 0) {
                frames[j].symbol = frames[j].name;
                frames[j].offset = off + 1;
            } else {
                frames[j].looked_up = 1; /* not found: do not map the file again */
            }
        }
        fg_symtab_close_sigsafe(&t);
    }
}

void fg_backtrace_symbolize_guarded(struct fg_frame *frames, int n)
{
    int i;
    for (i = 0; i < n; i++) {
        /* A return address points after the call: look up ip-1 so that a call
         * ending a function is not attributed to the next one. No dladdr: its
         * lock may be held for good in a child (objects.h). */
        struct fg_object o;
        if (!frames[i].ip || fg_objects_find_sigsafe(frames[i].ip - 1, &o) != 0)
            continue;
        frames[i].module = o.path;
        frames[i].base = o.base;
        frames[i].offset = frames[i].ip - o.base;
    }
    symtab_pass_guarded(frames, n);
}
