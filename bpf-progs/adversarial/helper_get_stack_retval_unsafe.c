// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a helper return value with a verifier-refined range (bpf_get_stack: [-MAX_ERRNO, size])
 * used as an index. The return is the number of bytes copied, up to 64. Unsafe: a 64-byte stack
 * gives index 64 - (64 & 3) = 64 on an 8-byte value.
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

// truth: helper_get_stack_retval_unsafe unsafe stock=rejected bpf_get_stack returns up to 64
SEC("kprobe")
__attribute__((naked)) int helper_get_stack_retval_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"r1 = 0;"
		"*(u64 *)(r10 - 72) = r1;"
		"*(u64 *)(r10 - 64) = r1;"
		"*(u64 *)(r10 - 56) = r1;"
		"*(u64 *)(r10 - 48) = r1;"
		"*(u64 *)(r10 - 40) = r1;"
		"*(u64 *)(r10 - 32) = r1;"
		"*(u64 *)(r10 - 24) = r1;"
		"*(u64 *)(r10 - 16) = r1;"
		"r1 = r6;"
		"r2 = r10;"
		"r2 += -72;"
		"r3 = 64;"
		"r4 = 0;"
		"call %[getstack];"
		"if r0 s< 0 goto l_out_%=;"
		"r8 = r0;"
		"r1 = r8;"
		"r1 &= 3;"
		"r8 -= r1;"
		"r8 += r1;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r0 += r8;"
		"r1 = *(u8 *)(r0 + 0);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [getstack] "i"(BPF_FUNC_get_stack),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [vals] "i"(&vals)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
