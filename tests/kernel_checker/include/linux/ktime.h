/* User-space stand-in for <linux/ktime.h>: main.c includes shim.h before the checker. */
