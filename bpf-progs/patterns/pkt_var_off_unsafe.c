// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE twin of pkt_var_off.c: off = x & 63, a 4-byte load at data + 63
 * needs 67 bytes and only 64 are checked.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: pkt_var_off_unsafe unsafe stock=rejected twin of pkt_var_off with off in [0,63]: a 4-byte load at data + 63 passes the 64-byte check
SEC("xdp")
int pkt_var_off_unsafe(struct xdp_md *ctx)
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
		"%[off] &= 63;"
		"r1 += %[off];"
		"%[r] = *(u32 *)(r1 + 0);"
		: [r] "=&r"(r), [off] "+r"(off)
		: [data] "r"(data)
		: "r1");
	return r == 0x01020304 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
