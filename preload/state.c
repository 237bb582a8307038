/* The one state struct (state.h says who writes it, and when). */
#include "state.h"

#include <stddef.h>

struct fg_state fg;

_Static_assert(offsetof(struct fg_state, real.dlsym) == 0, "dlsym_<arch>.S reads fg+0");
_Static_assert(offsetof(struct fg_state, real.dlvsym) == 8, "dlsym_<arch>.S reads fg+8");
