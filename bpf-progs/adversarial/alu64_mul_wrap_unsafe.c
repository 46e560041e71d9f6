// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: 64-bit MUL without wrap. x * 2^61 is 0 modulo 2^64 for every multiple of 8, not only for
 * 0, so the gate 'x * 2^61 == 0' does not imply x == 0.
 *
 * Unsafe: x = 8 passes the gate and indexes the 8-byte map value with 8.
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

// truth: alu64_mul_wrap_unsafe unsafe stock=rejected x * 2^61 == 0 (mod 2^64) for x = 8: index 8
SEC("tc")
__attribute__((naked)) int alu64_mul_wrap_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r7 = r6;"
		"r8 = 0x2000000000000000 ll;"
		"r7 *= r8;"
		"if r7 != 0 goto l_out_%=;"
		"r9 = r6;"
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
		  [vals] "i"(&vals)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
