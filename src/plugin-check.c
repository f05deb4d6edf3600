/*
 * plugin-check.c: the gradcheck of a plugin (see plugin-check.h).
 */
#include "plugin-check.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv-shape.h"
#include "load-dir.h"
#include "parallel.h"
#include "plugin-run.h"
#include "shrink.h"
#include "util.h"
#include "zoo.h"

/* N, C_in, H_in, W_in, C_out, R, S, strh, strw, pad_h, pad_w, dil_h,
 * dil_w, groups: strides 1 to 3, non-square, R != S, R = S with
 * C_in = C_out (so taps-swapped and channels-swapped can show), padding,
 * dilation, groups. */
static const long sweep[][14] = {
	{ 2, 2, 5, 6, 2, 3, 2, 2, 3, 0, 0, 1, 1, 1 },
	{ 2, 2, 5, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1 },
	{ 1, 2, 6, 5, 2, 2, 3, 2, 1, 1, 2, 2, 1, 1 },
	{ 2, 1, 7, 6, 2, 3, 3, 3, 2, 2, 1, 2, 2, 1 },
	{ 1, 4, 5, 5, 4, 3, 3, 2, 1, 1, 1, 1, 2, 2 },
};

size_t
plugin_sweep_count(void)
{
	return sizeof(sweep) / sizeof(sweep[0]);
}

conv_shape_t
plugin_sweep_shape(size_t i)
{
	const long *v = sweep[i];
	conv_shape_t s;
	char *err = NULL;
	int rc;

	conv_shape_init(&s, v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
	s.strh = v[7], s.strw = v[8], s.pad_h = v[9], s.pad_w = v[10];
	s.dil_h = v[11], s.dil_w = v[12], s.groups = v[13];
	rc = conv_shape_validate(&s, 0, &err);
	if (rc != 0)
		fatal("the sweep's shape %zu is invalid: %s", i, err);
	return s;
}

/* ---- the engine's source ---- */

static int
src_forward(void *ctx, tensor_t *output, const conv_params_t *p,
    const conv_shape_t *s, char **err)
{
	return plugin_forward(ctx, false, s, p->input, p->weight, p->bias,
	    output, err);
}

static int
src_backward(void *ctx, tensor_t *dinput, tensor_t *dweight, tensor_t *dbias,
    const tensor_t *df, const conv_params_t *p, const conv_shape_t *s,
    char **err)
{
	return plugin_backward(ctx, false, s, p->input, p->weight, df, dinput,
	    dweight, dbias, err);
}

/* The engine's item as a summary item of the report. */
static void
add_engine_item(rcheck_report_t *r, const gradcheck_item_t *gi,
    const conv_shape_t *s, const char *ctx)
{
	const char *names[RCHECK_MAX_DIMS];
	size_t dims[RCHECK_MAX_DIMS] = { 0 };
	const char *const *wn;
	rcheck_entry_t e = { { 0 }, gi->got, gi->want };
	rcheck_input_t in = { gi->quantity, ctx, 0, names, dims, NULL, NULL,
	    NULL, NULL, gi->tol_why, s };
	int n = 0, k;

	if (gi->kind != GRADCHECK_GRADIENT)
		for (k = 0; k < 4; k++) {
			names[n] = gradcheck_output_names[k];
			e.index[n++] = gi->out_idx[k];
		}
	if (gi->kind != GRADCHECK_AGREE) {
		int nw;

		wn = gradcheck_wrt_names(gi->wrt, &nw);
		for (k = 0; k < nw; k++) {
			names[n] = wn[k];
			e.index[n++] = gi->wrt_idx[k];
		}
	}
	for (k = 0; k < n; k++)
		dims[k] = 1;
	in.ndim = n;
	rcheck_add_summary(r, &in, gi->checked, gi->failures, gi->max_abs,
	    gi->max_rel, gi->tol, &e)->pass = gi->pass;
}

/* The engine's gradcheck of the plugin at g's shape. Returns -1 if the
 * plugin failed (the fault is in r). */
static int
engine_check(rcheck_report_t *r, gradcheck_t *g, plugin_t *pl,
    const char *ctx)
{
	/* concurrent: each call in a lane of its own (plugin-run.h), so the
	 * plugin sees one call at a time per process. crops: the ABI passes
	 * the shape with every call, so rows may be read on crops of the
	 * layer; as a screen only (crops_screen): a crop the plugin fails
	 * or answers otherwise is made again on the layer, and a wrong entry
	 * is named from the layer's own rows */
	gradcheck_source_t src = { .ctx = pl, .name = "plugin",
	    .forward = src_forward, .backward = src_backward,
	    .concurrent = plugin_lanes(pl) > 1, .crops = true,
	    .crops_screen = true };
	size_t before = gradcheck_count(g), i, failed = 0;
	char *err = NULL;
	int rc = plugin_prepare(pl, gradcheck_shape(g), &err);

	if (rc == 0)
		rc = gradcheck_run_source(g, &src, &failed, &err);

	for (i = before; i < gradcheck_count(g); i++)
		add_engine_item(r, gradcheck_item(g, i), gradcheck_shape(g), ctx);
	if (rc != 0) {
		rcheck_add_fault(r, err != NULL ? err : "the plugin failed");
		free(err);
	}
	return rc;
}

/* ---- against the reference ---- */

static tensor_t *
rounded(const tensor_t *t, bool f32)
{
	tensor_t *u = tensor_clone(t);
	size_t i;

	for (i = 0; f32 && i < u->size; i++)
		u->data[i] = (double)(float)u->data[i];
	return u;
}

#define H32 0.125          /* the float32 step: see fd32_entry */

/* One entry of d f/d wrt for f = sum(df * output), by central differences
 * of the plugin's float32 forward. conv2d is linear in each argument, so a
 * large step has no truncation error; what remains is the forward's
 * float32 rounding. The step is the one the float32 values really take.
 * 0, or -1 with *err (a fault). */
static int
fd32_entry(plugin_t *pl, const conv_shape_t *s, tensor_t *const t[3],
    int wrt, size_t j, const tensor_t *df, tensor_t *out_hi,
    tensor_t *out_lo, double *num, double *step, char **err)
{
	double v = t[wrt]->data[j], hi = (double)(float)(v + H32);
	double lo = (double)(float)(v - H32), sum = 0;
	size_t o;
	int rc;

	t[wrt]->data[j] = hi;
	rc = plugin_forward(pl, true, s, t[0], t[1], t[2], out_hi, err);
	t[wrt]->data[j] = lo;
	if (rc == 0)
		rc = plugin_forward(pl, true, s, t[0], t[1], t[2], out_lo, err);
	t[wrt]->data[j] = v;
	if (rc != 0)
		return -1;
	for (o = 0; o < df->size; o++)
		sum += df->data[o] * (out_hi->data[o] - out_lo->data[o]);
	*step = hi - lo;
	*num = sum / *step;
	return 0;
}

/* The largest |entry| of t, at least 1. */
static double
max_abs1(const tensor_t *t)
{
	double m = 1;
	size_t i;

	for (i = 0; i < t->size; i++)
		m = fmax(m, fabs(t->data[i]));
	return m;
}

/* The tolerance of entry j: the difference quotient's rounding, 2 gamma_n
 * (2^-24) sum_o |df_o| (A_o + h M) over the step, twice (both
 * evaluations), with M bounding the factor the perturbed entry meets; plus
 * the float32 backward's own bound, gamma times its sum of |terms|. */
static double
fd32_tol(double fd_sum, double step, double g_back, double abs_j)
{
	return 2 * 2 * fd_sum / step + g_back * abs_j;
}

/* ---- the float32 differences, many entries a pair of forwards ----
 * Entries whose output sets are disjoint move together, each by its own
 * step, in one pair of forwards; each output's difference then belongs to
 * the one entry of the group that can reach it (fd32_owner). The sums are
 * those of fd32_entry, term by term in the same order, so each entry's
 * difference is the same to the bit when the forward is local and
 * deterministic; an output that changed although no entry of the group
 * reaches it shows it is not, and that group is redone entry by entry, as
 * is a group with an entry near its tolerance (fd32_check).
 * Groups: bias, one of all (each output reads one bias); weight, one per
 * (ci, di, dj) with every c_out (output channel c_out reads only filter
 * c_out); input, one per (c_in, h mod Ah, w mod Aw) with every image,
 * Ah = dil_h (R - 1) + 1 (two rows Ah apart never share a window). */

/* The span along one axis beyond which two inputs share no output. */
static long
fd32_span(long dil, long R)
{
	return dil * (R - 1) + 1;
}

/* How many groups entries of t[w] fall into, and the group of entry j. */
static size_t
fd32_ngroups(const conv_shape_t *s, int w)
{
	if (w == 2)
		return 1;
	if (w == 1)
		return (size_t)(s->C_in / s->groups * s->R * s->S);
	return (size_t)(s->C_in * fd32_span(s->dil_h, s->R) *
	    fd32_span(s->dil_w, s->S));
}

static size_t
fd32_group(const conv_shape_t *s, int w, size_t j)
{
	long ah = fd32_span(s->dil_h, s->R), aw = fd32_span(s->dil_w, s->S);
	size_t per;

	if (w == 2)
		return 0;
	per = (size_t)(s->C_in / s->groups * s->R * s->S);
	if (w == 1)
		return j % per;         /* (ci, di, dj) of ((co*Cg+ci)*R+di)*S+dj */
	{
		size_t wi = j % (size_t)s->W_in, h = j / (size_t)s->W_in %
		    (size_t)s->H_in, c = j / ((size_t)s->W_in * (size_t)s->H_in) %
		    (size_t)s->C_in;

		return (c * (size_t)ah + h % (size_t)ah) * (size_t)aw +
		    wi % (size_t)aw;
	}
}

/* Along one axis: the input row of output row ho's window that is
 * r mod a, or -1 (at most one is: the window spans less than a). */
static long
fd32_axis(long ho, long str, long dil, long pad, long R, long n, long a,
    long r)
{
	long d, h;

	for (d = 0; d < R; d++) {
		h = str * ho + dil * d - pad;
		if (h >= 0 && h < n && h % a == r)
			return h;
	}
	return -1;
}

/* The entry of group g of t[w] that output o can depend on, or -1. */
static long
fd32_owner(const conv_shape_t *s, int w, size_t g, size_t o)
{
	long wo = (long)(o % (size_t)s->W_out);
	long ho = (long)(o / (size_t)s->W_out % (size_t)s->H_out);
	long co = (long)(o / ((size_t)s->W_out * (size_t)s->H_out) %
	    (size_t)s->C_out);
	long b = (long)(o / ((size_t)s->W_out * (size_t)s->H_out *
	    (size_t)s->C_out));
	long ah = fd32_span(s->dil_h, s->R), aw = fd32_span(s->dil_w, s->S);
	long c, h, wi;

	if (w == 2)
		return co;
	if (w == 1)
		return co * (long)fd32_ngroups(s, 1) + (long)g;
	c = (long)g / (ah * aw);
	if (!conv_channel_reads(s, co, c, NULL))
		return -1;
	h = fd32_axis(ho, s->strh, s->dil_h, s->pad_h, s->R, s->H_in, ah,
	    (long)g / aw % ah);
	wi = fd32_axis(wo, s->strw, s->dil_w, s->pad_w, s->S, s->W_in, aw,
	    (long)g % aw);
	if (h < 0 || wi < 0)
		return -1;
	return ((b * s->C_in + c) * s->H_in + h) * s->W_in + wi;
}

/* Group g of t[w] in one pair of forwards: num[j] and step[j] of each of
 * its n entries mem[]. 1 done; 0 an output moved that no entry of the
 * group reaches (redo the group entry by entry); -1 the plugin failed
 * (*err). */
static int
fd32_group_run(plugin_t *pl, const conv_shape_t *s, tensor_t *const t[3],
    int w, size_t g, const size_t *mem, size_t n, const tensor_t *df,
    tensor_t *out_hi, tensor_t *out_lo, double *num, double *step,
    char **err)
{
	double *v = xcalloc(n, sizeof(double));
	size_t i, o;
	int rc = 0, done = 1;

	for (i = 0; i < n; i++) {
		v[i] = t[w]->data[mem[i]];
		num[mem[i]] = 0;
		t[w]->data[mem[i]] = (double)(float)(v[i] + H32);
	}
	rc = plugin_forward(pl, true, s, t[0], t[1], t[2], out_hi, err);
	for (i = 0; i < n; i++) {
		step[mem[i]] = t[w]->data[mem[i]];
		t[w]->data[mem[i]] = (double)(float)(v[i] - H32);
		step[mem[i]] -= t[w]->data[mem[i]];
	}
	if (rc == 0)
		rc = plugin_forward(pl, true, s, t[0], t[1], t[2], out_lo, err);
	for (i = 0; i < n; i++)
		t[w]->data[mem[i]] = v[i];
	free(v);
	if (rc != 0)
		return -1;
	for (o = 0; o < df->size && done; o++) {
		long k = fd32_owner(s, w, g, o);

		if (k >= 0)
			num[k] += df->data[o] * (out_hi->data[o] - out_lo->data[o]);
		else if (!(out_hi->data[o] == out_lo->data[o]))
			done = 0;       /* moved, though nothing here reaches it */
	}
	for (i = 0; i < n && done; i++)
		num[mem[i]] /= step[mem[i]];
	return done;
}

/* What the float32 differences of one tensor share: the problem, the
 * plugin's gradient and its sums of |terms|, the bounds, and the results
 * per entry (each written only by its own group). */
typedef struct fd32_run {
	plugin_t *pl;
	const zoo_problem_t *pr;
	int w;
	const tensor_t *grad, *absg;
	double fd_sum, gb;
	double *num, *steps, *tol;
	unsigned char *mask;
} fd32_run_t;

/* Group g (its n entries mem[]) on the worker's own tensors t, hi, lo. An
 * entry near or past its tolerance may hold another entry's change (a
 * forward that reads outside the window, into an output of this group):
 * the whole group is then redone entry by entry, so that the entry blamed
 * is the one that is wrong. 0, or -1 with *err. */
static int
fd32_group_check(const fd32_run_t *f, tensor_t *const t[3], size_t g,
    const size_t *mem, size_t n, tensor_t *hi, tensor_t *lo, char **err)
{
	const conv_shape_t *s = f->pr->s;
	int rc = fd32_group_run(f->pl, s, t, f->w, g, mem, n, f->pr->df, hi, lo,
	    f->num, f->steps, err);
	size_t i;

	for (i = 0; rc == 1 && i < n; i++) {
		size_t j = mem[i];

		if (!(fabs(f->num[j] - f->grad->data[j]) <= 0.5 * fd32_tol(f->fd_sum,
		    f->steps[j], f->gb, f->absg->data[j])))
			rc = 0;
	}
	for (i = 0; rc >= 0 && i < n; i++) {
		size_t j = mem[i];

		if (rc == 0 && fd32_entry(f->pl, s, t, f->w, j, f->pr->df, hi, lo,
		    &f->num[j], &f->steps[j], err) != 0)
			return -1;
		f->mask[j] = 1;
		f->tol[j] = fd32_tol(f->fd_sum, f->steps[j], f->gb, f->absg->data[j]);
	}
	return rc < 0 ? -1 : 0;
}

/* Every entry of t[w], by groups: the entries bucketed by group once,
 * the groups spread over the plugin's lanes (each worker with its own
 * copies of the tensors it perturbs). 0, or -1 with *err (a fault). */
static int
fd32_all(const fd32_run_t *f, tensor_t *const t[3], char **err)
{
	const conv_shape_t *s = f->pr->s;
	size_t nj = t[f->w]->size, ng = fd32_ngroups(s, f->w), j;
	size_t *first = xcalloc(ng + 1, sizeof(size_t));
	size_t *mem = xmalloc(nj * sizeof(size_t));
	size_t *fill = xcalloc(ng, sizeof(size_t));
	long g;
	int failed = 0;

	for (j = 0; j < nj; j++)
		first[fd32_group(s, f->w, j) + 1]++;
	for (g = 0; g < (long)ng; g++)
		first[g + 1] += first[g];
	for (j = 0; j < nj; j++) {
		size_t k = fd32_group(s, f->w, j);

		mem[first[k] + fill[k]++] = j;
	}
#ifdef _OPENMP
#pragma omp parallel num_threads(plugin_lanes(f->pl))
#endif
	{
		tensor_t *mine[3] = { tensor_clone(t[0]), tensor_clone(t[1]),
		    tensor_clone(t[2]) };
		tensor_t *hi = tensor_clone(f->pr->df), *lo = tensor_clone(f->pr->df);
		int k;

#ifdef _OPENMP
#pragma omp for schedule(dynamic)
#endif
		for (g = 0; g < (long)ng; g++) {
			char *e = NULL;
			int stop;

#ifdef _OPENMP
#pragma omp atomic read
#endif
			stop = failed;
			if (stop || fd32_group_check(f, mine, (size_t)g, &mem[first[g]],
			    first[g + 1] - first[g], hi, lo, &e) == 0)
				continue;
#ifdef _OPENMP
#pragma omp critical(plugin_fd32)
#endif
			{
				if (!failed) {
					*err = e;
					e = NULL;
				}
				failed = 1;
			}
			free(e);
		}
		for (k = 0; k < 3; k++)
			tensor_free(mine[k]);
		tensor_free(hi);
		tensor_free(lo);
	}
	free(first);
	free(mem);
	free(fill);
	return failed ? -1 : 0;
}

/* With the _f32 entry points: the plugin's float32 gradients (grad, from
 * its backward for df) against differences of its own float32 forward,
 * every entry or o->sample of each. */
static void
fd32_check(rcheck_report_t *r, plugin_t *pl, const zoo_problem_t *pr,
    tensor_t *const grad[3], size_t sample, uint64_t seed, const char *ctx)
{
	static const zoo_qty_t qs[3] = { ZOO_DINPUT, ZOO_DWEIGHT, ZOO_DBIAS };
	static const char *const names[3] = { "dinput vs its float32 forward",
	    "dweight vs its float32 forward", "dbias vs its float32 forward" };
	const conv_shape_t *s = pr->s;
	tensor_t *t[3] = { tensor_clone(pr->input), tensor_clone(pr->weight),
	    tensor_clone(pr->bias) };
	tensor_t *hi = tensor_clone(pr->df), *lo = tensor_clone(pr->df);
	tensor_t *A = tensor_clone(pr->df);
	double n = (double)(s->C_in / s->groups * s->R * s->S + 1), M, fd_sum = 0;
	double gn = rcheck_gamma(n, FLT_EPSILON / 2) / 2;
	char *err = NULL;
	rng_t rng;
	size_t o;
	int w;

	zoo_compute(A, ZOO_COUNT, ZOO_OUTPUT, pr, true);
	M = fmax(max_abs1(pr->input), max_abs1(pr->weight));
	for (o = 0; o < A->size; o++)
		fd_sum += fabs(pr->df->data[o]) * gn * (A->data[o] + H32 * M);
	rng_seed(&rng, seed ^ 0xf32ULL);
	for (w = 0; w < 3 && err == NULL; w++) {
		size_t nj = t[w]->size, j, k;
		double *num = xcalloc(nj, sizeof(double));
		double *tol = xcalloc(nj, sizeof(double));
		unsigned char *mask = xcalloc(nj, 1);
		tensor_t *absg = tensor_clone(grad[w]);
		double K = qs[w] == ZOO_DINPUT ? (double)(s->C_out / s->groups *
		    s->R * s->S) : (double)(s->N * s->H_out * s->W_out);
		double gb = rcheck_gamma(K, FLT_EPSILON / 2), step;
		char *why = xasprintf("2 x 2 sum_o |df_o| gamma_n(2^-24) (A_o + h M) / "
		    "step + %.3g x the entry's sum of |terms|: the float32 "
		    "forward's rounding in a central difference with h = %g (conv2d "
		    "is linear: no truncation error), n = %.0f, and the float32 "
		    "backward's bound", gb, H32, n);

		zoo_compute(absg, ZOO_COUNT, qs[w], pr, true);
		if (sample == 0 || sample >= nj) {     /* every entry, by groups */
			double *steps = xcalloc(nj, sizeof(double));
			fd32_run_t f = { pl, pr, w, grad[w], absg, fd_sum, gb, num,
			    steps, tol, mask };

			fd32_all(&f, t, &err);
			free(steps);
		}
		for (k = 0; sample > 0 && sample < nj && k < sample; k++) {
			j = (size_t)rng_below(&rng, nj);
			if (mask[j])
				continue;
			if (fd32_entry(pl, s, t, w, j, pr->df, hi, lo, &num[j], &step,
			    &err) != 0)
				break;
			mask[j] = 1;
			tol[j] = fd32_tol(fd_sum, step, gb, absg->data[j]);
		}
		if (err == NULL) {
			rcheck_input_t in = { names[w], ctx, grad[w]->ndim,
			    w == 0 ? zoo_qty_names(ZOO_DINPUT) : w == 1 ?
			    zoo_qty_names(ZOO_DWEIGHT) : zoo_qty_names(ZOO_DBIAS),
			    grad[w]->shape, grad[w]->data, num, tol, mask, why, s };

			rcheck_compare(r, &in);
		}
		free(why);
		free(num);
		free(tol);
		free(mask);
		tensor_free(absg);
	}
	if (err != NULL) {
		rcheck_add_fault(r, err);
		free(err);
	}
	for (w = 0; w < 3; w++)
		tensor_free(t[w]);
	tensor_free(hi);
	tensor_free(lo);
	tensor_free(A);
}

/* The plugin's four results (in float32 when f32) against the reference
 * on the same (rounded) tensors, diagnosed. */
static void
reference_check(rcheck_report_t *r, plugin_t *pl, bool f32,
    const conv_shape_t *s, const conv_params_t *p, uint64_t seed,
    size_t sample, const char *shape_str)
{
	tensor_t *x = rounded(p->input, f32), *w = rounded(p->weight, f32);
	tensor_t *b = rounded(p->bias, f32), *df, *res[ZOO_NQTY];
	zoo_problem_t pr;
	char *err = NULL, *ctx;
	size_t d[4];
	rng_t rng;
	int q;

	for (q = 0; q < ZOO_NQTY; q++)
		res[q] = tensor_create(zoo_qty_dims((zoo_qty_t)q, s, d), d);
	rng_seed(&rng, seed ^ 0x5eedULL);
	df = tensor_clone(res[ZOO_OUTPUT]);
	tensor_fill_uniform(df, &rng, -1, 1);
	if (f32) {
		tensor_t *t = rounded(df, true);

		tensor_free(df);
		df = t;
	}
	pr = (zoo_problem_t){ s, x, w, b, df };
	ctx = xasprintf("(%s, %s)", f32 ? "float32" : "float64", shape_str);
	if (plugin_forward(pl, f32, s, x, w, b, res[ZOO_OUTPUT], &err) != 0 ||
	    plugin_backward(pl, f32, s, x, w, df, res[ZOO_DINPUT],
	    res[ZOO_DWEIGHT], res[ZOO_DBIAS], &err) != 0) {
		rcheck_add_fault(r, err);
		free(err);
	} else {
		for (q = 0; q < ZOO_NQTY; q++)
			load_check_result(r, zoo_qty_name((zoo_qty_t)q), ctx,
			    (zoo_qty_t)q, res[q], f32, &pr);
		if (f32)
			fd32_check(r, pl, &pr, &res[ZOO_DINPUT], sample, seed, ctx);
	}
	free(ctx);
	for (q = 0; q < ZOO_NQTY; q++)
		tensor_free(res[q]);
	tensor_free(x);
	tensor_free(w);
	tensor_free(b);
	tensor_free(df);
}

/* Every check at one shape. 0, or -1 with *err (invalid shape, cost). */
static int
check_shape(rcheck_report_t *r, plugin_t *pl, const plugin_check_opts_t *o,
    const conv_shape_t *s, char **err)
{
	gradcheck_opts_t go = o->base;
	char buf[256], *ctx;
	gradcheck_t *g;

	go.shape = *s;
	if ((g = gradcheck_create(&go, err)) == NULL)
		return -1;
	conv_shape_str(gradcheck_shape(g), buf, sizeof(buf));
	ctx = xasprintf("(%s)", buf);
	/* after a fault the same calls would fail again (and a hang would
	 * take its time limit again): the next shape is tried instead */
	if (engine_check(r, g, pl, ctx) == 0)
		reference_check(r, pl, false, gradcheck_shape(g),
		    gradcheck_params(g), go.seed, go.sample, buf);
	if (plugin_has_f32(pl))
		reference_check(r, pl, true, gradcheck_shape(g),
		    gradcheck_params(g), go.seed, go.sample, buf);
	free(ctx);
	gradcheck_free(g);
	return 0;
}

/* ---- the smallest shape still wrong ---- */

/* The most shapes the search tries: each costs two plugin calls (each
 * under --timeout), so a hanging plugin's search stays bounded too. */
#define PLUGIN_SHRINK_TRIES 100

typedef struct plugin_search {
	plugin_t *pl;
	const plugin_check_opts_t *o;
} plugin_search_t;

/* shrink_fails_fn: are the plugin's float64 results wrong at s (the same
 * reference comparison as the sweep's, with its seed, in a report nobody
 * sees)? 1 wrong, 0 right, -1 skip: over the cost limits, or the plugin
 * faulted there (a crash at a smaller shape is not a wrong result). */
static int
plugin_fails(void *ctx, const conv_shape_t *s)
{
	const plugin_search_t *ps = ctx;
	gradcheck_opts_t go = ps->o->base;
	rcheck_report_t *r;
	gradcheck_t *g;
	char buf[256], *err = NULL;
	int f;

	go.shape = *s;
	if ((g = gradcheck_create(&go, &err)) == NULL) {
		free(err);
		return -1;
	}
	r = rcheck_report_create("", "");
	conv_shape_str(gradcheck_shape(g), buf, sizeof(buf));
	reference_check(r, ps->pl, false, gradcheck_shape(g),
	    gradcheck_params(g), go.seed, go.sample, buf);
	f = r->nfaults > 0 ? -1 : rcheck_failed(r) > 0;
	rcheck_report_free(r);
	gradcheck_free(g);
	return f;
}

/* From start (wrong there), the smallest shape still wrong, as r's
 * "smallest" line. Padding, dilation, groups: a plugin takes them all. */
static void
plugin_shrink(rcheck_report_t *r, plugin_search_t *ps,
    const conv_shape_t *start)
{
	static const shrink_space_t all = { true, true, true };
	shrink_found_t f;
	char buf[256];

	if (shrink_shape(start, &all, plugin_fails, ps, PLUGIN_SHRINK_TRIES,
	    &f) == 0)
		rcheck_set_smallest(r, shrink_shape_str(&f.shape, buf,
		    sizeof(buf)));
}

rcheck_report_t *
plugin_check(const plugin_check_opts_t *o, char **err)
{
	plugin_t *pl = plugin_open(o->path, o->timeout, err);
	plugin_search_t ps = { pl, o };
	rcheck_report_t *r;
	conv_shape_t start;
	bool found = false;
	char *title;
	size_t i, n = o->sweep ? plugin_sweep_count() : 1;

	if (pl == NULL)
		return NULL;
	plugin_set_lanes(pl, parallel_max_threads());
	title = xasprintf("convgrad gradcheck --plugin %s: %s%s", o->path,
	    o->sweep ? "the default sweep of shapes" : "one shape",
	    plugin_has_f32(pl) ? "; float64 and float32 entry points" :
	    "; float64 entry points (no _f32 ones)");
	r = rcheck_report_create(title, "the plugin's backward against finite "
	    "differences of the plugin's own forward (the gradcheck engine; "
	    "d output/d weight's rows from its backward on crops of the layer, "
	    "d output/d bias's on the layer with 2 input channels per group, a "
	    "crop it fails or answers otherwise read again on the layer, and "
	    "a wrong entry named from the layer's own rows), and every result "
	    "against convgrad's float64 element reference kernels "
	    "(conv-elem.c)");
	free(title);
	for (i = 0; i < n; i++) {
		conv_shape_t s = o->sweep ? plugin_sweep_shape(i) : o->base.shape;
		size_t failed = rcheck_failed(r);

		if (check_shape(r, pl, o, &s, err) != 0) {
			rcheck_report_free(r);
			r = NULL;
			break;
		}
		/* the first shape whose float64 results were wrong */
		if (!found && rcheck_failed(r) > failed &&
		    plugin_fails(&ps, &s) == 1) {
			start = s;
			found = true;
		}
	}
	if (r != NULL && found)
		plugin_shrink(r, &ps, &start);
	plugin_free(pl);
	return r;
}
