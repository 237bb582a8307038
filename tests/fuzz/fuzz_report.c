/* libFuzzer target: the report formatter (preload/report.c).
 *
 * Input: a header of 16 bytes (record buffer size 0..20479, frame counts,
 * flags, pids, addresses), then NUL-separated strings used for the event,
 * function, libjvm, host, fix, action, action text, message and, cycled, for
 * the frames' module and symbol names.
 *
 * fg_report_json: never more than the buffer (allocated at its exact size,
 * ASan watches), and whatever it writes is one JSON object and one newline
 * that a strict parser accepts, whatever the names hold. With the real buffer
 * size (16384) and names that fit, the record is the full one, backtraces
 * included. The text formatters: within the buffer, ending in a newline. */
#include "preload/report.h"
#include "preload/buf.h"
#include "json_check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REAL_RECORD 16384 /* FG_RECORD_MAX in preload/report_emit.c */
#define FG_FUZZ_FRAMES 32 /* FG_FRAMES_MAX in preload/state.h */

static void die(const char *why, const char *rec, size_t n)
{
    fprintf(stderr, "fuzz_report: %s; record (%zu bytes): %.*s\n", why, n,
            (int)(n > 2000 ? 2000 : n), rec);
    abort();
}

static uint32_t u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static size_t slen(const char *s)
{
    return s ? strlen(s) : 4;
}

/* The longest JSON record r could make: every string byte as \u00XX. */
static size_t worst_case(const struct fg_report *r)
{
    size_t w =
        1200 + 6 * (slen(r->event) + slen(r->function) + slen(r->libjvm) + slen(r->host) +
                    slen(r->fix) + slen(r->action) + slen(r->action_text));
    int i;
    for (i = 0; i < r->n_frames; i++)
        w += 80 + 6 * (2 * slen(r->frames[i].module) + slen(r->frames[i].symbol));
    for (i = 0; i < r->n_fork_frames; i++)
        w += 80 + 6 * (2 * slen(r->fork_frames[i].module) + slen(r->fork_frames[i].symbol));
    return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fg_frame frames[FG_FUZZ_FRAMES], fork_frames[FG_FUZZ_FRAMES];
    const char *pieces[64];
    size_t n_pieces = 0, bufsize, n, i;
    char *copy, *p, *end, *mem;
    struct fg_report r;
    unsigned flags;
    int nf, nk;

    if (size < 16)
        return 0;
    bufsize = ((size_t)data[0] << 8 | data[1]) % 20480;
    if (data[2] & 0x80)
        bufsize = REAL_RECORD;
    nf = data[3] % (FG_FUZZ_FRAMES + 1);
    nk = data[4] % (FG_FUZZ_FRAMES + 1);
    flags = data[5];
    copy = malloc(size - 16 + 1);
    memcpy(copy, data + 16, size - 16);
    copy[size - 16] = '\0';
    for (p = copy, end = copy + (size - 16); n_pieces < 64;) {
        pieces[n_pieces++] = p;
        p += strlen(p);
        if (p >= end)
            break;
        p++;
    }
#define PIECE(k) ((k) < n_pieces ? pieces[k] : "")
    memset(&r, 0, sizeof r);
    r.event = flags & 1 ? NULL : PIECE(0);
    r.function = flags & 2 ? NULL : PIECE(1);
    r.libjvm = PIECE(2);
    r.host = flags & 4 ? NULL : PIECE(3);
    r.fix = flags & 8 ? NULL : PIECE(4);
    r.action = PIECE(5);
    r.action_text = PIECE(6);
    r.message = flags & 16 ? PIECE(7) : NULL;
    r.mode = (enum fg_mode)(data[6] % 3);
    r.pid = (pid_t)u32(data + 8);
    r.owner_pid = (pid_t)u32(data + 12);
    r.parent_pid = (pid_t)(u32(data + 8) ^ u32(data + 12));
    r.child_pid = flags & 32 ? (pid_t)u32(data + 12) : 0;
    r.frames_cut = (flags & 64) != 0;
    memset(frames, 0, sizeof frames);
    memset(fork_frames, 0, sizeof fork_frames);
    for (i = 0; i < FG_FUZZ_FRAMES; i++) {
        struct fg_frame *f = &frames[i], *k = &fork_frames[i];
        f->ip = (uintptr_t)u32(data + 8) * (i + 1) + data[7];
        f->offset = (uintptr_t)data[7] << (i % 40);
        f->module = (data[7] >> (i % 8)) & 1 ? NULL : PIECE(8 + 2 * i % 40);
        f->symbol = (data[6] >> (i % 8)) & 1 ? NULL : PIECE(9 + 2 * i % 40);
        *k = *f;
        k->symbol = (data[5] >> (i % 8)) & 1 ? NULL : PIECE(10 + i % 30);
    }
    r.frames = frames;
    r.n_frames = nf;
    r.fork_frames = fork_frames;
    r.n_fork_frames = nk;

    mem = malloc(bufsize ? bufsize : 1);
    n = fg_report_json(mem, bufsize, &r);
    if (n > bufsize)
        die("json: longer than its buffer", mem, bufsize);
    if (n > 0 && jc_object_line(mem, n) != 0)
        die("json: not one valid JSON object and a newline", mem, n);
    /* Worst case: every string byte escaped as \u00XX, plus the frames'
     * fixed parts and the keys: with the real buffer it must all fit. */
    if (bufsize == REAL_RECORD && !r.message && worst_case(&r) < REAL_RECORD &&
        (n == 0 || !strstr(mem, "\"backtrace_cut\":")))
        die("json: full record expected with the real buffer size", mem, n);
    free(mem);

    mem = malloc(bufsize ? bufsize : 1);
    n = fg_report_text_header(mem, bufsize, &r);
    if (n > bufsize || (bufsize > FG_BUF_RESERVE && (n == 0 || mem[n - 1] != '\n')))
        die("text header: past its buffer or not ending in a newline", mem,
            n > bufsize ? bufsize : n);
    n = fg_report_text_frames(mem, bufsize, &r);
    if (n > bufsize || (n > 0 && mem[n - 1] != '\n'))
        die("text frames: past its buffer or not ending in a newline", mem,
            n > bufsize ? bufsize : n);
    n = fg_report_text_fork(mem, bufsize, &r);
    if (n > bufsize || (bufsize > FG_BUF_RESERVE && (n == 0 || mem[n - 1] != '\n')))
        die("text fork: past its buffer or not ending in a newline", mem,
            n > bufsize ? bufsize : n);
    free(mem);
    free(copy);
    return 0;
}
