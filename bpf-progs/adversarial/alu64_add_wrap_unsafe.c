// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a model of ALU64 ADD without wrap-around (unbounded integers). x = prandom (u32); s = x
 * + S64_MAX. Mathematically s >= 0, so 'if s s>= 0 goto out' would always leave and the map access
 * below would be dead. In 64-bit arithmetic s wraps to a negative value for every x >= 1, so the
 * access runs with index x.
 *
 * Unsafe: x = 8 gives s = S64_MIN + 7 < 0 and reads byte 8 of an 8-byte map value.
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

// truth: alu64_add_wrap_unsafe unsafe stock=rejected x + S64_MAX wraps negative for x >= 1: the gated access indexes an 8-byte value with x
SEC("tc")
__attribute__((naked)) int alu64_add_wrap_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r6 = r0;"
		"r7 = 0x7fffffffffffffff ll;"
		"r7 += r6;"
		"if r7 s>= 0 goto l_out_%=;"
		"r9 = r6;"
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
		  [vals] "i"(&vals)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
