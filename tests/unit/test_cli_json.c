/* cli/json.c: the JSON reader of `forkguard report`, the one parser of
 * untrusted input. Compiled in here (the command is not part of the library
 * the other unit tests link). Each case is a byte string, NULs included, that
 * must be accepted with a given value or refused as a whole. */
#include "cli/json.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define FG_BYTES(s) s, sizeof s - 1

static void fg_refused(const char *text, size_t len)
{
    struct fg_json *v = fg_json_parse(text, len);
    if (v) {
        fg_json_free(v);
        fail_msg("accepted %zu bytes starting '%s'", len, text);
    }
}

static double fg_number(const char *text, size_t len)
{
    struct fg_json *v = fg_json_parse(text, len);
    double d;
    if (!v || v->type != FG_JSON_NUMBER)
        fail_msg("'%s' is not read as a number", text);
    d = v->number;
    fg_json_free(v);
    return d;
}

/* strchr("+-0123456789.eE", c) is true for c == '\0' (the terminator), so a
 * NUL once counted as part of a number and the bytes after it were skipped. */
static void test_nul_in_number_refused(void **state)
{
    (void)state;
    fg_refused(FG_BYTES("{\"pid\":1\0002}"));
    fg_refused(FG_BYTES("{\"pid\":12\000}"));
    fg_refused(FG_BYTES("12\000"));
    fg_refused(FG_BYTES("\000"));
    fg_refused(FG_BYTES("[1,\0002]"));
}

static void test_number_grammar(void **state)
{
    static const char *const bad[] = {"+1", ".5", "01", "1.", "1e", "1e+", "-", "--1", "0x10",
                                      "1.e5", "inf", "NaN", "-.5", "1..2", "1ee2"};
    size_t i;
    char digits[201];
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        fg_refused(bad[i], strlen(bad[i]));
    assert_true(fg_number(FG_BYTES("0")) == 0);
    assert_true(fg_number(FG_BYTES("-0.5e+3")) == -500);
    assert_true(fg_number(FG_BYTES("1E2")) == 100);
    assert_true(fg_number(FG_BYTES(" 4242 ")) == 4242);
    /* Longer than the 64-byte stack copy: still read, not cut. */
    memset(digits, '9', 200);
    digits[0] = '1';
    digits[200] = '\0';
    assert_true(fg_number(digits, 200) > 1e199);
}

static void test_strings(void **state)
{
    struct fg_json *v;
    (void)state;
    v = fg_json_parse(FG_BYTES("\"a\\u00e9\\ud83d\\ude00\\\"\\\\\\n\xe2\x82\xac\""));
    assert_non_null(v);
    assert_int_equal(v->type, FG_JSON_STRING);
    assert_string_equal(v->string, "a\xc3\xa9\xf0\x9f\x98\x80\"\\\n\xe2\x82\xac");
    fg_json_free(v);
    fg_refused(FG_BYTES("\"a\000b\""));       /* a raw NUL */
    fg_refused(FG_BYTES("\"a\tb\""));          /* a raw control byte */
    fg_refused(FG_BYTES("\"\\ud83d\""));       /* a lone high surrogate */
    fg_refused(FG_BYTES("\"\\ude00x\""));      /* a lone low surrogate */
    fg_refused(FG_BYTES("\"\\u12\""));         /* a short escape */
    fg_refused(FG_BYTES("\"\\x41\""));         /* not a JSON escape */
    fg_refused(FG_BYTES("\"ab\\"));            /* cut after a backslash */
    fg_refused(FG_BYTES("\"ab"));              /* cut */
    fg_refused(FG_BYTES("\"\xc0\xaf\""));      /* overlong */
    fg_refused(FG_BYTES("\"\xed\xa0\x80\""));  /* an encoded surrogate */
    fg_refused(FG_BYTES("\"\xff\""));          /* not UTF-8 at all */
    fg_refused(FG_BYTES("\"\xe2\x82\""));      /* a cut sequence */
}

static void test_structure(void **state)
{
    char deep[2 * 65 + 1];
    struct fg_json *v;
    (void)state;
    v = fg_json_parse(FG_BYTES("{\"event\":\"fork\",\"pid\":7,\"a\":[true,false,null,{}]}"));
    assert_non_null(v);
    assert_string_equal(fg_json_str(v, "event", "?"), "fork");
    assert_int_equal(fg_json_int(v, "pid", 0), 7);
    assert_int_equal(fg_json_get(v, "a")->n, 4);
    fg_json_free(v);
    /* Out of long long's range (no pid is): the fallback, not undefined
     * behaviour. */
    v = fg_json_parse(FG_BYTES("{\"pid\":7.8e78,\"n\":-1e300,\"ok\":-42}"));
    assert_non_null(v);
    assert_int_equal(fg_json_int(v, "pid", -1), -1);
    assert_int_equal(fg_json_int(v, "n", -1), -1);
    assert_int_equal(fg_json_int(v, "ok", 0), -42);
    fg_json_free(v);
    fg_refused(FG_BYTES("{\"a\":1,}"));
    fg_refused(FG_BYTES("[1 2]"));
    fg_refused(FG_BYTES("{\"a\" 1}"));
    fg_refused(FG_BYTES("{\"a\":1} x"));
    fg_refused(FG_BYTES("{\"a\":1}{\"a\":1}"));
    fg_refused(FG_BYTES("tru"));
    fg_refused(FG_BYTES(""));
    /* 64 levels are read, 65 are not. */
    memset(deep, '[', 64);
    memset(deep + 64, ']', 64);
    v = fg_json_parse(deep, 128);
    assert_non_null(v);
    fg_json_free(v);
    memset(deep, '[', 65);
    memset(deep + 65, ']', 65);
    fg_refused(deep, 130);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nul_in_number_refused),
        cmocka_unit_test(test_number_grammar),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_structure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
