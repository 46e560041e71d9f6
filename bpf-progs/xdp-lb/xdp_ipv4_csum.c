// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Validates the IPv4 header checksum (options included) with a bounded loop
 * over the header's 16-bit words; drops packets with a bad checksum.
 *
 * A real-world false rejection: the source re-checks data_end before every
 * word, but clang hoists the check out of the loop as a comparison of the
 * scalar (data_end - data) against the word count, and the loads inside the
 * loop then have no proven packet range.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP	0x0800
#define MAX_IHL_WORDS	30	/* 60 bytes / 2 */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} csum_stats SEC(".maps");

// truth: xdp_ipv4_csum safe stock=rejected every clang (13-19, -O1..-O3) replaces the per-word data_end check by one scalar check on (data_end - data - 14) / 2 before the loop; the verifier cannot relate that scalar to the packet range (R1 offset is outside of the packet)
SEC("xdp")
int xdp_ipv4_csum(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph;
	__u16 *w;
	__u32 sum = 0, key, nwords;
	__u64 *cnt;
	int i;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	nwords = iph->ihl * 2;
	w = (__u16 *)iph;
	for (i = 0; i < MAX_IHL_WORDS; i++) {
		if (i >= nwords)
			break;
		if ((void *)(w + 1) > data_end)
			return XDP_DROP;
		sum += *w;
		w++;
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	key = (__u16)~sum == 0 ? 0 : 1;
	cnt = bpf_map_lookup_elem(&csum_stats, &key);
	if (cnt)
		(*cnt)++;
	return key ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
