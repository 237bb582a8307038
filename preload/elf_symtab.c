#include "elf_symtab.h"

#include <elf.h>
#include <link.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int fg_symtab_open_sigsafe(struct fg_symtab *t, const char *path)
{
    struct stat st;
    const ElfW(Ehdr) * eh;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    memset(t, 0, sizeof *t);
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(ElfW(Ehdr))) {
        close(fd);
        return -1;
    }
    t->map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (t->map == MAP_FAILED) {
        t->map = NULL;
        return -1;
    }
    t->size = (size_t)st.st_size;
    eh = (const ElfW(Ehdr) *)t->map;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_shentsize != sizeof(ElfW(Shdr))) {
        fg_symtab_close_sigsafe(t);
        return -1;
    }
    t->is_dyn = eh->e_type == ET_DYN;
    return 0;
}

static int in_file(const struct fg_symtab *t, uint64_t off, uint64_t len)
{
    return off <= t->size && len <= t->size - off;
}

int fg_symtab_lookup_guarded(const struct fg_symtab *t, uintptr_t base, uintptr_t ip,
                             char *name, size_t name_size, uintptr_t *offset)
{
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)t->map;
    const ElfW(Shdr) * sh;
    uintptr_t vaddr = t->is_dyn ? ip - base : ip;
    unsigned i;
    if (!t->map || !name_size ||
        !in_file(t, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(ElfW(Shdr))))
        return -1;
    sh = (const ElfW(Shdr) *)(t->map + eh->e_shoff);
    /* .symtab first (it names static functions too), else .dynsym. */
    for (i = 0; i < 2u * eh->e_shnum; i++) {
        const ElfW(Shdr) * strsh;
        const ElfW(Sym) * syms;
        size_t n, k;
        const ElfW(Shdr) *symsh = &sh[i % eh->e_shnum];
        if (symsh->sh_type != (i < eh->e_shnum ? SHT_SYMTAB : SHT_DYNSYM) ||
            symsh->sh_link >= eh->e_shnum || !in_file(t, symsh->sh_offset, symsh->sh_size))
            continue;
        strsh = &sh[symsh->sh_link];
        if (!in_file(t, strsh->sh_offset, strsh->sh_size))
            continue;
        syms = (const ElfW(Sym) *)(t->map + symsh->sh_offset);
        n = symsh->sh_size / sizeof(ElfW(Sym));
        for (k = 0; k < n; k++) {
            const ElfW(Sym) *s = &syms[k];
            size_t len;
            if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || s->st_size == 0 ||
                vaddr < s->st_value || vaddr - s->st_value >= s->st_size ||
                s->st_name >= strsh->sh_size)
                continue;
            len = strnlen((const char *)t->map + strsh->sh_offset + s->st_name,
                          strsh->sh_size - s->st_name);
            if (len >= name_size)
                len = name_size - 1;
            memcpy(name, t->map + strsh->sh_offset + s->st_name, len);
            name[len] = '\0';
            *offset = vaddr - s->st_value;
            return 0;
        }
    }
    return -1;
}

void fg_symtab_close_sigsafe(struct fg_symtab *t)
{
    if (t->map)
        munmap((void *)t->map, t->size);
    t->map = NULL;
}
