// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * bcfpipe-load: load every program of one BPF object, one program per load, and record what the
 * verifier said. Runs inside the guest, statically linked against the tree's own libbpf.
 *
 *   bcfpipe-load [-t PROG=SECTION]... [-B CERTDIR] OBJECT OUTDIR
 *
 * With -B (kernels with the BCF series only) every load asks for refinement conditions and sends
 * the certificates CERTDIR/NAME.cert; the conditions a load returns go to OUTDIR/N.cond.K, and
 * N.meta gains bcf_* lines (see docs/bcf-kernel.md, "Protocol"). A load refused with ENOKEY is
 * repeated without BCF into N.plain.{meta,vlog,libbpf}.
 *
 * For program number N it writes OUTDIR/N.meta (key=value lines), OUTDIR/N.vlog (the verifier
 * log) and OUTDIR/N.libbpf (libbpf's own messages). Classification and parsing happen on the host,
 * where they are tested; this program only observes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <bpf/libbpf.h>

#define LOG_SIZE (16U << 20)
#define MAX_TYPES 256

static FILE *libbpf_out;

/* BCF (optional): weak, so the loader still links against a libbpf without the series. */
int bpf_program__set_bcf(struct bpf_program *prog, __u32 flags, void *buf, __u32 size)
	__attribute__((weak));
__u32 bpf_program__bcf_true_size(const struct bpf_program *prog) __attribute__((weak));

static FILE *open_out(const char *dir, int idx, const char *ext);

#define BCF_F_ENABLE 1U
#define BCF_OUT_MIN (16U << 20)

static const char *bcf_dir;
static unsigned char *bcf_buf;
static unsigned int bcf_in_len, bcf_size;

static void put32(unsigned char *p, unsigned int v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static unsigned int get32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (unsigned int)p[3] << 24;
}

/* Read every CERTDIR/NAME.cert into the container "BCFB" v1 kind 1; 0 on success. */
static int bcf_read_certs(const char *dir)
{
	unsigned int len = 16, count = 0, cap = BCF_OUT_MIN;
	struct dirent *de;
	DIR *d = opendir(dir);

	bcf_buf = calloc(1, cap);
	if (!d || !bcf_buf)
		return -1;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char path[4096];
		FILE *f;
		long sz;

		if (n < 6 || strcmp(de->d_name + n - 5, ".cert"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "rb");
		if (!f || fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
			if (f)
				fclose(f);
			continue;
		}
		while (len + 4 + sz > cap) {
			cap *= 2;
			bcf_buf = realloc(bcf_buf, cap);
			if (!bcf_buf)
				return -1;
		}
		put32(bcf_buf + len, sz);
		if (fread(bcf_buf + len + 4, 1, sz, f) == (size_t)sz) {
			len += 4 + sz;
			count++;
		}
		fclose(f);
	}
	closedir(d);
	memcpy(bcf_buf, "BCFB\x01\x00\x01\x00", 8);
	put32(bcf_buf + 8, len);
	put32(bcf_buf + 12, count);
	if (!count)
		memset(bcf_buf, 0, 16);
	bcf_in_len = len;
	bcf_size = cap;
	return 0;
}

/* Write the conditions of the last load as OUTDIR/N.cond.K and bcf_* lines into meta. */
static void bcf_write_conds(const char *dir, int idx, FILE *meta, unsigned int true_size)
{
	unsigned int count, off = 16, k;
	char ext[64];

	fprintf(meta, "bcf=1\nbcf_certificates_sent=%u\nbcf_true_size=%u\n",
		get32(bcf_buf + 12) * !!memcmp(bcf_buf, "\0\0\0\0", 4), true_size);
	if (memcmp(bcf_buf, "BCFB", 4) || bcf_buf[6] != 2 || true_size > bcf_size ||
	    get32(bcf_buf + 8) != true_size) {
		fprintf(meta, "bcf_conditions=0\n");
		return;
	}
	count = get32(bcf_buf + 12);
	fprintf(meta, "bcf_conditions=%u\n", count);
	for (k = 0; k < count && off + 12 <= true_size; k++) {
		unsigned int len = get32(bcf_buf + off + 8);
		FILE *f;

		if (off + 12 + len > true_size)
			break;
		fprintf(meta, "bcf_condition_%u=kind:%s,insn:%u,bytes:%u\n", k,
			bcf_buf[off] == 1 ? "range" : "path", get32(bcf_buf + off + 4), len);
		snprintf(ext, sizeof(ext), "cond.%u", k);
		f = open_out(dir, idx, ext);
		if (f) {
			fwrite(bcf_buf + off + 12, 1, len, f);
			fclose(f);
		}
		off += 12 + len;
	}
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || !libbpf_out)
		return 0;
	return vfprintf(libbpf_out, fmt, ap);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct type_override {
	const char *prog;
	const char *section;
};

static const char *override_for(struct type_override *t, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(t[i].prog, name))
			return t[i].section;
	return NULL;
}

static FILE *open_out(const char *dir, int idx, const char *ext)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%d.%s", dir, idx, ext);
	return fopen(path, "w");
}

/*
 * Load program number idx alone; returns 0 when the object could be opened at all. With bcf
 * the load asks for refinement; pfx names the output files ("" or "plain.").
 */
static int load_one(const char *obj_path, const char *dir, int idx, char *log,
		    struct type_override *types, int ntypes, int *count, int bcf, const char *pfx)
{
	char ext[32];
	struct bpf_program *prog, *target = NULL;
	struct bpf_object *obj;
	FILE *meta, *vlog;
	const char *sec;
	long long t0, t1;
	int i = 0, err;

	snprintf(ext, sizeof(ext), "%slibbpf", pfx);
	libbpf_out = open_out(dir, idx, ext);
	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj) {
		err = -errno;
		snprintf(ext, sizeof(ext), "%smeta", pfx);
		meta = open_out(dir, idx, ext);
		if (meta) {
			fprintf(meta, "stage=open\nerr=%d\nerrno_name=%s\n", err, strerror(-err));
			fclose(meta);
		}
		fclose(libbpf_out);
		libbpf_out = NULL;
		*count = 0;
		return -1;
	}
	bpf_object__for_each_program(prog, obj) {
		bpf_program__set_autoload(prog, i == idx);
		if (i == idx)
			target = prog;
		i++;
	}
	*count = i;
	if (!target) {
		bpf_object__close(obj);
		fclose(libbpf_out);
		libbpf_out = NULL;
		return 0;
	}
	sec = override_for(types, ntypes, bpf_program__name(target));
	if (sec) {
		enum bpf_prog_type ptype;
		enum bpf_attach_type atype;

		if (!libbpf_prog_type_by_name(sec, &ptype, &atype)) {
			bpf_program__set_type(target, ptype);
			bpf_program__set_expected_attach_type(target, atype);
		}
	}
	log[0] = '\0';
	bpf_program__set_log_buf(target, log, LOG_SIZE);
	/* Level 1 for the rejection text, 4 for the statistics lines on every outcome. */
	bpf_program__set_log_level(target, 1 | 4);
	if (bcf) {
		if (bcf_read_certs(bcf_dir) || !bpf_program__set_bcf ||
		    bpf_program__set_bcf(target, BCF_F_ENABLE, bcf_buf, bcf_size)) {
			fprintf(stderr, "bcfpipe-load: BCF not available\n");
			exit(1);
		}
	}

	t0 = now_ns();
	err = bpf_object__load(obj);
	t1 = now_ns();

	snprintf(ext, sizeof(ext), "%smeta", pfx);
	meta = open_out(dir, idx, ext);
	if (meta) {
		fprintf(meta, "stage=load\nname=%s\nsection=%s\ntype=%s\nerr=%d\nerrno_name=%s\n",
			bpf_program__name(target), bpf_program__section_name(target),
			libbpf_bpf_prog_type_str(bpf_program__type(target)) ?: "unknown", err,
			err ? strerror(-err) : "");
		fprintf(meta, "insn_cnt=%zu\nload_ns=%lld\ntype_override=%s\n",
			bpf_program__insn_cnt(target), t1 - t0, sec ?: "");
		if (bcf)
			bcf_write_conds(dir, idx, meta, bpf_program__bcf_true_size(target));
		fclose(meta);
	}
	snprintf(ext, sizeof(ext), "%svlog", pfx);
	vlog = open_out(dir, idx, ext);
	if (vlog) {
		fputs(log, vlog);
		fclose(vlog);
	}
	bpf_object__close(obj);
	fclose(libbpf_out);
	libbpf_out = NULL;
	free(bcf_buf);
	bcf_buf = NULL;
	/*
	 * A load BCF could not settle is loaded once more without it: that log holds the
	 * verifier's own reason (e.g. a kfunc the program type may not call), which the
	 * refinement request replaced.
	 */
	if (bcf && err == -ENOKEY)
		return load_one(obj_path, dir, idx, log, types, ntypes, count, 0, "plain.");
	return 0;
}

int main(int argc, char **argv)
{
	struct type_override types[MAX_TYPES];
	int ntypes = 0, count = 0, opt;
	char *log;
	FILE *done;
	char path[4096];

	while ((opt = getopt(argc, argv, "t:B:")) != -1) {
		char *eq;

		if (opt == 'B') {
			bcf_dir = optarg;
			continue;
		}
		if (opt != 't' || ntypes == MAX_TYPES || !(eq = strchr(optarg, '='))) {
			fprintf(stderr, "usage: %s [-t PROG=SECTION]... [-B CERTDIR] OBJECT OUTDIR\n", argv[0]);
			return 2;
		}
		*eq = '\0';
		types[ntypes].prog = optarg;
		types[ntypes++].section = eq + 1;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: %s [-t PROG=SECTION]... [-B CERTDIR] OBJECT OUTDIR\n", argv[0]);
		return 2;
	}
	log = malloc(LOG_SIZE);
	if (!log)
		return 1;
	libbpf_set_print(print_libbpf);
	/* The first pass learns how many programs there are; every pass loads exactly one. */
	for (int idx = 0; idx == 0 || idx < count; idx++) {
		if (load_one(argv[optind], argv[optind + 1], idx, log, types, ntypes, &count,
			     bcf_dir != NULL, ""))
			break;
	}
	snprintf(path, sizeof(path), "%s/programs", argv[optind + 1]);
	done = fopen(path, "w");
	if (done) {
		fprintf(done, "%d\n", count);
		fclose(done);
	}
	free(log);
	return 0;
}
