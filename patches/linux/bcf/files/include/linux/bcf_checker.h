/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * BCF certificate checker: bit-blasts a refinement condition and checks an
 * LRAT refutation of it. Formats: docs/bcf-format.md of bcfpipe: conditions
 * of version 1, certificates of version 2 (whose CNF divides by a constant
 * by its definition).
 */
#ifndef _LINUX_BCF_CHECKER_H
#define _LINUX_BCF_CHECKER_H

#include <linux/types.h>

#define BCF_COND_MAGIC		"BCFC"
#define BCF_CERT_MAGIC		"BCFL"
#define BCF_FORMAT_VERSION	1
#define BCF_CERT_VERSION	2
#define BCF_COND_HDR_LEN	24
#define BCF_CERT_HDR_LEN	44
#define BCF_COND_F_ACCESS	0x1

/* Node opcodes of the condition format; width 0 is boolean. */
enum bcf_op {
	BCF_CONST = 0x01,
	BCF_VAR = 0x02,
	BCF_ADD = 0x10,
	BCF_SUB,
	BCF_MUL,
	BCF_UDIV,
	BCF_SDIV,
	BCF_UMOD,
	BCF_SMOD,
	BCF_AND,
	BCF_OR,
	BCF_XOR,
	BCF_LSH,
	BCF_RSH,
	BCF_ARSH,
	BCF_NEG,
	BCF_BSWAP16 = 0x20,
	BCF_BSWAP32,
	BCF_BSWAP64,
	BCF_ZEXT = 0x28,
	BCF_SEXT,
	BCF_EXTRACT,
	BCF_CONCAT,
	BCF_ITE,
	BCF_EQ = 0x30,
	BCF_NE,
	BCF_SET,
	BCF_UGT,
	BCF_UGE,
	BCF_ULT,
	BCF_ULE,
	BCF_SGT,
	BCF_SGE,
	BCF_SLT,
	BCF_SLE,
	BCF_LNOT = 0x40,
	BCF_LAND,
	BCF_LOR,
	BCF_LIMPLIES,
};

struct bcf_check_stats {
	u32 cnf_vars;
	u32 cnf_clauses;
	u32 steps;
	u64 check_ns;
};

/*
 * 0 when @cert proves @cond valid; -EINVAL, -E2BIG, -ENOMEM or -EINTR
 * otherwise, with a one-line reason in @why.
 */
int bcf_check_certificate(const void *cond, u32 cond_len, const void *cert,
			  u32 cert_len, struct bcf_check_stats *stats,
			  char *why, size_t why_len);

/* Format and typing validation of a condition only. */
int bcf_cond_decode_check(const void *cond, u32 cond_len, char *why,
			  size_t why_len);

#endif /* _LINUX_BCF_CHECKER_H */
