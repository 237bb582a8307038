#include "realsym.h"

#include "elf_lookup.h"

#include <dlfcn.h>
#include <stddef.h>

struct fg_state fg;

_Static_assert(offsetof(struct fg_state, real.dlsym) == 0, "dlsym_<arch>.S reads fg+0");
_Static_assert(offsetof(struct fg_state, real.dlvsym) == 8, "dlsym_<arch>.S reads fg+8");

/* Newest first: a glibc >= 2.34 has both, with GLIBC_2.34 the default. */
static const char *const glibc_versions[] = {"GLIBC_2.34", "GLIBC_2.2.5", NULL};

void fg_realsym_init(void)
{
    Dl_info self;
    if (fg.real.dlsym)
        return;
    if (!fg.self_base && dladdr((void *)fg_realsym_init, &self))
        fg.self_base = (uintptr_t)self.dli_fbase;
    fg.real.dlvsym = (void *(*)(void *, const char *, const char *))fg_elf_find(
        "libc.so.6", "dlvsym", glibc_versions, 0, NULL, 0);
    if (!fg.real.dlvsym)
        fg.real.dlvsym = (void *(*)(void *, const char *, const char *))fg_elf_find(
            "libdl.so.2", "dlvsym", NULL, 0, NULL, 0);
    /* Published last: the dlsym stub tests this pointer to know init is done. */
    {
        void *(*real_dlsym)(void *, const char *) = (void *(*)(void *, const char *))fg_elf_find(
            "libc.so.6", "dlsym", glibc_versions, 0, NULL, 0);
        if (!real_dlsym)
            real_dlsym = (void *(*)(void *, const char *))fg_elf_find("libdl.so.2", "dlsym",
                                                                      NULL, 0, NULL, 0);
        if (!real_dlsym)
            return;
        /* Called from here, RTLD_NEXT means "after libforkguard": libc's. */
        fg.real.fork = (pid_t(*)(void))real_dlsym(RTLD_NEXT, "fork");
        fg.real.fork_raw = (pid_t(*)(void))real_dlsym(RTLD_NEXT, "_Fork");
        __atomic_store_n(&fg.real.dlsym, real_dlsym, __ATOMIC_RELEASE);
    }
}

/* A JVM library never unloads, so a found symbol is cached for good; while
 * none is loaded every call looks again (creation is rare). */
static void *find_jvm_symbol(const char *name)
{
    void *p = fg_elf_find("/libjvm.so", name, NULL, fg.self_base, NULL, 0);
    if (!p) /* another VM's library (OpenJ9's libj9vm29.so, ...) */
        p = fg_elf_find(NULL, name, NULL, fg.self_base, NULL, 0);
    return p;
}

fg_create_vm_fn fg_realsym_create_vm(void)
{
    if (!fg.real.create_vm)
        fg.real.create_vm = (fg_create_vm_fn)find_jvm_symbol("JNI_CreateJavaVM");
    return fg.real.create_vm;
}

fg_get_vms_fn fg_realsym_get_vms(void)
{
    if (!fg.real.get_vms)
        fg.real.get_vms = (fg_get_vms_fn)find_jvm_symbol("JNI_GetCreatedJavaVMs");
    return fg.real.get_vms;
}
