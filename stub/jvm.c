/* JVM creation as the host reaches it, and the public API.
 *
 * Hosts linked with -ljvm bind to the exported JNI_CreateJavaVM below (a
 * preloaded definition comes first); hosts that dlopen libjvm get the same
 * function from our dlsym/dlvsym (the C half of stub/dlsym_<arch>.S is
 * here). Either way the core is loaded then and does the rest
 * (hooks/jvm.c). JNI_GetCreatedJavaVMs and JNI_GetDefaultJavaVMInitArgs are
 * not wrapped: hosts keep libjvm's own. */
#include "stub.h"

#include "../include/forkguard.h"
#include "../preload/elf_lookup.h"
#include "../preload/messages.h"

#include <string.h>

#define FG_API __attribute__((visibility("default")))

void *fg_dlsym_handle(void *handle, const char *name);
void *fg_dlvsym_handle(void *handle, const char *name, const char *version);

typedef jint (*fg_create_fn)(JavaVM **, void **, void *);

/* `caller`: the return address into the code that asked for the JVM. */
static jint create(JavaVM **pvm, void **penv, void *args, const void *caller)
{
    const struct fg_core_ops *core = fg_stub_core();
    fg_create_fn real;
    if (core)
        return core->create_vm(pvm, penv, args, caller, fg_stub.create_vm);
    /* No core (said on stderr) or another copy guards: the JVM as without
     * forkguard. */
    real = (fg_create_fn)fg_stub_find_create_vm();
    return real ? real(pvm, penv, args) : JNI_ERR;
}

/* What dlsym hands out: the host calls it directly. */
static jint JNICALL create_hook(JavaVM **pvm, void **penv, void *args)
{
    return create(pvm, penv, args, __builtin_return_address(0));
}

FG_API jint JNI_CreateJavaVM(JavaVM **pvm, void **penv, void *args)
{
    return create(pvm, penv, args, __builtin_return_address(0));
}

static void *filter(void *found, const char *name)
{
    /* The java launcher, JPype, rJava's djni and rjb all find JVM creation
     * this way: dlopen(libjvm) then dlsym(handle, "JNI_CreateJavaVM"). */
    if (!found || !name || name[0] != 'J' || strcmp(name, "JNI_CreateJavaVM") != 0)
        return found;
    /* A handle whose scope includes libforkguard (dlopen(NULL), ctypes'
     * CDLL(None)) finds our own export, which is the wrapper already; taken
     * as "real" it would make the wrapper call itself forever. */
    if (found == (void *)JNI_CreateJavaVM)
        return found;
    /* A handle to another install's copy finds its export: wrapped, but
     * never taken for libjvm's (the core looks libjvm's up). */
    if (fg_elf_defines(found, FG_MARKER))
        return (void *)create_hook;
    /* Several JVM libraries in one process is not something HotSpot supports;
     * the last one looked up is the one the host is about to call. */
    __atomic_store_n(&fg_stub.create_vm, found, __ATOMIC_RELEASE);
    return (void *)create_hook;
}

void *fg_dlsym_handle(void *handle, const char *name)
{
    return filter(fg_stub.dlsym(handle, name), name);
}

void *fg_dlvsym_handle(void *handle, const char *name, const char *version)
{
    return filter(fg_stub.dlvsym(handle, name, version), name);
}

FG_API pid_t forkguard_jvm_owner(void)
{
    const struct fg_core_ops *core = __atomic_load_n(&fg_stub.core, __ATOMIC_ACQUIRE);
    return core ? core->jvm_owner() : 0;
}

FG_API int forkguard_jvm_usable(void)
{
    const struct fg_core_ops *core = __atomic_load_n(&fg_stub.core, __ATOMIC_ACQUIRE);
    return core ? core->jvm_usable() : 0;
}

FG_API const char *forkguard_version(void)
{
    return FG_VERSION;
}

/* Our own definition, whatever the search order says. */
static const char *own_version(void) __attribute__((alias("forkguard_version")));

/* Whether another copy of forkguard came first in the search order: the
 * dynamic linker bound our reference to the exported marker (through the GOT,
 * at load, with no search of our own) to the first definition. */
int fg_stub_other_copy(void)
{
    const char *(*volatile first)(void) = forkguard_version;
    /* A non-PIE program that takes the marker's address binds it to its own
     * PLT entry (a canonical address, not a definition): only a definition
     * in another object is another copy. */
    return first != own_version && fg_elf_defines((void *)first, FG_MARKER);
}
