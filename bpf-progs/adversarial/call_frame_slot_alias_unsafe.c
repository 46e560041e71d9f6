// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: stack frames across a bpf-to-bpf call inside the suffix (0021). The caller spills
 * x & 0xff to its fp-8 and passes a pointer to that slot; the callee spills x & 0x0f to its own
 * fp-8, looks up a 16-byte value and indexes it with what it reads through the pointer. A model
 * that files the callee's r10-based slots under the caller's frame reads x & 0x0f and proves the
 * index.
 *
 * Unsafe: the pointer reads the caller's slot, x & 0xff.
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

__attribute__((naked, noinline, used)) static int read_through(void)
{
	asm volatile(
		"r3 = r2;"
		"r3 &= 0xf;"
		"*(u64 *)(r10 - 8) = r3;"
		"r6 = r1;"
		"r1 = 0;"
		"*(u32 *)(r10 - 16) = r1;"
		"r2 = r10;"
		"r2 += -16;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r4 = *(u64 *)(r6 + 0);"
		"r0 += r4;"
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

// truth: call_frame_slot_alias_unsafe unsafe stock=rejected the callee reads the caller's fp-8 (x&0xff) through a pointer, not its own fp-8 (x&0x0f)
SEC("tc")
__attribute__((naked)) int call_frame_slot_alias_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r1 = r0;"
		"r1 &= 0xff;"
		"*(u64 *)(r10 - 8) = r1;"
		"r1 = r10;"
		"r1 += -8;"
		"r2 = r0;"
		"call read_through;"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
