// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Range refinement through a helper's result: bpf_get_prandom_u32() returns a u32, so its value
 * shifted right by 28 is at most 15 and indexes a 16-byte map value. The verifier gives R0 of
 * every helper that returns an integer an unknown 64-bit value, so the shifted index may be up
 * to 2^36 - 1. The proof needs R0's upper half to be zero, which the helper's C function
 * (BPF_CALL_0 returning get_random_u32() as a u64) guarantees on every machine (series 0023).
 *
 * Written as a naked function: the instruction stream is identical for every compiler and
 * optimisation level (compiled C masks the result instead, which the verifier follows).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[16]);
} vals SEC(".maps");

// truth: helper_u32_result safe stock=rejected bpf_get_prandom_u32() >> 28 indexes a 16-byte value; the verifier gives the helper's R0 64 unknown bits
SEC("tc")
__attribute__((naked)) int helper_u32_result(void *ctx)
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
		"r6 >>= 28;"
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
