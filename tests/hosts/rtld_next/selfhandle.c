/* dlsym(dlopen(NULL), "JNI_CreateJavaVM"): the main program's handle searches
 * the global scope, where libforkguard's own export comes first (ctypes'
 * CDLL(None).JNI_CreateJavaVM does exactly this). Built linked with -ljvm
 * (-DLINKED) and without. Modes:
 *   call    call what the lookup found (no libjvm: forkguard's must say JNI_ERR)
 *   direct  look it up, then create the JVM through the linked import */
#include <dlfcn.h>
#include <jni.h>
#include <stdio.h>
#include <string.h>

typedef jint (*create_fn)(JavaVM **, void **, void *);

int main(int argc, char **argv)
{
    JavaVM *vm = NULL;
    JNIEnv *env = NULL;
    JavaVMInitArgs args = {JNI_VERSION_1_8, 0, NULL, JNI_FALSE};
    create_fn f = (create_fn)dlsym(dlopen(NULL, RTLD_NOW), "JNI_CreateJavaVM");
    printf("found: %s\n", f ? "yes" : "no");
    fflush(stdout);
    if (argc > 1 && strcmp(argv[1], "direct") == 0) {
#ifdef LINKED
        printf("direct: %d\n", (int)JNI_CreateJavaVM(&vm, (void **)&env, &args));
#endif
    } else if (f) {
        printf("call: %d\n", (int)f(&vm, (void **)&env, &args));
    }
    return 0;
}
