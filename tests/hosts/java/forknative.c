/* JNI library for ForkTest: fork() from native code, then FindClass in the
 * child. Returns the child's wait status as "signal N" -> -N, exit -> N. */
#include <jni.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

JNIEXPORT jint JNICALL Java_ForkTest_forkAndFindClass(JNIEnv *env, jclass cls)
{
    int status;
    pid_t pid = fork();
    (void)cls;
    if (pid == 0) {
        (*env)->FindClass(env, "java/lang/String");
        _exit(0);
    }
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
}
