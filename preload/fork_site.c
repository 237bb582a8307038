#include "fork_site.h"
#include "child_text.h"

FG_CHILD_TEXT struct fg_fork_site *fg_fork_site_here(void)
{
    return fg.fork_site();
}
