/* Stress host: a JVM-owning process forks FORKS times while its other threads
 * keep the places a forked child can trip on busy:
 *   - two JNI threads: one allocating (byte arrays, strings, object arrays,
 *     FindClass), one calling System.gc() in a loop (safepoints, GC threads);
 *   - a loader thread: dl_iterate_phdr and dladdr in a tight loop, plus malloc
 *     and free (dl_iterate_phdr holds dl_load_write_lock, which glibc 2.36
 *     does not reset in a child: a child that took it would hang);
 *   - a C++ thread throwing and catching exceptions (throw.cc).
 * Every child calls FindClass at once; under forkguard (block mode) it must be
 * reported and die by SIGABRT. The parent waits for each child with
 * pidfd_open+poll and a bound (STRESS_CHILD_MS, default 5000): a child still
 * alive then is a hang, is killed with SIGKILL and counted.
 *
 * Usage: host FORKS, with STRESS_MAX_HANGS (default 20), STRESS_ON_HANG
 * (below), STRESS_FORKERS (threads forking at once, default 1) and
 * STRESS_THREADS (which busy threads run, default "alloc,gc,dl,cxx"). Prints
 * a "stress: forks=..." summary line (and a line per child that did not die
 * by SIGABRT in time); run.sh judges. Linked with -ljvm. */
#include <dlfcn.h>
#include <errno.h>
#include <jni.h>
#include <link.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

long stress_throw_catch(int times); /* throw.cc */

static JavaVM *vm;
static JNIEnv *env;
static volatile int stop;
static volatile long n_alloc, n_gc, n_dl, n_cxx;

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static JNIEnv *attach(void)
{
    JNIEnv *e = NULL;
    if ((*vm)->AttachCurrentThread(vm, (void **)&e, NULL) != JNI_OK) {
        fprintf(stderr, "stress: AttachCurrentThread failed\n");
        exit(93);
    }
    return e;
}

static void *alloc_thread(void *arg)
{
    JNIEnv *e = attach();
    jclass obj = (*e)->FindClass(e, "java/lang/Object");
    (void)arg;
    while (!stop) {
        jbyteArray a = (*e)->NewByteArray(e, 1 << 16);
        jstring s = (*e)->NewStringUTF(e, "a string that lives in the Java heap");
        jobjectArray o = (*e)->NewObjectArray(e, 256, obj, s);
        jclass c = (*e)->FindClass(e, "java/util/HashMap");
        (*e)->DeleteLocalRef(e, a);
        (*e)->DeleteLocalRef(e, s);
        (*e)->DeleteLocalRef(e, o);
        (*e)->DeleteLocalRef(e, c);
        n_alloc++;
    }
    (*vm)->DetachCurrentThread(vm);
    return NULL;
}

static void *gc_thread(void *arg)
{
    JNIEnv *e = attach();
    jclass sys = (*e)->FindClass(e, "java/lang/System");
    jmethodID gc = (*e)->GetStaticMethodID(e, sys, "gc", "()V");
    (void)arg;
    while (!stop) {
        (*e)->CallStaticVoidMethod(e, sys, gc);
        n_gc++;
        usleep(20000);
    }
    (*vm)->DetachCurrentThread(vm);
    return NULL;
}

static int count_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)info;
    (void)size;
    ++*(int *)data;
    return 0;
}

static void *dl_thread(void *arg)
{
    (void)arg;
    while (!stop) {
        Dl_info info;
        int objects = 0;
        void *p = malloc(64 + (size_t)(n_dl % 4096));
        dl_iterate_phdr(count_object, &objects);
        dladdr((void *)dl_thread, &info);
        dladdr((void *)printf, &info);
        dladdr((void *)(*env)->FindClass, &info);
        free(p);
        n_dl++;
    }
    return NULL;
}

static void *cxx_thread(void *arg)
{
    (void)arg;
    while (!stop)
        n_cxx += stress_throw_catch(100);
    return NULL;
}

/* 500 MB in 1 MB arrays, then System.gc(): only a JVM whose threads are alive
 * gets through this. */
static int parent_works(JNIEnv *e)
{
    jclass sys = (*e)->FindClass(e, "java/lang/System");
    jmethodID gc = (*e)->GetStaticMethodID(e, sys, "gc", "()V");
    int i;
    for (i = 0; i < 500; i++) {
        jbyteArray a = (*e)->NewByteArray(e, 1 << 20);
        if (!a)
            return 0;
        (*e)->DeleteLocalRef(e, a);
    }
    (*e)->CallStaticVoidMethod(e, sys, gc);
    return !(*e)->ExceptionCheck(e);
}

/* STRESS_ON_HANG="gdb -p {} ...": a shell command run on the first two hung
 * children, before they are killed, to show where they are stuck; every {}
 * becomes the child's pid. */
static void inspect(pid_t pid, int nth)
{
    const char *fmt = getenv("STRESS_ON_HANG"), *p;
    char cmd[2048];
    size_t n = 0;
    if (!fmt || !*fmt || nth > 2)
        return;
    for (p = fmt; *p && n + 16 < sizeof cmd; p++) {
        if (p[0] == '{' && p[1] == '}') {
            n += (size_t)snprintf(cmd + n, sizeof cmd - n, "%d", (int)pid);
            p++;
        } else {
            cmd[n++] = *p;
        }
    }
    cmd[n] = '\0';
    fflush(stdout);
    if (system(cmd) != 0)
        printf("stress: STRESS_ON_HANG command failed\n");
    fflush(stdout);
}

static void child(void)
{
    static const char msg[] = "stress: child survived FindClass\n";
    (*env)->FindClass(env, "java/lang/String");
    if (write(1, msg, sizeof msg - 1) < 0)
        _exit(98);
    _exit(99);
}

/* The fork loop, run by STRESS_FORKERS threads at once (default 1). */
static int forks_wanted, bound_ms, max_hangs;
static int next_fork, done, hangs, aborted, other, slow;
static long long longest_us, total_us;
static pthread_mutex_t tally = PTHREAD_MUTEX_INITIALIZER;

static void *forker(void *arg)
{
    (void)arg;
    for (;;) {
        long long t0, dt;
        int status = 0, fd, ready, i;
        pid_t pid;
        pthread_mutex_lock(&tally);
        i = next_fork++;
        if (i >= forks_wanted || hangs >= max_hangs) {
            pthread_mutex_unlock(&tally);
            return NULL;
        }
        pthread_mutex_unlock(&tally);
        t0 = now_us();
        pid = fork();
        if (pid == 0)
            child();
        if (pid < 0) {
            printf("stress: fork failed: %s\n", strerror(errno));
            return NULL;
        }
        fd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0) {
            printf("stress: pidfd_open failed: %s\n", strerror(errno));
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return NULL;
        }
        struct pollfd p = {fd, POLLIN, 0};
        do
            ready = poll(&p, 1, bound_ms);
        while (ready < 0 && errno == EINTR);
        dt = now_us() - t0;
        if (ready == 0) {
            printf("stress: child %d (pid %d) hung: alive after %d ms, killed\n", i, (int)pid,
                   bound_ms);
            pthread_mutex_lock(&tally);
            ready = ++hangs; /* reused below as "was a hang" */
            pthread_mutex_unlock(&tally);
            inspect(pid, ready);
            kill(pid, SIGKILL);
            ready = 0;
        }
        waitpid(pid, &status, 0);
        close(fd);
        pthread_mutex_lock(&tally);
        done++;
        if (ready != 0) {
            total_us += dt;
            if (dt > longest_us)
                longest_us = dt;
            if (dt >= 400000)
                slow++;
        }
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT) {
            aborted++;
        } else if (ready != 0 && ++other <= 5) {
            if (WIFSIGNALED(status))
                printf("stress: child %d (pid %d) died by signal %d\n", i, (int)pid,
                       WTERMSIG(status));
            else
                printf("stress: child %d (pid %d) exited %d\n", i, (int)pid,
                       WEXITSTATUS(status));
        }
        pthread_mutex_unlock(&tally);
    }
}

static int wanted(const char *thread)
{
    const char *list = getenv("STRESS_THREADS");
    return !list || strstr(list, thread) != NULL;
}

int main(int argc, char **argv)
{
    int nforkers = getenv("STRESS_FORKERS") ? atoi(getenv("STRESS_FORKERS")) : 1;
    int i, started[4] = {0};
    long long start = now_us();
    pthread_t t[4], f[16];
    void *(*const bodies[4])(void *) = {alloc_thread, gc_thread, dl_thread, cxx_thread};
    static const char *const names[4] = {"alloc", "gc", "dl", "cxx"};
    JavaVMInitArgs args;
    JavaVMOption opts[1];

    forks_wanted = argc > 1 ? atoi(argv[1]) : 1000;
    bound_ms = getenv("STRESS_CHILD_MS") ? atoi(getenv("STRESS_CHILD_MS")) : 5000;
    /* Past this many hangs the run stops: the answer is known, and each hang
     * costs a whole bound. */
    max_hangs = getenv("STRESS_MAX_HANGS") ? atoi(getenv("STRESS_MAX_HANGS")) : 20;
    if (nforkers < 1 || nforkers > 16)
        nforkers = 1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    memset(&args, 0, sizeof args);
    opts[0].optionString = "-Xmx1g";
    args.version = JNI_VERSION_1_8;
    args.nOptions = 1;
    args.options = opts;
    if (JNI_CreateJavaVM(&vm, (void **)&env, &args) != JNI_OK) {
        printf("stress: JNI_CreateJavaVM failed\n");
        return 92;
    }
    for (i = 0; i < 4; i++)
        if (wanted(names[i]))
            started[i] = pthread_create(&t[i], NULL, bodies[i], NULL) == 0;
    usleep(200000); /* every thread in its loop before the first fork */

    for (i = 0; i < nforkers; i++)
        pthread_create(&f[i], NULL, forker, NULL);
    for (i = 0; i < nforkers; i++)
        pthread_join(f[i], NULL);
    stop = 1;
    for (i = 0; i < 4; i++)
        if (started[i])
            pthread_join(t[i], NULL);
    printf("stress: threads alloc=%ld gc=%ld dl=%ld cxx=%ld forkers=%d\n", n_alloc, n_gc, n_dl,
           n_cxx, nforkers);
    printf("stress: forks=%d hangs=%d sigabrt=%d other=%d longest_ms=%lld mean_ms=%.1f "
           "slow_ge_400ms=%d wall_s=%.1f\n",
           done, hangs, aborted, other, longest_us / 1000,
           done - hangs > 0 ? (double)total_us / 1000.0 / (done - hangs) : 0.0, slow,
           (double)(now_us() - start) / 1e6);
    printf("parent: works=%d\n", parent_works(env));
    return 0;
}
