/* preload/report.h: the text and JSON records users and scripts read.
 *
 * The text's first line is contract (docs/contract.md), so it is compared exactly;
 * JSON records are parsed by Python's json module (fg_json_check.h), including
 * the fallbacks for buffers too small and names too long, and every buffer is
 * followed by canary bytes that must survive. */
#include "preload/buf.h"
#include "preload/messages.h"
#include "preload/report.h"

#include "fg_json_check.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define FG_CANARY 0xcc
#define FG_CANARY_LEN 64
#define FG_BIG (64 * 1024)

static char fg_mem[FG_BIG + FG_CANARY_LEN];

static const struct fg_frame fg_frames[] = {
    {.ip = 0x7f0000001234,
     .module = "/usr/lib/libfoo.so",
     .symbol = "foo_call",
     .offset = 0x14},
    {.ip = 0x7f0000005678, .module = "/usr/lib/libbar.so", .symbol = NULL, .offset = 0x4f0},
    {.ip = 0xdead, .module = NULL, .symbol = NULL, .offset = 0},
};
static const struct fg_frame fg_fork_frames[] = {
    {.ip = 0x401000, .module = NULL, .symbol = "main", .offset = 0x10},
};

static void fg_sample(struct fg_report *r)
{
    memset(r, 0, sizeof *r);
    r->event = "jni_in_child";
    r->function = "FindClass";
    r->pid = 4242;
    r->owner_pid = 4200;
    r->parent_pid = 4200;
    r->libjvm = "/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so";
    r->host = "python";
    r->fix = FG_FIX_PYTHON;
    r->mode = FG_MODE_BLOCK;
    r->action = "abort";
    r->action_text = "abort (FORKGUARD_MODE=block)";
    r->frames = fg_frames;
    r->n_frames = 3;
    r->fork_frames = fg_fork_frames;
    r->n_fork_frames = 1;
}

typedef size_t (*fg_format_fn)(char *, size_t, const struct fg_report *);

/* Formats into a buffer of `size` bytes followed by canaries; returns the
 * record as a C string (its length in *n) after checking the canaries. */
static const char *fg_format(fg_format_fn fn, size_t size, const struct fg_report *r, size_t *n)
{
    size_t i;
    assert_true(size <= FG_BIG);
    memset(fg_mem, FG_CANARY, sizeof fg_mem);
    *n = fn(fg_mem, size, r);
    for (i = size; i < size + FG_CANARY_LEN; i++)
        if ((unsigned char)fg_mem[i] != FG_CANARY)
            fail_msg("buffer of %zu bytes: byte %zu past its end overwritten", size, i - size);
    if (*n > size)
        fail_msg("buffer of %zu bytes: record of %zu bytes", size, *n);
    fg_mem[*n] = '\0'; /* inside the canary area, after the check */
    return fg_mem;
}

static void test_text_header(void **state)
{
    struct fg_report r;
    size_t n;
    const char *t;
    char want[2048];
    (void)state;
    fg_sample(&r);
    t = fg_format(fg_report_text_header, 16384, &r, &n);
    assert_int_equal(n, strlen(t));
    snprintf(want, sizeof want,
             "forkguard: JNI call FindClass in pid 4242, a forked child of JVM owner pid 4200\n"
             "  jvm:     created by pid 4200 (libjvm "
             "/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so)\n"
             "  fork:    pid 4200 forked pid 4242\n"
             "  why:     %s\n"
             "  fix:     (python) %s\n"
             "  action:  abort (FORKGUARD_MODE=block)\n",
             FG_MSG_WHY, FG_FIX_PYTHON);
    assert_string_equal(t, want);
}

static void test_text_header_unknowns(void **state)
{
    struct fg_report r;
    size_t n;
    const char *t;
    (void)state;
    fg_sample(&r);
    r.libjvm = NULL;
    r.host = NULL;
    r.fix = FG_FIX_C;
    t = fg_format(fg_report_text_header, 16384, &r, &n);
    assert_non_null(strstr(t, "\n  jvm:     created by pid 4200 (libjvm unknown)\n"));
    assert_non_null(strstr(t, "\n  fix:     " FG_FIX_C "\n"));
    r.libjvm = "";
    t = fg_format(fg_report_text_header, 16384, &r, &n);
    assert_non_null(strstr(t, "(libjvm unknown)"));
}

/* A header that does not fit is cut, says so, and still ends the line. */
static void test_text_header_cut(void **state)
{
    static char name[10 * 1024 + 1];
    static const size_t sizes[] = {9, 16, 64, 100, 300, 700, 4096};
    struct fg_report r;
    size_t n, i;
    const char *t;
    (void)state;
    memset(name, 'F', sizeof name - 1);
    fg_sample(&r);
    r.function = name;
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        t = fg_format(fg_report_text_header, sizes[i], &r, &n);
        assert_true(n >= 4);
        assert_string_equal(t + n - 4, "...\n");
        if (sizes[i] >= 64)
            assert_int_equal(strncmp(t, "forkguard: JNI call FFFF", 24), 0);
    }
}

static void test_text_frames(void **state)
{
    struct fg_report r;
    size_t n;
    const char *t;
    (void)state;
    fg_sample(&r);
    t = fg_format(fg_report_text_frames, 16384, &r, &n);
    assert_int_equal(n, strlen(t));
    assert_string_equal(
        t, "  at (JNI call):  #0 0x7f0000001234 foo_call+0x14 (/usr/lib/libfoo.so)\n"
           "                  #1 0x7f0000005678 libbar.so+0x4f0 (/usr/lib/libbar.so)\n"
           "                  #2 0xdead ??\n"
           "  at (fork):      #0 0x401000 main+0x10\n");

    r.frames_cut = 1;
    t = fg_format(fg_report_text_frames, 16384, &r, &n);
    assert_non_null(strstr(t, "#2 0xdead ??\n                  (unwinding timed out)\n"
                              "  at (fork):      #0"));

    r.n_frames = 0;
    r.n_fork_frames = 0;
    t = fg_format(fg_report_text_frames, 16384, &r, &n);
    assert_string_equal(t, "  at (JNI call):  (unwinding timed out)\n"
                           "  at (fork):      (no frames)\n");
    r.frames_cut = 0;
    t = fg_format(fg_report_text_frames, 16384, &r, &n);
    assert_string_equal(t, "  at (JNI call):  (no frames)\n"
                           "  at (fork):      (no frames)\n");
}

static void test_text_frames_cut(void **state)
{
    static char module[10 * 1024 + 1];
    struct fg_frame many[32];
    struct fg_report r;
    size_t n, size;
    const char *t;
    int i;
    (void)state;
    memset(module, 'm', sizeof module - 1);
    module[0] = '/';
    memset(many, 0, sizeof many);
    for (i = 0; i < 32; i++) {
        many[i].ip = 0x1000u + (uintptr_t)i;
        many[i].module = module;
        many[i].symbol = (i % 2) ? NULL : "sym";
        many[i].offset = (uintptr_t)i;
    }
    fg_sample(&r);
    r.frames = many;
    r.n_frames = 32;
    for (size = 9; size <= 20000; size += size < 100 ? 1 : 997) {
        t = fg_format(fg_report_text_frames, size, &r, &n);
        assert_true(n >= 4);
        assert_string_equal(t + n - 4, "...\n");
    }
}

static const char *const fg_py_lines[] = {
    "File \"/srv/app.py\", line 30, in <module>",
    "File \"/srv/app.py\", line 18, in w_time",
};

/* A CPython host's record: the Python block first, innermost last; none
 * for other hosts (the records above are unchanged). */
static void test_text_python(void **state)
{
    struct fg_report r;
    size_t n;
    const char *t;
    (void)state;
    fg_sample(&r);
    r.n_frames = 1;
    r.py_lines = fg_py_lines;
    r.n_py_lines = 2;
    t = fg_format(fg_report_text_frames, 16384, &r, &n);
    assert_string_equal(
        t, "  at (Python):    File \"/srv/app.py\", line 30, in <module>\n"
           "                  File \"/srv/app.py\", line 18, in w_time\n"
           "  at (JNI call):  #0 0x7f0000001234 foo_call+0x14 (/usr/lib/libfoo.so)\n"
           "  at (fork):      #0 0x401000 main+0x10\n");
    r.py_cut = 1;
    r.n_py_lines = 1;
    t = fg_format(fg_report_text_frames, 16384, &r, &n);
    assert_non_null(strstr(t, "  at (Python):    (outer frames left out)\n"
                              "                  File \"/srv/app.py\", line 30, in <module>\n"
                              "  at (JNI call):  #0"));
    r.event = "fork";
    r.py_cut = 0;
    r.n_py_lines = 2;
    t = fg_format(fg_report_text_fork, 16384, &r, &n);
    assert_non_null(strstr(t, "\n  at (Python):    File \"/srv/app.py\", line 30, in <module>\n"
                              "                  File \"/srv/app.py\", line 18, in w_time\n"
                              "  at (fork):      #0 0x401000 main+0x10\n"));
}

/* A Ruby host's line, text and JSON; nothing when empty. */
static void test_ruby_line(void **state)
{
    struct fg_report r;
    size_t n;
    const char *t;
    (void)state;
    fg_sample(&r);
    r.n_frames = 1;
    r.ruby_line = "";
    t = fg_format(fg_report_text_frames, 16384, &r, &n);
    assert_null(strstr(t, "Ruby"));
    r.ruby_line = "/srv/app.rb:12";
    t = fg_format(fg_report_text_frames, 16384, &r, &n);
    assert_string_equal(
        t, "  at (Ruby):      /srv/app.rb:12\n"
           "  at (JNI call):  #0 0x7f0000001234 foo_call+0x14 (/usr/lib/libfoo.so)\n"
           "  at (fork):      #0 0x401000 main+0x10\n");
    t = fg_format(fg_report_json, 16384, &r, &n);
    assert_int_equal(fg_json_check_one(t, n, "{\"ruby_line\":\"/srv/app.rb:12\"}"), 0);
}

static void test_json_python(void **state)
{
    struct fg_report r;
    size_t n;
    const char *t;
    (void)state;
    fg_sample(&r);
    t = fg_format(fg_report_json, 16384, &r, &n);
    assert_null(strstr(t, "python_stack"));
    r.py_lines = fg_py_lines;
    r.n_py_lines = 2;
    t = fg_format(fg_report_json, 16384, &r, &n);
    assert_int_equal(
        fg_json_check_one(t, n,
                          "{\"python_stack\":[\"File \\\"/srv/app.py\\\", line 30, "
                          "in <module>\",\"File \\\"/srv/app.py\\\", line 18, in "
                          "w_time\"],\"python_stack_cut\":false,\"backtrace_cut\":false}"),
        0);
}

/* The expectation for the sample record: keys of the contract and values. */
static const char fg_sample_expect[] =
    "{\"event\":\"jni_in_child\",\"pid\":4242,\"owner_pid\":4200,\"parent_pid\":4200,"
    "\"function\":\"FindClass\",\"mode\":\"block\",\"action\":\"abort\","
    "\"action_text\":\"abort (FORKGUARD_MODE=block)\","
    "\"libjvm\":\"/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so\","
    "\"backtrace\":[\"#0 0x7f0000001234 foo_call+0x14 (/usr/lib/libfoo.so)\","
    "\"#1 0x7f0000005678 libbar.so+0x4f0 (/usr/lib/libbar.so)\",\"#2 0xdead ??\"],"
    "\"fork_backtrace\":[\"#0 0x401000 main+0x10\"],\"backtrace_cut\":false,"
    "\"why\":\"<any>\",\"fix\":\"<any>\",\"host\":\"python\"}";

static void test_json_record(void **state)
{
    struct fg_report r;
    size_t n;
    const char *t;
    (void)state;
    fg_sample(&r);
    t = fg_format(fg_report_json, 16384, &r, &n);
    assert_int_equal(n, strlen(t));
    assert_int_equal(strncmp(t, "{\"event\":\"jni_in_child\"", 23), 0);
    assert_int_equal(fg_json_check_one(t, n, fg_sample_expect), 0);

    r.mode = FG_MODE_WARN;
    r.action = "passed";
    r.frames_cut = 1;
    r.n_fork_frames = 0;
    r.libjvm = NULL;
    t = fg_format(fg_report_json, 16384, &r, &n);
    assert_int_equal(fg_json_check_one(t, n,
                                       "{\"mode\":\"warn\",\"action\":\"passed\","
                                       "\"backtrace_cut\":true,\"fork_backtrace\":[],"
                                       "\"libjvm\":null}"),
                     0);
    r.mode = FG_MODE_OFF;
    t = fg_format(fg_report_json, 16384, &r, &n);
    assert_int_equal(fg_json_check_one(t, n, "{\"mode\":\"off\"}"), 0);
}

/* A fork event says the same "why" in JSON as in its text record. */
static void test_json_fork_why(void **state)
{
    struct fg_report r;
    size_t n;
    const char *t;
    char expect[512];
    (void)state;
    fg_sample(&r);
    r.event = "fork";
    r.action = "none";
    t = fg_format(fg_report_json, 16384, &r, &n);
    snprintf(expect, sizeof expect, "{\"event\":\"fork\",\"why\":\"%s\"}", FG_MSG_WHY_FORK);
    assert_int_equal(fg_json_check_one(t, n, expect), 0);
    r.event = "jni_in_child";
    t = fg_format(fg_report_json, 16384, &r, &n);
    snprintf(expect, sizeof expect, "{\"why\":\"%s\"}", FG_MSG_WHY);
    assert_int_equal(fg_json_check_one(t, n, expect), 0);
}

static void test_json_config_error(void **state)
{
    struct fg_report r;
    size_t n;
    const char *t;
    (void)state;
    memset(&r, 0, sizeof r);
    r.event = "config_error";
    r.pid = 77;
    r.message = "forkguard: FORKGUARD_MODE=\"x\\\x01: expected block, warn or off; using block";
    t = fg_format(fg_report_json, 1024, &r, &n);
    assert_int_equal(fg_json_check_one(t, n,
                                       "{\"event\":\"config_error\",\"pid\":77,\"owner_pid\":0,"
                                       "\"message\":\"forkguard: FORKGUARD_MODE=\\\"x\\\\"
                                       "\\u0001: expected block, warn or off; using block\"}"),
                     0);
}

/* Names with quotes, backslashes, control bytes, DEL, valid and invalid
 * UTF-8: the record still parses and valid text comes back unchanged. */
static void test_json_hostile_names(void **state)
{
    static const struct fg_frame odd[] = {
        {.ip = 0x10,
         .module = "/opt/we\"ird\\dir/lib\x01\xff.so",
         .symbol = "sym\"bol\x7f",
         .offset = 1},
        {.ip = 0x20, .module = "/opt/caf\xc3\xa9/lib\xe2\x82.so", .symbol = NULL, .offset = 2},
    };
    struct fg_report r;
    size_t n;
    const char *t;
    (void)state;
    fg_sample(&r);
    r.function = "Find\"Class\\\n\t\x01\x7f caf\xc3\xa9 \xff";
    r.host = "py\"thon";
    r.frames = odd;
    r.n_frames = 2;
    t = fg_format(fg_report_json, 16384, &r, &n);
    assert_int_equal(fg_json_check_one(t, n,
                                       "{\"function\":\"Find\\\"Class\\\\\\n\\t\\u0001\\u007f "
                                       "caf\\u00e9 \\ufffd\",\"host\":\"py\\\"thon\","
                                       "\"backtrace\":\"<any>\"}"),
                     0);
}

/* Small buffers and huge names: always one line that parses (the fallback
 * records), never a byte past the buffer. */
static void test_json_small_buffers_and_huge_names(void **state)
{
    static char huge[10 * 1024 + 1];
    struct fg_frame big_frames[4];
    struct fg_report r;
    size_t n, size;
    const char *t;
    FILE *f;
    int i;
    (void)state;
    memset(huge, 'h', sizeof huge - 1);
    huge[0] = '/';
    memset(big_frames, 0, sizeof big_frames);
    for (i = 0; i < 4; i++) {
        big_frames[i].ip = 0x1000;
        big_frames[i].module = huge;
    }
    f = fg_json_open("{\"event\":\"<any>\"}");
    assert_non_null(f);
    for (size = 28; size <= 3000; size++) {
        fg_sample(&r);
        if (size % 3 == 1)
            r.function = huge;
        if (size % 3 == 2)
            r.frames = big_frames;
        t = fg_format(fg_report_json, size, &r, &n);
        assert_true(n > 0);
        fwrite(t, 1, n, f);
    }
    assert_int_equal(fg_json_close(f), 0);

    /* The sizes named in the contract's tests, each checked on its own. */
    fg_sample(&r);
    r.function = huge;
    t = fg_format(fg_report_json, 64, &r, &n);
    assert_int_equal(fg_json_check_one(t, n, "{\"event\":\"<any>\"}"), 0);
    t = fg_format(fg_report_json, 300, &r, &n);
    assert_int_equal(fg_json_check_one(t, n, "{\"event\":\"<any>\"}"), 0);
    fg_sample(&r);
    t = fg_format(fg_report_json, 700, &r, &n);
    assert_int_equal(fg_json_check_one(t, n, "{\"event\":\"jni_in_child\",\"pid\":4242}"), 0);

    /* Frames too big for the buffer are dropped, the rest is kept. */
    fg_sample(&r);
    r.frames = big_frames;
    r.n_frames = 4;
    t = fg_format(fg_report_json, 16384, &r, &n);
    assert_int_equal(fg_json_check_one(t, n,
                                       "{\"function\":\"FindClass\",\"backtrace\":[],"
                                       "\"fork_backtrace\":[],\"truncated\":true}"),
                     0);
    /* A 10 KB function name fits a 16 KB record as it is. */
    fg_sample(&r);
    r.function = huge;
    t = fg_format(fg_report_json, 16384, &r, &n);
    assert_int_equal(
        fg_json_check_one(t, n, "{\"function\":\"<any>\",\"backtrace\":\"<any>\"}"), 0);
    assert_non_null(strstr(t, huge));
}

/* Below what the shortest fallback needs, the contract still asks for a
 * record that parses: or none at all (length 0). */
static void test_json_tiny_buffers_parse_or_empty(void **state)
{
    struct fg_report r;
    size_t n, size, bad = 0;
    const char *t;
    char first[160] = "";
    FILE *f;
    (void)state;
    f = fg_json_open("{}");
    assert_non_null(f);
    for (size = FG_BUF_RESERVE + 1; size < 28; size++) {
        fg_sample(&r);
        t = fg_format(fg_report_json, size, &r, &n);
        if (n == 0)
            continue;
        fwrite(t, 1, n, f);
        if (!bad++)
            snprintf(first, sizeof first, "size %zu gives %.*s", size, (int)n - 1, t);
    }
    if (fg_json_close(f) != 0)
        fail_msg("records that do not parse; first: %s", first);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_header),
        cmocka_unit_test(test_text_header_unknowns),
        cmocka_unit_test(test_text_header_cut),
        cmocka_unit_test(test_text_frames),
        cmocka_unit_test(test_text_frames_cut),
        cmocka_unit_test(test_json_record),
        cmocka_unit_test(test_text_python),
        cmocka_unit_test(test_json_python),
        cmocka_unit_test(test_ruby_line),
        cmocka_unit_test(test_json_fork_why),
        cmocka_unit_test(test_json_config_error),
        cmocka_unit_test(test_json_hostile_names),
        cmocka_unit_test(test_json_small_buffers_and_huge_names),
        cmocka_unit_test(test_json_tiny_buffers_parse_or_empty),
    };
    setvbuf(stdout, NULL, _IOLBF, 0); /* keeps cmocka's stdout and stderr in order */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
