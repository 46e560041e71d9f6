// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: as ctx_xdp_meta_ugt_unsafe, with a signed test against 0: a zero-extended u32 is never
 * negative, a kernel address always is.
 *
 * Unsafe: always taken; index x & 0xff.
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

// truth: ctx_xdp_meta_sign_unsafe unsafe stock=rejected data_meta s< 0 always holds for a kernel address
SEC("xdp")
__attribute__((naked)) int ctx_xdp_meta_sign_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"r7 = *(u32 *)(r6 + 8);"
		"if r7 s< 0 goto l_in_%=;"
		"goto l_out_%=;"
		"l_in_%=:"
		"call %[rnd];"
		"r9 = r0;"
		"r9 &= 0xff;"
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
