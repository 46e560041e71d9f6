// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Stack slots of another frame: the caller stores a checked index (x & 7) in
 * its own stack, passes a pointer to it to a static subprogram, which writes
 * an unchecked value through it. The caller then reloads its slot.
 *
 * Unsafe: the callee stores prandom & 0xff.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

static __noinline void clobber(volatile __u64 *slot)
{
	*slot = bpf_get_prandom_u32() & 0xff;
}

// truth: stack_callee_writes_caller_unsafe unsafe stock=rejected the callee overwrites the caller's checked slot with x & 0xff
SEC("tc")
int stack_callee_writes_caller_unsafe(struct __sk_buff *skb)
{
	volatile __u64 idx = bpf_get_prandom_u32() & 7;
	__u32 key = 0;
	__u8 *v;

	clobber(&idx);
	v = bpf_map_lookup_elem(&vals, &key);
	if (!v)
		return 0;
	return v[idx];
}

char LICENSE[] SEC("license") = "GPL";
