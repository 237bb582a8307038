/* preload/pystack.c: faulthandler's dump (innermost first) becomes a
 * traceback's lines (innermost last), bounded, with forkguard's own frames
 * left out; and a capture in a thread Python never saw names nothing. */
#include "preload/pystack.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static struct fg_pystack fg_s;

static void fg_parse(const char *dump)
{
    fg_pystack_clear(&fg_s);
    memcpy(fg_s.raw, dump, strlen(dump));
    fg_pystack_parse(&fg_s, strlen(dump));
}

static void test_parse_reverses_and_reformats(void **state)
{
    (void)state;
    fg_parse("Stack (most recent call first):\n"
             "  File \"<forkguard>\", line 21 in __init__\n"
             "  File \"/usr/lib/python3/dist-packages/jpype/_jclass.py\", line 99 in __new__\n"
             "  File \"/srv/app.py\", line 18 in w_time\n"
             "  File \"/srv/app.py\", line ??? in <module>\n");
    assert_int_equal(fg_s.n, 3);
    assert_int_equal(fg_s.cut, 0);
    assert_string_equal(fg_s.lines[0], "File \"/srv/app.py\", line ???, in <module>");
    assert_string_equal(fg_s.lines[1], "File \"/srv/app.py\", line 18, in w_time");
    assert_string_equal(fg_s.lines[2],
                        "File \"/usr/lib/python3/dist-packages/jpype/_jclass.py\", line 99, "
                        "in __new__");
}

static void test_parse_no_frames(void **state)
{
    (void)state;
    fg_parse("Stack (most recent call first):\n  <no Python frame>\n");
    assert_int_equal(fg_s.n, 0);
    fg_parse("");
    assert_int_equal(fg_s.n, 0);
    assert_int_equal(fg_s.cut, 0);
}

/* A line the buffer cut, CPython's own "..." and the line bound: the
 * innermost frames are kept and the block says it is cut. */
static void test_parse_bounds(void **state)
{
    char dump[FG_PYSTACK_BYTES];
    size_t len = 0;
    int i;
    (void)state;
    fg_parse("Stack (most recent call first):\n"
             "  File \"/a.py\", line 1 in f\n"
             "  File \"/a.py\", line 2 in g\n"
             "  File \"/a.py\", li");
    assert_int_equal(fg_s.n, 2);
    assert_int_equal(fg_s.cut, 1);
    assert_string_equal(fg_s.lines[1], "File \"/a.py\", line 1, in f");

    fg_parse("Stack (most recent call first):\n  File \"/a.py\", line 1 in f\n  ...\n");
    assert_int_equal(fg_s.n, 1);
    assert_int_equal(fg_s.cut, 1);

    for (i = 0; i < FG_PYSTACK_LINES + 5; i++)
        len += (size_t)snprintf(dump + len, sizeof dump - len,
                                "  File \"/b.py\", line %d in f\n", i + 1);
    fg_parse(dump);
    assert_int_equal(fg_s.n, FG_PYSTACK_LINES);
    assert_int_equal(fg_s.cut, 1);
    assert_string_equal(fg_s.lines[FG_PYSTACK_LINES - 1], "File \"/b.py\", line 1, in f");
    assert_string_equal(fg_s.lines[0], "File \"/b.py\", line 32, in f");
}

/* Filling raw entirely with one long line: nothing is read past it, and the
 * text it becomes fits. */
static void test_parse_full_buffer(void **state)
{
    (void)state;
    fg_pystack_clear(&fg_s);
    memcpy(fg_s.raw, "  File \"/", 9);
    memset(fg_s.raw + 9, 'x', sizeof fg_s.raw - 9);
    memcpy(fg_s.raw + sizeof fg_s.raw - 14, "\", line 7 in f\n", 14);
    fg_s.raw[sizeof fg_s.raw - 1] = '\n';
    fg_pystack_parse(&fg_s, sizeof fg_s.raw);
    assert_int_equal(fg_s.n, 1);
    assert_true(strlen(fg_s.lines[0]) < sizeof fg_s.text);
}

/* No CPython in this test binary (or no thread state): a plain report. */
static void test_capture_without_python(void **state)
{
    (void)state;
    fg_pystack_resolve();
    fg_pystack_capture_guarded(&fg_s);
    fg_pystack_release_sigsafe(&fg_s);
    assert_int_equal(fg_s.n, 0);
    assert_int_equal(fg_s.fds[0], -1);
    assert_int_equal(fg_s.fds[1], -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_reverses_and_reformats),
        cmocka_unit_test(test_parse_no_frames),
        cmocka_unit_test(test_parse_bounds),
        cmocka_unit_test(test_parse_full_buffer),
        cmocka_unit_test(test_capture_without_python),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
