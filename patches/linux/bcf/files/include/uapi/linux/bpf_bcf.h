/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * BCF, proof-guided refinement for the BPF verifier: BPF_PROG_LOAD's fields.
 *
 * They follow prog_token_fd, the command's last field in union bpf_attr:
 * bcf_flags takes the union's last four bytes, the others lie past its end,
 * so a load that sets them passes sizeof(struct bpf_bcf_prog_load) as the
 * attribute's size. They are kept out of union bpf_attr itself, which every
 * user of <linux/bpf.h> compiles against.
 */
#ifndef _UAPI__LINUX_BPF_BCF_H__
#define _UAPI__LINUX_BPF_BCF_H__

#include <linux/types.h>

/* bcf_flags */
enum {
	/* Ask for refinement conditions and accept checked certificates. */
	BPF_BCF_F_ENABLE	= (1U << 0),
};

struct bpf_bcf_prog_load {
	__u8		prog_load[148];	/* union bpf_attr, up to prog_token_fd */
	__u32		bcf_flags;
	/* certificates in, conditions out */
	__aligned_u64	bcf_buf;
	__u32		bcf_buf_size;
	/* output: the bytes the conditions need */
	__u32		bcf_buf_true_size;
};

#endif /* _UAPI__LINUX_BPF_BCF_H__ */
