/* libfglazy.so: linked into the child-path host without -z now, so the first
 * call of fglazy_probe's getpgrp binds lazily: the control child makes it, and
 * the LD_DEBUG=bindings check must see it. */
#include <unistd.h>

__attribute__((visibility("default"))) void fglazy_probe(void)
{
    (void)getpgrp();
}
