// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: zero-initialised stack bytes (STACK_ZERO) partly overwritten. Bytes fp-12..fp-9 are
 * zeroed by a 4-byte store of 0, then byte fp-11 gets a random byte; the u16 load at fp-12 is that
 * byte << 8.
 *
 * Unsafe: r = 1 gives index 256.
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

// truth: stack_zero_partial_unsafe unsafe stock=rejected the u16 at fp-12 includes the overwritten byte
SEC("tc")
__attribute__((naked)) int stack_zero_partial_unsafe(void *ctx)
{
	asm volatile(
		"r1 = 0;"
		"*(u32 *)(r10 - 12) = r1;"
		"call %[rnd];"
		"r7 = r0;"
		"*(u8 *)(r10 - 11) = r7;"
		"r9 = *(u16 *)(r10 - 12);"
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
