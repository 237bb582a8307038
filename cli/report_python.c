#include "report_python.h"

#include <string.h>

/* The file of `File "PATH", line N, in NAME`; 0 when the line has none. */
static size_t file_of(const char *line, const char **path)
{
    const char *end;
    if (strncmp(line, "File \"", 6) != 0)
        return 0;
    *path = line + 6;
    end = strstr(*path, "\", line ");
    return end ? (size_t)(end - *path) : 0;
}

static int contains(const char *s, size_t n, const char *what)
{
    size_t w = strlen(what), i;
    for (i = 0; i + w <= n; i++)
        if (memcmp(s + i, what, w) == 0)
            return 1;
    return 0;
}

int fg_report_py_is_library(const char *line)
{
    const char *path;
    size_t n = file_of(line, &path);
    if (n == 0 || path[0] == '<')
        return 1;
    /* /usr/lib/python3.11/..., /usr/local/lib/python3.12/..., a venv's
     * lib/python3.X/site-packages; Debian's dist-packages. */
    return contains(path, n, "/site-packages/") || contains(path, n, "/dist-packages/") ||
           contains(path, n, "/lib/python3") || contains(path, n, "/lib/python2") ||
           strncmp(path, "/usr/bin/", 9) == 0 || strncmp(path, "/usr/local/bin/", 15) == 0 ||
           strncmp(path, "/bin/", 5) == 0;
}

/* Index of the innermost frame of the user's own code, -1 when none. */
static long innermost_user(const char *const *lines, size_t n)
{
    size_t i;
    for (i = n; i > 0; i--)
        if (!fg_report_py_is_library(lines[i - 1]))
            return (long)(i - 1);
    return -1;
}

const char *fg_report_py_first_call(const char *const *lines, size_t n)
{
    long u;
    if (n == 0)
        return NULL;
    u = innermost_user(lines, n);
    return u >= 0 ? lines[u] : lines[n - 1];
}

const char *fg_report_py_fork_site(const char *const *lines, size_t n)
{
    long u = innermost_user(lines, n), i;
    if (u < 0)
        return NULL;
    /* Out of the user's frames the first call runs in... */
    for (i = u; i > 0 && !fg_report_py_is_library(lines[i - 1]); i--)
        ;
    if (i == 0)
        return lines[0];
    /* ...through the library's (the pool, the server), to the user's code
     * that started them. */
    for (; i > 0; i--)
        if (!fg_report_py_is_library(lines[i - 1]))
            return lines[i - 1];
    return NULL;
}
