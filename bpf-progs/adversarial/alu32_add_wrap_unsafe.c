// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a model that forgets the 32-bit truncation (and zero extension) of ALU32 ADD. w7 = w6 +
 * 1 with x = prandom (u32); the 64-bit compare 'r7 != 0' fails only when w6 + 1 wraps to 0, i.e. x
 * = 0xffffffff. A 64-bit add would make r7 = x + 1 != 0 and the gated access dead.
 *
 * Unsafe: x = 0xffffffff passes the gate and indexes the 8-byte map value with 0xffffffff.
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

// truth: alu32_add_wrap_unsafe unsafe stock=rejected w6 + 1 wraps to 0 for x = 0xffffffff: index 0xffffffff
SEC("tc")
__attribute__((naked)) int alu32_add_wrap_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"w7 = w6;"
		"w7 += 1;"
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
