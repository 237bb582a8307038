/* Turning forkguard's state into records on the log. */
#ifndef FG_REPORT_EMIT_H
#define FG_REPORT_EMIT_H

#include <stdint.h>
#include <sys/types.h>

enum fg_verdict {
    FG_VERDICT_KILL,   /* block, JNIEnv call: abort() or _exit(FORKGUARD_EXIT_CODE) */
    FG_VERDICT_REFUSE, /* block, JavaVM call: an error code to the caller */
    FG_VERDICT_PASS    /* warn: the real call follows */
};

/* A JNI use in a forked child of the owner. Writes the text header in one
 * write(2) before any unwinding, then the bounded backtraces (text), or one
 * JSON line after bounded unwinding. Async-signal-safe. `result` names what a
 * refused call returns ("JNI_ERR"). */
void fg_report_jni_sigsafe(const char *function, enum fg_verdict verdict, const char *result);

/* Python frames the interpreter's stack no longer shows but the report
 * should (the JPype adapter: frames an exception left before JPype's
 * exception object was made), innermost last; they end the next
 * fg_report_jni_sigsafe's Python block, and are then forgotten (`cut`:
 * outer ones among them were left out already). The lines
 * must stay valid until then. */
void fg_report_python_inner(const char *const *lines, int n, int cut);

/* In a forked child, first thing: a report another thread of the parent was
 * writing at fork() does not hold the child's frame buffer. */
void fg_report_reset_child_sigsafe(void);

/* FORKGUARD_ON_FORK=warn: the owner of a live JVM forked (child 0 when not
 * known). In the parent, after the fork; not for use in a child. */
void fg_report_fork(pid_t child, const uintptr_t *ips, int n);

/* A classpath injection problem (or FORKGUARD_CLASSPATH entry skipped): `line`
 * is the complete message. Parent only. */
void fg_report_classpath(const char *line);

/* Something the owner should know about its JVM (a JNI version newer than
 * forkguard knows): `line` is the complete message. Parent only. */
void fg_report_jvm_notice(const char *line);

/* A bad configuration value, at load: `line` is the complete message. */
void fg_report_config_error(const char *line);

#endif
