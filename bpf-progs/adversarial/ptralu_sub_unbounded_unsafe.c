// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: pointer-arithmetic refinement of 'ptr -= s' (the interval is negated). v = value + 8
 * (64-byte value), s = y - (y & ~31) - 16 in [-16, 15] (verifier: unbounded); 'v -= s' asks for s
 * in [-56, 8]. The load then reads v - s + 0. Unsafe: s = -16 gives offset 24, s = 15 gives offset
 * -7 (before the value).
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[64]);
} vals64 SEC(".maps");

// truth: ptralu_sub_unbounded_unsafe unsafe stock=rejected s in [-16, 15] moves value + 8 to -7 .. 24
SEC("tc")
__attribute__((naked)) int ptralu_sub_unbounded_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r8 = r6;"
		"r1 = r6;"
		"r1 &= -32;"
		"r8 -= r1;"
		"r8 += -16;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals64] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r7 = r0;"
		"r7 += 8;"
		"r7 -= r8;"
		"r1 = *(u8 *)(r7 + 0);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [vals64] "i"(&vals64)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
