/* preload/buf.h: the formatter every record is built with, on the stack, in
 * a child that may be about to die. It must never write past its buffer
 * (each buffer here is followed by canary bytes that are checked), must keep
 * JSON strings valid, and must say when it cut the text. */
#include "preload/buf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define FG_CANARY 0xcc
#define FG_CANARY_LEN 64

/* A buffer of `size` bytes followed by canaries, inside one array so that an
 * overflow is seen by the test rather than crashing it. */
struct fg_mem {
    char bytes[1024 + FG_CANARY_LEN];
    size_t size;
};

static void fg_mem_init(struct fg_mem *m, size_t size, struct fg_buf *b)
{
    assert_true(size <= 1024);
    memset(m->bytes, FG_CANARY, sizeof m->bytes);
    m->size = size;
    fg_buf_init(b, m->bytes, size);
}

static void fg_mem_check(const struct fg_mem *m)
{
    size_t i;
    for (i = m->size; i < m->size + FG_CANARY_LEN; i++)
        if ((unsigned char)m->bytes[i] != FG_CANARY)
            fail_msg("buffer of %zu bytes: byte %zu past its end overwritten", m->size,
                     i - m->size);
}

/* What was written so far, as a C string. */
static const char *fg_text(const struct fg_buf *b)
{
    static char out[4096];
    assert_true(b->len < sizeof out);
    memcpy(out, b->p, b->len);
    out[b->len] = '\0';
    return out;
}

/* A message passed on as a C string: NUL-terminated inside its buffer at
 * every size, whole when it fits, ending in "..." when cut. */
static void test_cstr(void **state)
{
    static const char msg[] = "forkguard: a message that will be cut.";
    char mem[64];
    struct fg_buf b;
    size_t size;
    const char *t;
    (void)state;
    for (size = 1; size <= sizeof mem; size++) {
        memset(mem, 'Z', sizeof mem);
        fg_buf_init(&b, mem, size);
        fg_buf_str(&b, msg);
        t = fg_buf_cstr(&b);
        assert_ptr_equal(t, mem);
        assert_true(strlen(t) < size);
        if (strlen(msg) + FG_BUF_RESERVE <= size)
            assert_string_equal(t, msg);
        else if (size > FG_BUF_RESERVE + 3)
            assert_memory_equal(t + strlen(t) - 3, "...", 3);
        if (size < sizeof mem)
            assert_int_equal(mem[size], 'Z');
    }
}

static void test_numbers(void **state)
{
    static const struct {
        int kind; /* 0 u64, 1 i64, 2 hex */
        uint64_t v;
        const char *want;
    } cases[] = {
        {0, 0, "0"},
        {0, 7, "7"},
        {0, 1234567890, "1234567890"},
        {0, UINT64_MAX, "18446744073709551615"},
        {1, 0, "0"},
        {1, (uint64_t)-1, "-1"},
        {1, (uint64_t)INT64_MAX, "9223372036854775807"},
        {1, (uint64_t)INT64_MIN, "-9223372036854775808"},
        {1, (uint64_t)-4242, "-4242"},
        {2, 0, "0x0"},
        {2, 0xdeadbeef, "0xdeadbeef"},
        {2, 0x7f0000001234, "0x7f0000001234"},
        {2, UINT64_MAX, "0xffffffffffffffff"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fg_mem m;
        struct fg_buf b;
        fg_mem_init(&m, 64, &b);
        if (cases[i].kind == 0)
            fg_buf_u64(&b, cases[i].v);
        else if (cases[i].kind == 1)
            fg_buf_i64(&b, (int64_t)cases[i].v);
        else
            fg_buf_hex(&b, cases[i].v);
        assert_string_equal(fg_text(&b), cases[i].want);
        assert_int_equal(b.truncated, 0);
        fg_mem_check(&m);
    }
}

/* Fills a buffer of `size` bytes with every kind of append, then finishes. */
static void fg_fill_and_finish(size_t size, const char *tail)
{
    static char long_s[3000];
    struct fg_mem m;
    struct fg_buf b;
    size_t n, k;
    memset(long_s, 'x', sizeof long_s - 1);
    memcpy(long_s + 10, "\"\\\n\x01\xe2\x82\xac\xff", 8);
    fg_mem_init(&m, size, &b);
    for (k = 0; k < 3; k++) {
        fg_buf_str(&b, "head:");
        fg_buf_i64(&b, INT64_MIN);
        fg_buf_hex(&b, UINT64_MAX);
        fg_buf_char(&b, ' ');
        fg_buf_json(&b, long_s);
        fg_buf_printable(&b, long_s, 2000);
        fg_buf_mem(&b, long_s, 1000);
        fg_buf_str(&b, long_s);
        assert_true(b.len <= size);
    }
    assert_int_equal(b.truncated, 1);
    n = fg_buf_finish(&b, tail);
    fg_mem_check(&m);
    if (n > size)
        fail_msg("buffer of %zu bytes: record of %zu bytes", size, n);
    assert_int_equal(n, b.len);
    /* A cut record says so, then ends with its terminator. */
    if (n < 3 + strlen(tail) || memcmp(m.bytes + n - strlen(tail) - 3, "...", 3) != 0 ||
        memcmp(m.bytes + n - strlen(tail), tail, strlen(tail)) != 0)
        fail_msg("buffer of %zu bytes: cut record does not end with ...%s", size, tail);
}

static void test_truncation_never_overflows(void **state)
{
    size_t size;
    (void)state;
    for (size = FG_BUF_RESERVE + 1; size <= 1024; size++) {
        fg_fill_and_finish(size, "\n");
        fg_fill_and_finish(size, "\"}\n");
    }
}

/* The API takes any size; callers of the report functions may pass a tiny
 * one. Below the terminator reserve the record must still stay inside. */
static void test_buffers_below_reserve_never_overflow(void **state)
{
    size_t size, bad = 0;
    char first[128] = "";
    (void)state;
    for (size = 0; size <= FG_BUF_RESERVE; size++) {
        struct fg_mem m;
        struct fg_buf b;
        size_t n, i;
        fg_mem_init(&m, size, &b);
        fg_buf_str(&b, "hello, world");
        n = fg_buf_finish(&b, "\n");
        for (i = size; i < size + FG_CANARY_LEN; i++)
            if ((unsigned char)m.bytes[i] != FG_CANARY)
                break;
        if (n > size || i < size + FG_CANARY_LEN) {
            if (!bad++)
                snprintf(first, sizeof first, "size %zu: returned %zu, wrote %zu past the end",
                         size, n, i < size + FG_CANARY_LEN ? n - size : 0);
        }
    }
    if (bad)
        fail_msg("%zu of %d sizes overflow; first: %s", bad, FG_BUF_RESERVE + 1, first);
}

static void test_finish_appends_tail(void **state)
{
    struct fg_mem m;
    struct fg_buf b;
    size_t n;
    (void)state;
    fg_mem_init(&m, 64, &b);
    fg_buf_str(&b, "abc");
    n = fg_buf_finish(&b, "\"}\n");
    assert_int_equal(n, 6);
    assert_memory_equal(m.bytes, "abc\"}\n", 6);
    assert_int_equal(b.truncated, 0);

    /* Cut: the text fills the usable part, "..." and the tail use the reserve. */
    fg_mem_init(&m, 20, &b);
    fg_buf_str(&b, "0123456789abcdefghijklmnop");
    assert_int_equal(b.truncated, 1);
    n = fg_buf_finish(&b, "\n");
    assert_true(n <= 20);
    assert_memory_equal(m.bytes, "0123456789ab...\n", 16);
    assert_int_equal(n, 16);
    fg_mem_check(&m);
}

static const char *fg_json(const char *in, size_t size)
{
    static struct fg_mem m;
    struct fg_buf b;
    fg_mem_init(&m, size, &b);
    fg_buf_json(&b, in);
    fg_mem_check(&m);
    return fg_text(&b);
}

static void test_json_escaping(void **state)
{
    (void)state;
    assert_string_equal(fg_json("plain text 123", 256), "plain text 123");
    assert_string_equal(fg_json("a\"b\\c", 256), "a\\\"b\\\\c");
    assert_string_equal(fg_json("l1\nl2\tx\r", 256), "l1\\nl2\\tx\\u000d");
    assert_string_equal(fg_json("\x01\x1f\x7f", 256), "\\u0001\\u001f\\u007f");
    assert_string_equal(fg_json("", 256), "");
    assert_string_equal(fg_json(NULL, 256), "");
}

static void test_json_utf8(void **state)
{
    const char *out;
    (void)state;
    /* Valid sequences of 2, 3 and 4 bytes are kept as they are. */
    assert_string_equal(
        fg_json("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf", 256),
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf");
    /* Bytes that cannot start a sequence. */
    assert_string_equal(fg_json("a\xff"
                                "b\x80"
                                "c\xfe",
                                256),
                        "a\\ufffdb\\ufffdc\\ufffd");
    /* Overlong, surrogate and past-U+10FFFF forms are not UTF-8. */
    assert_string_equal(fg_json("\xc0\xaf", 256), "\\ufffd\\ufffd");
    assert_string_equal(fg_json("\xe0\x80\xaf", 256), "\\ufffd\\ufffd\\ufffd");
    assert_string_equal(fg_json("\xed\xa0\x80", 256), "\\ufffd\\ufffd\\ufffd");
    assert_string_equal(fg_json("\xf4\x90\x80\x80", 256), "\\ufffd\\ufffd\\ufffd\\ufffd");
    /* A sequence cut short by the next character or by the end of the string:
     * replaced, and the following character kept. */
    out = fg_json("\xe2\x82x", 256);
    assert_non_null(strstr(out, "\\ufffd"));
    assert_int_equal(out[strlen(out) - 1], 'x');
    assert_null(strchr(out, '\xe2'));
    assert_null(strchr(out, '\x82'));
    out = fg_json("end\xf0\x9f\x98", 256);
    assert_int_equal(strncmp(out, "end\\ufffd", 9), 0);
    assert_null(strchr(out, '\xf0'));
}

/* Length of the UTF-8 sequence that starts with byte c (1 for ASCII). */
static size_t fg_seq_len(unsigned char c)
{
    return c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
}

/* However little room is left, output stops at a character boundary and is a
 * prefix of the uncut output. */
static void test_json_never_cuts_multibyte(void **state)
{
    static const char in[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
                             "b\xe2\x82\xac\xc3\xa9"
                             "\xf0\x9f\x98\x80\xf0\x9f\x98\x80";
    char full[256];
    size_t cap;
    (void)state;
    snprintf(full, sizeof full, "%s", fg_json(in, 256));
    assert_string_equal(full, in);
    for (cap = 0; cap <= strlen(in); cap++) {
        const char *out = fg_json(in, cap + FG_BUF_RESERVE);
        size_t n = strlen(out), i = 0;
        assert_true(n <= cap);
        assert_int_equal(strncmp(out, full, n), 0);
        while (i < n)
            i += fg_seq_len((unsigned char)out[i]);
        if (i != n)
            fail_msg("room for %zu bytes: output of %zu bytes ends inside a character", cap, n);
    }
}

static void test_printable(void **state)
{
    struct fg_mem m;
    struct fg_buf b;
    (void)state;
    fg_mem_init(&m, 256, &b);
    fg_buf_printable(&b,
                     "a\x01\xff"
                     "b~ \x7f",
                     64);
    assert_string_equal(fg_text(&b), "a\\x01\\xffb~ \\x7f");

    fg_mem_init(&m, 256, &b);
    fg_buf_printable(&b, "abcdef", 3);
    assert_string_equal(fg_text(&b), "abc...");

    fg_mem_init(&m, 256, &b);
    fg_buf_printable(&b, "abc", 3);
    assert_string_equal(fg_text(&b), "abc");

    fg_mem_init(&m, 256, &b);
    fg_buf_printable(&b, NULL, 3);
    assert_string_equal(fg_text(&b), "");
    fg_mem_check(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cstr),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_truncation_never_overflows),
        cmocka_unit_test(test_buffers_below_reserve_never_overflow),
        cmocka_unit_test(test_finish_appends_tail),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_json_utf8),
        cmocka_unit_test(test_json_never_cuts_multibyte),
        cmocka_unit_test(test_printable),
    };
    setvbuf(stdout, NULL, _IOLBF, 0); /* keeps cmocka's stdout and stderr in order */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
