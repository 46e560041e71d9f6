// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE: per-port histogram stored as an array inside a map value; the
 * bucket check uses <= instead of <, so bucket == NR_BUCKETS writes one slot
 * past the value.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define NR_BUCKETS 32

struct buckets {
	__u64 b[NR_BUCKETS];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct buckets);
} len_buckets SEC(".maps");

// truth: value_array_oob_unsafe unsafe stock=rejected off-by-one bucket check writes b[32] past the 256-byte value
SEC("socket")
int value_array_oob_unsafe(struct __sk_buff *skb)
{
	__u32 zero = 0, bucket = skb->len / 64;
	struct buckets *v = bpf_map_lookup_elem(&len_buckets, &zero);

	if (!v)
		return 0;
	if (bucket <= NR_BUCKETS)	/* BUG: should be < */
		v->b[bucket]++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
