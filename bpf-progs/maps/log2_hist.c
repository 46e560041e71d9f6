// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Packet-size histogram with log2 buckets stored in ONE map value (an array
 * of 64 slots) and indexed by the bucket number without a clamp: the log2 of
 * a u64 is at most 63 and the verifier can see it (OR of bounded shifts).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct hist64 {
	__u64 slot[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hist64);
} size_hist SEC(".maps");

static __always_inline __u64 log2l(__u64 v)
{
	__u64 r = 0, s;

	s = (v > 0xFFFFFFFFULL) << 5; v >>= s; r |= s;
	s = (v > 0xFFFF) << 4; v >>= s; r |= s;
	s = (v > 0xFF) << 3; v >>= s; r |= s;
	s = (v > 0xF) << 2; v >>= s; r |= s;
	s = (v > 0x3) << 1; v >>= s; r |= s;
	r |= (v >> 1);
	return r;
}

// truth: log2_hist safe stock=loaded log2 of a u64 is an OR of bounded shifts, tracked as [0,63] by tnum; indexes a 64-slot value unclamped
SEC("tc")
int log2_hist(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct hist64 *h = bpf_map_lookup_elem(&size_hist, &zero);
	__u64 b;

	if (!h)
		return 0;
	b = log2l(skb->len);
	h->slot[b]++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
