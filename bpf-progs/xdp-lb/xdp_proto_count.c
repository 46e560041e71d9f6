// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* XDP packet classifier: counts packets and bytes per L3/L4 protocol. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define ETH_P_ARP	0x0806
#define NEXTHDR_ICMP	58	/* IPPROTO_ICMPV6 is a #define, not in vmlinux.h */

enum { C_OTHER, C_ARP, C_IPV4, C_IPV6, C_TCP, C_UDP, C_ICMP, C_MAX };

struct counter {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, C_MAX);
	__type(key, __u32);
	__type(value, struct counter);
} proto_stats SEC(".maps");

static __always_inline void count(__u32 idx, __u64 len)
{
	struct counter *c = bpf_map_lookup_elem(&proto_stats, &idx);

	if (c) {
		c->packets++;
		c->bytes += len;
	}
}

// truth: xdp_proto_count safe stock=loaded straightforward header parsing with data_end checks
SEC("xdp")
int xdp_proto_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 len = data_end - data;
	struct ethhdr *eth = data;
	__u8 l4 = 0;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;

	switch (bpf_ntohs(eth->h_proto)) {
	case ETH_P_ARP:
		count(C_ARP, len);
		return XDP_PASS;
	case ETH_P_IP: {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > data_end)
			return XDP_PASS;
		count(C_IPV4, len);
		l4 = iph->protocol;
		break;
	}
	case ETH_P_IPV6: {
		struct ipv6hdr *ip6h = (void *)(eth + 1);

		if ((void *)(ip6h + 1) > data_end)
			return XDP_PASS;
		count(C_IPV6, len);
		l4 = ip6h->nexthdr;
		break;
	}
	default:
		count(C_OTHER, len);
		return XDP_PASS;
	}

	if (l4 == IPPROTO_TCP)
		count(C_TCP, len);
	else if (l4 == IPPROTO_UDP)
		count(C_UDP, len);
	else if (l4 == IPPROTO_ICMP || l4 == NEXTHDR_ICMP)
		count(C_ICMP, len);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
