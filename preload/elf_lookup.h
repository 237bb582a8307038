/* Symbol lookup in the dynamic symbol tables of loaded objects, without dlsym.
 *
 * forkguard interposes dlsym and dlvsym, so it cannot ask them for the real
 * ones; and a libjvm loaded RTLD_LOCAL (rJava's case) is invisible to
 * dlsym(RTLD_NEXT). Walking the loaded objects' own GNU hash tables answers
 * both without taking any lock beyond dl_iterate_phdr's. */
#ifndef FG_ELF_LOOKUP_H
#define FG_ELF_LOOKUP_H

#include <stdint.h>

/* Address of the function `name` defined in the first loaded object (in
 * dl_iterate_phdr order: the program, then what the loader mapped, in load
 * order) whose path ends with `object_suffix` (any object when NULL) and that
 * does not also define the function `skip_definer` (NULL: skip none).
 * `versions` is a NULL-terminated preference list of version names (NULL: any
 * version). Returns NULL when not found. */
void *fg_elf_find(const char *object_suffix, const char *name, const char *const *versions,
                  const char *skip_definer);

/* Whether the loaded object that contains addr defines the function `name`. */
int fg_elf_defines(const void *addr, const char *name);

#endif
