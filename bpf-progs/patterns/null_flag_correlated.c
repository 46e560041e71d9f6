// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Path refinement with a pointer: correlated branches. On one path the
 * program looks up a counter and sets flag = -136; on the other the pointer
 * stays NULL and flag = (w s>> 30) & -134, which is 0 or -134. The counter is
 * used only when flag == -136. The verifier cannot rule out -136 on the NULL
 * path and reports an invalid access through a scalar register.
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

// truth: null_flag_correlated safe stock=rejected flag == -136 only on the path that set the pointer; on the NULL path flag = (w s>> 30) & -134 is {0,-134}; R7 invalid mem access 'scalar'
SEC("xdp")
__attribute__((naked)) int null_flag_correlated(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"             /* w */
		"r7 = 0;"              /* p = NULL */
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
		"w8 = w6; w8 s>>= 30; w8 &= -134;"
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
