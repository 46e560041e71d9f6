/* User-space stand-in for <linux/sort.h>: main.c includes shim.h before the checker. */
