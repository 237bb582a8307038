/* A C program that creates a JVM and embeds CPython (libpython), then forks:
 *   thread  the child's JNI use comes from a C thread Python never ran on
 *           (AttachCurrentThread): the report has no Python block;
 *   python  the child's JNI use comes from Python code (embed_use.py,
 *           through ctypes): the report names its line;
 *   count   the same, in a grandchild forked from that Python call with
 *           tests/hosts/childpath's libfgcount preloaded and armed just
 *           before: the report, Python block included, allocates and locks
 *           nothing (libfgcount prints the counts at its _exit).
 * Usage: embed SCENARIO PATH-OF-embed_use.py */
#include "../common/wait_child.h"

#include <Python.h>
#include <dlfcn.h>
#include <jni.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static JavaVM *vm;
static JNIEnv *env;
static int count_mode;

/* Called from embed_use.py through ctypes. */
__attribute__((visibility("default"))) int host_find_class(void);
int host_find_class(void)
{
    void (*arm)(void);
    pid_t pid;
    if (!count_mode)
        return (*env)->FindClass(env, "java/lang/System") != NULL;
    /* Counting covers calls from processes other than the one that armed
     * it: the grandchild, whose whole life is the report. */
    *(void **)&arm = dlsym(RTLD_DEFAULT, "fgcount_arm");
    if (!arm) {
        printf("host: libfgcount is not loaded\n");
        return 0;
    }
    arm();
    pid = fork();
    if (pid == 0)
        (*env)->FindClass(env, "java/lang/System");
    fgt_wait_child("grandchild", pid, 30000);
    return 0;
}

static void *attach(void *unused)
{
    JNIEnv *e = NULL;
    (void)unused;
    printf("thread: attach %d\n", (int)(*vm)->AttachCurrentThread(vm, (void **)&e, NULL));
    fflush(stdout);
    return NULL;
}

int main(int argc, char **argv)
{
    JavaVMInitArgs args;
    JavaVMOption opt[1] = {{(char *)"-Xrs", NULL}};
    char code[4096];
    pthread_t t;
    pid_t pid;
    if (argc < 3)
        return 2;
    count_mode = strcmp(argv[1], "count") == 0;
    memset(&args, 0, sizeof args);
    args.version = JNI_VERSION_1_8;
    args.nOptions = 1;
    args.options = opt;
    if (JNI_CreateJavaVM(&vm, (void **)&env, &args) != JNI_OK)
        return 2;
    Py_InitializeEx(0);
    pid = fork();
    if (pid == 0) {
        if (strcmp(argv[1], "thread") == 0) {
            pthread_create(&t, NULL, attach, NULL);
            pthread_join(t, NULL);
        } else {
            snprintf(code, sizeof code, "import runpy\nrunpy.run_path('%s')\n", argv[2]);
            PyRun_SimpleString(code);
        }
        _exit(0);
    }
    fgt_wait_child("child", pid, 30000);
    return 0;
}
