// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Range refinement across a bpf-to-bpf call: the caller passes two masked copies of one random
 * value, x & 0xff and x & 0xf0, and the static subprogram indexes a 16-byte map value with their
 * difference (x & 0x0f). The verifier sees [0,255] - [0,240] in the callee; a suffix that starts
 * at the callee's entry knows nothing of the arguments, so the proof needs the caller's
 * instructions too (series 0021: the suffix goes on through the call).
 *
 * Written as naked functions: the instruction stream is identical for every compiler and
 * optimisation level.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[16]);
} vals SEC(".maps");

__attribute__((naked, noinline, used)) static int index_by_diff(void)
{
	asm volatile(
		"r6 = r1;"
		"r7 = r2;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r6 -= r7;"
		"r0 += r6;"
		"r0 = *(u8 *)(r0 + 0);"
		"exit;"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [vals] "i"(&vals)
		: "memory");
}

// truth: subprog_arg_relation safe stock=rejected the callee's index (x&0xff)-(x&0xf0) is x&0x0f, from the caller's arguments; intervals give [-240,255]
SEC("tc")
__attribute__((naked)) int subprog_arg_relation(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r1 = r0;"
		"r1 &= 0xff;"
		"r2 = r0;"
		"r2 &= 0xf0;"
		"call index_by_diff;"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
