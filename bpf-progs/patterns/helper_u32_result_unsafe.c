// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE twin of helper_u32_result.c: the random value is shifted right by 27, so the index goes
 * up to 31 in a 16-byte map value (any value from 0x80000000 on reads past its end).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[16]);
} vals SEC(".maps");

// truth: helper_u32_result_unsafe unsafe stock=rejected twin of helper_u32_result shifting by 27: any random value from 0x80000000 on indexes past the 16-byte value
SEC("tc")
__attribute__((naked)) int helper_u32_result_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r6 >>= 27;"
		"r0 += r6;"
		"r0 = *(u8 *)(r0 + 0);"
		"exit;"
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
