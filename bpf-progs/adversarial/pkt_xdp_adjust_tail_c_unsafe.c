// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * C twin of pkt_xdp_adjust_tail_stale_unsafe: bpf_xdp_adjust_tail(ctx, -50)
 * moves data_end back 50 bytes, but the read of data[36..40) relies on the
 * 64 bytes checked before the helper.
 *
 * Unsafe: a 64-byte frame keeps 14 bytes; the read is past data_end.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: pkt_xdp_adjust_tail_c_unsafe unsafe stock=rejected data + 40 read after adjust_tail(-50) with only an old L >= 64 check
SEC("xdp")
int pkt_xdp_adjust_tail_c_unsafe(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + 64 > data_end)
		return XDP_PASS;
	if (bpf_xdp_adjust_tail(ctx, -50))
		return XDP_PASS;
	data = (void *)(long)ctx->data;
	return *(volatile __u32 *)(data + 36) == 0x01020304 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
