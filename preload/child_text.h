/* Where the code a forked child runs before its own first line lives.
 *
 * fork() does not copy the page-table entries of file mappings: a child maps
 * in again every stretch of text it runs, one page fault (~2 us in a VM,
 * with the kernel mapping up to 64 KB around it) per stretch. The core's
 * child path (fork.c, poison.c, signals.c, guard.c, report_emit.c,
 * fork_site.c, bridges.c) is spread over the whole library by link order;
 * these functions go to one section instead, which the linker places
 * together (.text.hot.*), so the child maps them in once. */
#ifndef FG_CHILD_TEXT_H
#define FG_CHILD_TEXT_H

#define FG_CHILD_TEXT __attribute__((section(".text.hot.fg_child")))

#endif
