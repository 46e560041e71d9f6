// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * bcfpipe-load: load every program of one BPF object, one program per load, and record what the
 * verifier said. Runs inside the guest, statically linked against the tree's own libbpf.
 *
 *   bcfpipe-load [-t PROG=SECTION]... OBJECT OUTDIR
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
#include <bpf/libbpf.h>

#define LOG_SIZE (16U << 20)
#define MAX_TYPES 256

static FILE *libbpf_out;

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

/* Load program number idx alone; returns 0 when the object could be opened at all. */
static int load_one(const char *obj_path, const char *dir, int idx, char *log,
		    struct type_override *types, int ntypes, int *count)
{
	struct bpf_program *prog, *target = NULL;
	struct bpf_object *obj;
	FILE *meta, *vlog;
	const char *sec;
	long long t0, t1;
	int i = 0, err;

	libbpf_out = open_out(dir, idx, "libbpf");
	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj) {
		err = -errno;
		meta = open_out(dir, idx, "meta");
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

	t0 = now_ns();
	err = bpf_object__load(obj);
	t1 = now_ns();

	meta = open_out(dir, idx, "meta");
	if (meta) {
		fprintf(meta, "stage=load\nname=%s\nsection=%s\ntype=%s\nerr=%d\nerrno_name=%s\n",
			bpf_program__name(target), bpf_program__section_name(target),
			libbpf_bpf_prog_type_str(bpf_program__type(target)) ?: "unknown", err,
			err ? strerror(-err) : "");
		fprintf(meta, "insn_cnt=%zu\nload_ns=%lld\ntype_override=%s\n",
			bpf_program__insn_cnt(target), t1 - t0, sec ?: "");
		fclose(meta);
	}
	vlog = open_out(dir, idx, "vlog");
	if (vlog) {
		fputs(log, vlog);
		fclose(vlog);
	}
	bpf_object__close(obj);
	fclose(libbpf_out);
	libbpf_out = NULL;
	return 0;
}

int main(int argc, char **argv)
{
	struct type_override types[MAX_TYPES];
	int ntypes = 0, count = 0, opt;
	char *log;
	FILE *done;
	char path[4096];

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		char *eq;

		if (opt != 't' || ntypes == MAX_TYPES || !(eq = strchr(optarg, '='))) {
			fprintf(stderr, "usage: %s [-t PROG=SECTION]... OBJECT OUTDIR\n", argv[0]);
			return 2;
		}
		*eq = '\0';
		types[ntypes].prog = optarg;
		types[ntypes++].section = eq + 1;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: %s [-t PROG=SECTION]... OBJECT OUTDIR\n", argv[0]);
		return 2;
	}
	log = malloc(LOG_SIZE);
	if (!log)
		return 1;
	libbpf_set_print(print_libbpf);
	/* The first pass learns how many programs there are; every pass loads exactly one. */
	for (int idx = 0; idx == 0 || idx < count; idx++) {
		if (load_one(argv[optind], argv[optind + 1], idx, log, types, ntypes, &count))
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
