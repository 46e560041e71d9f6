// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a variable-offset stack write (r2 = r10 - 16 + (x & 7), then *(u8 *)(r2 + 0) = r6) into
 * a slot holding a checked bound s & 7 spilled at fp-16. The write is not a fixed-offset stack
 * access (no INSN_F_STACK_ACCESS), so a model that only clobbers flagged or r10-based slots keeps
 * the spilled bound. Unsafe: the byte written is prandom: the refilled index
 * gets a random byte in bits 0..63, far past the value.
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

// truth: stack_varoff_byte_clobber_unsafe unsafe stock=rejected a variable-offset byte store changes one byte of the spilled bound
SEC("tc")
__attribute__((naked)) int stack_varoff_byte_clobber_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r8 = r6;"
		"r8 &= 7;"
		"*(u64 *)(r10 - 16) = r8;"
		"r7 = r6;"
		"r7 >>= 8;"
		"r7 &= 7;"
		"r2 = r10;"
		"r2 += -16;"
		"r2 += r7;"
		"*(u8 *)(r2 + 0) = r6;"
		"r8 = *(u64 *)(r10 - 16);"
		"r7 = r8;"
		"r7 &= 3;"
		"r8 -= r7;"
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
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [vals] "i"(&vals)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
