/* Probe for the secure-execution checks of tests/hosts/hostile: run as a
 * setuid-root copy by an unprivileged user, it says whether the kernel gave it
 * AT_SECURE and whether forkguard is loaded; with "jvm" it also creates a JVM
 * and says whether fgtest.Marker (only in the JAR named by
 * FORKGUARD_CLASSPATH, injected in `system` mode) is visible.
 *
 * Output: "probe: secure=N forkguard=VERSION|none [marker=0|1]". Linked with
 * -ljvm (absolute rpath, which secure mode honours). */
#include <dlfcn.h>
#include <jni.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *(*version)(void) =
        (const char *(*)(void))dlsym(RTLD_DEFAULT, "forkguard_version");
    printf("probe: secure=%lu uid=%d euid=%d forkguard=%s", getauxval(AT_SECURE), (int)getuid(),
           (int)geteuid(), version ? version() : "none");
    if (argc > 1 && strcmp(argv[1], "jvm") == 0) {
        JavaVM *vm;
        JNIEnv *env;
        JavaVMInitArgs args;
        jclass c;
        memset(&args, 0, sizeof args);
        args.version = JNI_VERSION_1_8;
        if (JNI_CreateJavaVM(&vm, (void **)&env, &args) != JNI_OK) {
            printf(" jvm=failed\n");
            return 3;
        }
        c = (*env)->FindClass(env, "fgtest/Marker");
        if ((*env)->ExceptionCheck(env))
            (*env)->ExceptionClear(env);
        printf(" marker=%d", c != NULL);
    }
    printf("\n");
    return 0;
}
