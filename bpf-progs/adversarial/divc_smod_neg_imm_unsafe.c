// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: signed modulo by a negative constant immediate. BPF's s% takes the
 * sign of the dividend: x s% -7 is in [-6, 6]. SMT-LIB's bvsmod takes the
 * divisor's sign ([-6, 0]), and a model that divides by |d| = 7 and then
 * applies the divisor's sign agrees with it; either makes x s% -7 + 6 fit the
 * 8-byte value. The immediate is sign-extended to 64 bits (-7, not 2^32 - 7).
 *
 * Unsafe: x = 2 gives index 8.
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

// truth: divc_smod_neg_imm_unsafe unsafe stock=rejected x s% -7 has the sign of x: x s% -7 + 6 reaches 12
SEC("tc")
__attribute__((naked)) int divc_smod_neg_imm_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 <<= 32;"
		"call %[rnd];"
		"r6 |= r0;"
		"r9 = r6;"
		".quad 0xfffffff900010997;" /* r9 s%= -7 */
		"r9 += 6;"
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
