// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: the packet length across a helper that GROWS the packet, through path refinement.
 * bpf_xdp_adjust_head(ctx, -16) prepends 16 bytes, so 'L < 64' before and 'L' >= 64' after are
 * both possible (L = 50). With one length variable the second check contradicts the first and the
 * map access behind it is 'infeasible'.
 *
 * Unsafe: L = 50 reaches the access, whose index x & 0xff overruns the 8-byte map value.
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

// truth: pkt_xdp_adjust_head_grow_unsafe unsafe stock=rejected L = 50 before, 66 after adjust_head(-16): the gated map access runs with index x & 0xff
SEC("xdp")
__attribute__((naked)) int pkt_xdp_adjust_head_grow_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"r2 = *(u32 *)(r6 + 0);"
		"r3 = *(u32 *)(r6 + 4);"
		"r4 = r2;"
		"r4 += 64;"
		"if r4 <= r3 goto l_out_%=;"
		"r1 = r6;"
		"r2 = -16;"
		"call %[adjust_head];"
		"if r0 != 0 goto l_out_%=;"
		"r2 = *(u32 *)(r6 + 0);"
		"r3 = *(u32 *)(r6 + 4);"
		"r4 = r2;"
		"r4 += 64;"
		"if r4 > r3 goto l_out_%=;"
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
		"r0 = 2;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [vals] "i"(&vals),
		  [adjust_head] "i"(BPF_FUNC_xdp_adjust_head)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
