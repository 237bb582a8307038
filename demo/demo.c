/* forkguard's demo host: the bug in 40 lines.
 *
 * A program creates a JVM, forks, and the child uses JNI. Without forkguard
 * the child's first call that needs the JVM's (vanished) threads hangs
 * forever; under forkguard it is stopped at once with a report. */
#include <jni.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    JavaVM *vm;
    JNIEnv *env;
    JavaVMInitArgs args;
    int status;
    pid_t pid;

    setvbuf(stdout, NULL, _IOLBF, 0); /* keep our lines in order with the report */
    memset(&args, 0, sizeof args);
    args.version = JNI_VERSION_1_8;
    if (JNI_CreateJavaVM(&vm, (void **)&env, &args) != JNI_OK) {
        fprintf(stderr, "demo: could not create a JVM\n");
        return 1;
    }
    printf("demo: pid %d created a JVM and forks\n", (int)getpid());
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        /* The mistake: JNI in a forked child. */
        jclass list = (*env)->FindClass(env, "java/util/ArrayList");
        printf("demo: child got %p (without forkguard: a hang comes at the first GC)\n",
               (void *)list);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status))
        printf("demo: child %d was stopped by signal %d, the parent goes on\n", (int)pid,
               WTERMSIG(status));
    else
        printf("demo: child %d exited with %d\n", (int)pid, WEXITSTATUS(status));
    printf("demo: parent still uses Java: java/lang/System is %p\n",
           (void *)(*env)->FindClass(env, "java/lang/System"));
    return 0;
}
