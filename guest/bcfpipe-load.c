// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * bcfpipe-load: load every program of one BPF object, one program per load, and record what the
 * verifier said. Runs inside the guest, statically linked against the tree's own libbpf.
 *
 *   bcfpipe-load [-t PROG=SECTION]... [-B CERTDIR] [-I] [-R RUNDIR] [-L LEVEL] OBJECT OUTDIR
 *
 * -L is the verifier's log level (default 5: the instruction trace, 1, and the statistics, 4;
 * the host passes load.verifier_log). At level 4 the log keeps the error messages and the
 * statistics, and the verifier formats no line per processed instruction.
 *
 * With -B (kernels with the BCF series only) every load asks for refinement conditions and sends
 * the certificates CERTDIR/NAME.cert; the conditions a load returns go to OUTDIR/N.cond.K, and
 * N.meta gains bcf_* lines (see docs/bcf-kernel.md, "Protocol"). A load refused with ENOKEY is
 * repeated without BCF into N.plain.{meta,vlog,libbpf}.
 *
 * With -R (dynamic validation, docs/bcf-kernel.md) every program that loads is run with
 * BPF_PROG_TEST_RUN on each input of RUNDIR/NAME.inputs; OUTDIR/N.run gets one line per run,
 * and the kernel log a line before and after each, so that a report on the console names the
 * input that caused it.
 * With -I the programs run in the interpreter (KASAN sees its accesses, not a JIT image's);
 * a program the interpreter cannot run (kfunc calls, callbacks) is loaded again with the JIT,
 * and its meta says jit=1.
 *
 * For program number N it writes OUTDIR/N.meta (key=value lines), OUTDIR/N.vlog (the verifier
 * log) and OUTDIR/N.libbpf (libbpf's own messages). Classification and parsing happen on the host,
 * where they are tested; this program only observes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <bpf/bpf.h>
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
static const char *run_dir;
static int interp, jit_now = 1;
static unsigned int log_level = 1 | 4;
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
		/* cut: a condition of a shortened suffix (a longer one exists) */
		fprintf(meta, "bcf_condition_%u=kind:%s,insn:%u,bytes:%u,cut:%u\n", k,
			bcf_buf[off] == 1 ? "range" : "path", get32(bcf_buf + off + 4), len,
			bcf_buf[off + 1] & 1);
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

/* A kernel built with BPF_JIT_ALWAYS_ON refuses 0: jit_now then stays 1, as it runs. */
static void set_jit(int on)
{
	FILE *f = fopen("/proc/sys/net/core/bpf_jit_enable", "w");
	int ok;

	if (!f)
		return;
	ok = fprintf(f, "%d\n", on) > 0;
	/* the write itself happens at fclose: its error is the sysctl's answer */
	if (!fclose(f) && ok)
		jit_now = on;
}

/*
 * Kernel log records that appeared since the last call go to OUTDIR/N.kmsg, each line prefixed
 * with what ran meanwhile ("load" or "input=I"): in a quiet guest any record there (a KASAN
 * report, a WARN) was caused by that step.
 */
static int kmsg_fd = -1;

static FILE *kmsg_open(const char *dir, int idx)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%d.kmsg", dir, idx);
	return fopen(path, "a");
}

static void kmsg_drain(const char *dir, int idx, const char *what)
{
	char rec[2048];
	FILE *out = NULL;
	ssize_t n;

	if (kmsg_fd < 0)
		return;
	while ((n = read(kmsg_fd, rec, sizeof(rec) - 1)) != 0) {
		if (n < 0) {
			if (errno == EPIPE) /* overwritten records: keep reading the rest */
				continue;
			break;
		}
		rec[n] = '\0';
		if (!out) {
			out = kmsg_open(dir, idx);
		}
		if (!out)
			break;
		fprintf(out, "%s %s", what, rec);
	}
	if (out)
		fclose(out);
}

/* The whole file at path into a new buffer; NULL when it does not exist. */
static void *slurp(const char *path, __u32 *len)
{
	FILE *f = fopen(path, "rb");
	void *buf = NULL;
	long sz;

	*len = 0;
	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (sz = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc(sz ? sz : 1);
		if (buf && fread(buf, 1, sz, f) == (size_t)sz)
			*len = sz;
	}
	fclose(f);
	return buf;
}

#define MAX_FILL_ENTRIES 1024
#define HASH_FILL_ENTRIES 64

static bool is_hash(enum bpf_map_type type)
{
	return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_LRU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/*
 * Empty a hash map, with @key as room for one key: what an earlier run (or the program) put there
 * must not leak into this one.
 */
static void clear_hash(int fd, unsigned char *key)
{
	while (!bpf_map_get_next_key(fd, NULL, key))
		if (bpf_map_delete_elem(fd, key))
			break;
}

/* The next @n bytes of @fill, repeated, from *@pos on. */
static void cut(unsigned char *dst, __u32 n, const unsigned char *fill, __u32 fill_len, __u64 *pos)
{
	for (__u32 b = 0; b < n; b++)
		dst[b] = fill[(*pos)++ % fill_len];
}

/*
 * Write an input's map bytes, repeated from each map's start, into the object's writable maps:
 * every entry of an array (at most MAX_FILL_ENTRIES), and HASH_FILL_ENTRIES entries of a hash map,
 * emptied first, each a key then a value cut from the bytes (keys repeat when the bytes are
 * short: the last one written wins), so that a lookup by one of the program's constants or a
 * small number can find an entry. User space may store anything there, so the verifier assumes
 * nothing about these values; empty or zeroed maps would leave an index or length read from a
 * map value unexercised. Read-only maps (.rodata, .kconfig) are frozen and their contents known
 * to the verifier: left alone.
 */
static void fill_maps(struct bpf_object *obj, const unsigned char *fill, __u32 fill_len)
{
	static unsigned char val[1 << 16], key[1 << 12];
	struct bpf_map *map;
	int ncpus = libbpf_num_possible_cpus();

	if (!fill_len)
		return;
	bpf_object__for_each_map(map, obj) {
		enum bpf_map_type type = bpf_map__type(map);
		__u32 vsz = bpf_map__value_size(map), n = bpf_map__max_entries(map), size = vsz;
		__u32 ksz = bpf_map__key_size(map);
		bool percpu = type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
			      type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
		int fd = bpf_map__fd(map);
		__u64 pos = 0;

		if (type != BPF_MAP_TYPE_ARRAY && type != BPF_MAP_TYPE_PERCPU_ARRAY && !is_hash(type))
			continue;
		if (percpu && ncpus > 0)
			size = ((vsz + 7) & ~7U) * ncpus;
		if (size > sizeof(val) || (bpf_map__map_flags(map) & BPF_F_RDONLY_PROG) || fd < 0)
			continue;
		if (is_hash(type)) {
			if (ksz > sizeof(key))
				continue;
			clear_hash(fd, key);
			if (n > HASH_FILL_ENTRIES)
				n = HASH_FILL_ENTRIES;
			for (__u32 e = 0; e < n; e++) {
				cut(key, ksz, fill, fill_len, &pos);
				cut(val, size, fill, fill_len, &pos);
				bpf_map_update_elem(fd, key, val, BPF_ANY);
			}
			continue;
		}
		if (n > MAX_FILL_ENTRIES)
			n = MAX_FILL_ENTRIES;
		for (__u32 k = 0; k < n; k++) {
			cut(val, size, fill, fill_len, &pos);
			bpf_map_update_elem(fd, &k, val, BPF_ANY);
		}
	}
}

/*
 * Run the loaded program on every input of RUNDIR/NAME.inputs: records of a 4-byte packet
 * length, a 4-byte context length and a 4-byte map-fill length (little endian), then the packet,
 * the context and the map-fill bytes (written into the object's array maps before the run; none:
 * the maps keep what the last run left).
 */
static void run_inputs(struct bpf_object *obj, int fd, const char *name, const char *dir, int idx)
{
	static unsigned char data_out[1 << 16];
	unsigned char *buf, *p;
	char path[4096];
	__u32 len, off = 0;
	FILE *out;

	snprintf(path, sizeof(path), "%s/%s.inputs", run_dir, name);
	buf = slurp(path, &len);
	out = open_out(dir, idx, "run");
	for (int i = 0; buf && out && off + 12 <= len; i++) {
		__u32 data_len = get32(buf + off), ctx_len = get32(buf + off + 4);
		__u32 fill_len = get32(buf + off + 8), rest = len - off - 12;
		int err;

		p = buf + off + 12;
		if (data_len > rest || ctx_len > rest - data_len ||
		    fill_len > rest - data_len - ctx_len)
			break;
		off += 12 + data_len + ctx_len + fill_len;
		fill_maps(obj, p + data_len + ctx_len, fill_len);
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			    .data_in = data_len ? p : NULL, .data_size_in = data_len,
			    .data_out = data_len ? data_out : NULL,
			    .data_size_out = data_len ? sizeof(data_out) : 0,
			    .ctx_in = ctx_len ? p + data_len : NULL, .ctx_size_in = ctx_len,
			    .repeat = 1);
		/* A guest that dies in this run leaves this line last. */
		fprintf(out, "start input=%d\n", i);
		fflush(out);
		err = bpf_prog_test_run_opts(fd, &opts);
		err = err ? -errno : 0;
		snprintf(path, sizeof(path), "input=%d", i);
		kmsg_drain(dir, idx, path);
		fprintf(out, "input=%d err=%d errno_name=%s retval=%u data_size_out=%u\n",
			i, err, err ? strerror(-err) : "", opts.retval, opts.data_size_out);
		fflush(out);
	}
	if (out)
		fclose(out);
	free(buf);
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
	bpf_program__set_log_level(target, log_level);
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
		fprintf(meta, "insn_cnt=%zu\nload_ns=%lld\ntype_override=%s\njit=%d\n",
			bpf_program__insn_cnt(target), t1 - t0, sec ?: "", jit_now);
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
	if (run_dir)
		kmsg_drain(dir, idx, "load");
	if (!err && run_dir)
		run_inputs(obj, bpf_program__fd(target), bpf_program__name(target), dir, idx);
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
	if (err && !jit_now && (strstr(log, "non-JITed") || strstr(log, "JIT is required"))) {
		set_jit(1);
		err = load_one(obj_path, dir, idx, log, types, ntypes, count, bcf, pfx);
		set_jit(0);
		return err;
	}
	return 0;
}

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-t PROG=SECTION]... [-B CERTDIR] [-I] [-R RUNDIR] [-L LEVEL] "
		"OBJECT OUTDIR\n", prog);
	return 2;
}

int main(int argc, char **argv)
{
	struct type_override types[MAX_TYPES];
	int ntypes = 0, count = 0, opt;
	char *log;
	FILE *done;
	char path[4096];

	while ((opt = getopt(argc, argv, "t:B:R:IL:")) != -1) {
		char *eq;

		if (opt == 'B') {
			bcf_dir = optarg;
			continue;
		}
		if (opt == 'R') {
			run_dir = optarg;
			continue;
		}
		if (opt == 'I') {
			interp = 1;
			continue;
		}
		if (opt == 'L') {
			log_level = strtoul(optarg, NULL, 0);
			continue;
		}
		if (opt != 't' || ntypes == MAX_TYPES || !(eq = strchr(optarg, '='))) {
			return usage(argv[0]);
		}
		*eq = '\0';
		types[ntypes].prog = optarg;
		types[ntypes++].section = eq + 1;
	}
	if (argc - optind != 2) {
		return usage(argv[0]);
	}
	log = malloc(LOG_SIZE);
	if (!log)
		return 1;
	libbpf_set_print(print_libbpf);
	if (interp)
		set_jit(0);
	if (run_dir) {
		/* Only what the loads and runs cause, not the boot's own messages. */
		kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
		if (kmsg_fd >= 0)
			lseek(kmsg_fd, 0, SEEK_END);
	}
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
