// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * C twin of pkt_skb_pull_data_grow_unsafe: bpf_skb_pull_data(skb, 64) grows the
 * linear part, so "fewer than 64 linear bytes" before and "at least 64" after
 * both hold for a non-linear skb. A model with one packet-length variable
 * finds the second check contradicting the first and drops the path to the
 * map access, whose index (x & 0xff) overruns the 8-byte value.
 *
 * Unsafe: a 100-byte skb with a 20-byte linear part reaches the access.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define TC_ACT_OK 0

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

// truth: pkt_skb_pull_data_c_unsafe unsafe stock=rejected headlen < 64 before and >= 64 after pull_data: the gated access indexes 8 bytes with x & 0xff
SEC("tc")
int pkt_skb_pull_data_c_unsafe(struct __sk_buff *skb)
{
	__u32 idx = bpf_get_prandom_u32() & 0xff;
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 key = 0;
	__u8 *v;

	if (data + 64 <= data_end)
		return TC_ACT_OK;	/* only short linear parts go on */
	if (bpf_skb_pull_data(skb, 64))
		return TC_ACT_OK;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	if (data + 64 > data_end)
		return TC_ACT_OK;
	v = bpf_map_lookup_elem(&vals, &key);
	if (!v)
		return TC_ACT_OK;
	return v[idx];
}

char LICENSE[] SEC("license") = "GPL";
