#include "objects.h"

#include "state.h"

#include <errno.h>
#include <stddef.h>
#include <link.h>
#include <string.h>

#define FG_OBJECTS_MAX 512

struct list {
    struct fg_object o[FG_OBJECTS_MAX];
    unsigned n;
    unsigned long long adds, subs; /* dl_iterate_phdr's counters when taken */
    size_t jdk_len;                /* fg.jdk_lib_dir's length when taken */
};

/* Two lists: the refresh fills the one not published, then publishes it, so
 * a child forked at any moment inherits a complete list. */
static struct list lists[2];
static struct list *published;
static int refreshing; /* one writer at a time; a second one keeps the last */

struct walk {
    struct list *l;
    size_t jdk_len;
    int first, unchanged;
};

static int take(struct dl_phdr_info *info, size_t size, void *data)
{
    struct walk *w = data;
    struct fg_object *o;
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    int i;
    if (w->first) {
        const struct list *last = __atomic_load_n(&published, __ATOMIC_ACQUIRE);
        w->first = 0;
        /* Every object carries the loader's counters: when they have not
         * moved, the published list is still right and the walk stops here. */
        if (size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs && last &&
            last->adds == info->dlpi_adds && last->subs == info->dlpi_subs &&
            last->jdk_len == w->jdk_len) {
            w->unchanged = 1;
            return 1;
        }
        w->l->adds = info->dlpi_adds;
        w->l->subs = info->dlpi_subs;
        w->l->jdk_len = w->jdk_len;
    }
    if (w->l->n >= FG_OBJECTS_MAX)
        return 1;
    for (i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        if (info->dlpi_addr + ph->p_vaddr < lo)
            lo = info->dlpi_addr + ph->p_vaddr;
        if (info->dlpi_addr + ph->p_vaddr + ph->p_memsz > hi)
            hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
    }
    if (hi == 0)
        return 0;
    o = &w->l->o[w->l->n++];
    o->lo = lo;
    o->hi = hi;
    o->base = lo & ~(uintptr_t)4095; /* the loader maps from the page start */
    o->is_main = w->l->n == 1 && (!info->dlpi_name || !info->dlpi_name[0]);
    o->path = o->is_main ? program_invocation_name : info->dlpi_name;
    o->is_jdk = w->jdk_len && info->dlpi_name &&
                strncmp(info->dlpi_name, fg.jdk_lib_dir, w->jdk_len) == 0;
    return 0;
}

void fg_objects_refresh(void)
{
    struct walk w;
    struct list *last;
    int saved = errno;
    if (__atomic_exchange_n(&refreshing, 1, __ATOMIC_ACQ_REL))
        return; /* another thread is at it: its list will do */
    last = __atomic_load_n(&published, __ATOMIC_ACQUIRE);
    w.l = last == &lists[0] ? &lists[1] : &lists[0];
    w.l->n = 0;
    w.jdk_len = strnlen(fg.jdk_lib_dir, sizeof fg.jdk_lib_dir);
    w.first = 1;
    w.unchanged = 0;
    dl_iterate_phdr(take, &w);
    if (!w.unchanged && w.l->n > 0)
        __atomic_store_n(&published, w.l, __ATOMIC_RELEASE);
    __atomic_store_n(&refreshing, 0, __ATOMIC_RELEASE);
    errno = saved;
}

const struct fg_object *fg_objects_find_sigsafe(uintptr_t addr)
{
    const struct list *l = __atomic_load_n(&published, __ATOMIC_ACQUIRE);
    unsigned i;
    if (!l)
        return NULL;
    for (i = 0; i < l->n; i++)
        if (addr >= l->o[i].lo && addr < l->o[i].hi)
            return &l->o[i];
    return NULL;
}
