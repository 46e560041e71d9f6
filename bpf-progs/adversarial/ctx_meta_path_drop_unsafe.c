// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: path refinement where the dropped path is the only one taken at run time. r7 is a valid
 * map value pointer when 'data_meta <= 0xffffffff' and NULL otherwise; both paths meet at the
 * dereference, so the instruction stays (a dead-code removal of the dropped path cannot hide it).
 * A model that reads data_meta as a zero-extended u32 drops the NULL path as infeasible.
 *
 * Unsafe: always: data_meta is a kernel address, r7 = 0 and the load dereferences NULL.
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

// truth: ctx_meta_path_drop_unsafe unsafe stock=rejected data_meta > 0xffffffff always: r7 is NULL at the shared dereference
SEC("xdp")
__attribute__((naked)) int ctx_meta_path_drop_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r7 = r0;"
		"r8 = *(u32 *)(r6 + 8);"
		"r2 = 0xffffffff ll;"
		"if r8 <= r2 goto l_join_%=;"
		"r7 = 0;"
		"l_join_%=:"
		"r1 = *(u64 *)(r7 + 0);"
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
