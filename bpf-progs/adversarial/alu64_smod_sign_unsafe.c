// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: signed modulo with the sign of the divisor (SMT-LIB bvsmod) instead of the dividend
 * (BPF, C). index = (-(x & 0xff)) s% 8: bvsmod gives [0, 7], BPF gives [-7, 0].
 *
 * Unsafe: x = 1 gives -1, one byte before the map value.
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

// truth: alu64_smod_sign_unsafe unsafe stock=rejected -x s% 8 has the sign of the dividend: index -1 for x = 1
SEC("tc")
__attribute__((naked)) int alu64_smod_sign_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 &= 0xff;"
		"r9 = 0;"
		"r9 -= r6;"
		"r8 = 8;"
		".quad 0x000000000001899f;" /* r9 s%= r8 */
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
