/* Formatting of forkguard's records, text and JSON, into caller buffers.
 *
 * Pure and async-signal-safe: everything comes in through struct fg_report, so
 * unit tests can pin the format down without a JVM. A record that does not fit
 * is cut (text) or replaced by a short record that still parses (JSON). */
#ifndef FG_REPORT_H
#define FG_REPORT_H

#include "backtrace.h"
#include "config.h"

#include <stddef.h>
#include <sys/types.h>

struct fg_report {
    const char *event;    /* "jni_in_child", "config_error", ... */
    const char *function; /* JNI function name */
    pid_t pid, owner_pid, parent_pid;
    pid_t child_pid; /* fork event: the new child, 0 when unknown */
    const char *libjvm;
    const char *host; /* "python", "gunicorn", "R", ... */
    const char *fix;
    enum fg_mode mode;
    const char *action;      /* one word: abort, exit, refused, passed */
    const char *action_text; /* for people: "abort (FORKGUARD_MODE=block)" */
    const char *message;     /* config_error: the one-line message */
    const struct fg_frame *frames;
    int n_frames;
    const struct fg_frame *fork_frames;
    int n_fork_frames;
    int frames_cut; /* unwinding was cut short by its time bound */
    /* CPython host: the reporting thread's Python stack (preload/pystack.h),
     * `File "app.py", line 18, in f` lines, innermost last; none elsewhere. */
    const char *const *py_lines;
    int n_py_lines;
    int py_cut; /* outer Python frames left out */
    /* Ruby host: "app.rb:12", the reporting thread's innermost Ruby line
     * (preload/rubyline.h); NULL or "" elsewhere. */
    const char *ruby_line;
};

/* Text: the first lines (what, who, why, fix, action), written before any
 * unwinding. */
size_t fg_report_text_header(char *mem, size_t size, const struct fg_report *r);
/* Text: the "at (Python)" block when there is one, then the "at (JNI call)"
 * and "at (fork)" backtraces. */
size_t fg_report_text_frames(char *mem, size_t size, const struct fg_report *r);
/* Text: the whole fork-time warning (FORKGUARD_ON_FORK=warn), one record. */
size_t fg_report_text_fork(char *mem, size_t size, const struct fg_report *r);
/* JSON: one object and a newline. */
size_t fg_report_json(char *mem, size_t size, const struct fg_report *r);

#endif
