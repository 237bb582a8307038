#include "elf_lookup.h"

#include <elf.h>
#include <link.h>
#include <stddef.h>

/* Own string helpers: this runs from the dlsym entry before our constructor,
 * possibly inside another library's early start-up (AddressSanitizer calls
 * dlsym while its own strlen/strcmp interceptors are not ready yet). */
static size_t str_len(const char *s)
{
    const char *p = s;
    while (*p)
        p++;
    return (size_t)(p - s);
}

static int str_eq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

struct tables {
    uintptr_t base;
    const ElfW(Sym) * symtab;
    const char *strtab;
    const uint32_t *gnu_hash;
    const uint32_t *sysv_hash;
    const ElfW(Half) * versym;
    const ElfW(Verdef) * verdef;
};

/* glibc relocates most d_ptr entries in place; the vDSO and read-only dynamic
 * sections keep them relative. Accept both. */
static uintptr_t dyn_ptr(uintptr_t base, ElfW(Addr) v)
{
    return v < base ? base + v : v;
}

static int load_tables(const struct dl_phdr_info *info, struct tables *t)
{
    const ElfW(Dyn) *dyn = NULL;
    int i;
    *t = (struct tables){0};
    t->base = info->dlpi_addr;
    for (i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
            dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    if (!dyn)
        return 0;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        uintptr_t p = dyn_ptr(t->base, dyn->d_un.d_ptr);
        switch (dyn->d_tag) {
        case DT_SYMTAB:
            t->symtab = (const ElfW(Sym) *)p;
            break;
        case DT_STRTAB:
            t->strtab = (const char *)p;
            break;
        case DT_GNU_HASH:
            t->gnu_hash = (const uint32_t *)p;
            break;
        case DT_HASH:
            t->sysv_hash = (const uint32_t *)p;
            break;
        case DT_VERSYM:
            t->versym = (const ElfW(Half) *)p;
            break;
        case DT_VERDEF:
            t->verdef = (const ElfW(Verdef) *)p;
            break;
        default:
            break;
        }
    }
    return t->symtab && t->strtab && (t->gnu_hash || t->sysv_hash);
}

static const char *version_of(const struct tables *t, uint32_t idx)
{
    const ElfW(Verdef) *vd = t->verdef;
    ElfW(Half) ndx;
    if (!t->versym || !vd)
        return NULL;
    ndx = t->versym[idx] & 0x7fff;
    for (;;) {
        if (vd->vd_ndx == ndx) {
            const ElfW(Verdaux) *aux = (const ElfW(Verdaux) *)((const char *)vd + vd->vd_aux);
            return t->strtab + aux->vda_name;
        }
        if (!vd->vd_next)
            return NULL;
        vd = (const ElfW(Verdef) *)((const char *)vd + vd->vd_next);
    }
}

static int acceptable(const struct tables *t, uint32_t idx, const char *name,
                      const char *version)
{
    const ElfW(Sym) *s = &t->symtab[idx];
    const char *v;
    if (s->st_shndx == SHN_UNDEF || s->st_value == 0)
        return 0;
    /* An IFUNC's address is its resolver, not the function: never return one. */
    if (ELF64_ST_TYPE(s->st_info) != STT_FUNC)
        return 0;
    if (!str_eq(t->strtab + s->st_name, name))
        return 0;
    if (!version)
        return 1;
    v = version_of(t, idx);
    return v && str_eq(v, version);
}

static uint32_t gnu_hash(const char *s)
{
    uint32_t h = 5381;
    for (; *s; s++)
        h = h * 33 + (unsigned char)*s;
    return h;
}

static uint32_t lookup_one(const struct tables *t, const char *name, const char *version)
{
    if (t->gnu_hash) {
        uint32_t nbuckets = t->gnu_hash[0], symoffset = t->gnu_hash[1];
        uint32_t bloom_size = t->gnu_hash[2];
        const uint32_t *buckets =
            (const uint32_t *)((const ElfW(Addr) *)(t->gnu_hash + 4) + bloom_size);
        const uint32_t *chain = buckets + nbuckets;
        uint32_t h = gnu_hash(name), idx;
        if (!nbuckets)
            return 0;
        idx = buckets[h % nbuckets];
        if (idx < symoffset)
            return 0;
        for (;; idx++) {
            uint32_t h2 = chain[idx - symoffset];
            if ((h | 1) == (h2 | 1) && acceptable(t, idx, name, version))
                return idx;
            if (h2 & 1)
                return 0;
        }
    } else {
        uint32_t n = t->sysv_hash[1], idx;
        for (idx = 1; idx < n; idx++)
            if (acceptable(t, idx, name, version))
                return idx;
        return 0;
    }
}

struct find {
    const char *suffix;
    const char *name;
    const char *const *versions;
    const char *skip_definer;
    void *result;
};

static int ends_with(const char *s, const char *suffix)
{
    size_t n = str_len(s), m = str_len(suffix);
    return n >= m && str_eq(s + n - m, suffix);
}

static int find_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    struct find *f = data;
    struct tables t;
    uint32_t idx = 0;
    (void)size;
    if (f->suffix && (!info->dlpi_name || !ends_with(info->dlpi_name, f->suffix)))
        return 0;
    if (!load_tables(info, &t))
        return 0;
    if (f->versions) {
        const char *const *v;
        for (v = f->versions; *v && !idx; v++)
            idx = lookup_one(&t, f->name, *v);
    } else {
        idx = lookup_one(&t, f->name, NULL);
    }
    if (!idx)
        return 0;
    /* Asked only of the objects that define `name`: the search stays one
     * hash probe per object. */
    if (f->skip_definer && lookup_one(&t, f->skip_definer, NULL))
        return 0;
    f->result = (void *)(t.base + t.symtab[idx].st_value);
    return 1;
}

void *fg_elf_find(const char *object_suffix, const char *name, const char *const *versions,
                  const char *skip_definer)
{
    struct find f = {object_suffix, name, versions, skip_definer, NULL};
    dl_iterate_phdr(find_cb, &f);
    return f.result;
}

struct defines {
    uintptr_t addr;
    const char *name;
    int found;
};

static int defines_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    struct defines *d = data;
    struct tables t;
    int i;
    (void)size;
    for (i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type != PT_LOAD || d->addr < start || d->addr - start >= ph->p_memsz)
            continue;
        d->found = load_tables(info, &t) && lookup_one(&t, d->name, NULL) != 0;
        return 1;
    }
    return 0;
}

int fg_elf_defines(const void *addr, const char *name)
{
    struct defines d = {(uintptr_t)addr, name, 0};
    dl_iterate_phdr(defines_cb, &d);
    return d.found;
}
