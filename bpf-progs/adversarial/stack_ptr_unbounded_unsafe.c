// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: stack pointer arithmetic with an unbounded scalar (range refinement of r10 + s). 's s<=
 * -1' is the only check; BCF must prove s within the allocated stack [-16, -1].
 *
 * Unsafe: s = -1000 reads 1000 bytes below the frame pointer, outside the 512-byte stack.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: stack_ptr_unbounded_unsafe unsafe stock=rejected s s<= -1 does not keep r10 + s inside the stack
SEC("tc")
__attribute__((naked)) int stack_ptr_unbounded_unsafe(void *ctx)
{
	asm volatile(
		"r1 = 0;"
		"*(u64 *)(r10 - 8) = r1;"
		"*(u64 *)(r10 - 16) = r1;"
		"call %[rnd];"
		"r6 = r0;"
		"r6 <<= 32;"
		"call %[rnd];"
		"r6 |= r0;"
		"if r6 s> -1 goto l_out_%=;"
		"r7 = r10;"
		"r7 += r6;"
		"r1 = *(u8 *)(r7 + 0);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
