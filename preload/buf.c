#include "buf.h"

#include <string.h>

void fg_buf_init(struct fg_buf *b, char *mem, size_t size)
{
    b->p = mem;
    b->len = 0;
    b->cap = size > FG_BUF_RESERVE ? size - FG_BUF_RESERVE : 0;
    b->truncated = 0;
}

void fg_buf_mem(struct fg_buf *b, const char *s, size_t n)
{
    size_t room = b->cap - b->len;
    if (n > room) {
        n = room;
        b->truncated = 1;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

void fg_buf_str(struct fg_buf *b, const char *s)
{
    fg_buf_mem(b, s ? s : "(null)", strlen(s ? s : "(null)"));
}

void fg_buf_char(struct fg_buf *b, char c)
{
    fg_buf_mem(b, &c, 1);
}

void fg_buf_u64(struct fg_buf *b, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    fg_buf_mem(b, tmp + i, sizeof tmp - i);
}

void fg_buf_i64(struct fg_buf *b, int64_t v)
{
    if (v < 0) {
        fg_buf_char(b, '-');
        fg_buf_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        fg_buf_u64(b, (uint64_t)v);
    }
}

void fg_buf_hex(struct fg_buf *b, uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[18];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = digits[v & 15];
        v >>= 4;
    } while (v);
    tmp[--i] = 'x';
    tmp[--i] = '0';
    fg_buf_mem(b, tmp + i, sizeof tmp - i);
}

size_t fg_utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t n, i;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* Appends all n bytes or none (marking the buffer truncated): an escape or a
 * UTF-8 sequence cut in half would make the record unreadable. */
static void put_whole(struct fg_buf *b, const char *s, size_t n)
{
    if (b->cap - b->len < n) {
        b->truncated = 1;
        return;
    }
    fg_buf_mem(b, s, n);
}

void fg_buf_json(struct fg_buf *b, const char *str)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    while (*s) {
        unsigned char c = *s;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            put_whole(b, esc, 2);
            s++;
        } else if (c == '\n') {
            put_whole(b, "\\n", 2);
            s++;
        } else if (c == '\t') {
            put_whole(b, "\\t", 2);
            s++;
        } else if (c < 0x20 || c == 0x7f) {
            char esc[6] = {'\\', 'u', '0', '0', digits[c >> 4], digits[c & 15]};
            put_whole(b, esc, 6);
            s++;
        } else if (c < 0x80) {
            fg_buf_char(b, (char)c);
            s++;
        } else {
            size_t n = fg_utf8_len(s);
            if (n) {
                put_whole(b, (const char *)s, n);
                s += n;
            } else {
                put_whole(b, "\\ufffd", 6);
                s++;
            }
        }
        if (b->truncated)
            return;
    }
}

void fg_buf_printable(struct fg_buf *b, const char *str, size_t max)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    size_t shown = 0;
    for (; *s; s++) {
        char esc[4];
        size_t n;
        if (*s == '\\') { /* so that "\\x01" cannot pass for a byte */
            esc[0] = esc[1] = '\\';
            n = 2;
        } else if (*s >= 0x20 && *s < 0x7f) {
            esc[0] = (char)*s;
            n = 1;
        } else {
            esc[0] = '\\';
            esc[1] = 'x';
            esc[2] = digits[*s >> 4];
            esc[3] = digits[*s & 15];
            n = 4;
        }
        if (shown + n > max)
            break;
        fg_buf_mem(b, esc, n);
        shown += n;
    }
    if (*s)
        fg_buf_str(b, "...");
}

size_t fg_buf_finish(struct fg_buf *b, const char *tail)
{
    size_t n = strlen(tail);
    /* A buffer smaller than the reserve has no room for any record. */
    if (b->cap == 0) {
        b->len = 0;
        b->truncated = 1;
        return 0;
    }
    /* The reserve is only FG_BUF_RESERVE bytes; callers pass short tails. */
    b->cap += FG_BUF_RESERVE;
    if (b->truncated && b->len + 3 + n <= b->cap) {
        memcpy(b->p + b->len, "...", 3);
        b->len += 3;
    }
    if (b->len + n > b->cap)
        b->len = b->cap - n;
    memcpy(b->p + b->len, tail, n);
    b->len += n;
    b->cap -= FG_BUF_RESERVE;
    return b->len;
}

char *fg_buf_cstr(struct fg_buf *b)
{
    size_t size = b->cap + FG_BUF_RESERVE; /* the whole buffer, while not finished */
    size_t n = fg_buf_finish(b, "");
    if (size <= FG_BUF_RESERVE) /* too small for any text: "" when it has a byte */
        return size ? (b->p[0] = '\0', b->p) : (char *)"";
    b->p[n < size ? n : size - 1] = '\0';
    return b->p;
}
