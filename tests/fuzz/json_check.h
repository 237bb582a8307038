/* A small, strict JSON checker for the fuzz targets (RFC 8259): no library,
 * no allocation, so that it cannot be the thing that breaks. */
#ifndef FG_FUZZ_JSON_CHECK_H
#define FG_FUZZ_JSON_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Length of the strict UTF-8 sequence at s[0..n), 0 when invalid (overlong,
 * surrogate, past U+10FFFF, cut short). Written independently of buf.c. */
static size_t jc_utf8_len(const unsigned char *s, size_t n, uint32_t *cp_out)
{
    uint32_t cp, min;
    size_t len, i;
    if (n == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp_out = s[0];
        return 1;
    } else if ((s[0] & 0xe0) == 0xc0) {
        len = 2, cp = s[0] & 0x1f, min = 0x80;
    } else if ((s[0] & 0xf0) == 0xe0) {
        len = 3, cp = s[0] & 0x0f, min = 0x800;
    } else if ((s[0] & 0xf8) == 0xf0) {
        len = 4, cp = s[0] & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    *cp_out = cp;
    return len;
}

static size_t jc_put_utf8(unsigned char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xc0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xe0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (unsigned char)(0xf0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

static int jc_hex4(const unsigned char *s, uint32_t *v)
{
    int i;
    *v = 0;
    for (i = 0; i < 4; i++) {
        unsigned char c = s[i];
        *v <<= 4;
        if (c >= '0' && c <= '9')
            *v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            *v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            *v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    return 0;
}

/* Checks s[0..n) as the inside of a JSON string and decodes it into out
 * (which must hold n bytes; decoding never grows). Returns the decoded length,
 * or -1 when the content is not valid. */
static long jc_string_content(const unsigned char *s, size_t n, unsigned char *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        uint32_t cp;
        size_t len;
        if (s[i] == '"' || s[i] < 0x20)
            return -1;
        if (s[i] == '\\') {
            if (i + 1 >= n)
                return -1;
            switch (s[i + 1]) {
            case '"':
            case '\\':
            case '/':
                out[o++] = s[i + 1];
                i += 2;
                continue;
            case 'b':
                out[o++] = '\b';
                i += 2;
                continue;
            case 'f':
                out[o++] = '\f';
                i += 2;
                continue;
            case 'n':
                out[o++] = '\n';
                i += 2;
                continue;
            case 'r':
                out[o++] = '\r';
                i += 2;
                continue;
            case 't':
                out[o++] = '\t';
                i += 2;
                continue;
            case 'u':
                if (i + 6 > n || jc_hex4(s + i + 2, &cp) != 0)
                    return -1;
                i += 6;
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    uint32_t lo;
                    if (i + 6 > n || s[i] != '\\' || s[i + 1] != 'u' ||
                        jc_hex4(s + i + 2, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
                        return -1;
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    i += 6;
                } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                    return -1;
                }
                o += jc_put_utf8(out + o, cp);
                continue;
            default:
                return -1;
            }
        }
        len = jc_utf8_len(s + i, n - i, &cp);
        if (!len)
            return -1;
        memcpy(out + o, s + i, len);
        o += len;
        i += len;
    }
    return (long)o;
}

/* A whole JSON value at *p (strict: no trailing commas, no NaN, UTF-8). */
static int jc_value(const unsigned char **p, const unsigned char *end, int depth);

static void jc_ws(const unsigned char **p, const unsigned char *end)
{
    while (*p < end && (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r'))
        (*p)++;
}

static int jc_string(const unsigned char **p, const unsigned char *end)
{
    const unsigned char *s = *p + 1, *q = s;
    static unsigned char tmp[65536]; /* one string at a time: jc_string does not recurse */
    if (*p >= end || **p != '"')
        return -1;
    while (q < end && *q != '"') {
        if (*q == '\\')
            q++;
        q++;
    }
    if (q >= end)
        return -1;
    /* Strings here are bounded by the record buffer, under sizeof tmp. */
    if ((size_t)(q - s) > sizeof tmp || jc_string_content(s, (size_t)(q - s), tmp) < 0)
        return -1;
    *p = q + 1;
    return 0;
}

static int jc_number(const unsigned char **p, const unsigned char *end)
{
    const unsigned char *q = *p;
    if (q < end && *q == '-')
        q++;
    if (q >= end)
        return -1;
    if (*q == '0') {
        q++;
    } else if (*q >= '1' && *q <= '9') {
        while (q < end && *q >= '0' && *q <= '9')
            q++;
    } else {
        return -1;
    }
    if (q < end && *q == '.') {
        q++;
        if (q >= end || *q < '0' || *q > '9')
            return -1;
        while (q < end && *q >= '0' && *q <= '9')
            q++;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < end && (*q == '+' || *q == '-'))
            q++;
        if (q >= end || *q < '0' || *q > '9')
            return -1;
        while (q < end && *q >= '0' && *q <= '9')
            q++;
    }
    *p = q;
    return 0;
}

static int jc_word(const unsigned char **p, const unsigned char *end, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(end - *p) < n || memcmp(*p, w, n) != 0)
        return -1;
    *p += n;
    return 0;
}

static int jc_value(const unsigned char **p, const unsigned char *end, int depth)
{
    if (depth > 32)
        return -1;
    jc_ws(p, end);
    if (*p >= end)
        return -1;
    switch (**p) {
    case '{':
        (*p)++;
        jc_ws(p, end);
        if (*p < end && **p == '}') {
            (*p)++;
            return 0;
        }
        for (;;) {
            jc_ws(p, end);
            if (jc_string(p, end) != 0)
                return -1;
            jc_ws(p, end);
            if (*p >= end || **p != ':')
                return -1;
            (*p)++;
            if (jc_value(p, end, depth + 1) != 0)
                return -1;
            jc_ws(p, end);
            if (*p < end && **p == ',') {
                (*p)++;
                continue;
            }
            if (*p < end && **p == '}') {
                (*p)++;
                return 0;
            }
            return -1;
        }
    case '[':
        (*p)++;
        jc_ws(p, end);
        if (*p < end && **p == ']') {
            (*p)++;
            return 0;
        }
        for (;;) {
            if (jc_value(p, end, depth + 1) != 0)
                return -1;
            jc_ws(p, end);
            if (*p < end && **p == ',') {
                (*p)++;
                continue;
            }
            if (*p < end && **p == ']') {
                (*p)++;
                return 0;
            }
            return -1;
        }
    case '"':
        return jc_string(p, end);
    case 't':
        return jc_word(p, end, "true");
    case 'f':
        return jc_word(p, end, "false");
    case 'n':
        return jc_word(p, end, "null");
    default:
        return jc_number(p, end);
    }
}

/* One JSON object followed by exactly one '\n' and nothing else. */
static int jc_object_line(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    if (n < 3 || s[n - 1] != '\n' || memchr(s, '\n', n - 1) != NULL || *p != '{')
        return -1;
    if (jc_value(&p, end - 1, 0) != 0)
        return -1;
    return p == end - 1 ? 0 : -1;
}

#endif
