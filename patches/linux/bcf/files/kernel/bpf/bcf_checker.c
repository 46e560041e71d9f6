// SPDX-License-Identifier: GPL-2.0-only
/*
 * BCF certificate checker.
 *
 * A refinement condition is valid when constraints && !goal is
 * unsatisfiable. User space proves that with a SAT solver and sends an LRAT
 * refutation; nothing it says is trusted. This file bit-blasts the condition
 * itself with a fixed Tseitin encoding (identical, clause for clause, to
 * bcfpipe's bitblast.py, so that clause ids agree) and checks the refutation
 * by unit propagation over the hinted clauses only. The formats are specified
 * in bcfpipe's docs/bcf-format.md (conditions of version 1, certificates
 * of version 2).
 *
 * Memory is sized from the inputs before anything is stored and capped; time
 * is bounded by a work budget counted in literal visits.
 */
#include <linux/bcf_checker.h>
#include <linux/bsearch.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <crypto/sha2.h>

/* The kernel only emits small conditions; these bound any buffer at all. */
enum {
	BCF_MAX_COND_BYTES = 16 << 20,
	BCF_MAX_NODES = 1 << 16,
	BCF_MAX_WIDTH = 64,
	BCF_MAX_BITS = 1 << 20,		/* sum of all node widths */
	BCF_MAX_CERT_BYTES = 8 << 20,
	BCF_MAX_VARS = 1 << 20,
	BCF_MAX_CLAUSES = 1 << 22,	/* formula and proof together */
	BCF_MAX_LITS = 1 << 23,		/* formula and proof together */
	BCF_MAX_WORK = 1 << 30,		/* literal visits */
	BCF_RESCHED_WORK = 1 << 16,
	BCF_MAX_NAME = 64,
};

/* The constant bits; no variable number gets near them. */
#define BCF_T	0x7fffffff
#define BCF_F	(-BCF_T)

#define BCF_STEP_ADD	1
#define BCF_STEP_DEL	2

/* Scratch words of the word circuits, one row each (w + 1 bits at most). */
enum {
	BCF_TMP_ZERO,
	BCF_TMP_NOTB,
	BCF_TMP_ABSA,
	BCF_TMP_ABSB,
	BCF_TMP_Q,
	BCF_TMP_R,
	BCF_TMP_TR,
	BCF_TMP_D,
	BCF_TMP_DIFF,
	BCF_TMP_ROW,
	BCF_TMP_SH,
	BCF_TMP_NEG,
	BCF_NTMP,
};

struct bcf_node {
	u8 op;
	u8 width;
	u32 arg[3];
	u64 imm;
	u32 bits;	/* index of the node's first bit in bcf_ctx.bits */
};

struct bcf_cur {
	const u8 *p;
	u32 pos;
	u32 len;
};

struct bcf_ctx {
	const u8 *cond;
	struct bcf_node *nodes;
	u32 n_nodes;
	u32 n_cons;
	u32 roots;	/* byte offset of the root indices in @cond */
	u32 n_bits;
	s32 *bits;
	/* The CNF, then the proof: clause i is lits[off[i - 1]..off[i]). */
	u32 n_vars;
	u32 n_clauses;
	u32 n_lits;
	u32 cap_clauses;
	u32 cap_lits;
	s32 *lits;
	u32 *off;
	u8 *dead;
	u8 *val;	/* per variable: 0 unassigned, 1 true, 2 false */
	u32 *trail;
	u32 n_trail;
	u64 work;
	u64 resched_at;
	int err;
	char *why;
	size_t why_len;
	s32 tmp[BCF_NTMP][BCF_MAX_WIDTH + 1];
};

static __printf(3, 4) int bcf_fail(struct bcf_ctx *c, int err,
				   const char *fmt, ...)
{
	va_list ap;

	/* Keep the first reason: later ones are consequences of it. */
	if (!c->err && c->why && c->why_len) {
		va_start(ap, fmt);
		vsnprintf(c->why, c->why_len, fmt, ap);
		va_end(ap);
	}
	if (!c->err)
		c->err = err;
	return c->err;
}

static int bcf_tick(struct bcf_ctx *c, u64 units)
{
	c->work += units;
	if (c->work > BCF_MAX_WORK)
		return bcf_fail(c, -E2BIG, "over the work budget of %u literal visits",
				BCF_MAX_WORK);
	if (c->work >= c->resched_at) {
		c->resched_at = c->work + BCF_RESCHED_WORK;
		cond_resched();
		if (signal_pending(current))
			return bcf_fail(c, -EINTR, "interrupted by a signal");
	}
	return 0;
}

/* ---- condition decoding ------------------------------------------------ */

static int bcf_arity(u8 op)
{
	switch (op) {
	case BCF_CONST:
	case BCF_VAR:
		return 0;
	case BCF_NEG:
	case BCF_BSWAP16 ... BCF_BSWAP64:
	case BCF_ZEXT ... BCF_EXTRACT:
	case BCF_LNOT:
		return 1;
	case BCF_ADD ... BCF_ARSH:
	case BCF_CONCAT:
	case BCF_EQ ... BCF_SLE:
	case BCF_LAND ... BCF_LIMPLIES:
		return 2;
	case BCF_ITE:
		return 3;
	}
	return -1;
}

/* Typing rules of the format, given the argument widths @aw. */
static bool bcf_typed(const struct bcf_node *n, const u32 *aw)
{
	u32 w = n->width;

	switch (n->op) {
	case BCF_CONST:
		return n->imm <= (!w ? 1 : w == 64 ? U64_MAX : (1ULL << w) - 1);
	case BCF_VAR:
		return w >= 1;
	case BCF_ADD ... BCF_ARSH:
		return w >= 1 && aw[0] == w && aw[1] == w;
	case BCF_NEG:
		return w >= 1 && aw[0] == w;
	case BCF_BSWAP16 ... BCF_BSWAP64:
		return aw[0] == w && w >= (16U << (n->op - BCF_BSWAP16));
	case BCF_ZEXT:
	case BCF_SEXT:
		return aw[0] >= 1 && w >= aw[0];
	case BCF_EXTRACT:
		return w >= 1 && aw[0] >= 1 && n->imm + w <= aw[0];
	case BCF_CONCAT:
		return aw[0] >= 1 && aw[1] >= 1 && w == aw[0] + aw[1];
	case BCF_ITE:
		return aw[0] == 0 && aw[1] == w && aw[2] == w;
	case BCF_EQ:
	case BCF_NE:
		return w == 0 && aw[0] == aw[1];
	case BCF_SET ... BCF_SLE:
		return w == 0 && aw[0] >= 1 && aw[0] == aw[1];
	case BCF_LNOT:
		return w == 0 && aw[0] == 0;
	default: /* LAND, LOR, LIMPLIES */
		return w == 0 && aw[0] == 0 && aw[1] == 0;
	}
}

static int bcf_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static int bcf_decode_nodes(struct bcf_ctx *c, const u8 *d, u32 len, u32 *pos)
{
	u32 aw[3] = { 0 }, i, k, na, p = *pos;
	struct bcf_node *n;
	int arity;

	for (i = 0; i < c->n_nodes; i++) {
		n = &c->nodes[i];
		if (len - p < 3)
			return bcf_fail(c, -EINVAL, "condition truncated: node %u", i);
		n->op = d[p];
		n->width = d[p + 1];
		arity = bcf_arity(n->op);
		if (arity < 0)
			return bcf_fail(c, -EINVAL, "condition node %u: unknown opcode 0x%02x",
					i, n->op);
		na = arity;
		if (d[p + 2] != na)
			return bcf_fail(c, -EINVAL,
					"condition node %u: op 0x%02x takes %u arguments, got %u",
					i, n->op, na, d[p + 2]);
		p += 3;
		if (len - p < 4 * na)
			return bcf_fail(c, -EINVAL, "condition truncated: node %u arguments", i);
		for (k = 0; k < na; k++, p += 4) {
			n->arg[k] = get_unaligned_le32(d + p);
			if (n->arg[k] >= i)
				return bcf_fail(c, -EINVAL,
						"condition node %u: forward reference to %u",
						i, n->arg[k]);
			aw[k] = c->nodes[n->arg[k]].width;
		}
		n->imm = 0;
		if (n->op == BCF_CONST) {
			if (len - p < 8)
				return bcf_fail(c, -EINVAL,
						"condition truncated: node %u constant", i);
			n->imm = get_unaligned_le64(d + p);
			p += 8;
		} else if (n->op == BCF_VAR || n->op == BCF_EXTRACT) {
			if (len - p < 4)
				return bcf_fail(c, -EINVAL,
						"condition truncated: node %u immediate", i);
			n->imm = get_unaligned_le32(d + p);
			p += 4;
		}
		if (n->width > BCF_MAX_WIDTH)
			return bcf_fail(c, -E2BIG,
					"condition node %u: width %u, the kernel handles at most %u",
					i, n->width, BCF_MAX_WIDTH);
		if (!bcf_typed(n, aw))
			return bcf_fail(c, -EINVAL,
					"condition node %u: width mismatch for op 0x%02x",
					i, n->op);
		n->bits = c->n_bits;
		c->n_bits += max_t(u32, n->width, 1);
		if (c->n_bits > BCF_MAX_BITS)
			return bcf_fail(c, -E2BIG, "condition over %u bits", BCF_MAX_BITS);
	}
	*pos = p;
	return 0;
}

/* Variable ids are unique; names refer to variables, once each. */
static int bcf_decode_names(struct bcf_ctx *c, const u8 *d, u32 len, u32 *pos,
			    u32 n_names)
{
	u32 i, k, nv = 0, p = *pos, *ids;
	int ret = 0;
	u8 nlen;

	for (i = 0; i < c->n_nodes; i++)
		nv += c->nodes[i].op == BCF_VAR;
	ids = kvmalloc_array((size_t)nv + n_names + 1, sizeof(*ids),
			     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!ids)
		return bcf_fail(c, -ENOMEM, "out of memory for %u variables", nv);
	for (i = 0, k = 0; i < c->n_nodes; i++)
		if (c->nodes[i].op == BCF_VAR)
			ids[k++] = c->nodes[i].imm;
	sort(ids, nv, sizeof(*ids), bcf_cmp_u32, NULL);
	for (i = 1; i < nv; i++)
		if (ids[i] == ids[i - 1]) {
			ret = bcf_fail(c, -EINVAL, "condition: variable %u declared twice", ids[i]);
			goto out;
		}
	for (k = 0; k < n_names; k++) {
		if (len - p < 5) {
			ret = bcf_fail(c, -EINVAL, "condition truncated: name %u", k);
			goto out;
		}
		ids[nv + k] = get_unaligned_le32(d + p);
		nlen = d[p + 4];
		p += 5;
		if (!bsearch(&ids[nv + k], ids, nv, sizeof(*ids), bcf_cmp_u32)) {
			ret = bcf_fail(c, -EINVAL, "condition name %u: unknown variable %u",
				       k, ids[nv + k]);
			goto out;
		}
		if (len - p < nlen) {
			ret = bcf_fail(c, -EINVAL, "condition truncated: name %u text", k);
			goto out;
		}
		if (!nlen || nlen > BCF_MAX_NAME) {
			ret = bcf_fail(c, -EINVAL, "condition name %u: length %u", k, nlen);
			goto out;
		}
		for (i = 0; i < nlen; i++, p++)
			if (d[p] < 0x21 || d[p] > 0x7e) {
				ret = bcf_fail(c, -EINVAL, "condition name %u: not printable", k);
				goto out;
			}
	}
	sort(ids + nv, n_names, sizeof(*ids), bcf_cmp_u32, NULL);
	for (k = 1; k < n_names; k++)
		if (ids[nv + k] == ids[nv + k - 1]) {
			ret = bcf_fail(c, -EINVAL, "condition: variable %u named twice",
				       ids[nv + k]);
			goto out;
		}
	*pos = p;
out:
	kvfree(ids);
	return ret;
}

static int bcf_decode(struct bcf_ctx *c, const u8 *d, u32 len)
{
	u32 flags, total, n_names, pos, k, r;
	int ret;

	if (len > BCF_MAX_COND_BYTES)
		return bcf_fail(c, -E2BIG, "condition is %u bytes, over the %u-byte limit",
				len, BCF_MAX_COND_BYTES);
	if (len < BCF_COND_HDR_LEN)
		return bcf_fail(c, -EINVAL, "condition truncated: %u bytes, no header", len);
	if (memcmp(d, BCF_COND_MAGIC, 4) ||
	    get_unaligned_le16(d + 4) != BCF_FORMAT_VERSION)
		return bcf_fail(c, -EINVAL, "not a version-1 BCF condition");
	flags = get_unaligned_le16(d + 6);
	total = get_unaligned_le32(d + 8);
	c->n_nodes = get_unaligned_le32(d + 12);
	c->n_cons = get_unaligned_le32(d + 16);
	n_names = get_unaligned_le32(d + 20);
	if (flags & ~BCF_COND_F_ACCESS)
		return bcf_fail(c, -EINVAL, "condition has unknown flags 0x%x", flags);
	if (total != len)
		return bcf_fail(c, -EINVAL, "condition length %u, header says %u", len, total);
	if (c->n_nodes > BCF_MAX_NODES)
		return bcf_fail(c, -E2BIG, "condition has %u nodes, over %u",
				c->n_nodes, BCF_MAX_NODES);
	/* Each node takes 3 bytes at least: no allocation the data cannot fill. */
	pos = BCF_COND_HDR_LEN;
	if (c->n_nodes > (len - pos) / 3)
		return bcf_fail(c, -EINVAL, "condition truncated: %u nodes", c->n_nodes);
	c->nodes = kvmalloc_array(max(c->n_nodes, 1U), sizeof(*c->nodes),
				  GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!c->nodes)
		return bcf_fail(c, -ENOMEM, "out of memory for %u nodes", c->n_nodes);
	ret = bcf_decode_nodes(c, d, len, &pos);
	if (ret)
		return ret;
	if (((u64)c->n_cons + 1) * 4 > len - pos)
		return bcf_fail(c, -EINVAL, "condition truncated: constraint and goal indices");
	c->roots = pos;
	for (k = 0; k <= c->n_cons; k++, pos += 4) {
		r = get_unaligned_le32(d + pos);
		if (r >= c->n_nodes || c->nodes[r].width)
			return bcf_fail(c, -EINVAL, "condition root %u: node %u is no boolean node",
					k, r);
	}
	if (n_names > (len - pos) / 5)
		return bcf_fail(c, -EINVAL, "condition truncated: %u names", n_names);
	ret = bcf_decode_names(c, d, len, &pos, n_names);
	if (ret)
		return ret;
	if (flags & BCF_COND_F_ACCESS) {
		if (len - pos < 12)
			return bcf_fail(c, -EINVAL, "condition truncated: access record");
		r = get_unaligned_le32(d + pos);
		if (r >= c->n_nodes || !c->nodes[r].width)
			return bcf_fail(c, -EINVAL,
					"condition access record: node %u is no bit-vector",
					r);
		pos += 12;
	}
	if (pos != len)
		return bcf_fail(c, -EINVAL, "condition oversized: %u bytes after the last field",
				len - pos);
	c->cond = d;
	return 0;
}

/* ---- bit-blasting (docs/bcf-format.md section 3) ------------------------ */

/* Sizes the CNF when c->lits is NULL, stores it otherwise. */
static void bcf_clause(struct bcf_ctx *c, u32 n, s32 a, s32 b, s32 d)
{
	s32 l[3] = { a, b, d };
	u32 k;

	if (c->n_clauses >= c->cap_clauses || c->cap_lits - c->n_lits < n) {
		bcf_fail(c, -E2BIG, "formula over %u clauses or %u literals",
			 c->cap_clauses, c->cap_lits);
		return;
	}
	for (k = 0; k < n; k++) {
		/* Constants never reach a clause; if one did, val[] would overflow. */
		if (l[k] == 0 || abs(l[k]) > c->n_vars) {
			bcf_fail(c, -EINVAL, "internal error: literal %d in a clause", l[k]);
			return;
		}
		if (c->lits)
			c->lits[c->n_lits + k] = l[k];
	}
	c->n_lits += n;
	c->n_clauses++;
	if (c->lits)
		c->off[c->n_clauses] = c->n_lits;
}

/* T: no clause, F: the empty clause. */
static void bcf_unit(struct bcf_ctx *c, s32 l)
{
	if (l == BCF_F)
		bcf_clause(c, 0, 0, 0, 0);
	else if (l != BCF_T)
		bcf_clause(c, 1, l, 0, 0);
}

static s32 bcf_fresh(struct bcf_ctx *c)
{
	if (c->n_vars >= BCF_MAX_VARS) {
		bcf_fail(c, -E2BIG, "formula over %u variables", BCF_MAX_VARS);
		return BCF_F;
	}
	return ++c->n_vars;
}

static s32 bcf_and(struct bcf_ctx *c, s32 a, s32 b)
{
	s32 o;

	if (a == BCF_F || b == BCF_F)
		return BCF_F;
	if (a == BCF_T)
		return b;
	if (b == BCF_T || a == b)
		return a;
	if (a == -b)
		return BCF_F;
	o = bcf_fresh(c);
	bcf_clause(c, 2, -o, a, 0);
	bcf_clause(c, 2, -o, b, 0);
	bcf_clause(c, 3, o, -a, -b);
	return o;
}

static s32 bcf_or(struct bcf_ctx *c, s32 a, s32 b)
{
	return -bcf_and(c, -a, -b);
}

static s32 bcf_xor(struct bcf_ctx *c, s32 a, s32 b)
{
	s32 o;

	if (a == BCF_F)
		return b;
	if (a == BCF_T)
		return -b;
	if (b == BCF_F)
		return a;
	if (b == BCF_T)
		return -a;
	if (a == b)
		return BCF_F;
	if (a == -b)
		return BCF_T;
	o = bcf_fresh(c);
	bcf_clause(c, 3, -o, a, b);
	bcf_clause(c, 3, -o, -a, -b);
	bcf_clause(c, 3, o, -a, b);
	bcf_clause(c, 3, o, a, -b);
	return o;
}

/* i ? t : e */
static s32 bcf_mux(struct bcf_ctx *c, s32 i, s32 t, s32 e)
{
	s32 o;

	if (i == BCF_T)
		return t;
	if (i == BCF_F || t == e)
		return e;
	if (t == BCF_T)
		return bcf_or(c, i, e);
	if (t == BCF_F)
		return bcf_and(c, -i, e);
	if (e == BCF_T)
		return bcf_or(c, -i, t);
	if (e == BCF_F)
		return bcf_and(c, i, t);
	if (t == -e)
		return bcf_xor(c, i, e);
	o = bcf_fresh(c);
	bcf_clause(c, 3, -o, -i, t);
	bcf_clause(c, 3, -o, i, e);
	bcf_clause(c, 3, o, -i, -t);
	bcf_clause(c, 3, o, i, -e);
	return o;
}

/* Ripple carry; @out may alias @a or @b, bit k is read before it is written. */
static s32 bcf_adder(struct bcf_ctx *c, const s32 *a, const s32 *b, s32 cin,
		     bool cout, s32 *out, u32 w)
{
	s32 x, ak;
	u32 k;

	for (k = 0; k < w; k++) {
		ak = a[k];
		x = bcf_xor(c, ak, b[k]);
		out[k] = bcf_xor(c, x, cin);
		if (k < w - 1 || cout)
			cin = bcf_mux(c, x, cin, ak);
	}
	return cin;
}

static void bcf_neg(struct bcf_ctx *c, const s32 *a, s32 *out, u32 w)
{
	s32 *nb = c->tmp[BCF_TMP_NOTB];
	u32 k;

	for (k = 0; k < w; k++)
		nb[k] = -a[k];
	bcf_adder(c, c->tmp[BCF_TMP_ZERO], nb, BCF_T, false, out, w);
}

static void bcf_abs(struct bcf_ctx *c, const s32 *a, s32 *out, u32 w)
{
	u32 k;

	bcf_neg(c, a, out, w);
	for (k = 0; k < w; k++)
		out[k] = bcf_mux(c, a[w - 1], out[k], a[k]);
}

/* Whether every bit of @a is a constant; its value in @v. */
static bool bcf_const(const s32 *a, u32 w, u64 *v)
{
	u32 k;

	*v = 0;
	for (k = 0; k < w; k++) {
		if (a[k] != BCF_T && a[k] != BCF_F)
			return false;
		if (a[k] == BCF_T)
			*v |= 1ULL << k;
	}
	return true;
}

static void bcf_mul(struct bcf_ctx *c, const s32 *a, const s32 *b, s32 *out,
		    u32 w)
{
	s32 *row = c->tmp[BCF_TMP_ROW];
	u32 i, j;
	u64 v;

	/* A constant multiplier's zero bits fold whole rows away. */
	if (bcf_const(a, w, &v) && !bcf_const(b, w, &v))
		swap(a, b);
	for (j = 0; j < w; j++)
		out[j] = BCF_F;
	for (i = 0; i < w; i++) {
		for (j = 0; j < i; j++)
			row[j] = BCF_F;
		for (j = 0; j < w - i; j++)
			row[i + j] = bcf_and(c, a[j], b[i]);
		bcf_adder(c, out, row, BCF_F, false, out, w);
	}
}

/* a < b; signed compares with both sign bits inverted. */
static s32 bcf_ult(struct bcf_ctx *c, const s32 *a, const s32 *b, u32 w,
		   bool sign)
{
	s32 lt = BCF_F, x, y;
	u32 k;

	for (k = 0; k < w; k++) {
		x = sign && k == w - 1 ? -a[k] : a[k];
		y = sign && k == w - 1 ? -b[k] : b[k];
		lt = bcf_mux(c, bcf_xor(c, x, y), y, lt);
	}
	return lt;
}

/*
 * Division by a constant d > 0 by its definition: a fresh quotient,
 * r = a - q * d, and units for "q * d does not wrap", "q * d <= a" and
 * "r < d", which only the quotient meets. A solver then sees one multiplier
 * and one subtractor instead of w trial subtractions.
 */
static void bcf_udivrem_const(struct bcf_ctx *c, const s32 *a, const s32 *b,
			      u64 d, s32 *q, s32 *r, u32 w)
{
	s32 *p = c->tmp[BCF_TMP_D], *np = c->tmp[BCF_TMP_TR];
	s32 *qmax = c->tmp[BCF_TMP_DIFF], l[3];
	u64 m = div64_u64(w == 64 ? U64_MAX : (1ULL << w) - 1, d);
	u32 k;

	for (k = 0; k < w; k++)
		q[k] = bcf_fresh(c);
	bcf_mul(c, q, b, p, w);
	for (k = 0; k < w; k++) {
		np[k] = -p[k];
		qmax[k] = (m >> k) & 1 ? BCF_T : BCF_F;
	}
	bcf_adder(c, a, np, BCF_T, false, r, w);
	l[0] = -bcf_ult(c, qmax, q, w, false);
	l[1] = -bcf_ult(c, a, p, w, false);
	l[2] = bcf_ult(c, r, b, w, false);
	for (k = 0; k < 3; k++)
		bcf_unit(c, l[k]);
}

/* Restoring division; a zero divisor gives q = all ones, r = a. */
static void bcf_udivrem(struct bcf_ctx *c, const s32 *a, const s32 *b,
			s32 *q, s32 *r, u32 w)
{
	s32 *tr = c->tmp[BCF_TMP_TR], *d = c->tmp[BCF_TMP_D];
	s32 *diff = c->tmp[BCF_TMP_DIFF];
	u32 i, k;
	u64 dv;

	if (bcf_const(b, w, &dv) && dv) {
		bcf_udivrem_const(c, a, b, dv, q, r, w);
		return;
	}
	for (k = 0; k < w; k++) {
		r[k] = BCF_F;
		d[k] = -b[k];
	}
	d[w] = BCF_T;
	for (i = w; i-- > 0;) {
		tr[0] = a[i];
		memcpy(tr + 1, r, w * sizeof(*r));
		q[i] = bcf_adder(c, tr, d, BCF_T, true, diff, w + 1);
		for (k = 0; k < w; k++)
			r[k] = bcf_mux(c, q[i], diff[k], tr[k]);
	}
}

static s32 bcf_is_zero(struct bcf_ctx *c, const s32 *b, u32 w)
{
	s32 acc = BCF_F;
	u32 k;

	for (k = 0; k < w; k++)
		acc = bcf_or(c, acc, b[k]);
	return -acc;
}

static void bcf_shift(struct bcf_ctx *c, u8 op, const s32 *a, const s32 *s,
		      s32 *out, u32 w)
{
	s32 *cur = out, *nxt = c->tmp[BCF_TMP_SH], src;
	u32 i, j, h;

	memcpy(out, a, w * sizeof(*a));
	for (j = 0; (1U << j) < w; j++) {
		h = 1U << j;
		for (i = 0; i < w; i++) {
			if (op == BCF_LSH)
				src = i >= h ? cur[i - h] : BCF_F;
			else if (i + h < w)
				src = cur[i + h];
			else
				src = op == BCF_RSH ? BCF_F : cur[w - 1];
			nxt[i] = bcf_mux(c, s[j], src, cur[i]);
		}
		swap(cur, nxt);
	}
	if (cur != out)
		memcpy(out, cur, w * sizeof(*out));
}

static s32 bcf_eq(struct bcf_ctx *c, const s32 *a, const s32 *b, u32 w)
{
	s32 acc = BCF_T;
	u32 k;

	for (k = 0; k < w; k++)
		acc = bcf_and(c, acc, -bcf_xor(c, a[k], b[k]));
	return acc;
}

static void bcf_divide(struct bcf_ctx *c, u8 op, const s32 *a, const s32 *b,
		       s32 *o, u32 w)
{
	s32 *q = c->tmp[BCF_TMP_Q], *r = c->tmp[BCF_TMP_R];
	s32 *neg = c->tmp[BCF_TMP_NEG], s, z;
	u32 k;

	if (op == BCF_UDIV || op == BCF_UMOD) {
		bcf_udivrem(c, a, b, op == BCF_UDIV ? o : q,
			    op == BCF_UMOD ? o : r, w);
		if (op == BCF_UMOD)
			return;
	} else {
		bcf_abs(c, a, c->tmp[BCF_TMP_ABSA], w);
		bcf_abs(c, b, c->tmp[BCF_TMP_ABSB], w);
		bcf_udivrem(c, c->tmp[BCF_TMP_ABSA], c->tmp[BCF_TMP_ABSB], q, r,
			    w);
		if (op == BCF_SMOD) {
			bcf_neg(c, r, neg, w);
			for (k = 0; k < w; k++)
				o[k] = bcf_mux(c, a[w - 1], neg[k], r[k]);
			return;
		}
		s = bcf_xor(c, a[w - 1], b[w - 1]);
		bcf_neg(c, q, neg, w);
		for (k = 0; k < w; k++)
			o[k] = bcf_mux(c, s, neg[k], q[k]);
	}
	z = bcf_is_zero(c, b, w);
	for (k = 0; k < w; k++)
		o[k] = bcf_mux(c, z, BCF_F, o[k]);
}

static void bcf_blast_node(struct bcf_ctx *c, const struct bcf_node *n)
{
	u32 w = n->width, nb = max_t(u32, w, 1), aw = 0, k, m;
	const s32 *a = NULL, *b = NULL, *e = NULL;
	s32 *o = c->bits + n->bits, acc;
	u8 op = n->op;

	if (bcf_arity(op) > 0) {
		a = c->bits + c->nodes[n->arg[0]].bits;
		aw = c->nodes[n->arg[0]].width;
	}
	if (bcf_arity(op) > 1)
		b = c->bits + c->nodes[n->arg[1]].bits;
	if (bcf_arity(op) > 2)
		e = c->bits + c->nodes[n->arg[2]].bits;

	switch (op) {
	case BCF_CONST:
		for (k = 0; k < nb; k++)
			o[k] = (n->imm >> k) & 1 ? BCF_T : BCF_F;
		break;
	case BCF_VAR:
		for (k = 0; k < w; k++)
			o[k] = bcf_fresh(c);
		break;
	case BCF_ADD:
		bcf_adder(c, a, b, BCF_F, false, o, w);
		break;
	case BCF_SUB:
		for (k = 0; k < w; k++)
			c->tmp[BCF_TMP_NOTB][k] = -b[k];
		bcf_adder(c, a, c->tmp[BCF_TMP_NOTB], BCF_T, false, o, w);
		break;
	case BCF_NEG:
		bcf_neg(c, a, o, w);
		break;
	case BCF_MUL:
		bcf_mul(c, a, b, o, w);
		break;
	case BCF_UDIV ... BCF_SMOD:
		bcf_divide(c, op, a, b, o, w);
		break;
	case BCF_AND ... BCF_XOR:
		for (k = 0; k < w; k++)
			o[k] = op == BCF_AND ? bcf_and(c, a[k], b[k]) :
			       op == BCF_OR ? bcf_or(c, a[k], b[k]) :
			       bcf_xor(c, a[k], b[k]);
		break;
	case BCF_LSH ... BCF_ARSH:
		bcf_shift(c, op, a, b, o, w);
		break;
	case BCF_BSWAP16 ... BCF_BSWAP64:
		m = 16U << (op - BCF_BSWAP16);
		for (k = 0; k < w; k++)
			o[k] = k < m ? a[8 * (m / 8 - 1 - k / 8) + k % 8] : BCF_F;
		break;
	case BCF_ZEXT:
	case BCF_SEXT:
		for (k = 0; k < w; k++)
			o[k] = k < aw ? a[k] : op == BCF_ZEXT ? BCF_F : a[aw - 1];
		break;
	case BCF_EXTRACT:
		memcpy(o, a + n->imm, w * sizeof(*o));
		break;
	case BCF_CONCAT:
		m = c->nodes[n->arg[1]].width;
		memcpy(o, b, m * sizeof(*o));
		memcpy(o + m, a, aw * sizeof(*o));
		break;
	case BCF_ITE:
		for (k = 0; k < nb; k++)
			o[k] = bcf_mux(c, a[0], b[k], e[k]);
		break;
	case BCF_EQ:
	case BCF_NE:
		acc = bcf_eq(c, a, b, max_t(u32, aw, 1));
		o[0] = op == BCF_EQ ? acc : -acc;
		break;
	case BCF_SET:
		acc = BCF_F;
		for (k = 0; k < aw; k++)
			acc = bcf_or(c, acc, bcf_and(c, a[k], b[k]));
		o[0] = acc;
		break;
	case BCF_UGT ... BCF_SLE:
		/* GT, GE, LT, LE: b < a, !(a < b), a < b, !(b < a) */
		m = (op - BCF_UGT) % 4;
		acc = bcf_ult(c, m % 3 ? a : b, m % 3 ? b : a, aw, op >= BCF_SGT);
		o[0] = m & 1 ? -acc : acc;
		break;
	case BCF_LNOT:
		o[0] = -a[0];
		break;
	case BCF_LAND:
		o[0] = bcf_and(c, a[0], b[0]);
		break;
	case BCF_LOR:
		o[0] = bcf_or(c, a[0], b[0]);
		break;
	case BCF_LIMPLIES:
		o[0] = bcf_or(c, -a[0], b[0]);
		break;
	}
}

/* One pass over the nodes, then a unit clause per constraint and !goal. */
static int bcf_blast(struct bcf_ctx *c)
{
	u32 i, r, before;
	s32 l;

	c->n_vars = 0;
	c->n_clauses = 0;
	c->n_lits = 0;
	for (i = 0; i < c->n_nodes; i++) {
		before = c->n_lits;
		bcf_blast_node(c, &c->nodes[i]);
		if (c->err || bcf_tick(c, 1 + c->n_lits - before))
			return c->err;
	}
	for (i = 0; i <= c->n_cons; i++) {
		/* Checked in bcf_decode(); again so that no index is trusted. */
		r = get_unaligned_le32(c->cond + c->roots + 4 * i);
		if (r >= c->n_nodes || c->nodes[r].width)
			return bcf_fail(c, -EINVAL, "condition changed while checked");
		l = c->bits[c->nodes[r].bits];
		bcf_unit(c, i == c->n_cons ? -l : l);
	}
	return c->err;
}

/*
 * Size the CNF, allocate it with room for @more_clauses and @more_lits of the
 * proof, then store it: both passes run the same code, so they agree.
 */
static int bcf_build_cnf(struct bcf_ctx *c, u32 more_clauses, u32 more_lits)
{
	u32 vars, clauses, lits, k;

	c->bits = kvmalloc_array(max(c->n_bits, 1U), sizeof(*c->bits),
				 GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!c->bits)
		return bcf_fail(c, -ENOMEM, "out of memory for %u bits", c->n_bits);
	for (k = 0; k <= BCF_MAX_WIDTH; k++)
		c->tmp[BCF_TMP_ZERO][k] = BCF_F;
	c->cap_clauses = BCF_MAX_CLAUSES;
	c->cap_lits = BCF_MAX_LITS;
	if (bcf_blast(c))
		return c->err;
	vars = c->n_vars;
	clauses = c->n_clauses;
	lits = c->n_lits;
	if (more_clauses > BCF_MAX_CLAUSES - clauses ||
	    more_lits > BCF_MAX_LITS - lits)
		return bcf_fail(c, -E2BIG, "formula and proof over %u clauses or %u literals",
				BCF_MAX_CLAUSES, BCF_MAX_LITS);
	c->cap_clauses = clauses + more_clauses;
	c->cap_lits = lits + more_lits;
	c->lits = kvmalloc_array(max(c->cap_lits, 1U), sizeof(*c->lits),
				 GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	c->off = kvmalloc_array(c->cap_clauses + 1, sizeof(*c->off),
				GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	c->dead = kvcalloc(c->cap_clauses + 1, 1, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	c->val = kvcalloc(vars + 1, 1, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	c->trail = kvmalloc_array(vars + 1, sizeof(*c->trail),
				  GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!c->lits || !c->off || !c->dead || !c->val || !c->trail)
		return bcf_fail(c, -ENOMEM, "out of memory for %u clauses", c->cap_clauses);
	c->off[0] = 0;
	if (bcf_blast(c))
		return c->err;
	if (c->n_vars != vars || c->n_clauses != clauses || c->n_lits != lits)
		return bcf_fail(c, -EINVAL, "internal error: bit-blasting is not deterministic");
	return 0;
}

/* ---- certificate ------------------------------------------------------- */

/* Unsigned LEB128, at most 5 bytes and 32 bits. */
static int bcf_num(struct bcf_ctx *c, struct bcf_cur *r, u32 *out)
{
	u64 v = 0;
	u32 shift;
	u8 byte;

	for (shift = 0;; shift += 7) {
		if (r->pos >= r->len)
			return bcf_fail(c, -EINVAL, "certificate truncated inside a number");
		if (shift > 28)
			return bcf_fail(c, -EINVAL, "certificate number too long at byte %u",
					r->pos);
		byte = r->p[r->pos++];
		v |= (u64)(byte & 0x7f) << shift;
		if (!(byte & 0x80))
			break;
	}
	if (v > U32_MAX)
		return bcf_fail(c, -EINVAL, "certificate number over 32 bits at byte %u",
				r->pos);
	*out = v;
	return 0;
}

static int bcf_skip(struct bcf_ctx *c, struct bcf_cur *r, u32 *n)
{
	u32 i, x;

	if (bcf_num(c, r, n))
		return c->err;
	for (i = 0; i < *n; i++)
		if (bcf_num(c, r, &x))
			return c->err;
	return 0;
}

/* Syntax only, and how much the proof can store: sizes memory up front. */
static int bcf_cert_scan(struct bcf_ctx *c, struct bcf_cur r, u32 *adds,
			 u32 *lits)
{
	u32 tag, n, h;

	*adds = 0;
	*lits = 0;
	while (r.pos < r.len) {
		if (bcf_num(c, &r, &tag))
			return c->err;
		if (tag == BCF_STEP_ADD) {
			if (bcf_skip(c, &r, &n) || bcf_skip(c, &r, &h))
				return c->err;
			/* Both fit: each counted item took a byte of the certificate. */
			*adds += 1;
			*lits += n;
		} else if (tag == BCF_STEP_DEL) {
			if (bcf_skip(c, &r, &n))
				return c->err;
		} else {
			return bcf_fail(c, -EINVAL, "certificate: unknown step tag %u", tag);
		}
	}
	return 0;
}

/* 1 if @l is true, -1 if false, 0 if unassigned. */
static int bcf_lval(const struct bcf_ctx *c, s32 l)
{
	u8 v = c->val[abs(l)];

	return !v ? 0 : (v == 1) == (l > 0) ? 1 : -1;
}

static void bcf_assign(struct bcf_ctx *c, s32 l)
{
	c->val[abs(l)] = l > 0 ? 1 : 2;
	c->trail[c->n_trail++] = abs(l);
}

/* Resolve a back reference to a live clause before @next; 0 if there is none. */
static u32 bcf_clause_id(struct bcf_ctx *c, u32 next, u32 back, u32 step)
{
	if (back == 0 || back >= next || c->dead[next - back]) {
		bcf_fail(c, -EINVAL, "certificate step %u: clause %lld is unknown or deleted",
			 step, (long long)next - back);
		return 0;
	}
	return next - back;
}

/*
 * Add step: assume every literal of the clause false, then each hinted clause
 * must be unit (its last literal becomes true) or, as the last hint, false.
 */
static int bcf_rup(struct bcf_ctx *c, struct bcf_cur *r, u32 step, bool *empty)
{
	u32 next = c->n_clauses + 1, n, h, k, i, code, id;
	s32 l, unit, *cl = c->lits + c->n_lits;
	const s32 *hc;
	int ret = 0;

	if (bcf_num(c, r, &n))
		return c->err;
	if (c->n_clauses >= c->cap_clauses || n > c->cap_lits - c->n_lits)
		return bcf_fail(c, -E2BIG, "certificate step %u: over the proof's size", step);
	c->n_trail = 0;
	for (k = 0; k < n; k++) {
		if (bcf_num(c, r, &code))
			return c->err;
		if (code / 2 == 0 || code / 2 > c->n_vars)
			return bcf_fail(c, -EINVAL,
					"certificate step %u: literal code %u out of range",
					step, code);
		l = code & 1 ? -(s32)(code / 2) : (s32)(code / 2);
		if (bcf_lval(c, l) > 0)
			return bcf_fail(c, -EINVAL, "certificate step %u: clause %u is a tautology",
					step, next);
		if (!bcf_lval(c, l))
			bcf_assign(c, -l);
		cl[k] = l;
	}
	if (bcf_num(c, r, &h))
		return c->err;
	for (k = 0; k < h; k++) {
		if (bcf_num(c, r, &code))
			return c->err;
		id = bcf_clause_id(c, next, code, step);
		if (!id)
			return c->err;
		hc = c->lits + c->off[id - 1];
		unit = 0;
		for (i = 0; i < c->off[id] - c->off[id - 1]; i++) {
			ret = bcf_lval(c, hc[i]);
			if (ret > 0 || (!ret && unit))
				return bcf_fail(c, -EINVAL,
						"certificate step %u: hint %u of clause %u is not unit",
						step, id, next);
			if (!ret)
				unit = hc[i];
		}
		if (bcf_tick(c, i + 1))
			return c->err;
		if (!unit) {
			if (k != h - 1)
				return bcf_fail(c, -EINVAL,
						"certificate step %u: hints after the conflict",
						step);
			break;
		}
		bcf_assign(c, unit);
	}
	if (k == h)
		return bcf_fail(c, -EINVAL,
				"certificate step %u: hints of clause %u do not propagate to a conflict",
				step, next);
	for (k = 0; k < c->n_trail; k++)
		c->val[c->trail[k]] = 0;
	c->n_lits += n;
	c->off[++c->n_clauses] = c->n_lits;
	*empty = !n;
	return 0;
}

static int bcf_lrat(struct bcf_ctx *c, struct bcf_cur *r, u32 *steps)
{
	u32 tag, n, k, back, id;
	bool empty = false;

	for (*steps = 0; r->pos < r->len; ) {
		if (empty)
			return bcf_fail(c, -EINVAL, "certificate: steps after the empty clause");
		++*steps;
		if (bcf_tick(c, 1) || bcf_num(c, r, &tag))
			return c->err;
		if (tag == BCF_STEP_ADD) {
			if (bcf_rup(c, r, *steps, &empty))
				return c->err;
			continue;
		}
		if (tag != BCF_STEP_DEL)
			return bcf_fail(c, -EINVAL, "certificate: unknown step tag %u", tag);
		if (bcf_num(c, r, &n))
			return c->err;
		for (k = 0; k < n; k++) {
			if (bcf_num(c, r, &back))
				return c->err;
			id = bcf_clause_id(c, c->n_clauses + 1, back, *steps);
			if (!id)
				return c->err;
			c->dead[id] = 1;
		}
	}
	if (!empty)
		return bcf_fail(c, -EINVAL, "certificate ends without deriving the empty clause");
	return 0;
}

static void bcf_ctx_free(struct bcf_ctx *c)
{
	kvfree(c->nodes);
	kvfree(c->bits);
	kvfree(c->lits);
	kvfree(c->off);
	kvfree(c->dead);
	kvfree(c->val);
	kvfree(c->trail);
	kvfree(c);
}

static struct bcf_ctx *bcf_ctx_alloc(char *why, size_t why_len)
{
	struct bcf_ctx *c = kvzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);

	if (why && why_len)
		snprintf(why, why_len, "%s", c ? "" : "out of memory");
	if (c) {
		c->why = why;
		c->why_len = why_len;
	}
	return c;
}

static int bcf_check(struct bcf_ctx *c, const u8 *cond, u32 cond_len,
		     const u8 *cert, u32 cert_len, struct bcf_check_stats *st)
{
	struct bcf_cur r = { .p = cert, .pos = BCF_CERT_HDR_LEN, .len = cert_len };
	u32 vars, clauses, adds, lits;
	u8 hash[SHA256_DIGEST_SIZE];

	if (bcf_decode(c, cond, cond_len))
		return c->err;
	if (cert_len > BCF_MAX_CERT_BYTES)
		return bcf_fail(c, -E2BIG, "certificate is %u bytes, over %u",
				cert_len, BCF_MAX_CERT_BYTES);
	if (cert_len < BCF_CERT_HDR_LEN)
		return bcf_fail(c, -EINVAL, "certificate truncated: %u bytes, no header",
				cert_len);
	if (memcmp(cert, BCF_CERT_MAGIC, 4) ||
	    get_unaligned_le16(cert + 4) != BCF_CERT_VERSION ||
	    get_unaligned_le16(cert + 6))
		return bcf_fail(c, -EINVAL, "not a version-2 BCF certificate");
	if (get_unaligned_le32(cert + 8) != cert_len)
		return bcf_fail(c, -EINVAL, "certificate length %u, header says %u",
				cert_len, get_unaligned_le32(cert + 8));
	sha256(cond, cond_len, hash);
	if (memcmp(hash, cert + 12, sizeof(hash)))
		return bcf_fail(c, -EINVAL,
				"certificate is for a different condition (hash mismatch)");
	if (bcf_num(c, &r, &vars) || bcf_num(c, &r, &clauses) ||
	    bcf_cert_scan(c, r, &adds, &lits) || bcf_build_cnf(c, adds, lits))
		return c->err;
	st->cnf_vars = c->n_vars;
	st->cnf_clauses = c->n_clauses;
	if (vars != c->n_vars || clauses != c->n_clauses)
		return bcf_fail(c, -EINVAL,
				"certificate is for a formula of %u variables and %u clauses, not %u and %u",
				vars, clauses, c->n_vars, c->n_clauses);
	return bcf_lrat(c, &r, &st->steps);
}

int bcf_check_certificate(const void *cond, u32 cond_len, const void *cert,
			  u32 cert_len, struct bcf_check_stats *stats,
			  char *why, size_t why_len)
{
	struct bcf_check_stats st = { 0 };
	u64 start = ktime_get_ns();
	struct bcf_ctx *c;
	int ret;

	c = bcf_ctx_alloc(why, why_len);
	if (!c)
		return -ENOMEM;
	ret = bcf_check(c, cond, cond_len, cert, cert_len, &st);
	bcf_ctx_free(c);
	st.check_ns = ktime_get_ns() - start;
	if (stats)
		*stats = st;
	return ret;
}

int bcf_cond_decode_check(const void *cond, u32 cond_len, char *why,
			  size_t why_len)
{
	struct bcf_ctx *c = bcf_ctx_alloc(why, why_len);
	int ret;

	if (!c)
		return -ENOMEM;
	ret = bcf_decode(c, cond, cond_len);
	bcf_ctx_free(c);
	return ret;
}
