// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: pointer-arithmetic refinement on the stack: r2 = r10 - 8 plus s = y - (y & ~63)
 * (unbounded for the verifier); BCF may narrow s to the allocated stack [-allocated - (-8), -1 -
 * (-8)]. s is x & 63, so the result can be fp + 55, above the frame. Unsafe: s = 63 writes at fp +
 * 55, into the caller's frame / return address area.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: ptralu_stack_varoff_unsafe unsafe stock=rejected s up to 63 moves r10 - 8 to r10 + 55 (above the frame)
SEC("tc")
__attribute__((naked)) int ptralu_stack_varoff_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r8 = r6;"
		"r1 = r6;"
		"r1 &= -64;"
		"r8 -= r1;"
		"r1 = 0;"
		"*(u64 *)(r10 - 64) = r1;"
		"*(u64 *)(r10 - 56) = r1;"
		"*(u64 *)(r10 - 48) = r1;"
		"*(u64 *)(r10 - 40) = r1;"
		"*(u64 *)(r10 - 32) = r1;"
		"*(u64 *)(r10 - 24) = r1;"
		"*(u64 *)(r10 - 16) = r1;"
		"*(u64 *)(r10 - 8) = r1;"
		"r2 = r10;"
		"r2 += -8;"
		"r2 += r8;"
		"r1 = 1;"
		"*(u8 *)(r2 + 0) = r1;"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
