// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: bpf_get_current_comm(fp-16, 16) writes 16 bytes over a spilled bound at fp-16.
 *
 * Unsafe: the refilled index is the first 8 bytes of the task name (e.g. 'swapper/').
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

// truth: helper_get_comm_slot_unsafe unsafe stock=rejected get_current_comm overwrites the spilled bound
SEC("kprobe/do_nanosleep")
__attribute__((naked)) int helper_get_comm_slot_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r6 &= 7;"
		"*(u64 *)(r10 - 16) = r6;"
		"r1 = r10;"
		"r1 += -16;"
		"r2 = 16;"
		"call %[comm];"
		"r9 = *(u64 *)(r10 - 16);"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r0 += r9;"
		"r1 = *(u8 *)(r0 + 0);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [vals] "i"(&vals),
		  [comm] "i"(BPF_FUNC_get_current_comm)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
