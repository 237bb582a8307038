/* JPype in CPython: a report and a clear message for real Java use in a
 * forked child, where JPype itself refuses before any JNI call. */
#ifndef FG_JPYPE_ADAPTER_H
#define FG_JPYPE_ADAPTER_H

/* Parent, on the thread that created the JVM (JPype's startJVM), through
 * CPython's own API: makes jpype.JVMNotRunning, which JPype raises for every
 * Java use once its context stands down in a child, carry forkguard's message
 * there and write forkguard's report at the first such use. In the parent the
 * class behaves as before. Nothing at all without CPython's API. */
/* Returns 1 when the wrappers are in place for a JPype version whose
 * stand-down is known; 0 otherwise (children are then guarded as a C host's). */
int fg_jpype_adapter_install(void);

#endif
