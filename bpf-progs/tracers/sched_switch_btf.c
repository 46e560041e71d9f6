// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * tp_btf/sched_switch: per-task on-CPU time. The previous task's run time is
 * added to its entry in an LRU hash; the next task's switch-in time is kept in
 * a per-CPU array.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} switch_in_ts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} oncpu_ns SEC(".maps");

// truth: on_switch safe stock=loaded BTF-typed task pointers read directly (tp_btf), per-cpu array and LRU hash
SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 zero = 0, pid = prev->pid;
	__u64 now = bpf_ktime_get_ns(), *ts, *total, delta;

	ts = bpf_map_lookup_elem(&switch_in_ts, &zero);
	if (!ts)
		return 0;
	if (*ts && pid) {
		delta = now - *ts;
		total = bpf_map_lookup_elem(&oncpu_ns, &pid);
		if (total)
			*total += delta;
		else
			bpf_map_update_elem(&oncpu_ns, &pid, &delta, BPF_NOEXIST);
	}
	*ts = now;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
