// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * sk_msg verdict: local socket-to-socket shortcut. Messages are redirected to
 * the peer socket found in a sockhash keyed by the reversed 4-tuple.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct sock_key {
	__u32 sip, dip;
	__u32 sport, dport;
};

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 65535);
	__type(key, struct sock_key);
	__type(value, __u64);
} sock_ops_map SEC(".maps");

// truth: sk_msg_redirect safe stock=loaded builds a key from sk_msg_md fields, bpf_msg_redirect_hash
SEC("sk_msg")
int sk_msg_redirect(struct sk_msg_md *msg)
{
	struct sock_key key = {
		.sip = msg->remote_ip4,
		.dip = msg->local_ip4,
		.sport = msg->remote_port,
		.dport = msg->local_port,
	};

	if (msg->family != 2 /* AF_INET */)
		return SK_PASS;
	return bpf_msg_redirect_hash(msg, &sock_ops_map, &key, BPF_F_INGRESS);
}

char LICENSE[] SEC("license") = "GPL";
