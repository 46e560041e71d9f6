// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a load from a frozen read-only map (.rodata) that the verifier turns into a known constant
 * (limit = 16). The index x % limit is [0, 15] for the verifier; the tracker sees a fresh load. The
 * value is 8 bytes.
 *
 * Unsafe: x % 16 up to 15 on the 8-byte value.
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

const volatile __u64 limit = 16;

// truth: map_rodata_known_const_unsafe unsafe stock=rejected x % 16 (the .rodata limit) indexes an 8-byte value
SEC("tc")
__attribute__((naked)) int map_rodata_known_const_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r8 = r0;"
		"r1 = %[lim] ll;"
		"r1 = *(u64 *)(r1 + 0);"
		"r8 %%= r1;"
		"r1 = r8;"
		"r1 &= 3;"
		"r8 -= r1;"
		"r8 += r1;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r0 += r8;"
		"r1 = *(u8 *)(r0 + 0);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [vals] "i"(&vals),
		  [lim] "i"(&limit)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
