/* A C program embedding a JVM, the way engines linking libjvm do. Built twice:
 * linked with -ljvm, and (-DFG_HOST_DLOPEN) finding JNI_CreateJavaVM with
 * dlopen+dlsym like the java launcher and JPype. Each scenario prints what it
 * sees on stdout; the test scripts (run.sh) judge.
 *
 * Usage: host SCENARIO   with HOST_JVM_OPTS="-Xcheck:jni ..." and, for the
 * dlopen build, HOST_LIBJVM=/path/to/libjvm.so. */
#include <dlfcn.h>
#include <jni.h>

#include "../common/wait_child.h"
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

typedef jint (*create_fn)(JavaVM **, void **, void *);

static create_fn create_vm;
static JavaVM *vm;
static JNIEnv *env;

static void find_create(void)
{
#ifdef FG_HOST_DLOPEN
    const char *path = getenv("HOST_LIBJVM");
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        printf("dlopen failed: %s\n", dlerror());
        exit(90);
    }
    create_vm = getenv("HOST_DLVSYM")
                    ? (create_fn)dlvsym(h, "JNI_CreateJavaVM", "SUNWprivate_1.1")
                    : (create_fn)dlsym(h, "JNI_CreateJavaVM");
#else
    create_vm = JNI_CreateJavaVM;
#endif
    if (!create_vm) {
        printf("JNI_CreateJavaVM not found\n");
        exit(91);
    }
}

static jint start_jvm(void)
{
    JavaVMOption opts[8];
    JavaVMInitArgs args;
    char *spec = getenv("HOST_JVM_OPTS"), *copy, *tok, *save = NULL;
    int n = 0;
    copy = strdup(spec ? spec : "");
    for (tok = strtok_r(copy, " ", &save); tok && n < 8; tok = strtok_r(NULL, " ", &save))
        opts[n++].optionString = tok;
    memset(&args, 0, sizeof args);
    args.version = JNI_VERSION_1_8;
    args.nOptions = n;
    args.options = opts;
    args.ignoreUnrecognized = JNI_FALSE;
    return create_vm(&vm, (void **)&env, &args);
}

static void must_start(void)
{
    jint rc = start_jvm();
    if (rc != JNI_OK) {
        printf("JNI_CreateJavaVM failed: %d\n", rc);
        exit(92);
    }
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

static pid_t fork_child(void (*child)(void))
{
    pid_t pid;
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        child();
        _exit(0);
    }
    return pid;
}

static void child_findclass(void)
{
    jclass c = (*env)->FindClass(env, "java/lang/String");
    printf("child: FindClass returned %p\n", (void *)c);
    fflush(stdout);
    _exit(0);
}

/* GetVersion needs no VM state (HotSpot enters it without a thread-state
 * transition), so in a child it answers or is refused, but never hangs: the
 * deterministic probe for "was this child poisoned?". */
static void child_getversion(void)
{
    printf("child: GetVersion=0x%x\n", (unsigned)(*env)->GetVersion(env));
    fflush(stdout);
    _exit(0);
}

/* What bridges do for their own bookkeeping (JPype's frames around a type
 * check, rjb's and rJava's finalizers releasing references the parent made,
 * exception checks): answered in a guarded child without a report. Then one
 * real call, which must stop the child with a report naming it. */
static jobject parent_global;
static void child_housekeeping(void)
{
    jobject got;
    printf("child: GetVersion=0x%x\n", (unsigned)(*env)->GetVersion(env));
    printf("child: PushLocalFrame=%d\n", (int)(*env)->PushLocalFrame(env, 16));
    printf("child: EnsureLocalCapacity=%d\n", (int)(*env)->EnsureLocalCapacity(env, 8));
    printf("child: ExceptionCheck=%d\n", (int)(*env)->ExceptionCheck(env));
    printf("child: ExceptionOccurred=%p\n", (void *)(*env)->ExceptionOccurred(env));
    (*env)->ExceptionClear(env);
    (*env)->DeleteGlobalRef(env, parent_global);
    (*env)->DeleteLocalRef(env, parent_global);
    got = (*env)->PopLocalFrame(env, parent_global);
    printf("child: PopLocalFrame returns its argument=%d\n", got == parent_global);
    printf("child: housekeeping done\n");
    fflush(stdout);
    if (getenv("HOST_THEN_REAL"))
        (*env)->FindClass(env, "java/lang/String");
    _exit(0);
}

static void child_attach(void)
{
    JNIEnv *e = (JNIEnv *)0x1;
    jint rc = (*vm)->AttachCurrentThread(vm, (void **)&e, NULL);
    printf("child: AttachCurrentThread=%d env=%p\n", rc, (void *)e);
    rc = (*vm)->AttachCurrentThread(vm, (void **)&e, NULL);
    printf("child: AttachCurrentThread again=%d\n", rc);
    /* Like rjb, which ignores the code: the env it got must stop us cleanly. */
    if (e)
        (*e)->FindClass(e, "java/lang/Object");
    printf("child: used the refused env and survived\n");
}

static void child_create(void)
{
    JavaVM *v2 = NULL;
    JNIEnv *e2 = NULL;
    JavaVMInitArgs args;
    memset(&args, 0, sizeof args);
    args.version = JNI_VERSION_1_8;
    printf("child: JNI_CreateJavaVM=%d\n", create_vm(&v2, (void **)&e2, &args));
}

static void child_quiet(void)
{
    void *e = (void *)0x1;
    jint rc = (*vm)->GetEnv(vm, &e, JNI_VERSION_1_8);
    printf("child: GetEnv=%d env=%p\n", rc, e);
    printf("child: DestroyJavaVM=%d\n", (*vm)->DestroyJavaVM(vm));
    rc = (*vm)->AttachCurrentThread(vm, &e, NULL);
    printf("child: AttachCurrentThread after teardown=%d\n", rc);
    fflush(stdout);
    _exit(7);
}

static void grandchild(void)
{
    fgt_wait_child("grandchild", fork_child(child_findclass), 2000);
}

/* Threads that keep using JNI while the main thread forks and execs. */
static volatile int stop_threads;
static void *jni_worker(void *arg)
{
    JNIEnv *e;
    (void)arg;
    (*vm)->AttachCurrentThread(vm, (void **)&e, NULL);
    while (!stop_threads) {
        jclass c = (*e)->FindClass(e, "java/lang/Integer");
        jbyteArray a = (*e)->NewByteArray(e, 4096);
        (*e)->DeleteLocalRef(e, c);
        (*e)->DeleteLocalRef(e, a);
    }
    (*vm)->DetachCurrentThread(vm);
    return NULL;
}

/* forkguard's public API, looked up the way any language would. */
static void print_api(const char *who)
{
    pid_t (*owner)(void) = (pid_t(*)(void))dlsym(RTLD_DEFAULT, "forkguard_jvm_owner");
    int (*usable)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "forkguard_jvm_usable");
    const char *(*version)(void) =
        (const char *(*)(void))dlsym(RTLD_DEFAULT, "forkguard_version");
    if (!owner || !usable || !version) {
        printf("%s: forkguard API not found\n", who);
        return;
    }
    printf("%s: pid %d owner %d usable %d version %s\n", who, (int)getpid(), (int)owner(),
           usable(), version());
    fflush(stdout);
}

static void child_api(void)
{
    print_api("child");
}

extern char **environ;

/* posix_spawn and vfork children while JNI threads run: never flagged. */
static int spawn_children(void)
{
    volatile int bad = 0; /* survives vfork's shared stack */
    int i, status;
    char *argv[] = {"true", NULL};
    for (i = 0; i < 100; i++) {
        pid_t pid;
        if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) != 0) {
            bad++;
            continue;
        }
        waitpid(pid, &status, 0);
        bad += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        pid = vfork();
        if (pid == 0) {
            execv("/bin/true", argv);
            _exit(127);
        }
        waitpid(pid, &status, 0);
        bad += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    return bad;
}

/* Calls of every argument shape through the JNIEnv table (class Mix, see
 * tests/hosts/warn/Mix.java): variadic ints, longs and doubles, a double
 * result. Prints what it got, prefixed by `who`. */
static void mix_calls(const char *who)
{
    jclass mix = (*env)->FindClass(env, "Mix");
    jmethodID m1, m2;
    if (!mix) {
        printf("%s: class Mix not found\n", who);
        return;
    }
    m1 = (*env)->GetStaticMethodID(env, mix, "mix", "(IJD)I");
    m2 = (*env)->GetStaticMethodID(env, mix, "scale", "(DIDJ)D");
    printf("%s: mix=%d scale=%.6f\n", who,
           (int)(*env)->CallStaticIntMethod(env, mix, m1, (jint)7, (jlong)123456789012LL, 2.5),
           (double)(*env)->CallStaticDoubleMethod(env, mix, m2, 1.25, (jint)3, -0.5,
                                                  (jlong)-9000000000LL));
    fflush(stdout);
}

static void child_mix(void)
{
    mix_calls("child");
    _exit(0);
}

/* 50 children released at once through a pipe, each using JNI: their
 * reports land in one log concurrently. */
static void many_children(void)
{
    int go[2], i, status, dead = 0;
    pid_t pids[50];
    char c = 0;
    if (pipe(go) != 0)
        return;
    for (i = 0; i < 50; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            close(go[1]);
            if (read(go[0], &c, 1) < 0)
                _exit(3);
            (*env)->FindClass(env, "java/lang/String");
            _exit(0);
        }
    }
    close(go[0]);
    close(go[1]); /* EOF releases them all */
    for (i = 0; i < 50; i++) {
        waitpid(pids[i], &status, 0);
        dead += WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
    }
    printf("many: %d of 50 children aborted\n", dead);
}

static uint64_t table_digest(void)
{
    void **table = *(void ***)env;
    Dl_info base;
    uint64_t h = 1469598103934665603ull;
    int i, outside = 0;
    dladdr(table[4], &base);
    for (i = 4; i < 234; i++) {
        Dl_info info;
        /* Slots 96-103 (Get<Type>Field fast accessors) are generated at run
         * time outside libjvm: count them, leave them out of the digest. */
        if (!dladdr(table[i], &info) || strstr(info.dli_fname, "libjvm") == NULL) {
            outside++;
            continue;
        }
        h = (h ^ (uint64_t)((uintptr_t)table[i] - (uintptr_t)base.dli_fbase)) *
            1099511628211ull;
    }
    printf("table: %d slots outside libjvm\n", outside);
    return h;
}

int main(int argc, char **argv)
{
    const char *s = argc > 1 ? argv[1] : "findclass";
    int status;
    pid_t pid;
    setvbuf(stdout, NULL, _IOLBF, 0);
    find_create();

    if (strcmp(s, "child-creates") == 0) {
        pid = fork();
        if (pid == 0) {
            must_start();
            printf("child: created its own JVM, works=%d\n", parent_works(env));
            fflush(stdout);
            _exit(0);
        }
        waitpid(pid, &status, 0);
        fgt_print_status("child", status);
        return 0;
    }

    must_start();
    printf("parent: pid %d created the JVM\n", (int)getpid());
    if (strcmp(s, "findclass") == 0 || strcmp(s, "demo") == 0) {
        pid = fork_child(child_findclass);
    } else if (strcmp(s, "getversion") == 0) {
        pid = fork_child(child_getversion);
    } else if (strcmp(s, "housekeeping") == 0) {
        printf("parent: GetVersion=0x%x\n", (unsigned)(*env)->GetVersion(env));
        parent_global = (*env)->NewGlobalRef(env, (*env)->FindClass(env, "java/lang/String"));
        fflush(stdout);
        pid = fork_child(child_housekeeping);
    } else if (strcmp(s, "attach") == 0) {
        pid = fork_child(child_attach);
    } else if (strcmp(s, "create") == 0) {
        pid = fork_child(child_create);
    } else if (strcmp(s, "quiet") == 0) {
        pid = fork_child(child_quiet);
    } else if (strcmp(s, "grandchild") == 0) {
        pid = fork_child(grandchild);
    } else if (strcmp(s, "table") == 0) {
        uint64_t before = table_digest(), after;
        fgt_wait_child("child", fork_child(child_quiet), 2000);
        after = table_digest();
        printf("table: digest %016llx before fork, %016llx after\n", (unsigned long long)before,
               (unsigned long long)after);
        return 0;
    } else if (strcmp(s, "mix") == 0) {
        mix_calls("parent");
        pid = fork_child(child_mix);
    } else if (strcmp(s, "many") == 0) {
        many_children();
        return 0;
    } else if (strcmp(s, "api") == 0) {
        print_api("parent");
        fgt_wait_child("child", fork_child(child_api), 2000);
        printf("parent: DestroyJavaVM=%d\n", (*vm)->DestroyJavaVM(vm));
        print_api("parent after destroy");
        return 0;
    } else if (strcmp(s, "spawn") == 0) {
        pthread_t t[2];
        int bad;
        pthread_create(&t[0], NULL, jni_worker, NULL);
        pthread_create(&t[1], NULL, jni_worker, NULL);
        bad = spawn_children();
        stop_threads = 1;
        pthread_join(t[0], NULL);
        pthread_join(t[1], NULL);
        printf("spawn: %d of 200 children failed\n", bad);
        printf("parent: works=%d\n", parent_works(env));
        return 0;
    } else if (strcmp(s, "exec") == 0) {
        pthread_t t[2];
        int i, bad = 0;
        pthread_create(&t[0], NULL, jni_worker, NULL);
        pthread_create(&t[1], NULL, jni_worker, NULL);
        for (i = 0; i < 100; i++) {
            pid = fork();
            if (pid == 0) {
                execl("/bin/true", "true", (char *)NULL);
                _exit(127);
            }
            waitpid(pid, &status, 0);
            bad += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        stop_threads = 1;
        pthread_join(t[0], NULL);
        pthread_join(t[1], NULL);
        printf("exec: %d of 100 children failed\n", bad);
        printf("parent: works=%d\n", parent_works(env));
        return 0;
    } else {
        printf("unknown scenario %s\n", s);
        return 2;
    }
    /* The middle child of "grandchild" waits up to 2 s itself. */
    fgt_wait_child("child", pid, strcmp(s, "grandchild") == 0 ? 5000 : 2000);
    printf("parent: works=%d\n", parent_works(env));
    return 0;
}
