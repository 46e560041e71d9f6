// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: 32-bit copies of packet pointers (privileged: an unknown u32) compared as scalars: 'w2 =
 * w7 (data); w2 += 64; if w2 > w3 (w(data_end))' wraps when the low half of data is near 2^32, and
 * says nothing about the 64-bit pointers. data[x & 63] is read. Unsafe: a short packet whose data
 * address has low half 0xffffffe0 passes the 32-bit check.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: pkt_mov32_ptr_cmp_unsafe unsafe stock=rejected a 32-bit copy of data + 64 compared with a 32-bit copy of data_end wraps
SEC("tc")
__attribute__((naked)) int pkt_mov32_ptr_cmp_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"call %[rnd];"
		"r8 = r0;"
		"r7 = *(u32 *)(r6 + %[data]);"
		"r3 = *(u32 *)(r6 + %[data_end]);"
		"w2 = w7;"
		"w4 = w3;"
		"w2 += 64;"
		"if w2 > w4 goto l_out_%=;"
		"r8 &= 63;"
		"r2 = r7;"
		"r2 += r8;"
		"r0 = *(u8 *)(r2 + 0);"
		"l_out_%=:"
		"r0 = 0;"
		"exit;"
		:
		: [rnd] "i"(BPF_FUNC_get_prandom_u32),
		  [data] "i"(offsetof(struct __sk_buff, data)),
		  [data_end] "i"(offsetof(struct __sk_buff, data_end))
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
