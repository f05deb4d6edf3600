/*
 * gradcheck-engine.c: the compressed Jacobian engine (gradcheck-int.h).
 *
 * conv2d's Jacobians are sparse in a pattern the shape predicts: an input
 * entry reaches only the outputs whose windows hold it, a weight entry only
 * the outputs of its channel (and not those whose tap falls in the
 * padding), a bias entry the outputs of its channel. So, as Curtis, Powell
 * and Reid did for sparse Jacobians:
 *
 * Columns (numeric side). A column group is a set of entries of input,
 * weight or bias whose output sets are pairwise disjoint:
 *   input   one channel per channel group, every image, the rows
 *           h = ah mod Kh and columns w = aw mod Kw, Kh = dil_h (R-1) + 1
 *           (two rows Kh apart share no window): C_in/groups * Kh * Kw
 *           groups;
 *   weight  the entries (c_out, c_in, di, dj) of every c_out: C_in/groups
 *           * R * S groups;
 *   bias    all of it: one group.
 * Each member x_j moves by h r_j, r_j uniform in [1, 2) (a weight per
 * entry, so wrong entries cannot cancel), and two forward passes of the
 * source give, at each output o of member j's set, the numeric entry
 * (F+[o] - F-[o]) / step_j, step_j the step actually taken. Every output
 * outside the members' sets must not change at all (bitwise): a forward
 * that reads outside its window is caught there, never assumed away.
 *
 * Rows (analytic side). A row group is a set of outputs whose input sets
 * are pairwise disjoint: for d output/d input one output channel per
 * channel group at the output positions h_out = bh mod Ch, w_out = bw mod
 * Cw of every image, Ch = ceil(Kh / strh); for d output/d weight and
 * d output/d bias every channel at one position (b, h_out, w_out). One
 * backward pass with df = the sum of q_o e_o over the group, q_o = +-2^k
 * (k uniform in 0..15, so scaling is exact and errors cannot cancel),
 * gives each output's row: entry j of o's set is dX[j] / q_o, and every
 * entry outside the sets must be exactly 0.
 *
 * Comparing without holding either Jacobian. A correct backward's entry
 * is one exact product (one nonzero term): weight[c_out, c_in, di, dj]
 * for d output/d input, the input under the tap for d output/d weight, 1
 * for d output/d bias. The rows are read first and only the entries that
 * differ from that value at all are remembered (a hash map: empty for a
 * correct kernel); the columns then compare each numeric entry with the
 * analytic one (remembered, else that exact value). So every comparison is
 * the source's backward against finite differences of the source's own
 * forward, and memory is a few tensors.
 *
 * Failures. A group that shows anything wrong (an entry over the
 * tolerance, an output or entry outside the sets that is not zero) is done
 * again one entry at a time: its columns as single-entry finite
 * differences, its rows as single one-hot backward passes. So a wrong
 * entry is named exactly, the first failure is the first in row-major
 * order as the direct engine reports it, and a sparsity error cannot hide
 * in a neighbour's entry. (Bounded: after 4x the run's own calls, groups
 * are no longer redone and their first entries may be a neighbour's.)
 *
 * What "every entry" means: each (o, j) of each Jacobian is compared, the
 * predicted ones one by one against the tolerance, the others (the
 * structural zeros) exactly, inside one sum per output (numeric: the
 * output did not change) and one per entry (analytic: the entry is 0).
 * A wrong entry escapes only if its error cancels exactly against other
 * wrong entries of the same group: numerically the r_j carry 52 random
 * bits, so that needs an exact linear relation among them (chance below
 * 2^-40 for errors over the tolerance); analytically at most 1 in 32 per
 * group for two or more wrong zeros in one row group, and never for a
 * single one.
 *
 * Budget: rows of random groups for half the time, then columns of random
 * groups; an entry counts as compared when both its row and its column
 * group ran, so the share is rows done x columns done per Jacobian.
 */
#include "gradcheck-int.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

#define MAP_MAX ((size_t)1 << 22)     /* remembered analytic entries */
#define PROGRESS_EVERY 0.2            /* seconds */

/* Channel groups (conv-shape.h). */
#define SHAPE_GROUPS(s) ((s)->groups)

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---------------------------------------------------------- geometry */

typedef struct geom {
	const conv_shape_t *s;
	long G, Cig, Cog;       /* channel groups, channels per group */
	long Kh, Kw;            /* input column classes */
	long Ch, Cw;            /* output row classes (d output/d input) */
	long *tap_h;            /* [Kh][H_out]: di with row = ah mod Kh, or -1 */
	long *tap_w;            /* [Kw][W_out] */
} geom_t;

static long
lmin(long a, long b)
{
	return a < b ? a : b;
}

/* tap[a * n_out + x_out] = the tap t whose position str*x_out + dil*t -
 * pad is inside [0, n_in) and = a mod K, or -1 (at most one: the window's
 * positions are distinct mod K). */
static long *
tap_table(long K, long n_out, long n_in, long taps, long str, long dil,
    long pad)
{
	long *tap = xmalloc((size_t)(K * n_out) * sizeof(long));
	long a, x, t;

	for (a = 0; a < K; a++) {
		for (x = 0; x < n_out; x++) {
			tap[a * n_out + x] = -1;
			for (t = 0; t < taps; t++) {
				long pos = str * x + dil * t - pad;

				if (pos >= 0 && pos < n_in && pos % K == a)
					tap[a * n_out + x] = t;
			}
		}
	}
	return tap;
}

static void
geom_init(geom_t *gm, const conv_shape_t *s)
{
	gm->s = s;
	gm->G = SHAPE_GROUPS(s);
	gm->Cig = s->C_in / gm->G;
	gm->Cog = s->C_out / gm->G;
	gm->Kh = lmin(s->dil_h * (s->R - 1) + 1, s->H_in);
	gm->Kw = lmin(s->dil_w * (s->S - 1) + 1, s->W_in);
	gm->Ch = lmin((s->dil_h * (s->R - 1) + 1 + s->strh - 1) / s->strh,
	    s->H_out);
	gm->Cw = lmin((s->dil_w * (s->S - 1) + 1 + s->strw - 1) / s->strw,
	    s->W_out);
	gm->tap_h = tap_table(gm->Kh, s->H_out, s->H_in, s->R, s->strh,
	    s->dil_h, s->pad_h);
	gm->tap_w = tap_table(gm->Kw, s->W_out, s->W_in, s->S, s->strw,
	    s->dil_w, s->pad_w);
}

static void
geom_done(geom_t *gm)
{
	free(gm->tap_h);
	free(gm->tap_w);
}

static size_t
in_index(const conv_shape_t *s, long b, long ci, long h, long w)
{
	return (((size_t)b * s->C_in + ci) * s->H_in + h) * s->W_in + w;
}

static size_t
w_index(const geom_t *gm, long co, long cg, long di, long dj)
{
	const conv_shape_t *s = gm->s;

	return (((size_t)co * gm->Cig + cg) * s->R + di) * s->S + dj;
}

/* The input position under tap (di, dj) of output (ho, wo): false in the
 * padding. */
static bool
tap_pos(const conv_shape_t *s, long ho, long wo, long di, long dj, long *h,
    long *w)
{
	*h = s->strh * ho + s->dil_h * di - s->pad_h;
	*w = s->strw * wo + s->dil_w * dj - s->pad_w;
	return *h >= 0 && *h < s->H_in && *w >= 0 && *w < s->W_in;
}

/* An output's indices. */
typedef struct oidx {
	long b, co, ho, wo;
} oidx_t;

static oidx_t
out_unravel(const conv_shape_t *s, size_t o)
{
	oidx_t x;

	x.wo = (long)(o % (size_t)s->W_out);
	o /= (size_t)s->W_out;
	x.ho = (long)(o % (size_t)s->H_out);
	o /= (size_t)s->H_out;
	x.co = (long)(o % (size_t)s->C_out);
	x.b = (long)(o / (size_t)s->C_out);
	return x;
}

/*
 * Is entry j of wrt in output o's set (a predicted entry)? If so *canon is
 * the value a correct backward gives exactly (see the top comment).
 */
static bool
predicted(const geom_t *gm, const conv_params_t *p, conv_wrt_t wrt,
    size_t o, size_t j, double *canon)
{
	const conv_shape_t *s = gm->s;
	oidx_t x = out_unravel(s, o);
	long g = x.co / gm->Cog, h, w;

	if (wrt == WRT_BIAS) {
		*canon = 1;
		return (long)j == x.co;
	}
	if (wrt == WRT_WEIGHT) {
		long dj = (long)(j % (size_t)s->S), di, cg, co;

		j /= (size_t)s->S;
		di = (long)(j % (size_t)s->R);
		j /= (size_t)s->R;
		cg = (long)(j % (size_t)gm->Cig);
		co = (long)(j / (size_t)gm->Cig);
		if (co != x.co || !tap_pos(s, x.ho, x.wo, di, dj, &h, &w))
			return false;
		*canon = T4(p->input, x.b, g * gm->Cig + cg, h, w);
		return true;
	} else {
		long wi = (long)(j % (size_t)s->W_in), hi, ci, b, dh, dw;

		j /= (size_t)s->W_in;
		hi = (long)(j % (size_t)s->H_in);
		j /= (size_t)s->H_in;
		ci = (long)(j % (size_t)s->C_in);
		b = (long)(j / (size_t)s->C_in);
		dh = hi + s->pad_h - s->strh * x.ho;
		dw = wi + s->pad_w - s->strw * x.wo;
		if (b != x.b || ci / gm->Cig != g || dh < 0 || dw < 0 ||
		    dh % s->dil_h != 0 || dw % s->dil_w != 0 ||
		    dh / s->dil_h >= s->R || dw / s->dil_w >= s->S)
			return false;
		*canon = T4(p->weight, x.co, ci % gm->Cig, dh / s->dil_h,
		    dw / s->dil_w);
		return true;
	}
}

/* ---------------------------------------------------------- the map */

/* Analytic entries that differ from their exact value, by key o*P + j. */
typedef struct amap {
	uint64_t *keys;         /* key + 1; 0: empty */
	double *vals;
	size_t cap, n;
	bool full;              /* MAP_MAX reached: later ones not kept */
} amap_t;

static uint64_t
hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static void amap_put(amap_t *m, uint64_t key, double v);

static void
amap_grow(amap_t *m)
{
	amap_t old = *m;
	size_t i;

	m->cap = old.cap ? 2 * old.cap : 1024;
	m->keys = xcalloc(m->cap, sizeof(*m->keys));
	m->vals = xcalloc(m->cap, sizeof(*m->vals));
	m->n = 0;
	for (i = 0; i < old.cap; i++) {
		if (old.keys[i] != 0)
			amap_put(m, old.keys[i] - 1, old.vals[i]);
	}
	free(old.keys);
	free(old.vals);
}

/* Keep v for key; false if the map is full (then nothing is kept). */
static void
amap_put(amap_t *m, uint64_t key, double v)
{
	size_t i;

	if (m->n >= MAP_MAX) {
		m->full = true;
		return;
	}
	if (2 * (m->n + 1) > m->cap)
		amap_grow(m);
	for (i = hash64(key) & (m->cap - 1); m->keys[i] != 0;
	    i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key + 1) {
			m->vals[i] = v;
			return;
		}
	}
	m->keys[i] = key + 1;
	m->vals[i] = v;
	m->n++;
}

static bool
amap_get(const amap_t *m, uint64_t key, double *v)
{
	size_t i;

	if (m->n == 0)
		return false;
	for (i = hash64(key) & (m->cap - 1); m->keys[i] != 0;
	    i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key + 1) {
			*v = m->vals[i];
			return true;
		}
	}
	return false;
}

static void
amap_free(amap_t *m)
{
	free(m->keys);
	free(m->vals);
}

/* ---------------------------------------------------------- the run */

/* Kinds of work: row groups (one backward each), column groups (two
 * forwards each, or one for forward differences). */
enum { ROW_IN, ROW_W, COL_BIAS, COL_IN, COL_W, NKINDS };

typedef struct engine {
	gradcheck_t *g;
	const gradcheck_source_t *src;
	geom_t gm;
	size_t M, P[3];
	gradcheck_item_t jac[3], grad[3];   /* built here, appended at the end */
	amap_t map[3];
	tensor_t *d[3];           /* backward results */
	tensor_t *gana[3];        /* the chain rule for g->df */
	tensor_t *gnum[3];        /* its finite differences, per column */
	unsigned char *col_done[3];   /* per entry: its column group ran */
	unsigned char *row_done[2];   /* per output: ROW_IN, ROW_W ran */
	size_t nrow_done[2];
	tensor_t *hi, *lo, *base; /* forward outputs */
	tensor_t *df;             /* one-hot sums */
	double *col;
	double *step;             /* per input/weight/bias entry in a group */
	size_t *members, *outs;
	unsigned *mark;           /* covered inputs, by epoch */
	unsigned epoch;
	/* scheduling */
	long ngroups[NKINDS];
	long *order[NKINDS];
	long next[NKINDS];
	double spent[NKINDS];
	double t_kind[NKINDS];    /* seconds of the first call of each kind */
	double calls, total_calls, fcalls, bcalls;
	double t0, last_progress, estimate;
	double redo_calls, redo_limit;
	bool stop;
} engine_t;

static int
e_forward(engine_t *e, tensor_t *out, char **err)
{
	e->calls++;
	e->fcalls++;
	return gradcheck_src_forward(e->g, e->src, out, err);
}

static int
e_backward(engine_t *e, tensor_t *const d[3], const tensor_t *df,
    char **err)
{
	e->calls++;
	e->bcalls++;
	return gradcheck_src_backward(e->g, e->src, d, df, err);
}

/* The group's q: +-2^k, k uniform in 0..15. */
static double
row_weight(rng_t *r)
{
	uint64_t v = rng_next(r);

	return ldexp((v & 1) ? -1.0 : 1.0, (int)((v >> 1) & 15));
}

/* ------------------------------------------------------------ rows */

/* The outputs of row group gi of kind ROW_IN or ROW_W into e->outs. */
static size_t
row_outputs(const engine_t *e, int kind, long gi)
{
	const conv_shape_t *s = e->gm.s;
	size_t n = 0;
	long b, co, ho, wo, g;

	if (kind == ROW_W) {
		wo = gi % s->W_out;
		ho = (gi / s->W_out) % s->H_out;
		b = gi / (s->W_out * s->H_out);
		for (co = 0; co < s->C_out; co++)
			e->outs[n++] = (((size_t)b * s->C_out + co) * s->H_out + ho) *
			    s->W_out + wo;
		return n;
	}
	for (b = 0; b < s->N; b++)
		for (g = 0; g < e->gm.G; g++) {
			co = g * e->gm.Cog + gi / (e->gm.Ch * e->gm.Cw);
			for (ho = (gi / e->gm.Cw) % e->gm.Ch; ho < s->H_out;
			    ho += e->gm.Ch)
				for (wo = gi % e->gm.Cw; wo < s->W_out; wo += e->gm.Cw)
					e->outs[n++] = (((size_t)b * s->C_out + co) *
					    s->H_out + ho) * s->W_out + wo;
		}
	return n;
}

/* Does the row group's d output/d input agree exactly with the exact
 * values, and is every other entry 0? (Screening: no records.) */
static bool
rows_input_clean(engine_t *e, size_t n, const double *q)
{
	const conv_shape_t *s = e->gm.s;
	const tensor_t *dx = e->d[WRT_INPUT];
	size_t i, j;
	long cg, di, dj, h, w;

	e->epoch++;
	for (i = 0; i < n; i++) {
		oidx_t x = out_unravel(s, e->outs[i]);
		long g = x.co / e->gm.Cog;

		for (cg = 0; cg < e->gm.Cig; cg++)
			for (di = 0; di < s->R; di++)
				for (dj = 0; dj < s->S; dj++) {
					if (!tap_pos(s, x.ho, x.wo, di, dj, &h, &w))
						continue;
					j = in_index(s, x.b, g * e->gm.Cig + cg, h, w);
					e->mark[j] = e->epoch;
					if (!(dx->data[j] / q[i] ==
					    T4(e->g->p.weight, x.co, cg, di, dj)))
						return false;
				}
	}
	for (j = 0; j < dx->size; j++) {
		if (e->mark[j] != e->epoch && !(dx->data[j] == 0))
			return false;
	}
	return true;
}

static bool
rows_weight_clean(engine_t *e, size_t n, const double *q)
{
	const conv_shape_t *s = e->gm.s;
	const tensor_t *dw = e->d[WRT_WEIGHT], *db = e->d[WRT_BIAS];
	size_t i;
	long cg, di, dj, h, w;

	for (i = 0; i < n; i++) {
		oidx_t x = out_unravel(s, e->outs[i]);
		long g = x.co / e->gm.Cog;

		if (!(db->data[x.co] / q[i] == 1))
			return false;
		for (cg = 0; cg < e->gm.Cig; cg++)
			for (di = 0; di < s->R; di++)
				for (dj = 0; dj < s->S; dj++) {
					double v = dw->data[w_index(&e->gm, x.co, cg, di,
					    dj)];
					double want = 0;

					if (tap_pos(s, x.ho, x.wo, di, dj, &h, &w))
						want = T4(e->g->p.input, x.b, g * e->gm.Cig + cg,
						    h, w) * q[i];
					if (!(v == want))
						return false;
				}
	}
	return true;
}

/* Row o alone (df = e_o) for wrt: every entry that differs from its exact
 * value is remembered; a nonzero outside o's set is a failure. */
static void
row_record(engine_t *e, conv_wrt_t wrt, size_t o)
{
	const tensor_t *d = e->d[wrt];
	gradcheck_item_t *it = &e->jac[wrt];
	size_t j;
	double canon;

	for (j = 0; j < d->size; j++) {
		uint64_t key = (uint64_t)o * e->P[wrt] + j;

		if (predicted(&e->gm, &e->g->p, wrt, o, j, &canon)) {
			if (d->data[j] == canon)
				continue;
			amap_put(&e->map[wrt], key, d->data[j]);
			if (e->map[wrt].full)    /* against the exact value */
				gradcheck_fail_at(it, d->data[j], canon, key,
				    e->g->onehot, o, d, j);
		} else if (!(d->data[j] == 0)) {
			gradcheck_fail_at(it, d->data[j], 0, key, e->g->onehot, o,
			    d, j);
		}
	}
}

/* Redo a row group one output at a time. */
static int
rows_redo(engine_t *e, int kind, size_t n, char **err)
{
	tensor_t *d[3] = { NULL, NULL, NULL };
	size_t i;
	int rc = 0;

	if (kind == ROW_IN)
		d[WRT_INPUT] = e->d[WRT_INPUT];
	else
		d[WRT_WEIGHT] = e->d[WRT_WEIGHT], d[WRT_BIAS] = e->d[WRT_BIAS];
	tensor_zero(e->df);
	for (i = 0; i < n && rc == 0; i++) {
		e->df->data[e->outs[i]] = 1;
		rc = e_backward(e, d, e->df, err);
		e->df->data[e->outs[i]] = 0;
		e->redo_calls++;
		if (rc != 0)
			break;
		if (kind == ROW_IN) {
			row_record(e, WRT_INPUT, e->outs[i]);
		} else {
			row_record(e, WRT_WEIGHT, e->outs[i]);
			row_record(e, WRT_BIAS, e->outs[i]);
		}
	}
	return rc;
}

/* One row group: a backward with the one-hot sum, screened; redone one
 * output at a time when anything differs. */
static int
run_rows(engine_t *e, int kind, long gi, char **err)
{
	tensor_t *d[3] = { NULL, NULL, NULL };
	size_t n = row_outputs(e, kind, gi), i;
	double *q = xmalloc((n ? n : 1) * sizeof(double));
	bool clean;
	int rc;

	if (kind == ROW_IN)
		d[WRT_INPUT] = e->d[WRT_INPUT];
	else
		d[WRT_WEIGHT] = e->d[WRT_WEIGHT], d[WRT_BIAS] = e->d[WRT_BIAS];
	tensor_zero(e->df);
	for (i = 0; i < n; i++)
		e->df->data[e->outs[i]] = q[i] = row_weight(&e->g->rng);
	rc = e_backward(e, d, e->df, err);
	if (rc == 0) {
		clean = kind == ROW_IN ? rows_input_clean(e, n, q) :
		    rows_weight_clean(e, n, q);
		if (!clean && e->redo_calls < e->redo_limit)
			rc = rows_redo(e, kind, n, err);
		else if (!clean)    /* over the redo bound: what screening saw */
			gradcheck_fail_at(&e->jac[kind == ROW_IN ? WRT_INPUT :
			    WRT_WEIGHT], NAN, 0, UINT64_MAX, NULL, 0, NULL, 0);
	}
	for (i = 0; rc == 0 && i < n; i++) {
		e->row_done[kind][e->outs[i]] = 1;
		e->nrow_done[kind]++;
	}
	free(q);
	return rc;
}

/* ---------------------------------------------------------- columns */

/* The members of column group gi of wrt into e->members. */
static size_t
col_members(const engine_t *e, conv_wrt_t wrt, long gi)
{
	const conv_shape_t *s = e->gm.s;
	size_t n = 0;
	long b, g, h, w, co;

	if (wrt == WRT_BIAS) {
		for (co = 0; co < s->C_out; co++)
			e->members[n++] = (size_t)co;
		return n;
	}
	if (wrt == WRT_WEIGHT) {
		long cg = gi / (s->R * s->S), di = (gi / s->S) % s->R,
		    dj = gi % s->S;

		for (co = 0; co < s->C_out; co++)
			e->members[n++] = w_index(&e->gm, co, cg, di, dj);
		return n;
	}
	for (b = 0; b < s->N; b++)
		for (g = 0; g < e->gm.G; g++)
			for (h = (gi / e->gm.Kw) % e->gm.Kh; h < s->H_in;
			    h += e->gm.Kh)
				for (w = gi % e->gm.Kw; w < s->W_in; w += e->gm.Kw)
					e->members[n++] = in_index(s, b, g * e->gm.Cig +
					    gi / (e->gm.Kh * e->gm.Kw), h, w);
	return n;
}

/* The member of column group gi whose output set holds o, or SIZE_MAX;
 * *canon its exact value. */
static size_t
col_owner(const engine_t *e, conv_wrt_t wrt, long gi, size_t o,
    double *canon)
{
	const conv_shape_t *s = e->gm.s;
	const geom_t *gm = &e->gm;
	oidx_t x = out_unravel(s, o);
	long g = x.co / gm->Cog, di, dj, h, w, cg;

	if (wrt == WRT_BIAS) {
		*canon = 1;
		return (size_t)x.co;
	}
	if (wrt == WRT_WEIGHT) {
		cg = gi / (s->R * s->S);
		di = (gi / s->S) % s->R;
		dj = gi % s->S;
		if (!tap_pos(s, x.ho, x.wo, di, dj, &h, &w))
			return SIZE_MAX;
		*canon = T4(e->g->p.input, x.b, g * gm->Cig + cg, h, w);
		return w_index(gm, x.co, cg, di, dj);
	}
	cg = gi / (gm->Kh * gm->Kw);
	di = gm->tap_h[((gi / gm->Kw) % gm->Kh) * s->H_out + x.ho];
	dj = gm->tap_w[(gi % gm->Kw) * s->W_out + x.wo];
	if (di < 0 || dj < 0)
		return SIZE_MAX;
	tap_pos(s, x.ho, x.wo, di, dj, &h, &w);
	*canon = T4(e->g->p.weight, x.co, cg, di, dj);
	return in_index(s, x.b, g * gm->Cig + cg, h, w);
}

/* The analytic entry (o, j): remembered, else its exact value. */
static double
analytic(const engine_t *e, conv_wrt_t wrt, size_t o, size_t j,
    double canon)
{
	double v;

	if (amap_get(&e->map[wrt], (uint64_t)o * e->P[wrt] + j, &v))
		return v;
	return canon;
}

static int
row_kind_of(conv_wrt_t wrt)
{
	return wrt == WRT_INPUT ? ROW_IN : ROW_W;
}

/* Forward at x + steps (hi), and at x - steps (lo) or the base output. The
 * members get their saved values back bit for bit. */
static int
col_forwards(engine_t *e, conv_wrt_t wrt, size_t n, const double *r,
    char **err)
{
	tensor_t *x = conv_wrt_tensor(&e->g->p, wrt);
	const double h = e->g->o.fd.eps;
	bool central = e->g->o.fd.method == FD_CENTRAL;
	double *saved = xmalloc((n ? n : 1) * sizeof(double));
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		size_t j = e->members[i];
		double hi = x->data[j] + h * r[i];
		double lo = central ? x->data[j] - h * r[i] : x->data[j];

		saved[i] = x->data[j];
		e->step[j] = hi - lo;
		x->data[j] = hi;
	}
	rc = e_forward(e, e->hi, err);
	for (i = 0; i < n && central; i++)
		x->data[e->members[i]] = saved[i] - h * r[i];
	if (rc == 0 && central)
		rc = e_forward(e, e->lo, err);
	else if (rc == 0)
		tensor_copy(e->lo, e->base);
	for (i = 0; i < n; i++)
		x->data[e->members[i]] = saved[i];
	free(saved);
	return rc;
}

/* Screen a column group's outputs: true if clean (nothing over the
 * tolerance, nothing outside the sets changed); accumulates the max
 * errors and the gradient's finite differences on the way. */
static bool
cols_screen(engine_t *e, conv_wrt_t wrt, long gi, double *max_abs,
    double *max_rel)
{
	const unsigned char *rows = e->row_done[row_kind_of(wrt)];
	double tol = e->jac[wrt].tol, canon;
	size_t o, j;

	for (o = 0; o < e->M; o++) {
		double dy = e->hi->data[o] - e->lo->data[o], num, ana, err;

		if ((j = col_owner(e, wrt, gi, o, &canon)) == SIZE_MAX) {
			if (!(e->hi->data[o] == e->lo->data[o]))
				return false;
			continue;
		}
		e->gnum[wrt]->data[j] += e->g->df->data[o] * dy;
		if (!rows[o])
			continue;
		num = dy / e->step[j];
		ana = analytic(e, wrt, o, j, canon);
		err = fabs(ana - num);
		if (!(err <= tol))
			return false;
		*max_abs = fmax(*max_abs, err);
		if (fmax(fabs(ana), fabs(num)) > 0)
			*max_rel = fmax(*max_rel, err / fmax(fabs(ana), fabs(num)));
	}
	return true;
}

/* Redo a column group one member at a time, as the direct engine does:
 * each entry compared on its own, every output outside the member's set
 * unchanged. */
static int
cols_redo(engine_t *e, conv_wrt_t wrt, size_t n, char **err)
{
	const unsigned char *rows = e->row_done[row_kind_of(wrt)];
	gradcheck_item_t *it = &e->jac[wrt];
	size_t *all = e->members, i, o;
	double one = 1, canon;
	int rc = 0;

	e->members = xmalloc(sizeof(size_t));
	for (i = 0; i < n && rc == 0; i++) {
		size_t j = all[i];
		double f = 0;

		e->members[0] = j;
		rc = col_forwards(e, wrt, 1, &one, err);
		e->redo_calls += 2;
		for (o = 0; rc == 0 && o < e->M; o++) {
			double dy = e->hi->data[o] - e->lo->data[o];
			uint64_t key = (uint64_t)o * e->P[wrt] + j;

			f += e->g->df->data[o] * dy;
			if (predicted(&e->gm, &e->g->p, wrt, o, j, &canon)) {
				if (rows[o])
					gradcheck_compare_at(it, analytic(e, wrt, o, j,
					    canon), dy / e->step[j], key, e->g->onehot, o,
					    e->d[wrt], j);
			} else if (!(dy == 0)) {
				gradcheck_fail_at(it, 0, dy / e->step[j], key,
				    e->g->onehot, o, e->d[wrt], j);
			}
		}
		e->gnum[wrt]->data[j] = f;
	}
	free(e->members);
	e->members = all;
	return rc;
}

/* One column group: perturb its members, two forwards, screen; redone
 * member by member when anything is off. */
static int
run_cols(engine_t *e, conv_wrt_t wrt, long gi, char **err)
{
	gradcheck_item_t *it = &e->jac[wrt];
	size_t n = col_members(e, wrt, gi), i;
	size_t rows = e->nrow_done[row_kind_of(wrt)];
	double *r = xmalloc((n ? n : 1) * sizeof(double));
	double max_abs = 0, max_rel = 0;
	size_t checked_before = it->checked;
	int rc;

	for (i = 0; i < n; i++) {
		r[i] = 1 + rng_uniform(&e->g->rng);
		e->gnum[wrt]->data[e->members[i]] = 0;
	}
	rc = col_forwards(e, wrt, n, r, err);
	if (rc == 0 && !cols_screen(e, wrt, gi, &max_abs, &max_rel)) {
		if (e->redo_calls < e->redo_limit) {
			rc = cols_redo(e, wrt, n, err);
		} else {
			gradcheck_fail_at(it, NAN, 0, UINT64_MAX, NULL, 0, NULL, 0);
			max_abs = max_rel = NAN;
		}
	}
	if (rc == 0) {
		/* the predicted entries counted by cols_redo are part of these */
		it->checked = checked_before + n * rows;
		if (isnan(max_abs) || isnan(it->max_abs))
			it->max_abs = it->max_rel = NAN;
		else {
			it->max_abs = fmax(it->max_abs, max_abs);
			it->max_rel = fmax(it->max_rel, max_rel);
		}
		for (i = 0; i < n; i++) {
			size_t j = e->members[i];

			e->gnum[wrt]->data[j] /= e->step[j];
			e->col_done[wrt][j] = 1;
		}
	}
	free(r);
	return rc;
}

/* -------------------------------------------------------- scheduling */

static conv_wrt_t
col_wrt(int kind)
{
	return kind == COL_IN ? WRT_INPUT : kind == COL_W ? WRT_WEIGHT :
	    WRT_BIAS;
}

static void
group_counts(const geom_t *gm, long n[NKINDS])
{
	const conv_shape_t *s = gm->s;

	n[ROW_IN] = gm->Cog * gm->Ch * gm->Cw;
	n[ROW_W] = s->N * s->H_out * s->W_out;
	n[COL_BIAS] = 1;
	n[COL_IN] = gm->Cig * gm->Kh * gm->Kw;
	n[COL_W] = gm->Cig * s->R * s->S;
}

void
gradcheck_engine_plan(const conv_shape_t *s, bool central, double *forwards,
    double *backwards)
{
	geom_t gm;
	long n[NKINDS];

	geom_init(&gm, s);
	group_counts(&gm, n);
	geom_done(&gm);
	*forwards = 1 + (central ? 2.0 : 1.0) *
	    (double)(n[COL_BIAS] + n[COL_IN] + n[COL_W]);
	*backwards = 1 + (double)(n[ROW_IN] + n[ROW_W]);
}

static bool
kind_left(const engine_t *e, int k)
{
	return e->next[k] < e->ngroups[k];
}

static double
calls_per_group(const engine_t *e, int k)
{
	return k < COL_BIAS ? 1 : e->g->o.fd.method == FD_CENTRAL ? 2 : 1;
}

/* Seconds still to go, from the first call of each kind. */
static double
remaining(const engine_t *e)
{
	double t = 0;
	int k;

	for (k = 0; k < NKINDS; k++)
		t += (double)(e->ngroups[k] - e->next[k]) * e->t_kind[k];
	return t;
}

static void
progress(engine_t *e, bool force)
{
	const gradcheck_opts_t *o = &e->g->o;
	gradcheck_progress_t p;
	double t = now();

	if (o->progress == NULL || (!force && t - e->last_progress <
	    PROGRESS_EVERY))
		return;
	e->last_progress = t;
	p.source = e->src->name;
	p.calls = e->calls;
	p.total = e->total_calls;
	p.elapsed = t - e->t0;
	p.estimate = e->estimate;
	if (!o->progress(o->progress_ctx, &p))
		e->stop = true;
}

/* Run the next group of kind k. */
static int
run_task(engine_t *e, int k, char **err)
{
	long gi = e->order[k][e->next[k]++];
	double t = now(), dt;
	int rc;

	rc = k < COL_BIAS ? run_rows(e, k, gi, err) :
	    run_cols(e, col_wrt(k), gi, err);
	dt = now() - t;
	e->spent[k] += dt;
	if (e->next[k] == 1 && k < COL_BIAS)
		e->t_kind[k] = dt;
	progress(e, false);
	return rc;
}

/* The first group of each row kind, then the estimate of the whole. */
static int
run_first_rows(engine_t *e, char **err)
{
	int rc = 0, k;

	for (k = ROW_IN; k <= ROW_W && rc == 0; k++) {
		if (kind_left(e, k))
			rc = run_task(e, k, err);
	}
	e->estimate = now() - e->t0 + remaining(e);
	if (e->g->o.budget > 0 && e->estimate > e->g->o.budget)
		e->estimate = e->g->o.budget;
	progress(e, true);
	return rc;
}

/* Every group, rows first (the columns read the remembered entries). */
static int
run_all(engine_t *e, char **err)
{
	int rc = run_first_rows(e, err), k;

	for (k = 0; k < NKINDS && rc == 0; k++) {
		while (kind_left(e, k) && rc == 0 && !e->stop)
			rc = run_task(e, k, err);
	}
	return rc;
}

/* The kind, of a and b, with groups left and less time spent; -1: none. */
static int
pick(const engine_t *e, int a, int b)
{
	if (!kind_left(e, a))
		return kind_left(e, b) ? b : -1;
	if (!kind_left(e, b))
		return a;
	return e->spent[b] < e->spent[a] ? b : a;
}

/* Random groups until the budget is spent: rows for half of it, then
 * columns (the bias's single group first). */
static int
run_budget(engine_t *e, char **err)
{
	double B = e->g->o.budget;
	int rc = run_first_rows(e, err), k;

	while (rc == 0 && !e->stop && now() - e->t0 < B / 2 &&
	    (k = pick(e, ROW_IN, ROW_W)) >= 0)
		rc = run_task(e, k, err);
	if (rc == 0 && !e->stop && kind_left(e, COL_BIAS))
		rc = run_task(e, COL_BIAS, err);
	while (rc == 0 && !e->stop && now() - e->t0 < B &&
	    (k = pick(e, COL_IN, COL_W)) >= 0)
		rc = run_task(e, k, err);
	return rc;
}

static void
shuffle(long *v, long n, rng_t *r)
{
	long i;

	for (i = n - 1; i > 0; i--) {
		long j = (long)rng_below(r, (uint64_t)i + 1), t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
}

/* ------------------------------------------------------------ set-up */

static void
item_init(engine_t *e, gradcheck_item_t *it, gradcheck_kind_t kind,
    conv_wrt_t wrt)
{
	gradcheck_t *g = e->g;
	char q[32];
	size_t total = kind == GRADCHECK_JACOBIAN ? e->M * e->P[wrt] : e->P[wrt];

	if (kind == GRADCHECK_JACOBIAN)
		snprintf(q, sizeof(q), "d output/d %s", conv_wrt_name(wrt));
	else
		snprintf(q, sizeof(q), "d%s", conv_wrt_name(wrt));
	/* built through the list, so it is made the one way, then held
	 * here until the run ends */
	*it = *gradcheck_item_new(g, e->src->name, q, kind, wrt, total);
	g->nitems--;
	if (kind == GRADCHECK_JACOBIAN)
		gradcheck_tol_jacobian(g, it);
	else
		gradcheck_tol_gradient(g, it);
}

static void
engine_init(engine_t *e, gradcheck_t *g, const gradcheck_source_t *src)
{
	size_t maxp;
	int k, w;

	memset(e, 0, sizeof(*e));
	e->g = g;
	e->src = src;
	geom_init(&e->gm, &g->s);
	e->M = g->onehot->size;
	for (w = 0; w < 3; w++) {
		tensor_t *x = conv_wrt_tensor(&g->p, (conv_wrt_t)w);

		e->P[w] = x->size;
		e->d[w] = tensor_clone(x);
		e->gana[w] = tensor_clone(x);
		e->gnum[w] = tensor_clone(x);
		e->col_done[w] = xcalloc(x->size, 1);
		item_init(e, &e->jac[w], GRADCHECK_JACOBIAN, (conv_wrt_t)w);
		item_init(e, &e->grad[w], GRADCHECK_GRADIENT, (conv_wrt_t)w);
	}
	e->row_done[0] = xcalloc(e->M, 1);
	e->row_done[1] = xcalloc(e->M, 1);
	e->hi = gradcheck_output_like(&g->s);
	e->lo = gradcheck_output_like(&g->s);
	e->base = gradcheck_output_like(&g->s);
	e->df = gradcheck_output_like(&g->s);
	maxp = e->P[WRT_INPUT] > e->P[WRT_WEIGHT] ? e->P[WRT_INPUT] :
	    e->P[WRT_WEIGHT];
	e->step = xmalloc(maxp * sizeof(double));
	e->members = xmalloc(maxp * sizeof(size_t));
	e->outs = xmalloc(e->M * sizeof(size_t));
	e->mark = xcalloc(e->P[WRT_INPUT], sizeof(unsigned));
	group_counts(&e->gm, e->ngroups);
	for (k = 0; k < NKINDS; k++) {
		long i;

		e->order[k] = xmalloc((size_t)e->ngroups[k] * sizeof(long));
		for (i = 0; i < e->ngroups[k]; i++)
			e->order[k][i] = i;
		if (g->o.budget > 0)
			shuffle(e->order[k], e->ngroups[k], &g->rng);
		e->total_calls += (double)e->ngroups[k] * calls_per_group(e, k);
	}
	e->total_calls += 2;     /* the base forward, the chain rule */
	e->redo_limit = 4 * e->total_calls + 4096;
}

static void
engine_done(engine_t *e)
{
	int k, w;

	for (w = 0; w < 3; w++) {
		tensor_free(e->d[w]);
		tensor_free(e->gana[w]);
		tensor_free(e->gnum[w]);
		free(e->col_done[w]);
		amap_free(&e->map[w]);
	}
	free(e->row_done[0]);
	free(e->row_done[1]);
	tensor_free(e->hi);
	tensor_free(e->lo);
	tensor_free(e->base);
	tensor_free(e->df);
	free(e->step);
	free(e->members);
	free(e->outs);
	free(e->mark);
	for (k = 0; k < NKINDS; k++)
		free(e->order[k]);
	geom_done(&e->gm);
}

/* The base forward (for forward differences, and the time of one
 * forward) and the chain rule's backward for g->df. */
static int
engine_start(engine_t *e, char **err)
{
	double t = now();
	int rc = e_forward(e, e->base, err), k;

	for (k = COL_BIAS; k < NKINDS; k++)
		e->t_kind[k] = (now() - t) * calls_per_group(e, k);
	if (rc == 0)
		rc = e_backward(e, e->gana, e->g->df, err);
	return rc;
}

/* The gradients' entries whose columns ran. */
static void
compare_gradients(engine_t *e)
{
	size_t j;
	int w;

	for (w = 0; w < 3; w++) {
		for (j = 0; j < e->P[w]; j++) {
			if (e->col_done[w][j])
				gradcheck_compare_at(&e->grad[w], e->gana[w]->data[j],
				    e->gnum[w]->data[j], j, NULL, 0, e->d[w], j);
		}
	}
}

static void
add_timing(engine_t *e)
{
	gradcheck_t *g = e->g;
	gradcheck_timing_t *t;
	bool every = true;
	int k;

	for (k = 0; k < NKINDS; k++)
		every &= !kind_left(e, k);
	g->timings = xreallocarray(g->timings, g->ntimings + 1,
	    sizeof(*g->timings));
	t = &g->timings[g->ntimings++];
	memset(t, 0, sizeof(*t));
	snprintf(t->form, sizeof(t->form), "%s", e->src->name);
	t->seconds = now() - e->t0;
	t->estimate = e->estimate;
	t->forward_calls = e->fcalls;
	t->backward_calls = e->bcalls;
	t->every_entry = every;
}

int
gradcheck_engine_run(gradcheck_t *g, const gradcheck_source_t *src,
    char **err)
{
	engine_t e;
	int rc, w;

	engine_init(&e, g, src);
	e.t0 = e.last_progress = now();
	rc = engine_start(&e, err);
	if (rc == 0)
		rc = g->o.budget > 0 ? run_budget(&e, err) : run_all(&e, err);
	if (rc == 0) {
		compare_gradients(&e);
		progress(&e, true);
		add_timing(&e);
		for (w = 0; w < 3; w++) {
			gradcheck_item_finish(&e.jac[w]);
			*gradcheck_item_new(g, "", "", GRADCHECK_JACOBIAN, WRT_INPUT,
			    0) = e.jac[w];
		}
		for (w = 0; w < 3; w++) {
			gradcheck_item_finish(&e.grad[w]);
			*gradcheck_item_new(g, "", "", GRADCHECK_GRADIENT, WRT_INPUT,
			    0) = e.grad[w];
		}
	}
	engine_done(&e);
	return rc;
}
