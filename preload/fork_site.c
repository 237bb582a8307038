#include "fork_site.h"

__thread struct fg_fork_site fg_fork_site __attribute__((tls_model("initial-exec")));
