// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: bpf_map_lookup_percpu_elem (RET_PTR_TO_MAP_VALUE_OR_NULL, another helper than
 * map_lookup_elem) on a per-CPU array with an 8-byte value; index (x & 15) - (x & 3) + (x & 3).
 * Unsafe: index up to 15.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

// truth: map_percpu_lookup_unsafe unsafe stock=rejected index x & 15 on the 8-byte per-CPU value
SEC("tc")
__attribute__((naked)) int map_percpu_lookup_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r8 = r0;"
		"r8 &= 15;"
		"r1 = r8;"
		"r1 &= 3;"
		"r8 -= r1;"
		"r8 += r1;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[pcpu] ll;"
		"r3 = 0;"
		"call %[lookup_pc];"
		"if r0 == 0 goto l_out_%=;"
		"r0 += r8;"
		"r1 = *(u8 *)(r0 + 0);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup_pc] "i"(BPF_FUNC_map_lookup_percpu_elem),
		  [pcpu] "i"(&pcpu)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
