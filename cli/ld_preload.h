/* Composing the LD_PRELOAD value that puts the library first. */
#ifndef FG_CLI_LD_PRELOAD_H
#define FG_CLI_LD_PRELOAD_H

/* Returns a malloc'ed LD_PRELOAD value: LIB (a real path) followed by OLD
 * (may be NULL), or OLD unchanged when one of its entries already is LIB by
 * real path. NULL with errno set on allocation failure. */
char *fg_ld_preload_compose(const char *lib, const char *old);

#endif
