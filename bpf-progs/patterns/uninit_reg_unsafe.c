// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE twin of uninit_reg_correlated.c: the second test is (3 * x) & 2;
 * x = 2 skips the initialisation and still reads r7.
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

// truth: uninit_reg_unsafe unsafe stock=rejected twin of uninit_reg_correlated testing bit 1 of 3*x: x = 2 reads r7 uninitialised
SEC("socket")
__attribute__((naked)) int uninit_reg_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r1 = r6; r1 &= 1;"
		"if r1 == 0 goto l_skip_%=;"
		"r7 = 1;"
		"l_skip_%=:"
		"r2 = r6; r2 *= 3; r2 &= 2;"
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
