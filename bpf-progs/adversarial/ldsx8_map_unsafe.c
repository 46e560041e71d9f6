// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: BPF_MEMSX (s8) load treated as a zero-extending load. The byte comes from the map value
 * (writable from user space); a negative byte passes 'if r9 s> 7 goto out'.
 *
 * Unsafe: value byte 0 = 0xff indexes with -1. (ldsx is a raw v4 instruction.)
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

// truth: ldsx8_map_unsafe unsafe stock=rejected *(s8 *) load is sign-extended: -1 passes the signed check
SEC("tc")
__attribute__((naked)) int ldsx8_map_unsafe(void *ctx)
{
	asm volatile(
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r6 = r0;"
		".quad 0x0000000000006991;" /* r9 = *(s8 *)(r6 +0) */
		"if r9 s> 7 goto l_out_%=;"
		"r6 += r9;"
		"r1 = *(u8 *)(r6 + 0);"
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
