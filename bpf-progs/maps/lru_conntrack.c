// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * A tiny connection tracker in an LRU hash: TCP state per 4-tuple, updated
 * from the TCP flags, with per-state counters in an array.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800
#ifndef TC_ACT_OK
#define TC_ACT_OK 0
#endif

enum ct_state { CT_NEW, CT_SYN_SENT, CT_ESTABLISHED, CT_FIN, CT_MAX };

struct ct_key {
	__u32 saddr, daddr;
	__u16 sport, dport;
};

struct ct_entry {
	__u32 state;
	__u32 pad;
	__u64 last_ns;
	__u64 packets;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32768);
	__type(key, struct ct_key);
	__type(value, struct ct_entry);
} conntrack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} state_counts SEC(".maps");

// truth: lru_conntrack safe stock=loaded LRU hash insert-or-update, state index from a map value checked against CT_MAX
SEC("tc")
int lru_conntrack(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct ct_entry *ct, fresh = {};
	struct ct_key key = {};
	struct iphdr *iph;
	struct tcphdr *th;
	__u64 *cnt;
	__u32 st;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end || iph->ihl != 5 || iph->protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	th = (void *)(iph + 1);
	if ((void *)(th + 1) > data_end)
		return TC_ACT_OK;

	key.saddr = iph->saddr;
	key.daddr = iph->daddr;
	key.sport = th->source;
	key.dport = th->dest;
	ct = bpf_map_lookup_elem(&conntrack, &key);
	if (!ct) {
		if (!th->syn)
			return TC_ACT_OK;
		fresh.state = CT_SYN_SENT;
		bpf_map_update_elem(&conntrack, &key, &fresh, BPF_NOEXIST);
		ct = bpf_map_lookup_elem(&conntrack, &key);
		if (!ct)
			return TC_ACT_OK;
	}
	if (th->fin || th->rst)
		ct->state = CT_FIN;
	else if (th->ack && ct->state == CT_SYN_SENT)
		ct->state = CT_ESTABLISHED;
	ct->last_ns = bpf_ktime_get_ns();
	ct->packets++;

	st = ct->state;
	if (st >= CT_MAX)
		return TC_ACT_OK;
	cnt = bpf_map_lookup_elem(&state_counts, &st);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
