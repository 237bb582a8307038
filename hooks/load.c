/* The library's constructor: the core's set-up, then the fork handlers. Here
 * rather than in preload/ because the handlers are hooks. */
#include "fork.h"
#include "../preload/init.h"

__attribute__((constructor)) static void fg_load(void)
{
    if (fg_init_load())
        fg_fork_install();
}
