// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Array of maps: one inner array of per-tenant limits, selected by a tenant id
 * derived from the cgroup; the inner value is a token bucket.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define NR_TENANTS 16

struct tbucket {
	__u64 tokens;
	__u64 last_ns;
	__u64 rate_per_ms;
};

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct tbucket);
} tenant0 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, NR_TENANTS);
	__type(key, __u32);
	__array(values, struct inner);
} tenants SEC(".maps") = {
	.values = { [0] = &tenant0 },
};

// truth: map_in_map safe stock=loaded lookup in outer array of maps then inner array, both NULL-checked
SEC("cgroup_skb/egress")
int map_in_map(struct __sk_buff *skb)
{
	__u32 tenant = bpf_get_prandom_u32() % NR_TENANTS;
	__u32 cls = skb->priority & 3;
	struct tbucket *b;
	void *inner;
	__u64 now;

	inner = bpf_map_lookup_elem(&tenants, &tenant);
	if (!inner)
		return 1;
	b = bpf_map_lookup_elem(inner, &cls);
	if (!b)
		return 1;
	now = bpf_ktime_get_ns();
	b->tokens += (now - b->last_ns) / 1000000 * b->rate_per_ms;
	b->last_ns = now;
	if (b->tokens < skb->len)
		return 0;	/* drop */
	b->tokens -= skb->len;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
