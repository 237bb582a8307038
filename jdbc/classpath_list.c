#include "classpath_list.h"

#include "../preload/buf.h"
#include "../preload/messages.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A growing '\n'-joined string. */
struct group {
    char *text;
    size_t len, cap;
    size_t jars;
};

static int group_add(struct group *g, const char *path)
{
    size_t n = strlen(path), need = g->len + n + 2;
    if (need > g->cap) {
        size_t cap = need * 2;
        char *p = realloc(g->text, cap);
        if (!p)
            return -1;
        g->text = p;
        g->cap = cap;
    }
    if (g->len)
        g->text[g->len++] = '\n';
    memcpy(g->text + g->len, path, n + 1);
    g->len += n;
    g->jars++;
    return 0;
}

static void entry_error(fg_cplist_error_fn on_error, void *ctx, const char *entry,
                        const char *why)
{
    char mem[1024];
    struct fg_buf b;
    if (!on_error)
        return;
    fg_buf_init(&b, mem, sizeof mem);
    fg_buf_str(&b, FG_MSG_PREFIX "FORKGUARD_CLASSPATH entry ");
    fg_buf_printable(&b, entry, 200);
    fg_buf_str(&b, ": ");
    fg_buf_str(&b, why);
    fg_buf_str(&b, "; skipped");
    fg_buf_cstr(&b);
    on_error(ctx, mem);
}

/* Why a path cannot go to the JVM, or NULL when it can. Groups travel to Java
 * as '\n'-joined lists through NewStringUTF, which takes modified UTF-8 only
 * (a 4-byte sequence would have to be a surrogate pair there; invalid bytes
 * come out as other characters, naming another file); and a relative path
 * would be resolved against whatever directory the JVM happens to be in. Every
 * path is checked, whether the user named it or a directory listing gave it. */
static const char *unfit_path(const char *path)
{
    const unsigned char *s = (const unsigned char *)path;
    if (*s != '/')
        return "not an absolute path";
    for (; *s; s++) {
        size_t n;
        if (*s == '\n')
            return "contains a newline";
        if (*s < 0x80)
            continue;
        n = fg_utf8_len(s);
        if (n == 0)
            return "not valid UTF-8";
        if (n == 4)
            return "has a character above U+FFFF, which JNI strings cannot carry";
        s += n - 1;
    }
    return NULL;
}

/* The one way into a group: a path that is not fit is named and skipped. */
static int add_jar(struct group *g, const char *path, fg_cplist_error_fn on_error, void *ctx)
{
    const char *why = unfit_path(path);
    if (why) {
        entry_error(on_error, ctx, path, why);
        return 0;
    }
    return group_add(g, path);
}

static int ends_with_jar(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".jar") == 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's *.jar regular files, sorted, so the order (which decides
 * which of two copies of a class wins) does not depend on the file system. */
static int add_directory(struct group *g, const char *dir, fg_cplist_error_fn on_error,
                         void *ctx)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, i, before = g->jars;
    int rc = 0;
    if (!d) {
        entry_error(on_error, ctx, dir, strerror(errno));
        return 0;
    }
    while ((e = readdir(d)) != NULL) {
        char *path;
        struct stat st;
        if (!ends_with_jar(e->d_name))
            continue;
        if (n == cap) {
            char **p = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *names);
            if (!p) {
                rc = -1;
                break;
            }
            names = p;
        }
        path = malloc(strlen(dir) + strlen(e->d_name) + 2);
        if (!path) {
            rc = -1;
            break;
        }
        strcpy(path, dir);
        strcat(path, dir[strlen(dir) - 1] == '/' ? "" : "/");
        strcat(path, e->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            names[n++] = path;
        else
            free(path);
    }
    closedir(d);
    if (rc == 0 && n)
        qsort(names, n, sizeof *names, by_name);
    for (i = 0; i < n; i++) {
        if (rc == 0 && access(names[i], R_OK) != 0)
            entry_error(on_error, ctx, names[i], strerror(errno));
        else if (rc == 0 && add_jar(g, names[i], on_error, ctx) != 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    if (rc == 0 && g->jars == before)
        entry_error(on_error, ctx, dir, "directory has no readable .jar files");
    return rc;
}

/* A relative entry is taken from the current directory now, as the JVM would
 * take it, but passed on absolute: the JVM never sees a relative path. */
static char *absolute(const char *entry, fg_cplist_error_fn on_error, void *ctx, int *oom)
{
    char *cwd = getcwd(NULL, 0), *path;
    *oom = 0;
    if (!cwd) {
        int err = errno;
        char why[160];
        *oom = err == ENOMEM;
        if (!*oom) {
            snprintf(why, sizeof why, "relative, and the current directory is unknown (%s)",
                     strerror(err));
            entry_error(on_error, ctx, entry, why);
        }
        return NULL;
    }
    path = malloc(strlen(cwd) + strlen(entry) + 2);
    if (path)
        sprintf(path, "%s%s%s", cwd, cwd[1] ? "/" : "", entry);
    else
        *oom = 1;
    free(cwd);
    return path;
}

static int add_entry(struct group *g, const char *entry, fg_cplist_error_fn on_error, void *ctx)
{
    struct stat st;
    char *owned = NULL;
    const char *why;
    int rc = 0;
    if (entry[0] != '/') {
        int oom;
        owned = absolute(entry, on_error, ctx, &oom);
        if (!owned)
            return oom ? -1 : 0;
        entry = owned;
    }
    /* Checked here too, not only per JAR: a bad directory name is said once. */
    if ((why = unfit_path(entry)) != NULL)
        entry_error(on_error, ctx, entry, why);
    else if (stat(entry, &st) != 0)
        entry_error(on_error, ctx, entry, errno == ENOENT ? "no such file" : strerror(errno));
    else if (S_ISDIR(st.st_mode))
        rc = add_directory(g, entry, on_error, ctx);
    else if (!S_ISREG(st.st_mode))
        entry_error(on_error, ctx, entry, "not a regular file");
    else if (access(entry, R_OK) != 0)
        entry_error(on_error, ctx, entry, strerror(errno));
    else
        rc = add_jar(g, entry, on_error, ctx);
    free(owned);
    return rc;
}

static int push_group(struct fg_cplist *out, struct group *g)
{
    char **p;
    if (!g->jars) {
        free(g->text);
        return 0;
    }
    p = realloc(out->groups, (out->n_groups + 1) * sizeof *p);
    if (!p) {
        free(g->text);
        return -1;
    }
    out->groups = p;
    out->groups[out->n_groups++] = g->text;
    out->n_jars += g->jars;
    return 0;
}

int fg_cplist_parse(const char *spec, struct fg_cplist *out, fg_cplist_error_fn on_error,
                    void *ctx)
{
    char *copy, *group_save = NULL, *group_text;
    int rc = 0;
    memset(out, 0, sizeof *out);
    if (!spec)
        return 0;
    copy = strdup(spec);
    if (!copy)
        return -1;
    for (group_text = strtok_r(copy, ";", &group_save); group_text && rc == 0;
         group_text = strtok_r(NULL, ";", &group_save)) {
        struct group g = {NULL, 0, 0, 0};
        char *entry_save = NULL, *entry;
        for (entry = strtok_r(group_text, ":", &entry_save); entry && rc == 0;
             entry = strtok_r(NULL, ":", &entry_save))
            rc = add_entry(&g, entry, on_error, ctx);
        if (rc == 0)
            rc = push_group(out, &g);
        else
            free(g.text);
    }
    free(copy);
    if (rc != 0)
        fg_cplist_free(out);
    return rc;
}

void fg_cplist_free(struct fg_cplist *list)
{
    size_t i;
    for (i = 0; i < list->n_groups; i++)
        free(list->groups[i]);
    free(list->groups);
    memset(list, 0, sizeof *list);
}
