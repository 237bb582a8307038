/* The current thread's Python stack, for the reports of a CPython host.
 *
 * CPython's faulthandler writes a thread's stack from a signal handler,
 * without allocating or locking: _Py_DumpTraceback(fd, tstate), with the
 * calling thread's state from PyGILState_GetThisThreadState (NULL on a thread
 * Python never saw). Both are exported by the interpreter. They are looked up
 * in the parent when the JVM is created (no symbol lookup in a child); a
 * capture dumps into a pipe made for it, non-blocking (a dump larger than the
 * pipe loses its outermost frames and never blocks), and reads it back into
 * the caller's memory, innermost frame last, as Python's tracebacks print. */
#ifndef FG_PYSTACK_H
#define FG_PYSTACK_H

#include "state.h"

#include <stddef.h>

/* Bounds of the block a record carries, like the C backtraces'. */
#define FG_PYSTACK_BYTES 4096
#define FG_PYSTACK_LINES FG_FRAMES_MAX

/* The file name forkguard's own Python code runs under (the JPype
 * adapter's wrappers): a report's Python block leaves its innermost frames
 * with this name out, so that it ends at the host's own code. */
#define FG_PYSTACK_OWN_FILE "<forkguard>"

struct fg_pystack {
    /* `File "app.py", line 18, in w_time`, innermost last; each points into
     * text. */
    const char *lines[FG_PYSTACK_LINES];
    int n;
    int cut; /* outer frames were left out (bounds, a full pipe) */
    int fds[2];
    char raw[FG_PYSTACK_BYTES];
    char text[FG_PYSTACK_BYTES];
};

/* Parent, when the JVM is created: finds CPython's two functions among the
 * loaded objects and dumps once into a pipe, so that what they call is bound
 * before any child needs it. Nothing when they are absent. */
void fg_pystack_resolve(void);

/* Whether a capture can name Python frames in this process. */
int fg_pystack_available(void);

/* Empties s (no lines, no descriptors): before a capture, and for a record
 * that carries no Python block. */
void fg_pystack_clear(struct fg_pystack *s);

/* The calling thread's Python stack into s; no lines when CPython was not
 * found or the thread has no Python state. Reads the interpreter's frames,
 * which a damaged stack could make fault: run it under fg_guard_run_sigsafe
 * (a job), then call fg_pystack_release_sigsafe, which closes the pipe a cut
 * job left open. */
void fg_pystack_capture_guarded(struct fg_pystack *s);
void fg_pystack_release_sigsafe(struct fg_pystack *s);

/* Parses a dump in faulthandler's format (innermost first) from raw[0..len)
 * into s->lines (innermost last). Pure: exposed for the unit tests. */
void fg_pystack_parse(struct fg_pystack *s, size_t len);

#endif
