/* User-space stand-in for <crypto/sha2.h>: main.c includes shim.h before the checker. */
