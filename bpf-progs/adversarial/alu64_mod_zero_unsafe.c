// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: modulo by zero taken as 0. BPF defines x % 0 = x. index = x % y with y = 0 on the path
 * is x, up to 0xffffffff. (BPF_MOD by register is encoded as a raw instruction: clang 14 cannot
 * assemble it.)
 *
 * Unsafe: x = 8, y = 0.
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

// truth: alu64_mod_zero_unsafe unsafe stock=rejected x % 0 = x in BPF: index x up to 0xffffffff
SEC("tc")
__attribute__((naked)) int alu64_mod_zero_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"call %[rnd];"
		"r8 = r0;"
		"r8 &= 1;"
		"if r8 != 0 goto l_out_%=;"
		"r9 = r6;"
		".quad 0x000000000000899f;" /* r9 %= r8 */
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
