// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: path refinement at a conditional jump that fails with -EACCES ('R2 !read_ok') on a
 * feasible path, where the jump is only reached on that path (0006 would remove it as dead code
 * and hard-wire the branch before it). r2 is clobbered by the map lookup (caller-saved); the
 * odd-x path compares the uninitialised r2 and picks NULL or the map value by it.
 *
 * Unsafe: the odd path reads an uninitialised register and can dereference NULL.
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

// truth: deadcode_uninit_jump_unsafe unsafe stock=rejected the odd-x path reads uninitialised r2 and may dereference NULL
SEC("tc")
__attribute__((naked)) int deadcode_uninit_jump_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r7 = r0;"
		"r1 = r6;"
		"r1 &= 1;"
		"if r1 != 0 goto l_odd_%=;"
		"r1 = *(u8 *)(r7 + 0);"
		"goto l_out_%=;"
		"l_odd_%=:"
		"if r2 == 0 goto l_ok_%=;"
		"r7 = 0;"
		"l_ok_%=:"
		"r1 = *(u8 *)(r7 + 0);"
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
