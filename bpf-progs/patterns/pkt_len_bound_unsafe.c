// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE twin of pkt_len_bound.c: n = (data_end - data - 13) / 2, so for an
 * odd length word n - 1 ends one byte past the packet.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define HDR 14

// truth: pkt_len_bound_unsafe unsafe stock=rejected twin of pkt_len_bound with n = (len - 13) / 2: for an odd length the last word read ends one byte past data_end
SEC("xdp")
int pkt_len_bound_unsafe(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 len = data_end - data, n, k;
	__u16 *w;
	__u32 sum = 0;

	if (data + HDR > data_end)
		return XDP_PASS;
	n = (len - HDR + 1) / 2;
	k = bpf_get_prandom_u32() & 7;
	if (k >= n)
		return XDP_PASS;
	w = data + HDR;
	/* word k, the last one below n */
	asm volatile("%[k] <<= 1; %[w] += %[k]; %[s] = *(u16 *)(%[w] + 0);"
		     : [s] "=&r"(sum), [w] "+r"(w), [k] "+r"(k));
	return sum == 0x0800 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
