#include "report.h"

#include "buf.h"
#include "messages.h"

#include <string.h>

static void put(struct fg_buf *b, const char *s, int json)
{
    if (json)
        fg_buf_json(b, s);
    else
        fg_buf_str(b, s);
}

/* "symbol+0x12 (/path/module)", or "module+0x4f0 (/path/module)" for a frame
 * without a dynamic symbol (a static function, JIT code has no module). */
static void frame_name(struct fg_buf *b, const struct fg_frame *f, int json)
{
    const char *slash;
    if (f->symbol) {
        put(b, f->symbol, json);
    } else if (f->module) {
        slash = strrchr(f->module, '/');
        put(b, slash ? slash + 1 : f->module, json);
    } else {
        put(b, "??", json);
        return;
    }
    fg_buf_char(b, '+');
    fg_buf_hex(b, f->offset);
    if (f->module) {
        fg_buf_str(b, " (");
        put(b, f->module, json);
        fg_buf_char(b, ')');
    }
}

static void text_frames(struct fg_buf *b, const char *title, const struct fg_frame *f, int n,
                        int cut)
{
    int i;
    /* "  at (JNI call):  " and its continuation indent have the same width. */
    static const char indent[] = "                  ";
    fg_buf_str(b, title);
    if (n == 0)
        fg_buf_str(b, cut ? "(unwinding timed out)\n" : "(no frames)\n");
    for (i = 0; i < n; i++) {
        if (i)
            fg_buf_str(b, indent);
        fg_buf_char(b, '#');
        fg_buf_u64(b, (uint64_t)i);
        fg_buf_char(b, ' ');
        fg_buf_hex(b, f[i].ip);
        fg_buf_char(b, ' ');
        frame_name(b, &f[i], 0);
        fg_buf_char(b, '\n');
    }
    if (n > 0 && cut) {
        fg_buf_str(b, indent);
        fg_buf_str(b, "(unwinding timed out)\n");
    }
}

/* Python's lines as its tracebacks print them, innermost last; nothing for
 * a record without them, so other hosts' reports are as before. */
static void text_python(struct fg_buf *b, const struct fg_report *r)
{
    int i;
    static const char indent[] = "                  ";
    if (r->n_py_lines <= 0)
        return;
    fg_buf_str(b, "  at (Python):    ");
    if (r->py_cut) {
        fg_buf_str(b, "(outer frames left out)\n");
        fg_buf_str(b, indent);
    }
    for (i = 0; i < r->n_py_lines; i++) {
        if (i)
            fg_buf_str(b, indent);
        fg_buf_str(b, r->py_lines[i]);
        fg_buf_char(b, '\n');
    }
}

static void text_ruby(struct fg_buf *b, const struct fg_report *r)
{
    if (!r->ruby_line || !r->ruby_line[0])
        return;
    fg_buf_str(b, "  at (Ruby):      ");
    fg_buf_str(b, r->ruby_line);
    fg_buf_char(b, '\n');
}

static void text_jvm_line(struct fg_buf *b, const struct fg_report *r)
{
    fg_buf_str(b, "\n  jvm:     created by pid ");
    fg_buf_i64(b, r->owner_pid);
    fg_buf_str(b, " (libjvm ");
    fg_buf_str(b, r->libjvm && r->libjvm[0] ? r->libjvm : "unknown");
    fg_buf_char(b, ')');
}

/* The "why", "fix" and "action" lines every report ends with. */
static void text_why_fix_action(struct fg_buf *b, const struct fg_report *r, const char *why)
{
    fg_buf_str(b, "\n  why:     ");
    fg_buf_str(b, why);
    fg_buf_str(b, "\n  fix:     ");
    if (r->host) {
        fg_buf_char(b, '(');
        fg_buf_str(b, r->host);
        fg_buf_str(b, ") ");
    }
    fg_buf_str(b, r->fix);
    fg_buf_str(b, "\n  action:  ");
    fg_buf_str(b, r->action_text);
}

size_t fg_report_text_header(char *mem, size_t size, const struct fg_report *r)
{
    struct fg_buf b;
    fg_buf_init(&b, mem, size);
    fg_buf_str(&b, FG_MSG_PREFIX "JNI call ");
    fg_buf_str(&b, r->function);
    fg_buf_str(&b, " in pid ");
    fg_buf_i64(&b, r->pid);
    fg_buf_str(&b, ", a forked child of JVM owner pid ");
    fg_buf_i64(&b, r->owner_pid);
    text_jvm_line(&b, r);
    fg_buf_str(&b, "\n  fork:    pid ");
    fg_buf_i64(&b, r->parent_pid);
    fg_buf_str(&b, " forked pid ");
    fg_buf_i64(&b, r->pid);
    text_why_fix_action(&b, r, FG_MSG_WHY);
    return fg_buf_finish(&b, "\n");
}

size_t fg_report_text_frames(char *mem, size_t size, const struct fg_report *r)
{
    struct fg_buf b;
    fg_buf_init(&b, mem, size);
    text_python(&b, r);
    text_ruby(&b, r);
    text_frames(&b, "  at (JNI call):  ", r->frames, r->n_frames, r->frames_cut);
    text_frames(&b, "  at (fork):      ", r->fork_frames, r->n_fork_frames, 0);
    if (b.truncated)
        return fg_buf_finish(&b, "\n");
    return b.len;
}

size_t fg_report_text_fork(char *mem, size_t size, const struct fg_report *r)
{
    struct fg_buf b;
    fg_buf_init(&b, mem, size);
    fg_buf_str(&b, FG_MSG_PREFIX "pid ");
    fg_buf_i64(&b, r->pid);
    fg_buf_str(&b, ", owner of a live JVM, forked ");
    if (r->child_pid) {
        fg_buf_str(&b, "pid ");
        fg_buf_i64(&b, r->child_pid);
    } else {
        fg_buf_str(&b, "a child");
    }
    text_jvm_line(&b, r);
    text_why_fix_action(&b, r, FG_MSG_WHY_FORK);
    fg_buf_char(&b, '\n');
    text_python(&b, r);
    text_ruby(&b, r);
    text_frames(&b, "  at (fork):      ", r->fork_frames, r->n_fork_frames, 0);
    if (b.truncated)
        return fg_buf_finish(&b, "\n");
    return b.len;
}

static void json_key(struct fg_buf *b, const char *key)
{
    fg_buf_str(b, ",\"");
    fg_buf_str(b, key);
    fg_buf_str(b, "\":");
}

static void json_str(struct fg_buf *b, const char *key, const char *value)
{
    json_key(b, key);
    if (!value) {
        fg_buf_str(b, "null");
        return;
    }
    fg_buf_char(b, '"');
    fg_buf_json(b, value);
    fg_buf_char(b, '"');
}

static void json_int(struct fg_buf *b, const char *key, long long v)
{
    json_key(b, key);
    fg_buf_i64(b, v);
}

static void json_frames(struct fg_buf *b, const char *key, const struct fg_frame *f, int n)
{
    int i;
    json_key(b, key);
    fg_buf_char(b, '[');
    for (i = 0; i < n; i++) {
        fg_buf_str(b, i ? ",\"#" : "\"#");
        fg_buf_u64(b, (uint64_t)i);
        fg_buf_char(b, ' ');
        fg_buf_hex(b, f[i].ip);
        fg_buf_char(b, ' ');
        frame_name(b, &f[i], 1);
        fg_buf_char(b, '"');
    }
    fg_buf_char(b, ']');
}

static void json_python(struct fg_buf *b, const struct fg_report *r)
{
    int i;
    if (r->n_py_lines <= 0)
        return;
    json_key(b, "python_stack");
    fg_buf_char(b, '[');
    for (i = 0; i < r->n_py_lines; i++) {
        fg_buf_str(b, i ? ",\"" : "\"");
        fg_buf_json(b, r->py_lines[i]);
        fg_buf_char(b, '"');
    }
    fg_buf_char(b, ']');
    json_key(b, "python_stack_cut");
    fg_buf_str(b, r->py_cut ? "true" : "false");
}

static size_t json_record(char *mem, size_t size, const struct fg_report *r, int with_frames)
{
    struct fg_buf b;
    fg_buf_init(&b, mem, size);
    fg_buf_str(&b, "{\"event\":\"");
    fg_buf_json(&b, r->event);
    fg_buf_char(&b, '"');
    json_int(&b, "pid", r->pid);
    json_int(&b, "owner_pid", r->owner_pid);
    if (r->child_pid)
        json_int(&b, "child_pid", r->child_pid);
    if (r->message) {
        /* The same keys as every other record, so that consumers need no
         * case per event. */
        json_str(&b, "function", NULL);
        json_str(&b, "mode", fg_config_mode_name(r->mode));
        json_str(&b, "action", "none");
        json_str(&b, "message", r->message);
        fg_buf_str(&b, ",\"backtrace\":[],\"fork_backtrace\":[]");
    } else {
        json_int(&b, "parent_pid", r->parent_pid);
        json_str(&b, "function", r->function);
        json_str(&b, "mode", fg_config_mode_name(r->mode));
        json_str(&b, "action", r->action);
        json_str(&b, "action_text", r->action_text);
        json_str(&b, "libjvm", r->libjvm);
        json_str(&b, "host", r->host);
        /* The same sentence as the text record of this event. */
        json_str(&b, "why",
                 r->event && strcmp(r->event, "fork") == 0 ? FG_MSG_WHY_FORK : FG_MSG_WHY);
        json_str(&b, "fix", r->fix);
        if (with_frames) {
            json_frames(&b, "backtrace", r->frames, r->n_frames);
            json_frames(&b, "fork_backtrace", r->fork_frames, r->n_fork_frames);
            json_key(&b, "backtrace_cut");
            fg_buf_str(&b, r->frames_cut ? "true" : "false");
            json_python(&b, r);
            if (r->ruby_line && r->ruby_line[0])
                json_str(&b, "ruby_line", r->ruby_line);
        } else {
            fg_buf_str(&b, ",\"backtrace\":[],\"fork_backtrace\":[],\"truncated\":true");
        }
    }
    if (b.truncated)
        return 0;
    return fg_buf_finish(&b, "}\n");
}

size_t fg_report_json(char *mem, size_t size, const struct fg_report *r)
{
    size_t n = json_record(mem, size, r, 1);
    /* Backtraces are the only unbounded part: drop them rather than write a
     * line that does not parse. */
    if (!n)
        n = json_record(mem, size, r, 0);
    if (!n) {
        /* Even the short form did not fit: the smallest record that parses,
         * or nothing at all. */
        static const char tiny[] = "{\"event\":\"truncated\"}\n";
        if (size < sizeof tiny - 1)
            return 0;
        memcpy(mem, tiny, sizeof tiny - 1);
        n = sizeof tiny - 1;
    }
    return n;
}
