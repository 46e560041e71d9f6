// SPDX-License-Identifier: GPL-2.0-only
/*
 * User-space driver for the kernel's BCF checker, built from the very same
 * source file (kernel/bpf/bcf_checker.c) against the shim in include/.
 *
 *   bcfcheck cnf COND          print the CNF (DIMACS) the kernel bit-blasts
 *   bcfcheck check COND CERT   exit 0 if accepted, 1 if rejected (reason on stderr)
 *   bcfcheck decode COND       exit 0 if the condition is well formed, else 1
 *
 * Exit 2 on usage or I/O errors. BCF_SHIM_SIGNAL=1 fakes a pending signal;
 * BCF_SHIM_ALLOC_BUDGET=n fails every allocation after the first n.
 */
#include "shim.h"
#include "bcf_checker.c"

long shim_alloc_budget = -1;
int shim_signal;

static u8 *read_file(const char *path, u32 *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0, got;
	u8 *buf = malloc(cap), *nbuf;

	if (!f || !buf) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			nbuf = realloc(buf, cap);
			if (!nbuf || cap > (1UL << 31)) {
				fprintf(stderr, "%s is too large\n", path);
				exit(2);
			}
			buf = nbuf;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

static int print_cnf(const u8 *cond, u32 len)
{
	char why[256];
	struct bcf_ctx *c = bcf_ctx_alloc(why, sizeof(why));
	u32 i, k;
	int ret;

	if (!c) {
		fprintf(stderr, "%s\n", why);
		return 1;
	}
	ret = bcf_decode(c, cond, len);
	if (!ret)
		ret = bcf_build_cnf(c, 0, 0);
	if (ret) {
		fprintf(stderr, "rejected (%d): %s\n", ret, why);
		bcf_ctx_free(c);
		return 1;
	}
	printf("p cnf %u %u\n", c->n_vars, c->n_clauses);
	for (i = 1; i <= c->n_clauses; i++) {
		for (k = c->off[i - 1]; k < c->off[i]; k++)
			printf("%d ", c->lits[k]);
		printf("0\n");
	}
	bcf_ctx_free(c);
	return 0;
}

int main(int argc, char **argv)
{
	struct bcf_check_stats st;
	const char *env;
	u8 *cond, *cert;
	u32 clen, tlen;
	char why[256];
	int ret;

	env = getenv("BCF_SHIM_SIGNAL");
	shim_signal = env && *env == '1';
	env = getenv("BCF_SHIM_ALLOC_BUDGET");
	if (env)
		shim_alloc_budget = strtol(env, NULL, 10);
	if (argc == 3 && !strcmp(argv[1], "cnf")) {
		cond = read_file(argv[2], &clen);
		ret = print_cnf(cond, clen);
		free(cond);
		return ret;
	}
	if (argc == 3 && !strcmp(argv[1], "decode")) {
		cond = read_file(argv[2], &clen);
		ret = bcf_cond_decode_check(cond, clen, why, sizeof(why));
		free(cond);
		if (ret)
			fprintf(stderr, "rejected (%d): %s\n", ret, why);
		return !!ret;
	}
	if (argc == 4 && !strcmp(argv[1], "check")) {
		cond = read_file(argv[2], &clen);
		cert = read_file(argv[3], &tlen);
		ret = bcf_check_certificate(cond, clen, cert, tlen, &st, why,
					    sizeof(why));
		free(cond);
		free(cert);
		if (ret) {
			fprintf(stderr, "rejected (%d): %s\n", ret, why);
			return 1;
		}
		printf("accepted vars %u clauses %u steps %u ns %llu\n",
		       st.cnf_vars, st.cnf_clauses, st.steps,
		       (unsigned long long)st.check_ns);
		return 0;
	}
	fprintf(stderr, "usage: %s cnf COND | check COND CERT | decode COND\n",
		argv[0]);
	return 2;
}
