/* The core's load-time set-up, called by the library's constructor. */
#ifndef FG_INIT_H
#define FG_INIT_H

/* Reads the configuration, names the log and reports bad values. Returns 0
 * when another copy of the library came first and this one stands down (mode
 * off, nothing installed), 1 otherwise. */
int fg_init_load(void);

#endif
