/* Which kind of program embeds the JVM, for the report's "fix" line. Decided in
 * the parent when the JVM is created: from the object that created it (JPype,
 * rJava, rjb, the java launcher), else from the interpreter runtimes loaded,
 * else from /proc/self/cmdline; servers that retitle their processes later
 * (puma, unicorn, uWSGI, gunicorn with setproctitle) cannot mislead it. */
#ifndef FG_HOST_H
#define FG_HOST_H

#include "state.h"

#include <stddef.h>

/* The language bridge that created the JVM, by the basename of the object
 * that called JNI_CreateJavaVM: the host kind and the bridge's child-side
 * handling (bridges/) both start from it. */
enum fg_bridge { FG_BRIDGE_NONE, FG_BRIDGE_JPYPE, FG_BRIDGE_RJAVA, FG_BRIDGE_RJB };
enum fg_bridge fg_bridge_of_creator(const char *creator);

/* Classifies a NUL-separated argument vector of `len` bytes. */
enum fg_host fg_host_classify(const char *args, size_t len);
/* `creator`: the path of the object that called JNI_CreateJavaVM, or NULL. */
void fg_host_detect(const char *creator);
const char *fg_host_name(enum fg_host host);
const char *fg_host_fix(enum fg_host host);

#endif
