/* dlsym pass-through cost: N lookups of each kind, timed in CHUNKS equal
 * chunks; prints "dlsym KIND FASTEST_CHUNK_NS_PER_CALL MEAN_NS_PER_CALL".
 *
 *   dlsymbench N CHUNKS
 *
 * Kinds: RTLD_DEFAULT and RTLD_NEXT lookups (forkguard's entry tail-jumps to
 * glibc), and a lookup in a library handle (forkguard's C filter runs after
 * glibc's lookup). Every name exists, so each call is a successful search.
 * Under callgrind --collect-atstart=no, each kind's timed lookups are counted
 * alone and dumped in a profile named after the kind. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#endif

static void *volatile sink;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static __attribute__((noinline)) void loop(void *handle, const char *name, long n)
{
    for (long i = 0; i < n; i++)
        sink = dlsym(handle, name);
}

int main(int argc, char **argv)
{
    struct {
        const char *kind;
        void *handle;
        const char *name;
    } kinds[3] = {
        {"default", RTLD_DEFAULT, "printf"},
        {"handle", NULL, "cos"},
        {"next", RTLD_NEXT, "printf"},
    };
    long n, chunks, per_chunk, c;
    int k;
    if (argc != 3) {
        fprintf(stderr, "usage: dlsymbench N CHUNKS\n");
        return 2;
    }
    n = atol(argv[1]);
    chunks = atol(argv[2]);
    per_chunk = n / chunks;
    kinds[1].handle = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL);
    for (k = 0; k < 3; k++) {
        int64_t best = INT64_MAX, total = 0;
        if (!kinds[k].handle && k == 1) {
            fprintf(stderr, "dlsymbench: dlopen libm.so.6: %s\n", dlerror());
            return 2;
        }
        if (!dlsym(kinds[k].handle, kinds[k].name)) {
            fprintf(stderr, "dlsymbench: %s lookup of %s failed\n", kinds[k].kind,
                    kinds[k].name);
            return 2;
        }
        loop(kinds[k].handle, kinds[k].name, per_chunk / 10); /* warm-up */
        CALLGRIND_ZERO_STATS;
        for (c = 0; c < chunks; c++) {
            int64_t t = now_ns();
            CALLGRIND_TOGGLE_COLLECT;
            loop(kinds[k].handle, kinds[k].name, per_chunk);
            CALLGRIND_TOGGLE_COLLECT;
            t = now_ns() - t;
            total += t;
            if (t < best)
                best = t;
        }
        CALLGRIND_DUMP_STATS_AT(kinds[k].kind);
        printf("dlsym %s %.3f %.3f\n", kinds[k].kind, (double)best / (double)per_chunk,
               (double)total / (double)(per_chunk * chunks));
    }
    return 0;
}
