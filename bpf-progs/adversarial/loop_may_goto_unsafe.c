// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a may_goto loop (BPF_JCOND, raw instruction) around the index: the counter is unbounded
 * for the verifier; BCF refuses may_goto in a suffix.
 *
 * Unsafe: the loop runs up to 8M times before may_goto exits, the counter indexes the value.
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

// truth: loop_may_goto_unsafe unsafe stock=rejected the may_goto counter indexes the map
SEC("tc")
__attribute__((naked)) int loop_may_goto_unsafe(void *ctx)
{
	asm volatile(
		"r9 = 0;"
		"l_loop_%=:"
		".quad 0x00000000000200e5;" /* may_goto +2 */
		"r9 += 1;"
		"goto l_loop_%=;"
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
