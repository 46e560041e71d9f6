/* User-space stand-in for <linux/sched/signal.h>: main.c includes shim.h before the checker. */
