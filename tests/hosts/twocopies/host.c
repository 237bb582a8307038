/* A host run with two copies of libforkguard preloaded (two installs). It
 * finds JNI_CreateJavaVM one way, calls it, and when a JVM was created forks
 * a child that calls FindClass (a real use; GetVersion, bookkeeping, is
 * answered in a guarded child): a guarded child is stopped with a report, an
 * unguarded one prints what it got. run.sh judges the output.
 *
 * Usage: host HOW
 *   default  dlsym(RTLD_DEFAULT, ...)    self  dlsym(dlopen(NULL), ...)
 *   linked   the symbol the program was linked against (-ljvm, or a fake VM)
 *   dlopen   dlsym(dlopen($HOST_LIBJVM), ...), as the java launcher does
 *   copy     dlsym of a handle to the other copy ($OTHER_COPY), after
 *            dlopen($HOST_LIBJVM) when that is set */
#include <dlfcn.h>
#include <jni.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef jint (*create_fn)(JavaVM **, void **, void *);

#ifdef LINKED
static create_fn linked(void)
{
    return JNI_CreateJavaVM;
}
#else
static create_fn linked(void)
{
    return NULL;
}
#endif

static void *must_open(const char *path, int flags)
{
    void *h = dlopen(path, flags);
    if (!h) {
        printf("dlopen: %s\n", dlerror());
        exit(90);
    }
    return h;
}

static create_fn find(const char *how)
{
    const char *libjvm = getenv("HOST_LIBJVM");
    if (strcmp(how, "default") == 0)
        return (create_fn)dlsym(RTLD_DEFAULT, "JNI_CreateJavaVM");
    if (strcmp(how, "self") == 0)
        return (create_fn)dlsym(must_open(NULL, RTLD_NOW), "JNI_CreateJavaVM");
    if (strcmp(how, "linked") == 0)
        return linked();
    if (strcmp(how, "dlopen") == 0)
        return (create_fn)dlsym(must_open(libjvm, RTLD_NOW | RTLD_LOCAL), "JNI_CreateJavaVM");
    if (strcmp(how, "copy") == 0) {
        if (libjvm)
            must_open(libjvm, RTLD_NOW | RTLD_LOCAL);
        return (create_fn)dlsym(must_open(getenv("OTHER_COPY"), RTLD_NOW | RTLD_NOLOAD),
                                "JNI_CreateJavaVM");
    }
    printf("unknown HOW %s\n", how);
    exit(2);
}

int main(int argc, char **argv)
{
    JavaVM *vm = NULL;
    JNIEnv *env = NULL;
    JavaVMInitArgs args = {JNI_VERSION_1_8, 0, NULL, JNI_FALSE};
    create_fn create = find(argc > 1 ? argv[1] : "default");
    int status;
    pid_t pid;
    jint rc;
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("found: %s\n", create ? "yes" : "no");
    if (!create)
        return 0;
    rc = create(&vm, (void **)&env, &args);
    printf("create: %d\n", (int)rc);
    if (rc != JNI_OK)
        return 0;
    pid = fork();
    if (pid == 0) {
        printf("child: FindClass=%p\n", (void *)(*env)->FindClass(env, "java/lang/Object"));
        _exit(0);
    }
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status))
        printf("child: signal %d\n", WTERMSIG(status));
    else
        printf("child: exit %d\n", WEXITSTATUS(status));
    return 0;
}
