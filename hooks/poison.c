#include "poison.h"
#include "../preload/child_text.h"

#include "jni_names.h"
#include "jvm.h"
#include "signals.h"
#include "../bridges/bridges.h"
#include "../preload/abort.h"
#include "../preload/report_emit.h"
#include "../preload/state.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Defined in stubs_<arch>.S: one entry stub per JNIEnv slot. */
extern void *const fg_env_stubs[FG_ENV_SLOTS_MAX];

static void *env_original[FG_ENV_SLOTS_MAX];
/* The table env_original was copied from by the parent's half (NULL: none
 * ran, and the child copies it itself). */
static void **env_original_of;
static unsigned char env_warned[FG_ENV_SLOTS_MAX];
static struct JNIInvokeInterface_ poisoned_invoke;
/* A JNIEnv whose table is the (poisoned) global one: what a refused Attach
 * hands back, so a host that ignores the error code (rjb does) is stopped with
 * a report at its first JNIEnv call instead of crashing on a NULL env. */
static const void *poisoned_env;

/* Warn mode: the first use of each JavaVM function is reported once. */
enum { VM_ATTACH, VM_ATTACH_DAEMON, VM_GETENV, VM_FUNCTIONS };
static unsigned char vm_warned[VM_FUNCTIONS];

unsigned fg_poison_env_slots(jint version)
{
    /* 4 reserved + functions; each JNI version only appended. */
    if (version >= 0x00180000) /* JNI_VERSION_24: GetStringUTFLengthAsLong */
        return 236;
    if (version >= 0x00130000) /* JNI_VERSION_19/21: IsVirtualThread */
        return 235;
    if (version >= 0x00090000) /* JNI_VERSION_9/10: GetModule */
        return 234;
    if (version >= 0x00010006) /* JNI_VERSION_1_6 / 1_8: GetObjectRefType */
        return 233;
    if (version >= 0x00010004) /* JNI_VERSION_1_4: the direct buffer functions */
        return 232;
    return 229; /* JNI_VERSION_1_2: up to ExceptionCheck */
}

void *fg_poison_original(unsigned slot)
{
    return slot < FG_ENV_SLOTS_MAX ? env_original[slot] : NULL;
}

static __attribute__((noreturn)) void die_sigsafe(void)
{
    if (fg.cfg.exit_code)
        _exit(fg.cfg.exit_code);
    fg_abort_sigsafe();
}

/* Housekeeping a bridge does without meaning to use Java: releasing
 * references and memory the process already holds, local frames, exception
 * queries, the version. Block mode answers these in the child itself, as a JVM
 * with nothing pending would, without a report: rjb's finalizers attach and
 * DeleteGlobalRef, JPype's frames push and pop around a type check. Anything
 * else is real use. (x86-64 SysV: a function may ignore trailing arguments,
 * so one no-op serves every void function of the set.) */
static void JNICALL hk_nothing(void)
{
}

static jint JNICALL hk_zero(void)
{
    return 0; /* JNI_OK, JNI_FALSE */
}

static jthrowable JNICALL hk_no_exception(void)
{
    return NULL;
}

static jobject JNICALL hk_pop_local_frame(JNIEnv *env, jobject result)
{
    (void)env;
    return result;
}

static jint JNICALL hk_get_version(JNIEnv *env)
{
    (void)env;
    return fg.env_version;
}

#define FG_SLOT(fn) (offsetof(struct JNINativeInterface_, fn) / sizeof(void *))

static void *housekeeping(unsigned slot)
{
    static const struct {
        unsigned short slot;
        void *answer;
    } answers[] = {
        {FG_SLOT(GetVersion), (void *)hk_get_version},
        {FG_SLOT(ExceptionOccurred), (void *)hk_no_exception},
        {FG_SLOT(ExceptionDescribe), (void *)hk_nothing},
        {FG_SLOT(ExceptionClear), (void *)hk_nothing},
        {FG_SLOT(ExceptionCheck), (void *)hk_zero},
        {FG_SLOT(PushLocalFrame), (void *)hk_zero},
        {FG_SLOT(PopLocalFrame), (void *)hk_pop_local_frame},
        {FG_SLOT(EnsureLocalCapacity), (void *)hk_zero},
        {FG_SLOT(DeleteGlobalRef), (void *)hk_nothing},
        {FG_SLOT(DeleteLocalRef), (void *)hk_nothing},
        {FG_SLOT(DeleteWeakGlobalRef), (void *)hk_nothing},
        {FG_SLOT(ReleaseStringChars), (void *)hk_nothing},
        {FG_SLOT(ReleaseStringUTFChars), (void *)hk_nothing},
        {FG_SLOT(ReleaseStringCritical), (void *)hk_nothing},
        {FG_SLOT(ReleasePrimitiveArrayCritical), (void *)hk_nothing},
        {FG_SLOT(ReleaseBooleanArrayElements), (void *)hk_nothing},
        {FG_SLOT(ReleaseByteArrayElements), (void *)hk_nothing},
        {FG_SLOT(ReleaseCharArrayElements), (void *)hk_nothing},
        {FG_SLOT(ReleaseShortArrayElements), (void *)hk_nothing},
        {FG_SLOT(ReleaseIntArrayElements), (void *)hk_nothing},
        {FG_SLOT(ReleaseLongArrayElements), (void *)hk_nothing},
        {FG_SLOT(ReleaseFloatArrayElements), (void *)hk_nothing},
        {FG_SLOT(ReleaseDoubleArrayElements), (void *)hk_nothing},
    };
    unsigned i;
    for (i = 0; i < sizeof answers / sizeof answers[0]; i++)
        if (answers[i].slot == slot)
            return answers[i].answer;
    return NULL;
}

void *fg_env_enter_sigsafe(unsigned slot, const void *caller)
{
    const char *name = fg_jni_env_name(slot);
    void *answer;
    if (fg.cfg.mode == FG_MODE_WARN) {
        /* libjvm calls its own JNI functions through the table while serving
         * one call (FindClass uses GetStringUTFLength...): only the host's
         * calls are the host's uses. */
        if (!env_warned[slot] && !fg_jvm_owns_code(caller)) {
            env_warned[slot] = 1;
            fg_report_jni_sigsafe(name, FG_VERDICT_PASS, NULL);
        }
        return env_original[slot];
    }
    answer = housekeeping(slot);
    if (answer)
        return answer;
    /* block: the child would hang or crash in the JVM; this report is the
     * last thing it does, so it is written even after an earlier refusal. */
    fg.reported = 1;
    fg_report_jni_sigsafe(name, FG_VERDICT_KILL, NULL);
    die_sigsafe();
}

/* Block mode refuses JavaVM calls with a code instead of dying: language
 * bridges (JPype, rJava) reach Java through them and turn the code into their
 * own exception, which a multiprocessing worker can return to its caller. */
static void refuse_once_sigsafe(const char *name)
{
    if (fg.reported || fg.teardown)
        return;
    fg.reported = 1;
    fg_report_jni_sigsafe(name, FG_VERDICT_REFUSE, "JNI_ERR");
}

static void warn_once_sigsafe(int which, const char *name)
{
    if (vm_warned[which])
        return;
    vm_warned[which] = 1;
    fg_report_jni_sigsafe(name, FG_VERDICT_PASS, NULL);
}

static jint JNICALL vm_destroy(JavaVM *vm)
{
    if (fg.cfg.mode == FG_MODE_WARN)
        return fg.vm_functions->DestroyJavaVM(vm);
    /* The host is shutting down (JPype's interpreter teardown does this in
     * every forked child): what follows is not a use of Java. */
    fg.teardown = 1;
    return JNI_ERR;
}

static jint JNICALL vm_detach(JavaVM *vm)
{
    if (fg.cfg.mode == FG_MODE_WARN)
        return fg.vm_functions->DetachCurrentThread(vm);
    return JNI_ERR;
}

static jint JNICALL vm_get_env(JavaVM *vm, void **penv, jint version)
{
    if (fg.cfg.mode == FG_MODE_WARN) {
        warn_once_sigsafe(VM_GETENV, "GetEnv");
        return fg.vm_functions->GetEnv(vm, penv, version);
    }
    if (penv)
        *penv = NULL;
    return JNI_EDETACHED;
}

/* Both attach flavours. A refused attach hands back the poisoned env, not
 * NULL: a host that ignores the code (rjb) is then stopped at its first real
 * call, and its finalizers' releases stay quiet (housekeeping above). For
 * such a host the refusal itself is silent: its report comes with that call. */
static jint attach(JavaVM *vm, void **penv, void *args, int which, const char *name,
                   jint(JNICALL *real)(JavaVM *, void **, void *))
{
    if (fg.cfg.mode == FG_MODE_WARN) {
        warn_once_sigsafe(which, name);
        return real(vm, penv, args);
    }
    if (!fg_bridges_attach_is_silent())
        refuse_once_sigsafe(name);
    if (penv)
        *penv = poisoned_env ? (void *)&poisoned_env : NULL;
    return JNI_ERR;
}

static jint JNICALL vm_attach(JavaVM *vm, void **penv, void *args)
{
    return attach(vm, penv, args, VM_ATTACH, "AttachCurrentThread",
                  fg.vm_functions->AttachCurrentThread);
}

static jint JNICALL vm_attach_daemon(JavaVM *vm, void **penv, void *args)
{
    return attach(vm, penv, args, VM_ATTACH_DAEMON, "AttachCurrentThreadAsDaemon",
                  fg.vm_functions->AttachCurrentThreadAsDaemon);
}

/* Every page a child writes costs it a copy-on-write fault (~2 us): what
 * can be written in the parent is, and the child clears only what is set. */
FG_CHILD_TEXT static void clear_set_sigsafe(unsigned char *flags, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (flags[i])
            flags[i] = 0;
}

FG_CHILD_TEXT static void copy_original_sigsafe(void)
{
    unsigned i;
    for (i = 0; i < fg.env_slots; i++)
        env_original[i] = fg.env_table[i];
}

/* The invoke table poisoned_invoke was built from (NULL: none yet). */
static const struct JNIInvokeInterface_ *invoke_built_from;

/* The poisoned invoke table and env, the same for every child: built once
 * in the parent when the JVM is created (fg_poison_after_creation, before
 * any fork can poison), or by a child whose parent never did (a caller of
 * the poisoning itself, as the unit tests are). */
FG_CHILD_TEXT static void build_invoke_sigsafe(void)
{
    if (fg.env_table && poisoned_env != fg.env_table)
        poisoned_env = fg.env_table;
    if (!fg.vm_functions ||
        __atomic_load_n(&invoke_built_from, __ATOMIC_ACQUIRE) == fg.vm_functions)
        return;
    poisoned_invoke = *fg.vm_functions;
    poisoned_invoke.DestroyJavaVM = vm_destroy;
    poisoned_invoke.AttachCurrentThread = vm_attach;
    poisoned_invoke.DetachCurrentThread = vm_detach;
    poisoned_invoke.GetEnv = vm_get_env;
    poisoned_invoke.AttachCurrentThreadAsDaemon = vm_attach_daemon;
    __atomic_store_n(&invoke_built_from, fg.vm_functions, __ATOMIC_RELEASE);
}

void fg_poison_after_creation(void)
{
    build_invoke_sigsafe();
}

void fg_poison_prepare_parent_sigsafe(void)
{
    /* A poisoned child forking again: its own child inherits its copy of
     * the real table (the table itself now holds the stubs). */
    if (fg.poisoned || fg.cfg.mode == FG_MODE_OFF)
        return;
    if (fg.env_table) {
        copy_original_sigsafe();
        __atomic_store_n(&env_original_of, fg.env_table, __ATOMIC_RELEASE);
    }
    if (fg.cfg.mode == FG_MODE_BLOCK)
        fg_signals_prepare_parent_sigsafe();
}

FG_CHILD_TEXT void fg_poison_child_sigsafe(void)
{
    unsigned i;
    /* "One report per process": a grandchild starts with a clean record,
     * whatever its parent (a poisoned child) reported or tore down. */
    if (fg.reported)
        fg.reported = 0;
    if (fg.teardown)
        fg.teardown = 0;
    clear_set_sigsafe(env_warned, sizeof env_warned);
    clear_set_sigsafe(vm_warned, sizeof vm_warned);
    if (fg.poisoned)
        return;
    if (fg.env_table) {
        if (env_original_of != fg.env_table)
            copy_original_sigsafe();
        for (i = 4; i < fg.env_slots; i++)
            fg.env_table[i] = fg_env_stubs[i];
    }
    build_invoke_sigsafe();
    if (fg.vm && fg.vm_functions) {
        /* The invoke table itself is read-only (RELRO); the JavaVM struct that
         * points to it is not. */
        *fg.vm = &poisoned_invoke;
    }
    if (fg.cfg.mode == FG_MODE_BLOCK) {
        fg_signals_reset_child_sigsafe();
        fg_bridges_stand_down_sigsafe();
    }
    fg.poisoned = 1;
}
