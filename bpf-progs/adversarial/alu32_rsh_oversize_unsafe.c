// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: ALU32 RSH by a register amount >= 32. 0x80000000 >> 32 is 0x80000000 on x86 (amount mod
 * 32); a model with 'everything shifted out' says it is 0, so 'result == 0x80000000' would imply n
 * == 0.
 *
 * Unsafe: n = 32 passes and indexes with 32.
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

// truth: alu32_rsh_oversize_unsafe unsafe stock=rejected w >> 32 keeps the value on x86: index 32
SEC("tc")
__attribute__((naked)) int alu32_rsh_oversize_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 &= 63;"
		"w7 = -2147483648;"
		"w7 >>= w6;"
		"if w7 != -2147483648 goto l_out_%=;"
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
