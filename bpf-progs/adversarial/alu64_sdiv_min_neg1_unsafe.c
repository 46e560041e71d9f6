// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: signed division S64_MIN / -1 (overflow). BPF (and the verifier's fixup) gives S64_MIN; a
 * model that saturates to S64_MAX or treats it as undefined could conclude (q >> 60) <= 7. The
 * real q >> 60 is 8.
 *
 * Unsafe: the path is always taken: y = -1 reads byte 8 of the map value. (sdiv is a raw v4
 * instruction.)
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

// truth: alu64_sdiv_min_neg1_unsafe unsafe stock=rejected S64_MIN s/ -1 = S64_MIN, so (q >> 60) = 8
SEC("tc")
__attribute__((naked)) int alu64_sdiv_min_neg1_unsafe(void *ctx)
{
	asm volatile(
		"r8 = -1;"
		"r9 = 1;"
		"r9 <<= 63;"
		".quad 0x000000000001893f;" /* r9 s/= r8 */
		"r9 >>= 60;"
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
