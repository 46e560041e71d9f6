/* User-space stand-in for <linux/sched.h>: main.c includes shim.h before the checker. */
