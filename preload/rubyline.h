/* The Ruby line a report comes from, in a Ruby host (rjb).
 *
 * Ruby exports what its own warnings use to name the current line:
 * rb_sourcefile() and rb_sourceline() read the calling thread's innermost
 * Ruby-level control frame and the instruction sequence's line table,
 * allocating nothing (the file name is the iseq's path string, already
 * there). They are only valid on a Ruby thread: ruby_native_thread_p() asks
 * first. Looked up in the parent when the JVM is created; read in a child
 * under the guard, like the backtraces. */
#ifndef FG_RUBYLINE_H
#define FG_RUBYLINE_H

#include <stddef.h>

/* Parent, at JVM creation: finds Ruby's three functions, when loaded. */
void fg_rubyline_resolve(void);

/* "path/app.rb:12" into out (cut to size), or "" when Ruby is not loaded or
 * this is not a Ruby thread. Run it under fg_guard_run_sigsafe. */
void fg_rubyline_capture_guarded(char *out, size_t size);

#endif
