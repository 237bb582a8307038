/* Fake JNI tables and forkguard state for the poison tests, without a JVM.
 *
 * The JNIEnv table is sized like the real one for a given GetVersion() and
 * followed by canary slots; its FindClass, CallStaticIntMethod and
 * CallStaticDoubleMethodA slots hold fakes that record what they receive, the
 * others distinct old values. The JavaVM's invoke table is a const struct of
 * counting fakes, as libjvm's is read-only. Reports go to a pipe. */
#ifndef FG_FAKE_JNI_H
#define FG_FAKE_JNI_H

#include "hooks/poison.h"
#include "preload/state.h"
#include "preload/stub_core.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define FG_CANARIES 16
#define FG_SLOT(name) (offsetof(struct JNINativeInterface_, name) / sizeof(void *))
#define FG_CANARY_VALUE(i) ((void *)(uintptr_t)(0xca0a0000u + (i)))
#define FG_OLD_VALUE(i) ((void *)(uintptr_t)(0x0bad0000u + (i)))

static void *fg_table[FG_ENV_SLOTS_MAX + FG_CANARIES];
static void *fg_old[FG_ENV_SLOTS_MAX + FG_CANARIES];
static JavaVM fg_vm;
static int fg_log_r = -1;

/* Calls the fake JavaVM functions received; none may be reached in block
 * mode. */
static struct {
    int destroy, attach, detach, get_env, attach_daemon;
    JavaVM *vm;
    void **penv;
    void *args;
    jint version;
} fg_vm_calls;

static jint JNICALL fg_fake_destroy(JavaVM *vm)
{
    fg_vm_calls.destroy++;
    fg_vm_calls.vm = vm;
    return 11;
}

static jint JNICALL fg_fake_attach(JavaVM *vm, void **penv, void *args)
{
    fg_vm_calls.attach++;
    fg_vm_calls.vm = vm;
    fg_vm_calls.penv = penv;
    fg_vm_calls.args = args;
    return 12;
}

static jint JNICALL fg_fake_detach(JavaVM *vm)
{
    fg_vm_calls.detach++;
    fg_vm_calls.vm = vm;
    return 13;
}

static jint JNICALL fg_fake_get_env(JavaVM *vm, void **penv, jint version)
{
    fg_vm_calls.get_env++;
    fg_vm_calls.vm = vm;
    fg_vm_calls.penv = penv;
    fg_vm_calls.version = version;
    *penv = (void *)0xe27;
    return 14;
}

static jint JNICALL fg_fake_attach_daemon(JavaVM *vm, void **penv, void *args)
{
    fg_vm_calls.attach_daemon++;
    fg_vm_calls.vm = vm;
    fg_vm_calls.penv = penv;
    fg_vm_calls.args = args;
    return 15;
}

static const struct JNIInvokeInterface_ fg_invoke = {
    (void *)0x1a,   (void *)0x1b,   (void *)0x1c,    fg_fake_destroy,
    fg_fake_attach, fg_fake_detach, fg_fake_get_env, fg_fake_attach_daemon,
};

/* What the fake JNIEnv functions received (warn mode forwards to them). */
static struct {
    int find_class, call_int, many;
    JNIEnv *env;
    const char *name;
    jclass cls;
    jmethodID mid;
    int i1, i2;
    long long ll, ll2;
    long a[7];
    double d[10];
    uintptr_t misalign; /* frame address mod 16: the stubs must keep the ABI's */
} fg_got;

static jclass JNICALL fg_fake_find_class(JNIEnv *env, const char *name)
{
    fg_got.misalign = (uintptr_t)__builtin_frame_address(0) & 15;
    fg_got.find_class++;
    fg_got.env = env;
    fg_got.name = name;
    return (jclass)(uintptr_t)0xc1a55;
}

/* Shaped like CallStaticIntMethod: ints, long longs and doubles through the
 * varargs, more than fit in registers, so %al and the stack both matter. */
static jint JNICALL fg_fake_call_int(JNIEnv *env, jclass cls, jmethodID mid, ...)
{
    va_list ap;
    int i;
    fg_got.misalign = (uintptr_t)__builtin_frame_address(0) & 15;
    fg_got.call_int++;
    fg_got.env = env;
    fg_got.cls = cls;
    fg_got.mid = mid;
    va_start(ap, mid);
    fg_got.i1 = va_arg(ap, int);
    fg_got.ll = va_arg(ap, long long);
    for (i = 0; i < 10; i++)
        fg_got.d[i] = va_arg(ap, double);
    fg_got.i2 = va_arg(ap, int);
    fg_got.ll2 = va_arg(ap, long long);
    va_end(ap);
    return 0x5eed;
}

typedef double (*fg_many_fn)(JNIEnv *, long, long, long, long, long, long, long, double, double,
                             double, double, double, double, double, double, double, double);

/* 8 integer and 10 double arguments: two of each kind on the stack. */
static double fg_fake_many(JNIEnv *env, long a1, long a2, long a3, long a4, long a5, long a6,
                           long a7, double d1, double d2, double d3, double d4, double d5,
                           double d6, double d7, double d8, double d9, double d10)
{
    const long a[7] = {a1, a2, a3, a4, a5, a6, a7};
    const double d[10] = {d1, d2, d3, d4, d5, d6, d7, d8, d9, d10};
    fg_got.misalign = (uintptr_t)__builtin_frame_address(0) & 15;
    fg_got.many++;
    fg_got.env = env;
    memcpy(fg_got.a, a, sizeof a);
    memcpy(fg_got.d, d, sizeof d);
    return 6.25;
}

/* Reports go to a pipe the tests read, not to the terminal. */
static void fg_capture_log(void)
{
    int p[2];
    struct stat st;
    if (fg_log_r >= 0) {
        close(fg_log_r);
        close(fg.log_fd);
    }
    assert_int_equal(pipe(p), 0);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    fg_log_r = p[0];
    fg.log_fd = p[1];
    assert_int_equal(fstat(p[1], &st), 0);
    fg.log_dev = st.st_dev;
    fg.log_ino = st.st_ino;
}

/* Everything written to the log since the last call. */
static const char *fg_read_log(void)
{
    static char out[256 * 1024];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof out - 1 && (r = read(fg_log_r, out + n, sizeof out - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = '\0';
    return out;
}

static inline int fg_count(const char *hay, const char *needle)
{
    int n = 0;
    for (; (hay = strstr(hay, needle)) != NULL; hay++)
        n++;
    return n;
}

/* The state of a JVM owner whose JVM reported `version`, with a fresh table
 * of old values and canaries; not yet poisoned. */
/* stub/load.c: the test binary carries the core linked in, which the stub
 * then takes instead of loading the file; as at JVM creation, once. */
const struct fg_core_ops *fg_stub_core(void);

static void fg_setup(jint version, enum fg_mode mode)
{
    unsigned i;
    assert_non_null(fg_stub_core());
    fg.poisoned = 0;
    fg.reported = 0;
    fg.teardown = 0;
    fg.cfg.mode = mode;
    fg.cfg.exit_code = 0;
    fg.cfg.format = FG_FORMAT_TEXT;
    fg.cfg.on_fork_warn = 0; /* fork events would come first in the log */
    fg.owner_pid = getpid();
    fg.fork_parent_pid = getpid();
    fg.env_slots = fg_poison_env_slots(version);
    assert_true(fg.env_slots <= FG_ENV_SLOTS_MAX);
    for (i = 0; i < FG_ENV_SLOTS_MAX + FG_CANARIES; i++)
        fg_table[i] = i < fg.env_slots ? FG_OLD_VALUE(i) : FG_CANARY_VALUE(i);
    fg_table[FG_SLOT(FindClass)] = (void *)fg_fake_find_class;
    fg_table[FG_SLOT(CallStaticIntMethod)] = (void *)fg_fake_call_int;
    fg_table[FG_SLOT(CallStaticDoubleMethodA)] = (void *)fg_fake_many;
    memcpy(fg_old, fg_table, sizeof fg_table);
    fg.env_table = fg_table;
    fg_vm = &fg_invoke;
    fg.vm = &fg_vm;
    fg.vm_functions = &fg_invoke;
    memset(&fg_vm_calls, 0, sizeof fg_vm_calls);
    memset(&fg_got, 0, sizeof fg_got);
    fg_capture_log();
}

static inline int fg_teardown(void **state)
{
    (void)state;
    fg.owner_pid = 0; /* the test process itself is no JVM owner */
    fg.env_table = NULL;
    fg.vm = NULL;
    fg.vm_functions = NULL;
    return 0;
}

#endif
