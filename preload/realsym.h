/* The real JVM entries, found in the loaded objects (libc's dlsym, dlvsym,
 * fork and _Fork come from the stub: stub/realsym.c). */
#ifndef FG_REALSYM_H
#define FG_REALSYM_H

#include "state.h"

/* The real JNI_CreateJavaVM / JNI_GetCreatedJavaVMs of the loaded libjvm (any
 * object exporting them but a copy of forkguard, libjvm.so preferred), NULL
 * when no JVM library is loaded. Not async-signal-safe (dl_iterate_phdr). */
fg_create_vm_fn fg_realsym_create_vm(void);
fg_get_vms_fn fg_realsym_get_vms(void);

#endif
