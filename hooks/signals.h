/* Signals in a forked child of the JVM's owner. */
#ifndef FG_SIGNALS_H
#define FG_SIGNALS_H

/* In the parent, just before the real JNI_CreateJavaVM: what every standard
 * signal's disposition was before the JVM installed its handlers. */
void fg_signals_snapshot(void);

/* In the parent, right after the JVM was created (its code ranges known):
 * which signals now have libjvm's handlers, so that a child looks at those
 * only. A handler that Java code installs later (sun.misc.Signal.handle) is
 * not among them: such a signal stays the JVM's in a child. */
void fg_signals_after_creation(void);

/* In a block-mode child: the JVM's handlers for SIGTERM, SIGINT, SIGHUP,
 * SIGQUIT... only post to its signal-dispatcher thread, which did not survive
 * the fork, so the child would ignore them and only SIGKILL could stop it.
 * Every handler that lives in libjvm goes back to what the process had
 * before the JVM started (a Python child gets its own SIGINT handler and
 * SIGPIPE ignore back, a C child the defaults), so the child behaves, and its
 * exec'd children start, as if the JVM had never touched its signals. Fault
 * signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP) keep the JVM's handlers,
 * which Java code still running on this thread relies on. Only the signals
 * fg_signals_after_creation found are looked at (two system calls each, where
 * a handler is still the JVM's). Async-signal-safe; no dladdr (a _Fork child
 * may have the loader's lock held). */
void fg_signals_reset_child_sigsafe(void);

/* In the parent, just before a fork whose child will be poisoned: which of
 * those handlers are still libjvm's (a host may have installed its own
 * since), so that the child only sets dispositions, one rt_sigaction each,
 * instead of asking first. Async-signal-safe (a fork may come from a signal
 * handler). */
void fg_signals_prepare_parent_sigsafe(void);

#endif
