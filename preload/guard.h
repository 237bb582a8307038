/* Runs a piece of work that might block or fault, with a bound.
 *
 * Used in a forked child for unwinding and symbolizing: libunwind walks
 * dl_iterate_phdr, whose lock glibc 2.36 does not reset in a child (a thread
 * that held it at fork leaves it held forever), and it reads stack memory that
 * may not be what it expects. SIGALRM (a timer aimed at this thread),
 * SIGSEGV and SIGBUS raised on this thread jump out of the work; everything is
 * restored afterwards. Async-signal-safe; one guarded section at a time per
 * process (a second caller is refused at once). */
#ifndef FG_GUARD_H
#define FG_GUARD_H

typedef void (*fg_guarded_fn)(void *arg);

/* Returns 0 when fn finished, -1 when it was cut short (timeout or fault) or
 * another guarded section is running. */
int fg_guard_run_sigsafe(fg_guarded_fn fn, void *arg, unsigned timeout_ms);

#endif
