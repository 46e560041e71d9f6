// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: packet pointers of sk_msg programs (sk_msg_md->data/data_end, 8-byte __bpf_md_ptr
 * fields): 8 bytes are checked, data[x & 15] is read through a variable offset (range 0), so BCF's
 * packet refinement asks for (x & 15) + 1 <= L. Unsafe: a 9-byte message has data[15] past
 * data_end.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: pkt_sk_msg_unsafe unsafe stock=rejected 8 bytes checked, data[x & 15] read
SEC("sk_msg")
__attribute__((naked)) int pkt_sk_msg_unsafe(void *ctx)
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
		  [data] "i"(offsetof(struct sk_msg_md, data)),
		  [data_end] "i"(offsetof(struct sk_msg_md, data_end))
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
