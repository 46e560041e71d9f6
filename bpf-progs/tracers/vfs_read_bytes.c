// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* kretprobe on vfs_read: bytes read per process (tgid), percpu hash. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u64);
} read_bytes SEC(".maps");

// truth: vfs_read_ret safe stock=loaded kretprobe return value via PT_REGS_RC, percpu hash update
SEC("kretprobe/vfs_read")
int BPF_KRETPROBE(vfs_read_ret, long ret)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 *b, val;

	if (ret <= 0)
		return 0;
	b = bpf_map_lookup_elem(&read_bytes, &tgid);
	if (b) {
		*b += ret;
	} else {
		val = ret;
		bpf_map_update_elem(&read_bytes, &tgid, &val, BPF_NOEXIST);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
