// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a narrow (4-byte) context load that the kernel rewrites into a pointer load.
 * xdp_md->data_meta is a u32 field, but the verifier types the load PTR_TO_PACKET_META and
 * convert_ctx_access loads the 8-byte kernel pointer. A model of 'any other load' (a fresh u32,
 * zero-extended) believes 'data_meta > 0xffffffff' is impossible and proves the gated access.
 *
 * Unsafe: always. data_meta is a kernel address (0xffff...), so the branch is taken and the index
 * (x & 0xff) reaches byte 255 of the 8-byte map value.
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

// truth: ctx_xdp_meta_ugt_unsafe unsafe stock=rejected data_meta is a 64-bit kernel address: 'meta > 0xffffffff' is always taken and the index is x & 0xff
SEC("xdp")
__attribute__((naked)) int ctx_xdp_meta_ugt_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"r7 = *(u32 *)(r6 + 8);"
		"r8 = 0xffffffff ll;"
		"if r7 > r8 goto l_in_%=;"
		"goto l_out_%=;"
		"l_in_%=:"
		"call %[rnd];"
		"r9 = r0;"
		"r9 &= 0xff;"
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
