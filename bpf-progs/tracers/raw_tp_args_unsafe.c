// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE: a raw tracepoint program for sys_enter (two arguments: regs, id)
 * indexes the argument array with a syscall-derived value; raw_tp context
 * reads must use constant offsets within the tracepoint's arguments.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} last_arg SEC(".maps");

// truth: raw_tp_args_unsafe unsafe stock=rejected variable-offset read of the raw_tp context (dereference of modified ctx ptr / invalid bpf_context access)
SEC("raw_tp/sys_enter")
int raw_tp_args_unsafe(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 zero = 0, i = bpf_get_prandom_u32() & 7;
	__u64 *v = bpf_map_lookup_elem(&last_arg, &zero);

	if (!v)
		return 0;
	*v = ctx->args[i];	/* BUG: args[2..7] do not exist for sys_enter */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
