// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: LSH by a register amount >= 64 taken as 0 (mathematical) or as the masked amount. x86
 * JITs use the amount mod 64, so 1 << 64 is 1 there; the interpreter masks too; the verifier says
 * unknown. A model with 1 << n = 0 for n >= 64 believes '(1 << n) == 1' implies n == 0.
 *
 * Unsafe: n = 64 passes the gate on a JIT and indexes with 64.
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

// truth: alu64_lsh_oversize_unsafe unsafe stock=rejected 1 << 64 is 1 on x86 (amount mod 64): index n = 64
SEC("tc")
__attribute__((naked)) int alu64_lsh_oversize_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 &= 127;"
		"r7 = 1;"
		"r7 <<= r6;"
		"if r7 != 1 goto l_out_%=;"
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
