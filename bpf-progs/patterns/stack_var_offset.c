// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Range refinement on the stack: a 16-byte buffer on the stack is read at a
 * variable offset i = (x >> 4) - ((x >> 8) << 4), bits 4..7 of x, in [0,15].
 * The verifier sees an unbounded offset and refuses the variable-offset read.
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

// truth: stack_var_offset safe stock=rejected stack index (x>>4)-((x>>8)<<4) is in [0,15] inside a 16-byte buffer; invalid unbounded variable-offset read from stack
SEC("xdp")
__attribute__((naked)) int stack_var_offset(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r1 = 0x1122334455667788 ll;"
		"*(u64 *)(r10 - 16) = r1;"
		"*(u64 *)(r10 - 8) = r1;"
		"r1 = r0; r1 >>= 4;"
		"r2 = r0; r2 >>= 8; r2 <<= 4;"
		"r1 -= r2;"            /* i in [0,15] */
		"r3 = r10; r3 += -16;"
		"r3 += r1;"
		"r0 = *(u8 *)(r3 + 0);"
		"r0 &= 1; r0 += 1;"    /* XDP_DROP or XDP_PASS */
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [counters] "i"(&counters)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
