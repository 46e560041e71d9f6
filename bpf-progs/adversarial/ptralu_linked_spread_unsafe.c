// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a scalar narrowed by pointer-arithmetic refinement spreading to a register with the same
 * scalar id. r9 = r8 = y - (y & ~63) (= x & 63, unbounded for the verifier, same id); 'r7 += r8'
 * on a 64-byte value narrows r8 to [0, 64]; 'if r8 < 100' then copies r8's bounds to r9
 * (sync_linked_regs), and r9 indexes an 8-byte value. Unsafe: r9 = x & 63 up to 63 on the 8-byte
 * value.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[64]);
} vals64 SEC(".maps");

// truth: ptralu_linked_spread_unsafe unsafe stock=rejected r9 = x & 63, narrowed to [0, 64] through its link to r8, indexes an 8-byte value
SEC("tc")
__attribute__((naked)) int ptralu_linked_spread_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r8 = r0;"
		"r1 = r8;"
		"r1 &= -64;"
		"r8 -= r1;"
		"r9 = r8;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals64] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r7 = r0;"
		"r7 += r8;"
		"r1 = *(u8 *)(r7 + 0);"
		"if r8 < 100 goto l_n_%=;"
		"l_n_%=:"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r0 += r9;"
		"r1 = *(u8 *)(r0 + 0);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [vals] "i"(&vals),
		  [vals64] "i"(&vals64)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
