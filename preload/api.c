/* The public API of include/forkguard.h. */
#include "../include/forkguard.h"

#include "messages.h"
#include "realsym.h"
#include "state.h"

#include <unistd.h>

#define FG_API __attribute__((visibility("default")))

FG_API pid_t forkguard_jvm_owner(void)
{
    return fg.owner_pid;
}

FG_API int forkguard_jvm_usable(void)
{
    JavaVM *vms[1];
    jsize n = 0;
    if (!fg.owner_pid || fg.owner_pid != getpid() || !fg.real.get_vms)
        return 0;
    /* After DestroyJavaVM, libjvm reports no created VM. */
    return fg.real.get_vms(vms, 1, &n) == JNI_OK && n > 0;
}

FG_API const char *forkguard_version(void)
{
    return FG_VERSION;
}
