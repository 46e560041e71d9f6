/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Just enough of the kernel API for bcf_checker.c to build unchanged in user
 * space. main.c includes this file first; the <linux/...> and <crypto/...>
 * headers the checker includes are then empty stubs.
 */
#ifndef BCF_SHIM_H
#define BCF_SHIM_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;

#define U32_MAX UINT32_MAX
#define U64_MAX UINT64_MAX
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define max_t(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define swap(a, b) do { __typeof__(a) _t = (a); (a) = (b); (b) = _t; } while (0)
#define div64_u64(a, b) ((u64)(a) / (u64)(b))

/* Allocation: failures can be injected to test the -ENOMEM paths. */
#define GFP_KERNEL_ACCOUNT 0
#define __GFP_NOWARN 0
extern long shim_alloc_budget;	/* allocations left before failing; < 0: unlimited */

static inline void *shim_alloc(size_t n, size_t size, int zero)
{
	if (shim_alloc_budget == 0)
		return NULL;
	if (shim_alloc_budget > 0)
		shim_alloc_budget--;
	if (size && n > SIZE_MAX / size)
		return NULL;
	return zero ? calloc(n ? n : 1, size ? size : 1) : malloc(n && size ? n * size : 1);
}

#define kvmalloc_array(n, size, gfp) shim_alloc((n), (size), 0)
#define kvcalloc(n, size, gfp) shim_alloc((n), (size), 1)
#define kvzalloc(size, gfp) shim_alloc(1, (size), 1)
#define kvfree(p) free(p)

/* Scheduling: no preemption points needed; a pending signal can be faked. */
extern int shim_signal;
#define current NULL
#define signal_pending(task) (shim_signal)
#define cond_resched() do { } while (0)

static inline u64 ktime_get_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#define sort(base, num, size, cmp, swp) qsort((base), (num), (size), (cmp))

static inline u16 get_unaligned_le16(const void *p)
{
	const u8 *b = p;

	return b[0] | b[1] << 8;
}

static inline u32 get_unaligned_le32(const void *p)
{
	const u8 *b = p;

	return b[0] | b[1] << 8 | b[2] << 16 | (u32)b[3] << 24;
}

static inline u64 get_unaligned_le64(const void *p)
{
	const u8 *b = p;

	return get_unaligned_le32(b) | (u64)get_unaligned_le32(b + 4) << 32;
}

/* FIPS 180-4 SHA-256, standing in for the kernel's lib/crypto sha256(). */
#define SHA256_DIGEST_SIZE 32

static inline u32 shim_ror(u32 x, int n)
{
	return x >> n | x << (32 - n);
}

static inline void sha256(const u8 *data, unsigned int len, u8 *out)
{
	static const u32 k[64] = {
		0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
		0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
		0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
		0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
		0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
		0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
		0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
		0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
		0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
		0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
		0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
	};
	u32 h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	u64 bits = (u64)len * 8, total = ((u64)len + 9 + 63) / 64 * 64, off;
	u32 w[64], a[8], t1, t2;
	u8 block[64];
	int i, j;

	for (off = 0; off < total; off += 64) {
		for (i = 0; i < 64; i++) {
			u64 pos = off + i;

			if (pos < len)
				block[i] = data[pos];
			else if (pos == len)
				block[i] = 0x80;
			else if (pos >= total - 8)
				block[i] = bits >> (8 * (total - 1 - pos));
			else
				block[i] = 0;
		}
		for (i = 0; i < 16; i++)
			w[i] = (u32)block[4 * i] << 24 | block[4 * i + 1] << 16 |
			       block[4 * i + 2] << 8 | block[4 * i + 3];
		for (i = 16; i < 64; i++)
			w[i] = w[i - 16] + w[i - 7] +
			       (shim_ror(w[i - 15], 7) ^ shim_ror(w[i - 15], 18) ^ w[i - 15] >> 3) +
			       (shim_ror(w[i - 2], 17) ^ shim_ror(w[i - 2], 19) ^ w[i - 2] >> 10);
		memcpy(a, h, sizeof(a));
		for (i = 0; i < 64; i++) {
			t1 = a[7] + (shim_ror(a[4], 6) ^ shim_ror(a[4], 11) ^ shim_ror(a[4], 25)) +
			     ((a[4] & a[5]) ^ (~a[4] & a[6])) + k[i] + w[i];
			t2 = (shim_ror(a[0], 2) ^ shim_ror(a[0], 13) ^ shim_ror(a[0], 22)) +
			     ((a[0] & a[1]) ^ (a[0] & a[2]) ^ (a[1] & a[2]));
			for (j = 7; j > 0; j--)
				a[j] = a[j - 1];
			a[4] += t1;
			a[0] = t1 + t2;
		}
		for (i = 0; i < 8; i++)
			h[i] += a[i];
	}
	for (i = 0; i < 32; i++)
		out[i] = h[i / 4] >> (24 - 8 * (i % 4));
}

#endif /* BCF_SHIM_H */
