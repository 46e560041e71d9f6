// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Free-list of slot ids in a queue map; allocation pops, release pushes. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define NR_SLOTS 64

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, NR_SLOTS);
	__type(value, __u32);
} free_ids SEC(".maps");

struct slot_table {
	__u64 owner[NR_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct slot_table);
} owners SEC(".maps");

// truth: queue_alloc safe stock=loaded popped id masked to the table size before indexing
SEC("kprobe/do_nanosleep")
int queue_alloc(void *ctx)
{
	__u32 id, zero = 0;
	struct slot_table *t;

	if (bpf_map_pop_elem(&free_ids, &id))
		return 0;
	t = bpf_map_lookup_elem(&owners, &zero);
	if (!t)
		return 0;
	t->owner[id & (NR_SLOTS - 1)] = bpf_get_current_pid_tgid();
	if (id >= NR_SLOTS / 2)	/* give back the upper half */
		bpf_map_push_elem(&free_ids, &id, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
