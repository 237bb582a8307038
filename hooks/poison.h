/* The child's JNI tables: replaced right after fork in a child of the owner. */
#ifndef FG_POISON_H
#define FG_POISON_H

#include <jni.h>

/* Slots in the JNIEnv table of a JVM whose GetVersion() returned `version`.
 * Never more than the table really has: writing past its end would corrupt
 * libjvm's data. */
unsigned fg_poison_env_slots(jint version);
/* The newest JNI version whose table size forkguard knows (JNI_VERSION_24). */
#define FG_JNI_VERSION_KNOWN 0x00180000

/* Overwrites the JNIEnv table (every slot but the 4 reserved ones) with the
 * per-slot stubs and points the JavaVM at a refusing invoke table; in block
 * mode also resets the signals whose handlers live in libjvm. Only memory the
 * child owns is written (the parent's pages are copy-on-write). No-op when
 * already done (grandchildren inherit the poisoned tables). */
void fg_poison_child_sigsafe(void);

/* The parent's half, just before a fork whose child will be poisoned: the
 * copy of the real table and the poisoned invoke table are written here, so
 * that the child writes as few pages as it can. Async-signal-safe. */
void fg_poison_prepare_parent_sigsafe(void);

/* In the parent when the JVM was created, before the owner is published:
 * the poisoned invoke table every child will point its JavaVM at. */
void fg_poison_after_creation(void);

/* Called by the stubs (hooks/stubs_<arch>.S) with the JNI caller's return
 * address: returns the function to run for JNIEnv slot `slot`, or never
 * returns (block). */
void *fg_env_enter_sigsafe(unsigned slot, const void *caller);

/* The real table's slot, saved in the child before poisoning (for warn mode
 * and tests). */
void *fg_poison_original(unsigned slot);

#endif
