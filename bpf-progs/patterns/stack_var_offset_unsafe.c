// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE twin of stack_var_offset.c: i = (x >> 4) - ((x >> 9) << 5) is bits
 * 4..8 of x, up to 31; the buffer is the top 16 bytes of the frame, so
 * i >= 16 reads above the frame pointer.
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

// truth: stack_var_offset_unsafe unsafe stock=rejected twin of stack_var_offset: bits 4..8 of x reach 31, past the 16-byte buffer at the top of the frame
SEC("xdp")
__attribute__((naked)) int stack_var_offset_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r1 = 0x1122334455667788 ll;"
		"*(u64 *)(r10 - 16) = r1;"
		"*(u64 *)(r10 - 8) = r1;"
		"r1 = r0; r1 >>= 4;"
		"r2 = r0; r2 >>= 9; r2 <<= 5;"
		"r1 -= r2;"            /* i in [0,31] */
		"r3 = r10; r3 += -16;"
		"r3 += r1;"
		"r0 = *(u8 *)(r3 + 0);"
		"r0 &= 1; r0 += 1;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [counters] "i"(&counters)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
