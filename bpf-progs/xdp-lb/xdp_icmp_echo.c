// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Answers ICMP echo requests in XDP: swaps MAC and IP addresses, turns the
 * request into a reply and patches the ICMP checksum incrementally.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP	0x0800
#define ETH_ALEN	6
#define ICMP_ECHOREPLY	0
#define ICMP_ECHO	8

static __always_inline __u16 csum_fold_helper(__u32 csum)
{
	csum = (csum & 0xffff) + (csum >> 16);
	return ~((csum & 0xffff) + (csum >> 16));
}

// truth: xdp_icmp_echo safe stock=loaded fixed-size IPv4 header (ihl == 5), checked ICMP header, in-place rewrite
SEC("xdp")
int xdp_icmp_echo(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct icmphdr *icmp;
	struct iphdr *iph;
	__u8 tmac[ETH_ALEN];
	__u32 taddr, csum;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end || iph->ihl != 5 || iph->protocol != IPPROTO_ICMP)
		return XDP_PASS;
	icmp = (void *)(iph + 1);
	if ((void *)(icmp + 1) > data_end || icmp->type != ICMP_ECHO)
		return XDP_PASS;

	__builtin_memcpy(tmac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmac, ETH_ALEN);
	taddr = iph->daddr;
	iph->daddr = iph->saddr;
	iph->saddr = taddr;
	iph->ttl = 64;
	/* ttl changed: recompute the IP header checksum from scratch (5 words x 2) */
	iph->check = 0;
	{
		__u16 *p = (__u16 *)iph;
		__u32 s = 0;
		int i;

#pragma unroll
		for (i = 0; i < 10; i++)
			s += p[i];
		iph->check = csum_fold_helper(s);
	}
	/* type 8 -> 0: the checksum word changes by 0x0800 */
	icmp->type = ICMP_ECHOREPLY;
	csum = (__u16)~icmp->checksum;
	csum += (__u16)~bpf_htons(ICMP_ECHO << 8);
	icmp->checksum = csum_fold_helper(csum);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
