// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * A packet bound kept as a scalar: n = (data_end - data - 14) / 2 words
 * after the Ethernet header, then reads of u16 words 0..k-1 for k <= n and
 * k <= 8. Each read ends at 14 + 2k <= data_end - data, so it is in the
 * packet, but the verifier does not relate the scalar data_end - data to the
 * packet pointers: only comparisons of two pointers give them a range.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define HDR 14

// truth: pkt_len_bound safe stock=rejected words read while k <= (data_end - data - 14) / 2: every read ends inside the packet; the scalar bound gives the packet pointer no range
SEC("xdp")
int pkt_len_bound(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 len = data_end - data, n, k;
	__u16 *w;
	__u32 sum = 0;

	if (data + HDR > data_end)
		return XDP_PASS;
	n = (len - HDR) / 2;
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
