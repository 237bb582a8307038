/* Python frames in a report (`File "app.py", line 18, in w_time`, innermost
 * last, from a CPython host): which of them `forkguard report` names. Pure:
 * lines in, a pointer to one of them out. */
#ifndef FG_CLI_REPORT_PYTHON_H
#define FG_CLI_REPORT_PYTHON_H

#include <stddef.h>

/* The standard library, installed packages, console-script launchers and
 * frozen or generated code (`<frozen ...>`, `<string>`): not the user's own. */
int fg_report_py_is_library(const char *line);

/* The innermost frame of the user's own code, else the innermost frame;
 * NULL for no frames. */
const char *fg_report_py_first_call(const char *const *lines, size_t n);

/* Where the process that wrote the stack was forked, as far as its stack
 * shows: the innermost frame of the user's own code outside the frames the
 * first call runs in (a pool's creation, or where it was repopulated); when
 * the user's code runs unbroken from the outermost frame (os.fork() in it),
 * that outermost frame, which called fork. NULL when the stack shows none
 * of the user's code. */
const char *fg_report_py_fork_site(const char *const *lines, size_t n);

#endif
