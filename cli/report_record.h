/* Between the parts of the log reader (report_read.c: the summary and JSON
 * records; report_text.c: text records). Not for the rest of the command. */
#ifndef FG_CLI_REPORT_RECORD_H
#define FG_CLI_REPORT_RECORD_H

#include "report_read.h"

#include <stddef.h>

/* One record, whatever its format; the strings are copied when kept. */
struct fg_report_rec {
    const char *event, *function, *action, *libjvm, *host, *fix, *first_call, *fork_site,
        *message;
    long long pid, owner, parent, child;
    /* A CPython host's stack (innermost last), or none. */
    const char *const *py_lines;
    size_t n_py;
    const char *ruby_line; /* a Ruby host's "app.rb:12", or NULL */
};

char *fg_report_dup(const char *s);
void fg_report_add(struct fg_report_summary *s, const struct fg_report_rec *r, long lineno);
void fg_report_add_message(struct fg_report_summary *s, const char *m);
void fg_report_bad_line(struct fg_report_summary *s, long lineno);
/* A Python host's stack names the child's first call and fork site. */
void fg_report_python_sites(struct fg_report_child *c, const char *const *lines, size_t n);
/* A Ruby host's line names the child's first call. */
void fg_report_ruby_site(struct fg_report_child *c, const char *line);
/* The child `pid` of owner o, NULL when none was recorded. */
struct fg_report_child *fg_report_child_of(struct fg_report_owner *o, long long pid);

/* Text records: 0 when `line` continues / starts one (consumed), -1 when not. */
int fg_report_text_continue(struct fg_report_summary *s, struct fg_report_text *t,
                            const char *line);
int fg_report_text_start(struct fg_report_summary *s, struct fg_report_text *t,
                         const char *line, long lineno);
/* The record under way ends here (cut short: bad, a JNI header still counts). */
void fg_report_text_cut(struct fg_report_summary *s, struct fg_report_text *t);
void fg_report_text_reset(struct fg_report_text *t);

#endif
