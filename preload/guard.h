/* Runs a piece of work that might block or fault, with a bound.
 *
 * Used in a forked child for unwinding and symbolizing: libgcc's unwinder
 * reads stack memory that may not be what it expects, and a step that waits
 * on something a vanished thread held must not hang the child. Used in the
 * JVM owner too, for faults only, around the fork site's walk: libgcc trusts
 * unwind information, and wrong CFI in a host frame must not crash it. A one-shot
 * timer aimed at this thread (on a real-time signal that nobody handles,
 * blocks or has pending, never one of the host's) and SIGSEGV/SIGBUS raised
 * by the kernel on this thread jump out of the work, and only while this
 * thread's jump is armed; any other signal that arrives on those handlers
 * (another thread's fault, a pending signal the host had blocked, a host's
 * kill) goes to the handler the host had, or acts as its default would.
 * Everything is restored afterwards. Async-signal-safe; one guarded section
 * at a time per process (a second caller is refused at once). */
#ifndef FG_GUARD_H
#define FG_GUARD_H

typedef void (*fg_guarded_fn)(void *arg);

#define FG_GUARD_BUSY (-2)

/* Returns 0 when fn finished, -1 when it was cut short (timeout or fault),
 * FG_GUARD_BUSY (fn not run) when another thread is in a guarded section.
 * timeout_ms 0: faults only, no timer (and no search for a free signal: 6
 * system calls in all). */
int fg_guard_run_sigsafe(fg_guarded_fn fn, void *arg, unsigned timeout_ms);

/* In a forked child, first thing: a section another thread of the parent was
 * in when it forked is dropped (its handlers back to the host's), so the
 * child's own report is not refused as "busy". */
void fg_guard_reset_child_sigsafe(void);

#endif
