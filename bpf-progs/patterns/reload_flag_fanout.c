// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Path refinement after a state explosion (the shape of calico's tc programs): eight independent
 * branches spill a map value pointer or the context pointer into eight stack slots that are read
 * at the end, so 256 paths reach the tail unpruned. The tail reloads a flag from the stack,
 * keeps the map value pointer only when flag == 6 (else NULL), and dereferences it only when
 * flag == 6 again. The verifier cannot represent flag != 6 and reports an invalid access through
 * a scalar register on every one of the 256 paths; the reason it is infeasible lies in the last
 * dozen instructions, the same on every path.
 *
 * Written as a naked function: the instruction stream is identical for every compiler and
 * optimisation level.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[4]);
} vals SEC(".maps");

// truth: reload_flag_fanout safe stock=rejected the pointer is NULL only when flag != 6 and dereferenced only when flag == 6; 256 paths reach it; R5 invalid mem access 'scalar'
SEC("tc")
__attribute__((naked)) int reload_flag_fanout(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"call %[rnd];"
		"r8 = r0;"
		"r0 &= 0xff;"
		"*(u32 *)(r10 - 100) = r0;"
		"r1 = 0;"
		"*(u32 *)(r10 - 104) = r1;"
		"r2 = r10;"
		"r2 += -104;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r7 = r0;"
		"r1 = r8; r1 &= 1; if r1 != 0 goto l_c1_%=; *(u64 *)(r10 - 8) = r7; goto l_n1_%=; l_c1_%=: *(u64 *)(r10 - 8) = r6; l_n1_%=:"
		"r1 = r8; r1 &= 2; if r1 != 0 goto l_c2_%=; *(u64 *)(r10 - 16) = r7; goto l_n2_%=; l_c2_%=: *(u64 *)(r10 - 16) = r6; l_n2_%=:"
		"r1 = r8; r1 &= 4; if r1 != 0 goto l_c3_%=; *(u64 *)(r10 - 24) = r7; goto l_n3_%=; l_c3_%=: *(u64 *)(r10 - 24) = r6; l_n3_%=:"
		"r1 = r8; r1 &= 8; if r1 != 0 goto l_c4_%=; *(u64 *)(r10 - 32) = r7; goto l_n4_%=; l_c4_%=: *(u64 *)(r10 - 32) = r6; l_n4_%=:"
		"r1 = r8; r1 &= 16; if r1 != 0 goto l_c5_%=; *(u64 *)(r10 - 40) = r7; goto l_n5_%=; l_c5_%=: *(u64 *)(r10 - 40) = r6; l_n5_%=:"
		"r1 = r8; r1 &= 32; if r1 != 0 goto l_c6_%=; *(u64 *)(r10 - 48) = r7; goto l_n6_%=; l_c6_%=: *(u64 *)(r10 - 48) = r6; l_n6_%=:"
		"r1 = r8; r1 &= 64; if r1 != 0 goto l_c7_%=; *(u64 *)(r10 - 56) = r7; goto l_n7_%=; l_c7_%=: *(u64 *)(r10 - 56) = r6; l_n7_%=:"
		"r1 = r8; r1 &= 128; if r1 != 0 goto l_c8_%=; *(u64 *)(r10 - 64) = r7; goto l_n8_%=; l_c8_%=: *(u64 *)(r10 - 64) = r6; l_n8_%=:"
		/* common code on every path: the tail's suffix does not reach the branches above */
		"r9 = 0;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1; r9 += 1;"
		"r4 = *(u32 *)(r10 - 100);"
		"r5 = r7;"
		"if w4 == 6 goto l_keep_%=;"
		"r5 = 0;"
		"l_keep_%=:"
		"r1 = 0;"
		"*(u64 *)(r10 - 72) = r1;"
		"*(u64 *)(r10 - 80) = r1;"
		"if w4 != 6 goto l_tail_%=;"
		"r1 = *(u16 *)(r5 + 12);"
		"l_tail_%=:"
		"r1 = *(u64 *)(r10 - 8);"
		"r1 = *(u64 *)(r10 - 16);"
		"r1 = *(u64 *)(r10 - 24);"
		"r1 = *(u64 *)(r10 - 32);"
		"r1 = *(u64 *)(r10 - 40);"
		"r1 = *(u64 *)(r10 - 48);"
		"r1 = *(u64 *)(r10 - 56);"
		"r1 = *(u64 *)(r10 - 64);"
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
