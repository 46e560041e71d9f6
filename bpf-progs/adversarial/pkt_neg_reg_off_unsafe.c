// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: a packet pointer with a negative fixed offset: r2 = data + (x & 15) - 4, read *(u32
 * *)(r2 + 4) (access offset 0 after reg->off -4 + insn off 4), 16 bytes checked. Unsafe: x & 15 =
 * 15 reads bytes 15..18 of a 16-byte packet.
 */
// variants: single
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: pkt_neg_reg_off_unsafe unsafe stock=rejected the u32 at data + (x & 15) spans bytes up to 18 with 16 checked
SEC("tc")
__attribute__((naked)) int pkt_neg_reg_off_unsafe(void *ctx)
{
	asm volatile(
		"r6 = r1;"
		"call %[rnd];"
		"r8 = r0;"
		"r7 = *(u32 *)(r6 + %[data]);"
		"r3 = *(u32 *)(r6 + %[data_end]);"
		"r4 = r7;"
		"r4 += 16;"
		"if r4 > r3 goto l_out_%=;"
		"r8 &= 15;"
		"r2 = r7;"
		"r2 += r8;"
		"r2 += -4;"
		"r0 = *(u32 *)(r2 + 4);"
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
