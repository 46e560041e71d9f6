// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Unsafe twin of helper_size_relation: the length is checked against 68, so bpf_csum_diff may read
 * 4 bytes past the 64-byte map value.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[8]);
} buf SEC(".maps");

// truth: helper_size_relation_unsafe unsafe stock=rejected the checked size goes up to 68: bpf_csum_diff reads 4 bytes past the 64-byte value
SEC("tc")
__attribute__((naked)) int helper_size_relation_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[buf] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"w6 += 8;"
		"w2 = w6;"
		"w2 &= 0xffff;"
		"if w2 > 68 goto l_out_%=;"
		"r7 = r6;"
		"r7 &= 0xffff;"
		"r1 = r0;"
		"r2 = r7;"
		"r3 = 0;"
		"r4 = 0;"
		"r5 = 0;"
		"call %[csum_diff];"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [csum_diff] "i"(BPF_FUNC_csum_diff),
		  [buf] "i"(&buf)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
