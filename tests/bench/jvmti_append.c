/* The floor of JDBC driver injection (bench.py's injection rows): a JVMTI
 * agent that appends JARs to the system class loader's search path with
 * AddToSystemClassLoaderSearch, in the live phase (VMInit), as forkguard's
 * FORKGUARD_CLASSPATH_MODE=system does after JNI_CreateJavaVM, and nothing
 * else: no class loaded, DriverManager untouched.
 *
 *   -agentpath:jvmti_append.so=JAR[:JAR...]
 */
#include <jvmti.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *jars; /* the agent's options: the JVM may free its copy */

static void JNICALL on_vm_init(jvmtiEnv *jvmti, JNIEnv *env, jthread thread)
{
    char *save = NULL, *jar;
    (void)env;
    (void)thread;
    for (jar = strtok_r(jars, ":", &save); jar; jar = strtok_r(NULL, ":", &save))
        if ((*jvmti)->AddToSystemClassLoaderSearch(jvmti, jar) != JVMTI_ERROR_NONE)
            fprintf(stderr, "jvmti_append: %s: not added\n", jar);
}

JNIEXPORT jint JNICALL Agent_OnLoad(JavaVM *vm, char *options, void *reserved)
{
    jvmtiEnv *jvmti = NULL;
    jvmtiEventCallbacks cb;
    (void)reserved;
    jars = strdup(options ? options : "");
    if (!jars || (*vm)->GetEnv(vm, (void **)&jvmti, JVMTI_VERSION_1_2) != JNI_OK)
        return JNI_ERR;
    memset(&cb, 0, sizeof cb);
    cb.VMInit = on_vm_init;
    if ((*jvmti)->SetEventCallbacks(jvmti, &cb, sizeof cb) != JVMTI_ERROR_NONE ||
        (*jvmti)->SetEventNotificationMode(jvmti, JVMTI_ENABLE, JVMTI_EVENT_VM_INIT, NULL) !=
            JVMTI_ERROR_NONE)
        return JNI_ERR;
    return JNI_OK;
}
