// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * cgroup/connect4 service translation: connecting to a virtual IP:port is
 * rewritten to a backend chosen at random from the service's backends.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define MAX_BE 8

struct svc_key {
	__u32 ip;
	__u32 port;
};

struct svc_val {
	__u32 count;	/* 1..MAX_BE */
	__u32 pad;
	__u32 ip[MAX_BE];
	__u32 port[MAX_BE];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct svc_key);
	__type(value, struct svc_val);
} svc_map SEC(".maps");

// truth: connect4_rewrite safe stock=loaded backend index = random % count, then masked to MAX_BE-1 before indexing the value
SEC("cgroup/connect4")
int connect4_rewrite(struct bpf_sock_addr *ctx)
{
	struct svc_key key = { .ip = ctx->user_ip4, .port = ctx->user_port };
	struct svc_val *svc;
	__u32 i;

	svc = bpf_map_lookup_elem(&svc_map, &key);
	if (!svc || !svc->count)
		return 1;
	i = bpf_get_prandom_u32() % svc->count;
	i &= MAX_BE - 1;
	ctx->user_ip4 = svc->ip[i];
	ctx->user_port = svc->port[i];
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
