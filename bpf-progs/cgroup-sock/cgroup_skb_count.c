// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Per-cgroup traffic accounting on cgroup_skb ingress and egress. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

enum { DIR_IN, DIR_OUT, DIR_MAX };

struct traffic {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DIR_MAX);
	__type(key, __u32);
	__type(value, struct traffic);
} traffic SEC(".maps");

static __always_inline int account(struct __sk_buff *skb, __u32 dir)
{
	struct traffic *t = bpf_map_lookup_elem(&traffic, &dir);

	if (t) {
		t->packets++;
		t->bytes += skb->len;
	}
	return 1;	/* allow */
}

// truth: cgroup_skb_ingress safe stock=loaded per-cpu array accounting, returns allow
SEC("cgroup_skb/ingress")
int cgroup_skb_ingress(struct __sk_buff *skb)
{
	return account(skb, DIR_IN);
}

// truth: cgroup_skb_egress safe stock=loaded per-cpu array accounting, returns allow
SEC("cgroup_skb/egress")
int cgroup_skb_egress(struct __sk_buff *skb)
{
	return account(skb, DIR_OUT);
}

char LICENSE[] SEC("license") = "GPL";
