// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: packet pointers of flow dissector programs (__sk_buff->data/data_end rewritten to
 * bpf_flow_dissector fields): 8 bytes checked, data[x & 15] read. Unsafe: a 9-byte header has
 * data[15] past data_end.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: pkt_flow_dissector_unsafe unsafe stock=rejected 8 bytes checked, data[x & 15] read
SEC("flow_dissector")
__attribute__((naked)) int pkt_flow_dissector_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"call %[rnd];"
		"r8 = r0;"
		"r7 = *(u32 *)(r6 + %[data]);"
		"r3 = *(u32 *)(r6 + %[data_end]);"
		"r4 = r7;"
		"r4 += 8;"
		"if r4 > r3 goto l_out_%=;"
		"r8 &= 15;"
		"r1 = r8;"
		"r1 &= 3;"
		"r8 -= r1;"
		"r8 += r1;"
		"r2 = r7;"
		"r2 += r8;"
		"r0 = *(u8 *)(r2 + 0);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [data] "i"(offsetof(struct __sk_buff, data)),
		  [data_end] "i"(offsetof(struct __sk_buff, data_end))
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
