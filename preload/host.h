/* Which kind of program embeds the JVM, for the report's "fix" line. Decided in
 * the parent when the JVM is created (reads /proc/self/cmdline). */
#ifndef FG_HOST_H
#define FG_HOST_H

#include "state.h"

#include <stddef.h>

/* Classifies a NUL-separated argument vector of `len` bytes. */
enum fg_host fg_host_classify(const char *args, size_t len);
void fg_host_detect(void);
const char *fg_host_name(enum fg_host host);
const char *fg_host_fix(enum fg_host host);

#endif
