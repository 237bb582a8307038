/* The executable segments of one loaded object: "is this address libjvm's
 * code?" (signal handlers, warn mode) and "is this frame ours?" (backtraces),
 * answered in a child without dladdr and its lock. */
#ifndef FG_CODE_RANGES_H
#define FG_CODE_RANGES_H

#include <stdint.h>

#define FG_CODE_RANGES_MAX 8

struct fg_code_ranges {
    struct {
        uintptr_t lo, hi;
    } r[FG_CODE_RANGES_MAX];
    unsigned n;
};

/* Collects the PT_LOAD executable segments of the object loaded at `base`, or,
 * when `path` is not NULL, of the object with that path. Parent only
 * (dl_iterate_phdr). */
void fg_code_ranges_collect(struct fg_code_ranges *c, uintptr_t base, const char *path);

int fg_code_ranges_contain_sigsafe(const struct fg_code_ranges *c, uintptr_t addr);

#endif
