// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Socket filter (AF_PACKET style, starting at the Ethernet header): keeps only
 * UDP port 53 over IPv4, using bpf_skb_load_bytes.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP	0x0800
#define ETH_HLEN	14

// truth: socket_filter_dns safe stock=loaded bpf_skb_load_bytes into stack buffers with constant and masked offsets
SEC("socket")
int socket_filter_dns(struct __sk_buff *skb)
{
	struct iphdr iph;
	__be16 proto, ports[2];
	__u32 l4off;

	if (bpf_skb_load_bytes(skb, 12, &proto, sizeof(proto)) < 0)
		return 0;
	if (proto != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &iph, sizeof(iph)) < 0)
		return 0;
	if (iph.protocol != IPPROTO_UDP)
		return 0;
	l4off = ETH_HLEN + (iph.ihl & 0xf) * 4;
	if (bpf_skb_load_bytes(skb, l4off, ports, sizeof(ports)) < 0)
		return 0;
	if (ports[0] == bpf_htons(53) || ports[1] == bpf_htons(53))
		return skb->len;	/* keep whole packet */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
