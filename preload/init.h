/* The core's set-up, called once when the stub loads it (hooks/core.c). */
#ifndef FG_INIT_H
#define FG_INIT_H

#include "stub_core.h"

/* Takes the stub's real functions, reads the configuration from its copies
 * of the FORKGUARD_* values, names the log and reports bad values. */
void fg_init_core(const struct fg_stub_view *view);

#endif
