// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: ALU64 bswap64: bswap64(x & 7) >> 52 = (x & 7) << 4.
 *
 * Unsafe: x = 1 indexes with 16.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

// truth: bswap64_unsafe unsafe stock=rejected bswap64(x) >> 52 = x << 4
SEC("tc")
__attribute__((naked)) int bswap64_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r9 = r0;"
		"r9 &= 7;"
		".quad 0x00000040000009d7;" /* r9 = bswap64 r9 */
		"r9 >>= 52;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r0 += r9;"
		"r1 = *(u8 *)(r0 + 0);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [vals] "i"(&vals)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
