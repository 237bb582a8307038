/* Function names from an ELF file's .symtab (which names the static
 * functions of C and C++ hosts too), else its .dynsym (stripped files).
 *
 * Async-signal-safe: open, fstat, mmap, munmap and close only, and every
 * offset read from the file is checked against its size. */
#ifndef FG_ELF_SYMTAB_H
#define FG_ELF_SYMTAB_H

#include <stddef.h>
#include <stdint.h>

struct fg_symtab {
    const unsigned char *map;
    size_t size;
    int is_dyn; /* ET_DYN: symbol values are relative to the load base */
};

/* Maps `path`; 0 on success. */
int fg_symtab_open_sigsafe(struct fg_symtab *t, const char *path);
/* Name of the STT_FUNC symbol containing `ip` in a module loaded at `base`,
 * copied into name; its offset in *offset. 0 when found. Guarded: it reads
 * the mapped file, which faults if the file shrank meanwhile. */
int fg_symtab_lookup_guarded(const struct fg_symtab *t, uintptr_t base, uintptr_t ip,
                             char *name, size_t name_size, uintptr_t *offset);
void fg_symtab_close_sigsafe(struct fg_symtab *t);

#endif
