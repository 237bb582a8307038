/* The log destination: stderr or FORKGUARD_LOG, one write(2) per record. */
#ifndef FG_LOG_H
#define FG_LOG_H

#include <stddef.h>

/* Opens FORKGUARD_LOG at load. On failure returns a one-line reason in msg and
 * leaves stderr as the destination. */
int fg_log_open(const char *path, char *msg, size_t msg_size);

/* Writes one record with a single write(2) (retried only on EINTR or a short
 * write). Async-signal-safe. Falls back to stderr when the host closed the log
 * fd or reused its number for another file. */
void fg_log_write_sigsafe(const char *p, size_t n);

#endif
