// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * XDP parser for up to two VLAN tags (802.1Q / 802.1ad), IPv4 or IPv6, then
 * TCP/UDP ports. Counts packets per (vlan id, l4 proto, dst port).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88A8
#define VLAN_VID_MASK	0x0fff
#define VLAN_MAX_DEPTH	2

struct vlanhdr {
	__be16 tci;
	__be16 encap_proto;
};

struct port_key {
	__u16 vid;
	__u8 proto;
	__u8 pad;
	__u16 dport;
	__u16 pad2;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct port_key);
	__type(value, __u64);
} port_hits SEC(".maps");

struct cursor {
	void *pos;
	void *end;
};

static __always_inline int parse_eth(struct cursor *c, __u16 *vid)
{
	struct ethhdr *eth = c->pos;
	__u16 proto;
	int i;

	if ((void *)(eth + 1) > c->end)
		return -1;
	c->pos = eth + 1;
	proto = eth->h_proto;
#pragma unroll
	for (i = 0; i < VLAN_MAX_DEPTH; i++) {
		struct vlanhdr *vh = c->pos;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > c->end)
			return -1;
		*vid = bpf_ntohs(vh->tci) & VLAN_VID_MASK;
		proto = vh->encap_proto;
		c->pos = vh + 1;
	}
	return bpf_ntohs(proto);
}

// truth: xdp_vlan_parse safe stock=loaded unrolled VLAN loop and L3/L4 parsing with data_end checks
SEC("xdp")
int xdp_vlan_parse(struct xdp_md *ctx)
{
	struct cursor c = {
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	struct port_key key = {};
	struct tcphdr *th;
	struct udphdr *uh;
	__u64 one = 1, *hits;
	int proto;

	proto = parse_eth(&c, &key.vid);
	if (proto == ETH_P_IP) {
		struct iphdr *iph = c.pos;

		if ((void *)(iph + 1) > c.end || iph->ihl < 5)
			return XDP_PASS;
		key.proto = iph->protocol;
		c.pos = (void *)iph + iph->ihl * 4;
	} else if (proto == ETH_P_IPV6) {
		struct ipv6hdr *ip6h = c.pos;

		if ((void *)(ip6h + 1) > c.end)
			return XDP_PASS;
		key.proto = ip6h->nexthdr;
		c.pos = ip6h + 1;
	} else {
		return XDP_PASS;
	}

	if (key.proto == IPPROTO_TCP) {
		th = c.pos;
		if ((void *)(th + 1) > c.end)
			return XDP_PASS;
		key.dport = bpf_ntohs(th->dest);
	} else if (key.proto == IPPROTO_UDP) {
		uh = c.pos;
		if ((void *)(uh + 1) > c.end)
			return XDP_PASS;
		key.dport = bpf_ntohs(uh->dest);
	}

	hits = bpf_map_lookup_elem(&port_hits, &key);
	if (hits)
		__sync_fetch_and_add(hits, 1);
	else
		bpf_map_update_elem(&port_hits, &key, &one, BPF_NOEXIST);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
