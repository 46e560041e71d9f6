// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Toy L4 load balancer: packets to a virtual IP:port are hashed on their
 * 5-tuple onto one of the service's backends; the destination address is
 * rewritten (with an incremental checksum update) and the packet bounced back
 * out of the same interface with swapped MACs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP	0x0800
#define MAX_BACKENDS	16
#define ETH_ALEN	6

struct vip_key {
	__u32 addr;
	__u16 port;
	__u8 proto;
	__u8 pad;
};

struct service {
	__u32 id;
	__u32 nr_backends;	/* 1..MAX_BACKENDS */
};

struct backend {
	__u32 addr;
	__u8 mac[ETH_ALEN];
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, struct vip_key);
	__type(value, struct service);
} services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 128 * MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct backend);
} backends SEC(".maps");

static __always_inline __u32 rol32(__u32 w, int s)
{
	return (w << s) | (w >> (32 - s));
}

static __always_inline __u32 flow_hash(__u32 a, __u32 b, __u32 c)
{
	/* a small jhash-style mix */
	c ^= b; c -= rol32(b, 14);
	a ^= c; a -= rol32(c, 11);
	b ^= a; b -= rol32(a, 25);
	c ^= b; c -= rol32(b, 16);
	a ^= c; a -= rol32(c, 4);
	b ^= a; b -= rol32(a, 14);
	c ^= b; c -= rol32(b, 24);
	return c;
}

static __always_inline __u16 csum_fold(__u32 csum)
{
	csum = (csum & 0xffff) + (csum >> 16);
	csum = (csum & 0xffff) + (csum >> 16);
	return (__u16)~csum;
}

/* RFC 1624 incremental update for a 32-bit field */
static __always_inline void csum_replace4(__u16 *sum, __u32 from, __u32 to)
{
	__u32 csum = (__u16)~*sum;

	csum += (__u16)~from + (__u16)~(from >> 16);
	csum += (__u16)to + (__u16)(to >> 16);
	*sum = csum_fold(csum);
}

// truth: xdp_l4lb safe stock=loaded backend index is hash % nr_backends clamped by an explicit check before the array lookup
SEC("xdp")
int xdp_l4lb(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct vip_key vip = {};
	struct service *svc;
	struct backend *be;
	struct iphdr *iph;
	struct tcphdr *th;
	__u32 slot, h, old;
	__u16 sport;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end || iph->ihl != 5)
		return XDP_PASS;
	if (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP)
		return XDP_PASS;
	th = (void *)(iph + 1);
	/* ports are the first 4 bytes of both TCP and UDP headers */
	if ((void *)th + 4 > data_end)
		return XDP_PASS;

	vip.addr = iph->daddr;
	vip.port = th->dest;
	vip.proto = iph->protocol;
	svc = bpf_map_lookup_elem(&services, &vip);
	if (!svc || svc->nr_backends == 0)
		return XDP_PASS;

	sport = th->source;
	h = flow_hash(iph->saddr, ((__u32)sport << 16) | th->dest, iph->protocol);
	slot = h % svc->nr_backends;
	if (slot >= MAX_BACKENDS)
		return XDP_ABORTED;
	slot += svc->id * MAX_BACKENDS;
	be = bpf_map_lookup_elem(&backends, &slot);
	if (!be || !be->addr)
		return XDP_DROP;

	old = iph->daddr;
	iph->daddr = be->addr;
	csum_replace4(&iph->check, old, be->addr);

	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, be->mac, ETH_ALEN);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
