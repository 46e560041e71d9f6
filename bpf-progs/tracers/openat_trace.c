// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* openat tracer on the syscall tracepoint: pid, flags and the user path. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define PATH_LEN 128

struct open_event {
	__u32 pid;
	__u32 flags;
	__s32 path_len;
	char path[PATH_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} opens SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u8);
} watched_pids SEC(".maps");

// truth: trace_openat safe stock=loaded syscall tracepoint context (args[] fixed offsets), probe_read_user_str into ringbuf memory
SEC("tracepoint/syscalls/sys_enter_openat")
int trace_openat(struct trace_event_raw_sys_enter *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct open_event *e;

	if (!bpf_map_lookup_elem(&watched_pids, &pid))
		return 0;
	e = bpf_ringbuf_reserve(&opens, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = pid;
	e->flags = (__u32)ctx->args[2];
	e->path_len = bpf_probe_read_user_str(e->path, sizeof(e->path), (const char *)ctx->args[1]);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
