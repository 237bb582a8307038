/* JNI side of the dynamic classpath (the Java side is ForkguardDriver.java,
 * compiled by build.sh and embedded as fg_shim_class). */
#include "classpath.h"

#include "classpath_list.h"
#include "../preload/buf.h"
#include "../preload/messages.h"
#include "../preload/report_emit.h"
#include "../preload/state.h"

#include <jvmti.h>
#include <stdlib.h>
#include <string.h>

/* build/gen/shim_class.c, generated from the compiled ForkguardDriver. */
extern const unsigned char fg_shim_class[];
extern const unsigned int fg_shim_class_len;

#define SHIM_NAME "org/forkguard/shim/ForkguardDriver"
#define SHIM_INJECT_SIG "([Ljava/lang/String;Ljava/lang/String;Z)[Ljava/lang/String;"
#define SHIM_REPORT_SIG "(Ljava/lang/String;)V"

static void say(void *ctx, const char *line)
{
    (void)ctx;
    fg_report_classpath(line);
}

/* One line "forkguard: <prefix><text>", text from Java (modified UTF-8). */
static void say_java(JNIEnv *env, const char *prefix, jstring text)
{
    char mem[2048];
    struct fg_buf b;
    const char *chars = text ? (*env)->GetStringUTFChars(env, text, NULL) : NULL;
    fg_buf_init(&b, mem, sizeof mem);
    fg_buf_str(&b, FG_MSG_PREFIX);
    fg_buf_str(&b, prefix);
    /* Names come from the environment and from JAR contents: one line, no
     * terminal escapes. */
    fg_buf_printable(&b, chars ? chars : "(no message)", 1500);
    fg_buf_cstr(&b);
    if (chars)
        (*env)->ReleaseStringUTFChars(env, text, chars);
    say(NULL, mem);
}

/* ForkguardDriver.report(String): a driver that fails at its first use,
 * long after injection, on any of the owner's threads, is reported through
 * the same path as the failures found at injection. */
static void JNICALL shim_report(JNIEnv *env, jclass shim, jstring line)
{
    (void)shim;
    say_java(env, "", line);
}

/* The one exception check of this file: a pending exception is reported by
 * its toString() and cleared, and the caller leaves. Returns 1 when one was. */
static int threw(JNIEnv *env, const char *what)
{
    jthrowable exc;
    jclass object;
    jmethodID to_string;
    jstring text = NULL;
    char prefix[160];
    if (!(*env)->ExceptionCheck(env))
        return 0;
    exc = (*env)->ExceptionOccurred(env);
    (*env)->ExceptionClear(env);
    object = (*env)->FindClass(env, "java/lang/Object");
    to_string =
        object ? (*env)->GetMethodID(env, object, "toString", "()Ljava/lang/String;") : NULL;
    if (to_string)
        text = (jstring)(*env)->CallObjectMethod(env, exc, to_string);
    (*env)->ExceptionClear(env); /* toString itself may throw: never leave one */
    snprintf(prefix, sizeof prefix, "classpath injection: %s: ", what);
    say_java(env, prefix, text);
    return 1;
}

/* For a call that returns something: an exception, or a NULL result without
 * one, fails it (reported). */
static int failed(JNIEnv *env, const char *what, const void *result)
{
    char prefix[160];
    if (threw(env, what))
        return 1;
    if (result)
        return 0;
    snprintf(prefix, sizeof prefix, "classpath injection: %s failed: ", what);
    say_java(env, prefix, NULL);
    return 1;
}

/* system mode: the JARs join the application class path (JVMTI, live phase). */
static void append_to_system_loader(JavaVM *vm, const struct fg_cplist *list)
{
    jvmtiEnv *jvmti = NULL;
    size_t g;
    if ((*vm)->GetEnv(vm, (void **)&jvmti, JVMTI_VERSION_1_2) != JNI_OK || !jvmti) {
        say(NULL, FG_MSG_PREFIX "FORKGUARD_CLASSPATH_MODE=system: no JVMTI environment; "
                                "JARs not added");
        return;
    }
    for (g = 0; g < list->n_groups; g++) {
        char *save = NULL, *copy = strdup(list->groups[g]), *path;
        for (path = copy ? strtok_r(copy, "\n", &save) : NULL; path;
             path = strtok_r(NULL, "\n", &save)) {
            jvmtiError err = (*jvmti)->AddToSystemClassLoaderSearch(jvmti, path);
            if (err != JVMTI_ERROR_NONE) {
                char line[1024];
                struct fg_buf b;
                fg_buf_init(&b, line, sizeof line);
                fg_buf_str(&b, FG_MSG_PREFIX "FORKGUARD_CLASSPATH entry ");
                fg_buf_printable(&b, path, 800); /* one line, whatever the name */
                fg_buf_str(&b, ": JVMTI error ");
                fg_buf_i64(&b, (int64_t)err);
                fg_buf_str(&b, "; skipped");
                fg_buf_cstr(&b);
                say(NULL, line);
            }
        }
        free(copy);
    }
    (*jvmti)->DisposeEnvironment(jvmti);
}

static void run_shim(JNIEnv *env, const struct fg_cplist *list, int system)
{
    static const JNINativeMethod report_method = {(char *)"report", (char *)SHIM_REPORT_SIG,
                                                  (void *)shim_report};
    jclass loader_class, string_class, shim;
    jmethodID get_loader, inject;
    jobject loader;
    jobjectArray groups, messages;
    jstring drivers;
    jsize i, n;

    loader_class = (*env)->FindClass(env, "java/lang/ClassLoader");
    if (failed(env, "FindClass(ClassLoader)", loader_class))
        return;
    get_loader = (*env)->GetStaticMethodID(env, loader_class, "getSystemClassLoader",
                                           "()Ljava/lang/ClassLoader;");
    if (failed(env, "getSystemClassLoader", get_loader))
        return;
    loader = (*env)->CallStaticObjectMethod(env, loader_class, get_loader);
    if (failed(env, "getSystemClassLoader()", loader))
        return;
    /* Into the system class loader: every application loader delegates to
     * it, so DriverManager lets every caller use the shim. */
    shim = (*env)->DefineClass(env, SHIM_NAME, loader, (const jbyte *)fg_shim_class,
                               (jsize)fg_shim_class_len);
    if (failed(env, "defining " SHIM_NAME, shim))
        return;
    if ((*env)->RegisterNatives(env, shim, &report_method, 1) != 0 &&
        threw(env, "registering ForkguardDriver.report"))
        return;
    inject = (*env)->GetStaticMethodID(env, shim, "inject", SHIM_INJECT_SIG);
    if (failed(env, "ForkguardDriver.inject", inject))
        return;
    string_class = (*env)->FindClass(env, "java/lang/String");
    if (failed(env, "FindClass(String)", string_class))
        return;
    groups =
        (*env)->NewObjectArray(env, system ? 0 : (jsize)list->n_groups, string_class, NULL);
    if (failed(env, "NewObjectArray", groups))
        return;
    for (i = 0; !system && i < (jsize)list->n_groups; i++) {
        jstring s = (*env)->NewStringUTF(env, list->groups[i]);
        if (failed(env, "NewStringUTF", s))
            return;
        (*env)->SetObjectArrayElement(env, groups, i, s);
        if (threw(env, "SetObjectArrayElement"))
            return;
        (*env)->DeleteLocalRef(env, s);
    }
    drivers = (*env)->NewStringUTF(env, fg.cfg.drivers ? fg.cfg.drivers : "");
    if (failed(env, "NewStringUTF", drivers))
        return;
    messages = (jobjectArray)(*env)->CallStaticObjectMethod(env, shim, inject, groups, drivers,
                                                            (jboolean)(system != 0));
    if (failed(env, "ForkguardDriver.inject()", messages))
        return;
    n = (*env)->GetArrayLength(env, messages);
    for (i = 0; i < n; i++) {
        jstring m = (jstring)(*env)->GetObjectArrayElement(env, messages, i);
        if (threw(env, "GetObjectArrayElement"))
            return;
        say_java(env, "", m);
        (*env)->DeleteLocalRef(env, m);
    }
}

void fg_classpath_inject(JavaVM *vm, JNIEnv *env)
{
    struct fg_cplist list;
    int system = fg.cfg.classpath_mode == FG_CP_SYSTEM;
    if (fg_cplist_parse(fg.cfg.classpath, &list, say, NULL) != 0) {
        say(NULL, FG_MSG_PREFIX "FORKGUARD_CLASSPATH: out of memory; nothing injected");
        return;
    }
    if (system)
        append_to_system_loader(vm, &list);
    /* Every local reference made above and below dies with this frame. */
    if ((*env)->PushLocalFrame(env, 64) == 0) {
        run_shim(env, &list, system);
        (*env)->PopLocalFrame(env, NULL);
    } else {
        failed(env, "PushLocalFrame", NULL);
    }
    fg_cplist_free(&list);
}
