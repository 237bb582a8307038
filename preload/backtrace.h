/* Backtraces, with libgcc's unwinder, loaded only into a process that
 * creates a JVM (at its creation, never inside fork()).
 *
 * The fork site is captured in the parent, the JNI call's stack in the child;
 * both walk with libgcc's _Unwind_Backtrace (see backtrace.c for why not
 * libunwind). Frames are named from the loader's lock-free index of loaded
 * objects (objects.h) and the module files' symbol tables, never with
 * dladdr.
 *
 * _guarded (docs/maintainers.md): may meet a lock that a vanished thread
 * held (libgcc's registry of JIT frames) or fault on a damaged file or stack;
 * call it only from a job run by fg_guard_run_sigsafe, which bounds it. */
#ifndef FG_BACKTRACE_H
#define FG_BACKTRACE_H

#include <stdint.h>

/* Bound on unwinding and symbolizing in a child. A healthy unwind takes well
 * under 10 ms; past this, something it waits on will not come. */
#define FG_BACKTRACE_BOUND_MS 500

struct fg_frame {
    uintptr_t ip;
    const char *module;      /* points into the loader's data; NULL if unknown */
    const char *symbol;      /* name[] when a symbol table names it; NULL if none */
    uintptr_t offset;        /* from symbol, or from the module base */
    uintptr_t base;          /* module load address */
    char name[128];          /* from the file's .symtab or .dynsym */
    unsigned char looked_up; /* the module's tables were searched for it */
};

/* Loads libgcc's unwinder and binds its lazily bound calls by walking once
 * (parent only, at JVM creation; a reference count when libgcc_s is already
 * mapped). Returns 0 when the child will be able to unwind. */
int fg_backtrace_load(void);

/* Return addresses of the caller's stack for the fork site: in the owner
 * directly; in a child of the owner that forks again under the same bound as
 * a child's report (fg_guard_run_sigsafe). Returns the number stored. */
int fg_backtrace_capture(uintptr_t *ips, int max);

/* Return addresses of the current stack from the first frame outside
 * libforkguard (libgcc's unwinder: no lock, no allocation, no signal mask).
 * In a child; meant to run under fg_guard_run_sigsafe. A frame without unwind
 * information (JIT-compiled Java) ends the walk. Returns frames stored. */
int fg_backtrace_here_guarded(struct fg_frame *out, int max);

/* Fills module/symbol/offset of frames whose ip is set: the module from the
 * loader's index (objects.h), the name from the module file's .symtab, else
 * its .dynsym. */
void fg_backtrace_symbolize_guarded(struct fg_frame *frames, int n);

#endif
