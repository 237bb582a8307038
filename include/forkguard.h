/* forkguard public API.
 *
 * Callable from C, or from any language through dlsym(RTLD_DEFAULT, ...) or
 * ctypes.CDLL(None) when libforkguard.so is preloaded. All three functions are
 * async-signal-safe and never fail. */
#ifndef FORKGUARD_H
#define FORKGUARD_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* PID of the process that created the JVM in this process's lineage (the
 * process itself, or the ancestor it was forked from); 0 when no JVM was
 * created in this lineage. */
pid_t forkguard_jvm_owner(void);

/* 1 only in the owning process while its JVM lives; 0 otherwise, in particular
 * in every forked child of the owner. */
int forkguard_jvm_usable(void);

/* Version string, for example "0.2.0". */
const char *forkguard_version(void);

#ifdef __cplusplus
}
#endif

#endif
