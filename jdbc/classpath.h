/* Dynamic classpath: JDBC drivers from FORKGUARD_CLASSPATH, usable from any
 * caller, thread and context class loader, with DriverManager initialised
 * once, serially, before the host gets the JVM. */
#ifndef FG_CLASSPATH_H
#define FG_CLASSPATH_H

#include <jni.h>

/* On the creating thread, right after the real JNI_CreateJavaVM succeeded.
 * Every problem is reported by name and skipped; no Java exception is left
 * pending and no local reference leaks. */
void fg_classpath_inject(JavaVM *vm, JNIEnv *env);

#endif
