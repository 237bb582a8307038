/* Looks things up from its constructor. liba/libb/libctor constructors run
 * before libforkguard's (run.sh checks the order with LD_DEBUG=init), so
 * forkguard's dlsym entry sees its real-function pointers still unset. */
#include <dlfcn.h>
#include <stdio.h>

typedef const char *(*probe_fn)(void);
static char results[256];

__attribute__((constructor)) static void ctor_lookup(void)
{
    probe_fn next = (probe_fn)dlsym(RTLD_NEXT, "probe_name");
    probe_fn dflt = (probe_fn)dlsym(RTLD_DEFAULT, "probe_name");
    void *vputs = dlvsym(RTLD_NEXT, "puts", "GLIBC_2.2.5");
    void *missing = dlsym(RTLD_NEXT, "no_such_symbol_ctor");
    const char *err = dlerror();
    snprintf(results, sizeof results, "next=%s default=%s vputs=%s missing=%s err=%s",
             next ? next() : "(null)", dflt ? dflt() : "(null)", vputs ? "found" : "(null)",
             missing ? "found" : "(null)", err ? err : "(null)");
}

const char *ctor_results(void)
{
    return results;
}
