/* User-space stand-in for <linux/bsearch.h>: main.c includes shim.h before the checker. */
