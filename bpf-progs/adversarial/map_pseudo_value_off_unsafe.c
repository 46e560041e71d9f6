// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: ld_imm64 of a map value address with an offset (BPF_PSEUDO_MAP_VALUE, map_off = 8): the
 * tracker's offset is aux->map_off. r7 = &glob.b[0] (offset 8 in a 16-byte .bss value), then
 * r7 += (x & 15) - (x & 8) + (x & 8) = x & 15 (verifier: [-8, 15] after the subtraction).
 *
 * Unsafe: offset 8 + 15 = 23 is past the 16-byte value.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct two {
	__u64 a;
	__u8 b[8];
};

struct two glob;

// truth: map_pseudo_value_off_unsafe unsafe stock=rejected offset 8 + (x & 15) is past the 16-byte .bss value
SEC("tc")
__attribute__((naked)) int map_pseudo_value_off_unsafe(void *ctx)
{
	asm volatile(
		"call %[rnd];"
		"r8 = r0;"
		"r8 &= 15;"
		"r1 = r8;"
		"r1 &= 8;"
		"r8 -= r1;"
		"r8 += r1;"
		"r7 = glob + 8 ll;"
		"r7 += r8;"
		"r1 = *(u8 *)(r7 + 0);"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32)
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
