#include "host.h"

#include "elf_lookup.h"
#include "messages.h"
#include "pystack.h"
#include "rubyline.h"

#include <fcntl.h>
#include <limits.h>
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

enum fg_bridge fg_bridge_of_creator(const char *creator)
{
    const char *name = creator ? base_name(creator) : "";
    if (starts_with(name, "_jpype."))
        return FG_BRIDGE_JPYPE;
    if (strcmp(name, "rJava.so") == 0)
        return FG_BRIDGE_RJAVA;
    if (starts_with(name, "rjbcore.so"))
        return FG_BRIDGE_RJB;
    return FG_BRIDGE_NONE;
}

/* The object that called JNI_CreateJavaVM names the bridge, and so the host,
 * whatever the process calls itself. */
static enum fg_host from_creator(const char *creator)
{
    static const enum fg_host hosts[] = {
        [FG_BRIDGE_NONE] = FG_HOST_C,
        [FG_BRIDGE_JPYPE] = FG_HOST_PYTHON,
        [FG_BRIDGE_RJAVA] = FG_HOST_R,
        [FG_BRIDGE_RJB] = FG_HOST_RUBY,
    };
    if (creator && strcmp(base_name(creator), "libjli.so") == 0)
        return FG_HOST_JAVA;
    return hosts[fg_bridge_of_creator(creator)];
}

/* An interpreter's runtime among the loaded objects (a C extension or an
 * embedding program created the JVM). */
static enum fg_host from_loaded(void)
{
    static const struct {
        const char *symbol;
        enum fg_host host;
    } runtimes[] = {
        {"JLI_Launch", FG_HOST_JAVA},
        {"Py_Initialize", FG_HOST_PYTHON},
        {"R_ReplDLLinit", FG_HOST_R},
        {"ruby_setup", FG_HOST_RUBY},
    };
    size_t i;
    for (i = 0; i < sizeof runtimes / sizeof runtimes[0]; i++)
        if (fg_elf_find(NULL, runtimes[i].symbol, NULL, NULL))
            return runtimes[i].host;
    return FG_HOST_C;
}

static ssize_t read_file(const char *path, char *buf, size_t size)
{
    ssize_t n = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        n = read(fd, buf, size - 1);
        close(fd);
    }
    if (n < 0)
        n = 0;
    buf[n] = '\0';
    return n;
}

/* uWSGI's executable is itself (it rewrites its title, not /proc/self/exe). */
static int is_uwsgi(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return 0;
    exe[n] = '\0';
    return starts_with(base_name(exe), "uwsgi");
}

void fg_host_detect(const char *creator)
{
    /* The arguments are read now, before a server renames its processes;
     * they name a host only when nothing loaded does, and tell gunicorn (a
     * Python script) from other Python programs. */
    char args[4096];
    ssize_t n = read_file("/proc/self/cmdline", args, sizeof args);
    enum fg_host by_args = fg_host_classify(args, (size_t)n);
    enum fg_host host = from_creator(creator);
    if (host == FG_HOST_C)
        host = from_loaded();
    if (host == FG_HOST_C)
        host = by_args;
    if (host == FG_HOST_PYTHON)
        host = is_uwsgi()                    ? FG_HOST_UWSGI
               : by_args == FG_HOST_GUNICORN ? FG_HOST_GUNICORN
                                             : FG_HOST_PYTHON;
    fg.host = host;
    /* Any host may embed CPython (a C program, uWSGI) or Ruby: its reports
     * name the script's lines whenever the interpreter is there. Not the
     * java launcher: the lookups cost every `java` start ~65,000
     * instructions for an interpreter that is not there. */
    if (host == FG_HOST_JAVA)
        return;
    fg_pystack_resolve();
    fg_rubyline_resolve();
}

const char *fg_host_name(enum fg_host host)
{
    static const char *const names[] = {"c", "python", "gunicorn", "uwsgi",
                                        "R", "ruby",   "java"};
    return names[host];
}

const char *fg_host_fix(enum fg_host host)
{
    static const char *const fixes[] = {FG_FIX_C, FG_FIX_PYTHON, FG_FIX_GUNICORN, FG_FIX_UWSGI,
                                        FG_FIX_R, FG_FIX_RUBY,   FG_FIX_JAVA};
    return fixes[host];
}
