#include "pystack.h"

#include "elf_lookup.h"
#include "guard.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* CPython's own, declared here: forkguard is built against no Python. The
 * thread state stays opaque. */
static struct {
    void (*dump)(int fd, void *tstate);
    void *(*this_thread)(void);
} py;

void fg_pystack_clear(struct fg_pystack *s)
{
    s->n = 0;
    s->cut = 0;
    s->fds[0] = s->fds[1] = -1;
}

int fg_pystack_available(void)
{
    return py.dump && py.this_thread;
}

/* Closes a descriptor of s once: the slot is emptied first, so a job cut
 * between the two steps leaks the descriptor rather than closing a number
 * someone else may have been given since. */
static void close_slot(int *slot)
{
    int fd = *slot;
    *slot = -1;
    if (fd >= 0)
        close(fd);
}

void fg_pystack_release_sigsafe(struct fg_pystack *s)
{
    close_slot(&s->fds[1]);
    close_slot(&s->fds[0]);
}

static int starts_with(const char *p, const char *end, const char *prefix)
{
    size_t n = strlen(prefix);
    return (size_t)(end - p) >= n && memcmp(p, prefix, n) == 0;
}

/* `  File "F", line N in NAME` (faulthandler's) becomes
 * `File "F", line N, in NAME` (a traceback's). NAME is a code object's name:
 * it has no space, so the last " in " is the separator. */
static char *put_line(char *out, const char *p, const char *end)
{
    const char *sep = NULL, *q;
    p += 2;
    for (q = p; q + 4 <= end; q++)
        if (memcmp(q, " in ", 4) == 0)
            sep = q;
    if (sep && sep > p && sep[-1] != ',') {
        memcpy(out, p, (size_t)(sep - p));
        out += sep - p;
        *out++ = ',';
        p = sep;
    }
    memcpy(out, p, (size_t)(end - p));
    out += end - p;
    *out++ = '\0';
    return out;
}

void fg_pystack_parse(struct fg_pystack *s, size_t len)
{
    const char *start[FG_PYSTACK_LINES], *stop[FG_PYSTACK_LINES];
    const char *p = s->raw, *end = s->raw + len, *nl;
    char *out = s->text;
    int n = 0, i;
    s->n = 0;
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            s->cut = 1; /* the last line did not fit */
            break;
        }
        if (n == 0 && starts_with(p, nl, "  File \"" FG_PYSTACK_OWN_FILE "\"")) {
            /* forkguard's own wrapper, innermost: not the host's code */
        } else if (starts_with(p, nl, "  File ")) {
            if (n == FG_PYSTACK_LINES) {
                s->cut = 1;
                break;
            }
            start[n] = p;
            stop[n] = nl;
            n++;
        } else if (starts_with(p, nl, "  ...")) {
            s->cut = 1; /* CPython's own bound (100 frames) */
        }
        p = nl + 1;
    }
    /* Each line loses two spaces and its newline, gains a comma and a NUL:
     * text never needs more than raw held. */
    for (i = n - 1; i >= 0; i--) {
        s->lines[s->n++] = out;
        out = put_line(out, start[i], stop[i]);
    }
}

void fg_pystack_capture_guarded(struct fg_pystack *s)
{
    void *tstate;
    size_t len = 0;
    ssize_t r;
    fg_pystack_clear(s);
    if (!fg_pystack_available())
        return;
    tstate = py.this_thread();
    if (!tstate)
        return; /* a thread Python never ran on: a plain report */
    if (pipe2(s->fds, O_NONBLOCK | O_CLOEXEC) != 0) {
        s->fds[0] = s->fds[1] = -1;
        return;
    }
    /* Innermost first: what a full pipe drops is the outermost frames. */
    py.dump(s->fds[1], tstate);
    close_slot(&s->fds[1]);
    while (len < sizeof s->raw) {
        r = read(s->fds[0], s->raw + len, sizeof s->raw - len);
        if (r > 0)
            len += (size_t)r;
        else if (r == 0 || errno != EINTR)
            break;
    }
    if (len == sizeof s->raw)
        s->cut = 1;
    close_slot(&s->fds[0]);
    fg_pystack_parse(s, len);
}

/* CPython's Py_tss_t, zeroed: what PyThread_tss_get reads. */
struct fg_py_tss {
    int initialized;
    unsigned key;
};

static void warm_job_run(void *arg)
{
    struct fg_pystack *s = arg;
    void (*write_noraise)(int, const void *, size_t);
    void *(*tss_get)(struct fg_py_tss *);
    struct fg_py_tss tss = {0, 0};
    fg_pystack_capture_guarded(s);
    if (s->n || !fg_pystack_available() || pipe2(s->fds, O_NONBLOCK | O_CLOEXEC) != 0)
        return;
    /* No Python on this thread yet (a program that initialises CPython after
     * creating the JVM): bind the two calls a capture makes through the
     * interpreter's PLT by making them once, harmlessly. */
    *(void **)&write_noraise = fg_elf_find(NULL, "_Py_write_noraise", NULL, NULL);
    *(void **)&tss_get = fg_elf_find(NULL, "PyThread_tss_get", NULL, NULL);
    if (write_noraise)
        write_noraise(s->fds[1], "", 1);
    if (tss_get)
        tss_get(&tss);
}

void fg_pystack_resolve(void)
{
    static struct fg_pystack s; /* parent only, once per JVM */
    *(void **)&py.dump = fg_elf_find(NULL, "_Py_DumpTraceback", NULL, NULL);
    *(void **)&py.this_thread = fg_elf_find(NULL, "PyGILState_GetThisThreadState", NULL, NULL);
    /* python3 is linked lazily: one dump now binds what it calls (write,
     * pthread_getspecific) in the parent rather than in a child. */
    fg_pystack_clear(&s);
    fg_guard_run_sigsafe(warm_job_run, &s, 0);
    fg_pystack_release_sigsafe(&s);
}
