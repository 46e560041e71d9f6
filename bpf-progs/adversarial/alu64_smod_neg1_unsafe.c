// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: signed modulo by -1 (S64_MIN s% -1 traps on x86 idiv; BPF rewrites any x s% -1 to 0).
 * index = (x s% -1) + 8 = 8; a model that returns -1 or x for this case could conclude 7 or less.
 *
 * Unsafe: always reads byte 8.
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

// truth: alu64_smod_neg1_unsafe unsafe stock=rejected x s% -1 = 0 in BPF: index 8
SEC("tc")
__attribute__((naked)) int alu64_smod_neg1_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r9 = r0;"
		"r9 <<= 32;"
		"call %[rnd];"
		"r9 |= r0;"
		".quad 0xffffffff00010997;" /* r9 s%= -1 */
		"r9 += 8;"
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
