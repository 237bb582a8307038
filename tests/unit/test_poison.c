/* hooks/poison.h against fake JNI tables, without a JVM.
 *
 * The tables are sized like the real ones (233 slots for JNI 1.8, 234 for
 * JDK 17, 236 for JDK 25) and followed by canary slots: poisoning must write
 * exactly slots 4..n-1 and nothing past them, since past the end of the real
 * table lies libjvm's data. The JavaVM's invoke table is read-only in real
 * life, so it must be left alone while the JavaVM struct is redirected. */
#include "fg_fake_jni.h"
#include "hooks/signals.h"

#include <signal.h>
#include <stdio.h>

static void test_env_slots(void **state)
{
    (void)state;
    assert_int_equal(fg_poison_env_slots(0x00010006), 233); /* JNI_VERSION_1_6 */
    assert_int_equal(fg_poison_env_slots(0x00010008), 233); /* JDK 8 */
    assert_int_equal(fg_poison_env_slots(0x00090000), 234);
    assert_int_equal(fg_poison_env_slots(0x000a0000), 234); /* JDK 10..18 */
    assert_int_equal(fg_poison_env_slots(0x00130000), 235);
    assert_int_equal(fg_poison_env_slots(0x00150000), 235); /* JDK 21 */
    assert_int_equal(fg_poison_env_slots(0x00180000), 236); /* JDK 24, 25 */
    assert_true(fg_poison_env_slots(0x7fffffff) <= FG_ENV_SLOTS_MAX);
    /* Tied to the header we build against (JDK 17's: JNI_VERSION_10). */
    assert_int_equal(fg_poison_env_slots(JNI_VERSION_10),
                     sizeof(struct JNINativeInterface_) / sizeof(void *));
}

/* Poisons a table sized for `version` and checks every slot around it. */
static void fg_check_poison(jint version, unsigned want_slots)
{
    struct JNIInvokeInterface_ invoke_before = fg_invoke;
    unsigned i, j;
    fg_setup(version, FG_MODE_BLOCK);
    assert_int_equal(fg.env_slots, want_slots);
    fg_poison_child_sigsafe();
    assert_int_equal(fg.poisoned, 1);
    for (i = 0; i < 4; i++)
        assert_ptr_equal(fg_table[i], fg_old[i]);
    for (i = 4; i < want_slots; i++) {
        if (fg_table[i] == fg_old[i])
            fail_msg("%u slots: slot %u not poisoned", want_slots, i);
        for (j = 4; j < i; j++) /* one stub per slot: each knows its slot */
            if (fg_table[j] == fg_table[i])
                fail_msg("%u slots: slots %u and %u share a stub", want_slots, j, i);
    }
    for (i = want_slots; i < want_slots + FG_CANARIES; i++)
        if (fg_table[i] != FG_CANARY_VALUE(i))
            fail_msg("%u slots: slot %u past the end overwritten", want_slots, i);
    for (i = 0; i < want_slots; i++)
        assert_ptr_equal(fg_poison_original(i), fg_old[i]);
    /* The JavaVM now points elsewhere; the real invoke table is untouched. */
    assert_ptr_not_equal(fg_vm, &fg_invoke);
    assert_memory_equal(&fg_invoke, &invoke_before, sizeof fg_invoke);
    assert_ptr_equal(fg_vm->reserved0, fg_invoke.reserved0);
    assert_ptr_equal(fg_vm->reserved2, fg_invoke.reserved2);
    assert_true(fg_vm->GetEnv != fg_fake_get_env);
    assert_true(fg_vm->AttachCurrentThread != fg_fake_attach);
    assert_true(fg_vm->AttachCurrentThreadAsDaemon != fg_fake_attach_daemon);
    assert_true(fg_vm->DetachCurrentThread != fg_fake_detach);
    assert_true(fg_vm->DestroyJavaVM != fg_fake_destroy);

    /* Twice is a no-op: a marker put in a slot is neither saved as the
     * original nor overwritten (grandchildren inherit poisoned tables). */
    {
        const struct JNIInvokeInterface_ *vm_after = fg_vm;
        fg_table[10] = (void *)0x4d41524b;
        fg_poison_child_sigsafe();
        assert_ptr_equal(fg_table[10], (void *)0x4d41524b);
        assert_ptr_equal(fg_poison_original(10), fg_old[10]);
        assert_ptr_equal(fg_vm, vm_after);
    }
    assert_string_equal(fg_read_log(), ""); /* poisoning itself says nothing */
}

static void test_poison_jni_1_8(void **state)
{
    (void)state;
    fg_check_poison(0x00010008, 233);
}

static void test_poison_jdk17(void **state)
{
    (void)state;
    fg_check_poison(0x000a0000, 234);
}

static void test_poison_jdk25(void **state)
{
    (void)state;
    fg_check_poison(0x00180000, 236);
}

/* Block mode: JavaVM calls get error codes, never the real function, and one
 * report per process at most. */
static void test_block_vm_calls_refused(void **state)
{
    void *penv = (void *)0x1234;
    const char *log;
    (void)state;
    fg_setup(JNI_VERSION_10, FG_MODE_BLOCK);
    fg_poison_child_sigsafe();
    assert_int_equal(fg_vm->GetEnv(&fg_vm, &penv, JNI_VERSION_10), JNI_EDETACHED);
    assert_null(penv);
    assert_string_equal(fg_read_log(), "");
    penv = (void *)0x1234;
    assert_int_equal(fg_vm->AttachCurrentThread(&fg_vm, &penv, NULL), JNI_ERR);
    /* NULL, or an env whose every call is refused in turn. */
    assert_true(penv == NULL || *(void ***)penv == fg_table);
    penv = (void *)0x1234;
    assert_int_equal(fg_vm->AttachCurrentThreadAsDaemon(&fg_vm, &penv, NULL), JNI_ERR);
    assert_true(penv == NULL || *(void ***)penv == fg_table);
    assert_int_equal(fg_vm->DetachCurrentThread(&fg_vm), JNI_ERR);
    assert_int_equal(fg_vm->DestroyJavaVM(&fg_vm), JNI_ERR);
    assert_int_equal(fg_vm_calls.get_env + fg_vm_calls.attach + fg_vm_calls.attach_daemon +
                         fg_vm_calls.detach + fg_vm_calls.destroy,
                     0);
    log = fg_read_log();
    assert_int_equal(fg_count(log, "forkguard: JNI call "), 1);
    assert_non_null(strstr(log, "forkguard: JNI call AttachCurrentThread in pid "));
    assert_non_null(strstr(log, "\n  action:  refused: returns JNI_ERR"));
}

/* A host shutting down (DestroyJavaVM first, as JPype's teardown does) is
 * not using Java: the Attach that follows is refused silently. */
static void test_block_teardown_is_silent(void **state)
{
    void *penv = NULL;
    (void)state;
    fg_setup(JNI_VERSION_10, FG_MODE_BLOCK);
    fg_poison_child_sigsafe();
    assert_int_equal(fg_vm->DestroyJavaVM(&fg_vm), JNI_ERR);
    assert_int_equal(fg_vm->AttachCurrentThread(&fg_vm, &penv, NULL), JNI_ERR);
    assert_int_equal(fg_vm_calls.attach + fg_vm_calls.destroy, 0);
    assert_string_equal(fg_read_log(), "");
}

/* Block mode puts the signal handlers that live in libjvm (here: a handler
 * inside the recorded JVM range) back to what the process had before the JVM
 * (the snapshot taken at creation), and leaves the others. */
static void fg_jvm_handler(int sig)
{
    (void)sig;
}

static void fg_other_handler(int sig)
{
    (void)sig;
}

static void test_block_resets_jvm_signals(void **state)
{
    struct sigaction sa, got;
    (void)state;
    fg_setup(JNI_VERSION_10, FG_MODE_BLOCK);
    /* Before the "JVM": SIGTERM default, SIGPIPE ignored (as Python has it). */
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    fg_signals_snapshot();
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = fg_jvm_handler;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = fg_other_handler;
    sigaction(SIGUSR2, &sa, NULL);
    fg.jvm_code.r[0].lo = (uintptr_t)fg_jvm_handler;
    fg.jvm_code.r[0].hi = (uintptr_t)fg_jvm_handler + 1;
    fg.jvm_code.n = 1;
    /* What the JVM installed while it was created: noted then (record()). */
    fg_signals_after_creation();
    /* Installed by Java code later (sun.misc.Signal): not looked at. */
    sa.sa_handler = fg_jvm_handler;
    sigaction(SIGUSR1, &sa, NULL);
    fg_poison_child_sigsafe();
    fg.jvm_code.n = 0;
    sigaction(SIGTERM, NULL, &got);
    assert_true(got.sa_handler == SIG_DFL);
    sigaction(SIGPIPE, NULL, &got);
    assert_true(got.sa_handler == SIG_IGN);
    sigaction(SIGUSR2, NULL, &got);
    assert_true(got.sa_handler == fg_other_handler);
    sigaction(SIGUSR1, NULL, &got);
    assert_true(got.sa_handler == fg_jvm_handler);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
}

static void test_warn_vm_calls_forwarded(void **state)
{
    void *penv = NULL, *args = (void *)0xa265;
    const char *log;
    (void)state;
    fg_setup(JNI_VERSION_10, FG_MODE_WARN);
    fg_poison_child_sigsafe();
    assert_int_equal(fg_vm->GetEnv(&fg_vm, &penv, JNI_VERSION_10), 14);
    assert_int_equal(fg_vm_calls.get_env, 1);
    assert_ptr_equal(fg_vm_calls.vm, &fg_vm);
    assert_ptr_equal(fg_vm_calls.penv, &penv);
    assert_int_equal(fg_vm_calls.version, JNI_VERSION_10);
    assert_ptr_equal(penv, (void *)0xe27);
    assert_int_equal(fg_vm->AttachCurrentThread(&fg_vm, &penv, args), 12);
    assert_int_equal(fg_vm_calls.attach, 1);
    assert_ptr_equal(fg_vm_calls.args, args);
    assert_int_equal(fg_vm->AttachCurrentThreadAsDaemon(&fg_vm, &penv, args), 15);
    assert_int_equal(fg_vm_calls.attach_daemon, 1);
    assert_int_equal(fg_vm->DetachCurrentThread(&fg_vm), 13);
    assert_int_equal(fg_vm->DestroyJavaVM(&fg_vm), 11);
    assert_int_equal(fg_vm_calls.detach + fg_vm_calls.destroy, 2);
    fg_vm->GetEnv(&fg_vm, &penv, JNI_VERSION_10);
    log = fg_read_log();
    assert_int_equal(fg_count(log, "forkguard: JNI call GetEnv in pid "), 1);
    assert_non_null(strstr(log, "passed through to the real call (FORKGUARD_MODE=warn)"));
}

/* Warn mode: a call through the poisoned JNIEnv table reaches the real
 * function with every argument, register and stack, and its return value. */
static void test_warn_env_calls_forwarded(void **state)
{
    const struct JNINativeInterface_ *fns;
    JNIEnv *env;
    jint r;
    double d;
    int i;
    (void)state;
    fg_setup(JNI_VERSION_10, FG_MODE_WARN);
    fg_poison_child_sigsafe();
    fns = (const struct JNINativeInterface_ *)(void *)fg_table;
    env = &fns;
    assert_true((void *)fns->FindClass != (void *)fg_fake_find_class);

    assert_ptr_equal((*env)->FindClass(env, "java/lang/String"), (jclass)(uintptr_t)0xc1a55);
    assert_int_equal(fg_got.find_class, 1);
    assert_ptr_equal(fg_got.env, env);
    assert_string_equal(fg_got.name, "java/lang/String");
    assert_int_equal(fg_got.misalign, 0);
    (*env)->FindClass(env, "again");
    assert_int_equal(fg_got.find_class, 2);
    assert_string_equal(fg_got.name, "again");

    r = (*env)->CallStaticIntMethod(env, (jclass)(uintptr_t)0xc1, (jmethodID)(uintptr_t)0x3e7,
                                    7, -(1LL << 40), 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5,
                                    8.5, 9.5, -3, 0x123456789abcLL);
    assert_int_equal(r, 0x5eed);
    assert_int_equal(fg_got.call_int, 1);
    assert_ptr_equal(fg_got.env, env);
    assert_ptr_equal(fg_got.cls, (jclass)(uintptr_t)0xc1);
    assert_ptr_equal(fg_got.mid, (jmethodID)(uintptr_t)0x3e7);
    assert_int_equal(fg_got.i1, 7);
    assert_true(fg_got.ll == -(1LL << 40));
    for (i = 0; i < 10; i++)
        if (fg_got.d[i] != 0.5 + i)
            fail_msg("variadic double %d: got %g, want %g", i, fg_got.d[i], 0.5 + i);
    assert_int_equal(fg_got.i2, -3);
    assert_true(fg_got.ll2 == 0x123456789abcLL);
    assert_int_equal(fg_got.misalign, 0);

    d = ((fg_many_fn)fg_table[FG_SLOT(CallStaticDoubleMethodA)])(env, 1, -2, 3, -4, 5, -6, 7,
                                                                 1.25, 2.25, 3.25, 4.25, 5.25,
                                                                 6.25, 7.25, 8.25, 9.25, 10.25);
    assert_true(d == 6.25);
    assert_int_equal(fg_got.many, 1);
    assert_ptr_equal(fg_got.env, env);
    for (i = 0; i < 7; i++)
        if (fg_got.a[i] != (i % 2 ? -(i + 1) : i + 1))
            fail_msg("integer argument %d: got %ld", i + 1, fg_got.a[i]);
    for (i = 0; i < 10; i++)
        if (fg_got.d[i] != 1.25 + i)
            fail_msg("double argument %d: got %g, want %g", i + 1, fg_got.d[i], 1.25 + i);
    assert_int_equal(fg_got.misalign, 0);

    /* One report per function, however often it is called. */
    {
        const char *log = fg_read_log();
        assert_int_equal(fg_count(log, "forkguard: JNI call FindClass in pid "), 1);
        assert_int_equal(fg_count(log, "forkguard: JNI call CallStaticIntMethod in pid "), 1);
        assert_int_equal(fg_count(log, "(FORKGUARD_MODE=warn)"), 3);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_env_slots),
        cmocka_unit_test_teardown(test_poison_jni_1_8, fg_teardown),
        cmocka_unit_test_teardown(test_poison_jdk17, fg_teardown),
        cmocka_unit_test_teardown(test_poison_jdk25, fg_teardown),
        cmocka_unit_test_teardown(test_block_vm_calls_refused, fg_teardown),
        cmocka_unit_test_teardown(test_block_teardown_is_silent, fg_teardown),
        cmocka_unit_test_teardown(test_block_resets_jvm_signals, fg_teardown),
        cmocka_unit_test_teardown(test_warn_vm_calls_forwarded, fg_teardown),
        cmocka_unit_test_teardown(test_warn_env_calls_forwarded, fg_teardown),
    };
    setvbuf(stdout, NULL, _IOLBF, 0); /* keeps cmocka's stdout and stderr in order */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
