#define UNW_LOCAL_ONLY
#include "backtrace.h"

#include "elf_symtab.h"
#include "state.h"

#include <dlfcn.h>
#include <libunwind.h>
#include <string.h>

/* libunwind's entry points are macros naming per-architecture symbols
 * (_ULx86_64_step, ...); stringify the macros to dlsym them portably. */
#define FG_STR2(x) #x
#define FG_STR(x) FG_STR2(x)

static struct {
    int (*getcontext)(unw_context_t *);
    int (*init_local)(unw_cursor_t *, unw_context_t *);
    int (*step)(unw_cursor_t *);
    int (*get_reg)(unw_cursor_t *, unw_regnum_t, unw_word_t *);
    int (*backtrace)(void **, int);
} unw;

int fg_backtrace_load(void)
{
    void *h;
    if (unw.step)
        return 0;
    h = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return -1;
    /* fg.real.dlsym: our own dlsym entry would work too, but this is direct. */
    unw.getcontext = (int (*)(unw_context_t *))fg.real.dlsym(h, FG_STR(unw_tdep_getcontext));
    unw.init_local =
        (int (*)(unw_cursor_t *, unw_context_t *))fg.real.dlsym(h, FG_STR(unw_init_local));
    unw.get_reg = (int (*)(unw_cursor_t *, unw_regnum_t, unw_word_t *))fg.real.dlsym(
        h, FG_STR(unw_get_reg));
    unw.backtrace = (int (*)(void **, int))fg.real.dlsym(h, "unw_backtrace");
    unw.step = (int (*)(unw_cursor_t *))fg.real.dlsym(h, FG_STR(unw_step));
    if (!unw.getcontext || !unw.init_local || !unw.get_reg || !unw.backtrace || !unw.step) {
        unw.step = NULL;
        return -1;
    }
    return 0;
}

static int in_self(uintptr_t ip)
{
    Dl_info info;
    return dladdr((void *)ip, &info) && (uintptr_t)info.dli_fbase == fg.self_base;
}

int fg_backtrace_capture(uintptr_t *ips, int max)
{
    void *raw[FG_FRAMES_MAX + 4];
    int n, i, skip = 0, out = 0;
    if (!unw.step || max <= 0)
        return 0;
    n = unw.backtrace(raw, (int)(sizeof raw / sizeof raw[0]));
    /* Our own frames first: the hook and this function. */
    while (skip < n && skip < 4 && in_self((uintptr_t)raw[skip]))
        skip++;
    for (i = skip; i < n && out < max; i++)
        ips[out++] = (uintptr_t)raw[i];
    return out;
}

int fg_backtrace_here_sigsafe(struct fg_frame *out, int max)
{
    unw_context_t ctx;
    unw_cursor_t cursor;
    int n = 0, leading = 1;
    if (!unw.step || unw.getcontext(&ctx) != 0 || unw.init_local(&cursor, &ctx) != 0)
        return 0;
    do {
        unw_word_t ip = 0;
        if (unw.get_reg(&cursor, UNW_REG_IP, &ip) != 0 || ip == 0)
            break;
        if (leading && in_self((uintptr_t)ip))
            continue;
        leading = 0;
        memset(&out[n], 0, sizeof out[n]);
        out[n].ip = (uintptr_t)ip;
        n++;
    } while (n < max && unw.step(&cursor) > 0);
    return n;
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
