// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: unsigned subtraction that saturates at 0 instead of wrapping. index = 7 - (x & 0xff); a
 * saturating model says index is in [0, 7].
 *
 * Unsafe: x = 8 gives 7 - 8 = 0xffffffffffffffff, one byte before the map value.
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

// truth: alu64_sub_underflow_unsafe unsafe stock=rejected 7 - x wraps to -1 for x = 8: one byte before the value
SEC("tc")
__attribute__((naked)) int alu64_sub_underflow_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 &= 0xff;"
		"r9 = 7;"
		"r9 -= r6;"
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
