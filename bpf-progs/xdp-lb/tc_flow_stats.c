// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* TC ingress flow accounting: per 5-tuple packets/bytes in an LRU hash. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#ifndef TC_ACT_OK
#define TC_ACT_OK	0
#endif

struct fkey {
	__u32 src[4];
	__u32 dst[4];
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 family;
	__u16 pad;
};

struct fstats {
	__u64 packets;
	__u64 bytes;
	__u64 last_seen_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct fkey);
	__type(value, struct fstats);
} flows SEC(".maps");

// truth: tc_flow_stats safe stock=loaded direct packet access on __sk_buff with data_end checks, LRU hash update
SEC("tc")
int tc_flow_stats(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct fkey key = {};
	struct fstats *st, init = {};
	void *l4;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > data_end)
			return TC_ACT_OK;
		key.family = 4;
		key.src[0] = iph->saddr;
		key.dst[0] = iph->daddr;
		key.proto = iph->protocol;
		l4 = (void *)iph + iph->ihl * 4;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);

		if ((void *)(ip6h + 1) > data_end)
			return TC_ACT_OK;
		key.family = 6;
		__builtin_memcpy(key.src, &ip6h->saddr, 16);
		__builtin_memcpy(key.dst, &ip6h->daddr, 16);
		key.proto = ip6h->nexthdr;
		l4 = ip6h + 1;
	} else {
		return TC_ACT_OK;
	}

	if (key.proto == IPPROTO_TCP || key.proto == IPPROTO_UDP) {
		if (l4 + 4 > data_end)
			return TC_ACT_OK;
		key.sport = bpf_ntohs(*(__be16 *)l4);
		key.dport = bpf_ntohs(*(__be16 *)(l4 + 2));
	}

	st = bpf_map_lookup_elem(&flows, &key);
	if (!st) {
		bpf_map_update_elem(&flows, &key, &init, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&flows, &key);
		if (!st)
			return TC_ACT_OK;
	}
	__sync_fetch_and_add(&st->packets, 1);
	__sync_fetch_and_add(&st->bytes, skb->len);
	st->last_seen_ns = bpf_ktime_get_ns();
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
