// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* cgroup/bind4: only ports listed in a hash map may be bound below 1024. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);
	__type(value, __u8);
} allowed_low_ports SEC(".maps");

// truth: bind4_policy safe stock=loaded reads user_port, hash lookup
SEC("cgroup/bind4")
int bind4_policy(struct bpf_sock_addr *ctx)
{
	__u16 port = bpf_ntohs((__u16)ctx->user_port);

	if (port == 0 || port >= 1024)
		return 1;
	return bpf_map_lookup_elem(&allowed_low_ports, &port) ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
