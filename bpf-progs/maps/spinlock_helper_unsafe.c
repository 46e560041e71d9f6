// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE: calls a helper (bpf_ktime_get_ns) while holding a bpf_spin_lock and
 * returns early without unlocking on one path.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct stamp {
	struct bpf_spin_lock lock;
	__u32 seq;
	__u64 ts;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stamp);
} stamps SEC(".maps");

// truth: spinlock_helper_unsafe unsafe stock=rejected helper call inside a spin-locked region and a path that returns with the lock held
SEC("tc")
int spinlock_helper_unsafe(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct stamp *s = bpf_map_lookup_elem(&stamps, &zero);

	if (!s)
		return 0;
	bpf_spin_lock(&s->lock);
	if (skb->len > 1500)
		return 1;		/* BUG: still locked */
	s->seq++;
	s->ts = bpf_ktime_get_ns();	/* BUG: helper call under lock */
	bpf_spin_unlock(&s->lock);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
