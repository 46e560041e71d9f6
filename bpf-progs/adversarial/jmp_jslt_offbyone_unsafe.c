// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: JSLT/JSGT bounds, off by one: 'x s< 0' and 'x s> 8' leave [0, 8]; the 1-byte load at
 * index 8 is past the 8-byte value. A model confusing s< with s<= (or the branch direction) proves
 * [0, 7].
 *
 * Unsafe: x = 8.
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

// truth: jmp_jslt_offbyone_unsafe unsafe stock=rejected x in [0, 8]: index 8
SEC("tc")
__attribute__((naked)) int jmp_jslt_offbyone_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r9 = r0;"
		"r9 <<= 32;"
		"call %[rnd];"
		"r9 |= r0;"
		"if r9 s< 0 goto l_out_%=;"
		"if r9 s> 8 goto l_out_%=;"
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
