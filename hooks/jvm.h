/* JNI_CreateJavaVM, the one entry point forkguard wraps, and what the core
 * knows of the JVM. */
#ifndef FG_HOOKS_JVM_H
#define FG_HOOKS_JVM_H

#include <jni.h>

#include <sys/types.h>

/* The stub's JNI_CreateJavaVM, in the core. `caller`: the return address
 * into the code that asked for the JVM; `found`: libjvm's function as the
 * host's dlsym found it, or NULL (then looked up). */
jint fg_jvm_create(JavaVM **pvm, void **penv, void *args, const void *caller, void *found);

/* The process that owns the JVM of this lineage, or 0. */
pid_t fg_jvm_owner(void);

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
