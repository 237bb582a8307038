#include "report_emit.h"
#include "child_text.h"

#include "buf.h"
#include "guard.h"
#include "host.h"
#include "log.h"
#include "pystack.h"
#include "rubyline.h"
#include "report.h"
#include "state.h"
#include "fork_site.h"

#include <string.h>
#include <unistd.h>

#define FG_RECORD_MAX 16384

struct unwind_job {
    struct fg_frame frames[FG_FRAMES_MAX];
    int n;
    struct fg_frame fork_frames[FG_FRAMES_MAX];
    int n_fork;
    struct fg_pystack py;
    char ruby_line[512];
};

static void unwind_job_run(void *arg)
{
    struct unwind_job *job = arg;
    const struct fg_fork_site *site = fg_fork_site_here();
    int i;
    /* The fork site first: its addresses are already known, only the names
     * are missing, so a later timeout still leaves it complete. */
    for (i = 0; i < site->n && i < FG_FRAMES_MAX; i++) {
        memset(&job->fork_frames[i], 0, sizeof job->fork_frames[i]);
        job->fork_frames[i].ip = site->ips[i];
        job->n_fork = i + 1;
    }
    fg_backtrace_symbolize_guarded(job->fork_frames, job->n_fork);
    /* Before the C walk: in a Python host these are the lines its user
     * reads, and they come from the interpreter's own bookkeeping. */
    fg_pystack_capture_guarded(&job->py);
    fg_rubyline_capture_guarded(job->ruby_line, sizeof job->ruby_line);
    job->n = fg_backtrace_here_guarded(job->frames, FG_FRAMES_MAX);
    fg_backtrace_symbolize_guarded(job->frames, job->n);
}

static void fill_action(struct fg_report *r, enum fg_verdict verdict, const char *result,
                        struct fg_buf *b)
{
    switch (verdict) {
    case FG_VERDICT_KILL:
        if (fg.cfg.exit_code) {
            r->action = "exit";
            fg_buf_str(b, "_exit(");
            fg_buf_u64(b, (uint64_t)fg.cfg.exit_code);
            fg_buf_str(b, ") (FORKGUARD_EXIT_CODE=");
            fg_buf_u64(b, (uint64_t)fg.cfg.exit_code);
            fg_buf_str(b, ")");
        } else {
            r->action = "abort";
            fg_buf_str(b, "abort (FORKGUARD_MODE=block)");
        }
        break;
    case FG_VERDICT_REFUSE:
        r->action = "refused";
        fg_buf_str(b, "refused: returns ");
        fg_buf_str(b, result);
        fg_buf_str(b, " to the caller (FORKGUARD_MODE=block)");
        break;
    case FG_VERDICT_PASS:
        r->action = "passed";
        fg_buf_str(b, "passed through to the real call (FORKGUARD_MODE=warn)");
        break;
    }
    fg_buf_cstr(b);
}

/* What every JNI or fork record says about this process and its JVM. */
static void fill_common_sigsafe(struct fg_report *r, const char *event)
{
    memset(r, 0, sizeof *r);
    r->event = event;
    r->pid = getpid();
    r->owner_pid = fg.owner_pid;
    r->libjvm = fg.libjvm_path;
    r->host = fg_host_name(fg.host);
    r->fix = fg_host_fix(fg.host);
    r->mode = fg.cfg.mode;
}

static void set_python(struct fg_report *r, const struct fg_pystack *py)
{
    r->py_lines = py->lines;
    r->n_py_lines = py->n;
    r->py_cut = py->cut;
}

static struct {
    const char *const *lines;
    int n, cut;
} py_inner;

void fg_report_python_inner(const char *const *lines, int n, int cut)
{
    py_inner.lines = lines;
    py_inner.n = n;
    py_inner.cut = cut;
}

/* The stack's lines, then the inner ones, innermost last; the outermost are
 * left out past the bound. */
static void add_python_inner(struct fg_report *r, const char **merged)
{
    int room, keep, i, n = 0, m = py_inner.n;
    if (m <= 0)
        return;
    if (m > FG_PYSTACK_LINES)
        m = FG_PYSTACK_LINES;
    if (py_inner.cut || m < py_inner.n)
        r->py_cut = 1;
    /* A gap would read as one call: no outer lines past a cut. */
    room = py_inner.cut ? 0 : FG_PYSTACK_LINES - m;
    keep = r->n_py_lines < room ? r->n_py_lines : room;
    if (keep < r->n_py_lines)
        r->py_cut = 1;
    for (i = r->n_py_lines - keep; i < r->n_py_lines; i++)
        merged[n++] = r->py_lines[i];
    for (i = py_inner.n - m; i < py_inner.n; i++)
        merged[n++] = py_inner.lines[i];
    r->py_lines = merged;
    r->n_py_lines = n;
}

static int
    job_busy; /* the job buffer is in use: a warn-mode child may report from two threads */

FG_CHILD_TEXT void fg_report_reset_child_sigsafe(void)
{
    /* Another thread of the parent was reporting at fork(): not in the child. */
    __atomic_store_n(&job_busy, 0, __ATOMIC_RELEASE);
}

void fg_report_jni_sigsafe(const char *function, enum fg_verdict verdict, const char *result)
{
    static struct unwind_job job; /* too big for small thread stacks */
    static const char *merged[FG_PYSTACK_LINES];
    char action[160], record[FG_RECORD_MAX];
    struct fg_buf ab;
    struct fg_report r;
    size_t n;
    int cut;

    fill_common_sigsafe(&r, "jni_in_child");
    fg_buf_init(&ab, action, sizeof action);
    fill_action(&r, verdict, result, &ab);
    r.function = function;
    r.parent_pid = fg.fork_parent_pid;
    r.action_text = action;

    if (fg.cfg.format == FG_FORMAT_TEXT) {
        n = fg_report_text_header(record, sizeof record, &r);
        fg_log_write_sigsafe(record, n);
    }
    if (__atomic_exchange_n(&job_busy, 1, __ATOMIC_ACQ_REL)) {
        /* Another thread is unwinding into the buffer: this record goes out
         * without frames rather than with someone else's. */
        r.frames_cut = 1;
    } else {
        memset(&job, 0, sizeof job);
        fg_pystack_clear(&job.py);
        cut = fg_guard_run_sigsafe(unwind_job_run, &job, FG_BACKTRACE_BOUND_MS) != 0;
        fg_pystack_release_sigsafe(&job.py);
        set_python(&r, &job.py);
        add_python_inner(&r, merged);
        r.ruby_line = job.ruby_line;
        r.frames = job.frames;
        r.n_frames = job.n;
        r.fork_frames = job.fork_frames;
        r.n_fork_frames = job.n_fork;
        r.frames_cut = cut;
    }
    if (fg.cfg.format == FG_FORMAT_TEXT)
        n = fg_report_text_frames(record, sizeof record, &r);
    else
        n = fg_report_json(record, sizeof record, &r);
    if (r.frames == job.frames)
        __atomic_store_n(&job_busy, 0, __ATOMIC_RELEASE);
    py_inner.n = 0;
    fg_log_write_sigsafe(record, n);
}

struct symbolize_job {
    struct fg_frame *frames;
    int n;
    struct fg_pystack py;
    char ruby_line[512];
};

static void symbolize_job_run(void *arg)
{
    struct symbolize_job *job = arg;
    fg_backtrace_symbolize_guarded(job->frames, job->n);
    /* The forking thread is still in os.fork(): its stack names the line. */
    fg_pystack_capture_guarded(&job->py);
    fg_rubyline_capture_guarded(job->ruby_line, sizeof job->ruby_line);
}

void fg_report_fork(pid_t child, const uintptr_t *ips, int n)
{
    static const char action[] = "none, the child runs on (FORKGUARD_ON_FORK=warn)";
    struct fg_frame frames[FG_FRAMES_MAX];
    char record[FG_RECORD_MAX];
    struct fg_report r;
    struct symbolize_job job;
    size_t len;
    int i;

    memset(frames, 0, sizeof frames);
    for (i = 0; i < n && i < FG_FRAMES_MAX; i++)
        frames[i].ip = ips[i];
    /* A module file truncated while mapped would fault here: the host's
     * fork must not die of its own warning. */
    job.frames = frames;
    job.n = i;
    fg_pystack_clear(&job.py);
    job.ruby_line[0] = '\0';
    fg_guard_run_sigsafe(symbolize_job_run, &job, FG_BACKTRACE_BOUND_MS);
    fg_pystack_release_sigsafe(&job.py);
    fill_common_sigsafe(&r, "fork");
    set_python(&r, &job.py);
    r.ruby_line = job.ruby_line;
    r.parent_pid = r.pid;
    r.child_pid = child;
    r.action = "none";
    r.action_text = action;
    r.fork_frames = frames;
    r.n_fork_frames = i;
    if (fg.cfg.format == FG_FORMAT_TEXT)
        len = fg_report_text_fork(record, sizeof record, &r);
    else
        len = fg_report_json(record, sizeof record, &r);
    fg_log_write_sigsafe(record, len);
}

static void report_line(const char *event, const char *line)
{
    char record[4096];
    struct fg_report r;
    size_t n;
    if (fg.cfg.format == FG_FORMAT_JSON) {
        memset(&r, 0, sizeof r);
        r.event = event;
        r.pid = getpid();
        r.owner_pid = fg.owner_pid;
        r.mode = fg.cfg.mode;
        r.message = line;
        n = fg_report_json(record, sizeof record, &r);
    } else {
        struct fg_buf b;
        fg_buf_init(&b, record, sizeof record);
        fg_buf_str(&b, line);
        n = fg_buf_finish(&b, "\n");
    }
    fg_log_write_sigsafe(record, n);
}

void fg_report_config_error(const char *line)
{
    report_line("config_error", line);
}

void fg_report_classpath(const char *line)
{
    report_line("classpath", line);
}

void fg_report_jvm_notice(const char *line)
{
    report_line("jvm_notice", line);
}
