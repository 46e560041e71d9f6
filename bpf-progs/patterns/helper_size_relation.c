// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Range refinement of a helper's memory size argument (bcc's ksnoop hands bpf_perf_event_output
 * a length it checked in another register). The length is computed twice from the same value:
 * once into w2, which is checked against the 64-byte map value, and once into r7, which is
 * passed to bpf_csum_diff as the number of bytes to read from the value. The verifier checks
 * r7 against its own bounds (up to 65535) and rejects the call.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[8]);
} buf SEC(".maps");

// truth: helper_size_relation safe stock=rejected the size passed is the value checked to be at most 64 in another register; invalid access to map value
SEC("tc")
__attribute__((naked)) int helper_size_relation(void *ctx)
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
		"if w2 > 64 goto l_out_%=;"
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
