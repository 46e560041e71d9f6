/* User-space stand-in for <linux/kernel.h>: main.c includes shim.h before the checker. */
