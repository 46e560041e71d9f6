// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* fentry/fexit on do_unlinkat: counts unlinks per uid and failures per errno. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} unlinks_per_uid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} errors SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} names SEC(".maps");

// truth: unlink_enter safe stock=loaded fentry with BTF-typed args, bpf_probe_read_kernel_str into a ringbuf record
SEC("fentry/do_unlinkat")
int BPF_PROG(unlink_enter, int dfd, struct filename *name)
{
	__u32 uid = (__u32)bpf_get_current_uid_gid();
	__u64 one = 1, *cnt;
	char *buf;

	cnt = bpf_map_lookup_elem(&unlinks_per_uid, &uid);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		bpf_map_update_elem(&unlinks_per_uid, &uid, &one, BPF_NOEXIST);

	buf = bpf_ringbuf_reserve(&names, 256, 0);
	if (!buf)
		return 0;
	bpf_probe_read_kernel_str(buf, 256, BPF_CORE_READ(name, name));
	bpf_ringbuf_submit(buf, 0);
	return 0;
}

// truth: unlink_exit safe stock=loaded fexit return value negated and range-checked before indexing an array map key
SEC("fexit/do_unlinkat")
int BPF_PROG(unlink_exit, int dfd, struct filename *name, long ret)
{
	__u32 err;
	__u64 *cnt;

	if (ret >= 0)
		return 0;
	err = -ret;
	if (err >= 64)
		err = 63;
	cnt = bpf_map_lookup_elem(&errors, &err);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
