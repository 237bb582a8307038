#include "objects.h"

#include "state.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <string.h>

/* Weak: glibc 2.34 has none. */
extern int _dl_find_object(void *address, struct dl_find_object *result) __attribute__((weak));

int fg_objects_find_sigsafe(uintptr_t addr, struct fg_object *o)
{
    struct dl_find_object found;
    const struct link_map *map;
    size_t jdk_len;
    if (!_dl_find_object || _dl_find_object((void *)addr, &found) != 0 || !found.dlfo_link_map)
        return -1;
    map = found.dlfo_link_map;
    o->base = (uintptr_t)found.dlfo_map_start;
    /* The main program's link map has an empty name; dladdr says argv[0]. */
    o->path = map->l_name && map->l_name[0] ? map->l_name : program_invocation_name;
    jdk_len = strnlen(fg.jdk_lib_dir, sizeof fg.jdk_lib_dir);
    o->is_jdk = jdk_len && map->l_name && strncmp(map->l_name, fg.jdk_lib_dir, jdk_len) == 0;
    return 0;
}
