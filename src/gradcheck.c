/*
 * gradcheck.c: the engine behind `convgrad gradcheck` (see gradcheck.h).
 *
 * Tolerances. conv2d is linear in each of input, weight and bias, so a
 * finite difference of the forward kernel has no truncation error at any
 * step h: what remains is rounding. With u = 2^-53, n = C_in*R*S terms per
 * output and A_o = |bias| + sum |input*weight| for output o (computed by
 * running the forward kernel on the absolute values), one forward output
 * carries an error of at most (n+2) u A_o (n products, n additions, the
 * bias). fdiff divides by the step actually taken, so
 *   |numeric d output[o] / d x[j] - exact| <= c (n+2) u A_o / h,
 * c = 1 for central differences (two errors over 2h), 2 for forward.
 * The analytic Jacobian row from a one-hot df is exact (one nonzero term),
 * so each Jacobian tolerance is that bound with A = max_o A_o, times a
 * safety factor of 4. A chain-rule gradient entry sums at most K nonzero
 * terms (K = C_out*R*S for dinput, N*H_out*W_out for dweight and dbias), so
 * its finite difference is off by at most c (n+2) u K D / h with
 * D = max_o |df[o]| A_o, and the two sums of K terms (kernel and fdiff) add
 * at most 2 (K+1) u K max|df| max|dout/dx|. Two forward kernels agree to
 * 2 (n+2) u A. These are worst-case bounds: a correct kernel cannot fail
 * them, and a wrong one is caught unless its error is below them (printed).
 */
#include "gradcheck.h"
#include "gradcheck-int.h"

#include <assert.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "conv-elem.h"
#include "conv-json.h"
#include "conv-matrix.h"
#include "gemm.h"
#include "npy.h"
#include "util.h"

#define SAFETY 4.0
#define U (DBL_EPSILON / 2)

const gradcheck_kernels_t gradcheck_kernels_default = {
	.elem = {
		.forward = conv2d_forward_elem,
		.backward_input = conv2d_backward_input_elem,
		.backward_weight = conv2d_backward_weight_elem,
		.backward_bias = conv2d_backward_bias_elem,
	},
	.matrix = {
		.forward = conv2d_forward_matrix,
		.backward_input = conv2d_backward_input_matrix,
		.backward_weight = conv2d_backward_weight_matrix,
		.backward_bias = conv2d_backward_bias_matrix,
	},
	.forward_nhwc = conv2d_forward_nhwc_elem,
};

const char *const gradcheck_output_names[4] = {
	"b", "c_out", "h_out", "w_out"
};
static const char *const input_names[4] = { "b", "c_in", "h_in", "w_in" };
static const char *const weight_names[4] = { "c_out", "c_in", "di", "dj" };
static const char *const bias_names[1] = { "c_out" };

void
gradcheck_opts_default(gradcheck_opts_t *o)
{
	memset(o, 0, sizeof(*o));
	conv_shape_init(&o->shape, 2, 2, 7, 8, 3, 3, 2);
	o->shape.strh = 2;
	o->shape.strw = 3;
	o->seed = 1;
	fd_opts_default(&o->fd);
	o->forms = GRADCHECK_ALL;
	o->max_work = GRADCHECK_MAX_WORK_DEFAULT;
	o->max_memory = GRADCHECK_MAX_MEMORY_DEFAULT;
}

const char *const *
gradcheck_wrt_names(conv_wrt_t w, int *n)
{
	switch (w) {
	case WRT_INPUT:
		*n = 4;
		return input_names;
	case WRT_WEIGHT:
		*n = 4;
		return weight_names;
	case WRT_BIAS:
		*n = 1;
		return bias_names;
	}
	assert(!"bad conv_wrt_t");
	return NULL;
}

/* ---------------------------------------------------------------- cost */

/* The forms that will run: element, then matrix per GEMM back end. */
static int
plan_forms(unsigned forms, const gradcheck_kernels_t *k, form_run_t *out)
{
	int n = 0;

	if (forms & GRADCHECK_ELEM)
		out[n++] = (form_run_t){ &k->elem, false, GEMM_BUILTIN };
	if ((forms & GRADCHECK_MATRIX_BLAS) && gemm_have_blas())
		out[n++] = (form_run_t){ &k->matrix, true, GEMM_BLAS };
	if (forms & GRADCHECK_MATRIX_BUILTIN)
		out[n++] = (form_run_t){ &k->matrix, true, GEMM_BUILTIN };
	return n;
}

static double
dmin(double a, double b)
{
	return a < b ? a : b;
}

/* Forward and backward evaluations of one form: the compressed engine's
 * groups (gradcheck-engine.c); or, for the direct engine, two forwards per
 * column (central: x+h, x-h; forward: x+h, x) for each chunk of rows, or
 * per sampled entry, and one backward per row. */
static void
form_evals(const gradcheck_opts_t *o, double *fwd, double *bwd,
    double *passes)
{
	const conv_shape_t *s = &o->shape;
	double M = (double)conv_output_size(s);
	double P[3] = { (double)conv_input_size(s), (double)conv_weight_size(s),
	    (double)s->C_out };
	int w;

	*fwd = 1;               /* the agreement check */
	if (o->sample == 0 && o->engine == GRADCHECK_ENGINE_COMPRESSED) {
		double f, b, wp;

		gradcheck_engine_plan(s, o->fd.method == FD_CENTRAL, true, &f, &b,
		    &wp);
		*fwd += f;
		*bwd = b;
		*passes = 1 + wp;
		return;
	}
	*bwd = 1;               /* the chain rule */
	for (w = 0; w < 3; w++) {
		if (o->sample == 0) {
			/* direct_jacobian_all: every column once per chunk of rows */
			double B = floor((double)(1 << 20) / 8 / P[w]);

			B = B < 1 ? 1 : B > M ? M : B;
			*fwd += 2 * P[w] * ceil(M / B) + 2 * P[w];
			*bwd += M;
		} else {
			double k = (double)o->sample;

			*fwd += 2 * dmin(k, M * P[w]) + 2 * dmin(k, P[w]);
			*bwd += dmin(k, M);
		}
	}
	*passes = *fwd + *bwd;
}

/* Bytes the check holds beyond the layer's tensors: the compressed engine
 * a few tensors' worth (outputs, gradients, marks); the direct engine a
 * row and a column. */
static double
held_bytes(const gradcheck_opts_t *o)
{
	const conv_shape_t *s = &o->shape;
	double M = (double)conv_output_size(s);
	double P = (double)conv_input_size(s) + (double)conv_weight_size(s) +
	    (double)s->C_out;

	if (o->sample == 0 && o->engine == GRADCHECK_ENGINE_COMPRESSED)
		return 8 * (6 * M + 5 * P);
	return 8 * (4 * M + 2 * P);
}

void
gradcheck_estimate(const gradcheck_opts_t *o, gradcheck_cost_t *c)
{
	const conv_shape_t *s = &o->shape;
	const gradcheck_kernels_t *k = o->kernels ? o->kernels :
	    &gradcheck_kernels_default;
	form_run_t forms[3];
	double M = (double)conv_output_size(s);
	double n = (double)s->C_in * s->R * s->S;
	double P[3] = { (double)conv_input_size(s), (double)conv_weight_size(s),
	    (double)s->C_out };
	double fwd, bwd, passes;

	memset(c, 0, sizeof(*c));
	c->forms = plan_forms(o->forms, k, forms);
	form_evals(o, &fwd, &bwd, &passes);
	c->forward_evals = c->forms * fwd + 2;   /* + reference, NHWC */
	c->backward_evals = c->forms * bwd;
	/* A pass over the layer is about M (n+1) multiply-adds, forward or
	 * back (the engine's crops and bias rows are parts of one). */
	c->work = (c->forms * passes + 2) * M * (n + 1);
	c->jacobian_entries = M * (P[0] + P[1] + P[2]);
	c->jacobian_bytes = held_bytes(o);
}

/* "1.5 MiB" */
static char *
bytes_str(double b, char *buf, size_t len)
{
	if (b < 1 << 20)
		snprintf(buf, len, "%.1f KiB", b / 1024);
	else if (b < 1 << 30)
		snprintf(buf, len, "%.1f MiB", b / (1 << 20));
	else
		snprintf(buf, len, "%.2f GiB", b / (1 << 30));
	return buf;
}

char *
gradcheck_cost_str(const gradcheck_cost_t *c)
{
	char mem[32];

	return xasprintf("%d kernel form%s: %.0f forward and %.0f backward "
	    "evaluations, about %.2g multiply-adds; %s held beyond the tensors",
	    c->forms, c->forms == 1 ? "" : "s", c->forward_evals,
	    c->backward_evals, c->work, bytes_str(c->jacobian_bytes, mem,
	    sizeof(mem)));
}

static bool
over_limits(const gradcheck_opts_t *o, const gradcheck_cost_t *c)
{
	/* a budget bounds the time itself */
	return (o->max_work > 0 && o->budget == 0 && c->work > o->max_work) ||
	    (o->max_memory > 0 && c->jacobian_bytes > (double)o->max_memory);
}

/* The largest sample size up to 1000 that fits the limits (0: none). */
static size_t
sample_that_fits(const gradcheck_opts_t *o, gradcheck_cost_t *c)
{
	gradcheck_opts_t so = *o;
	size_t lo = 0, hi = 1000;

	while (lo < hi) {          /* cost grows with K: bisect */
		so.sample = (lo + hi + 1) / 2;
		gradcheck_estimate(&so, c);
		if (over_limits(&so, c))
			hi = so.sample - 1;
		else
			lo = so.sample;
	}
	so.sample = lo ? lo : 1;
	gradcheck_estimate(&so, c);
	return lo;
}

char *
gradcheck_miss_str(double k, double total, char *buf, size_t len)
{
	if (k >= total)
		snprintf(buf, len, "0");
	else if (k / total < 1e-4)
		snprintf(buf, len, "1 - %.3g", k / total);
	else
		snprintf(buf, len, "%.6f", 1 - k / total);
	return buf;
}

/* Over a limit: say so, and what --sample K would cost and miss. */
static int
cost_refuse(const gradcheck_opts_t *o, const gradcheck_cost_t *c,
    char **err)
{
	gradcheck_cost_t sc;
	char *what = gradcheck_cost_str(c), *hint, *over;
	double total = (double)conv_output_size(&o->shape) *
	    (double)conv_input_size(&o->shape);
	size_t k = sample_that_fits(o, &sc);
	char lim[32], miss[32];
	int rc;

	if (k == 0 && o->max_memory > 0 &&
	    sc.jacobian_bytes > (double)o->max_memory)
		hint = xasprintf("even --sample 1 holds %s: raise --max-memory",
		    bytes_str(sc.jacobian_bytes, miss, sizeof(miss)));
	else if (k == 0)
		hint = xasprintf("even --sample 1 needs about %.2g multiply-adds: "
		    "raise --max-cost", sc.work);
	else
		hint = xasprintf("--sample %zu costs about %.2g multiply-adds and "
		    "misses a single bad entry among the %.0f of d output/d input "
		    "with probability 1 - K/total = %s", k, sc.work, total,
		    gradcheck_miss_str((double)k, total, miss, sizeof(miss)));
	/* name the limit this run is over, not both */
	if (o->max_memory > 0 && c->jacobian_bytes > (double)o->max_memory)
		over = xasprintf("over the limit of %s held (--max-memory)",
		    bytes_str((double)o->max_memory, lim, sizeof(lim)));
	else
		over = xasprintf("over the limit of %.2g multiply-adds "
		    "(--max-cost)", o->max_work);
	rc = set_error(err, "this check needs %s,\n%s.\n"
	    "Use --budget SECONDS to compare random whole groups of entries "
	    "for that long,\nor --sample K to check K random entries of each "
	    "Jacobian and gradient:\n%s.", what, over, hint);
	free(over);
	free(what);
	free(hint);
	return rc;
}

/* ---------------------------------------------------------- lifecycle */

static double
max_abs_of(const tensor_t *t)
{
	double m = 0;
	size_t i;

	for (i = 0; i < t->size; i++)
		m = fabs(t->data[i]) > m ? fabs(t->data[i]) : m;
	return m;
}

/* A_o by running the real element forward on |input|, |weight|, |bias|. */
static void
compute_bounds(gradcheck_t *g)
{
	tensor_t *ai = tensor_clone(g->p.input), *aw = tensor_clone(g->p.weight);
	tensor_t *ab = tensor_clone(g->p.bias), *A = tensor_clone(g->df);
	size_t i;

	for (i = 0; i < ai->size; i++)
		ai->data[i] = fabs(ai->data[i]);
	for (i = 0; i < aw->size; i++)
		aw->data[i] = fabs(aw->data[i]);
	for (i = 0; i < ab->size; i++)
		ab->data[i] = fabs(ab->data[i]);
	conv2d_forward_elem(A, ai, aw, ab, &g->s);
	g->bd.A = g->bd.D = 0;
	for (i = 0; i < A->size; i++) {
		double d = fabs(g->df->data[i]) * A->data[i];

		g->bd.A = A->data[i] > g->bd.A ? A->data[i] : g->bd.A;
		g->bd.D = d > g->bd.D ? d : g->bd.D;
	}
	g->bd.max_df = max_abs_of(g->df);
	g->bd.max_x = max_abs_of(g->p.input);
	g->bd.max_w = max_abs_of(g->p.weight);
	tensor_free(ai);
	tensor_free(aw);
	tensor_free(ab);
	tensor_free(A);
}

tensor_t *
gradcheck_output_like(const conv_shape_t *s)
{
	return tensor_create4((size_t)s->N, (size_t)s->C_out, (size_t)s->H_out,
	    (size_t)s->W_out);
}

/* Seeded tensors, uniform in [-1, 1), drawn in a fixed order. */
static void
make_tensors(gradcheck_t *g)
{
	const conv_shape_t *s = &g->s;
	size_t wdims[4];

	rng_seed(&g->rng, g->o.seed);
	g->p.input = tensor_create4((size_t)s->N, (size_t)s->C_in,
	    (size_t)s->H_in, (size_t)s->W_in);
	conv_weight_dims(s, wdims);
	g->p.weight = tensor_create(4, wdims);
	g->p.bias = tensor_create1((size_t)s->C_out);
	g->df = gradcheck_output_like(s);
	g->onehot = gradcheck_output_like(s);
	g->ref_out = gradcheck_output_like(s);
	tensor_fill_uniform(g->p.input, &g->rng, -1, 1);
	tensor_fill_uniform(g->p.weight, &g->rng, -1, 1);
	tensor_fill_uniform(g->p.bias, &g->rng, -1, 1);
	tensor_fill_uniform(g->df, &g->rng, -1, 1);
}

gradcheck_t *
gradcheck_create(const gradcheck_opts_t *o, char **err)
{
	gradcheck_t *g;
	gradcheck_opts_t v = *o;
	gradcheck_cost_t c;

	assert(o->fd.eps > 0);
	if (conv_shape_validate(&v.shape, 0, err) != 0)
		return NULL;
	gradcheck_estimate(&v, &c);
	if (over_limits(&v, &c)) {
		cost_refuse(&v, &c, err);
		return NULL;
	}
	g = xcalloc(1, sizeof(*g));
	g->cost = c;
	g->o = v;
	g->s = v.shape;
	g->k = v.kernels ? v.kernels : &gradcheck_kernels_default;
	g->nforms = plan_forms(v.forms, g->k, g->forms);
	make_tensors(g);
	compute_bounds(g);
	return g;
}

void
gradcheck_free(gradcheck_t *g)
{
	if (g == NULL)
		return;
	tensor_free(g->p.input);
	tensor_free(g->p.weight);
	tensor_free(g->p.bias);
	tensor_free(g->df);
	tensor_free(g->onehot);
	tensor_free(g->ref_out);
	free(g->items);
	free(g->timings);
	free(g);
}

const gradcheck_cost_t *
gradcheck_cost(const gradcheck_t *g)
{
	return &g->cost;
}

const gradcheck_opts_t *
gradcheck_opts(const gradcheck_t *g)
{
	return &g->o;
}

const conv_shape_t *
gradcheck_shape(const gradcheck_t *g)
{
	return &g->s;
}

const conv_params_t *
gradcheck_params(const gradcheck_t *g)
{
	return &g->p;
}

size_t
gradcheck_count(const gradcheck_t *g)
{
	return g->nitems;
}

const gradcheck_item_t *
gradcheck_item(const gradcheck_t *g, size_t i)
{
	assert(i < g->nitems);
	return &g->items[i];
}

const gradcheck_item_t *
gradcheck_find(const gradcheck_t *g, const char *form, const char *quantity)
{
	size_t i;

	for (i = 0; i < g->nitems; i++) {
		if (strcmp(g->items[i].form, form) == 0 &&
		    strcmp(g->items[i].quantity, quantity) == 0)
			return &g->items[i];
	}
	return NULL;
}

/* ------------------------------------------------------------ items */

gradcheck_item_t *
gradcheck_item_new(gradcheck_t *g, const char *form, const char *quantity,
    gradcheck_kind_t kind, conv_wrt_t wrt, size_t total)
{
	gradcheck_item_t *it;

	if (g->nitems == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 16;
		g->items = xreallocarray(g->items, g->cap, sizeof(*g->items));
	}
	it = &g->items[g->nitems++];
	memset(it, 0, sizeof(*it));
	snprintf(it->form, sizeof(it->form), "%s", form);
	snprintf(it->quantity, sizeof(it->quantity), "%s", quantity);
	it->kind = kind;
	it->wrt = wrt;
	it->total = total;
	return it;
}

/* Unravel a flat offset into a long index (tensor_unravel is size_t). */
static void
unravel(const tensor_t *t, size_t off, long *idx)
{
	size_t u[TENSOR_MAX_DIMS];
	int i;

	tensor_unravel(t, off, u);
	for (i = 0; i < t->ndim; i++)
		idx[i] = (long)u[i];
}

void
gradcheck_fail_at(gradcheck_item_t *it, double got, double want,
    uint64_t key, const tensor_t *out_t, size_t o, const tensor_t *wrt_t,
    size_t j)
{
	if (it->failures++ > 0 && key >= it->first_key)
		return;
	it->first_key = key;
	it->got = got;
	it->want = want;
	if ((it->fail_has_out = out_t != NULL))
		unravel(out_t, o, it->out_idx);
	if ((it->fail_has_wrt = wrt_t != NULL))
		unravel(wrt_t, j, it->wrt_idx);
}

/*
 * Compare one entry: got (the kernel) against want (the finite difference
 * or the reference kernel). A NaN or an infinity never passes, and makes
 * max_abs and max_rel NaN.
 */
void
gradcheck_compare_at(gradcheck_item_t *it, double got, double want,
    uint64_t key, const tensor_t *out_t, size_t o, const tensor_t *wrt_t,
    size_t j)
{
	double e = fabs(got - want);
	double m = fmax(fabs(got), fabs(want));
	bool finite = isfinite(got) && isfinite(want);

	it->checked++;
	if (!finite) {
		it->max_abs = it->max_rel = NAN;
	} else if (!isnan(it->max_abs)) {
		it->max_abs = fmax(it->max_abs, e);
		it->max_rel = fmax(it->max_rel, m > 0 ? e / m : 0);
	}
	if (!finite || e > it->tol)
		gradcheck_fail_at(it, got, want, key, out_t, o, wrt_t, j);
}

/* compare_at, with the key from the indices: o * |wrt| + j for a Jacobian
 * entry, o or j alone. out_t/wrt_t (either may be NULL) name the entry. */
static void
observe(gradcheck_item_t *it, double got, double want, const tensor_t *out_t,
    size_t o, const tensor_t *wrt_t, size_t j)
{
	uint64_t key = out_t == NULL ? j : wrt_t == NULL ? o :
	    (uint64_t)o * wrt_t->size + j;

	gradcheck_compare_at(it, got, want, key, out_t, o, wrt_t, j);
}

void
gradcheck_item_finish(gradcheck_item_t *it)
{
	it->pass = it->failures == 0 && it->checked > 0;
}

/* ------------------------------------------------------- tolerances */

static double
method_factor(const gradcheck_t *g)
{
	return g->o.fd.method == FD_CENTRAL ? 1 : 2;
}

static double
terms_per_output(const gradcheck_t *g)
{
	return (double)g->s.C_in * g->s.R * g->s.S;
}

gradcheck_tol_terms_t
gradcheck_tol_terms(const gradcheck_t *g)
{
	gradcheck_tol_terms_t t = {
		.c = method_factor(g), .n = terms_per_output(g),
		.A = g->bd.A, .D = g->bd.D,
	};

	return t;
}

void
gradcheck_tol_jacobian(const gradcheck_t *g, gradcheck_item_t *it)
{
	double n = terms_per_output(g), h = g->o.fd.eps;

	it->tol = SAFETY * method_factor(g) * (n + 2) * U * g->bd.A / h;
	snprintf(it->tol_why, sizeof(it->tol_why), "4*c*(n+2)*u*A/h with c=%g, "
	    "n=%g, A=%.3g, h=%g: rounding only, conv2d is linear so finite "
	    "differences have no truncation error", method_factor(g), n,
	    g->bd.A, h);
}

void
gradcheck_tol_gradient(const gradcheck_t *g, gradcheck_item_t *it)
{
	const conv_shape_t *s = &g->s;
	double n = terms_per_output(g), h = g->o.fd.eps, K, J;

	K = it->wrt == WRT_INPUT ? (double)s->C_out * s->R * s->S :
	    (double)s->N * s->H_out * s->W_out;
	J = it->wrt == WRT_INPUT ? g->bd.max_w :
	    it->wrt == WRT_WEIGHT ? g->bd.max_x : 1;
	it->tol = SAFETY * (method_factor(g) * (n + 2) * U * K * g->bd.D / h +
	    2 * (K + 1) * U * K * g->bd.max_df * J);
	snprintf(it->tol_why, sizeof(it->tol_why), "4*(c*(n+2)*u*K*D/h + "
	    "2*(K+1)*u*K*|df|*|J|) with K=%g terms, D=%.3g: rounding only, "
	    "conv2d is linear", K, g->bd.D);
}

static void
tol_agree(const gradcheck_t *g, gradcheck_item_t *it)
{
	double n = terms_per_output(g);

	it->tol = SAFETY * 2 * (n + 2) * U * g->bd.A;
	snprintf(it->tol_why, sizeof(it->tol_why), "4*2*(n+2)*u*A with n=%g, "
	    "A=%.3g: two sums of the same terms in different orders", n,
	    g->bd.A);
}

/* ---------------------------------------------------------- sampling */

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort and drop duplicates; returns the new count. */
static size_t
sort_unique(uint64_t *v, size_t n)
{
	size_t i, m = 0;

	qsort(v, n, sizeof(*v), cmp_u64);
	for (i = 0; i < n; i++) {
		if (m == 0 || v[m - 1] != v[i])
			v[m++] = v[i];
	}
	return m;
}

/* k distinct offsets in [0, total), sorted; k <= total. Dense requests use
 * selection sampling (Knuth's Algorithm S), sparse ones draw and redraw. */
static uint64_t *
sample_distinct(rng_t *r, uint64_t total, size_t k)
{
	uint64_t *v = xcalloc(k ? k : 1, sizeof(*v));
	uint64_t i;
	size_t m = 0;

	assert(k <= total);
	if ((uint64_t)k * 2 > total) {
		for (i = 0; i < total && m < k; i++) {
			if (rng_below(r, total - i) < k - m)
				v[m++] = i;
		}
		return v;
	}
	while (m < k) {
		while (m < k)
			v[m++] = rng_below(r, total);
		m = sort_unique(v, m);
	}
	return v;
}

/* ------------------------------------------------------------ checks */

void
gradcheck_fill_nan(tensor_t *t)
{
	size_t i;

	for (i = 0; i < t->size; i++)
		t->data[i] = NAN;
}

/* dwrt = the form's backward kernel for wrt, given df. dwrt is filled
 * with NaN first: a kernel must overwrite it. */
static void
run_backward(const gradcheck_t *g, const gradcheck_form_t *f,
    conv_wrt_t wrt, tensor_t *dwrt, const tensor_t *df)
{
	gradcheck_fill_nan(dwrt);
	switch (wrt) {
	case WRT_INPUT:
		f->backward_input(dwrt, df, g->p.weight, &g->s);
		break;
	case WRT_WEIGHT:
		f->backward_weight(dwrt, df, g->p.input, &g->s);
		break;
	case WRT_BIAS:
		f->backward_bias(dwrt, df, &g->s);
		break;
	}
}

/* got (NCHW output) against the element forward, entry by entry. */
static void
check_agree(gradcheck_t *g, const char *label, const char *quantity,
    const tensor_t *got)
{
	gradcheck_item_t *it;
	size_t o;

	it = gradcheck_item_new(g, label, quantity, GRADCHECK_AGREE, WRT_INPUT,
	    got->size);
	tol_agree(g, it);
	for (o = 0; o < got->size; o++)
		observe(it, got->data[o], g->ref_out->data[o], got, o, NULL, 0);
	gradcheck_item_finish(it);
}

/* TensorFlow's layouts: convert in, run the NHWC kernel, convert back. */
static void
check_nhwc(gradcheck_t *g)
{
	const conv_shape_t *s = &g->s;
	tensor_t *in = tensor_create4((size_t)s->N, (size_t)s->H_in,
	    (size_t)s->W_in, (size_t)s->C_in);
	tensor_t *w = tensor_create4((size_t)s->R, (size_t)s->S,
	    (size_t)conv_group_cin(s), (size_t)s->C_out);
	tensor_t *out = tensor_create4((size_t)s->N, (size_t)s->H_out,
	    (size_t)s->W_out, (size_t)s->C_out);
	tensor_t *back = gradcheck_output_like(s);

	tensor_nchw_to_nhwc(in, g->p.input);
	tensor_oihw_to_hwio(w, g->p.weight);
	gradcheck_fill_nan(out);
	g->k->forward_nhwc(out, in, w, g->p.bias, s);
	tensor_nhwc_to_nchw(back, out);
	check_agree(g, "element", "forward NHWC = NCHW", back);
	tensor_free(in);
	tensor_free(w);
	tensor_free(out);
	tensor_free(back);
}

static int run_source_items(gradcheck_t *g, const gradcheck_source_t *src,
    bool agree, char **err);

/* One kernel form through the source interface; the element form checks
 * the NHWC forward where the others check agreement with it. */
static void
run_form(gradcheck_t *g, const form_run_t *fr)
{
	gradcheck_source_t src;
	gradcheck_form_ctx_t ctx;
	char label[32];
	char *err = NULL;

	if (fr->matrix) {
		gemm_set_backend(fr->gemm);
		snprintf(label, sizeof(label), "matrix/%s", gemm_backend_name());
	} else {
		snprintf(label, sizeof(label), "element");
	}
	gradcheck_source_form(&src, &ctx, fr->f, fr->matrix, (int)fr->gemm,
	    label);
	/* convgrad's own kernels cannot fail as a source */
	if (run_source_items(g, &src, fr->matrix, &err) != 0)
		assert(!"a kernel form failed as a source");
	free(err);
	if (!fr->matrix)
		check_nhwc(g);
}

static void
compute_reference(gradcheck_t *g)
{
	gradcheck_fill_nan(g->ref_out);
	g->k->elem.forward(g->ref_out, g->p.input, g->p.weight, g->p.bias,
	    &g->s);
}

size_t
gradcheck_run(gradcheck_t *g)
{
	gemm_backend_t saved = gemm_get_backend();
	size_t i, failed = 0;
	int f;

	g->nitems = 0;
	g->ntimings = 0;
	rng_seed(&g->rng, g->o.seed + 1);    /* the sampling stream */
	compute_reference(g);
	for (f = 0; f < g->nforms; f++)
		run_form(g, &g->forms[f]);
	if (!(g->o.forms & GRADCHECK_ELEM))
		check_nhwc(g);
	gemm_set_backend(saved);
	for (i = 0; i < g->nitems; i++)
		failed += !g->items[i].pass;
	return failed;
}

size_t
gradcheck_timing_count(const gradcheck_t *g)
{
	return g->ntimings;
}

const gradcheck_timing_t *
gradcheck_timing(const gradcheck_t *g, size_t i)
{
	assert(i < g->ntimings);
	return &g->timings[i];
}

/* -------------------------------------------------------------- dump */

static int
dump_one(const char *dir, const char *name, const tensor_t *t, char **err)
{
	char *path = xasprintf("%s/%s.npy", dir, name);
	int rc = npy_write(path, t, err);

	free(path);
	return rc;
}

/* mkdir, or nothing if it is already a directory. */
static int
make_one_dir(const char *dir, const char *shown, char **err)
{
	struct stat st;

	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		if (strcmp(dir, shown) == 0)
			return set_error(err, "%s: cannot create the directory: "
			    "%s", shown, strerror(errno));
		return set_error(err, "%s: cannot create the directory %s: %s",
		    shown, dir, strerror(errno));          /* say which part */
	}
	if (stat(dir, &st) != 0)
		return set_error(err, "%s: %s", shown, strerror(errno));
	if (!S_ISDIR(st.st_mode) && strcmp(dir, shown) == 0)
		return set_error(err, "%s: exists and is not a directory", shown);
	if (!S_ISDIR(st.st_mode))
		return set_error(err, "%s: %s exists and is not a directory", shown,
		    dir);
	return 0;
}

/* mkdir -p: each missing component in turn. */
static int
make_dir(const char *dir, char **err)
{
	char *p = xstrdup(dir), *slash;
	int rc = 0;

	for (slash = strchr(p + 1, '/'); slash != NULL && rc == 0;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (slash[-1] != '/')
			rc = make_one_dir(p, dir, err);
		*slash = '/';
	}
	if (rc == 0)
		rc = make_one_dir(p, dir, err);
	free(p);
	return rc;
}

/* DIR/conv.json: stride, padding, dilation, groups, layout, so that
 * --load DIR reads the layer back as it was (conv-json.h). */
static int
dump_conv_json(const char *dir, const conv_shape_t *s, char **err)
{
	char *path = xasprintf("%s/conv.json", dir);
	int rc = conv_json_write(path, s, "nchw", err);

	free(path);
	return rc;
}

int
gradcheck_dump(const gradcheck_t *g, const char *dir, char **err)
{
	const gradcheck_form_t *f = &g->k->elem;
	tensor_t *out = gradcheck_output_like(&g->s), *dx = tensor_clone(g->p.input);
	tensor_t *dw = tensor_clone(g->p.weight), *db = tensor_clone(g->p.bias);
	int rc = -1;

	f->forward(out, g->p.input, g->p.weight, g->p.bias, &g->s);
	run_backward(g, f, WRT_INPUT, dx, g->df);
	run_backward(g, f, WRT_WEIGHT, dw, g->df);
	run_backward(g, f, WRT_BIAS, db, g->df);
	if (make_dir(dir, err) == 0 &&
	    dump_one(dir, "input", g->p.input, err) == 0 &&
	    dump_one(dir, "weight", g->p.weight, err) == 0 &&
	    dump_one(dir, "bias", g->p.bias, err) == 0 &&
	    dump_one(dir, "df", g->df, err) == 0 &&
	    dump_one(dir, "output", out, err) == 0 &&
	    dump_one(dir, "dinput", dx, err) == 0 &&
	    dump_one(dir, "dweight", dw, err) == 0 &&
	    dump_one(dir, "dbias", db, err) == 0 &&
	    dump_conv_json(dir, &g->s, err) == 0)
		rc = 0;
	tensor_free(out);
	tensor_free(dx);
	tensor_free(dw);
	tensor_free(db);
	return rc;
}

/* ----------------------------------------------------------- sources */

static int
form_source_forward(void *ctx, tensor_t *output, const conv_params_t *p,
    const conv_shape_t *s, char **err)
{
	const gradcheck_form_ctx_t *c = ctx;

	(void)err;
	if (c->matrix)
		gemm_set_backend((gemm_backend_t)c->gemm);
	c->f->forward(output, p->input, p->weight, p->bias, s);
	return 0;
}

static int
form_source_backward(void *ctx, tensor_t *dinput, tensor_t *dweight,
    tensor_t *dbias, const tensor_t *df, const conv_params_t *p,
    const conv_shape_t *s, char **err)
{
	const gradcheck_form_ctx_t *c = ctx;

	(void)err;
	if (c->matrix)
		gemm_set_backend((gemm_backend_t)c->gemm);
	if (dinput != NULL)
		c->f->backward_input(dinput, df, p->weight, s);
	if (dweight != NULL)
		c->f->backward_weight(dweight, df, p->input, s);
	if (dbias != NULL)
		c->f->backward_bias(dbias, df, s);
	return 0;
}

void
gradcheck_source_form(gradcheck_source_t *src, gradcheck_form_ctx_t *ctx_store,
    const gradcheck_form_t *f, bool matrix, int gemm, const char *name)
{
	ctx_store->f = f;
	ctx_store->matrix = matrix;
	ctx_store->gemm = gemm;
	src->ctx = ctx_store;
	src->name = name;
	src->forward = form_source_forward;
	src->backward = form_source_backward;
	src->partial = true;
	src->concurrent = true;     /* the kernels keep no state */
	src->crops = true;          /* any shape */
	src->crops_screen = false;  /* and right at each, as at the layer */
}

/* The source failed: "NAME: what: message". Takes msg. */
static int
source_failed(const gradcheck_source_t *src, const char *what, char *msg,
    char **err)
{
	int rc = set_error(err, "%s: %s: %s", src->name, what,
	    msg != NULL ? msg : "failed");

	free(msg);
	return rc;
}

int
gradcheck_src_forward(const gradcheck_t *g, const gradcheck_source_t *src,
    const conv_params_t *p, tensor_t *output, char **err)
{
	char *msg = NULL;

	gradcheck_fill_nan(output);
	if (src->forward(src->ctx, output, p, &g->s, &msg) != 0)
		return source_failed(src, "forward", msg, err);
	free(msg);
	return 0;
}

int
gradcheck_src_backward(const gradcheck_t *g, const gradcheck_source_t *src,
    const conv_params_t *p, tensor_t *const d[3], const tensor_t *df,
    char **err)
{
	tensor_t *use[3], *scratch[3] = { NULL, NULL, NULL };
	char *msg = NULL;
	int w, rc = 0;

	for (w = 0; w < 3; w++) {
		use[w] = d[w];
		if (d[w] == NULL && !src->partial)
			use[w] = scratch[w] = tensor_clone(conv_wrt_tensor(&g->p,
			    (conv_wrt_t)w));
		if (use[w] != NULL)
			gradcheck_fill_nan(use[w]);
	}
	if (src->backward(src->ctx, use[WRT_INPUT], use[WRT_WEIGHT],
	    use[WRT_BIAS], df, p, &g->s, &msg) != 0)
		rc = source_failed(src, "backward", msg, err);
	else
		free(msg);
	for (w = 0; w < 3; w++)
		tensor_free(scratch[w]);
	return rc;
}

/* ------------------------------------------------------ direct engine */

/* The source's numeric column j of d output/d wrt (2 forwards, central or
 * forward differences, the step actually taken), x restored bit for bit. */
static int
source_column(gradcheck_t *g, const gradcheck_source_t *src, conv_wrt_t wrt,
    size_t j, tensor_t *hi, tensor_t *lo, double *col, char **err)
{
	tensor_t *x = conv_wrt_tensor(&g->p, wrt);
	const double orig = x->data[j];
	const double xh = orig + g->o.fd.eps;
	const double xl = g->o.fd.method == FD_CENTRAL ? orig - g->o.fd.eps :
	    orig;
	int rc;
	size_t o;

	x->data[j] = xh;
	rc = gradcheck_src_forward(g, src, &g->p, hi, err);
	x->data[j] = xl;
	if (rc == 0)
		rc = gradcheck_src_forward(g, src, &g->p, lo, err);
	x->data[j] = orig;
	for (o = 0; rc == 0 && o < hi->size; o++)
		col[o] = (hi->data[o] - lo->data[o]) / (xh - xl);
	return rc;
}

/* Rows of the analytic Jacobian the direct engine holds at once. */
#define DIRECT_CHUNK_BYTES ((size_t)1 << 20)

/* What the direct engine's loops need: two forward outputs, a column, and
 * the backward result for wrt. */
typedef struct direct_scratch {
	tensor_t *hi, *lo, *d[3];
	double *col;
} direct_scratch_t;

static void
direct_scratch_init(direct_scratch_t *w, const gradcheck_t *g,
    conv_wrt_t wrt)
{
	memset(w, 0, sizeof(*w));
	w->hi = gradcheck_output_like(&g->s);
	w->lo = gradcheck_output_like(&g->s);
	w->col = xmalloc(w->hi->size * sizeof(double));
	w->d[wrt] = tensor_clone(conv_wrt_tensor(&g->p, wrt));
}

static void
direct_scratch_done(direct_scratch_t *w)
{
	int i;

	tensor_free(w->hi);
	tensor_free(w->lo);
	free(w->col);
	for (i = 0; i < 3; i++)
		tensor_free(w->d[i]);
}

/*
 * The direct engine over every entry: analytic rows from one backward with
 * df = e_o each, held a chunk of at most 1 MiB at a time; for each chunk,
 * every numeric column (two forwards) compared with those rows. Slow on
 * purpose: the tests' oracle.
 */
static int
direct_jacobian_all(gradcheck_t *g, const gradcheck_source_t *src,
    conv_wrt_t wrt, gradcheck_item_t *it, char **err)
{
	const tensor_t *x = conv_wrt_tensor(&g->p, wrt);
	size_t M = g->onehot->size, P = x->size, o0, o, j;
	size_t B = DIRECT_CHUNK_BYTES / sizeof(double) / P;
	direct_scratch_t w;
	double *rows;
	int rc = 0;

	B = B < 1 ? 1 : B > M ? M : B;
	rows = xmalloc(B * P * sizeof(double));
	direct_scratch_init(&w, g, wrt);
	tensor_zero(g->onehot);
	for (o0 = 0; o0 < M && rc == 0; o0 += B) {
		size_t n = M - o0 < B ? M - o0 : B;

		for (o = 0; o < n && rc == 0; o++) {
			g->onehot->data[o0 + o] = 1;
			rc = gradcheck_src_backward(g, src, &g->p, w.d, g->onehot, err);
			g->onehot->data[o0 + o] = 0;
			if (rc == 0)
				memcpy(rows + o * P, w.d[wrt]->data, P * sizeof(double));
		}
		for (j = 0; j < P && rc == 0; j++) {
			rc = source_column(g, src, wrt, j, w.hi, w.lo, w.col, err);
			for (o = 0; o < n && rc == 0; o++)
				observe(it, rows[o * P + j], w.col[o0 + o], g->onehot,
				    o0 + o, x, j);
		}
	}
	free(rows);
	direct_scratch_done(&w);
	return rc;
}

/*
 * The direct engine, K random entries (o, j) in row-major order: the
 * analytic row o from one backward with df = e_o, the numeric entry from
 * the column j (two forwards). Every entry: direct_jacobian_all.
 */
static int
direct_jacobian(gradcheck_t *g, const gradcheck_source_t *src,
    conv_wrt_t wrt, gradcheck_item_t *it, char **err)
{
	const tensor_t *x = conv_wrt_tensor(&g->p, wrt);
	size_t M = g->onehot->size, P = x->size, k, i, last_o = SIZE_MAX;
	direct_scratch_t w;
	uint64_t *e;
	int rc = 0;

	if (g->o.sample == 0 || g->o.sample >= M * P)
		return direct_jacobian_all(g, src, wrt, it, err);
	direct_scratch_init(&w, g, wrt);
	k = g->o.sample;
	e = sample_distinct(&g->rng, (uint64_t)M * P, k);
	tensor_zero(g->onehot);
	for (i = 0; i < k && rc == 0; i++) {
		size_t o = e[i] / P, j = e[i] % P;

		if (o != last_o) {
			g->onehot->data[o] = 1;
			rc = gradcheck_src_backward(g, src, &g->p, w.d, g->onehot, err);
			g->onehot->data[o] = 0;
			last_o = o;
		}
		if (rc == 0)
			rc = source_column(g, src, wrt, j, w.hi, w.lo, w.col, err);
		if (rc == 0)
			observe(it, w.d[wrt]->data[j], w.col[o], g->onehot, o, x, j);
	}
	free(e);
	direct_scratch_done(&w);
	return rc;
}

/* The chain rule, entry by entry (every one or a sample). */
static int
direct_gradient(gradcheck_t *g, const gradcheck_source_t *src,
    conv_wrt_t wrt, const tensor_t *ana, gradcheck_item_t *it, char **err)
{
	const tensor_t *x = conv_wrt_tensor(&g->p, wrt);
	direct_scratch_t w;
	size_t k, i, o;
	uint64_t *e;
	int rc = 0;

	direct_scratch_init(&w, g, wrt);
	k = g->o.sample == 0 || g->o.sample > x->size ? x->size : g->o.sample;
	e = k == x->size ? NULL : sample_distinct(&g->rng, x->size, k);
	for (i = 0; i < k && rc == 0; i++) {
		size_t j = e ? e[i] : i;
		double sum = 0;

		rc = source_column(g, src, wrt, j, w.hi, w.lo, w.col, err);
		for (o = 0; rc == 0 && o < w.hi->size; o++)
			sum += g->df->data[o] * w.col[o];
		if (rc == 0)
			observe(it, ana->data[j], sum, NULL, 0, x, j);
	}
	free(e);
	direct_scratch_done(&w);
	return rc;
}

/* The direct engine's six items. */
static int
direct_run(gradcheck_t *g, const gradcheck_source_t *src, char **err)
{
	tensor_t *ana[3] = { tensor_clone(g->p.input),
	    tensor_clone(g->p.weight), tensor_clone(g->p.bias) };
	int rc = 0, w;

	for (w = WRT_INPUT; w <= WRT_BIAS && rc == 0; w++) {
		char q[32];
		size_t total = g->onehot->size *
		    conv_wrt_tensor(&g->p, (conv_wrt_t)w)->size;
		gradcheck_item_t *it;

		snprintf(q, sizeof(q), "d output/d %s",
		    conv_wrt_name((conv_wrt_t)w));
		it = gradcheck_item_new(g, src->name, q, GRADCHECK_JACOBIAN,
		    (conv_wrt_t)w, total);
		gradcheck_tol_jacobian(g, it);
		if ((rc = direct_jacobian(g, src, (conv_wrt_t)w, it, err)) != 0)
			g->nitems--;
		else
			gradcheck_item_finish(it);
	}
	if (rc == 0)
		rc = gradcheck_src_backward(g, src, &g->p, ana, g->df, err);
	for (w = WRT_INPUT; w <= WRT_BIAS && rc == 0; w++) {
		const tensor_t *x = conv_wrt_tensor(&g->p, (conv_wrt_t)w);
		gradcheck_item_t *it;
		char q[32];

		snprintf(q, sizeof(q), "d%s", conv_wrt_name((conv_wrt_t)w));
		it = gradcheck_item_new(g, src->name, q, GRADCHECK_GRADIENT,
		    (conv_wrt_t)w, x->size);
		gradcheck_tol_gradient(g, it);
		if ((rc = direct_gradient(g, src, (conv_wrt_t)w, ana[w], it,
		    err)) != 0)
			g->nitems--;
		else
			gradcheck_item_finish(it);
	}
	for (w = 0; w < 3; w++)
		tensor_free(ana[w]);
	return rc;
}

static int
source_agree(gradcheck_t *g, const gradcheck_source_t *src, char **err)
{
	tensor_t *out = gradcheck_output_like(&g->s);
	int rc = gradcheck_src_forward(g, src, &g->p, out, err);

	if (rc == 0)
		check_agree(g, src->name, "forward = element", out);
	tensor_free(out);
	return rc;
}

/* The Jacobians and gradients by the engine the options name, then the
 * forward's agreement with the reference (when agree). */
static int
run_source_items(gradcheck_t *g, const gradcheck_source_t *src, bool agree,
    char **err)
{
	int rc;

	if (g->o.sample > 0 || g->o.engine == GRADCHECK_ENGINE_DIRECT)
		rc = direct_run(g, src, err);
	else
		rc = gradcheck_engine_run(g, src, err);
	if (rc == 0 && agree)
		rc = source_agree(g, src, err);
	return rc;
}

int
gradcheck_run_source(gradcheck_t *g, const gradcheck_source_t *src,
    size_t *failed, char **err)
{
	size_t first = g->nitems, i;
	int rc;

	compute_reference(g);
	rc = run_source_items(g, src, true, err);
	if (failed != NULL) {
		*failed = 0;
		for (i = first; i < g->nitems; i++)
			*failed += !g->items[i].pass;
	}
	return rc;
}
