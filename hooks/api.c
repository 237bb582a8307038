/* The public API of include/forkguard.h. */
#include "../include/forkguard.h"

#include "../preload/messages.h"
#include "../preload/realsym.h"
#include "../preload/state.h"
#include "jvm.h"

#include <unistd.h>

#define FG_API __attribute__((visibility("default")))

FG_API pid_t forkguard_jvm_owner(void)
{
    return fg.owner_pid;
}

FG_API int forkguard_jvm_usable(void)
{
    return fg_jvm_alive();
}

FG_API const char *forkguard_version(void)
{
    return FG_VERSION;
}
