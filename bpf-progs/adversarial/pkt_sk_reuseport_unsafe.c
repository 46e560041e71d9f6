// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: packet pointers of sk_reuseport programs (sk_reuseport_md->data/data_end): 8 bytes
 * checked, data[x & 15] read. Unsafe: data[15] past data_end of a 9-byte packet.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: pkt_sk_reuseport_unsafe unsafe stock=rejected 8 bytes checked, data[x & 15] read
SEC("sk_reuseport")
__attribute__((naked)) int pkt_sk_reuseport_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"call %[rnd];"
		"r8 = r0;"
		"r7 = *(u64 *)(r6 + %[data]);"
		"r3 = *(u64 *)(r6 + %[data_end]);"
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
		"r0 = 1;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [data] "i"(offsetof(struct sk_reuseport_md, data)),
		  [data_end] "i"(offsetof(struct sk_reuseport_md, data_end))
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
