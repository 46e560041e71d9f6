// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE: a ring-buffer record is reserved and, on an early-exit path for
 * kernel threads, neither submitted nor discarded. The reservation leaks.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct fork_event {
	__u32 parent;
	__u32 child;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} forks SEC(".maps");

// truth: handle_fork_unsafe unsafe stock=rejected ringbuf reservation not released on one path (Unreleased reference)
SEC("tp/sched/sched_process_fork")
int handle_fork_unsafe(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fork_event *e;

	e = bpf_ringbuf_reserve(&forks, sizeof(*e), 0);
	if (!e)
		return 0;
	if (BPF_CORE_READ(task, flags) & 0x00200000 /* PF_KTHREAD */)
		return 0;	/* BUG: leaks e */
	e->parent = bpf_get_current_pid_tgid() >> 32;
	e->child = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
