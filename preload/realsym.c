#include "realsym.h"

#include "elf_lookup.h"

#include <stddef.h>

/* Every forkguard exports this, whatever its version or install path: the
 * mark by which copies of the library recognise each other. */
#define FG_MARKER "forkguard_version"

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
