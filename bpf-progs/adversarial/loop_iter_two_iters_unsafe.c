// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: the numbers iterator's model (0015): one state per stack slot. Two
 * iterators, of 8 and 17 rounds; the loop steps the second. A model that
 * confused the slots would bound the loop by the first.
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

// truth: loop_iter_two_iters_unsafe unsafe stock=rejected two iterators of 8 and 17 rounds, the loop steps the 17-round one
SEC("tc")
int loop_iter_two_iters_unsafe(struct __sk_buff *skb)
{
	struct bpf_iter_num a, b;
	struct slots *s;
	__u32 key = 0, j = 0;
	int *n;

	s = bpf_map_lookup_elem(&table, &key);
	if (!s)
		return 0;
	bpf_iter_num_new(&a, 0, 8);
	bpf_iter_num_new(&b, 0, 17);
	while ((n = bpf_iter_num_next(&b))) {
		s->slot[j] += *n;
		j++;
		barrier_var(j);
	}
	bpf_iter_num_destroy(&b);
	bpf_iter_num_destroy(&a);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
