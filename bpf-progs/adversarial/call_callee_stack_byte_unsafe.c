// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: the callee's stack is new memory (0021). The caller stores the byte 3 at its fp-1 and
 * calls a static subprogram that loads the byte at its own fp-1, which nothing wrote, and indexes
 * a 16-byte value with it. A model that keeps the caller's stack bytes for the callee's r10
 * reads 3.
 *
 * Unsafe: a privileged program may read uninitialised stack; the callee's fp-1 holds whatever
 * the stack memory held before, up to 255.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[16]);
} vals SEC(".maps");

__attribute__((naked, noinline, used)) static int own_byte(void)
{
	asm volatile(
		"r6 = *(u8 *)(r10 - 1);"
		"r1 = 0;"
		"*(u32 *)(r10 - 8) = r1;"
		"r2 = r10;"
		"r2 += -8;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r0 += r6;"
		"r0 = *(u8 *)(r0 + 0);"
		"exit;"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [vals] "i"(&vals)
		: "memory");
}

// truth: call_callee_stack_byte_unsafe unsafe stock=rejected the callee's fp-1 is uninitialised (the caller's fp-1 holds 3), read as an index into 16 bytes
SEC("tc")
__attribute__((naked)) int call_callee_stack_byte_unsafe(void *ctx)
{
	asm volatile(
		"r1 = 3;"
		"*(u8 *)(r10 - 1) = r1;"
		"call own_byte;"
		"r0 = 0;"
		"exit;"
		::: "memory");
}

char LICENSE[] SEC("license") = "GPL";
