// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE: a cgroup_skb program that reads the socket's family through
 * skb->sk without the NULL check (skb->sk may be NULL).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} per_family SEC(".maps");

// truth: sk_null_deref_unsafe unsafe stock=rejected dereferences skb->sk (sock_common_or_null) without a NULL check
SEC("cgroup_skb/egress")
int sk_null_deref_unsafe(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	__u32 fam;
	__u64 *v;

	fam = sk->family & 15;	/* BUG: sk may be NULL */
	v = bpf_map_lookup_elem(&per_family, &fam);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
