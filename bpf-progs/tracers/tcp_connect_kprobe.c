// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * kprobe/kretprobe on tcp_v4_connect: remembers the socket at entry and, if
 * connect succeeded, emits (pid, daddr, dport) through a perf event array.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

struct conn_event {
	__u32 pid;
	__u32 daddr;
	__u16 dport;
	__u16 pad;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct sock *);
} pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} conn_events SEC(".maps");

// truth: connect_enter safe stock=loaded stores the sk argument keyed by thread id
SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE(connect_enter, struct sock *sk)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_update_elem(&pending, &tid, &sk, BPF_ANY);
	return 0;
}

// truth: connect_exit safe stock=loaded CO-RE reads through a pointer stored in a map, perf event output from the stack
SEC("kretprobe/tcp_v4_connect")
int BPF_KRETPROBE(connect_exit, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct conn_event ev = {};
	struct sock **skp, *sk;

	skp = bpf_map_lookup_elem(&pending, &tid);
	if (!skp)
		return 0;
	sk = *skp;
	bpf_map_delete_elem(&pending, &tid);
	if (ret)
		return 0;
	ev.pid = bpf_get_current_pid_tgid() >> 32;
	ev.daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
	ev.dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	bpf_get_current_comm(ev.comm, sizeof(ev.comm));
	bpf_perf_event_output(ctx, &conn_events, BPF_F_CURRENT_CPU, &ev, sizeof(ev));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
