// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: caller-saved registers across a helper call. idx = x & 7 is left in r3, a helper call
 * clobbers r1-r5, and r3 is used afterwards (the verifier: R3 !read_ok). A model that keeps r3
 * across the call would find the path 'fine'.
 *
 * Unsafe: r3 holds whatever the helper left (the x86 JIT maps r3 to rdx).
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

// truth: helper_clobber_r1_r5_unsafe unsafe stock=rejected r3 is clobbered by the call and read afterwards
SEC("tc")
__attribute__((naked)) int helper_clobber_r1_r5_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r3 = r0;"
		"r3 &= 7;"
		"call %[rnd];"
		"r9 = r3;"
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
