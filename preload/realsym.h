/* Resolution of the real functions forkguard stands in front of. */
#ifndef FG_REALSYM_H
#define FG_REALSYM_H

#include "state.h"

/* Fills fg.real's libc entries. Idempotent; called by the constructor, and by
 * the dlsym entry stub if another library's constructor calls dlsym first. */
void fg_realsym_init(void);

/* Whether another copy of forkguard (another install, another path) was
 * loaded before this one. The first copy guards the process; the others stand
 * down. Every copy sees the same load order, so exactly one guards. */
int fg_realsym_other_copy(void);

/* The real JNI_CreateJavaVM / JNI_GetCreatedJavaVMs of the loaded libjvm (any
 * object exporting them but a copy of forkguard, libjvm.so preferred), NULL
 * when no JVM library is loaded. Not async-signal-safe (dl_iterate_phdr). */
fg_create_vm_fn fg_realsym_create_vm(void);
fg_get_vms_fn fg_realsym_get_vms(void);

#endif
