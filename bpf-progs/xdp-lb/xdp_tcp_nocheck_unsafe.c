// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE, a classic bug: SYN counter that checks the IPv4 header against
 * data_end but then reads the TCP flags without checking that the TCP header
 * is inside the packet. A short packet makes it read past data_end.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} syn_per_src SEC(".maps");

// truth: xdp_syn_count_unsafe unsafe stock=rejected TCP header read without a data_end check (invalid access to packet)
SEC("xdp")
int xdp_syn_count_unsafe(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph;
	struct tcphdr *th;
	__u64 one = 1, *cnt;
	__u32 src;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end || iph->protocol != IPPROTO_TCP)
		return XDP_PASS;
	th = (void *)(iph + 1);
	/* BUG: no check of (void *)(th + 1) > data_end */
	if (!th->syn || th->ack)
		return XDP_PASS;
	src = iph->saddr;
	cnt = bpf_map_lookup_elem(&syn_per_src, &src);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		bpf_map_update_elem(&syn_per_src, &src, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
