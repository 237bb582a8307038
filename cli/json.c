#include "json.h"

#include <stdlib.h>
#include <string.h>

struct parser {
    const char *p, *end;
    int depth;
};

static struct fg_json *value(struct parser *ps);

static void skip_ws(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static struct fg_json *node(enum fg_json_type type)
{
    struct fg_json *v = calloc(1, sizeof *v);
    if (v)
        v->type = type;
    return v;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), 0 when there is none. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
    unsigned cp, min;
    size_t len, i;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xe0) == 0xc0)
        len = 2, cp = s[0] & 0x1fu, min = 0x80;
    else if ((s[0] & 0xf0) == 0xe0)
        len = 3, cp = s[0] & 0x0fu, min = 0x800;
    else if ((s[0] & 0xf8) == 0xf0)
        len = 4, cp = s[0] & 0x07u, min = 0x10000;
    else
        return 0;
    if ((size_t)(end - s) < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
        return 0;
    return len;
}

/* A string token, decoded; the output is never longer than the input. */
static char *string(struct parser *ps)
{
    const char *start = ++ps->p;
    char *out, *o;
    while (ps->p < ps->end && *ps->p != '"')
        ps->p += *ps->p == '\\' && ps->end - ps->p > 1 ? 2 : 1;
    if (ps->p >= ps->end)
        return NULL;
    out = o = malloc((size_t)(ps->p - start) + 1);
    if (!out)
        return NULL;
    for (const char *s = start; s < ps->p; s++) {
        unsigned char c = (unsigned char)*s;
        size_t len;
        if (c < 0x20)
            goto bad;
        if (c != '\\') {
            /* Strict UTF-8, as the library writes it: anything else is not
             * one of our records. */
            len = utf8_len((const unsigned char *)s, (const unsigned char *)ps->p);
            if (!len)
                goto bad;
            memcpy(o, s, len);
            o += len;
            s += len - 1;
            continue;
        }
        switch (*++s) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (ps->p - s < 5 || hex4(s + 1, &cp))
                goto bad;
            s += 4;
            if (cp >= 0xd800 && cp < 0xdc00) {
                if (ps->p - s < 7 || s[1] != '\\' || s[2] != 'u' || hex4(s + 3, &lo) != 0 ||
                    lo < 0xdc00 || lo >= 0xe000)
                    goto bad; /* a lone surrogate encodes no character */
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                s += 6;
            } else if (cp >= 0xdc00 && cp < 0xe000) {
                goto bad;
            }
            o += put_utf8(o, cp);
            break;
        }
        default:
            goto bad;
        }
    }
    *o = '\0';
    ps->p++;
    return out;
bad:
    free(out);
    return NULL;
}

static int push(struct fg_json *v, char *key, struct fg_json *item)
{
    struct fg_json **items = realloc(v->items, (v->n + 1) * sizeof *items);
    if (!items)
        return -1;
    v->items = items;
    if (v->type == FG_JSON_OBJECT) {
        char **keys = realloc(v->keys, (v->n + 1) * sizeof *keys);
        if (!keys)
            return -1;
        v->keys = keys;
        v->keys[v->n] = key;
    }
    v->items[v->n++] = item;
    return 0;
}

static struct fg_json *container(struct parser *ps, int object)
{
    struct fg_json *v = node(object ? FG_JSON_OBJECT : FG_JSON_ARRAY);
    char close = object ? '}' : ']';
    if (!v || ++ps->depth > 64)
        goto bad;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        ps->depth--;
        return v;
    }
    for (;;) {
        char *key = NULL;
        struct fg_json *item;
        skip_ws(ps);
        if (object) {
            if (ps->p >= ps->end || *ps->p != '"' || !(key = string(ps)))
                goto bad;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p++ != ':') {
                free(key);
                goto bad;
            }
        }
        item = value(ps);
        if (!item || push(v, key, item) != 0) {
            free(key);
            fg_json_free(item);
            goto bad;
        }
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            ps->depth--;
            return v;
        }
        goto bad;
    }
bad:
    fg_json_free(v);
    return NULL;
}

static struct fg_json *literal(struct parser *ps, const char *word, enum fg_json_type t, int b)
{
    size_t n = strlen(word);
    struct fg_json *v;
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return NULL;
    ps->p += n;
    v = node(t);
    if (v)
        v->number = b;
    return v;
}

static int digit(const struct parser *ps, const char *q)
{
    return q < ps->end && *q >= '0' && *q <= '9';
}

/* RFC 8259's number grammar, checked here because strtod accepts more
 * ("+1", ".5", "0x1p3", "inf") and stops quietly at a NUL byte, which would
 * let a line carry bytes nobody parsed. */
static struct fg_json *number(struct parser *ps)
{
    const char *q = ps->p;
    char buf[64], *text;
    struct fg_json *v;
    size_t n;
    if (q < ps->end && *q == '-')
        q++;
    if (q < ps->end && *q == '0')
        q++;
    else if (digit(ps, q))
        while (digit(ps, q))
            q++;
    else
        return NULL;
    if (q < ps->end && *q == '.') {
        if (!digit(ps, ++q))
            return NULL;
        while (digit(ps, q))
            q++;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < ps->end && (*q == '+' || *q == '-'))
            q++;
        if (!digit(ps, q))
            return NULL;
        while (digit(ps, q))
            q++;
    }
    /* strtod wants a terminated copy; numbers are short but may be long. */
    n = (size_t)(q - ps->p);
    text = n < sizeof buf ? buf : malloc(n + 1);
    v = text ? node(FG_JSON_NUMBER) : NULL;
    if (v) {
        memcpy(text, ps->p, n);
        text[n] = '\0';
        v->number = strtod(text, NULL);
    }
    if (text != buf)
        free(text);
    if (!v)
        return NULL;
    ps->p = q;
    return v;
}

static struct fg_json *value(struct parser *ps)
{
    skip_ws(ps);
    if (ps->p >= ps->end)
        return NULL;
    switch (*ps->p) {
    case '{': return container(ps, 1);
    case '[': return container(ps, 0);
    case 't': return literal(ps, "true", FG_JSON_BOOL, 1);
    case 'f': return literal(ps, "false", FG_JSON_BOOL, 0);
    case 'n': return literal(ps, "null", FG_JSON_NULL, 0);
    case '"': {
        char *s = string(ps);
        struct fg_json *v = s ? node(FG_JSON_STRING) : NULL;
        if (v)
            v->string = s;
        else
            free(s);
        return v;
    }
    default:
        return number(ps);
    }
}

struct fg_json *fg_json_parse(const char *text, size_t len)
{
    struct parser ps = {text, text + len, 0};
    struct fg_json *v = value(&ps);
    skip_ws(&ps);
    if (v && ps.p != ps.end) {
        fg_json_free(v);
        return NULL;
    }
    return v;
}

void fg_json_free(struct fg_json *v)
{
    size_t i;
    if (!v)
        return;
    for (i = 0; i < v->n; i++) {
        if (v->keys)
            free(v->keys[i]);
        fg_json_free(v->items[i]);
    }
    free(v->keys);
    free(v->items);
    free(v->string);
    free(v);
}

const struct fg_json *fg_json_get(const struct fg_json *v, const char *key)
{
    size_t i;
    if (!v || v->type != FG_JSON_OBJECT)
        return NULL;
    for (i = 0; i < v->n; i++)
        if (strcmp(v->keys[i], key) == 0)
            return v->items[i];
    return NULL;
}

const char *fg_json_str(const struct fg_json *v, const char *key, const char *fallback)
{
    const struct fg_json *m = fg_json_get(v, key);
    return m && m->type == FG_JSON_STRING ? m->string : fallback;
}

long long fg_json_int(const struct fg_json *v, const char *key, long long fallback)
{
    const struct fg_json *m = fg_json_get(v, key);
    /* Converting a double outside long long's range is undefined: such a
     * number (no pid is one) gets the fallback. */
    if (!m || m->type != FG_JSON_NUMBER || !(m->number >= -0x1p63 && m->number < 0x1p63))
        return fallback;
    return (long long)m->number;
}
