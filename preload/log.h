/* The log destination: stderr or FORKGUARD_LOG, one write(2) per record. */
#ifndef FG_LOG_H
#define FG_LOG_H

#include "log_path.h"

#include <stddef.h>

/* Writes one record with a single write(2) (retried only on EINTR, a short
 * write, or EAGAIN for a bounded time). Async-signal-safe. The log file is
 * opened by the first record (O_NOFOLLOW on every component of its path; an
 * existing file must be the process's own with one link), and reopened if
 * the host closed it or reused its number; a record goes to stderr when the
 * log cannot be opened or written. In the log file a record always starts a
 * line. */
void fg_log_write_sigsafe(const char *p, size_t n);

#endif
