// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE twin of iter_counter_index.c: the iterator runs 17 rounds and the
 * counter j indexes a 16-slot array, so the last round writes slot[16], one
 * past the end of the map value.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __weak __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __weak __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __weak __ksym;

#define SLOTS 16
#define ROUNDS 17

struct slots {
	__u64 slot[SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct slots);
} table SEC(".maps");

// truth: iter_counter_unsafe unsafe stock=rejected 17 iterator rounds write slot[16], one past the 16-slot value
SEC("tc")
int iter_counter_unsafe(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	struct slots *s;
	__u32 key = 0, j = 0;
	int *n;

	s = bpf_map_lookup_elem(&table, &key);
	if (!s)
		return 0;
	bpf_iter_num_new(&it, 0, ROUNDS);
	while ((n = bpf_iter_num_next(&it))) {
		s->slot[j] += *n;
		j++;
		barrier_var(j);
	}
	bpf_iter_num_destroy(&it);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
