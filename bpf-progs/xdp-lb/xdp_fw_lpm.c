// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * XDP firewall: drops IPv4 packets whose source matches a prefix in an LPM
 * trie, and TCP/UDP packets to a blocked destination port.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800

struct lpm_v4_key {
	__u32 prefixlen;
	__u32 addr;
};

struct rule {
	__u64 drops;
	__u32 action;	/* XDP_DROP or XDP_PASS */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__type(key, struct lpm_v4_key);
	__type(value, struct rule);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} src_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u16);
	__type(value, __u64);
} blocked_ports SEC(".maps");

// truth: xdp_fw_lpm safe stock=loaded LPM trie lookup and port hash with checked L4 header
SEC("xdp")
int xdp_fw_lpm(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct lpm_v4_key key;
	struct iphdr *iph;
	struct rule *r;
	__u64 *cnt;
	__u16 dport;
	void *l4;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;

	key.prefixlen = 32;
	key.addr = iph->saddr;
	r = bpf_map_lookup_elem(&src_rules, &key);
	if (r && r->action == XDP_DROP) {
		__sync_fetch_and_add(&r->drops, 1);
		return XDP_DROP;
	}

	if (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP)
		return XDP_PASS;
	l4 = (void *)iph + (iph->ihl & 0xf) * 4;
	/* both tcphdr and udphdr start with source, dest */
	if (l4 + 4 > data_end)
		return XDP_PASS;
	dport = bpf_ntohs(*(__be16 *)(l4 + 2));
	cnt = bpf_map_lookup_elem(&blocked_ports, &dport);
	if (cnt) {
		__sync_fetch_and_add(cnt, 1);
		return XDP_DROP;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
