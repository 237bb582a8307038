#include "host.h"

#include "messages.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

enum fg_host fg_host_classify(const char *args, size_t len)
{
    const char *argv0, *p, *end = args + len;
    if (!len)
        return FG_HOST_C;
    argv0 = base_name(args);
    if (starts_with(argv0, "python") || starts_with(argv0, "gunicorn")) {
        /* gunicorn is usually a python script: look for it in every argument. */
        for (p = args; p < end; p += strlen(p) + 1)
            if (strstr(base_name(p), "gunicorn"))
                return FG_HOST_GUNICORN;
        return FG_HOST_PYTHON;
    }
    if (strcmp(argv0, "R") == 0 || strcmp(argv0, "Rscript") == 0 ||
        strstr(args, "/lib/R/bin/exec/R"))
        return FG_HOST_R;
    if (starts_with(argv0, "ruby") || strcmp(argv0, "rake") == 0 ||
        strcmp(argv0, "rspec") == 0 || strcmp(argv0, "puma") == 0 ||
        strcmp(argv0, "unicorn") == 0)
        return FG_HOST_RUBY;
    if (strcmp(argv0, "java") == 0 || strcmp(argv0, "jshell") == 0)
        return FG_HOST_JAVA;
    return FG_HOST_C;
}

void fg_host_detect(void)
{
    char args[4096];
    ssize_t n = 0;
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        n = read(fd, args, sizeof args - 1);
        close(fd);
    }
    if (n < 0)
        n = 0;
    args[n] = '\0';
    fg.host = fg_host_classify(args, (size_t)n);
}

const char *fg_host_name(enum fg_host host)
{
    static const char *const names[] = {"c", "python", "gunicorn", "R", "ruby", "java"};
    return names[host];
}

const char *fg_host_fix(enum fg_host host)
{
    static const char *const fixes[] = {FG_FIX_C,    FG_FIX_PYTHON, FG_FIX_GUNICORN,
                                        FG_FIX_R,    FG_FIX_RUBY,   FG_FIX_JAVA};
    return fixes[host];
}
