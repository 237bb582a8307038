/* Symbol lookup in the dynamic symbol tables of loaded objects, without dlsym.
 *
 * forkguard interposes dlsym and dlvsym, so it cannot ask them for the real
 * ones; and a libjvm loaded RTLD_LOCAL (rJava's case) is invisible to
 * dlsym(RTLD_NEXT). Walking the loaded objects' own GNU hash tables answers
 * both without taking any lock beyond dl_iterate_phdr's. */
#ifndef FG_ELF_LOOKUP_H
#define FG_ELF_LOOKUP_H

#include <stdint.h>

/* Address of `name` defined in the first loaded object whose path ends with
 * `object_suffix` (any object when NULL) and whose load base is not
 * `exclude_base`. `versions` is a NULL-terminated preference list of version
 * names (NULL: any version). Writes the object's path (up to path_size bytes)
 * when path is not NULL. Returns NULL when not found. */
void *fg_elf_find(const char *object_suffix, const char *name, const char *const *versions,
                  uintptr_t exclude_base, char *path, unsigned long path_size);

#endif
