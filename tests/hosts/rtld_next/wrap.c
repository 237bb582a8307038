/* The classic interposer: its own puts and atoi find the real ones with
 * dlsym/dlvsym(RTLD_NEXT, ...). If forkguard's dlsym resolved RTLD_NEXT
 * relative to itself (it is preloaded, so before this library), the lookup
 * would return this very function and recurse forever: detect that instead. */
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

int wrap_calls;
static int depth;

static void die(const char *msg, int code)
{
    (void)!write(2, msg, __builtin_strlen(msg));
    _exit(code);
}

int puts(const char *s)
{
    static int (*real)(const char *);
    int rc;
    if (depth++)
        die("wrap: puts recursed\n", 97);
    if (!real)
        real = (int (*)(const char *))dlsym(RTLD_NEXT, "puts");
    if (!real || real == puts)
        die("wrap: dlsym(RTLD_NEXT, puts) found no other puts\n", 98);
    rc = real(s);
    depth--;
    wrap_calls++;
    return rc;
}

int atoi(const char *s)
{
    static int (*real)(const char *);
    if (!real)
        real = (int (*)(const char *))dlvsym(RTLD_NEXT, "atoi", "GLIBC_2.2.5");
    if (!real || real == atoi)
        die("wrap: dlvsym(RTLD_NEXT, atoi) found no other atoi\n", 96);
    wrap_calls++;
    return real(s) + 1000; /* proves the wrapper ran */
}
