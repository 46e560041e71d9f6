// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a helper that writes through a memory argument without saying so. In 6.12
 * bpf_fib_lookup()'s params argument is a plain ARG_PTR_TO_MEM, without MEM_WRITE, although a
 * successful lookup writes the source and destination MAC addresses (and ifindex, MTU) into it.
 * x & 0xff is spilled to fp-8, which is params->dmac; x & 0xf0 to a slot outside params; after
 * the lookup the difference of the two filled slots indexes a 16-byte value. A model that takes
 * the missing MEM_WRITE for "read only" keeps fp-8 and proves the index is x & 0x0f.
 *
 * Unsafe: with a route to a neighbour, the lookup replaces fp-8 with MAC bytes.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[16]);
} vals SEC(".maps");

// truth: helper_fib_params_slot_unsafe unsafe stock=rejected bpf_fib_lookup writes the MACs over the spilled x&0xff in params (plain ARG_PTR_TO_MEM)
SEC("xdp")
__attribute__((naked)) int helper_fib_params_slot_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"call %[rnd];"
		"r1 = r0;"
		"r1 &= 0xf0;"
		"*(u64 *)(r10 - 72) = r1;"
		"r1 = r0;"
		"r1 &= 0xff;"
		"*(u64 *)(r10 - 8) = r1;"
		/* struct bpf_fib_lookup at fp-64: AF_INET, ifindex 1, the rest zero */
		"r1 = 0;"
		"*(u64 *)(r10 - 64) = r1;"
		"*(u64 *)(r10 - 56) = r1;"
		"*(u64 *)(r10 - 48) = r1;"
		"*(u64 *)(r10 - 40) = r1;"
		"*(u64 *)(r10 - 32) = r1;"
		"*(u64 *)(r10 - 24) = r1;"
		"*(u64 *)(r10 - 16) = r1;"
		"r1 = 2;"
		"*(u8 *)(r10 - 64) = r1;"
		"r1 = 1;"
		"*(u32 *)(r10 - 56) = r1;"
		"r1 = r6;"
		"r2 = r10;"
		"r2 += -64;"
		"r3 = 64;"
		"r4 = 0;"
		"call %[fib];"
		"r1 = 0;"
		"*(u32 *)(r10 - 76) = r1;"
		"r2 = r10;"
		"r2 += -76;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r1 = *(u64 *)(r10 - 8);"
		"r2 = *(u64 *)(r10 - 72);"
		"r1 -= r2;"
		"r0 += r1;"
		"r1 = *(u8 *)(r0 + 0);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [fib] "i"(BPF_FUNC_fib_lookup),
		  [vals] "i"(&vals)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
