/* FORKGUARD_CLASSPATH: ';'-separated groups of ':'-separated entries; an entry
 * is a JAR or a directory, which contributes its *.jar files, sorted. */
#ifndef FG_CLASSPATH_LIST_H
#define FG_CLASSPATH_LIST_H

#include <stddef.h>

struct fg_cplist {
    char **groups; /* each: the group's JAR paths joined by '\n' */
    size_t n_groups;
    size_t n_jars;
};

typedef void (*fg_cplist_error_fn)(void *ctx, const char *line);

/* Expands `spec`. Every entry that cannot contribute (missing, unreadable, a
 * directory without JARs, not a file, a path Java could not be given) gets one
 * line through on_error and is skipped; a group left empty is dropped. Every
 * path kept is absolute (a relative entry is resolved against the current
 * directory), newline-free and UTF-8 without 4-byte characters, whether named
 * or found in a directory. Returns 0, or -1 when out of memory. Runs in the
 * parent at JVM creation (it allocates). */
int fg_cplist_parse(const char *spec, struct fg_cplist *out, fg_cplist_error_fn on_error,
                    void *ctx);
void fg_cplist_free(struct fg_cplist *list);

#endif
