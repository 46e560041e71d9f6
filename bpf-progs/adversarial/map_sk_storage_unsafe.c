// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: bpf_sk_storage_get, a RET_PTR_TO_MAP_VALUE_OR_NULL helper other than map_lookup_elem (the
 * tracker makes its R0 a map value offset 0 from the helper's return type), on a socket storage map
 * with an 8-byte value; the index is x & 15.
 *
 * Unsafe: index up to 15 on the 8-byte storage value.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} stor SEC(".maps");

// truth: map_sk_storage_unsafe unsafe stock=rejected index x & 15 on the 8-byte socket storage value
SEC("cgroup_skb/ingress")
int map_sk_storage_unsafe(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	__u32 x = bpf_get_prandom_u32() & 15;
	__u64 *v;

	if (!sk)
		return 1;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 1;
	v = bpf_sk_storage_get(&stor, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!v)
		return 1;
	return ((volatile __u8 *)v)[x] & 1;
}

char LICENSE[] SEC("license") = "GPL";
