#include "backtrace.h"

#include "elf_symtab.h"
#include "state.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <string.h>
#include <unwind.h>

/* Parent side: libunwind's fast unw_backtrace for the fork site. */
static struct {
    int (*backtrace)(void **, int);
} unw;

/* Child side: libgcc's unwinder. libunwind cannot be used there: around its
 * dl_iterate_phdr it blocks every signal and takes dl_load_write_lock, which
 * glibc does not reset in a child, so a child forked while another thread
 * held it hung for good, timer or not (1-2 % of children under load).
 * libgcc_s (GCC >= 12 on glibc >= 2.35) finds unwind tables with the
 * lock-free _dl_find_object, allocates nothing and blocks no signal. */
static struct {
    _Unwind_Reason_Code (*backtrace)(_Unwind_Trace_Fn, void *);
    _Unwind_Word (*get_ip)(struct _Unwind_Context *);
} gcc;

/* libforkguard's own code, to skip its frames without dladdr in the child. */
static struct fg_code_ranges self_code;

static void load_once(void)
{
    void *h;
    fg_code_ranges_collect(&self_code, fg.self_base, NULL);
    /* fg.real.dlsym: our own dlsym entry would work too, but this is direct. */
    h = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
    if (h)
        unw.backtrace = (int (*)(void **, int))fg.real.dlsym(h, "unw_backtrace");
    h = dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_LOCAL);
    if (h) {
        gcc.get_ip = (_Unwind_Word(*)(struct _Unwind_Context *))fg.real.dlsym(h, "_Unwind_GetIP");
        if (gcc.get_ip)
            gcc.backtrace = (_Unwind_Reason_Code(*)(_Unwind_Trace_Fn, void *))fg.real.dlsym(
                h, "_Unwind_Backtrace");
    }
}

int fg_backtrace_load(void)
{
    /* Two threads may make the owner's first forks at once. */
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, load_once);
    return unw.backtrace && gcc.backtrace ? 0 : -1;
}

static int in_self_sigsafe(uintptr_t ip)
{
    return fg_code_ranges_contain_sigsafe(&self_code, ip);
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
    uintptr_t ip = (uintptr_t)gcc.get_ip(ctx);
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
    if (!gcc.backtrace || max <= 0)
        return 0;
    gcc.backtrace(walk_frame, &w);
    return w.n;
}

int fg_backtrace_capture(uintptr_t *ips, int max)
{
    void *raw[FG_FRAMES_MAX + 4];
    int n, i, skip = 0, out = 0;
    /* A forked child of the owner forking again must not run libunwind:
     * the loader's lock it takes may have been left held (see above). */
    if (fg.self_pid != fg.owner_pid)
        return walk_sigsafe(ips, NULL, max);
    if (!unw.backtrace || max <= 0)
        return 0;
    n = unw.backtrace(raw, (int)(sizeof raw / sizeof raw[0]));
    /* Our own frames first: the hook and this function. */
    while (skip < n && skip < 4 && in_self_sigsafe((uintptr_t)raw[skip]))
        skip++;
    for (i = skip; i < n && out < max; i++)
        ips[out++] = (uintptr_t)raw[i];
    return out;
}

int fg_backtrace_here_sigsafe(struct fg_frame *out, int max)
{
    return walk_sigsafe(NULL, out, max);
}

/* dladdr knows exported symbols only; the file's .symtab also names the
 * static functions of hosts that were not stripped. Each module is mapped once
 * for all its frames. */
static void symtab_pass_sigsafe(struct fg_frame *frames, int n)
{
    int i, j;
    for (i = 0; i < n; i++) {
        struct fg_symtab t;
        const char *path = frames[i].module;
        if (frames[i].symbol || !path || frames[i].name[0] == 1)
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
            if (t.map && fg_symtab_lookup_sigsafe(&t, frames[j].base, frames[j].ip - 1,
                                                  frames[j].name, sizeof frames[j].name,
                                                  &off) == 0) {
                frames[j].symbol = frames[j].name;
                frames[j].offset = off + 1;
            } else {
                frames[j].name[0] = 1; /* looked up, not found: do not retry */
            }
        }
        fg_symtab_close_sigsafe(&t);
    }
    for (i = 0; i < n; i++)
        if (frames[i].name[0] == 1)
            frames[i].name[0] = '\0';
}

void fg_backtrace_symbolize_sigsafe(struct fg_frame *frames, int n)
{
    int i;
    for (i = 0; i < n; i++) {
        Dl_info info;
        /* A return address points after the call: look up ip-1 so that a call
         * ending a function is not attributed to the next one. */
        if (!frames[i].ip || !dladdr((void *)(frames[i].ip - 1), &info))
            continue;
        frames[i].module = info.dli_fname;
        frames[i].base = (uintptr_t)info.dli_fbase;
        if (info.dli_sname) {
            frames[i].symbol = info.dli_sname;
            frames[i].offset = frames[i].ip - (uintptr_t)info.dli_saddr;
        } else {
            frames[i].offset = frames[i].ip - (uintptr_t)info.dli_fbase;
        }
    }
    symtab_pass_sigsafe(frames, n);
}
