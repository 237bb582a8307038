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

/* A string token, decoded; the output is never longer than the input. */
static char *string(struct parser *ps)
{
    const char *start = ++ps->p;
    char *out, *o;
    while (ps->p < ps->end && *ps->p != '"') {
        if (*ps->p == '\\')
            ps->p++;
        ps->p++;
    }
    if (ps->p >= ps->end)
        return NULL;
    out = o = malloc((size_t)(ps->p - start) + 1);
    if (!out)
        return NULL;
    for (const char *s = start; s < ps->p; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20)
            goto bad;
        if (c != '\\') {
            *o++ = (char)c;
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
            if (cp >= 0xd800 && cp < 0xdc00 && ps->p - s >= 7 && s[1] == '\\' && s[2] == 'u' &&
                hex4(s + 3, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                s += 6;
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
    default: {
        char buf[64], *endp;
        size_t n = 0;
        struct fg_json *v;
        while (ps->p + n < ps->end && n < sizeof buf - 1 && strchr("+-0123456789.eE", ps->p[n]))
            n++;
        if (!n)
            return NULL;
        memcpy(buf, ps->p, n);
        buf[n] = '\0';
        v = node(FG_JSON_NUMBER);
        if (!v)
            return NULL;
        v->number = strtod(buf, &endp);
        if (*endp) {
            free(v);
            return NULL;
        }
        ps->p += n;
        return v;
    }
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
    return m && m->type == FG_JSON_NUMBER ? (long long)m->number : fallback;
}
