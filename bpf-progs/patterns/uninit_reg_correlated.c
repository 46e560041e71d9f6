// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Path refinement: a register initialised on one path and read on a
 * correlated one. r7 is set only when x is odd; it is read only when
 * (3 * x) & 1, which has the same parity. The verifier does not relate the
 * two tests and reports a read of an uninitialised register.
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

// truth: uninit_reg_correlated safe stock=rejected r7 is set iff x is odd and read iff 3*x is odd (same parity); R7 !read_ok on the dead path
SEC("socket")
__attribute__((naked)) int uninit_reg_correlated(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r1 = r6; r1 &= 1;"
		"if r1 == 0 goto l_skip_%=;"
		"r7 = 1;"
		"l_skip_%=:"
		"r2 = r6; r2 *= 3; r2 &= 1;"
		"if r2 == 0 goto l_out_%=;"
		"r0 = r7;"
		"r0 += 1;"
		"exit;"
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
