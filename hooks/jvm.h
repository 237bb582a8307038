/* JNI_CreateJavaVM: the one entry point forkguard wraps, however it is reached. */
#ifndef FG_HOOKS_JVM_H
#define FG_HOOKS_JVM_H

#include <jni.h>

/* What dlsym/dlvsym hand out for "JNI_CreateJavaVM" found in a library
 * handle: `real` becomes the function the wrapper calls. */
void *fg_jvm_wrap_create(void *real);

/* 1 in the owning process while its JVM lives (libjvm reports no created VM
 * after DestroyJavaVM). Not async-signal-safe. */
int fg_jvm_alive(void);

/* Whether an address lies in the JDK's own native code: libjvm's executable
 * segments (recorded at creation) or a library of the JDK's lib directory
 * (libjava, libnio... loaded on demand). Async-signal-safe. */
int fg_jvm_owns_code(const void *addr);
/* The same for libjvm's own segments only, without dladdr (whose lock a
 * _Fork child may find held). */
int fg_jvm_owns_code_sigsafe(const void *addr);

#endif
