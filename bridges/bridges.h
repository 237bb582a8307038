/* Language bridges (JPype, rJava, rjb): what forkguard does so that their own
 * housekeeping in a forked child stays silent and harmless.
 *
 * A bridge calls JNI for bookkeeping the user never sees: type checks, GC
 * hooks, import hooks, finalizers of inherited objects. In a forked child
 * those calls must neither be refused nor reported; only real use of Java is.
 * Each bridge already has a state meaning "Java is gone from this process"
 * (JPype after its JVM shut down, rJava after System.exit, ...); forkguard
 * puts the child into that state through the bridge's own exported symbols,
 * found in the parent when the bridge creates the JVM. When a symbol is not
 * found (another version), the child is guarded as any C host: it still fails
 * fast, only less quietly. */
#ifndef FG_BRIDGES_H
#define FG_BRIDGES_H

#include "../preload/host.h"

/* Parent, right after JNI_CreateJavaVM succeeded: recognises the bridge from
 * `creator`, the path of the object that called JNI_CreateJavaVM, and
 * resolves what its child will need. Block mode only; a no-op otherwise. */
void fg_bridges_detect(const char *creator);

/* Parent, after the owner is published: what needs the bridge's own runtime
 * (JPype's wrappers, through CPython's API, which may let other threads run).
 * A child forked before it is done is guarded as a C host's would be. */
void fg_bridges_install(void);

enum fg_bridge fg_bridges_current(void);

/* Child of the owner, block mode, right after the tables are poisoned: puts
 * the bridge into its "Java is gone" state. Writes only the bridge's own
 * variables (memory this child owns) and calls nothing that locks. */
void fg_bridges_stand_down_sigsafe(void);

/* Whether a refused AttachCurrentThread should stay silent: true for a bridge
 * that ignores the attach's result and uses the env it gets anyway (rjb), so
 * the report is written at its first real JNIEnv call instead, and its
 * finalizers (attach, DeleteGlobalRef) stay quiet. */
int fg_bridges_attach_is_silent(void);

#endif
