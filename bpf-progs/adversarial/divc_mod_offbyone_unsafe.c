// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Target: division by a constant (certificate version 2 encodes it by its
 * definition: quotient Q, remainder R = A - Q*d, Q*d <= A, R < d). The twin of
 * patterns/mod_index with one more residue: x % 17 reaches 16, one past the
 * 16-byte array. clang-14 writes x - (x / 17) * 17, newer clangs BPF_MOD; an
 * encoding that bounds R by d - 1 one too tightly, or lets Q*d wrap, proves
 * the index in range in one of the two forms.
 *
 * Unsafe: x = 16 (or any x = 16 mod 17) writes one byte past the map value.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct val {
	__u64 x;
	__u64 y;
	__u8 data[16];		/* value_size 32, data at offset 16 */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct val);
} vals SEC(".maps");

// truth: divc_mod_offbyone_unsafe unsafe stock=rejected x % 17 reaches 16, one past the 16-byte array
SEC("tc")
int divc_mod_offbyone_unsafe(void *ctx)
{
	__u32 key = bpf_get_prandom_u32() & 3;
	struct val *v;
	__u64 x, i;

	v = bpf_map_lookup_elem(&vals, &key);
	if (!v)
		return 0;
	x = v->x;
	barrier_var(x);
	i = x % 17;
	barrier_var(i);
	v->data[i] += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
