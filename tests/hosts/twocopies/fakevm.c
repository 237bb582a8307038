/* A JVM library that is not called libjvm.so (as OpenJ9's libj9vm29.so is
 * not): forkguard finds it only by searching every loaded object. Its
 * JNI_CreateJavaVM answers 42, so run.sh can tell it was the one reached. */
#include <jni.h>

JNIEXPORT jint JNICALL JNI_CreateJavaVM(JavaVM **pvm, void **penv, void *args)
{
    (void)pvm;
    (void)penv;
    (void)args;
    return 42;
}
