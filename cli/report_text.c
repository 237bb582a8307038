/* The text records of a forkguard log (the default format), read by the
 * shapes preload/report.c writes:
 *
 *   forkguard: JNI call FN in pid N, a forked child of JVM owner pid M
 *     (FN: a JNI function name, or "through JPype")
 *     jvm:     created by pid M (libjvm PATH)
 *     fork:    pid P forked pid N
 *     why:     ...
 *     fix:     (HOST) ...
 *     action:  ...
 *   then, as a record of its own (written after the unwinding):
 *     at (Python):    File "F", line N, in f    (a CPython host; more lines
 *                                                  indented by 18 spaces)
 *     at (Ruby):      app.rb:12                  (a Ruby host)
 *     at (JNI call):  #0 ...          more frames indented by 18 spaces
 *     at (fork):      #0 ...
 *
 *   forkguard: pid M, owner of a live JVM, forked pid C   (jvm, why, fix,
 *     action, at (Python) or at (Ruby), at (fork) as above:
 *     FORKGUARD_ON_FORK=warn)
 *
 *   forkguard: anything else on one line (configuration, classpath)
 *
 * Whatever is not one of these, and a record that stops before its last line,
 * is counted as bad: a gate must not pass on a log it could not read. */
#include "report_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FG_TEXT_INDENT "                  " /* continuation of a backtrace */
#define FG_TEXT_AT_PYTHON "  at (Python):    "
#define FG_TEXT_AT_JNI "  at (JNI call):  "
#define FG_TEXT_AT_RUBY "  at (Ruby):      "

static const char *after(const char *line, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(line, prefix, n) == 0 ? line + n : NULL;
}

void fg_report_text_reset(struct fg_report_text *t)
{
    free(t->libjvm);
    free(t->host);
    free(t->fix);
    free(t->first_frame);
    free(t->ruby_line);
    while (t->n_py > 0)
        free(t->py[--t->n_py]);
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
    struct fg_report_rec r;
    memset(&r, 0, sizeof r);
    r.pid = t->pid;
    r.owner = t->owner;
    r.parent = t->parent;
    r.child = t->child;
    r.libjvm = t->libjvm;
    r.host = t->host;
    r.fix = t->fix;
    r.py_lines = (const char *const *)t->py;
    r.n_py = t->n_py;
    r.ruby_line = t->ruby_line;
    if (t->kind == FG_TEXT_JNI) {
        r.event = "jni_in_child";
        r.function = t->function;
        r.action = t->action[0] ? t->action : "?";
        text_pending_push(s, t->owner, t->pid);
    } else {
        r.event = "fork";
        r.fork_site = t->first_frame;
    }
    fg_report_add(s, &r, t->line);
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
        c = fg_report_child_of(o, s->pending[0].pid);
    if (c && !c->first_call && t->first_frame)
        c->first_call = strdup(t->first_frame);
    if (c && !c->fork_site && fork_frame)
        c->fork_site = strdup(fork_frame);
    if (c) {
        fg_report_python_sites(c, (const char *const *)t->py, t->n_py);
        fg_report_ruby_site(c, t->ruby_line);
    }
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

/* A line of an "at (Python)" block: frames are kept, the bound's note
 * ("(outer frames left out)") is not. */
static void python_line(struct fg_report_text *t, const char *rest)
{
    char *copy;
    if (strncmp(rest, "File ", 5) != 0)
        return;
    if (t->n_py == FG_REPORT_PY_LINES) {
        free(t->py[0]); /* the innermost are kept */
        memmove(&t->py[0], &t->py[1], (FG_REPORT_PY_LINES - 1) * sizeof t->py[0]);
        t->n_py--;
    }
    if ((copy = strdup(rest)))
        t->py[t->n_py++] = copy;
}

/* A header line continues the record under way when it is the next one
 * expected; returns 0 when consumed. */
int fg_report_text_continue(struct fg_report_summary *s, struct fg_report_text *t,
                            const char *line)
{
    const char *rest;
    if (t->kind == FG_TEXT_NONE)
        return -1;
    if (t->in_py) {
        if ((rest = after(line, FG_TEXT_INDENT))) {
            python_line(t, rest);
            return 0;
        }
        t->in_py = 0;
        if (t->kind == FG_TEXT_FRAMES) {
            t->py_done = 1;
            return fg_report_text_continue(s, t, line);
        }
    }
    if (t->kind == FG_TEXT_FRAMES && t->py_done) {
        /* After the script's lines: the Ruby line, then the JNI backtrace. */
        if ((rest = after(line, FG_TEXT_AT_RUBY)) && !t->ruby_line) {
            t->ruby_line = strdup(rest);
            return 0;
        }
        if (!(rest = after(line, FG_TEXT_AT_JNI)))
            return -1;
        t->py_done = 0;
        t->first_frame = frame_or_null(rest);
        return 0;
    }
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
        if ((rest = after(line, FG_TEXT_AT_PYTHON)) && t->n_py == 0 && !t->ruby_line) {
            t->in_py = 1;
            python_line(t, rest);
            return 0;
        }
        if ((rest = after(line, FG_TEXT_AT_RUBY)) && !t->ruby_line) {
            t->ruby_line = strdup(rest);
            return 0;
        }
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
int fg_report_text_start(struct fg_report_summary *s, struct fg_report_text *t,
                         const char *line, long lineno)
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
    if ((rest = after(line, FG_TEXT_AT_JNI))) {
        t->kind = FG_TEXT_FRAMES;
        t->first_frame = frame_or_null(rest);
        return 0;
    }
    if ((rest = after(line, FG_TEXT_AT_PYTHON))) {
        /* The frames record of a CPython host: its JNI backtrace follows. */
        t->kind = FG_TEXT_FRAMES;
        t->in_py = 1;
        python_line(t, rest);
        return 0;
    }
    if ((rest = after(line, FG_TEXT_AT_RUBY))) {
        t->kind = FG_TEXT_FRAMES;
        t->py_done = 1;
        t->ruby_line = strdup(rest);
        return 0;
    }
    if (after(line, "forkguard: ")) {
        /* A one-line message: configuration, classpath. */
        struct fg_report_rec r;
        memset(&r, 0, sizeof r);
        r.event = "message";
        r.message = line;
        fg_report_add(s, &r, lineno);
        s->text_records++;
        t->kind = FG_TEXT_NONE;
        return 0;
    }
    return -1;
}

/* The record under way ends here. Cut short, it is bad; a JNI header's first
 * line alone still proves a JNI use, so that use is counted too. */
void fg_report_text_cut(struct fg_report_summary *s, struct fg_report_text *t)
{
    if (t->kind != FG_TEXT_NONE && !t->complete) {
        if (t->kind == FG_TEXT_JNI)
            text_commit(s, t);
        fg_report_bad_line(s, t->line);
    }
    fg_report_text_reset(t);
}
