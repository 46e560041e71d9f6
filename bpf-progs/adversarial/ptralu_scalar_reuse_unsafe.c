// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: the scalar narrowed by pointer-arithmetic refinement, reused elsewhere. idx = x & 63
 * computed as y - (y & ~63) (the verifier sees an unbounded scalar); 'r7 += idx' on a 64-byte
 * value is refined to idx in [0, 64] and then to [0, 63] at the load (true), then the same idx indexes an 8-byte value. Unsafe:
 * idx up to 63 on the 8-byte value.
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

// truth: ptralu_scalar_reuse_unsafe unsafe stock=rejected idx in [0, 64] is proven for the 64-byte value and reused on the 8-byte one
SEC("tc")
__attribute__((naked)) int ptralu_scalar_reuse_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r8 = r6;"
		"r1 = r6;"
		"r1 &= -64;"
		"r8 -= r1;"
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
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r0 += r8;"
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
