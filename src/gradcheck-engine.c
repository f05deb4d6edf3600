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
 * The redos wait for the end of their phase (rows, then columns) and go
 * in the order of the groups' numbers, so which groups are redone within
 * the bound, and so the report, does not depend on which worker ran what
 * first.
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
 * For a source that takes other shapes (convgrad's kernel forms, a
 * plugin), the weight row groups run on crops of the layer and the bias
 * rows apart: see "Weight rows on a crop" below. Then every kind's calls are either
 * few (C_in R S column groups, C_out Ch Cw input row groups, whatever the
 * image) or small (a crop per output position), and the run's cost grows
 * linearly with N H W.
 *
 * Budget: random groups; rows first, then columns (an entry's comparison
 * is made when its column runs, against its row, so only a row that ran
 * before the column counts). An entry counts as compared when both its
 * row and its column group ran, so a Jacobian's share is its rows done x
 * its columns done: the fraction of rows alone or of columns alone would
 * overstate it. plan_budget chooses how many rows of each kind, from the
 * first passes' times, so that the smallest of the three shares is as
 * large as the time allows; the columns then follow the shares as they
 * came out (the one with the smallest share next).
 */
#include "gradcheck-int.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parallel.h"
#include "util.h"

#define MAP_MAX ((size_t)1 << 22)     /* remembered analytic entries */
#define PROGRESS_EVERY 0.2            /* seconds */

/* Channel groups (conv-shape.h). */
#define SHAPE_GROUPS(s) ((s)->groups)

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

/* x to the next output in row-major order. */
static void
out_next(const conv_shape_t *s, oidx_t *x)
{
	if (++x->wo < s->W_out)
		return;
	x->wo = 0;
	if (++x->ho < s->H_out)
		return;
	x->ho = 0;
	if (++x->co < s->C_out)
		return;
	x->co = 0;
	x->b++;
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
enum { ROW_IN, ROW_W, ROW_B, COL_BIAS, COL_IN, COL_W, NKINDS };

/* Workers run groups at once for a concurrent source; what they share is
 * changed under this lock (items, the map, counters, the schedule), what
 * each group writes alone (its members' steps, gradients and marks, its
 * outputs' rows done) is not. */
#ifdef _OPENMP
#define LOCKED _Pragma("omp critical(gradcheck_engine)")
#else
#define LOCKED
#endif

/* What one worker owns: a copy of the parameters (a column group perturbs
 * it), outputs, df, backward results, index lists. */
typedef struct worker {
	conv_params_t p;
	tensor_t *hi, *lo, *df, *d[3];
	size_t *members, *outs;
	double *saved, *r, *q;
	unsigned *mark;
	unsigned epoch;
	rng_t rng;                /* seeded per group: any thread, same draws */
} worker_t;

/* A group to redo, and what its screening saw (a column group's
 * largest errors before it stopped). */
typedef struct deferred {
	long gi;
	double max_abs, max_rel;
} deferred_t;

typedef struct engine {
	gradcheck_t *g;
	const gradcheck_source_t *src;
	geom_t gm;
	size_t M, P[3];
	gradcheck_item_t jac[3], grad[3];   /* built here, appended at the end */
	amap_t map[3];
	tensor_t *gana[3];        /* the chain rule for g->df */
	tensor_t *gnum[3];        /* its finite differences, per column */
	tensor_t *base;           /* the forward of the unperturbed layer */
	unsigned char *col_done[3];   /* per entry: its column group ran */
	unsigned char *row_done[3];   /* per output: ROW_IN, ROW_W, ROW_B ran */
	bool crop;                /* weight rows on crops, bias rows apart
	                             (see "Weight rows on a crop") */
	bool bias_crop;           /* bias rows on the channel crop */
	bool screen;              /* crops are a screen only (a plugin) */
	bool crops_off;           /* a crop failed or misled: the layer's
	                             own shape from then on (under the lock) */
	double *step[3];          /* per entry: the step its column took */
	int nworkers;
	worker_t *w;
	/* the schedule */
	long ngroups[NKINDS];
	long *order[NKINDS];
	long next[NKINDS];
	long quota[NKINDS];       /* under a budget: the rows planned */
	double rows_until;        /* and the seconds they may take */
	double spent[NKINDS];
	double t_kind[NKINDS];    /* columns: the base forward's seconds
	                             per group, until some ran */
	long ndone[NKINDS];       /* groups finished (spent: their seconds) */
	double calls, total_calls, fcalls, bcalls;
	double t0, last_progress, estimate, first_estimate;
	double mark_time;         /* the first rows ran: estimates from here */
	double redo_calls, redo_limit;
	double redo_planned;      /* the calls of the groups redone so far */
	/* groups that showed something, redone after their phase in the
	 * order of their numbers (redo_phase): which are redone within the
	 * bound then does not depend on which worker was faster */
	deferred_t *deferred[NKINDS];
	long ndeferred[NKINDS];
	bool stop;
	int rc;                   /* the first source failure, and its message */
	char *err;
} engine_t;

static void
count_call(engine_t *e, bool forward, bool redo)
{
	LOCKED
	{
		e->calls++;
		if (forward)
			e->fcalls++;
		else
			e->bcalls++;
		if (redo)
			e->redo_calls++;
	}
}

static int
e_forward(engine_t *e, worker_t *w, tensor_t *out, bool redo, char **err)
{
	count_call(e, true, redo);
	return gradcheck_src_forward(e->g, e->src, &w->p, out, err);
}

static int
e_backward(engine_t *e, worker_t *w, tensor_t *const d[3],
    const tensor_t *df, bool redo, char **err)
{
	count_call(e, false, redo);
	return gradcheck_src_backward(e->g, e->src, &w->p, d, df, err);
}

/* Group gi of kind k showed something: it is redone after the phase
 * (max_abs, max_rel: what its screening saw of a column group). */
static void
defer(engine_t *e, int k, long gi, double max_abs, double max_rel)
{
	LOCKED
	{
		deferred_t *d = &e->deferred[k][e->ndeferred[k]++];

		d->gi = gi;
		d->max_abs = max_abs;
		d->max_rel = max_rel;
	}
}

/* A failure into a shared item. */
static void
fail_locked(gradcheck_item_t *it, double got, double want, uint64_t key,
    const tensor_t *out_t, size_t o, const tensor_t *wrt_t, size_t j)
{
	LOCKED
	gradcheck_fail_at(it, got, want, key, out_t, o, wrt_t, j);
}

/* The group's q: +-2^k, k uniform in 0..15. */
static double
row_weight(rng_t *r)
{
	uint64_t v = rng_next(r);

	return ldexp((v & 1) ? -1.0 : 1.0, (int)((v >> 1) & 15));
}

/* ------------------------------------------------------------ rows */

/* The outputs of row group gi of kind ROW_IN, ROW_W or ROW_B into
 * w->outs: ROW_W and ROW_B, every channel at one position. */
static size_t
row_outputs(const engine_t *e, worker_t *wk, int kind, long gi)
{
	const conv_shape_t *s = e->gm.s;
	size_t n = 0;
	long b, co, ho, wo, g;

	if (kind == ROW_W || kind == ROW_B) {
		wo = gi % s->W_out;
		ho = (gi / s->W_out) % s->H_out;
		b = gi / (s->W_out * s->H_out);
		for (co = 0; co < s->C_out; co++)
			wk->outs[n++] = (((size_t)b * s->C_out + co) * s->H_out + ho) *
			    s->W_out + wo;
		return n;
	}
	for (b = 0; b < s->N; b++)
		for (g = 0; g < e->gm.G; g++) {
			co = g * e->gm.Cog + gi / (e->gm.Ch * e->gm.Cw);
			for (ho = (gi / e->gm.Cw) % e->gm.Ch; ho < s->H_out;
			    ho += e->gm.Ch)
				for (wo = gi % e->gm.Cw; wo < s->W_out; wo += e->gm.Cw)
					wk->outs[n++] = (((size_t)b * s->C_out + co) *
					    s->H_out + ho) * s->W_out + wo;
		}
	return n;
}

/* Does the row group's d output/d input agree exactly with the exact
 * values, and is every other entry 0? (Screening: no records.) */
static bool
rows_input_clean(const engine_t *e, worker_t *wk, size_t n)
{
	const conv_shape_t *s = e->gm.s;
	const tensor_t *dx = wk->d[WRT_INPUT];
	size_t i, j;
	long cg, di, dj, h, w;

	wk->epoch++;
	for (i = 0; i < n; i++) {
		oidx_t x = out_unravel(s, wk->outs[i]);
		long g = x.co / e->gm.Cog;

		for (cg = 0; cg < e->gm.Cig; cg++)
			for (di = 0; di < s->R; di++)
				for (dj = 0; dj < s->S; dj++) {
					if (!tap_pos(s, x.ho, x.wo, di, dj, &h, &w))
						continue;
					j = in_index(s, x.b, g * e->gm.Cig + cg, h, w);
					wk->mark[j] = wk->epoch;
					if (!(dx->data[j] / wk->q[i] ==
					    T4(e->g->p.weight, x.co, cg, di, dj)))
						return false;
				}
	}
	for (j = 0; j < dx->size; j++) {
		if (wk->mark[j] != wk->epoch && !(dx->data[j] == 0))
			return false;
	}
	return true;
}

/* The same for d output/d weight (want_w) and d output/d bias (want_b):
 * each output's channel's entries, those of other channels being another
 * output's of the group. */
static bool
rows_weight_clean(const engine_t *e, worker_t *wk, size_t n, bool want_w,
    bool want_b)
{
	const conv_shape_t *s = e->gm.s;
	const tensor_t *dw = wk->d[WRT_WEIGHT], *db = wk->d[WRT_BIAS];
	size_t i;
	long cg, di, dj, h, w;

	for (i = 0; i < n; i++) {
		oidx_t x = out_unravel(s, wk->outs[i]);
		long g = x.co / e->gm.Cog;

		if (want_b && !(db->data[x.co] / wk->q[i] == 1))
			return false;
		for (cg = 0; want_w && cg < e->gm.Cig; cg++)
			for (di = 0; di < s->R; di++)
				for (dj = 0; dj < s->S; dj++) {
					double v = dw->data[w_index(&e->gm, x.co, cg, di,
					    dj)];
					double want = 0;

					if (tap_pos(s, x.ho, x.wo, di, dj, &h, &w))
						want = T4(e->g->p.input, x.b, g * e->gm.Cig + cg,
						    h, w) * wk->q[i];
					if (!(v == want))
						return false;
				}
	}
	return true;
}

/* Row o alone (df = e_o) for wrt: every entry that differs from its exact
 * value is remembered; a nonzero outside o's set is a failure. */
static void
row_record(engine_t *e, worker_t *wk, conv_wrt_t wrt, size_t o)
{
	const tensor_t *d = wk->d[wrt];
	gradcheck_item_t *it = &e->jac[wrt];
	size_t j;
	double canon;

	for (j = 0; j < d->size; j++) {
		uint64_t key = (uint64_t)o * e->P[wrt] + j;

		if (predicted(&e->gm, &e->g->p, wrt, o, j, &canon)) {
			bool full;

			if (d->data[j] == canon)
				continue;
			LOCKED
			{
				amap_put(&e->map[wrt], key, d->data[j]);
				full = e->map[wrt].full;
				if (full)    /* against the exact value */
					gradcheck_fail_at(it, d->data[j], canon, key,
					    e->g->onehot, o, d, j);
			}
		} else if (!(d->data[j] == 0)) {
			fail_locked(it, d->data[j], 0, key, e->g->onehot, o, d, j);
		}
	}
}

/* The gradients a row kind asks the backward for, in the worker's d:
 * ROW_W the weight's (and the bias's, unless the bias rows run apart). */
static void
row_wants(const engine_t *e, worker_t *wk, int kind, tensor_t *d[3])
{
	d[WRT_INPUT] = kind == ROW_IN ? wk->d[WRT_INPUT] : NULL;
	d[WRT_WEIGHT] = kind == ROW_W ? wk->d[WRT_WEIGHT] : NULL;
	d[WRT_BIAS] = kind == ROW_B || (kind == ROW_W && !e->crop) ?
	    wk->d[WRT_BIAS] : NULL;
}

/* ------------------------------------------------ weight rows on a crop
 *
 * A row of d output/d weight is output o's dweight for df = e_o, and
 * conv2d's dweight for that df reads only o's window. Taking them from
 * the whole layer costs one backward over all of it per output position
 * (N H_out W_out of them: the run's cost would grow as (N H W)^2). So, for
 * a source that allows it (convgrad's kernel forms), a weight row group
 * (b, h_out, w_out) runs the source's own backward on a crop: the same
 * layer (N, C_in, C_out, groups, R, S, strides, dilation, padding) over
 * the input rows and columns around the window, the group's outputs at
 * the same place of their window as in the layer. Along each axis, for
 * output x: i0 = ceil(pad / str) outputs from the crop's start (or x
 * itself when x < i0, the crop then starting at the layer's edge), so that
 * every tap of the target output reads the same input entry as in the
 * layer, or the padding exactly where the layer has padding; the crop ends
 * at the window's last tap, or at the layer's edge when that tap is in
 * the padding. Other outputs of the crop get df = 0. N is kept, so a
 * backward that forgets an image is caught as in the layer.
 *
 * The bias rows do not take a crop: a bias gradient that reads one
 * position of the layer (the source's erratum, dbias from df[.., 0, 0])
 * would look right on every crop. They run on the whole layer as their
 * own kind (ROW_B), a backward asked for dbias only: for convgrad's
 * kernels a sum over df, not a pass over the layer. A source without
 * partial (a plugin) does all of its backward's work whatever is asked,
 * so its bias rows run on the channel crop (chan_crop): the layer with 2
 * input channels per group, every output in its place.
 *
 * A screening source (crops_screen: a plugin) is trusted at the layer's
 * shape only: a crop call that fails is made on the layer instead, rows
 * from a crop that show anything are read again from the layer before
 * any is redone (one at a time, on the layer), and after a crop that
 * failed or misled the layer is used for all rows. So nothing is blamed
 * on a crop; what crops can still miss is a mistake they do not show (a
 * dweight wrong at some positions inside the image only), which the
 * chain rule on the layer then catches.
 */

/* One axis of the crop for output x: the crop's first input position in
 * the layer, the target's output position in the crop, the crop's input
 * length. false: no crop fits (then the whole layer is used). */
static bool
crop_axis(long x, long str, long dil, long K, long pad, long n_in,
    long *start, long *t, long *n_sub)
{
	long i0 = (pad + str - 1) / str, a = x >= i0 ? x - i0 : 0, last;

	*t = x - a;
	*start = str * a;
	if (*start >= n_in)
		return false;
	last = str * *t + dil * (K - 1) - pad;    /* the last tap, in the crop */
	*n_sub = *start + last >= n_in ? n_in - *start : last + 1;
	return *n_sub >= 1;
}

bool
gradcheck_engine_crop(const conv_shape_t *s, long ho, long wo,
    conv_shape_t *c, long *h0, long *w0, long *th, long *tw)
{
	long nh, nw;
	char *err = NULL;

	if (!crop_axis(ho, s->strh, s->dil_h, s->R, s->pad_h, s->H_in, h0, th,
	    &nh) || !crop_axis(wo, s->strw, s->dil_w, s->S, s->pad_w, s->W_in,
	    w0, tw, &nw))
		return false;
	*c = *s;
	c->H_in = nh;
	c->W_in = nw;
	if (conv_shape_validate(c, 0, &err) != 0) {
		free(err);
		return false;
	}
	return *th < c->H_out && *tw < c->W_out;
}

/* The crop's input: every image and channel, rows h0.., columns w0... */
static tensor_t *
crop_input(const tensor_t *x, const conv_shape_t *c, long h0, long w0)
{
	tensor_t *t = tensor_create4((size_t)c->N, (size_t)c->C_in,
	    (size_t)c->H_in, (size_t)c->W_in);
	long b, ci, h;

	for (b = 0; b < c->N; b++)
		for (ci = 0; ci < c->C_in; ci++)
			for (h = 0; h < c->H_in; h++)
				memcpy(&T4(t, b, ci, h, 0), &T4(x, b, ci, h0 + h, w0),
				    (size_t)c->W_in * sizeof(double));
	return t;
}

/* The source's backward on crop c (its tensors p) for df, into want[w]
 * (NULL: not wanted; a source without partial gets scratch of the crop's
 * shapes for those), each filled with NaN first. */
static int
crop_call(engine_t *e, const conv_shape_t *c, const conv_params_t *p,
    tensor_t *const want[3], const tensor_t *df, bool redo, char **err)
{
	tensor_t *use[3], *scratch[3] = { NULL, NULL, NULL };
	char *msg = NULL;
	int rc = 0, w;

	for (w = 0; w < 3; w++) {
		use[w] = want[w];
		if (use[w] == NULL && !e->src->partial)
			use[w] = scratch[w] = tensor_clone(conv_wrt_tensor(p,
			    (conv_wrt_t)w));
		if (use[w] != NULL)
			gradcheck_fill_nan(use[w]);
	}
	count_call(e, false, redo);
	if (e->src->backward(e->src->ctx, use[WRT_INPUT], use[WRT_WEIGHT],
	    use[WRT_BIAS], df, p, c, &msg) != 0)
		rc = set_error(err, "%s: backward: %s", e->src->name,
		    msg != NULL ? msg : "failed");
	free(msg);
	for (w = 0; w < 3; w++)
		tensor_free(scratch[w]);
	return rc;
}

/* The source's backward for dweight alone on the crop of the row group's
 * position, df = q_i at each output i of the group (wk->outs, wk->q; one
 * output when single is set: wk->outs[0] with weight 1). Falls back to
 * the whole layer when no crop fits. */
static int
crop_backward(engine_t *e, worker_t *wk, size_t n, bool single, bool redo,
    char **err)
{
	const conv_shape_t *s = e->gm.s;
	oidx_t x = out_unravel(s, wk->outs[0]);
	conv_shape_t c;
	conv_params_t p = wk->p;
	tensor_t *df, *d[3] = { NULL, wk->d[WRT_WEIGHT], NULL };
	long h0, w0, th, tw;
	size_t i;
	int rc = 0;

	if (!gradcheck_engine_crop(s, x.ho, x.wo, &c, &h0, &w0, &th, &tw))
		return e_backward(e, wk, d, wk->df, redo, err);
	p.input = crop_input(wk->p.input, &c, h0, w0);
	df = tensor_create4((size_t)c.N, (size_t)c.C_out, (size_t)c.H_out,
	    (size_t)c.W_out);
	tensor_zero(df);
	for (i = 0; i < n; i++) {
		oidx_t y = out_unravel(s, wk->outs[i]);

		T4(df, y.b, y.co, th, tw) = single ? 1 : wk->q[i];
	}
	rc = crop_call(e, &c, &p, d, df, redo, err);
	tensor_free(df);
	tensor_free(p.input);
	return rc;
}

/* The bias rows' crop of layer s, for a source without partial (whose
 * backward always does all of its work): the layer with at most 2 input
 * channels per group, every other size the same, so every output keeps
 * its place and a dbias that reads df at some positions only is seen as
 * on the layer; dbias reads no input, and the rest of the backward's work
 * shrinks with the channels. Two, not one: a dbias summed once per input
 * channel is still seen. false: the layer has no more (it is used). */
static bool
chan_crop(const conv_shape_t *s, conv_shape_t *c)
{
	char *err = NULL;

	if (conv_group_cin(s) <= 2)
		return false;
	*c = *s;
	c->C_in = 2 * s->groups;
	if (conv_shape_validate(c, 0, &err) != 0) {
		free(err);
		return false;
	}
	return true;
}

/* The source's backward for dbias alone on the channel crop, df the
 * worker's (the outputs are the layer's); into wk->d[WRT_BIAS]. */
static int
chan_backward(engine_t *e, worker_t *wk, const conv_shape_t *c, bool redo,
    char **err)
{
	const conv_shape_t *s = e->gm.s;
	long cig = conv_group_cin(s), b, co, ch;
	conv_params_t p = wk->p;
	tensor_t *d[3] = { NULL, NULL, wk->d[WRT_BIAS] };
	size_t plane = (size_t)(s->H_in * s->W_in), taps = (size_t)(s->R * s->S);
	int rc;

	p.input = tensor_create4((size_t)c->N, (size_t)c->C_in, (size_t)c->H_in,
	    (size_t)c->W_in);
	p.weight = tensor_create4((size_t)c->C_out, 2, (size_t)c->R,
	    (size_t)c->S);
	/* channel k of group g is the layer's channel g cig + k */
	for (b = 0; b < c->N; b++)
		for (ch = 0; ch < c->C_in; ch++)
			memcpy(&T4(p.input, b, ch, 0, 0), &T4(wk->p.input, b, ch / 2 *
			    cig + ch % 2, 0, 0), plane * sizeof(double));
	for (co = 0; co < c->C_out; co++)
		memcpy(&T4(p.weight, co, 0, 0, 0), &T4(wk->p.weight, co, 0, 0, 0),
		    2 * taps * sizeof(double));
	rc = crop_call(e, c, &p, d, wk->df, redo, err);
	tensor_free(p.input);
	tensor_free(p.weight);
	return rc;
}

/* A row group's backward on the whole layer, with wk->df. */
static int
rows_layer(engine_t *e, worker_t *wk, int kind, bool redo, char **err)
{
	tensor_t *d[3];

	row_wants(e, wk, kind, d);
	return e_backward(e, wk, d, wk->df, redo, err);
}

static bool
crops_on(engine_t *e)
{
	bool on;

	LOCKED
	on = !e->crops_off;
	return on;
}

/* For a screening source: no crops from now on (a crop call failed, or a
 * crop misled: it showed what the layer does not). */
static void
crops_stop(engine_t *e)
{
	LOCKED
	e->crops_off = true;
}

/* A row group's backward: ROW_W on a crop, ROW_B on the channel crop
 * when the engine takes them (and layer is false), any other on the
 * whole layer with wk->df; *cropped: a crop was used. For a screening
 * source a crop call that fails is made again on the layer: a plugin may
 * take only its own shapes, and is not blamed for a crop. */
static int
rows_backward(engine_t *e, worker_t *wk, int kind, size_t n, bool single,
    bool redo, bool layer, bool *cropped, char **err)
{
	conv_shape_t c;
	int rc = 0;

	*cropped = false;
	if (!layer && crops_on(e)) {
		if (kind == ROW_W && e->crop) {
			*cropped = true;
			rc = crop_backward(e, wk, n, single, redo, err);
		} else if (kind == ROW_B && e->bias_crop &&
		    chan_crop(e->gm.s, &c)) {
			*cropped = true;
			rc = chan_backward(e, wk, &c, redo, err);
		}
		if (*cropped && (rc == 0 || !e->screen))
			return rc;
		if (*cropped) {           /* a screening source's crop failed */
			free(*err);
			*err = NULL;
			*cropped = false;
			crops_stop(e);
		}
	}
	return rows_layer(e, wk, kind, redo, err);
}

/* Redo a row group one output at a time (on the layer for a screening
 * source: what it names is the layer's). */
static int
rows_redo(engine_t *e, worker_t *wk, int kind, size_t n, char **err)
{
	size_t *all = wk->outs, i;
	bool cropped;
	int rc = 0;

	tensor_zero(wk->df);
	for (i = 0; i < n && rc == 0; i++) {
		wk->df->data[all[i]] = 1;
		wk->outs = &all[i];
		rc = rows_backward(e, wk, kind, 1, true, true, e->screen, &cropped,
		    err);
		wk->outs = all;
		wk->df->data[all[i]] = 0;
		if (rc != 0)
			break;
		if (kind == ROW_IN)
			row_record(e, wk, WRT_INPUT, all[i]);
		if (kind == ROW_W)
			row_record(e, wk, WRT_WEIGHT, all[i]);
		if (kind == ROW_B || (kind == ROW_W && !e->crop))
			row_record(e, wk, WRT_BIAS, all[i]);
	}
	return rc;
}

static bool
rows_clean(const engine_t *e, worker_t *wk, int kind, size_t n)
{
	return kind == ROW_IN ? rows_input_clean(e, wk, n) :
	    rows_weight_clean(e, wk, n, kind == ROW_W, kind == ROW_B ||
	    !e->crop);
}

/* One row group: a backward with the one-hot sum, screened; redone one
 * output at a time when anything differs. For a screening source, rows
 * from a crop that differ are read again from the layer first: if the
 * layer's are right, the crop misled (a plugin that answers otherwise at
 * other shapes), nothing is blamed, and crops stop. */
static int
run_rows(engine_t *e, worker_t *wk, int kind, long gi, char **err)
{
	size_t n = row_outputs(e, wk, kind, gi), i;
	bool clean = false, cropped;
	int rc;

	tensor_zero(wk->df);
	for (i = 0; i < n; i++)
		wk->df->data[wk->outs[i]] = wk->q[i] = row_weight(&wk->rng);
	rc = rows_backward(e, wk, kind, n, false, false, false, &cropped, err);
	if (rc == 0)
		clean = rows_clean(e, wk, kind, n);
	if (rc == 0 && !clean && cropped && e->screen) {
		rc = rows_backward(e, wk, kind, n, false, true, true, &cropped, err);
		if (rc == 0 && (clean = rows_clean(e, wk, kind, n)))
			crops_stop(e);
	}
	if (rc == 0 && !clean) {
		defer(e, kind, gi, 0, 0);
		return 0;
	}
	for (i = 0; rc == 0 && i < n; i++)
		e->row_done[kind][wk->outs[i]] = 1;
	return rc;
}

/* A deferred row group: redone one output at a time, or, past the redo
 * bound, a failure of what screening saw. */
static int
redo_rows(engine_t *e, worker_t *wk, int kind, long gi, bool redo,
    char **err)
{
	size_t n = row_outputs(e, wk, kind, gi), i;
	int rc = 0;

	if (redo)
		rc = rows_redo(e, wk, kind, n, err);
	else
		fail_locked(&e->jac[kind == ROW_IN ? WRT_INPUT : kind == ROW_W ?
		    WRT_WEIGHT : WRT_BIAS], NAN, 0, UINT64_MAX, NULL, 0, NULL, 0);
	for (i = 0; rc == 0 && i < n; i++)
		e->row_done[kind][wk->outs[i]] = 1;
	return rc;
}

/* ---------------------------------------------------------- columns */

static int col_kind_of(conv_wrt_t wrt);
static conv_wrt_t col_wrt(int kind);
static int cols_finish(engine_t *e, worker_t *wk, conv_wrt_t wrt, size_t n,
    const gradcheck_item_t *local);

/* The members of column group gi of wrt into w->members. */
static size_t
col_members(const engine_t *e, worker_t *wk, conv_wrt_t wrt, long gi)
{
	const conv_shape_t *s = e->gm.s;
	size_t n = 0;
	long b, g, h, w, co;

	if (wrt == WRT_BIAS) {
		for (co = 0; co < s->C_out; co++)
			wk->members[n++] = (size_t)co;
		return n;
	}
	if (wrt == WRT_WEIGHT) {
		long cg = gi / (s->R * s->S), di = (gi / s->S) % s->R,
		    dj = gi % s->S;

		for (co = 0; co < s->C_out; co++)
			wk->members[n++] = w_index(&e->gm, co, cg, di, dj);
		return n;
	}
	for (b = 0; b < s->N; b++)
		for (g = 0; g < e->gm.G; g++)
			for (h = (gi / e->gm.Kw) % e->gm.Kh; h < s->H_in;
			    h += e->gm.Kh)
				for (w = gi % e->gm.Kw; w < s->W_in; w += e->gm.Kw)
					wk->members[n++] = in_index(s, b, g * e->gm.Cig +
					    gi / (e->gm.Kh * e->gm.Kw), h, w);
	return n;
}

/* The member of column group gi whose output set holds o, or SIZE_MAX;
 * *canon its exact value. */
static size_t
col_owner(const engine_t *e, conv_wrt_t wrt, long gi, oidx_t x,
    double *canon)
{
	const conv_shape_t *s = e->gm.s;
	const geom_t *gm = &e->gm;
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

/* The analytic entry (o, j): remembered, else its exact value. The map is
 * only read while columns run (every row ran before). */
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
row_kind_of(const engine_t *e, conv_wrt_t wrt)
{
	return wrt == WRT_INPUT ? ROW_IN : wrt == WRT_WEIGHT || !e->crop ?
	    ROW_W : ROW_B;
}

/* Forward at x + steps (hi), and at x - steps (lo) or the base output, for
 * the first n members and their r. The members get their values back bit
 * for bit. */
static int
col_forwards(engine_t *e, worker_t *wk, conv_wrt_t wrt, size_t n,
    bool redo, char **err)
{
	tensor_t *x = conv_wrt_tensor(&wk->p, wrt);
	const double h = e->g->o.fd.eps;
	bool central = e->g->o.fd.method == FD_CENTRAL;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		size_t j = wk->members[i];
		double hi = x->data[j] + h * wk->r[i];
		double lo = central ? x->data[j] - h * wk->r[i] : x->data[j];

		wk->saved[i] = x->data[j];
		e->step[wrt][j] = hi - lo;
		x->data[j] = hi;
	}
	rc = e_forward(e, wk, wk->hi, redo, err);
	for (i = 0; i < n && central; i++)
		x->data[wk->members[i]] = wk->saved[i] - h * wk->r[i];
	if (rc == 0 && central)
		rc = e_forward(e, wk, wk->lo, redo, err);
	else if (rc == 0)
		tensor_copy(wk->lo, e->base);
	for (i = 0; i < n; i++)
		x->data[wk->members[i]] = wk->saved[i];
	return rc;
}

/* Screen a column group's outputs: true if clean (nothing over the
 * tolerance, nothing outside the sets changed); the max errors and the
 * gradient's finite differences are accumulated on the way. */
static bool
cols_screen(engine_t *e, worker_t *wk, conv_wrt_t wrt, long gi,
    double *max_abs, double *max_rel)
{
	const unsigned char *rows = e->row_done[row_kind_of(e, wrt)];
	double tol = e->jac[wrt].tol, canon;
	size_t o, j;
	oidx_t x = { 0, 0, 0, 0 };

	/* o in row-major order, x its indices (kept in step: no divisions) */
	for (o = 0; o < e->M; o++, out_next(e->gm.s, &x)) {
		double dy = wk->hi->data[o] - wk->lo->data[o], num, ana, err, m;

		if ((j = col_owner(e, wrt, gi, x, &canon)) == SIZE_MAX) {
			if (!(wk->hi->data[o] == wk->lo->data[o]))
				return false;
			continue;
		}
		e->gnum[wrt]->data[j] += e->g->df->data[o] * dy;
		if (!rows[o])
			continue;
		num = dy / e->step[wrt][j];
		ana = analytic(e, wrt, o, j, canon);
		err = fabs(ana - num);
		if (!(err <= tol))
			return false;
		*max_abs = fmax(*max_abs, err);
		if ((m = fmax(fabs(ana), fabs(num))) > 0)
			*max_rel = fmax(*max_rel, err / m);
	}
	return true;
}

/* Redo a column group one member at a time, as the direct engine does:
 * each entry compared on its own, every output outside the member's set
 * unchanged. Failures and errors go into local, merged under the lock. */
static int
cols_redo(engine_t *e, worker_t *wk, conv_wrt_t wrt, size_t n,
    gradcheck_item_t *local, char **err)
{
	const unsigned char *rows = e->row_done[row_kind_of(e, wrt)];
	size_t *all = wk->members, i, o;
	double canon, r0 = wk->r[0];
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		size_t j = all[i];
		double f = 0;

		wk->members = &all[i];
		wk->r[0] = 1;
		rc = col_forwards(e, wk, wrt, 1, true, err);
		for (o = 0; rc == 0 && o < e->M; o++) {
			double dy = wk->hi->data[o] - wk->lo->data[o];
			uint64_t key = (uint64_t)o * e->P[wrt] + j;

			f += e->g->df->data[o] * dy;
			if (predicted(&e->gm, &e->g->p, wrt, o, j, &canon)) {
				if (rows[o])
					gradcheck_compare_at(local, analytic(e, wrt, o, j,
					    canon), dy / e->step[wrt][j], key, e->g->onehot, o,
					    wk->d[wrt], j);
			} else if (!(dy == 0)) {
				gradcheck_fail_at(local, 0, dy / e->step[wrt][j], key,
				    e->g->onehot, o, wk->d[wrt], j);
			}
		}
		e->gnum[wrt]->data[j] = f;
	}
	wk->members = all;
	wk->r[0] = r0;
	return rc;
}

/* Merge a group's local item (its failures, max errors) into the shared. */
static void
merge_item(gradcheck_item_t *it, const gradcheck_item_t *local)
{
	LOCKED
	{
		if (isnan(local->max_abs) || isnan(it->max_abs)) {
			it->max_abs = it->max_rel = NAN;
		} else {
			it->max_abs = fmax(it->max_abs, local->max_abs);
			it->max_rel = fmax(it->max_rel, local->max_rel);
		}
		if (local->failures > 0 && (it->failures == 0 ||
		    local->first_key < it->first_key)) {
			it->first_key = local->first_key;
			it->got = local->got;
			it->want = local->want;
			it->fail_has_out = local->fail_has_out;
			it->fail_has_wrt = local->fail_has_wrt;
			memcpy(it->out_idx, local->out_idx, sizeof(it->out_idx));
			memcpy(it->wrt_idx, local->wrt_idx, sizeof(it->wrt_idx));
		}
		it->failures += local->failures;
	}
}

/* One column group: perturb its members, two forwards, screen; redone
 * member by member when anything is off. */
static int
run_cols(engine_t *e, worker_t *wk, conv_wrt_t wrt, long gi, char **err)
{
	size_t n = col_members(e, wk, wrt, gi), i;
	gradcheck_item_t local = e->jac[wrt];
	int rc;

	local.failures = 0;
	local.max_abs = local.max_rel = 0;
	for (i = 0; i < n; i++) {
		wk->r[i] = 1 + rng_uniform(&wk->rng);
		e->gnum[wrt]->data[wk->members[i]] = 0;
	}
	rc = col_forwards(e, wk, wrt, n, false, err);
	if (rc == 0 && !cols_screen(e, wk, wrt, gi, &local.max_abs,
	    &local.max_rel)) {
		defer(e, col_kind_of(wrt), gi, local.max_abs, local.max_rel);
		return 0;
	}
	if (rc != 0)
		return rc;
	return cols_finish(e, wk, wrt, n, &local);
}

/* A column group's end: its item merged, its members' gradient
 * differences divided by their steps, marked done. */
static int
cols_finish(engine_t *e, worker_t *wk, conv_wrt_t wrt, size_t n,
    const gradcheck_item_t *local)
{
	size_t i;

	merge_item(&e->jac[wrt], local);
	for (i = 0; i < n; i++) {
		size_t j = wk->members[i];

		e->gnum[wrt]->data[j] /= e->step[wrt][j];
		e->col_done[wrt][j] = 1;
	}
	return 0;
}

/* A deferred column group (i-th deferred of its kind): redone member by
 * member, or, past the redo bound, a failure of what screening saw. */
static int
redo_cols(engine_t *e, worker_t *wk, int kind, long i, bool redo,
    char **err)
{
	const deferred_t *d = &e->deferred[kind][i];
	conv_wrt_t wrt = col_wrt(kind);
	size_t n = col_members(e, wk, wrt, d->gi);
	gradcheck_item_t local = e->jac[wrt];
	int rc = 0;

	local.failures = 0;
	local.max_abs = d->max_abs;
	local.max_rel = d->max_rel;
	if (redo) {
		rc = cols_redo(e, wk, wrt, n, &local, err);
	} else {
		gradcheck_fail_at(&local, NAN, 0, UINT64_MAX, NULL, 0, NULL, 0);
		local.max_abs = local.max_rel = NAN;
	}
	return rc != 0 ? rc : cols_finish(e, wk, wrt, n, &local);
}

/* -------------------------------------------------------- scheduling */

static conv_wrt_t
col_wrt(int kind)
{
	return kind == COL_IN ? WRT_INPUT : kind == COL_W ? WRT_WEIGHT :
	    WRT_BIAS;
}

static void
group_counts(const geom_t *gm, bool crop, long n[NKINDS])
{
	const conv_shape_t *s = gm->s;

	n[ROW_IN] = gm->Cog * gm->Ch * gm->Cw;
	n[ROW_W] = s->N * s->H_out * s->W_out;
	n[ROW_B] = crop ? n[ROW_W] : 0;
	n[COL_BIAS] = 1;
	n[COL_IN] = gm->Cig * gm->Kh * gm->Kw;
	n[COL_W] = gm->Cig * s->R * s->S;
}

void
gradcheck_engine_plan(const conv_shape_t *s, bool central, bool crop,
    double *forwards, double *backwards, double *passes)
{
	geom_t gm;
	long n[NKINDS];
	/* a crop's outputs (at most 2 i0 + 1 along an axis, see crop_axis)
	 * against the layer's; a bias row sums df, one add per output
	 * against C_in/groups R S multiply-adds */
	double ch = fmin(2.0 * ((s->pad_h + s->strh - 1) / s->strh) + 1,
	    (double)s->H_out), cw = fmin(2.0 * ((s->pad_w + s->strw - 1) /
	    s->strw) + 1, (double)s->W_out);
	double crop_pass = ch * cw / ((double)s->H_out * (double)s->W_out);
	double bias_pass = 1.0 / ((double)conv_group_cin(s) * s->R * s->S);

	geom_init(&gm, s);
	group_counts(&gm, crop, n);
	geom_done(&gm);
	*forwards = 2 + (central ? 2.0 : 1.0) *
	    (double)(n[COL_BIAS] + n[COL_IN] + n[COL_W]);
	*backwards = 1 + (double)(n[ROW_IN] + n[ROW_W] + n[ROW_B]);
	*passes = *forwards + 1 + (double)n[ROW_IN] + (double)n[ROW_W] *
	    (crop ? crop_pass : 1) + (double)n[ROW_B] * bias_pass;
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

/* Seconds a group of kind k takes on one worker, as seen so far: the mean
 * wall time of its groups done (under the machine's load, beside the
 * other workers); before any, for a column kind the whole-layer input
 * rows' mean per pass (a forward costs about what a backward for dinput
 * does: the same products), else the base forward's time (t_kind). The mean, not the fastest: on a loaded
 * machine the fastest call is an optimist by several times. */
static double
group_seconds(const engine_t *e, int k)
{
	if (e->ndone[k] > 0)
		return e->spent[k] / (double)e->ndone[k];
	if (k >= COL_BIAS && e->ndone[ROW_IN] >= 3)
		return calls_per_group(e, k) * e->spent[ROW_IN] /
		    (double)e->ndone[ROW_IN];
	if (k < COL_BIAS)     /* a row kind before its first call: a pass */
		return e->t_kind[COL_IN] / calls_per_group(e, COL_IN);
	return e->t_kind[k];
}

/* The estimate: the time so far plus every group left at its kind's
 * seconds, the workers running side by side. Under the lock, once the
 * first rows ran (mark_time). The first made once 5% of the work is done
 * is the one the timing reports. */
static void
update_estimate(engine_t *e)
{
	double left = 0, total = 0, est;
	int k;

	if (e->mark_time == 0)
		return;
	for (k = 0; k < NKINDS; k++) {
		double gs = group_seconds(e, k);

		total += (double)e->ngroups[k] * gs;
		left += (double)(e->ngroups[k] - e->ndone[k]) * gs;
	}
	est = util_now() - e->t0 + left / e->nworkers;
	if (e->g->o.budget > 0 && est > e->g->o.budget)
		est = e->g->o.budget;
	e->estimate = est;
	if (e->first_estimate == 0 && total - left >= 0.05 * total)
		e->first_estimate = est;
}

/* The progress callback, from the first worker only, every 0.2 s. */
static void
progress(engine_t *e, bool force)
{
	const gradcheck_opts_t *o = &e->g->o;
	gradcheck_progress_t p;
	double t = util_now();
	bool go;

	if (o->progress == NULL || parallel_thread_num() != 0 || (!force &&
	    t - e->last_progress < PROGRESS_EVERY))
		return;
	e->last_progress = t;
	p.source = e->src->name;
	LOCKED
	{
		update_estimate(e);
		p.calls = e->calls;
		p.total = e->total_calls;
		p.estimate = e->estimate;
	}
	p.elapsed = t - e->t0;
	go = o->progress(o->progress_ctx, &p);
	if (!go) {
		LOCKED
		e->stop = true;
	}
}

/* The run's first source failure is kept (rc and its message, taken);
 * a later one's message is freed. */
static void
keep_failure(engine_t *e, int rc, char *err)
{
	LOCKED
	{
		if (rc != 0 && e->rc == 0) {
			e->rc = rc;
			e->err = err;
			err = NULL;
		}
	}
	free(err);
}

/* Run group gi of kind k on worker wk, its draws seeded by the group. */
static void
run_task(engine_t *e, worker_t *wk, int k, long gi)
{
	double t = util_now(), dt;
	char *err = NULL;
	int rc;

	rng_seed(&wk->rng, e->g->o.seed * 0x9e3779b97f4a7c15ULL +
	    (uint64_t)k * 0x100000000ULL + (uint64_t)gi + 1);
	rc = k < COL_BIAS ? run_rows(e, wk, k, gi, &err) :
	    run_cols(e, wk, col_wrt(k), gi, &err);
	dt = util_now() - t;
	LOCKED
	{
		e->spent[k] += dt;
		e->ndone[k]++;
		update_estimate(e);
	}
	keep_failure(e, rc, err);
	progress(e, false);
}

/* The row and column kinds of each Jacobian, by wrt. */
static int
col_kind_of(conv_wrt_t wrt)
{
	return wrt == WRT_INPUT ? COL_IN : wrt == WRT_WEIGHT ? COL_W : COL_BIAS;
}

/* The share of Jacobian wrt compared if n[k] groups of each kind ran:
 * an entry is compared when its row ran before its column (see
 * finish_items), so it is the rows' fraction times the columns'. */
static double
share_of(const engine_t *e, conv_wrt_t wrt, const long *n)
{
	int r = row_kind_of(e, wrt), c = col_kind_of(wrt);

	return ((double)n[r] / (double)e->ngroups[r]) *
	    ((double)n[c] / (double)e->ngroups[c]);
}

/* The Jacobian (wrt) whose share is the smallest among those that
 * can still grow by running a group of one of its kinds in ks (within
 * lim, groups per kind); -1 if none. */
static int
lowest_share(const engine_t *e, const long *n, const long *lim)
{
	int w, best = -1;
	double bs = 0;

	for (w = 0; w < 3; w++) {
		int r = row_kind_of(e, (conv_wrt_t)w), c = col_kind_of((conv_wrt_t)w);
		double sh = share_of(e, (conv_wrt_t)w, n);

		if (n[r] >= lim[r] && n[c] >= lim[c])
			continue;
		if (best < 0 || sh < bs) {
			best = w;
			bs = sh;
		}
	}
	return best;
}

/*
 * Under a budget, the row groups of each kind to run before the columns
 * (quota), and the part of the time they take (the rest is the columns'):
 * a greedy over the seconds of a group of each kind (group_seconds, on
 * nworkers at once) that grows, at each step, the Jacobian with the
 * smallest share by the group (row or column) that adds the most share
 * per second, until the time left is spent. So the smallest of the three
 * shares is as large as the model allows: rows cheap on crops go first,
 * and a Jacobian whose rows are dear gets as many rows as columns' worth.
 */
static void
plan_budget(engine_t *e)
{
	long n[NKINDS], lim[NKINDS];
	double left = (e->g->o.budget - (util_now() - e->t0)) * e->nworkers;
	double rows = 0, used = 0;
	int k, w;

	for (k = 0; k < NKINDS; k++) {
		n[k] = e->next[k];
		lim[k] = e->ngroups[k];
	}
	n[COL_BIAS] = lim[COL_BIAS];    /* one group: always run */
	/* row kinds that all fit in a twentieth of the time (weight rows on
	 * crops, bias rows) run whole: the max-min below would stop them as
	 * soon as their share passed the others' */
	for (k = ROW_IN; k < COL_BIAS; k++) {
		double all = (double)(lim[k] - n[k]) * group_seconds(e, k);

		if (all <= 0.05 * left) {
			used += all;
			rows += all;
			n[k] = lim[k];
		}
	}
	while ((w = lowest_share(e, n, lim)) >= 0) {
		int r = row_kind_of(e, (conv_wrt_t)w), c = col_kind_of((conv_wrt_t)w);
		double gr = (double)n[c] / (double)e->ngroups[c] /
		    (double)e->ngroups[r] / group_seconds(e, r);
		double gc = (double)n[r] / (double)e->ngroups[r] /
		    (double)e->ngroups[c] / group_seconds(e, c);

		/* the side that adds more; at 0 x 0, a row (they come first) */
		k = n[r] < lim[r] && (gr >= gc || n[c] >= lim[c]) ? r : c;
		if (used + group_seconds(e, k) > left) {
			/* it cannot grow in the time left: the others may */
			lim[r] = n[r];
			lim[c] = n[c];
			continue;
		}
		used += group_seconds(e, k);
		if (k < COL_BIAS)
			rows += group_seconds(e, k);
		n[k]++;
	}
	for (k = 0; k < NKINDS; k++)
		e->quota[k] = k < COL_BIAS ? n[k] : e->ngroups[k];
	e->rows_until = util_now() - e->t0 + (used > 0 ? rows / used : 0.5) *
	    left / e->nworkers;
}

/* Of the kinds ks, the next to run, or -1: in a full run the first with
 * groups left; under a budget, of the rows under their quota the
 * cheapest, of the columns the one whose Jacobian has the
 * smallest share (of those whose rows ran: columns alone compare no
 * entry), else any with groups left. */
static int
pick(const engine_t *e, const int *ks, int nk)
{
	int i, best = -1;
	double bv = 0;

	for (i = 0; i < nk; i++) {
		int k = ks[i];
		double v;

		if (!kind_left(e, k))
			continue;
		if (e->g->o.budget == 0)
			return k;
		if (k < COL_BIAS) {
			/* the cheapest first: if the model was wrong about the
			 * time (a loaded machine), the dear rows are cut, and the
			 * columns after them follow the shares as they are */
			if (e->next[k] >= e->quota[k])
				continue;
			v = group_seconds(e, k);
		} else {
			conv_wrt_t wrt = col_wrt(k);
			int r = row_kind_of(e, wrt);

			v = e->next[r] == 0 ? 2 : share_of(e, wrt, e->next);
		}
		if (best < 0 || v < bv) {
			best = k;
			bv = v;
		}
	}
	return best;
}

/* Of the kinds ks, one none of whose groups ran yet, or -1: a budget
 * compares at least one group of each, however short. */
static int
untouched(const engine_t *e, const int *ks, int nk)
{
	int i;

	for (i = 0; i < nk; i++) {
		if (e->next[ks[i]] == 0 && kind_left(e, ks[i]))
			return ks[i];
	}
	return -1;
}

/* Run the groups of kinds ks on every worker until none is left or the
 * deadline (seconds from the start; 0: none) passes. */
static void
run_phase(engine_t *e, const int *ks, int nk, double deadline)
{
#ifdef _OPENMP
#pragma omp parallel num_threads(e->nworkers)
#endif
	{
		worker_t *wk = &e->w[parallel_thread_num()];

		for (;;) {
			int k = -1;
			long gi = 0;

			LOCKED
			{
				if (e->stop || e->rc != 0)
					k = -1;
				else if (deadline == 0 || util_now() - e->t0 < deadline)
					k = pick(e, ks, nk);
				else    /* past it: one group of each kind still */
					k = untouched(e, ks, nk);
				if (k >= 0)
					gi = e->order[k][e->next[k]++];
			}
			if (k < 0)
				break;
			run_task(e, wk, k, gi);
		}
	}
}

/* The first three groups of each row kind on the first worker: their
 * times are the cost model's. */
static void
run_first_rows(engine_t *e)
{
	int k, i;

	for (k = ROW_IN; k <= ROW_B; k++) {
		for (i = 0; i < 3 && kind_left(e, k) && e->rc == 0; i++)
			run_task(e, &e->w[0], k, e->order[k][e->next[k]++]);
	}
	LOCKED
	{
		e->mark_time = util_now();
		update_estimate(e);
	}
	progress(e, true);
}

static int
cmp_deferred(const void *a, const void *b)
{
	long x = ((const deferred_t *)a)->gi, y = ((const deferred_t *)b)->gi;

	return x < y ? -1 : x > y;
}

/* The calls redoing group gi of kind k takes: one backward per output,
 * or a column's forwards per member (the counts, on the first worker). */
static double
redo_cost(engine_t *e, int k, long gi)
{
	if (k < COL_BIAS)
		return (double)row_outputs(e, &e->w[0], k, gi);
	return (double)col_members(e, &e->w[0], col_wrt(k), gi) *
	    calls_per_group(e, k);
}

/* Redo the deferred groups of kinds ks, in the order of their numbers:
 * each while the redo calls planned before it are under the bound (the
 * rest: failures of what screening saw), then the redos on every worker.
 * So which groups are redone, and so the report, is the same whichever
 * worker ran what. */
static void
redo_phase(engine_t *e, const int *ks, int nk)
{
	long (*task)[3] = NULL, ntask = 0, t;
	int i;

	for (i = 0; i < nk; i++)
		ntask += e->ndeferred[ks[i]];
	if (ntask == 0 || e->rc != 0 || e->stop)
		return;
	task = xcalloc((size_t)ntask, sizeof(*task));
	ntask = 0;
	for (i = 0; i < nk; i++) {
		int k = ks[i];
		long j, n = e->ndeferred[k];

		qsort(e->deferred[k], (size_t)n, sizeof(deferred_t), cmp_deferred);
		for (j = 0; j < n; j++, ntask++) {
			task[ntask][0] = k;
			task[ntask][1] = j;
			task[ntask][2] = e->redo_planned < e->redo_limit;
			if (task[ntask][2])
				e->redo_planned += redo_cost(e, k, e->deferred[k][j].gi);
		}
	}
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic) num_threads(e->nworkers)
#endif
	for (t = 0; t < ntask; t++) {
		worker_t *wk = &e->w[parallel_thread_num()];
		int k = (int)task[t][0], rc = 0, go;
		char *err = NULL;

		LOCKED
		go = e->rc == 0 && !e->stop;
		if (!go)
			continue;
		rc = k < COL_BIAS ? redo_rows(e, wk, k,
		    e->deferred[k][task[t][1]].gi, task[t][2] != 0, &err) :
		    redo_cols(e, wk, k, task[t][1], task[t][2] != 0, &err);
		keep_failure(e, rc, err);
		progress(e, false);
	}
	free(task);
}

/* Rows first (the columns read the remembered entries), then columns:
 * every group; or under a budget the rows plan_budget planned, then the
 * bias's group, then columns until it is spent (at least one group of
 * each kind however short it is). */
static void
run_groups(engine_t *e)
{
	static const int rows[] = { ROW_IN, ROW_W, ROW_B };
	static const int cols[] = { COL_BIAS, COL_IN, COL_W };
	double B = e->g->o.budget;

	run_first_rows(e);
	if (B > 0)
		plan_budget(e);
	run_phase(e, rows, 3, B > 0 ? e->rows_until : 0);
	redo_phase(e, rows, 3);
	if (B > 0 && e->rc == 0 && !e->stop && kind_left(e, COL_BIAS))
		run_task(e, &e->w[0], COL_BIAS, e->order[COL_BIAS][e->next[COL_BIAS]++]);
	run_phase(e, cols, 3, B);
	redo_phase(e, cols, 3);
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
worker_init(worker_t *wk, const engine_t *e)
{
	const gradcheck_t *g = e->g;
	size_t maxp = e->P[WRT_INPUT] > e->P[WRT_WEIGHT] ? e->P[WRT_INPUT] :
	    e->P[WRT_WEIGHT];
	int w;

	memset(wk, 0, sizeof(*wk));
	wk->p.input = tensor_clone(g->p.input);
	wk->p.weight = tensor_clone(g->p.weight);
	wk->p.bias = tensor_clone(g->p.bias);
	wk->hi = gradcheck_output_like(&g->s);
	wk->lo = gradcheck_output_like(&g->s);
	wk->df = gradcheck_output_like(&g->s);
	for (w = 0; w < 3; w++)
		wk->d[w] = tensor_clone(conv_wrt_tensor(&g->p, (conv_wrt_t)w));
	wk->members = xmalloc(maxp * sizeof(size_t));
	wk->saved = xmalloc(maxp * sizeof(double));
	wk->r = xmalloc(maxp * sizeof(double));
	wk->outs = xmalloc(e->M * sizeof(size_t));
	wk->q = xmalloc(e->M * sizeof(double));
	wk->mark = xcalloc(e->P[WRT_INPUT], sizeof(unsigned));
}

static void
worker_done(worker_t *wk)
{
	int w;

	tensor_free(wk->p.input);
	tensor_free(wk->p.weight);
	tensor_free(wk->p.bias);
	tensor_free(wk->hi);
	tensor_free(wk->lo);
	tensor_free(wk->df);
	for (w = 0; w < 3; w++)
		tensor_free(wk->d[w]);
	free(wk->members);
	free(wk->saved);
	free(wk->r);
	free(wk->outs);
	free(wk->q);
	free(wk->mark);
}

static void
engine_init(engine_t *e, gradcheck_t *g, const gradcheck_source_t *src)
{
	int k, w;

	memset(e, 0, sizeof(*e));
	e->g = g;
	e->src = src;
	e->crop = src->crops;
	e->bias_crop = src->crops && !src->partial;
	e->screen = src->crops && src->crops_screen;
	geom_init(&e->gm, &g->s);
	e->M = g->onehot->size;
	for (w = 0; w < 3; w++) {
		tensor_t *x = conv_wrt_tensor(&g->p, (conv_wrt_t)w);

		e->P[w] = x->size;
		e->gana[w] = tensor_clone(x);
		e->gnum[w] = tensor_clone(x);
		e->col_done[w] = xcalloc(x->size, 1);
		e->step[w] = xmalloc(x->size * sizeof(double));
		item_init(e, &e->jac[w], GRADCHECK_JACOBIAN, (conv_wrt_t)w);
		item_init(e, &e->grad[w], GRADCHECK_GRADIENT, (conv_wrt_t)w);
	}
	for (k = 0; k < 3; k++)
		e->row_done[k] = xcalloc(e->M, 1);
	e->base = gradcheck_output_like(&g->s);
	e->nworkers = src->concurrent ? parallel_max_threads() : 1;
	e->w = xcalloc((size_t)e->nworkers, sizeof(*e->w));
	for (k = 0; k < e->nworkers; k++)
		worker_init(&e->w[k], e);
	group_counts(&e->gm, e->crop, e->ngroups);
	for (k = 0; k < NKINDS; k++) {
		long i;

		e->order[k] = xmalloc((size_t)e->ngroups[k] * sizeof(long));
		e->deferred[k] = xmalloc((size_t)(e->ngroups[k] + 1) *
		    sizeof(deferred_t));
		for (i = 0; i < e->ngroups[k]; i++)
			e->order[k][i] = i;
		if (g->o.budget > 0)
			shuffle(e->order[k], e->ngroups[k], &g->rng);
		e->total_calls += (double)e->ngroups[k] * calls_per_group(e, k);
	}
	e->total_calls += 3;     /* the base forward twice, the chain rule */
	e->redo_limit = 4 * e->total_calls + 4096;
}

static void
engine_done(engine_t *e)
{
	int k, w;

	for (w = 0; w < 3; w++) {
		tensor_free(e->gana[w]);
		tensor_free(e->gnum[w]);
		free(e->col_done[w]);
		free(e->step[w]);
		amap_free(&e->map[w]);
	}
	for (k = 0; k < 3; k++)
		free(e->row_done[k]);
	tensor_free(e->base);
	for (k = 0; k < e->nworkers; k++)
		worker_done(&e->w[k]);
	free(e->w);
	for (k = 0; k < NKINDS; k++) {
		free(e->order[k]);
		free(e->deferred[k]);
	}
	geom_done(&e->gm);
	free(e->err);
}

/* The base forward (for forward differences, and the time of one
 * forward) and the chain rule's backward for g->df. */
static int
engine_start(engine_t *e, char **err)
{
	double t = 0, best = HUGE_VAL;
	int rc = 0, i, k;

	/* twice: the faster is the time of one forward (the first starts
	 * threads) */
	for (i = 0; i < 2 && rc == 0; i++) {
		t = util_now();
		rc = e_forward(e, &e->w[0], e->base, false, err);
		best = fmin(best, util_now() - t);
	}
	for (k = COL_BIAS; k < NKINDS; k++)
		e->t_kind[k] = best * calls_per_group(e, k);
	if (rc == 0)
		rc = e_backward(e, &e->w[0], e->gana, e->g->df, false, err);
	return rc;
}

static size_t
count_set(const unsigned char *v, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += v[i] != 0;
	return c;
}

/* Entries compared: those whose row and column groups both ran; the
 * gradients' entries whose columns ran. */
static void
finish_items(engine_t *e)
{
	size_t j;
	int w;

	for (w = 0; w < 3; w++) {
		size_t rows = count_set(e->row_done[row_kind_of(e, (conv_wrt_t)w)],
		    e->M);

		e->jac[w].checked = count_set(e->col_done[w], e->P[w]) * rows;
		for (j = 0; j < e->P[w]; j++) {
			if (e->col_done[w][j])
				gradcheck_compare_at(&e->grad[w], e->gana[w]->data[j],
				    e->gnum[w]->data[j], j, NULL, 0, e->w[0].d[w], j);
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
	t->seconds = util_now() - e->t0;
	t->estimate = e->first_estimate > 0 ? e->first_estimate : e->estimate;
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
	e.t0 = e.last_progress = util_now();
	if ((rc = engine_start(&e, err)) == 0) {
		/* the workers are the parallelism: each GEMM on its caller's
		 * thread (gemm.h) */
		int blas = e.nworkers > 1 ? gemm_blas_set_threads(1) : 0;

		run_groups(&e);
		if (blas > 0)
			gemm_blas_set_threads(blas);
		if ((rc = e.rc) != 0) {
			*err = e.err;
			e.err = NULL;
		}
	}
	if (rc == 0) {
		finish_items(&e);
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
