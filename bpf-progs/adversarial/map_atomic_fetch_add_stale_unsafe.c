// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: an atomic fetch_add on a map word after its value was checked: the check bounds the
 * value read before, the fetch returns the current value, which another CPU (or user space) may
 * have changed. Unsafe: a concurrent update makes the fetched value 0x100.
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

// truth: map_atomic_fetch_add_stale_unsafe unsafe stock=rejected the fetched word is not the value checked one instruction earlier
SEC("tc")
__attribute__((naked)) int map_atomic_fetch_add_stale_unsafe(void *ctx)
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
		"r6 = *(u64 *)(r7 + 0);"
		"if r6 > 7 goto l_out_%=;"
		"r8 = 0;"
		"r8 = atomic_fetch_add((u64 *)(r7 + 0), r8);"
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
