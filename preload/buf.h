/* A tiny append-only formatter over a caller-supplied buffer.
 *
 * Pure: it writes only into the caller's memory and calls nothing (no malloc,
 * no lock, no stdio, no other object), so it may run anywhere, a forked child
 * included; its names carry no _sigsafe for that reason. Used to build every log
 * record on the stack so that it can leave in one write(2). When the buffer is
 * full the text is cut, `truncated` is set and the last bytes are kept free for
 * the record's terminator (see fg_buf_finish). */
#ifndef FG_BUF_H
#define FG_BUF_H

#include <stddef.h>
#include <stdint.h>

struct fg_buf {
    char *p;
    size_t len;
    size_t cap; /* usable bytes, terminator reserve already removed */
    int truncated;
};

/* Reserve kept at the end of every buffer for "...\n" / "\"}\n" terminators. */
#define FG_BUF_RESERVE 8

void fg_buf_init(struct fg_buf *b, char *mem, size_t size);
void fg_buf_str(struct fg_buf *b, const char *s);
void fg_buf_mem(struct fg_buf *b, const char *s, size_t n);
void fg_buf_char(struct fg_buf *b, char c);
void fg_buf_u64(struct fg_buf *b, uint64_t v);
void fg_buf_i64(struct fg_buf *b, int64_t v);
void fg_buf_hex(struct fg_buf *b, uint64_t v);
/* Length of the valid multi-byte UTF-8 sequence at s (2..4; s[0] >= 0x80),
 * or 0 when it is invalid (overlong, surrogate, past U+10FFFF, cut short). */
size_t fg_utf8_len(const unsigned char *s);
/* Appends s as the inside of a JSON string: quotes, backslashes and control
 * bytes escaped, invalid UTF-8 replaced by \ufffd, valid UTF-8 kept. */
void fg_buf_json(struct fg_buf *b, const char *s);
/* Appends s with bytes that are not printable ASCII shown as \xNN (and a
 * backslash as \\), at most `max` characters of it (then "..."): for echoing
 * untrusted input in one line of bounded length. */
void fg_buf_printable(struct fg_buf *b, const char *s, size_t max);
/* Appends `tail` even into the reserve, after a "..." when the text was cut,
 * and returns the record's length. */
size_t fg_buf_finish(struct fg_buf *b, const char *tail);
/* Finishes the text (a cut one ends with "...") and returns it as a C string,
 * its NUL inside the buffer: for messages built to be passed on, not written. */
char *fg_buf_cstr(struct fg_buf *b);

#endif
