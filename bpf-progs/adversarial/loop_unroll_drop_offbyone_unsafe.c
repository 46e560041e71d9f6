// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: dropping a path whose range condition's assumptions are unsatisfiable
 * (0014). The checksum loop of xdp-lb/xdp_ipv4_csum, whose per-word check the
 * compiler hoists into one scalar comparison, so that the verifier unrolls the
 * loop past its real trip count and BCF drops the rounds that cannot run. Here
 * the check only asks the word to start inside the packet: on the last round
 * the 2-byte read can end one byte past data_end on a path that does run, and
 * that path must not be dropped with the infeasible ones.
 *
 * Unsafe: an odd packet length reads one byte past the end.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP	0x0800
#define MAX_IHL_WORDS	30

// truth: loop_unroll_drop_offbyone_unsafe unsafe stock=rejected the hoisted check lets the last 2-byte word end one byte past data_end
SEC("xdp")
int loop_unroll_drop_offbyone_unsafe(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph;
	__u32 sum = 0, nwords;
	__u8 *w;
	int i;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	nwords = iph->ihl * 2;
	w = (__u8 *)iph;
	for (i = 0; i < MAX_IHL_WORDS; i++) {
		if (i >= nwords)
			break;
		if ((void *)(w + 1) > data_end)
			return XDP_DROP;
		sum += *(__u16 *)w;
		w += 2;
	}
	return (__u16)~sum ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
