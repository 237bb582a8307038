/* The functions the stub's entries pass on to: libc's dlsym and dlvsym (found
 * in libc's own symbol table: calling "dlsym" here would reach our entry),
 * then fork and _Fork after libforkguard in the search order. */
#include "stub.h"

#include "../preload/elf_lookup.h"

#include <dlfcn.h>
#include <stddef.h>

_Static_assert(offsetof(struct fg_stub, dlsym) == 0 && offsetof(struct fg_stub, dlvsym) == 8,
               "stub/dlsym_x86_64.S reads them at these offsets");

/* Newest first: a glibc >= 2.34 has both, with GLIBC_2.34 the default. */
static const char *const glibc_versions[] = {"GLIBC_2.34", "GLIBC_2.2.5", NULL};

typedef void *(*fg_dlsym_fn)(void *, const char *);
typedef void *(*fg_dlvsym_fn)(void *, const char *, const char *);

void fg_stub_realsym_init(void)
{
    fg_dlsym_fn real_dlsym;
    if (__atomic_load_n(&fg_stub.dlsym, __ATOMIC_ACQUIRE))
        return;
    fg_stub.dlvsym = (fg_dlvsym_fn)fg_elf_find("libc.so.6", "dlvsym", glibc_versions, NULL);
    if (!fg_stub.dlvsym)
        fg_stub.dlvsym = (fg_dlvsym_fn)fg_elf_find("libdl.so.2", "dlvsym", NULL, NULL);
    real_dlsym = (fg_dlsym_fn)fg_elf_find("libc.so.6", "dlsym", glibc_versions, NULL);
    if (!real_dlsym)
        real_dlsym = (fg_dlsym_fn)fg_elf_find("libdl.so.2", "dlsym", NULL, NULL);
    if (!real_dlsym)
        return;
    /* Called from here, RTLD_NEXT means "after libforkguard": libc's, or the
     * next interposer's (a later copy of forkguard passes through). */
    fg_stub.fork = (pid_t(*)(void))real_dlsym(RTLD_NEXT, "fork");
    fg_stub.fork_raw = (pid_t(*)(void))real_dlsym(RTLD_NEXT, "_Fork");
    /* Published last: the dlsym entries test this pointer. */
    __atomic_store_n(&fg_stub.dlsym, real_dlsym, __ATOMIC_RELEASE);
}

void *fg_stub_find_create_vm(void)
{
    void *p;
    if (fg_stub.create_vm)
        return fg_stub.create_vm;
    /* Never a copy of forkguard (FG_MARKER): with no JVM loaded two copies
     * would take each other's export for the real one and call each other
     * forever. */
    p = fg_elf_find("/libjvm.so", "JNI_CreateJavaVM", NULL, FG_MARKER);
    if (!p)
        p = fg_elf_find(NULL, "JNI_CreateJavaVM", NULL, FG_MARKER);
    return p;
}
