// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* TC egress L2 forwarder: destination MAC -> (ifindex, new source MAC). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define ETH_ALEN	6
#ifndef TC_ACT_OK
#define TC_ACT_OK	0
#define TC_ACT_SHOT	2
#endif

struct mac_key {
	__u8 addr[ETH_ALEN];
	__u16 pad;
};

struct fwd_entry {
	__u32 ifindex;
	__u8 smac[ETH_ALEN];
	__u16 pad;
	__u64 packets;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct mac_key);
	__type(value, struct fwd_entry);
} fdb SEC(".maps");

// truth: tc_mac_redirect safe stock=loaded hash lookup on destination MAC, bpf_redirect
SEC("tc")
int tc_mac_redirect(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct mac_key key = {};
	struct fwd_entry *fe;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	__builtin_memcpy(key.addr, eth->h_dest, ETH_ALEN);
	fe = bpf_map_lookup_elem(&fdb, &key);
	if (!fe)
		return TC_ACT_OK;
	if (!fe->ifindex)
		return TC_ACT_SHOT;
	__sync_fetch_and_add(&fe->packets, 1);
	__builtin_memcpy(eth->h_source, fe->smac, ETH_ALEN);
	return bpf_redirect(fe->ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
