// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: ALU32 MOVSX sign-extends to 32 bits and then zero-extends to 64, so w9 = (s8)w6 is never
 * negative as a 64-bit value. A model sign-extending to 64 bits believes 'if r9 s< 0 goto out'
 * removes every x >= 128, after which 'r9 > 0x7f' is impossible and the other branch masks the
 * index to [0, 7].
 *
 * Unsafe: x = 0x80 gives r9 = 0xffffff80, passes the signed filter, skips the mask and indexes far
 * past the 8-byte value.
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

// truth: alu32_movsx8_zext_unsafe unsafe stock=rejected w9 = (s8)w6 is 0xffffffxx zero-extended, kept by the signed filter
SEC("tc")
__attribute__((naked)) int alu32_movsx8_zext_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 &= 0xff;"
		".quad 0x00000000000869bc;" /* w9 = (s8)w6 */
		"if r9 s< 0 goto l_out_%=;"
		"if r9 > 0x7f goto l_big_%=;"
		"r9 &= 7;"
		"l_big_%=:"
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
