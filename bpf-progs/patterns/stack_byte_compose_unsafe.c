// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE twin of stack_byte_compose.c: byte 1 of the slot is 1, so the u16
 * index is 256 + (x & 7), far past the 8-byte map value.
 *
 * Written as a naked function: the instruction stream is identical for every
 * compiler and optimisation level.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

// truth: stack_byte_compose_unsafe unsafe stock=rejected twin of stack_byte_compose that writes 1 into byte 1: the u16 index is 256 + (x & 7), past the 8-byte value
SEC("tc")
__attribute__((naked)) int stack_byte_compose_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r1 = 0;"
		"*(u64 *)(r10 - 16) = r1;"
		"r1 = r6; r1 &= 7;"
		"*(u8 *)(r10 - 16) = r1;"
		"r1 = 1;"
		"*(u8 *)(r10 - 15) = r1;"
		"r7 = *(u16 *)(r10 - 16);"
		"r1 = 0; *(u32 *)(r10 - 4) = r1;"
		"r2 = r10; r2 += -4;"
		"r1 = %[counters] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r0 += r7;"
		"r1 = *(u8 *)(r0 + 0);"
		"l_out_%=:"
		"r0 = 2;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [counters] "i"(&counters)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
