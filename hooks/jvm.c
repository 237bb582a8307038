/* JVM creation, the core's half: the stub's JNI_CreateJavaVM (stub/jvm.c),
 * however the host reached it, calls fg_jvm_create. The real function is
 * libjvm's, as the host's dlsym found it or found in the loaded objects
 * themselves (a libjvm loaded RTLD_LOCAL, as rJava's is, cannot be reached
 * with dlsym(RTLD_NEXT)). */
#include "jvm.h"

#include "../jdbc/classpath.h"
#include "poison.h"
#include "signals.h"
#include "../bridges/bridges.h"
#include "../preload/backtrace.h"
#include "../preload/buf.h"
#include "../preload/messages.h"
#include "../preload/host.h"
#include "../preload/objects.h"
#include "../preload/realsym.h"
#include "../preload/report_emit.h"
#include "../preload/state.h"

#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

/* JAVA_HOME/lib/ from JAVA_HOME/lib/server/libjvm.so, with the slash. */
static void jdk_lib_dir(const char *libjvm)
{
    char *slash;
    memcpy(fg.jdk_lib_dir, libjvm, strnlen(libjvm, sizeof fg.jdk_lib_dir - 1));
    slash = strrchr(fg.jdk_lib_dir, '/');
    if (slash)
        *slash = '\0'; /* .../lib/server */
    slash = strrchr(fg.jdk_lib_dir, '/');
    if (slash)
        slash[1] = '\0'; /* .../lib/ */
    else
        fg.jdk_lib_dir[0] = '\0';
}

/* A JDK newer than this build knows may have appended JNIEnv functions that
 * the child's table then leaves unguarded: say so once, in the owner. */
static void notice_newer_jni(jint version)
{
    char line[512];
    struct fg_buf b;
    fg_buf_init(&b, line, sizeof line);
    fg_buf_str(&b, FG_MSG_PREFIX FG_MSG_JNI_NEWER_1);
    fg_buf_hex(&b, (uint64_t)(uint32_t)version);
    fg_buf_str(&b, FG_MSG_JNI_NEWER_2);
    fg_buf_u64(&b, fg_poison_env_slots(version));
    fg_buf_str(&b, FG_MSG_JNI_NEWER_3);
    fg_report_jvm_notice(fg_buf_cstr(&b));
}

/* The JNI tables every child will poison. Every thread's JNIEnv points at
 * one table (-Xcheck:jni switches them all to its checking table): take it
 * from the env, not from a symbol. */
static void record_tables(JavaVM *vm, JNIEnv *env)
{
    fg.vm = vm;
    fg.vm_functions = *vm;
    fg.env_table = (void **)*env;
    fg.env_version = (*env)->GetVersion(env);
    fg.env_slots = fg_poison_env_slots(fg.env_version);
    if (fg.env_version > FG_JNI_VERSION_KNOWN)
        notice_newer_jni(fg.env_version);
}

/* Where the JVM's own code lives (reports name it; warn mode tells its
 * calls from the host's), and the main program's base (frames name it). */
static void record_code(fg_create_vm_fn real)
{
    Dl_info info;
    if (dladdr((void *)real, &info) && info.dli_fname) {
        strncpy(fg.libjvm_path, info.dli_fname, sizeof fg.libjvm_path - 1);
        fg_code_ranges_collect(&fg.jvm_code, 0, info.dli_fname);
        jdk_lib_dir(fg.libjvm_path);
    }
    if (dladdr((void *)getauxval(AT_PHDR), &info))
        fg.main_base = (uintptr_t)info.dli_fbase;
}

/* The path of the object that called JNI_CreateJavaVM (a language bridge,
 * the java launcher, a C host), or "" when unknown. */
static void creator_of(const void *caller, char *path, size_t size)
{
    Dl_info info;
    path[0] = '\0';
    if (dladdr(caller, &info) && info.dli_fname)
        strncpy(path, info.dli_fname, size - 1);
    path[size - 1] = '\0';
}

/* Everything a child will need, resolved now, in the parent. The owner is
 * published last: a fork racing this from another thread either sees no JVM
 * or a completely described one. What needs the host's own runtime (a
 * bridge's wrappers) and the JDBC injection come after. */
static void record(JavaVM *vm, JNIEnv *env, fg_create_vm_fn real, const void *caller)
{
    char creator[PATH_MAX];
    fg.self_pid = getpid();
    record_tables(vm, env);
    fg_poison_after_creation();
    record_code(real);
    fg_signals_after_creation();
    fg_realsym_get_vms();
    /* Here, never inside fork(): a dlopen there waits for any thread in a
     * library constructor, and fork() may be called from a signal handler. */
    fg_backtrace_load();
    creator_of(caller, creator, sizeof creator);
    fg_host_detect(creator[0] ? creator : NULL);
    fg_bridges_detect(creator[0] ? creator : NULL);
    __atomic_store_n(&fg.owner_pid, fg.self_pid, __ATOMIC_RELEASE);
    fg_bridges_install();
    /* Before the host gets the JVM: its first DriverManager use comes later. */
    if (fg.cfg.classpath || fg.cfg.drivers)
        fg_classpath_inject(vm, env);
}

int fg_jvm_owns_code_sigsafe(const void *addr)
{
    return fg_code_ranges_contain_sigsafe(&fg.jvm_code, (uintptr_t)addr);
}

int fg_jvm_owns_code(const void *addr)
{
    struct fg_object o;
    if (fg_jvm_owns_code_sigsafe(addr))
        return 1;
    /* The JDK's other libraries (libjava, libnio... loaded on demand), from
     * the loader's lock-free index: dladdr would take the loader's lock,
     * which a _Fork child may find held for good. */
    return fg_objects_find_sigsafe((uintptr_t)addr, &o) == 0 && o.is_jdk;
}

int fg_jvm_alive(void)
{
    JavaVM *vms[1];
    jsize n = 0;
    if (!fg.owner_pid || fg.owner_pid != getpid() || !fg.real.get_vms)
        return 0;
    return fg.real.get_vms(vms, 1, &n) == JNI_OK && n > 0;
}

static int in_child_of_owner(void)
{
    return fg.owner_pid && fg.owner_pid != getpid();
}

jint fg_jvm_create(JavaVM **pvm, void **penv, void *args, const void *caller, void *found)
{
    fg_create_vm_fn real;
    jint rc;
    if (in_child_of_owner() && fg.cfg.mode != FG_MODE_OFF) {
        if (fg.cfg.mode == FG_MODE_WARN) {
            fg_report_jni_sigsafe("JNI_CreateJavaVM", FG_VERDICT_PASS, NULL);
        } else {
            fg.reported = 1;
            fg_report_jni_sigsafe("JNI_CreateJavaVM", FG_VERDICT_REFUSE, "JNI_ERR");
            return JNI_ERR;
        }
    }
    if (found)
        fg.real.create_vm = (fg_create_vm_fn)found;
    real = fg_realsym_create_vm();
    if (!real)
        return JNI_ERR; /* no JVM library loaded: nothing could have created one */
    if (!fg.owner_pid)
        fg_signals_snapshot(); /* the host's own dispositions, for children */
    rc = real(pvm, penv, args);
    if (rc == JNI_OK && pvm && *pvm && penv && *penv && !in_child_of_owner())
        record(*pvm, (JNIEnv *)*penv, real, caller);
    return rc;
}

pid_t fg_jvm_owner(void)
{
    return fg.owner_pid;
}
