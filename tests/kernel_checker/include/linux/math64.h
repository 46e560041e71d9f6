/* User-space stand-in for <linux/math64.h>: main.c includes shim.h before the checker. */
