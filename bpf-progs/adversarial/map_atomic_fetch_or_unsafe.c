// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: an atomic fetch_or on a map value; the fetched old value is the index. The map value can
 * hold anything (user space writes it), the fetched register must be unconstrained. Unsafe: a map
 * value of 0x100 gives index 0x100.
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

// truth: map_atomic_fetch_or_unsafe unsafe stock=rejected the value fetched from the map word is unbounded
SEC("tc")
__attribute__((naked)) int map_atomic_fetch_or_unsafe(void *ctx)
{
	asm volatile(
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r7 = r0;"
		"r8 = 0;"
		"r8 = atomic_fetch_or((u64 *)(r7 + 0), r8);"
		"r1 = r8;"
		"r1 &= 3;"
		"r8 -= r1;"
		"r7 += r8;"
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
