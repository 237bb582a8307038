#include "code_ranges.h"

#include <link.h>
#include <string.h>

struct match {
    struct fg_code_ranges *c;
    uintptr_t base;
    const char *path;
};

static int collect(struct dl_phdr_info *info, size_t size, void *data)
{
    struct match *m = data;
    int i;
    (void)size;
    if (m->path ? !info->dlpi_name || strcmp(info->dlpi_name, m->path) != 0
                : info->dlpi_addr != m->base)
        return 0;
    m->c->n = 0;
    for (i = 0; i < info->dlpi_phnum && m->c->n < FG_CODE_RANGES_MAX; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
            continue;
        m->c->r[m->c->n].lo = info->dlpi_addr + ph->p_vaddr;
        m->c->r[m->c->n].hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
        m->c->n++;
    }
    return 1;
}

void fg_code_ranges_collect(struct fg_code_ranges *c, uintptr_t base, const char *path)
{
    struct match m = {c, base, path};
    dl_iterate_phdr(collect, &m);
}

int fg_code_ranges_contain_sigsafe(const struct fg_code_ranges *c, uintptr_t addr)
{
    unsigned i;
    for (i = 0; i < c->n; i++)
        if (addr >= c->r[i].lo && addr < c->r[i].hi)
            return 1;
    return 0;
}
