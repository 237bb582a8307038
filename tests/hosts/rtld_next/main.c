/* Prints what every kind of dlsym/dlvsym lookup finds. run.sh runs it with
 * and without libforkguard preloaded and requires identical output: pointers
 * are shown as "object basename:symbol name" (addresses move with ASLR). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef const char *(*probe_fn)(void);
const char *probe_name(void);
const char *next_probe(void);
void *a_next(const char *name);
void *a_vnext(const char *name, const char *version);
const char *ctor_results(void);
extern int wrap_calls;

static const char *where(const void *p)
{
    static char buf[8][256];
    static int i;
    char *out = buf[i++ % 8];
    Dl_info info;
    const char *base;
    if (!p)
        return "NULL";
    if (!dladdr(p, &info) || !info.dli_fname)
        return "(unknown object)";
    base = strrchr(info.dli_fname, '/');
    base = base ? base + 1 : info.dli_fname;
    snprintf(out, 256, "%s:%s%s", *base ? base : "(main)",
             info.dli_sname ? info.dli_sname : "?", info.dli_saddr == p ? "" : "+off");
    return out;
}

/* The message glibc gives, or "(none)": it names the object the lookup was
 * made from, so a wrapper that called glibc would show up here. */
static const char *err(void)
{
    const char *e = dlerror();
    return e ? e : "(none)";
}

static void show_lookup(const char *what, void *p)
{
    const char *e = err();
    printf("%s: %s dlerror=%s\n", what, where(p), e);
}

static void *threads_probe(void *arg)
{
    int i;
    (void)arg;
    for (i = 0; i < 2000; i++)
        if (strcmp(next_probe(), "b") != 0)
            return (void *)1;
    return NULL;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    char path[4096];
    void *hb, *hd, *hmain, *hlibc, *p;
    int (*volatile atoi_p)(const char *) = atoi;
    pthread_t th[4];
    int i, bad = 0;

    printf("ctor: %s\n", ctor_results());
    printf("direct probe_name: %s\n", probe_name());
    printf("liba next_probe: %s\n", next_probe());
    p = dlsym(RTLD_NEXT, "probe_name");
    printf("main RTLD_NEXT probe_name: %s -> %s\n", where(p), p ? ((probe_fn)p)() : "-");
    p = dlsym(RTLD_DEFAULT, "probe_name");
    printf("RTLD_DEFAULT probe_name: %s -> %s\n", where(p), p ? ((probe_fn)p)() : "-");
    show_lookup("RTLD_DEFAULT puts", dlsym(RTLD_DEFAULT, "puts"));
    show_lookup("RTLD_DEFAULT printf", dlsym(RTLD_DEFAULT, "printf"));
    show_lookup("RTLD_DEFAULT missing", dlsym(RTLD_DEFAULT, "no_such_symbol_1"));
    printf("dlerror again: %s\n", err());
    show_lookup("RTLD_NEXT missing (main)", dlsym(RTLD_NEXT, "no_such_symbol_2"));
    show_lookup("RTLD_NEXT missing (liba)", a_next("no_such_symbol_3"));
    show_lookup("dlvsym RTLD_DEFAULT printf 2.2.5",
                dlvsym(RTLD_DEFAULT, "printf", "GLIBC_2.2.5"));
    show_lookup("dlvsym RTLD_DEFAULT printf bad version",
                dlvsym(RTLD_DEFAULT, "printf", "GLIBC_0.0"));
    show_lookup("liba RTLD_NEXT probe_name", a_next("probe_name"));
    show_lookup("liba dlvsym RTLD_NEXT puts 2.2.5", a_vnext("puts", "GLIBC_2.2.5"));
    show_lookup("liba dlvsym RTLD_NEXT dlsym 2.2.5", a_vnext("dlsym", "GLIBC_2.2.5"));
    show_lookup("liba dlvsym RTLD_NEXT dlsym 2.34", a_vnext("dlsym", "GLIBC_2.34"));
    show_lookup("liba dlvsym RTLD_NEXT missing", a_vnext("no_such_symbol_4", "GLIBC_2.2.5"));

    snprintf(path, sizeof path, "%s/libb.so", dir);
    hb = dlopen(path, RTLD_NOW);
    show_lookup("handle(libb) probe_name", dlsym(hb, "probe_name"));
    snprintf(path, sizeof path, "%s/libd.so", dir);
    hd = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    p = hd ? dlsym(hd, "probe_name") : NULL;
    printf("handle(libd) probe_name: %s -> %s\n", where(p), p ? ((probe_fn)p)() : "-");
    show_lookup("handle(libd) missing", dlsym(hd, "no_such_symbol_5"));
    show_lookup("handle(libd) dlvsym missing version", dlvsym(hd, "probe_name", "NOPE_1"));
    show_lookup("RTLD_DEFAULT libd-only (local)", dlsym(RTLD_DEFAULT, "probe_name_d_only"));
    hmain = dlopen(NULL, RTLD_NOW);
    p = dlsym(hmain, "probe_name");
    printf("handle(main) probe_name: %s -> %s\n", where(p), p ? ((probe_fn)p)() : "-");
    hlibc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    show_lookup("handle(libc) puts", dlsym(hlibc, "puts"));
    show_lookup("handle(libc) dlvsym dlsym 2.34", dlvsym(hlibc, "dlsym", "GLIBC_2.34"));
    show_lookup("handle(libc) dlvsym dlsym 2.2.5", dlvsym(hlibc, "dlsym", "GLIBC_2.2.5"));
    show_lookup("handle(libc) missing", dlsym(hlibc, "no_such_symbol_6"));

    for (i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, threads_probe, NULL);
    for (i = 0; i < 4; i++) {
        void *r;
        pthread_join(th[i], &r);
        bad += r != NULL;
    }
    printf("threads: %d of 4 saw another probe than b\n", bad);

    puts("puts through the interposer");
    /* Through a pointer: glibc's headers inline atoi as strtol when optimising. */
    printf("atoi(\"42\") through the interposer: %d\n", atoi_p("42"));
    printf("interposer calls: %d\n", wrap_calls);
    dlclose(hd);
    return 7; /* a distinctive status, compared too */
}
