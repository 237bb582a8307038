/* Host for the child-path suite: creates a JVM (linked with -ljvm), arms
 * libfgcount (count.c) in a pthread_atfork prepare handler registered here,
 * after forkguard's own (so it runs before forkguard's prepare, and the child
 * inherits the armed flag before forkguard's child handler poisons it), forks,
 * and lets the child do one thing. The child's counts come back through a
 * pipe: from the SIGABRT handler installed here (block mode's abort()), from
 * libfgcount's _exit (FORKGUARD_EXIT_CODE, or the child's own exit). The parent
 * prints each count line and names every counted caller with dladdr (the
 * child's mappings are the parent's).
 *
 * Usage: host SCENARIO [ROUNDS]
 *   abort    child calls FindClass: poison, report (text or json), abort()
 *   refuse   child calls GetEnv, AttachCurrentThread (refused, reported),
 *            DetachCurrentThread, DestroyJavaVM, then _exit(7)
 *   quiet    child does nothing and _exit(0)s: the poisoning alone
 *   control  child calls strdup, free and pthread_mutex_lock itself: the
 *            counter must see them (a zero elsewhere means something)
 *   rawfork  like abort, through _Fork() (forkguard's wrapper poisons)
 *   busy     like abort, while two threads allocate through JNI and one
 *            loops over dl_iterate_phdr/malloc at fork time
 * control also calls fglazy_probe (libfglazy.so, bound lazily): the
 * LD_DEBUG=bindings check must see that binding in the child. */
#include <dlfcn.h>
#include <errno.h>
#include <jni.h>

#include "../common/wait_child.h"
#include <link.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

pid_t _Fork(void);
void fglazy_probe(void);

static JavaVM *vm;
static JNIEnv *env;
static void (*arm)(void), (*disarm)(void), (*dump)(const char *);
static int *count_fd;
static volatile int stop;

static void on_abort(int sig)
{
    (void)sig;
    dump("abort");
    /* Returning lets abort() go on: it restores SIG_DFL and raises again. */
}

static void *jni_thread(void *arg)
{
    JNIEnv *e;
    (void)arg;
    (*vm)->AttachCurrentThread(vm, (void **)&e, NULL);
    while (!stop) {
        jbyteArray a = (*e)->NewByteArray(e, 1 << 14);
        jclass c = (*e)->FindClass(e, "java/util/ArrayList");
        (*e)->DeleteLocalRef(e, a);
        (*e)->DeleteLocalRef(e, c);
    }
    (*vm)->DetachCurrentThread(vm);
    return NULL;
}

static int one(struct dl_phdr_info *i, size_t s, void *d)
{
    (void)i;
    (void)s;
    (void)d;
    return 0;
}

static void *dl_thread(void *arg)
{
    (void)arg;
    while (!stop) {
        void *p = malloc(100);
        dl_iterate_phdr(one, NULL);
        free(p);
    }
    return NULL;
}

static void child(const char *s)
{
    if (strcmp(s, "refuse") == 0) {
        void *e = NULL;
        JNIEnv *a = NULL;
        (*vm)->GetEnv(vm, &e, JNI_VERSION_1_8);
        (*vm)->AttachCurrentThread(vm, (void **)&a, NULL);
        (*vm)->AttachCurrentThreadAsDaemon(vm, (void **)&a, NULL);
        (*vm)->DetachCurrentThread(vm);
        (*vm)->DestroyJavaVM(vm);
        _exit(7);
    }
    if (strcmp(s, "quiet") == 0)
        _exit(0);
    if (strcmp(s, "control") == 0) {
        /* The counter itself: calls made in the child, by the host and by
         * libc on its behalf, must show. */
        pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
        char *volatile p = strdup("counted");
        free(p);
        pthread_mutex_lock(&m);
        pthread_mutex_unlock(&m);
        fglazy_probe();
        _exit(0);
    }
    (*env)->FindClass(env, "java/lang/String");
    _exit(99); /* block mode never comes back */
}

/* Prints the child's count lines and names each distinct counted caller. */
static void show(int fd)
{
    char buf[8192];
    size_t len = 0;
    ssize_t n;
    char *line, *save = NULL;
    while ((n = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    if (len == 0)
        printf("child: no count line\n");
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *c = strstr(line, " callers="), *tok, *save2 = NULL, seen[2048] = "";
        printf("child: %s\n", line);
        if (!c)
            continue;
        for (tok = strtok_r(c + 9, ",", &save2); tok; tok = strtok_r(NULL, ",", &save2)) {
            char *at = strchr(tok, '@');
            Dl_info info;
            void *addr;
            if (!at || strstr(seen, tok))
                continue;
            if (strlen(seen) + strlen(tok) + 2 < sizeof seen) {
                strcat(seen, tok);
                strcat(seen, " ");
            }
            *at = '\0';
            addr = (void *)strtoull(at + 1, NULL, 16);
            if (dladdr(addr, &info) && info.dli_fname)
                printf("child:   %s called from %s+0x%lx (%s)\n", tok,
                       info.dli_sname ? info.dli_sname : "",
                       (unsigned long)((uintptr_t)addr - (uintptr_t)(info.dli_sname
                                                                         ? info.dli_saddr
                                                                         : info.dli_fbase)),
                       info.dli_fname);
            else
                printf("child:   %s called from %p (unknown)\n", tok, addr);
        }
    }
}

int main(int argc, char **argv)
{
    const char *s = argc > 1 ? argv[1] : "abort";
    int rounds = argc > 2 ? atoi(argv[2]) : 3, i;
    JavaVMInitArgs args;
    struct sigaction sa;
    pthread_t t[3];

    setvbuf(stdout, NULL, _IOLBF, 0);
    arm = (void (*)(void))dlsym(RTLD_DEFAULT, "fgcount_arm");
    disarm = (void (*)(void))dlsym(RTLD_DEFAULT, "fgcount_disarm");
    dump = (void (*)(const char *))dlsym(RTLD_DEFAULT, "fgcount_dump_sigsafe");
    count_fd = (int *)dlsym(RTLD_DEFAULT, "fgcount_fd");
    if (!arm || !disarm || !dump || !count_fd) {
        printf("host: libfgcount is not loaded\n");
        return 2;
    }
    memset(&args, 0, sizeof args);
    args.version = JNI_VERSION_1_8;
    if (JNI_CreateJavaVM(&vm, (void **)&env, &args) != JNI_OK) {
        printf("host: JNI_CreateJavaVM failed\n");
        return 3;
    }
    /* After forkguard's (registered at load): this prepare runs first, this
     * parent handler last. */
    pthread_atfork(arm, disarm, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_abort;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGABRT, &sa, NULL);
    if (strcmp(s, "busy") == 0) {
        pthread_create(&t[0], NULL, jni_thread, NULL);
        pthread_create(&t[1], NULL, jni_thread, NULL);
        pthread_create(&t[2], NULL, dl_thread, NULL);
        usleep(100000);
    }

    for (i = 0; i < rounds; i++) {
        int p[2];
        pid_t pid;
        if (pipe(p) != 0)
            return 4;
        *count_fd = p[1];
        fflush(stdout);
        if (strcmp(s, "rawfork") == 0) {
            arm(); /* _Fork runs no atfork handlers */
            pid = _Fork();
            if (pid != 0)
                disarm();
        } else {
            pid = fork();
        }
        if (pid == 0)
            child(s);
        close(p[1]);
        if (pid < 0) {
            printf("host: fork failed: %s\n", strerror(errno));
            return 5;
        }
        fgt_wait_child("child", pid, 5000);
        show(p[0]);
        close(p[0]);
    }
    if (strcmp(s, "busy") == 0) {
        stop = 1;
        for (i = 0; i < 3; i++)
            pthread_join(t[i], NULL);
    }
    printf("host: done\n");
    return 0;
}
