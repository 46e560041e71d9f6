// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Min/max/sum of packet sizes per protocol class, updated under bpf_spin_lock. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct size_stats {
	struct bpf_spin_lock lock;
	__u32 min;
	__u32 max;
	__u64 sum;
	__u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct size_stats);
} sizes SEC(".maps");

// truth: spinlock_stats safe stock=loaded lock/unlock on every path, no helper calls inside the critical section
SEC("tc")
int spinlock_stats(struct __sk_buff *skb)
{
	__u32 cls = skb->protocol & 0xf, len = skb->len;
	struct size_stats *s, init = { .min = ~0U };

	s = bpf_map_lookup_elem(&sizes, &cls);
	if (!s) {
		bpf_map_update_elem(&sizes, &cls, &init, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&sizes, &cls);
		if (!s)
			return 0;
	}
	bpf_spin_lock(&s->lock);
	if (len < s->min)
		s->min = len;
	if (len > s->max)
		s->max = len;
	s->sum += len;
	s->count++;
	bpf_spin_unlock(&s->lock);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
