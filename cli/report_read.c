/* Reading a forkguard log into a summary: JSON records (one object per line,
 * parsed with json-c) here, text records in report_text.c, and what both add
 * to the summary. Whatever is not a record, and a record that stops before
 * its last line, is counted as bad: a gate must not pass on a log it could not
 * read. */
#include "report_read.h"
#include "report_python.h"
#include "report_record.h"

#include <json-c/json.h>
#include <limits.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *fg_report_dup(const char *s)
{
    return s ? strdup(s) : NULL;
}

void fg_report_bad_line(struct fg_report_summary *s, long lineno)
{
    size_t i, shown = s->bad < FG_REPORT_BAD_LINES_MAX ? s->bad : FG_REPORT_BAD_LINES_MAX;
    for (i = 0; i < shown; i++)
        if (s->bad_lines[i] == lineno)
            return;
    if (s->bad < FG_REPORT_BAD_LINES_MAX)
        s->bad_lines[s->bad] = lineno;
    s->bad++;
}

static struct fg_report_owner *owner_of(struct fg_report_summary *s,
                                        const struct fg_report_rec *r)
{
    struct fg_report_owner *o;
    size_t i;
    for (i = 0; i < s->n_owners; i++)
        if (s->owners[i].pid == r->owner)
            return &s->owners[i];
    o = realloc(s->owners, (s->n_owners + 1) * sizeof *o);
    if (!o)
        return NULL;
    s->owners = o;
    o = &s->owners[s->n_owners++];
    memset(o, 0, sizeof *o);
    o->pid = r->owner;
    o->libjvm = fg_report_dup(r->libjvm);
    o->host = fg_report_dup(r->host);
    o->fix = fg_report_dup(r->fix);
    return o;
}

void fg_report_python_sites(struct fg_report_child *c, const char *const *lines, size_t n)
{
    const char *call = fg_report_py_first_call(lines, n);
    const char *fork = fg_report_py_fork_site(lines, n);
    /* For a Python host the user's own lines say more than C frames of
     * the interpreter; the first record that has them names them. */
    if (!call || c->py_named)
        return;
    c->py_named = 1;
    {
        free(c->first_call);
        c->first_call = fg_report_dup(call);
    }
    if (fork) {
        free(c->fork_site);
        c->fork_site = fg_report_dup(fork);
    }
}

void fg_report_ruby_site(struct fg_report_child *c, const char *line)
{
    if (!line || c->py_named)
        return;
    c->py_named = 1;
    free(c->first_call);
    c->first_call = fg_report_dup(line);
}

struct fg_report_child *fg_report_child_of(struct fg_report_owner *o, long long pid)
{
    size_t i;
    for (i = 0; i < o->n_children; i++)
        if (o->children[i].pid == pid)
            return &o->children[i];
    return NULL;
}

static void add_jni(struct fg_report_summary *s, const struct fg_report_rec *r)
{
    struct fg_report_owner *o = owner_of(s, r);
    struct fg_report_child *c;
    size_t len;
    s->jni++;
    if (!o)
        return;
    c = fg_report_child_of(o, r->pid);
    if (!c) {
        struct fg_report_child *grown =
            realloc(o->children, (o->n_children + 1) * sizeof *grown);
        if (!grown)
            return;
        o->children = grown;
        c = &o->children[o->n_children++];
        memset(c, 0, sizeof *c);
        c->pid = r->pid;
        c->parent = r->parent;
    }
    if (!c->first_call)
        c->first_call = fg_report_dup(r->first_call);
    if (!c->fork_site)
        c->fork_site = fg_report_dup(r->fork_site);
    fg_report_python_sites(c, r->py_lines, r->n_py);
    fg_report_ruby_site(c, r->ruby_line);
    len = strlen(c->functions);
    snprintf(c->functions + len, sizeof c->functions - len, "%s%s [%s]", len ? ", " : "",
             r->function ? r->function : "?", r->action ? r->action : "?");
}

void fg_report_add_message(struct fg_report_summary *s, const char *m)
{
    char **grown;
    size_t i;
    for (i = 0; i < s->n_messages; i++)
        if (strcmp(s->messages[i], m) == 0)
            return;
    grown = realloc(s->messages, (s->n_messages + 1) * sizeof *grown);
    if (!grown)
        return;
    s->messages = grown;
    s->messages[s->n_messages] = strdup(m);
    if (s->messages[s->n_messages])
        s->n_messages++;
}

static void add_fork_line(struct fg_report_owner *o, long long child, const char *site)
{
    void *grown = realloc(o->fork_lines, (o->n_fork_lines + 1) * sizeof o->fork_lines[0]);
    if (!grown)
        return;
    o->fork_lines = grown;
    o->fork_lines[o->n_fork_lines].child = child;
    o->fork_lines[o->n_fork_lines].site = strdup(site);
    if (o->fork_lines[o->n_fork_lines].site)
        o->n_fork_lines++;
}

/* A child whose fork was warned about forked where its parent's stack said:
 * exact, where the child's own stack shows the forking frame only at its
 * later line (os.fork() followed by more code). */
static void fork_lines_to_children(struct fg_report_summary *s)
{
    size_t i, j, k;
    for (i = 0; i < s->n_owners; i++) {
        struct fg_report_owner *o = &s->owners[i];
        for (j = 0; j < o->n_children; j++)
            for (k = 0; k < o->n_fork_lines; k++)
                if (o->fork_lines[k].child == o->children[j].pid) {
                    free(o->children[j].fork_site);
                    o->children[j].fork_site = fg_report_dup(o->fork_lines[k].site);
                }
    }
}

void fg_report_add(struct fg_report_summary *s, const struct fg_report_rec *r, long lineno)
{
    s->records++;
    if (strcmp(r->event, "jni_in_child") == 0) {
        add_jni(s, r);
    } else if (strcmp(r->event, "fork") == 0) {
        struct fg_report_owner *o = owner_of(s, r);
        /* The forking thread's stack: its innermost user line forked. */
        const char *py = fg_report_py_first_call(r->py_lines, r->n_py);
        if (!py)
            py = r->ruby_line;
        if (o && o->forks++ == 0)
            o->first_fork_site = fg_report_dup(py ? py : r->fork_site);
        if (o && py && r->child)
            add_fork_line(o, r->child, py);
    } else if (strcmp(r->event, "truncated") == 0) {
        /* The library's stand-in for a record too big for its buffer: it
         * may have been a JNI use. */
        fg_report_bad_line(s, lineno);
    } else {
        s->other++;
        if (r->message)
            fg_report_add_message(s, r->message);
    }
}

/* --- JSON ------------------------------------------------------------------ */

/* Parsed by json-c, strictly: one complete object per line, valid UTF-8,
 * nothing after it (a record glued onto another, or cut, is unreadable). */
static struct json_object *parse_object(const char *line, size_t len)
{
    struct json_tokener *tok;
    struct json_object *o;
    if (len > INT_MAX || !(tok = json_tokener_new_ex(64)))
        return NULL;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    o = json_tokener_parse_ex(tok, line, (int)len);
    if (o &&
        (json_tokener_get_error(tok) != json_tokener_success ||
         json_tokener_get_parse_end(tok) != len || !json_object_is_type(o, json_type_object))) {
        json_object_put(o);
        o = NULL;
    }
    json_tokener_free(tok);
    return o;
}

static struct json_object *member(struct json_object *o, const char *key, enum json_type type)
{
    struct json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, type) ? v : NULL;
}

static const char *str(struct json_object *o, const char *key)
{
    struct json_object *v = member(o, key, json_type_string);
    return v ? json_object_get_string(v) : NULL;
}

static long long num(struct json_object *o, const char *key)
{
    struct json_object *v = member(o, key, json_type_int);
    return v ? (long long)json_object_get_int64(v) : 0;
}

/* The innermost frame of a backtrace array. */
static const char *frame0(struct json_object *o, const char *key)
{
    struct json_object *a = member(o, key, json_type_array), *f;
    if (!a || json_object_array_length(a) == 0)
        return NULL;
    f = json_object_array_get_idx(a, 0);
    return json_object_is_type(f, json_type_string) ? json_object_get_string(f) : NULL;
}

/* The strings of python_stack (innermost last), at most `max`: the
 * innermost kept. */
static size_t py_stack(struct json_object *o, const char **out, size_t max)
{
    struct json_object *a = member(o, "python_stack", json_type_array), *f;
    size_t len, i, n = 0;
    if (!a)
        return 0;
    len = json_object_array_length(a);
    for (i = len > max ? len - max : 0; i < len; i++) {
        f = json_object_array_get_idx(a, i);
        if (json_object_is_type(f, json_type_string))
            out[n++] = json_object_get_string(f);
    }
    return n;
}

static int json_line(struct fg_report_summary *s, const char *line, size_t len, long lineno)
{
    struct json_object *j = parse_object(line, len);
    const char *py[FG_REPORT_PY_LINES];
    struct fg_report_rec r;
    memset(&r, 0, sizeof r);
    if (!j || !(r.event = str(j, "event"))) {
        json_object_put(j);
        return -1;
    }
    r.pid = num(j, "pid");
    r.owner = num(j, "owner_pid");
    r.parent = num(j, "parent_pid");
    r.child = num(j, "child_pid");
    r.function = str(j, "function");
    r.action = str(j, "action");
    r.libjvm = str(j, "libjvm");
    r.host = str(j, "host");
    r.fix = str(j, "fix");
    r.message = str(j, "message");
    r.first_call = frame0(j, "backtrace");
    r.fork_site = frame0(j, "fork_backtrace");
    r.n_py = py_stack(j, py, FG_REPORT_PY_LINES);
    r.ruby_line = str(j, "ruby_line");
    r.py_lines = py;
    fg_report_add(s, &r, lineno);
    s->json_records++;
    json_object_put(j); /* add_record copied what it keeps */
    return 0;
}

/* --- lines ----------------------------------------------------------------- */

static int any_line(struct fg_report_summary *s, char *line, size_t len, long lineno)
{
    struct fg_report_text *t = &s->text;
    if (fg_report_text_continue(s, t, line) == 0)
        return 0;
    fg_report_text_cut(s, t);
    if (line[0] == '{')
        return json_line(s, line, len, lineno);
    return fg_report_text_start(s, t, line, lineno);
}

void fg_report_line(struct fg_report_summary *s, char *line, size_t len, long lineno,
                    int newline)
{
    char *glued;
    while (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
    if (!newline)
        fg_report_bad_line(s, lineno); /* every record ends with '\n': this one was cut */
    if (len == 0)
        return;
    if (memchr(line, '\0', len)) {
        fg_report_bad_line(s, lineno);
        return;
    }
    for (;;) {
        if (any_line(s, line, len, lineno) == 0)
            return;
        fg_report_bad_line(s, lineno);
        fg_report_text_reset(&s->text);
        /* A record glued onto the rest of a cut one (logs written before
         * the library started records on a fresh line): read the record at
         * least. */
        glued = strstr(line + 1, "{\"event\":");
        if (!glued)
            glued = strstr(line + 1, "forkguard: ");
        if (!glued)
            return;
        len -= (size_t)(glued - line);
        line = glued;
    }
}

void fg_report_end(struct fg_report_summary *s)
{
    fg_report_text_cut(s, &s->text);
    fork_lines_to_children(s);
}

void fg_report_init(struct fg_report_summary *s)
{
    memset(s, 0, sizeof *s);
}

void fg_report_free(struct fg_report_summary *s)
{
    size_t i, j;
    for (i = 0; i < s->n_owners; i++) {
        struct fg_report_owner *o = &s->owners[i];
        for (j = 0; j < o->n_children; j++) {
            free(o->children[j].first_call);
            free(o->children[j].fork_site);
        }
        free(o->children);
        for (j = 0; j < o->n_fork_lines; j++)
            free(o->fork_lines[j].site);
        free(o->fork_lines);
        free(o->libjvm);
        free(o->host);
        free(o->fix);
        free(o->first_fork_site);
    }
    free(s->owners);
    for (i = 0; i < s->n_messages; i++)
        free(s->messages[i]);
    free(s->messages);
    fg_report_text_reset(&s->text);
    memset(s, 0, sizeof *s);
}
