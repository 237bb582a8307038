/* Resolution of the real functions forkguard stands in front of. */
#ifndef FG_REALSYM_H
#define FG_REALSYM_H

#include "state.h"

/* Fills fg.real's libc entries. Idempotent; called by the constructor, and by
 * the dlsym entry stub if another library's constructor calls dlsym first. */
void fg_realsym_init(void);

/* The real JNI_CreateJavaVM / JNI_GetCreatedJavaVMs of the loaded libjvm (any
 * object but forkguard exporting them, libjvm.so preferred), NULL when no JVM
 * library is loaded. Not async-signal-safe (dl_iterate_phdr). */
fg_create_vm_fn fg_realsym_create_vm(void);
fg_get_vms_fn fg_realsym_get_vms(void);

#endif
