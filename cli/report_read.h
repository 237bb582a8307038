/* Reading a forkguard log, JSON or text, into a summary: pure (lines in,
 * struct out), so unit tests and the fuzzer can drive it without files. */
#ifndef FG_CLI_REPORT_READ_H
#define FG_CLI_REPORT_READ_H

#include <stddef.h>

struct fg_report_child {
    long long pid, parent;
    char functions[512]; /* "FindClass [abort], GetEnv [passed]" */
    char *first_call;    /* backtrace frame #0 of its first report, or the
                            user's innermost Python line (cli/report_python.h) */
    char *fork_site;
    int py_named; /* first_call and fork_site come from a Python stack */
};

struct fg_report_owner {
    long long pid;
    char *libjvm, *host, *fix, *first_fork_site;
    size_t forks;
    struct {
        long long child;
        char *site; /* the forking thread's innermost user Python line */
    } * fork_lines; /* from fork records (FORKGUARD_ON_FORK=warn) */
    size_t n_fork_lines;
    struct fg_report_child *children;
    size_t n_children;
};

/* A text report's backtraces come as a record of their own, after its header,
 * and carry no pid: they go to the oldest header still without them. */
#define FG_REPORT_PENDING_MAX 64

/* Line numbers of the first unreadable or truncated lines, for the message. */
#define FG_REPORT_BAD_LINES_MAX 10

enum fg_report_text_kind { FG_TEXT_NONE, FG_TEXT_JNI, FG_TEXT_FORK, FG_TEXT_FRAMES };

/* Steps of the header lines, in the order they are written. */
enum fg_report_text_step {
    FG_STEP_HEAD,
    FG_STEP_JVM,
    FG_STEP_FORK,
    FG_STEP_WHY,
    FG_STEP_FIX,
    FG_STEP_ACTION,
    FG_STEP_AT_FORK
};

/* Python lines kept of a text record (preload/pystack.h's bound). */
#define FG_REPORT_PY_LINES 32

/* A text record under way (cli/report_read.c). */
struct fg_report_text {
    enum fg_report_text_kind kind;
    enum fg_report_text_step step; /* the last line seen */
    int complete;                  /* only backtrace continuation lines may follow */
    long line;
    long long pid, owner, parent, child;
    char function[128], action[16];
    char *libjvm, *host, *fix, *first_frame;
    int in_py;   /* inside its "at (Python)" block */
    int py_done; /* frames record: past the script's lines, before "at (JNI call)" */
    char *ruby_line;
    char *py[FG_REPORT_PY_LINES];
    size_t n_py;
};

struct fg_report_summary {
    struct fg_report_owner *owners;
    size_t n_owners;
    size_t records, jni, other;
    size_t bad; /* unreadable or truncated lines */
    long bad_lines[FG_REPORT_BAD_LINES_MAX];
    char **messages; /* config_error and classpath lines, deduplicated */
    size_t n_messages;
    size_t json_records, text_records;

    /* Text records under way. */
    struct fg_report_text text;
    struct {
        long long owner, pid;
    } pending[FG_REPORT_PENDING_MAX];
    size_t n_pending;
};

void fg_report_init(struct fg_report_summary *s);
/* One line of the log, without its '\n' (LINE is modified). NEWLINE: the
 * line ended with one (only the last line of a file can lack it: a record
 * cut short). */
void fg_report_line(struct fg_report_summary *s, char *line, size_t len, long lineno,
                    int newline);
/* End of the log: a text record still open there is truncated. */
void fg_report_end(struct fg_report_summary *s);
void fg_report_free(struct fg_report_summary *s);

#endif
