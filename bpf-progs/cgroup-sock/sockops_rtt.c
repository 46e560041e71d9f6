// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * sockops: enables RTT callbacks on established connections and keeps the
 * smoothed RTT per remote port.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u32);
} srtt_by_port SEC(".maps");

// truth: sockops_rtt safe stock=loaded switch on op, bpf_sock_ops_cb_flags_set, fixed-offset ctx reads
SEC("sockops")
int sockops_rtt(struct bpf_sock_ops *skops)
{
	__u32 port, srtt;

	switch (skops->op) {
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		bpf_sock_ops_cb_flags_set(skops, BPF_SOCK_OPS_RTT_CB_FLAG);
		break;
	case BPF_SOCK_OPS_RTT_CB:
		port = skops->remote_port >> 16;
		srtt = skops->srtt_us >> 3;
		bpf_map_update_elem(&srtt_by_port, &port, &srtt, BPF_ANY);
		break;
	}
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
