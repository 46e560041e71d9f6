// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Range refinement through stack memory: the slot is zeroed, byte 0 is set to
 * x & 7 and the slot is read back as a u16 index (little endian: [0,7]). The
 * verifier tracks stack bytes as MISC/ZERO, not values: the u16 load is only
 * known to be in [0,65535], too large for the 16-byte map value.
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

// truth: stack_byte_compose safe stock=rejected a u16 read of a stack slot written as one masked byte plus zeros is in [0,7]; mixed STACK_MISC/STACK_ZERO bytes read as [0,65535]
SEC("tc")
__attribute__((naked)) int stack_byte_compose(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r1 = 0;"
		"*(u64 *)(r10 - 16) = r1;"
		"r1 = r6; r1 &= 7;"
		"*(u8 *)(r10 - 16) = r1;"
		"r7 = *(u16 *)(r10 - 16);" /* idx in [0,7] */
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
