/* libFuzzer target: the JSON reader of `forkguard report` (cli/json.c), the
 * one parser of untrusted input (a log anyone could have written to).
 *
 * Input: the bytes of one line, NULs and all. Checked against the strict,
 * independent checker of json_check.h (RFC 8259):
 *   - what the checker accepts, the parser accepts;
 *   - what the parser accepts, the checker accepts too, unless it nests deeper
 *     than the checker's 32 levels (the parser allows 64);
 *   - in particular nothing with a NUL byte outside a string escape is
 *     accepted (a NUL once passed as part of a number);
 *   - an accepted value, written back as JSON, parses again to an equal tree.
 * The input is copied into a buffer of its exact size, so ASan catches any
 * read past the end. */
#include "cli/json.h"
#include "json_check.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *why, const unsigned char *s, size_t n)
{
    size_t i;
    fprintf(stderr, "fuzz_cli_json: %s; bytes:", why);
    for (i = 0; i < n && i < 200; i++)
        fprintf(stderr, " %02x", s[i]);
    fprintf(stderr, "\n");
    abort();
}

static int nesting(const struct fg_json *v)
{
    int deepest = 0;
    size_t i;
    if (v->type != FG_JSON_ARRAY && v->type != FG_JSON_OBJECT)
        return 0;
    for (i = 0; i < v->n; i++) {
        int d = nesting(v->items[i]);
        if (d > deepest)
            deepest = d;
    }
    return deepest + 1;
}

struct out {
    char *p;
    size_t len, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        o->cap = (o->len + n + 1) * 2;
        o->p = realloc(o->p, o->cap);
        if (!o->p)
            abort();
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void put_string(struct out *o, const char *s)
{
    put(o, "\"", 1);
    for (; *s; s++) {
        char esc[8];
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == '"' || c == '\\') {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            put(o, esc, 6);
        } else {
            put(o, s, 1);
        }
    }
    put(o, "\"", 1);
}

static void write_json(struct out *o, const struct fg_json *v)
{
    char num[40];
    size_t i;
    switch (v->type) {
    case FG_JSON_NULL: put(o, "null", 4); break;
    case FG_JSON_BOOL: v->number ? put(o, "true", 4) : put(o, "false", 5); break;
    case FG_JSON_NUMBER:
        if (isinf(v->number))
            snprintf(num, sizeof num, "%s", v->number < 0 ? "-1e999" : "1e999");
        else
            snprintf(num, sizeof num, "%.17g", v->number);
        put(o, num, strlen(num));
        break;
    case FG_JSON_STRING: put_string(o, v->string); break;
    case FG_JSON_ARRAY:
    case FG_JSON_OBJECT:
        put(o, v->type == FG_JSON_ARRAY ? "[" : "{", 1);
        for (i = 0; i < v->n; i++) {
            if (i)
                put(o, ",", 1);
            if (v->type == FG_JSON_OBJECT) {
                put_string(o, v->keys[i]);
                put(o, ":", 1);
            }
            write_json(o, v->items[i]);
        }
        put(o, v->type == FG_JSON_ARRAY ? "]" : "}", 1);
        break;
    }
}

static int same(const struct fg_json *a, const struct fg_json *b)
{
    size_t i;
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case FG_JSON_NULL: return 1;
    case FG_JSON_BOOL:
    case FG_JSON_NUMBER: return a->number == b->number;
    case FG_JSON_STRING: return strcmp(a->string, b->string) == 0;
    default:
        if (a->n != b->n)
            return 0;
        for (i = 0; i < a->n; i++)
            if ((a->keys && strcmp(a->keys[i], b->keys[i]) != 0) || !same(a->items[i], b->items[i]))
                return 0;
        return 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *copy = malloc(size ? size : 1);
    const unsigned char *p, *end;
    struct fg_json *v, *again;
    struct out o = {NULL, 0, 0};
    int strict_ok;

    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    p = copy;
    end = copy + size;
    strict_ok = jc_value(&p, end, 0) == 0;
    if (strict_ok) {
        jc_ws(&p, end);
        strict_ok = p == end;
    }
    v = fg_json_parse((const char *)copy, size);
    if (strict_ok && !v)
        die("valid JSON refused", copy, size);
    if (v && !strict_ok && nesting(v) <= 32)
        die("invalid JSON accepted", copy, size);
    if (v) {
        write_json(&o, v);
        again = fg_json_parse(o.p, o.len);
        if (!again || !same(v, again))
            die("written back, the value does not parse to the same tree", copy, size);
        fg_json_free(again);
    }
    free(o.p);
    fg_json_free(v);
    free(copy);
    return 0;
}
