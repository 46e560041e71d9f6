// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: NEG with mathematical semantics: -x == x only for x = 0. In 64-bit two's complement it
 * also holds for S64_MIN, whose top nibble is 8.
 *
 * Unsafe: x = S64_MIN passes and indexes with x >> 60 = 8.
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

// truth: neg64_min_unsafe unsafe stock=rejected -S64_MIN == S64_MIN: index 8
SEC("tc")
__attribute__((naked)) int neg64_min_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 <<= 32;"
		"call %[rnd];"
		"r6 |= r0;"
		"r7 = r6;"
		"r7 = -r7;"
		"if r7 != r6 goto l_out_%=;"
		"r9 = r6;"
		"r9 >>= 60;"
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
