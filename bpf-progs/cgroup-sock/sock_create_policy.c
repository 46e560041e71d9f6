// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* cgroup/sock_create: refuse raw and packet sockets, count the refusals. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define AF_INET		2
#define AF_INET6	10
#define AF_PACKET	17
#define SOCK_RAW	3

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} denied SEC(".maps");

// truth: sock_create_policy safe stock=loaded reads bpf_sock family/type/protocol at fixed offsets
SEC("cgroup/sock_create")
int sock_create_policy(struct bpf_sock *sk)
{
	__u32 zero = 0;
	__u64 *d;

	if (sk->family == AF_PACKET ||
	    ((sk->family == AF_INET || sk->family == AF_INET6) && sk->type == SOCK_RAW)) {
		d = bpf_map_lookup_elem(&denied, &zero);
		if (d)
			__sync_fetch_and_add(d, 1);
		return 0;
	}
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
