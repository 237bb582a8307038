/* Finding the files forkguard ships with, relative to the running executable. */
#ifndef FG_CLI_PATHS_H
#define FG_CLI_PATHS_H

#include <limits.h>

/* The places a shipped file can be: beside the executable (the build tree,
 * build/), in <prefix>/lib/forkguard (installed as <prefix>/bin) and, for the
 * library in the Debian package, <prefix>/lib/<multiarch>. */
#define FG_PATHS_NTRIED 3
struct fg_paths_found {
    char path[PATH_MAX];                   /* the real path of the file found */
    char tried[FG_PATHS_NTRIED][PATH_MAX]; /* the candidates, in the order tried */
};

/* Looks for NAME beside /proc/self/exe, then in ../lib/forkguard, then in
 * ../lib/<multiarch>; AMODE is access(2)'s (R_OK, X_OK). Returns 0 with
 * f->path set, -ENOENT (f->tried names the candidates) or another -errno when
 * the executable itself cannot be located. */
int fg_paths_find(const char *name, int amode, struct fg_paths_found *f);

#endif
