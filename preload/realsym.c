#include "realsym.h"

#include "elf_lookup.h"

#include <dlfcn.h>
#include <stddef.h>

/* Every forkguard exports this, whatever its version or install path: the
 * mark by which copies of the library recognise each other. */
#define FG_MARKER "forkguard_version"

/* Newest first: a glibc >= 2.34 has both, with GLIBC_2.34 the default. */
static const char *const glibc_versions[] = {"GLIBC_2.34", "GLIBC_2.2.5", NULL};

/* From a hidden function: an exported one's address could be another copy's. */
static void note_self_base(void)
{
    Dl_info self;
    if (!fg.self_base && dladdr((void *)note_self_base, &self))
        fg.self_base = (uintptr_t)self.dli_fbase;
}

void fg_realsym_init(void)
{
    if (fg.real.dlsym)
        return;
    note_self_base();
    fg.real.dlvsym = (void *(*)(void *, const char *, const char *))fg_elf_find(
        "libc.so.6", "dlvsym", glibc_versions, NULL);
    if (!fg.real.dlvsym)
        fg.real.dlvsym = (void *(*)(void *, const char *, const char *))fg_elf_find(
            "libdl.so.2", "dlvsym", NULL, NULL);
    /* Published last: the dlsym stub tests this pointer to know init is done. */
    {
        void *(*real_dlsym)(void *, const char *) =
            (void *(*)(void *, const char *))fg_elf_find("libc.so.6", "dlsym", glibc_versions,
                                                         NULL);
        if (!real_dlsym)
            real_dlsym =
                (void *(*)(void *, const char *))fg_elf_find("libdl.so.2", "dlsym", NULL, NULL);
        if (!real_dlsym)
            return;
        /* Called from here, RTLD_NEXT means "after libforkguard": libc's, or
         * the next interposer's (a later copy of forkguard passes through). */
        fg.real.fork = (pid_t(*)(void))real_dlsym(RTLD_NEXT, "fork");
        fg.real.fork_raw = (pid_t(*)(void))real_dlsym(RTLD_NEXT, "_Fork");
        __atomic_store_n(&fg.real.dlsym, real_dlsym, __ATOMIC_RELEASE);
    }
}

int fg_realsym_other_copy(void)
{
    void *first = fg_elf_find(NULL, FG_MARKER, NULL, NULL);
    Dl_info info;
    note_self_base();
    /* Both bases from dladdr: dl_iterate_phdr's is the load bias, which for a
     * non-PIE program (unit tests link the library in) is 0, not its base. */
    return first && dladdr(first, &info) && (uintptr_t)info.dli_fbase != fg.self_base;
}

/* A JVM library never unloads, so a found symbol is cached for good; while
 * none is loaded every call looks again (creation is rare). No copy of
 * forkguard, this one or another install's, is ever taken for the JVM: each
 * would take the other's export for the real one, and with no JVM loaded they
 * would call each other forever. */
static void *find_jvm_symbol(const char *name)
{
    void *p = fg_elf_find("/libjvm.so", name, NULL, FG_MARKER);
    if (!p) /* another VM's library (OpenJ9's libj9vm29.so, ...) */
        p = fg_elf_find(NULL, name, NULL, FG_MARKER);
    return p;
}

fg_create_vm_fn fg_realsym_create_vm(void)
{
    /* A lookup in a handle to another copy hands fg_jvm_wrap_create that
     * copy's wrapper: not the real function either. */
    if (fg.real.create_vm && fg_elf_defines((void *)fg.real.create_vm, FG_MARKER))
        fg.real.create_vm = NULL;
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
