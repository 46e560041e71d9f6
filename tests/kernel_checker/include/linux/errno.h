/* <linux/errno.h> is also read by the C library: pass it through; shim.h has the rest. */
#include_next <linux/errno.h>
