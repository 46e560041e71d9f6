// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Path refinement, a widened form of the cover-letter example that later
 * kernels' special case for AND of a [-1,0] range does not cover:
 *
 *   t = (w0 s>> 30) & -134      t is 0 or -134 for every w0 (w0 s>> 30 is in [-2,1])
 *   if (t s<= -1 && t == -136)  infeasible
 *
 * The stock verifier's tnum/interval for t admits -136 and reaches a NULL
 * dereference that cannot execute.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: arsh30_infeasible safe stock=rejected (w0 s>> 30) & -134 is {0,-134}; the t == -136 branch is dead; R1 invalid mem access 'scalar'
SEC("xdp")
int arsh30_infeasible(struct xdp_md *ctx)
{
	__u64 w = bpf_get_prandom_u32();
	__u64 ret;

	asm volatile(
		"r1 = %[w];"
		"w1 s>>= 30;"
		"w1 &= -134;"
		"%[ret] = 2;"
		"if w1 s> -1 goto +3;"
		"if w1 != -136 goto +2;"
		"r1 = 0;"
		"%[ret] = *(u64 *)(r1 + 0);"
		: [ret] "=&r"(ret)
		: [w] "r"(w)
		: "r1");
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
