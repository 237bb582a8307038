#include "bridges.h"
#include "../preload/child_text.h"

#include "jpype_adapter.h"
#include "../preload/state.h"

#include <dlfcn.h>

/* JPype: its JNI native method for "the JVM is shutting down", called by its
 * own Java code (org.jpype.JPypeContext.onShutdown) and exported for that
 * reason in every JPype since 1.2; it only clears the context's running flag.
 * With the flag clear, JPype's GC hook, finalizers, subclass checks and
 * import finder all stand down by JPype's own design, exactly as after
 * shutdownJVM(), and any real use raises jpype.JVMNotRunning. */
typedef void (*fg_jpype_on_shutdown_fn)(void *env, void *obj, long long context);

static struct {
    enum fg_bridge kind;
    void **jpype_context; /* &JPContext_global: the context is made at import */
    fg_jpype_on_shutdown_fn jpype_on_shutdown;
    int jpype_ok;    /* a known JPype, its wrappers installed: children stand down */
    int *rjava_dead; /* rJava's java_is_dead: its finalizers return at once */
} bridge;

/* The bridge's own symbols, from the very object that created the JVM (a
 * bridge is loaded RTLD_LOCAL by its interpreter: only its handle sees them). */
static void resolve(const char *creator)
{
    void *handle = dlopen(creator, RTLD_LAZY | RTLD_NOLOAD);
    if (!handle || !fg.real.dlsym)
        return;
    switch (bridge.kind) {
    case FG_BRIDGE_JPYPE:
        bridge.jpype_context = fg.real.dlsym(handle, "JPContext_global");
        bridge.jpype_on_shutdown = (fg_jpype_on_shutdown_fn)fg.real.dlsym(
            handle, "Java_org_jpype_JPypeContext_onShutdown");
        break;
    case FG_BRIDGE_RJAVA:
        bridge.rjava_dead = fg.real.dlsym(handle, "java_is_dead");
        break;
    case FG_BRIDGE_RJB:
    case FG_BRIDGE_NONE:
        break;
    }
    dlclose(handle);
}

void fg_bridges_detect(const char *creator)
{
    if (fg.cfg.mode != FG_MODE_BLOCK || !creator)
        return;
    bridge.kind = fg_bridge_of_creator(creator);
    if (bridge.kind != FG_BRIDGE_NONE && bridge.kind != FG_BRIDGE_RJB)
        resolve(creator); /* rjb needs no symbol; other creators none either */
}

void fg_bridges_install(void)
{
    /* Published last: a child forked before this is guarded as a C host's. */
    if (bridge.kind == FG_BRIDGE_JPYPE && bridge.jpype_context && bridge.jpype_on_shutdown &&
        fg_jpype_adapter_install())
        __atomic_store_n(&bridge.jpype_ok, 1, __ATOMIC_RELEASE);
}

enum fg_bridge fg_bridges_current(void)
{
    return bridge.kind;
}

FG_CHILD_TEXT void fg_bridges_stand_down_sigsafe(void)
{
    switch (bridge.kind) {
    case FG_BRIDGE_JPYPE:
        if (__atomic_load_n(&bridge.jpype_ok, __ATOMIC_ACQUIRE) && *bridge.jpype_context)
            bridge.jpype_on_shutdown(NULL, NULL, (long long)(uintptr_t)*bridge.jpype_context);
        break;
    case FG_BRIDGE_RJAVA:
        if (bridge.rjava_dead)
            *bridge.rjava_dead = 1;
        break;
    case FG_BRIDGE_RJB:
    case FG_BRIDGE_NONE:
        break;
    }
}

int fg_bridges_attach_is_silent(void)
{
    return bridge.kind == FG_BRIDGE_RJB;
}
