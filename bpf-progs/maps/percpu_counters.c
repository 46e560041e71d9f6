// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Per-CPU event counters indexed by a small event id, socket filter hook. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define NR_EVENTS 8

struct evcount {
	__u64 count;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NR_EVENTS);
	__type(key, __u32);
	__type(value, struct evcount);
} ev_counts SEC(".maps");

// truth: percpu_counters safe stock=loaded per-cpu array lookups keyed by skb fields
SEC("socket")
int percpu_counters(struct __sk_buff *skb)
{
	__u32 key = skb->pkt_type & (NR_EVENTS - 1);
	struct evcount *c = bpf_map_lookup_elem(&ev_counts, &key);

	if (c) {
		c->count++;
		c->bytes += skb->len;
	}
	key = NR_EVENTS - 1;
	c = bpf_map_lookup_elem(&ev_counts, &key);
	if (c)
		c->count++;
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
