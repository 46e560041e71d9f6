// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Packet access at a variable offset inside an already checked window: the
 * program checks data + 64 <= data_end and reads 4 bytes at data + (x & 31),
 * at most data + 35. Adding a variable to a packet pointer gives the result a
 * new id with a zero proven range, so the verifier refuses the load (real code
 * has to repeat the data_end comparison).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: pkt_var_off safe stock=rejected off in [0,31] and the first 64 bytes are checked, off + 4 <= 64; adding a variable to a packet pointer resets its proven range (r=0)
SEC("xdp")
int pkt_var_off(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 off = bpf_get_prandom_u32();
	__u64 r;

	if (data + 64 > data_end)
		return XDP_PASS;
	/* variable offset into the checked window, then a 4-byte load */
	asm volatile(
		"r1 = %[data];"
		"%[off] &= 31;"
		"r1 += %[off];"
		"%[r] = *(u32 *)(r1 + 0);"
		: [r] "=&r"(r), [off] "+r"(off)
		: [data] "r"(data)
		: "r1");
	return r == 0x01020304 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
