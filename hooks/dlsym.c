/* The C half of dlsym/dlvsym interposition (the entries are in
 * dlsym_<arch>.S): lookups in a library handle. */
#include "jvm.h"

#include "../preload/state.h"

#include <string.h>

void *fg_dlsym_handle(void *handle, const char *name);
void *fg_dlvsym_handle(void *handle, const char *name, const char *version);

static void *filter(void *found, const char *name)
{
    /* The java launcher, JPype, rJava's djni and rjb all find JVM creation
     * this way: dlopen(libjvm) then dlsym(handle, "JNI_CreateJavaVM"). */
    if (found && name && name[0] == 'J' && strcmp(name, "JNI_CreateJavaVM") == 0)
        return fg_jvm_wrap_create(found);
    return found;
}

void *fg_dlsym_handle(void *handle, const char *name)
{
    return filter(fg.real.dlsym(handle, name), name);
}

void *fg_dlvsym_handle(void *handle, const char *name, const char *version)
{
    return filter(fg.real.dlvsym(handle, name, version), name);
}
