// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * C twin of pkt_xdp_adjust_head_stale_unsafe: the packet length checked before
 * bpf_xdp_adjust_head(ctx, 50) is used to justify a read after it. 64 bytes are
 * checked; after the helper only L - 50 remain, and data + 40 is read without a
 * new check. A model that keeps one packet-length variable across the helper
 * (new data_end - new data == old L) proves the read.
 *
 * Unsafe: a 64-byte frame keeps 14 bytes after the helper; the 4-byte read at
 * offset 36 is 22 bytes past data_end.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: pkt_xdp_adjust_head_c_unsafe unsafe stock=rejected data + 40 read after adjust_head(50) with only an old L >= 64 check
SEC("xdp")
int pkt_xdp_adjust_head_c_unsafe(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + 64 > data_end)
		return XDP_PASS;
	if (bpf_xdp_adjust_head(ctx, 50))
		return XDP_PASS;
	/* reload data: the old pointers are gone; no new data_end check */
	data = (void *)(long)ctx->data;
	return *(volatile __u32 *)(data + 36) == 0x01020304 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
