// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * UNSAFE: a connect4 hook that tries to change the socket family in the
 * context; only user_ip4/user_port (and a few others) are writable.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

// truth: connect4_ctx_write_unsafe unsafe stock=rejected write to the read-only bpf_sock_addr family field (invalid bpf_context access)
SEC("cgroup/connect4")
int connect4_ctx_write_unsafe(struct bpf_sock_addr *ctx)
{
	if (ctx->user_port == 0)
		return 1;
	ctx->family = 10;	/* BUG: read-only field */
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
