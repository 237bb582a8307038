/* Locating the library and the demo host relative to the executable, so the
 * same binary works from build/, after `./build.sh install` (also under a
 * DESTDIR staging root, or through a symlink) and from the Debian package,
 * with no path compiled in. */
#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Debian's multiarch triplet for x86-64, the one architecture forkguard is
 * built for (hooks/stubs_x86_64.S). */
#define FG_PATHS_MULTIARCH "x86_64-linux-gnu"

/* The directory of the running executable. /proc/self/exe is already
 * resolved by the kernel (no symlinks, no ".."), so taking its parent
 * directories by cutting at '/' is exact. */
static int fg_paths_self_dir(char *dir, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", dir, size - 1);
    char *slash;

    if (n < 0)
        return -errno;
    if ((size_t)n >= size - 1)
        return -ENAMETOOLONG;
    dir[n] = '\0';
    slash = strrchr(dir, '/');
    if (slash == NULL)
        return -ENOENT;
    *slash = '\0'; /* "/forkguard" gives "", which joins to "/..." below */
    return 0;
}

static int fg_paths_join(char *out, size_t size, const char *a, const char *b, const char *c)
{
    int n = snprintf(out, size, "%s%s%s", a, b, c);

    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int fg_paths_find(const char *name, int amode, struct fg_paths_found *f)
{
    char dir[PATH_MAX], prefix[PATH_MAX], *slash;
    int rc, i;

    rc = fg_paths_self_dir(dir, sizeof dir);
    if (rc < 0)
        return rc;
    /* <prefix>/bin/forkguard -> <prefix>/lib/forkguard/NAME */
    memcpy(prefix, dir, sizeof prefix);
    slash = strrchr(prefix, '/');
    if (slash != NULL)
        *slash = '\0';
    /* The package puts the library where ld.so looks for system libraries,
     * <prefix>/lib/<multiarch triplet>/, so that a bare
     * LD_PRELOAD=libforkguard.so finds it too. */
    if ((rc = fg_paths_join(f->tried[0], PATH_MAX, dir, "/", name)) < 0 ||
        (rc = fg_paths_join(f->tried[1], PATH_MAX, prefix, "/lib/forkguard/", name)) < 0 ||
        (rc = fg_paths_join(f->tried[2], PATH_MAX, prefix, "/lib/" FG_PATHS_MULTIARCH "/",
                            name)) < 0)
        return rc;
    for (i = 0; i < FG_PATHS_NTRIED; i++) {
        /* The real path: what LD_PRELOAD carries and what is compared with
         * entries already there. */
        if (access(f->tried[i], amode) == 0 && realpath(f->tried[i], f->path) != NULL)
            return 0;
    }
    return -ENOENT;
}
