// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE twin of arsh_infeasible.c: t = (w0 s>> 31) & -134 is 0 or -134, and
 * this program compares against -134, so the NULL dereference runs whenever
 * the random value has its sign bit set. A correct path refinement must find
 * the model (w0 = 0x80000000) and keep rejecting.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: arsh_feasible_unsafe unsafe stock=rejected t == -134 is reachable (w0 < 0), NULL dereference really happens
SEC("xdp")
int arsh_feasible_unsafe(struct xdp_md *ctx)
{
	__u64 w = bpf_get_prandom_u32();
	__u64 ret;

	asm volatile(
		"r1 = %[w];"
		"w1 s>>= 31;"
		"w1 &= -134;"
		"%[ret] = 2;"
		"if w1 s> -1 goto +3;"
		"if w1 != -134 goto +2;"
		"r1 = 0;"
		"%[ret] = *(u64 *)(r1 + 0);"
		: [ret] "=&r"(ret)
		: [w] "r"(w)
		: "r1");
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
