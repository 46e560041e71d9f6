// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a helper that writes into a stack slot holding a proven bound. idx = x & 7 is spilled to
 * fp-16, then bpf_probe_read_kernel(fp-16, 8, ctx) overwrites the slot with the first 8 bytes of
 * pt_regs. A model that keeps the spilled value across the call proves the index.
 *
 * Unsafe: the refilled value is r15 of the probed task, arbitrary.
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

// truth: helper_probe_read_slot_unsafe unsafe stock=rejected probe_read_kernel overwrites the spilled bound with pt_regs contents
SEC("kprobe/do_nanosleep")
__attribute__((naked)) int helper_probe_read_slot_unsafe(void *ctx)
{
	asm volatile(
		"r7 = r1;"
		"call %[rnd];"
		"r6 = r0;"
		"r6 &= 7;"
		"*(u64 *)(r10 - 16) = r6;"
		"r1 = r10;"
		"r1 += -16;"
		"r2 = 8;"
		"r3 = r7;"
		"call %[probe_read];"
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
		  [probe_read] "i"(BPF_FUNC_probe_read_kernel)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
