/* Built three times: libb.so (-DNAME='"b"'), libd.so ("d", only dlopen'ed)
 * and liba.so ("a", -DPROBE_NEXT). All define probe_name(), so which one a
 * lookup finds shows where it searched from. */
#include <dlfcn.h>

typedef const char *(*probe_fn)(void);

const char *probe_name(void)
{
    return NAME;
}

#ifdef D_ONLY
int probe_name_d_only = 1; /* dlopen'ed RTLD_LOCAL: RTLD_DEFAULT must not see it */
#endif

#ifdef PROBE_NEXT
/* The result goes through an empty asm so gcc cannot turn the dlsym call
 * into a tail jump: the caller glibc sees must be this library. */
static void *used(void *p)
{
    __asm__ volatile("" : "+r"(p));
    return p;
}

/* Must be libb's: the next definition after liba, not liba's own (what a
 * dlsym wrapper that calls the real one would make glibc find). */
const char *next_probe(void)
{
    probe_fn f = (probe_fn)dlsym(RTLD_NEXT, "probe_name");
    return f ? f() : "(null)";
}

void *a_next(const char *name)
{
    return used(dlsym(RTLD_NEXT, name));
}

void *a_vnext(const char *name, const char *version)
{
    return used(dlvsym(RTLD_NEXT, name, version));
}
#endif
