// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: the numbers iterator's model (0015): signed bounds. new(-8, 9) runs
 * 17 rounds; a model comparing unsigned would take -8 > 9 (-EINVAL, no round)
 * and the loop's 17th round as infeasible.
 *
 * Unsafe: the 17th round indexes slot 16 of 16.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __weak __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __weak __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __weak __ksym;

struct slots {
	__u64 slot[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct slots);
} table SEC(".maps");

// truth: loop_iter_negative_start_unsafe unsafe stock=rejected new(-8, 9) runs 17 rounds, the counter reaches slot 16 of 16
SEC("tc")
int loop_iter_negative_start_unsafe(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	struct slots *s;
	__u32 key = 0, j = 0;
	int *n;

	s = bpf_map_lookup_elem(&table, &key);
	if (!s)
		return 0;
	bpf_iter_num_new(&it, -8, 9);
	while ((n = bpf_iter_num_next(&it))) {
		s->slot[j] += *n;
		j++;
		barrier_var(j);
	}
	bpf_iter_num_destroy(&it);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
