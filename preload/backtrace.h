/* Backtraces, loaded only into a process that creates a JVM.
 *
 * The fork site is captured in the parent with libunwind's unw_backtrace.
 * libunwind.so.8 exports the _Unwind_* personality API; linked into every
 * preloaded process it would take over C++ exception unwinding in programs
 * that have nothing to do with Java, so it is dlopen'ed RTLD_LOCAL, in the
 * parent, when the JVM is created. In the child the stack is walked with
 * libgcc's _Unwind_Backtrace instead (see backtrace.c for why). */
#ifndef FG_BACKTRACE_H
#define FG_BACKTRACE_H

#include <stdint.h>

struct fg_frame {
    uintptr_t ip;
    const char *module;  /* points into the loader's data; NULL if unknown */
    const char *symbol;  /* dladdr's dynamic symbol, or name[]; NULL if none */
    uintptr_t offset;    /* from symbol, or from the module base */
    uintptr_t base;      /* module load address */
    char name[96];       /* from the file's .symtab when dladdr has no name */
};

/* Loads the unwinders, once (parent only; first call ~0.4 ms). Returns 0 when
 * the child will be able to unwind. */
int fg_backtrace_load(void);

/* Return addresses of the caller's stack, cheap: for the fork site (libunwind
 * in the owner; libgcc in a child of the owner that forks again, where
 * libunwind could block on a lock left held). Returns the number stored. */
int fg_backtrace_capture(uintptr_t *ips, int max);

/* Return addresses of the current stack from the first frame outside
 * libforkguard (libgcc's unwinder: no lock, no allocation, no signal mask).
 * In a child; meant to run under fg_guard_run_sigsafe. A frame without unwind
 * information (JIT-compiled Java) ends the walk. Returns frames stored. */
int fg_backtrace_here_sigsafe(struct fg_frame *out, int max);

/* Fills module/symbol/offset of frames whose ip is set: dladdr first, then
 * the module file's .symtab for frames in a function dladdr cannot name. */
void fg_backtrace_symbolize_sigsafe(struct fg_frame *frames, int n);

#endif
