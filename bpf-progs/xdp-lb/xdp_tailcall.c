// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Tail-call dispatcher: the entry program parses Ethernet and jumps to a
 * per-protocol program through a program array.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD

enum { PROG_V4 = 0, PROG_V6 = 1, PROG_MAX = 4 };

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, PROG_MAX);
	__type(key, __u32);
	__type(value, __u32);
} jmp_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} ttl_hist SEC(".maps");

// truth: xdp_dispatch safe stock=loaded tail call with a constant index
SEC("xdp")
int xdp_dispatch(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		bpf_tail_call(ctx, &jmp_table, PROG_V4);
	else if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		bpf_tail_call(ctx, &jmp_table, PROG_V6);
	return XDP_PASS;
}

static __always_inline void count_ttl(__u8 ttl)
{
	__u32 bucket = ttl >> 6;	/* 0..3 */
	__u64 *c = bpf_map_lookup_elem(&ttl_hist, &bucket);

	if (c)
		(*c)++;
}

// truth: xdp_handle_v4 safe stock=loaded tail-call target, re-parses with its own checks
SEC("xdp")
int xdp_handle_v4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (iph->ttl <= 1)
		return XDP_DROP;
	count_ttl(iph->ttl);
	return XDP_PASS;
}

// truth: xdp_handle_v6 safe stock=loaded tail-call target, re-parses with its own checks
SEC("xdp")
int xdp_handle_v6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6h = data + sizeof(struct ethhdr);

	if ((void *)(ip6h + 1) > data_end)
		return XDP_PASS;
	if (ip6h->hop_limit <= 1)
		return XDP_DROP;
	count_ttl(ip6h->hop_limit);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
