#include "fork_site.h"

struct fg_fork_site *fg_fork_site_here(void)
{
    return fg.fork_site();
}
