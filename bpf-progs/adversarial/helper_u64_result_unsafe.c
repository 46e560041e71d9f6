// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: the width of a helper's result. Since 0023 the tracker gives R0 of
 * bpf_get_prandom_u32() and bpf_get_smp_processor_id() a zero upper half, because their C
 * functions return 32-bit values. bpf_get_current_pid_tgid() returns tgid << 32 | pid, a full
 * 64-bit value; its upper half, the thread group id, indexes a 16-byte map value here. A model
 * that zero-extends every helper's result proves the index is 0.
 *
 * Unsafe: any process but the idle task has a tgid of 1 or more, and the index is the tgid.
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

// truth: helper_u64_result_unsafe unsafe stock=rejected bpf_get_current_pid_tgid() >> 32 is the caller's tgid, which indexes a 16-byte value
SEC("tc")
__attribute__((naked)) int helper_u64_result_unsafe(void *ctx)
{
	asm volatile(
		"call %[pid_tgid];"
		"r6 = r0;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[vals] ll;"
		"call %[lookup];"
		"if r0 == 0 goto l_out_%=;"
		"r6 >>= 32;"
		"r0 += r6;"
		"r0 = *(u8 *)(r0 + 0);"
		"exit;"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [pid_tgid] "i"(BPF_FUNC_get_current_pid_tgid),
		  [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [vals] "i"(&vals)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
