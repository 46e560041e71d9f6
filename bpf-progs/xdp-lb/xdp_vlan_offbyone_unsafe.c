// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE, an off-by-two bug: the VLAN header check compares against the end
 * of the tag's TCI, but the program then reads the encapsulated protocol that
 * follows it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_8021Q 0x8100

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} vid_proto SEC(".maps");

// truth: xdp_vlan_offbyone_unsafe unsafe stock=rejected reads 2 bytes beyond the checked VLAN TCI (invalid access to packet)
SEC("xdp")
int xdp_vlan_offbyone_unsafe(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__be16 *tci;
	__u32 vid;
	__u64 *v;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_8021Q))
		return XDP_PASS;
	tci = (void *)(eth + 1);
	if ((void *)(tci + 1) > data_end)	/* BUG: should be tci + 2 */
		return XDP_PASS;
	vid = bpf_ntohs(tci[0]) & 0xfff;
	v = bpf_map_lookup_elem(&vid_proto, &vid);
	if (v)
		*v = bpf_ntohs(tci[1]);		/* encapsulated proto, unchecked */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
