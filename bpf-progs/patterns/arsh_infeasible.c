// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Path refinement, the BCF cover-letter example.
 *
 *   t = (w0 s>> 31) & -134;  if (t s<= -1 && t == -136) <crash>
 *
 * w0 s>> 31 is 0 or -1, so t is 0 or -134 and the branch is infeasible. The
 * verifier's tnum for t only knows that bits 0, 2 and 7 are zero and its
 * interval is unbounded, so -136 looks possible and the verifier walks into a
 * NULL dereference on a path that can never execute.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: arsh_infeasible safe stock=loaded the 6.12.117 stable verifier (unlike 6.12.0) bounds AND of a [-1,0] range, so the dead path is pruned; arsh30_infeasible is the variant it still rejects
SEC("xdp")
int arsh_infeasible(struct xdp_md *ctx)
{
	__u64 w = bpf_get_prandom_u32();
	__u64 ret;

	asm volatile(
		"r1 = %[w];"
		"w1 s>>= 31;"
		"w1 &= -134;"
		"%[ret] = 2;"               /* XDP_PASS */
		"if w1 s> -1 goto +3;"
		"if w1 != -136 goto +2;"
		"r1 = 0;"                   /* dead path: t == -136 never holds */
		"%[ret] = *(u64 *)(r1 + 0);"
		: [ret] "=&r"(ret)
		: [w] "r"(w)
		: "r1");
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
