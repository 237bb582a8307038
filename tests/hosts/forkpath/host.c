/* Host for the fork-path suite: a JVM owner (linked with -ljvm and with
 * libfgearly.so) that forks in one of these situations and reports how the
 * child ended ("child: exit N", "child: signal N", or "child: timeout" when it
 * was still alive after 5 s and was killed).
 *
 * Usage: host SCENARIO
 *   slow-fork    another thread is inside a library constructor (libfgslow,
 *                holding the loader's lock) during the owner's first fork();
 *                the constructor is released when fork() has returned in the
 *                parent; the child _exit(0)s
 *   slow-rawfork the same through _Fork()
 *   slow-jni     after a first fork, a thread in the constructor while the
 *                owner calls _Fork();
 *                the child calls FindClass (block), GetVersion (warn:
 *                reported, passed through)
 *                and _exit(0)s; the constructor is released after the child
 *                has ended
 *   alrm         the child blocks SIGALRM, raises it (pending), uses JNI
 *                as above; if that returns (warn) it unblocks SIGALRM: its
 *                own handler must run once (exit 0), else exit 3
 *   atfork       libfgearly's atfork child handler (registered before
 *                libforkguard's) uses JNI as above in the child; the child
 *                then _exit(0)s
 *   refork       the child forks again through bad_cfi_fork (badcfi_*.S),
 *                a frame no unwinder can walk past: the fork site's walk
 *                faults in the child; the child must still fork, and exits
 *                0 when its own child exited 0
 *   badcfi       the owner itself forks through bad_cfi_fork: its fork
 *                site's walk faults, and the owner must go on */
#include <dlfcn.h>
#include <errno.h>
#include <jni.h>

#include "../common/wait_child.h"
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

pid_t _Fork(void);
pid_t bad_cfi_fork(void);
extern void (*fgearly_child_hook)(void);

static JavaVM *vm;
static JNIEnv *env;
static const char *slow_path;
static volatile sig_atomic_t alarms;

static void *slow_thread(void *arg)
{
    (void)arg;
    if (!dlopen(slow_path, RTLD_NOW))
        printf("host: dlopen %s: %s\n", slow_path, dlerror());
    return NULL;
}

static void on_alrm(int sig)
{
    (void)sig;
    alarms++;
}

/* Block mode refuses a real use (FindClass) before it reaches the JVM, and
 * answers bookkeeping such as GetVersion itself; warn passes every call
 * through, so there the call is GetVersion, which never blocks in a child. */
static void jni_in_child(void)
{
    const char *mode = getenv("FORKGUARD_MODE");
    if (mode && strcmp(mode, "warn") == 0)
        (*env)->GetVersion(env);
    else
        (*env)->FindClass(env, "java/lang/Object");
}

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void child_alrm(void)
{
    struct sigaction sa;
    sigset_t s;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alrm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    sigemptyset(&s);
    sigaddset(&s, SIGALRM);
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGALRM);
    jni_in_child();
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    _exit(alarms == 1 ? 0 : 3);
}

int main(int argc, char **argv)
{
    const char *s = argc > 1 ? argv[1] : "";
    JavaVMInitArgs args;
    pthread_t t;
    int ready[2], go[2], slow = strncmp(s, "slow-", 5) == 0;
    long long t0;
    pid_t pid;
    char c, num[16];

    setvbuf(stdout, NULL, _IOLBF, 0);
    slow_path = getenv("FG_SLOW_LIB");
    memset(&args, 0, sizeof args);
    args.version = JNI_VERSION_1_8;
    if (JNI_CreateJavaVM(&vm, (void **)&env, &args) != JNI_OK) {
        printf("host: JNI_CreateJavaVM failed\n");
        return 3;
    }
    if (strcmp(s, "slow-jni") == 0) {
        /* Not the first fork: whatever forkguard sets up at its first is done. */
        pid = fork();
        if (pid == 0)
            _exit(0);
        waitpid(pid, NULL, 0);
    }
    if (slow) {
        if (!slow_path || pipe(ready) != 0 || pipe(go) != 0)
            return 4;
        snprintf(num, sizeof num, "%d", ready[1]);
        setenv("FG_SLOW_READY_FD", num, 1);
        snprintf(num, sizeof num, "%d", go[0]);
        setenv("FG_SLOW_WAIT_FD", num, 1);
        pthread_create(&t, NULL, slow_thread, NULL);
        if (read(ready[0], &c, 1) != 1)
            return 5;
        printf("host: a thread is inside libfgslow's constructor\n");
    }
    if (strcmp(s, "atfork") == 0)
        fgearly_child_hook = jni_in_child;
    fflush(stdout);
    t0 = now_us();
    if (strcmp(s, "badcfi") == 0)
        pid = bad_cfi_fork();
    else
        pid = strncmp(s, "slow-", 5) == 0 && strcmp(s, "slow-fork") != 0 ? _Fork() : fork();
    if (pid == 0) {
        if (strcmp(s, "slow-jni") == 0)
            jni_in_child();
        if (strcmp(s, "alrm") == 0)
            child_alrm();
        if (strcmp(s, "refork") == 0) {
            int status = 0;
            pid_t g = bad_cfi_fork();
            if (g == 0)
                _exit(0);
            if (g < 0 || waitpid(g, &status, 0) != g)
                _exit(4);
            _exit(WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 5);
        }
        _exit(0);
    }
    if (pid < 0) {
        printf("host: fork failed: %s\n", strerror(errno));
        return 6;
    }
    fgearly_child_hook = NULL;
    printf("host: fork returned in the parent after %lld us\n", now_us() - t0);
    if (slow && strcmp(s, "slow-jni") != 0 && write(go[1], "g", 1) != 1)
        return 7;
    fgt_wait_child("child", pid, 5000);
    if (strcmp(s, "slow-jni") == 0 && write(go[1], "g", 1) != 1)
        return 7;
    if (slow)
        pthread_join(t, NULL);
    printf("host: done\n");
    return 0;
}
