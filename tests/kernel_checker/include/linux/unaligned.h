/* User-space stand-in for <linux/unaligned.h>: main.c includes shim.h before the checker. */
