// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a helper that writes the stack through a map-value argument. Since 0020 a helper call
 * keeps the tracked stack when every argument is one the helper only reads (map keys, read-only
 * memory, the context ...). bpf_map_peek_elem()'s value argument is ARG_PTR_TO_MAP_VALUE like
 * bpf_map_update_elem()'s, but flagged MEM_UNINIT | MEM_WRITE: it copies the queue's head into
 * the slot. x & 0xff and x & 0xf0 are spilled, 1000 is pushed into the queue and peeked into the
 * first slot, and the difference of the two filled slots indexes a 16-byte value. A model that
 * keeps the first slot proves the index is x & 0x0f.
 *
 * Unsafe: the first slot holds 1000 after the peek, the index is at least 760.
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

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 4);
	__type(value, __u64);
} fifo SEC(".maps");

// truth: helper_map_peek_slot_unsafe unsafe stock=rejected bpf_map_peek_elem writes 1000 over the spilled x&0xff; the index is then at least 760
SEC("xdp")
__attribute__((naked)) int helper_map_peek_slot_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r1 = r0;"
		"r1 &= 0xff;"
		"*(u64 *)(r10 - 16) = r1;"
		"r1 = r0;"
		"r1 &= 0xf0;"
		"*(u64 *)(r10 - 24) = r1;"
		"r1 = 1000;"
		"*(u64 *)(r10 - 32) = r1;"
		"r2 = r10;"
		"r2 += -32;"
		"r1 = %[fifo] ll;"
		"r3 = 0;"
		"call %[push];"
		"r2 = r10;"
		"r2 += -16;"
		"r1 = %[fifo] ll;"
		"call %[peek];"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r1 = *(u64 *)(r10 - 16);"
		"r2 = *(u64 *)(r10 - 24);"
		"r1 -= r2;"
		"r0 += r1;"
		"r1 = *(u8 *)(r0 + 0);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [push] "i"(BPF_FUNC_map_push_elem),
		  [peek] "i"(BPF_FUNC_map_peek_elem),
		  [vals] "i"(&vals),
		  [fifo] "i"(&fifo)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
