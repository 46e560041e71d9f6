// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a numbers-iterator loop that converges (0015). y toggles between 0
 * and 1 each round, so the verifier widens it to unknown at a later round's
 * next() and prunes the rounds after against that checkpoint while it is
 * still being explored. A branch sets y = 5 and loops; pruned there, its next
 * round is covered only by what the checkpoint's other continuations
 * establish. BCF may not establish that from the exact path through the
 * checkpoint (where y is 0 or 1): a refinement whose suffix holds a
 * checkpoint that pruned a path while in progress is refused.
 *
 * Unsafe: after y = 5, the next round reads v[5] of a 2-element value.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __weak __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __weak __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __weak __ksym;

struct pair {
	__u64 v[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pair);
} vals SEC(".maps");

// truth: loop_iter_converge_unsafe unsafe stock=rejected a branch sets the toggled index to 5 and the next round reads v[5] of 2
SEC("tc")
int loop_iter_converge_unsafe(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	__u32 key = 0, y = 0;
	__u64 sum = 0;
	struct pair *p;

	p = bpf_map_lookup_elem(&vals, &key);
	if (!p)
		return 0;
	bpf_iter_num_new(&it, 0, 100);
	while (bpf_iter_num_next(&it)) {
		if (bpf_get_prandom_u32() & 1) {
			sum += p->v[y];
			continue;
		}
		if (bpf_get_prandom_u32() & 2) {
			y = 5;
			continue;
		}
		y ^= 1;
	}
	bpf_iter_num_destroy(&it);
	return sum & 1;
}

char LICENSE[] SEC("license") = "GPL";
