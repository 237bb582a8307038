/* Benchmark host embedding a JVM (linked with -ljvm, like an engine would).
 *
 *   jvmhost jni N CHUNKS WARMUP
 *       after WARMUP calls, times N calls of each JNI kind in CHUNKS equal
 *       chunks; prints "jni KIND FASTEST_CHUNK_NS_PER_CALL MEAN_NS_PER_CALL"
 *   jvmhost fork N MB THREADS
 *       keeps MB megabytes of Java heap live, tops the process up to THREADS
 *       threads, forks N times; prints "threads", "rss_mb", "sched" and then
 *       "fork PARENT_NS CHILD_NS CHILD_CPU_NS COW_NS FAULTS COW_FAULTS" per
 *       fork: from before fork() to its return in the parent, and to the
 *       child's first line; the child's own CPU time at its first line (its
 *       clock starts at 0 when the kernel creates it, so this is everything
 *       the child ran before main's next line: glibc's and any preloaded
 *       library's child work, copy-on-write faults included, and never
 *       negative); the time the child then takes to write one byte into a
 *       page of a big mapping it inherited: one copy-on-write fault, the
 *       floor of any child-side work; the page faults the child took before
 *       its first line, and those of that one write (1)
 *
 * Both modes first print "create_ms MS", the time JNI_CreateJavaVM took.
 * BENCH_CLASSPATH: where FgBench.class is; BENCH_JVM_OPTS: extra JVM options,
 * space-separated. Under callgrind --collect-atstart=no, only the measured
 * code of this thread is counted, and each measurement dumps a profile named
 * after it (jni: one per kind; fork: fork_parent and fork_child per fork);
 * with collection on from the start, the "create" profile holds JVM creation.
 * BENCH_CHILD_MARK=1: each child's first act is access(CHILD_MARK), so that
 * a system call trace (strace -ff) shows where the child's first line is. */
#include <errno.h>
#include <jni.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#endif

static JavaVM *vm;
static JNIEnv *env;
static jclass bench_class;
static volatile jint sink;

static __attribute__((noreturn)) void die(const char *what)
{
    fprintf(stderr, "jvmhost: %s\n", what);
    if (env && (*env)->ExceptionCheck(env))
        (*env)->ExceptionDescribe(env);
    exit(2);
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The calling thread's CPU time: in a fresh child, all it has run so far. */
static int64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Page faults the calling thread has taken: in a fresh child, since the
 * kernel created it (the count starts at zero there too). */
static long thread_faults(void)
{
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    return ru.ru_minflt + ru.ru_majflt;
}

static void start_jvm(void)
{
    JavaVMOption opts[32];
    JavaVMInitArgs args;
    static char cp[4096];
    const char *dir = getenv("BENCH_CLASSPATH");
    char *spec = strdup(getenv("BENCH_JVM_OPTS") ? getenv("BENCH_JVM_OPTS") : "");
    char *tok, *save = NULL;
    int64_t t0;
    int n = 0;
    snprintf(cp, sizeof cp, "-Djava.class.path=%s", dir ? dir : ".");
    opts[n++].optionString = cp;
    for (tok = strtok_r(spec, " ", &save); tok && n < 32; tok = strtok_r(NULL, " ", &save))
        opts[n++].optionString = tok;
    memset(&args, 0, sizeof args);
    args.version = JNI_VERSION_1_8;
    args.nOptions = n;
    args.options = opts;
    args.ignoreUnrecognized = JNI_FALSE;
    t0 = now_ns();
    if (JNI_CreateJavaVM(&vm, (void **)&env, &args) != JNI_OK)
        die("JNI_CreateJavaVM failed");
    printf("create_ms %.3f\n", (double)(now_ns() - t0) / 1e6);
    CALLGRIND_DUMP_STATS_AT("create"); /* what JVM creation cost, under callgrind */
    bench_class = (*env)->FindClass(env, "FgBench");
    if (!bench_class)
        die("class FgBench not found (BENCH_CLASSPATH)");
}

static jmethodID static_method(const char *name, const char *sig)
{
    jmethodID m = (*env)->GetStaticMethodID(env, bench_class, name, sig);
    if (!m)
        die(name);
    return m;
}

/* The loops: each one call per iteration through the env's table, as a host
 * makes them; noinline so callgrind and the timer see exactly this. */
static __attribute__((noinline)) jint loop_getversion(long n)
{
    jint acc = 0;
    for (long i = 0; i < n; i++)
        acc += (*env)->GetVersion(env);
    return acc;
}

static __attribute__((noinline)) jint loop_callstatic(long n, jmethodID m)
{
    jint acc = 0;
    for (long i = 0; i < n; i++) {
        acc += (*env)->CallStaticIntMethod(env, bench_class, m, (jint)i);
        /* JNI requires the check after a Java call (-Xcheck:jni warns). */
        if ((*env)->ExceptionCheck(env))
            break;
    }
    return acc;
}

static __attribute__((noinline)) jint loop_arraylength(long n, jarray a)
{
    jint acc = 0;
    for (long i = 0; i < n; i++)
        acc += (*env)->GetArrayLength(env, a);
    return acc;
}

enum kind { GETVERSION, CALLSTATIC, ARRAYLENGTH, KINDS };
static const char *const kind_names[KINDS] = {"getversion", "callstatic", "arraylength"};

static jint run_loop(enum kind k, long n, jmethodID m, jarray a)
{
    switch (k) {
    case GETVERSION:
        return loop_getversion(n);
    case CALLSTATIC:
        return loop_callstatic(n, m);
    default:
        return loop_arraylength(n, a);
    }
}

static void bench_jni(long n, long chunks, long warmup)
{
    jmethodID trivial = static_method("trivial", "(I)I");
    jarray array = (*env)->NewIntArray(env, 16);
    long per_chunk = n / chunks, c;
    enum kind k;
    if (!array)
        die("NewIntArray failed");
    for (k = 0; k < KINDS; k++) {
        int64_t best = INT64_MAX, total = 0;
        sink += run_loop(k, warmup, trivial, array);
        CALLGRIND_ZERO_STATS;
        for (c = 0; c < chunks; c++) {
            int64_t t0 = now_ns();
            CALLGRIND_TOGGLE_COLLECT;
            sink += run_loop(k, per_chunk, trivial, array);
            CALLGRIND_TOGGLE_COLLECT;
            t0 = now_ns() - t0;
            total += t0;
            if (t0 < best)
                best = t0;
        }
        CALLGRIND_DUMP_STATS_AT(kind_names[k]);
        if ((*env)->ExceptionCheck(env))
            die("exception in the call loop");
        /* The fastest chunk: the cost of the calls themselves, least
         * disturbed by whatever else the machine runs. */
        printf("jni %s %.3f %.3f\n", kind_names[k], (double)best / (double)per_chunk,
               (double)total / (double)(per_chunk * chunks));
    }
}

static long status_field(const char *field)
{
    char line[256];
    long v = -1;
    size_t len = strlen(field);
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, len) == 0 && line[len] == ':')
            v = strtol(line + len + 1, NULL, 10);
    fclose(f);
    return v;
}

/* The forking thread runs SCHED_FIFO on one CPU, and its children (back to
 * SCHED_OTHER through SCHED_RESET_ON_FORK) on that CPU too: a child then runs
 * exactly when the parent waits for it. Otherwise a child either preempts the
 * parent inside fork() (its exit, tearing down a 250 MB address space, lands
 * in the parent's figure) or waits for another virtual CPU to wake up: both
 * swamp microsecond differences. Needs CAP_SYS_NICE; without it, returns 0
 * and the default scheduling is measured. */
static int isolate_forks(void)
{
    struct sched_param sp = {.sched_priority = 1};
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) != 0)
        return 0;
    if (sched_setaffinity(0, sizeof one, &one) != 0) {
        sp.sched_priority = 0;
        sched_setscheduler(0, SCHED_OTHER, &sp);
        return 0;
    }
    return 1;
}

#define CHILD_MARK "/forkguard-bench: the child's first line"
#define FIELDS 5 /* what each child reports, see bench_fork */
#define COW_MB 8 /* what a fault costs does not depend on it; fork()'s time does */
#define PAGE 4096

/* The floor of child-side work: a mapping of COW_MB, every page written in
 * the parent, small pages only (a huge page would make the child's first
 * write a different, rarer kind of fault). Each child writes one byte into
 * one of its pages; fork() write-protects the page in both processes, so
 * that write is exactly one copy-on-write fault. */
static volatile char *cow_map(void)
{
    char *p = mmap(NULL, (size_t)COW_MB << 20, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        die("mmap of the copy-on-write probe failed");
    madvise(p, (size_t)COW_MB << 20, MADV_NOHUGEPAGE);
    memset(p, 1, (size_t)COW_MB << 20);
    return p;
}

static void bench_fork(int n, int mb, int threads)
{
    jmethodID allocate = static_method("allocate", "(I)I");
    jmethodID start_threads = static_method("startThreads", "(I)I");
    int mark = getenv("BENCH_CHILD_MARK") != NULL;
    volatile char *cow = cow_map();
    int64_t *child_ts;
    long have;
    int i, spins;

    (*env)->CallStaticIntMethod(env, bench_class, allocate, (jint)mb);
    if ((*env)->ExceptionCheck(env))
        die("allocate failed");
    have = status_field("Threads");
    if (have < threads) {
        (*env)->CallStaticIntMethod(env, bench_class, start_threads, (jint)(threads - have));
        if ((*env)->ExceptionCheck(env))
            die("startThreads failed");
    }
    for (spins = 0; spins < 200 && status_field("Threads") < threads; spins++)
        usleep(10000);
    printf("threads %ld\nrss_mb %ld\n", status_field("Threads"), status_field("VmRSS") / 1024);

    printf("sched %s\n", isolate_forks() ? "fifo-pinned" : "default");
    /* The child's figures, written by the child into shared memory. */
    child_ts = mmap(NULL, (size_t)n * FIELDS * sizeof *child_ts, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (child_ts == MAP_FAILED)
        die("mmap failed");
    memset(child_ts, 0, (size_t)n * FIELDS * sizeof *child_ts);
    for (i = 0; i < n; i++) {
        int64_t t0, t1;
        int status;
        pid_t pid;
        /* Under callgrind: one profile of each side, from before fork() to
         * the parent's return and to the child's first line. */
        CALLGRIND_ZERO_STATS;
        CALLGRIND_TOGGLE_COLLECT;
        t0 = now_ns();
        pid = fork();
        if (pid == 0) {
            /* The child's first line. Both clocks are read before anything
             * is stored: the first store into the shared page faults. */
            int64_t first, cpu, c0, c1;
            long faults;
            if (mark)
                access(CHILD_MARK, F_OK);
            first = now_ns();
            cpu = cpu_ns();
            faults = thread_faults();
            CALLGRIND_TOGGLE_COLLECT;
            CALLGRIND_DUMP_STATS_AT("fork_child");
            c0 = now_ns();
            cow[(size_t)(i % ((COW_MB << 20) / PAGE)) * PAGE] = 2;
            c1 = now_ns();
            child_ts[FIELDS * i + 4] = thread_faults() - faults; /* the probe's: 1 */
            child_ts[FIELDS * i + 2] = c1 - c0;
            child_ts[FIELDS * i + 3] = faults;
            child_ts[FIELDS * i] = first;
            child_ts[FIELDS * i + 1] = cpu;
            _exit(0);
        }
        t1 = now_ns();
        CALLGRIND_TOGGLE_COLLECT;
        CALLGRIND_DUMP_STATS_AT("fork_parent");
        if (pid < 0)
            die("fork failed");
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            die("a forked child did not exit 0");
        printf("fork %lld %lld %lld %lld %lld %lld\n", (long long)(t1 - t0),
               (long long)(child_ts[FIELDS * i] - t0), (long long)child_ts[FIELDS * i + 1],
               (long long)child_ts[FIELDS * i + 2], (long long)child_ts[FIELDS * i + 3],
               (long long)child_ts[FIELDS * i + 4]);
    }
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "jni") == 0) {
        start_jvm();
        bench_jni(atol(argv[2]), atol(argv[3]), atol(argv[4]));
    } else if (argc == 5 && strcmp(argv[1], "fork") == 0) {
        start_jvm();
        bench_fork(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    } else {
        fprintf(stderr, "usage: jvmhost jni N CHUNKS WARMUP | jvmhost fork N MB THREADS\n");
        return 2;
    }
    fflush(stdout);
    /* The JVM's threads are still running: leave without DestroyJavaVM. */
    _exit(0);
}
