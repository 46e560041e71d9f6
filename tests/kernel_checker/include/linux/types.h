/* <linux/types.h> is also read by the C library: pass it through; shim.h has the rest. */
#include_next <linux/types.h>
