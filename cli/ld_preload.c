/* LD_PRELOAD composition. Loading the library twice would run its
 * constructor twice and interpose the same functions twice, so an entry
 * that is already the library — by any path leading to the same file — means
 * nothing is added. */
#include "ld_preload.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* glibc's ld.so splits LD_PRELOAD on both ':' and ' '. */
#define FG_LD_PRELOAD_SEPS ": "

static bool fg_ld_preload_is_lib(const char *entry, size_t len, const char *lib)
{
    char path[PATH_MAX], real[PATH_MAX];

    if (len == 0 || len >= sizeof path)
        return false;
    memcpy(path, entry, len);
    path[len] = '\0';
    if (strcmp(path, lib) == 0)
        return true;
    /* ld.so searches the library directories for a name without '/', not
     * the current directory, so resolving it here would name another file. */
    if (strchr(path, '/') == NULL)
        return false;
    return realpath(path, real) != NULL && strcmp(real, lib) == 0;
}

static bool fg_ld_preload_contains(const char *old, const char *lib)
{
    const char *p = old;

    while (*p != '\0') {
        size_t len = strcspn(p, FG_LD_PRELOAD_SEPS);

        if (fg_ld_preload_is_lib(p, len, lib))
            return true;
        p += len;
        p += strspn(p, FG_LD_PRELOAD_SEPS);
    }
    return false;
}

char *fg_ld_preload_compose(const char *lib, const char *old)
{
    char *value;

    if (old == NULL || old[strspn(old, FG_LD_PRELOAD_SEPS)] == '\0')
        return strdup(lib);
    /* Already there: keep the user's order rather than moving it first. */
    if (fg_ld_preload_contains(old, lib))
        return strdup(old);
    if (asprintf(&value, "%s:%s", lib, old) < 0)
        return NULL;
    return value;
}
