// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: 0006 with an instruction reached only through the failing path's branch target: the out-
 * of-bounds load at l_bad is the target of a jump taken for x > 7 and also the fall-through of a
 * block that jumps over it. Dropping the x > 7 path would leave l_bad unseen, remove it and hard-
 * wire 'if r8 > 7' to fall through. Unsafe: x > 7 reads value[x & 0xff].
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

// truth: deadcode_shared_tail_unsafe unsafe stock=rejected x > 7 reaches the load at value[x & 0xff]
SEC("tc")
__attribute__((naked)) int deadcode_shared_tail_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r8 = r0;"
		"r8 &= 0xff;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"if r8 > 7 goto l_bad_%=;"
		"r1 = *(u8 *)(r0 + 0);"
		"goto l_out_%=;"
		"l_bad_%=:"
		"r0 += r8;"
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
