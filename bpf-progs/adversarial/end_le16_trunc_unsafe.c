// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: to_le16 taken as the identity. On x86 it is a zero extension of the low 16 bits, so
 * le16(x) == 0 holds for every x with a zero low half-word.
 *
 * Unsafe: x = 0x10000 passes and indexes with 0x10000.
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

// truth: end_le16_trunc_unsafe unsafe stock=rejected le16(x) == 0 for x = 0x10000
SEC("tc")
__attribute__((naked)) int end_le16_trunc_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 <<= 32;"
		"call %[rnd];"
		"r6 |= r0;"
		"r7 = r6;"
		"r7 = le16 r7;"
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
