/* libforkguard-core.so's one export: the stub (stub/load.c) calls it once,
 * when a JVM is created or at start-up when there is something to say, and
 * gets the bodies of its entry points back. */
#include "fork.h"
#include "jvm.h"
#include "../preload/init.h"
#include "../preload/stub_core.h"

static const struct fg_core_ops ops = {
    .abi = FG_CORE_ABI,
    .create_vm = fg_jvm_create,
    .fork = fg_fork_call,
    .fork_raw = fg_fork_raw_call,
    .prepare = fg_fork_prepare,
    .parent = fg_fork_parent,
    .child_sigsafe = fg_fork_child_sigsafe,
    .jvm_owner = fg_jvm_owner,
    .jvm_usable = fg_jvm_alive,
};

__attribute__((visibility("default"))) const struct fg_core_ops *
forkguard_core_init(const struct fg_stub_view *view);

const struct fg_core_ops *forkguard_core_init(const struct fg_stub_view *view)
{
    if (!view || view->abi != FG_CORE_ABI)
        return NULL;
    fg_init_core(view);
    return &ops;
}
