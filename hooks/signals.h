/* Signals in a forked child of the JVM's owner. */
#ifndef FG_SIGNALS_H
#define FG_SIGNALS_H

/* The JVM's handlers for SIGTERM, SIGINT, SIGHUP, SIGQUIT... only post to its
 * signal-dispatcher thread, which did not survive the fork: the child would
 * ignore them and only SIGKILL could stop it. Every handler that lives in
 * libjvm is reset: to SIG_IGN for SIGPIPE and SIGXFSZ (what the JVM made of
 * them), to SIG_DFL otherwise. Fault signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
 * SIGTRAP) keep the JVM's handlers, which Java code still running on this
 * thread relies on. Async-signal-safe. */
void fg_signals_reset_child_sigsafe(void);


#endif
