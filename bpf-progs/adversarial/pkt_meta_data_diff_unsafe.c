// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: data - data_meta (a PTR_TO_PACKET minus a PTR_TO_PACKET_META; privileged: an unknown
 * scalar) used as an index. data_meta is a 4-byte context load rewritten into a pointer load; the
 * difference is the metadata length, 0..255 or more. Unsafe: 32 bytes of metadata give index 32 on
 * an 8-byte value.
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

// truth: pkt_meta_data_diff_unsafe unsafe stock=rejected the metadata length data - data_meta indexes an 8-byte value
SEC("xdp")
__attribute__((naked)) int pkt_meta_data_diff_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"r2 = *(u32 *)(r6 + %[meta]);"
		"r3 = *(u32 *)(r6 + %[data]);"
		"r8 = r3;"
		"r8 -= r2;"
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
		"r0 = 2;"
		"exit;"
		:
		: [lookup] "i"(BPF_FUNC_map_lookup_elem),
		  [vals] "i"(&vals),
		  [meta] "i"(offsetof(struct xdp_md, data_meta)),
		  [data] "i"(offsetof(struct xdp_md, data))
		: "memory");
}

char LICENSE[] SEC("license") = "GPL";
