// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: an atomic add on a stack slot holding a spilled bound ('lock *(u64 *)(r10 - 16) += r7').
 *
 * Unsafe: (x & 7) + r overruns for r >= 8.
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

// truth: stack_atomic_add_unsafe unsafe stock=rejected the atomic add changes the spilled bound
SEC("tc")
__attribute__((naked)) int stack_atomic_add_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 &= 7;"
		"*(u64 *)(r10 - 16) = r6;"
		"call %[rnd];"
		"r7 = r0;"
		"lock *(u64 *)(r10 - 16) += r7;"
		"r9 = *(u64 *)(r10 - 16);"
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
