/* User-space stand-in for <linux/slab.h>: main.c includes shim.h before the checker. */
