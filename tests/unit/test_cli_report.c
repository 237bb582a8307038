/* cli/report_read.c: what `forkguard report` makes of a log, text or JSON,
 * whole, cut short or glued together. The gate must fail closed: every line
 * it cannot read is counted, with its number, and a JNI use it can see is
 * counted even when the rest of its record is lost. */
#include "cli/report_read.c"
#include "cli/report_python.c"
#include "cli/report_text.c"
#include "preload/backtrace.h"
#include "preload/report.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define FG_HEAD(fn, pid, owner)                                                                \
    "forkguard: JNI call " fn " in pid " pid ", a forked child of JVM owner pid " owner "\n"   \
    "  jvm:     created by pid " owner " (libjvm /jvm/lib/server/libjvm.so)\n"                 \
    "  fork:    pid " owner " forked pid " pid "\n"                                            \
    "  why:     the JVM's threads do not survive fork(); JNI in the child can hang or crash\n" \
    "  fix:     (python) use spawn\n"                                                          \
    "  action:  abort (FORKGUARD_MODE=block)\n"
#define FG_FRAMES                                                                              \
    "  at (JNI call):  #0 0x1234 child+0x4 (/bin/host)\n"                                      \
    "                  #1 0x5678 main+0x10 (/bin/host)\n"                                      \
    "  at (fork):      #0 0x9abc main+0x8 (/bin/host)\n"                                       \
    "                  #1 0xdef0 libc.so.6+0x2724a (/lib/libc.so.6)\n"
#define FG_FORK                                                                                \
    "forkguard: pid 10, owner of a live JVM, forked pid 11\n"                                  \
    "  jvm:     created by pid 10 (libjvm unknown)\n"                                          \
    "  why:     the JVM's threads do not survive fork()\n"                                     \
    "  fix:     (c) create the JVM after fork()\n"                                             \
    "  action:  none, the child runs on (FORKGUARD_ON_FORK=warn)\n"                            \
    "  at (fork):      #0 0x9abc main+0x8 (/bin/host)\n"                                       \
    "                  #1 0xdef0 libc.so.6+0x2724a (/lib/libc.so.6)\n"
#define FG_JSON_JNI(pid)                                                                       \
    "{\"event\":\"jni_in_child\",\"pid\":" pid ",\"owner_pid\":10,\"parent_pid\":10,"          \
    "\"function\":\"GetEnv\",\"action\":\"passed\",\"backtrace\":[\"#0 0x1 f+0x1 (/b)\"],"     \
    "\"fork_backtrace\":[]}\n"

/* Reads LOG (a C string: no NULs) as the command does, line by line. */
static void fg_read(struct fg_report_summary *s, const char *log)
{
    long lineno = 0;
    fg_report_init(s);
    while (*log) {
        const char *nl = strchr(log, '\n');
        size_t len = nl ? (size_t)(nl - log) : strlen(log);
        char *line = strndup(log, len);
        assert_non_null(line);
        fg_report_line(s, line, len, ++lineno, nl != NULL);
        free(line);
        log += len + (nl != NULL);
    }
    fg_report_end(s);
}

static void fg_bad_lines(const struct fg_report_summary *s, size_t n, const long *want)
{
    size_t i;
    if (s->bad != n)
        fail_msg("%zu bad lines, want %zu (first: %ld)", s->bad, n,
                 s->bad ? s->bad_lines[0] : 0);
    for (i = 0; i < n; i++)
        if (s->bad_lines[i] != want[i])
            fail_msg("bad line %zu is %ld, want %ld", i, s->bad_lines[i], want[i]);
}

/* The default format: `forkguard report` once read 0 records and exited 0. */
static void test_text_log(void **state)
{
    struct fg_report_summary s;
    (void)state;
    fg_read(&s, FG_HEAD("FindClass", "12", "10") FG_HEAD("GetEnv", "13", "10")
                    FG_FRAMES FG_FRAMES FG_FORK
            "forkguard: FORKGUARD_MODE=x: expected block, warn or off; using block\n");
    fg_bad_lines(&s, 0, NULL);
    assert_int_equal(s.jni, 2);
    assert_int_equal(s.records, 4);
    assert_int_equal(s.n_owners, 1);
    assert_int_equal(s.owners[0].n_children, 2);
    assert_int_equal(s.owners[0].forks, 1);
    assert_string_equal(s.owners[0].first_fork_site, "#0 0x9abc main+0x8 (/bin/host)");
    assert_string_equal(s.owners[0].host, "python");
    assert_string_equal(s.owners[0].fix, "use spawn");
    assert_string_equal(s.owners[0].libjvm, "/jvm/lib/server/libjvm.so");
    assert_string_equal(s.owners[0].children[0].functions, "FindClass [abort]");
    assert_int_equal(s.owners[0].children[0].parent, 10);
    /* Frames go to the oldest header still without them. */
    assert_string_equal(s.owners[0].children[0].first_call, "#0 0x1234 child+0x4 (/bin/host)");
    assert_string_equal(s.owners[0].children[1].fork_site, "#0 0x9abc main+0x8 (/bin/host)");
    assert_int_equal(s.n_messages, 1);
    fg_report_free(&s);
}

/* JPype refuses real use before JNI; its report names the bridge in words. */
static void test_text_bridge_function(void **state)
{
    struct fg_report_summary s;
    (void)state;
    fg_read(&s, FG_HEAD("through JPype", "12", "10") FG_FRAMES);
    fg_bad_lines(&s, 0, NULL);
    assert_int_equal(s.jni, 1);
    assert_int_equal(s.owners[0].n_children, 1);
    assert_string_equal(s.owners[0].children[0].functions, "through JPype [abort]");
    fg_report_free(&s);
}

#define FG_PY_FRAMES                                                                           \
    "  at (Python):    (outer frames left out)\n"                                              \
    "                  File \"/srv/app.py\", line 30, in <module>\n"                           \
    "                  File \"/usr/lib/python3.11/multiprocessing/pool.py\", line 125, in "    \
    "worker\n"                                                                                 \
    "                  File \"/srv/app.py\", line 18, in w_time\n"                             \
    "                  File \"/usr/lib/python3/dist-packages/jpype/_jclass.py\", line 99, in " \
    "__new__\n"                                                                                \
    "  at (JNI call):  #0 0x1234 child+0x4 (/bin/host)\n"                                      \
    "  at (fork):      #0 0x9abc main+0x8 (/bin/host)\n"

/* A CPython host: the user's own innermost line is the first call, the
 * user's line outside the pool's frames the fork site; a fork warning for
 * that child names the forking line exactly. */
static void test_text_python(void **state)
{
    struct fg_report_summary s;
    (void)state;
    fg_read(&s, FG_HEAD("through JPype", "12", "10") FG_PY_FRAMES);
    fg_bad_lines(&s, 0, NULL);
    assert_int_equal(s.jni, 1);
    assert_string_equal(s.owners[0].children[0].first_call,
                        "File \"/srv/app.py\", line 18, in w_time");
    assert_string_equal(s.owners[0].children[0].fork_site,
                        "File \"/srv/app.py\", line 30, in <module>");
    fg_report_free(&s);

    fg_read(&s, FG_HEAD("through JPype", "11", "10") FG_PY_FRAMES
            "forkguard: pid 10, owner of a live JVM, forked pid 11\n"
            "  jvm:     created by pid 10 (libjvm unknown)\n"
            "  why:     the JVM's threads do not survive fork()\n"
            "  fix:     (python) use spawn\n"
            "  action:  none, the child runs on (FORKGUARD_ON_FORK=warn)\n"
            "  at (Python):    File \"/srv/app.py\", line 29, in <module>\n"
            "                  File \"/usr/lib/python3.11/os.py\", line 1, in f\n"
            "  at (fork):      #0 0x9abc main+0x8 (/bin/host)\n");
    fg_bad_lines(&s, 0, NULL);
    assert_int_equal(s.records, 2);
    assert_string_equal(s.owners[0].first_fork_site,
                        "File \"/srv/app.py\", line 29, in <module>");
    assert_string_equal(s.owners[0].children[0].fork_site,
                        "File \"/srv/app.py\", line 29, in <module>");
    fg_report_free(&s);
}

/* A Ruby host: its line is the first call, in both formats; the fork
 * warning's line is where the child forked. */
static void test_ruby(void **state)
{
    struct fg_report_summary s;
    (void)state;
    fg_read(&s, FG_HEAD("FindClass", "12",
                        "10") "  at (Ruby):      /srv/common.rb:33\n"
                              "  at (JNI call):  #0 0x1234 child+0x4 (/bin/host)\n"
                              "  at (fork):      #0 0x9abc main+0x8 (/bin/host)\n"
                              "forkguard: pid 10, owner of a live JVM, forked pid 12\n"
                              "  jvm:     created by pid 10 (libjvm unknown)\n"
                              "  why:     the JVM's threads do not survive fork()\n"
                              "  fix:     (ruby) load the JVM after fork\n"
                              "  action:  none, the child runs on (FORKGUARD_ON_FORK=warn)\n"
                              "  at (Ruby):      job.rb:10\n"
                              "  at (fork):      #0 0x9abc main+0x8 (/bin/host)\n");
    fg_bad_lines(&s, 0, NULL);
    assert_int_equal(s.records, 2);
    assert_string_equal(s.owners[0].children[0].first_call, "/srv/common.rb:33");
    assert_string_equal(s.owners[0].children[0].fork_site, "job.rb:10");
    assert_string_equal(s.owners[0].first_fork_site, "job.rb:10");
    fg_report_free(&s);

    fg_read(&s, "{\"event\":\"jni_in_child\",\"pid\":12,\"owner_pid\":10,\"parent_pid\":10,"
                "\"function\":\"FindClass\",\"action\":\"abort\",\"backtrace\":[],"
                "\"fork_backtrace\":[],\"ruby_line\":\"/srv/common.rb:33\"}\n");
    fg_bad_lines(&s, 0, NULL);
    assert_string_equal(s.owners[0].children[0].first_call, "/srv/common.rb:33");
    fg_report_free(&s);
}

static void test_json_python(void **state)
{
    struct fg_report_summary s;
    (void)state;
    /* Only library frames: the innermost is the first call, no fork line. */
    fg_read(&s, "{\"event\":\"jni_in_child\",\"pid\":12,\"owner_pid\":10,\"parent_pid\":10,"
                "\"function\":\"through JPype\",\"action\":\"refused\",\"backtrace\":[],"
                "\"fork_backtrace\":[\"#0 0x1 f+0x1 (/b)\"],\"python_stack\":["
                "\"File \\\"/usr/bin/gunicorn\\\", line 8, in <module>\","
                "\"File \\\"<frozen importlib._bootstrap>\\\", line 3, in _find\"]}\n"
                "{\"event\":\"jni_in_child\",\"pid\":13,\"owner_pid\":10,\"parent_pid\":10,"
                "\"function\":\"through JPype\",\"action\":\"refused\",\"backtrace\":[],"
                "\"fork_backtrace\":[],\"python_stack\":["
                "\"File \\\"/srv/job.py\\\", line 40, in <module>\","
                "\"File \\\"/srv/job.py\\\", line 12, in child\"]}\n");
    fg_bad_lines(&s, 0, NULL);
    assert_string_equal(s.owners[0].children[0].first_call,
                        "File \"<frozen importlib._bootstrap>\", line 3, in _find");
    assert_string_equal(s.owners[0].children[0].fork_site, "#0 0x1 f+0x1 (/b)");
    assert_string_equal(s.owners[0].children[1].first_call,
                        "File \"/srv/job.py\", line 12, in child");
    /* os.fork() in the user's own code: the outermost frame forked. */
    assert_string_equal(s.owners[0].children[1].fork_site,
                        "File \"/srv/job.py\", line 40, in <module>");
    fg_report_free(&s);
}

/* What the library writes, the command reads back field for field through
 * json-c: names with quotes, backslashes, control bytes and non-ASCII. */
static void test_json_roundtrip(void **state)
{
    static const struct fg_frame frames[] = {
        {.ip = 0x7f01,
         .module = "/opt/caf\xc3\xa9 \"q\"/lib\\x.so",
         .symbol = "s\x01y",
         .offset = 4},
    };
    static const struct fg_frame fork_frames[] = {
        {.ip = 0x401000, .module = "/bin/h", .symbol = "main"}};
    char jni[4096], fork[4096], cfg[1024], *line;
    struct fg_report r;
    struct fg_report_summary s;
    size_t n1, n2, n3;
    (void)state;
    memset(&r, 0, sizeof r);
    r.event = "jni_in_child";
    r.function = "through JPype";
    r.pid = 12;
    r.owner_pid = 10;
    r.parent_pid = 10;
    r.libjvm = "/jvm/\xe2\x82\xac/libjvm.so";
    r.host = "python";
    r.fix = "use \"spawn\"\tnow";
    r.mode = FG_MODE_BLOCK;
    r.action = "refused";
    r.action_text = "refused";
    r.frames = frames;
    r.n_frames = 1;
    r.fork_frames = fork_frames;
    r.n_fork_frames = 1;
    n1 = fg_report_json(jni, sizeof jni, &r);
    r.event = "fork";
    r.pid = 10;
    r.child_pid = 13;
    r.action = "none";
    n2 = fg_report_json(fork, sizeof fork, &r);
    memset(&r, 0, sizeof r);
    r.event = "config_error";
    r.pid = 14;
    r.message = "forkguard: FORKGUARD_MODE=\"x\\\x01: expected block, warn or off; using block";
    n3 = fg_report_json(cfg, sizeof cfg, &r);
    assert_true(n1 > 0 && n2 > 0 && n3 > 0);
    line = calloc(1, n1 + n2 + n3 + 1);
    assert_non_null(line);
    memcpy(line, jni, n1);
    memcpy(line + n1, fork, n2);
    memcpy(line + n1 + n2, cfg, n3);
    fg_read(&s, line);
    free(line);
    fg_bad_lines(&s, 0, NULL);
    assert_int_equal(s.json_records, 3);
    assert_int_equal(s.jni, 1);
    assert_int_equal(s.n_owners, 1);
    assert_int_equal(s.owners[0].pid, 10);
    assert_string_equal(s.owners[0].libjvm, "/jvm/\xe2\x82\xac/libjvm.so");
    assert_string_equal(s.owners[0].fix, "use \"spawn\"\tnow");
    assert_int_equal(s.owners[0].children[0].pid, 12);
    assert_string_equal(s.owners[0].children[0].functions, "through JPype [refused]");
    assert_string_equal(s.owners[0].children[0].first_call,
                        "#0 0x7f01 s\x01y+0x4 (/opt/caf\xc3\xa9 \"q\"/lib\\x.so)");
    assert_string_equal(s.owners[0].first_fork_site, "#0 0x401000 main+0x0 (/bin/h)");
    assert_int_equal(s.n_messages, 1);
    assert_string_equal(
        s.messages[0],
        "forkguard: FORKGUARD_MODE=\"x\\\x01: expected block, warn or off; using block");
    fg_report_free(&s);
}

/* A NUL inside a number (the old hand-written reader took it) and other
 * almost-JSON: unreadable, so the gate fails closed. */
static void test_json_strict(void **state)
{
    char nul[] = "{\"event\":\"jni_in_child\",\"pid\":1\0002}";
    char comma[] = "{\"event\":\"fork\",}", tail[] = "{\"event\":\"fork\"} x";
    char array[] = "[\"event\"]";
    struct fg_report_summary s;
    (void)state;
    fg_report_init(&s);
    fg_report_line(&s, nul, sizeof nul - 1, 1, 1);
    fg_report_line(&s, comma, sizeof comma - 1, 2, 1);
    fg_report_line(&s, tail, sizeof tail - 1, 3, 1);
    fg_report_line(&s, array, sizeof array - 1, 4, 1);
    fg_report_end(&s);
    assert_int_equal(s.bad, 4);
    assert_int_equal(s.json_records, 0);
    fg_report_free(&s);
}

/* A record cut by a full disk, and the next process's record glued onto the
 * same line: the cut line is bad, the glued record is still read. */
static void test_cut_and_glued(void **state)
{
    struct fg_report_summary s;
    static const long text_bad[] = {1, 3}, json_bad[] = {1}, tail_bad[] = {2};
    (void)state;
    fg_read(&s,
            "forkguard: JNI call FindClass in pid 12, a forked child of JVM owner pid 10\n"
            "  jvm:     created by pid 10 (libjvm /jvm/lib/server/libjvm.so)\n"
            "  fork:    pid 10 forforkguard: JNI call GetEnv in pid 13, a forked child of JVM "
            "owner pid 10\n"
            "  jvm:     created by pid 10 (libjvm /jvm/lib/server/libjvm.so)\n"
            "  fork:    pid 10 forked pid 13\n  why:     w\n  fix:     f\n  action:  passed\n");
    fg_bad_lines(&s, 2, text_bad);
    assert_int_equal(s.jni, 2); /* the cut header still names its JNI use */
    assert_string_equal(s.owners[0].children[0].functions, "FindClass [?]");
    assert_string_equal(s.owners[0].children[1].functions, "GetEnv [passed]");
    fg_report_free(&s);

    fg_read(&s, "{\"event\":\"jni_in_child\",\"pid\":12,\"own" FG_JSON_JNI("13"));
    fg_bad_lines(&s, 1, json_bad);
    assert_int_equal(s.jni, 1);
    assert_int_equal(s.owners[0].children[0].pid, 13);
    fg_report_free(&s);

    /* The last record lost its end: no '\n'. */
    fg_read(&s, FG_JSON_JNI("12") "{\"event\":\"fork\",\"pid\":10,\"owner_pid\":10}");
    fg_bad_lines(&s, 1, tail_bad);
    fg_report_free(&s);

    /* A text header at the end of the log, nothing after it. */
    fg_read(&s, FG_FORK "forkguard: JNI call FindClass in pid 12, a forked child of JVM owner "
                        "pid 10\n");
    assert_int_equal(s.jni, 1);
    assert_int_equal(s.bad, 1);
    assert_int_equal(s.bad_lines[0], 8);
    fg_report_free(&s);
}

static void test_unreadable_lines(void **state)
{
    struct fg_report_summary s;
    static const long bad[] = {1, 2, 3, 5, 6};
    (void)state;
    fg_read(
        &s, "hello from the program\n"
            "{\"not\":\"ours\"}\n"
            "{\"event\":\"truncated\"}\n" /* the library's stand-in for a record too big */
        FG_JSON_JNI(
            "12") "  at (fork):      #0 0x1 orphan+0x1 (/b)\n" /* a continuation of nothing */
                  "forkguard: JNI call FindClass in pid x, a forked child of JVM owner pid "
                  "10\n");
    fg_bad_lines(&s, 5, bad);
    assert_int_equal(s.jni, 1);
    fg_report_free(&s);
}

static void test_many_bad_lines(void **state)
{
    struct fg_report_summary s;
    char log[64 * 4 + 1];
    int i;
    (void)state;
    for (i = 0; i < 64; i++)
        memcpy(log + 4 * i, "xyz\n", 4);
    log[sizeof log - 1] = '\0';
    fg_read(&s, log);
    assert_int_equal(s.bad, 64);
    assert_int_equal(s.bad_lines[FG_REPORT_BAD_LINES_MAX - 1], FG_REPORT_BAD_LINES_MAX);
    assert_int_equal(s.records, 0);
    fg_report_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_log),
        cmocka_unit_test(test_text_bridge_function),
        cmocka_unit_test(test_json_roundtrip),
        cmocka_unit_test(test_json_strict),
        cmocka_unit_test(test_text_python),
        cmocka_unit_test(test_json_python),
        cmocka_unit_test(test_ruby),
        cmocka_unit_test(test_cut_and_glued),
        cmocka_unit_test(test_unreadable_lines),
        cmocka_unit_test(test_many_bad_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
