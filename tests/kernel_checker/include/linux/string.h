/* User-space stand-in for <linux/string.h>: main.c includes shim.h before the checker. */
