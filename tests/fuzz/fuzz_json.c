/* libFuzzer target: the JSON escaper and the printable echo (preload/buf.c).
 *
 * Input: bytes 0-1 choose the buffer size, the rest is the string (cut at
 * its first NUL, as a C string would be). Built twice: fuzz_json gives the
 * escaper a buffer that always has room (6 bytes per input byte), so that
 * validity and the round trip are explored whatever happens to cut output;
 * fuzz_json_cut (-DFG_FUZZ_CUT) uses the fuzzed size, 0..4095 bytes, and
 * checks what is left when the text does not fit.
 *
 * fg_buf_json: the output must be valid JSON string content (strict
 * UTF-8, every quote, backslash and control byte escaped); decoded, it must
 * equal the input with each byte that is not part of valid UTF-8 replaced by
 * U+FFFD, or, when the buffer was too small, a prefix of that which does not
 * end inside a character. In particular valid UTF-8 input comes back
 * unchanged. The buffer is allocated at its exact size, so ASan catches any
 * write past it.
 *
 * fg_buf_printable: printable ASCII only; the longest prefix of the
 * input whose echo (unprintable bytes as \xNN, a backslash as \\) fits in
 * `max` characters, then "..." when there was more. */
#include "preload/buf.h"
#include "json_check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *why, const unsigned char *s, size_t n)
{
    size_t i;
    fprintf(stderr, "fuzz_json: %s; bytes:", why);
    for (i = 0; i < n && i < 200; i++)
        fprintf(stderr, " %02x", s[i]);
    fprintf(stderr, "\n");
    abort();
}

/* What the decoded output must be: valid sequences kept, other bytes U+FFFD. */
static size_t expected_of(const unsigned char *s, size_t n, unsigned char *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = jc_utf8_len(s + i, n - i, &cp);
        if (len) {
            memcpy(out + o, s + i, len);
            o += len;
            i += len;
        } else {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        }
    }
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cap, n, exp_len, max;
    unsigned char *str, *mem, *decoded, *expected;
    struct fg_buf b;
    long dec_len;

    if (size < 2)
        return 0;
    n = strnlen((const char *)data + 2, size - 2);
#ifdef FG_FUZZ_CUT
    cap = ((size_t)data[0] << 8 | data[1]) % 4096;
#else
    cap = 6 * n + FG_BUF_RESERVE + 1 + data[1] % 8;
#endif
    str = malloc(n + 1);
    memcpy(str, data + 2, n);
    str[n] = '\0';

    /* JSON. */
    mem = malloc(cap ? cap : 1);
    fg_buf_init(&b, (char *)mem, cap);
    fg_buf_json(&b, (const char *)str);
    if (b.len > b.cap || (cap > FG_BUF_RESERVE && b.cap != cap - FG_BUF_RESERVE))
        die("json: length past capacity", str, n);
    decoded = malloc(b.len + 1);
    dec_len = jc_string_content(mem, b.len, decoded);
    if (dec_len < 0)
        die("json: output is not valid JSON string content", mem, b.len);
    expected = malloc(3 * n + 1);
    exp_len = expected_of(str, n, expected);
    if (!b.truncated) {
        if ((size_t)dec_len != exp_len || memcmp(decoded, expected, exp_len) != 0)
            die("json: decoded output differs from the input", str, n);
    } else if ((size_t)dec_len > exp_len || memcmp(decoded, expected, (size_t)dec_len) != 0) {
        die("json: cut output is not a prefix of the input", str, n);
    }
    /* The record terminator must still fit after a cut. */
    fg_buf_finish(&b, "\"}\n");
    if (cap >= FG_BUF_RESERVE + 3 && (b.len > cap || memcmp(mem + b.len - 3, "\"}\n", 3) != 0))
        die("json: terminator lost", mem, b.len);
    free(mem);
    free(decoded);
    free(expected);

    /* Printable echo. */
    max = data[0] % 80;
    mem = malloc(cap ? cap : 1);
    fg_buf_init(&b, (char *)mem, cap);
    fg_buf_printable(&b, (const char *)str, max);
    if (b.len > b.cap || b.len > max + 3)
        die("printable: too long", str, n);
    for (size_t i = 0; i < b.len; i++)
        if (mem[i] < 0x20 || mem[i] > 0x7e)
            die("printable: unprintable byte in the output", mem, b.len);
    if (!b.truncated) {
        /* Exactly: each byte as itself when printable, a backslash doubled,
         * others as \xNN, whole escapes only, within max characters; then
         * "..." when input was left over. */
        static const char hex[] = "0123456789abcdef";
        unsigned char *want = malloc(max + 8);
        size_t i, o = 0;
        for (i = 0; i < n; i++) {
            size_t len = str[i] == '\\' ? 2 : (str[i] >= 0x20 && str[i] < 0x7f) ? 1 : 4;
            if (o + len > max)
                break;
            if (str[i] == '\\') {
                want[o++] = '\\';
                want[o++] = '\\';
            } else if (len == 1) {
                want[o++] = str[i];
            } else {
                want[o++] = '\\';
                want[o++] = 'x';
                want[o++] = (unsigned char)hex[str[i] >> 4];
                want[o++] = (unsigned char)hex[str[i] & 15];
            }
        }
        if (i < n) {
            memcpy(want + o, "...", 3);
            o += 3;
        }
        if (o != b.len || memcmp(want, mem, o) != 0)
            die("printable: output is not the escaped, cut input", str, n);
        free(want);
    }
    free(mem);
    free(str);
    return 0;
}
