/* Reading a forkguard log into a summary. JSON logs are one object per line.
 * Text logs (the default format) are read by the shapes preload/report.c
 * writes:
 *
 *   forkguard: JNI call FN in pid N, a forked child of JVM owner pid M
 *     (FN: a JNI function name, or "through JPype")
 *     jvm:     created by pid M (libjvm PATH)
 *     fork:    pid P forked pid N
 *     why:     ...
 *     fix:     (HOST) ...
 *     action:  ...
 *   then, as a record of its own (written after the unwinding):
 *     at (JNI call):  #0 ...          more frames indented by 18 spaces
 *     at (fork):      #0 ...
 *
 *   forkguard: pid M, owner of a live JVM, forked pid C   (jvm, why, fix,
 *     action, at (fork) as above: FORKGUARD_ON_FORK=warn)
 *
 *   forkguard: anything else on one line (configuration, classpath)
 *
 * Whatever is not one of these, and a record that stops before its last line,
 * is counted as bad: a gate must not pass on a log it could not read. */
#include "report_read.h"

#include <json-c/json.h>
#include <limits.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FG_TEXT_INDENT "                  " /* continuation of a backtrace */

/* One record, whatever its format. */
struct rec {
    const char *event, *function, *action, *libjvm, *host, *fix, *first_call, *fork_site,
        *message;
    long long pid, owner, parent;
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void bad_line(struct fg_report_summary *s, long lineno)
{
    size_t i, shown = s->bad < FG_REPORT_BAD_LINES_MAX ? s->bad : FG_REPORT_BAD_LINES_MAX;
    for (i = 0; i < shown; i++)
        if (s->bad_lines[i] == lineno)
            return;
    if (s->bad < FG_REPORT_BAD_LINES_MAX)
        s->bad_lines[s->bad] = lineno;
    s->bad++;
}

static struct fg_report_owner *owner_of(struct fg_report_summary *s, const struct rec *r)
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
    o->libjvm = dup_or_null(r->libjvm);
    o->host = dup_or_null(r->host);
    o->fix = dup_or_null(r->fix);
    return o;
}

static struct fg_report_child *child_of(struct fg_report_owner *o, long long pid)
{
    size_t i;
    for (i = 0; i < o->n_children; i++)
        if (o->children[i].pid == pid)
            return &o->children[i];
    return NULL;
}

static void add_jni(struct fg_report_summary *s, const struct rec *r)
{
    struct fg_report_owner *o = owner_of(s, r);
    struct fg_report_child *c;
    size_t len;
    s->jni++;
    if (!o)
        return;
    c = child_of(o, r->pid);
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
        c->first_call = dup_or_null(r->first_call);
    if (!c->fork_site)
        c->fork_site = dup_or_null(r->fork_site);
    len = strlen(c->functions);
    snprintf(c->functions + len, sizeof c->functions - len, "%s%s [%s]", len ? ", " : "",
             r->function ? r->function : "?", r->action ? r->action : "?");
}

static void add_message(struct fg_report_summary *s, const char *m)
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

static void add_record(struct fg_report_summary *s, const struct rec *r, long lineno)
{
    s->records++;
    if (strcmp(r->event, "jni_in_child") == 0) {
        add_jni(s, r);
    } else if (strcmp(r->event, "fork") == 0) {
        struct fg_report_owner *o = owner_of(s, r);
        if (o && o->forks++ == 0)
            o->first_fork_site = dup_or_null(r->fork_site);
    } else if (strcmp(r->event, "truncated") == 0) {
        /* The library's stand-in for a record too big for its buffer: it
         * may have been a JNI use. */
        bad_line(s, lineno);
    } else {
        s->other++;
        if (r->message)
            add_message(s, r->message);
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

static int json_line(struct fg_report_summary *s, const char *line, size_t len, long lineno)
{
    struct json_object *j = parse_object(line, len);
    struct rec r;
    memset(&r, 0, sizeof r);
    if (!j || !(r.event = str(j, "event"))) {
        json_object_put(j);
        return -1;
    }
    r.pid = num(j, "pid");
    r.owner = num(j, "owner_pid");
    r.parent = num(j, "parent_pid");
    r.function = str(j, "function");
    r.action = str(j, "action");
    r.libjvm = str(j, "libjvm");
    r.host = str(j, "host");
    r.fix = str(j, "fix");
    r.message = str(j, "message");
    r.first_call = frame0(j, "backtrace");
    r.fork_site = frame0(j, "fork_backtrace");
    add_record(s, &r, lineno);
    s->json_records++;
    json_object_put(j); /* add_record copied what it keeps */
    return 0;
}

/* --- text ------------------------------------------------------------------ */

static const char *after(const char *line, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(line, prefix, n) == 0 ? line + n : NULL;
}

static void text_reset(struct fg_report_text *t)
{
    free(t->libjvm);
    free(t->host);
    free(t->fix);
    free(t->first_frame);
    memset(t, 0, sizeof *t);
}

/* "pid N" fields: digits only, the whole rest of the line consumed. */
static int scan_full(const char *line, const char *fmt, long long *a, long long *b)
{
    int end = -1;
    if (sscanf(line, fmt, a, b, &end) != 2 || end < 0 || line[end] != '\0')
        return -1;
    return 0;
}

static void text_pending_push(struct fg_report_summary *s, long long owner, long long pid)
{
    if (s->n_pending == FG_REPORT_PENDING_MAX) {
        memmove(&s->pending[0], &s->pending[1],
                (FG_REPORT_PENDING_MAX - 1) * sizeof s->pending[0]);
        s->n_pending--;
    }
    s->pending[s->n_pending].owner = owner;
    s->pending[s->n_pending].pid = pid;
    s->n_pending++;
}

/* A complete text record goes into the summary like a JSON one. */
static void text_commit(struct fg_report_summary *s, struct fg_report_text *t)
{
    struct rec r;
    memset(&r, 0, sizeof r);
    r.pid = t->pid;
    r.owner = t->owner;
    r.parent = t->parent;
    r.libjvm = t->libjvm;
    r.host = t->host;
    r.fix = t->fix;
    if (t->kind == FG_TEXT_JNI) {
        r.event = "jni_in_child";
        r.function = t->function;
        r.action = t->action[0] ? t->action : "?";
        text_pending_push(s, t->owner, t->pid);
    } else {
        r.event = "fork";
        r.fork_site = t->first_frame;
    }
    add_record(s, &r, t->line);
    s->text_records++;
}

/* The backtraces of the oldest JNI header still without them. */
static void text_frames_commit(struct fg_report_summary *s, struct fg_report_text *t,
                               const char *fork_frame)
{
    struct fg_report_owner *o = NULL;
    struct fg_report_child *c = NULL;
    size_t i;
    if (s->n_pending == 0)
        return;
    for (i = 0; i < s->n_owners; i++)
        if (s->owners[i].pid == s->pending[0].owner)
            o = &s->owners[i];
    if (o)
        c = child_of(o, s->pending[0].pid);
    if (c && !c->first_call && t->first_frame)
        c->first_call = strdup(t->first_frame);
    if (c && !c->fork_site && fork_frame)
        c->fork_site = strdup(fork_frame);
    memmove(&s->pending[0], &s->pending[1], (s->n_pending - 1) * sizeof s->pending[0]);
    s->n_pending--;
}

/* "#0 0x... name", or NULL for "(no frames)" and "(unwinding timed out)". */
static char *frame_or_null(const char *rest)
{
    return rest[0] == '#' ? strdup(rest) : NULL;
}

static void split_fix(struct fg_report_text *t, const char *rest)
{
    const char *close = rest[0] == '(' ? strstr(rest, ") ") : NULL;
    if (close) {
        t->host = strndup(rest + 1, (size_t)(close - rest - 1));
        rest = close + 2;
    }
    t->fix = strdup(rest);
}

static void action_word(char *out, size_t size, const char *text)
{
    const char *w = strncmp(text, "abort", 5) == 0     ? "abort"
                    : strncmp(text, "_exit(", 6) == 0  ? "exit"
                    : strncmp(text, "refused", 7) == 0 ? "refused"
                    : strncmp(text, "passed", 6) == 0  ? "passed"
                                                       : "?";
    snprintf(out, size, "%s", w);
}

/* A header line continues the record under way when it is the next one
 * expected; returns 0 when consumed. */
static int text_continue(struct fg_report_summary *s, struct fg_report_text *t,
                         const char *line)
{
    const char *rest;
    if (t->kind == FG_TEXT_NONE)
        return -1;
    if (after(line, FG_TEXT_INDENT) &&
        (t->kind == FG_TEXT_FRAMES || t->step == FG_STEP_AT_FORK))
        return 0; /* frames #1 and on, or "(unwinding timed out)" */
    if (t->complete)
        return -1;
    if (t->kind == FG_TEXT_FRAMES) {
        if (!(rest = after(line, "  at (fork):      ")))
            return -1;
        text_frames_commit(s, t, rest[0] == '#' ? rest : NULL);
        t->complete = 1;
        return 0;
    }
    switch (t->step) {
    case FG_STEP_HEAD:
        if (!(rest = after(line, "  jvm:     created by pid ")))
            return -1;
        {
            const char *lib = strstr(rest, " (libjvm ");
            size_t n;
            if (!lib || (n = strlen(lib)) < 10 || lib[n - 1] != ')')
                return -1;
            if (strcmp(lib, " (libjvm unknown)") != 0)
                t->libjvm = strndup(lib + 9, n - 10);
        }
        t->step = FG_STEP_JVM;
        return 0;
    case FG_STEP_JVM:
        if (t->kind == FG_TEXT_JNI) {
            long long parent, pid;
            if (scan_full(line, "  fork:    pid %lld forked pid %lld%n", &parent, &pid) != 0 ||
                pid != t->pid)
                return -1;
            t->parent = parent;
            t->step = FG_STEP_FORK;
            return 0;
        }
        /* a fork record has no "fork:" line */
        __attribute__((fallthrough));
    case FG_STEP_FORK:
        if (!after(line, "  why:     "))
            return -1;
        t->step = FG_STEP_WHY;
        return 0;
    case FG_STEP_WHY:
        if (!(rest = after(line, "  fix:     ")))
            return -1;
        split_fix(t, rest);
        t->step = FG_STEP_FIX;
        return 0;
    case FG_STEP_FIX:
        if (!(rest = after(line, "  action:  ")))
            return -1;
        action_word(t->action, sizeof t->action, rest);
        t->step = FG_STEP_ACTION;
        if (t->kind == FG_TEXT_JNI) {
            text_commit(s, t);
            t->complete = 1;
        }
        return 0;
    case FG_STEP_ACTION:
        if (!(rest = after(line, "  at (fork):      ")))
            return -1;
        t->first_frame = frame_or_null(rest);
        t->step = FG_STEP_AT_FORK;
        text_commit(s, t);
        t->complete = 1;
        return 0;
    default:
        return -1;
    }
}

/* The first line of a text record; 0 when it is one. */
static int text_start(struct fg_report_summary *s, struct fg_report_text *t, const char *line,
                      long lineno)
{
    const char *rest;
    long long a, b;
    t->line = lineno;
    if ((rest = after(line, "forkguard: JNI call "))) {
        /* The function is a JNI name, or words ("through JPype"): it ends at
         * the last " in pid ". */
        const char *sp = NULL, *p;
        int end = -1;
        for (p = strstr(rest, " in pid "); p; p = strstr(p + 1, " in pid "))
            sp = p;
        if (!sp || (size_t)(sp - rest) >= sizeof t->function ||
            sscanf(sp, " in pid %lld, a forked child of JVM owner pid %lld%n", &a, &b, &end) !=
                2 ||
            end < 0 || sp[end] != '\0')
            return -1;
        memcpy(t->function, rest, (size_t)(sp - rest));
        t->function[sp - rest] = '\0';
        t->kind = FG_TEXT_JNI;
        t->pid = a;
        t->owner = b;
        return 0;
    }
    if ((rest = after(line, "forkguard: pid ")) &&
        strstr(rest, ", owner of a live JVM, forked ")) {
        if (scan_full(line, "forkguard: pid %lld, owner of a live JVM, forked pid %lld%n", &a,
                      &b) != 0) {
            int end = -1;
            if (sscanf(line, "forkguard: pid %lld, owner of a live JVM, forked a child%n", &a,
                       &end) != 1 ||
                end < 0 || line[end] != '\0')
                return -1;
            b = 0;
        }
        t->kind = FG_TEXT_FORK;
        t->pid = t->owner = t->parent = a;
        t->child = b;
        return 0;
    }
    if ((rest = after(line, "  at (JNI call):  "))) {
        t->kind = FG_TEXT_FRAMES;
        t->first_frame = frame_or_null(rest);
        return 0;
    }
    if (after(line, "forkguard: ")) {
        /* A one-line message: configuration, classpath. */
        struct rec r;
        memset(&r, 0, sizeof r);
        r.event = "message";
        r.message = line;
        add_record(s, &r, lineno);
        s->text_records++;
        t->kind = FG_TEXT_NONE;
        return 0;
    }
    return -1;
}

/* --- lines ----------------------------------------------------------------- */

/* The record under way ends here. Cut short, it is bad; a JNI header's first
 * line alone still proves a JNI use, so that use is counted too. */
static void text_cut(struct fg_report_summary *s, struct fg_report_text *t)
{
    if (t->kind != FG_TEXT_NONE && !t->complete) {
        if (t->kind == FG_TEXT_JNI)
            text_commit(s, t);
        bad_line(s, t->line);
    }
    text_reset(t);
}

static int any_line(struct fg_report_summary *s, char *line, size_t len, long lineno)
{
    struct fg_report_text *t = &s->text;
    if (text_continue(s, t, line) == 0)
        return 0;
    text_cut(s, t);
    if (line[0] == '{')
        return json_line(s, line, len, lineno);
    return text_start(s, t, line, lineno);
}

void fg_report_line(struct fg_report_summary *s, char *line, size_t len, long lineno,
                    int newline)
{
    char *glued;
    while (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
    if (!newline)
        bad_line(s, lineno); /* every record ends with '\n': this one was cut */
    if (len == 0)
        return;
    if (memchr(line, '\0', len)) {
        bad_line(s, lineno);
        return;
    }
    for (;;) {
        if (any_line(s, line, len, lineno) == 0)
            return;
        bad_line(s, lineno);
        text_reset(&s->text);
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
    text_cut(s, &s->text);
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
        free(o->libjvm);
        free(o->host);
        free(o->fix);
        free(o->first_fork_site);
    }
    free(s->owners);
    for (i = 0; i < s->n_messages; i++)
        free(s->messages[i]);
    free(s->messages);
    text_reset(&s->text);
    memset(s, 0, sizeof *s);
}
