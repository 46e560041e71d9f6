// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: ALU32 modulo by a constant immediate, whose dividend is the low 32
 * bits of a 64-bit register. w % 9 is in [0, 8], one past the 8-byte value;
 * the upper half of r6 (tested first) must not make the model take the 64-bit
 * remainder, which the branch bounds to [0, 7].
 *
 * Unsafe: r6 = 1 << 32 | 8 passes the branch (r6 % 9 = 3) and w6 % 9 = 8.
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

// truth: divc_alu32_mod_imm_unsafe unsafe stock=rejected w % 9 of the low half reaches 8 while the 64-bit r % 9 is at most 7
SEC("tc")
__attribute__((naked)) int divc_alu32_mod_imm_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 <<= 32;"
		"call %[rnd];"
		"r6 |= r0;"
		"r7 = r6;"
		".quad 0x0000000900000797;" /* r7 %= 9 */
		"if r7 > 7 goto l_out_%=;"
		"r9 = r6;"
		".quad 0x0000000900000994;" /* w9 %= 9 */
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
