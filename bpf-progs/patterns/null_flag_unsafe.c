// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE twin of null_flag_correlated.c: on the NULL path flag is
 * (w s>> 30) & -136, which is -136 for negative w, and the NULL pointer is
 * dereferenced.
 *
 * Written as a naked function: the instruction stream is identical for every
 * compiler and optimisation level.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

// truth: null_flag_unsafe unsafe stock=rejected twin of null_flag_correlated with & -136 on the NULL path: w s>> 30 == -1 makes flag -136 and p NULL
SEC("xdp")
__attribute__((naked)) int null_flag_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r7 = 0;"
		"r1 = r6; r1 &= 1;"
		"if r1 == 0 goto l_else_%=;"
		"r1 = 0; *(u32 *)(r10 - 4) = r1;"
		"r2 = r10; r2 += -4;"
		"r1 = %[counters] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r7 = r0;"
		"r8 = -136;"
		"goto l_join_%=;"
		"l_else_%=:"
		"w8 = w6; w8 s>>= 30; w8 &= -136;"
		"l_join_%=:"
		"if w8 != -136 goto l_out_%=;"
		"r1 = *(u64 *)(r7 + 0);"
		"r1 += 1;"
		"*(u64 *)(r7 + 0) = r1;"
		"l_out_%=:"
		"r0 = 2;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [counters] "i"(&counters)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
