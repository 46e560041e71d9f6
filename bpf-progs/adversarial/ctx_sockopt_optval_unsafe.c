// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: packet-like context pointers of another program type: bpf_sockopt->optval/optval_end are
 * PTR_TO_PACKET/PTR_TO_PACKET_END. 8 bytes are checked, byte 8 is read.
 *
 * Unsafe: an 8-byte optval buffer reads one byte past optval_end.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

// truth: ctx_sockopt_optval_unsafe unsafe stock=rejected optval + 8 <= optval_end, then optval[8] is read
SEC("cgroup/getsockopt")
__attribute__((naked)) int ctx_sockopt_optval_unsafe(void *ctx)
{
	asm volatile(
		"r2 = *(u64 *)(r1 + %[optval]);"
		"r3 = *(u64 *)(r1 + %[optval_end]);"
		"r4 = r2;"
		"r4 += 8;"
		"if r4 > r3 goto l_out_%=;"
		"r0 = *(u8 *)(r2 + 8);"
		"l_out_%=:"
		"r0 = 1;"
		"exit;"
		:
		: [optval] "i"(offsetof(struct bpf_sockopt, optval)),
		  [optval_end] "i"(offsetof(struct bpf_sockopt, optval_end))
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
