/*
 * verify.c: check claims against the real kernels and finite differences.
 *
 * The world (verify_ctx) at one shape: input, weight, bias and the upstream
 * gradient df drawn uniformly from [-1, 1) by the seeded RNG. Such values
 * are not "nice" (no zeros, no ones, no symmetries), so a wrong formula
 * cannot agree with the numbers by coincidence. output and output_nhwc come
 * from the real forward kernels; input_nhwc and filter_hwio are layout
 * conversions. Lets are stored by name as the lesson defines them.
 *
 * Numeric derivatives come from fdiff.c, lazily and cached in the ctx:
 *   d output[o] / d T[j]   Jacobian column j of T, computed the first time
 *                          any claim asks for an entry of it;
 *   d f / d T[j]           entry j of the numeric gradient of
 *                          f = sum df*output, computed the first time it
 *                          is asked for (two forward passes), so the
 *                          tutor's first check of a chain-rule claim costs
 *                          milliseconds at any shape; a verify_claim that
 *                          will visit at least half as many tuples as T
 *                          has entries (every kernel claim) fills the
 *                          whole gradient at once instead, in parallel.
 *                          fdiff.c computes an entry alone with the same
 *                          arithmetic as in the whole, so the values do
 *                          not depend on which way they were filled.
 *
 * A claim is checked at every tuple of its free index variables (ranges from
 * expr_range_eval, which may depend on earlier variables), skipping tuples
 * where its `where` is false: the NUMERIC side (lhs) against the FORMULA
 * (rhs), passing when |numeric - formula| <= tol_abs + tol_rel*|numeric|.
 * A finding (out-of-range access, division by zero) or a non-finite value
 * never passes. Past max_tuples a seeded random sample is checked instead,
 * and the result says so.
 */
#include "config.h"

#include "verify.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conv-elem.h"
#include "conv-matrix.h"
#include "expr-prog.h"
#include "parallel.h"
#include "tensor.h"
#include "util.h"

/*
 * Tolerances.
 *
 * Identities compare the real kernel with the formula: the same terms summed
 * in two orders. Rounding is at most about K*eps*sum|terms| with K the
 * number of terms (C_in*R*S, tens at lesson sizes) and |terms| <= 1, i.e.
 * ~1e-14; 1e-9 leaves a margin of 1e5 and is still far below any real
 * mistake.
 *
 * Finite differences of conv2d, which is linear in each of input, weight and
 * bias, have no truncation error (central or forward); what remains is
 * rounding, about eps*|F|/h: ~1e-9 for one output element at h = 1e-6, up
 * to ~1e-8 for f = sum df*output (|F| up to ~100). 1e-6 absolute plus 1e-6
 * relative leaves a margin of 100 or more, while the smallest real mistake
 * (a missing or extra term of random values in [-1, 1)) errs by ~1e-2 or
 * more. A smaller step h raises the rounding as 1/h, so tol_abs is scaled
 * by 1e-6/h when h < 1e-6.
 */
#define TOL_IDENTITY 1e-9
#define TOL_FD_ABS 1e-6
#define TOL_FD_REL 1e-6

static const char tol_why_identity[] =
    "two summation orders of the same terms: rounding ~1e-14 at lesson sizes";
static const char tol_why_fd[] =
    "conv2d is linear, so finite differences have no truncation error; "
    "rounding eps*|F|/h ~1e-9..1e-8 at h=1e-6 (tol_abs scales as 1e-6/h)";
/*
 * A nonlinear f through the real kernel, d (sum(...) g(output[...])) /
 * d T[j] (the evaluator reruns the forward at x +- h): now the finite
 * difference has a truncation error. Central: h^2 |f'''| / 6, with
 * f''' = sum_o g'''(output[o]) (d output[o] / d x_j)^3; for tanh
 * |g'''| <= 2 and |d output / d x| < 1 (weights, inputs in [-1, 1)), so
 * |f'''| <= 2 * (the outputs x_j reads) <= ~800 at lesson shapes: at
 * h = 1e-6, ~1.3e-10, four decades under TOL_FD_ABS. Rounding is as for
 * conv2d, eps |f| / h with |f| <= the number of outputs (~1600 at the
 * largest sweep shape): ~4e-7. Forward differences truncate at first
 * order, h |f''| / 2 with |f''| <= 0.77 * 800 for tanh: tol_abs grows by
 * TOL_FD_NONLINEAR_FWD * h (1e-3 at h = 1e-6, still ten times under the
 * ~1e-2 of the smallest real mistake).
 */
#define TOL_FD_NONLINEAR_FWD 1e3
/* The rounding eps*|f|/h grows with |f|, which a square or an exp does
 * not bound (sum square(output) is ~5e3 at the 16x16 shape of
 * VERIFY_MAX_TUPLES_DEFAULT's comment): tol_abs grows by
 * TOL_FD_ROUND * eps * |f| / h, |f| the loss at the claim's first tuple.
 * Each of f(x+h), f(x-h) sums n terms, rounded to ~sqrt(n) eps |f|; 2.6
 * eps |f| / h was measured at n = 1568, so 16 leaves a margin of 6 and
 * stays at ~2e-5 there, under the ~1e-2 of a real mistake. */
#define TOL_FD_ROUND 16.0
static const char tol_why_nonlinear[] =
    "a nonlinear f through the real kernel: central truncation "
    "h^2|f'''|/6 ~1e-10 at h=1e-6; rounding eps*|f|/h: tol_abs + "
    "16*eps*|f|/h (forward differences: + 1e3*h, for h|f''|/2)";
static const char tol_why_let[] =
    "a definition: only findings (out-of-range access, NaN) fail it";

/* Past this many bytes a Jacobian is not cached whole: only its last
 * column is kept. */
#define JAC_CACHE_LIMIT ((size_t)256 << 20)
/* Read the clock every this many tuples (a tuple takes ~0.1-10 us; one
 * with long sums is bounded by the evaluator, which reads the cancel flag
 * itself), and call the callbacks every VERIFY_POLL_MS. */
#define CLOCK_EVERY 64

struct jac_cache {
	double **cols;          /* ncols entries, NULL until computed; or NULL */
	size_t ncols;
	double *one;            /* the last column when not caching whole */
	size_t one_j;
	bool one_valid;
};

/* The numeric gradient d f / d T of one T, filled entry by entry. */
struct grad_cache {
	tensor_t *t;            /* T's shape; NULL until an entry is asked */
	unsigned char *have;    /* bit j: entry j is computed */
	size_t nhave;
};

struct let {
	char *name;
	tensor_t *t;
};

struct verify_ctx {
	conv_shape_t s;
	verify_opts_t o;
	tensor_t *input, *weight, *bias, *df, *output;
	tensor_t *input_nhwc, *filter_hwio, *output_nhwc;
	struct let *lets;
	int nlets, cap_lets;
	struct jac_cache jac[3];        /* by conv_wrt_t */
	struct grad_cache grad[3];      /* numeric d f / d T, by conv_wrt_t */
	/* Tuples the running verify_claim will visit (0 outside it): past
	 * half of T's entries, the first entry asked fills all of T. */
	size_t claim_tuples;
	tensor_t *kgrad[3][KERNEL_COUNT]; /* backward kernels: [wrt][kernel] */
	/* output as the kernels computed it, kept the first time a d (EXPR)
	 * reruns the forward kernel on a perturbed tensor (env_perturbed),
	 * and copied back, bit for bit, when the tensor is restored. */
	tensor_t *output_clean;
	/* The left side's values of the last claim whose left side reruns
	 * the forward kernel, by tuple, for the next claims with the same
	 * left side over the same free variables and ranges (lesson 12
	 * checks four claims about d (sum tanh(output)) / d input: each
	 * reran the forward kernel 2 * 1536 times at issue 8's shape). key:
	 * the left side's text and the variables' names and ranges; NULL:
	 * none. Filled by the threads of a claim, each tuple by one. */
	struct lhs_share {
		char *key;
		size_t n;
		double *x;
		unsigned long *work;    /* of the evaluation, charged again */
		unsigned char *have;
	} share;
	expr_env_t env;
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return 1e3 * (double)ts.tv_sec + 1e-6 * (double)ts.tv_nsec;
}

static bool
flag_set(const verify_ctx_t *vc)
{
	return vc->o.cancel != NULL && *vc->o.cancel != 0;
}

void
verify_opts_default(verify_opts_t *o)
{
	memset(o, 0, sizeof *o);
	fd_opts_default(&o->fd);
	o->seed = VERIFY_SEED_DEFAULT;
	o->max_tuples = VERIFY_MAX_TUPLES_DEFAULT;
	o->max_work = VERIFY_MAX_WORK_DEFAULT;
}

bool
verdict_ok(verdict_t v)
{
	return v == VERDICT_HOLDS || v == VERDICT_REFUTED ||
	    v == VERDICT_DEFINED;
}

const char *
verdict_name(verdict_t v)
{
	switch (v) {
	case VERDICT_HOLDS:
		return "holds";
	case VERDICT_FAILS:
		return "fails";
	case VERDICT_REFUTED:
		return "refuted, as expected";
	case VERDICT_NOT_REFUTED:
		return "not refuted, but expected to fail";
	case VERDICT_DEFINED:
		return "defined";
	case VERDICT_CANCELLED:
		return "cancelled";
	}
	return "?";
}

/* ---- the world ---- */

static tensor_t *
let_find(verify_ctx_t *vc, const char *name)
{
	int i;

	for (i = 0; i < vc->nlets; i++) {
		if (strcmp(vc->lets[i].name, name) == 0)
			return vc->lets[i].t;
	}
	return NULL;
}

/* Built-in tensors by name, then lets. */
static tensor_t *
ctx_tensor(verify_ctx_t *vc, const char *name)
{
	static const struct {
		const char *name;
		size_t offset;
	} builtin[] = {
		{ "input", offsetof(verify_ctx_t, input) },
		{ "weight", offsetof(verify_ctx_t, weight) },
		{ "bias", offsetof(verify_ctx_t, bias) },
		{ "df", offsetof(verify_ctx_t, df) },
		{ "output", offsetof(verify_ctx_t, output) },
		{ "input_nhwc", offsetof(verify_ctx_t, input_nhwc) },
		{ "filter_hwio", offsetof(verify_ctx_t, filter_hwio) },
		{ "output_nhwc", offsetof(verify_ctx_t, output_nhwc) },
	};
	size_t i;

	for (i = 0; i < sizeof builtin / sizeof builtin[0]; i++) {
		if (strcmp(builtin[i].name, name) == 0)
			return *(tensor_t **)((char *)vc + builtin[i].offset);
	}
	return let_find(vc, name);
}

static tensor_t *
env_tensor(void *ctx, const char *name)
{
	return ctx_tensor(ctx, name);
}

static bool
env_constant(void *ctx, const char *name, long *value)
{
	verify_ctx_t *vc = ctx;

	return conv_shape_get(&vc->s, name, value) == 0;
}

static bool
env_cancelled(void *ctx)
{
	return flag_set(ctx);
}

static bool
wrt_by_name(const char *name, conv_wrt_t *w)
{
	if (strcmp(name, "input") == 0)
		*w = WRT_INPUT;
	else if (strcmp(name, "weight") == 0)
		*w = WRT_WEIGHT;
	else if (strcmp(name, "bias") == 0)
		*w = WRT_BIAS;
	else
		return false;
	return true;
}

/* Flat offset of idx in t, or -1 with *err when out of range. */
static int
checked_offset(const tensor_t *t, const char *name, const long *idx,
    size_t *off, char **err)
{
	size_t u[TENSOR_MAX_DIMS];
	int k;

	for (k = 0; k < t->ndim; k++) {
		if (idx[k] < 0 || (size_t)idx[k] >= t->shape[k])
			return set_error(err, "%s: index %d = %ld is outside "
			    "0..%zu", name, k, idx[k], t->shape[k] - 1);
		u[k] = (size_t)idx[k];
	}
	*off = tensor_offset(t, u);
	return 0;
}

static conv_params_t *
ctx_params(verify_ctx_t *vc, conv_params_t *p)
{
	p->input = vc->input;
	p->weight = vc->weight;
	p->bias = vc->bias;
	return p;
}

/* Jacobian column j of w into col, with p's tensors (perturbed and
 * restored, except for the input: fdiff.c runs the forward on the
 * input's one image, the same bits at 1/N of the work). */
static void
jac_compute(verify_ctx_t *vc, conv_params_t *p, conv_wrt_t w, size_t j,
    double *col)
{
	if (w == WRT_INPUT)
		fd_jacobian_column_image(col, p, j, conv2d_forward_elem,
		    &vc->s, &vc->o.fd, vc->output);
	else
		fd_jacobian_column(col, p, w, j, conv2d_forward_elem, &vc->s,
		    &vc->o.fd);
}

/* Entry j of the numeric gradient d f / d w, as jac_compute. */
static double
grad_compute(verify_ctx_t *vc, conv_params_t *p, conv_wrt_t w, size_t j)
{
	if (w == WRT_INPUT)
		return fd_gradient_entry_image(vc->df, p, j,
		    conv2d_forward_elem, &vc->s, &vc->o.fd, vc->output);
	return fd_gradient_entry(vc->df, p, w, j, conv2d_forward_elem,
	    &vc->s, &vc->o.fd);
}

/* Jacobian column j of w (cached; see JAC_CACHE_LIMIT). */
static const double *
jac_column(verify_ctx_t *vc, conv_wrt_t w, size_t j)
{
	struct jac_cache *jc = &vc->jac[w];
	size_t nout = conv_output_size(&vc->s);
	conv_params_t p;
	double *col;

	if (jc->cols != NULL && jc->cols[j] != NULL)
		return jc->cols[j];
	if (jc->cols == NULL && jc->one_valid && jc->one_j == j)
		return jc->one;
	if (jc->cols == NULL && jc->one == NULL) {
		jc->ncols = conv_wrt_tensor(&(conv_params_t){ vc->input,
		    vc->weight, vc->bias }, w)->size;
		if (jc->ncols * nout <= JAC_CACHE_LIMIT / sizeof(double))
			jc->cols = xcalloc(jc->ncols, sizeof *jc->cols);
		else
			jc->one = xcalloc(nout, sizeof *jc->one);
	}
	col = jc->cols != NULL ? xmalloc(nout * sizeof *col) : jc->one;
	ctx_params(vc, &p);
	jac_compute(vc, &p, w, j, col);
	if (jc->cols != NULL)
		jc->cols[j] = col;
	else {
		jc->one_j = j;
		jc->one_valid = true;
	}
	return col;
}

/* Every entry of d f / d w not yet computed, each as fd_gradient_entry
 * computes it (so the same bits as one at a time), in parallel: each
 * thread perturbs its own copy of the parameters. The cancel flag is read
 * between entries (two forward passes each); entries done before a
 * cancel are kept. */
static void
grad_fill(verify_ctx_t *vc, conv_wrt_t w)
{
	struct grad_cache *g = &vc->grad[w];
	size_t n = g->t->size, j;
	unsigned char *done = xcalloc(n, 1);
	int nt = parallel_max_threads();

	if ((size_t)nt > n)
		nt = (int)n;
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
	{
		conv_params_t p = { tensor_clone(vc->input),
		    tensor_clone(vc->weight), tensor_clone(vc->bias) };
		long i;

#ifdef _OPENMP
#pragma omp for schedule(dynamic, 4)
#endif
		for (i = 0; i < (long)n; i++) {
			if (flag_set(vc) ||
			    (g->have[i / 8] & (1u << (i % 8))) != 0)
				continue;
			g->t->data[i] = grad_compute(vc, &p, w, (size_t)i);
			done[i] = 1;
		}
		tensor_free(p.input);
		tensor_free(p.weight);
		tensor_free(p.bias);
	}
	for (j = 0; j < n; j++) {
		if (done[j]) {
			g->have[j / 8] |= (unsigned char)(1u << (j % 8));
			g->nhave++;
		}
	}
	free(done);
}

/* Every column of the Jacobian of w not yet computed, in parallel (each
 * thread perturbs its own copy of the parameters), when the whole
 * Jacobian fits the cache. false when it does not (or when cancelled). */
static bool
jac_fill(verify_ctx_t *vc, conv_wrt_t w)
{
	struct jac_cache *jc = &vc->jac[w];
	size_t nout = conv_output_size(&vc->s);
	int nt = parallel_max_threads();

	jac_column(vc, w, 0);       /* sets the cache up */
	if (jc->cols == NULL)
		return false;
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
	{
		conv_params_t p = { tensor_clone(vc->input),
		    tensor_clone(vc->weight), tensor_clone(vc->bias) };
		long j;

#ifdef _OPENMP
#pragma omp for schedule(dynamic, 4)
#endif
		for (j = 0; j < (long)jc->ncols; j++) {
			double *col;

			if (jc->cols[j] != NULL || flag_set(vc))
				continue;
			col = xmalloc(nout * sizeof *col);
			jac_compute(vc, &p, w, (size_t)j, col);
			jc->cols[j] = col;
		}
		tensor_free(p.input);
		tensor_free(p.weight);
		tensor_free(p.bias);
	}
	(void)nt;
	return !flag_set(vc);
}

/* Entry j of the numeric gradient d f / d w: cached, computed alone, or
 * with every other entry when the running claim will need most of them
 * (see claim_tuples). */
static double
grad_entry(verify_ctx_t *vc, conv_wrt_t w, size_t j)
{
	struct grad_cache *g = &vc->grad[w];
	conv_params_t p;
	const tensor_t *t = conv_wrt_tensor(ctx_params(vc, &p), w);

	assert(j < t->size);
	if (g->t == NULL) {
		g->t = tensor_create(t->ndim, t->shape);
		g->have = xcalloc((t->size + 7) / 8, 1);
	}
	if (g->have[j / 8] & (1u << (j % 8)))
		return g->t->data[j];
	if (vc->claim_tuples >= (t->size + 1) / 2) {
		grad_fill(vc, w);
		if (g->have[j / 8] & (1u << (j % 8)))
			return g->t->data[j];
	}
	g->t->data[j] = grad_compute(vc, &p, w, j);
	g->have[j / 8] |= (unsigned char)(1u << (j % 8));
	g->nhave++;
	return g->t->data[j];
}

static int
env_numeric_deriv(void *ctx, const char *wrt, const long *out_idx,
    const long *wrt_idx, double *value, char **err)
{
	verify_ctx_t *vc = ctx;
	conv_params_t p;
	conv_wrt_t w;
	size_t j, o;

	if (!wrt_by_name(wrt, &w))
		return set_error(err, "d / d %s: only input, weight and bias "
		    "have numeric derivatives", wrt);
	ctx_params(vc, &p);
	if (checked_offset(conv_wrt_tensor(&p, w), wrt, wrt_idx, &j, err) != 0)
		return -1;
	if (out_idx == NULL) {
		*value = grad_entry(vc, w, j);
		return 0;
	}
	if (checked_offset(vc->output, "output", out_idx, &o, err) != 0)
		return -1;
	*value = jac_column(vc, w, j)[o];
	return 0;
}

/* For compiled programs: the numeric tensors by id (conv_wrt_t). */
static int
env_numeric_id(void *ctx, const char *wrt)
{
	conv_wrt_t w;

	(void)ctx;
	return wrt_by_name(wrt, &w) ? (int)w : -1;
}

/* The offsets are checked by the program. Thread-safe only when the
 * caches it reads are full (see prefill). */
static double
env_numeric_at(void *ctx, int id, long out_off, size_t wrt_off)
{
	verify_ctx_t *vc = ctx;

	if (out_off < 0)
		return grad_entry(vc, (conv_wrt_t)id, wrt_off);
	return jac_column(vc, (conv_wrt_t)id, wrt_off)[out_off];
}

static void
ctx_tensors(verify_ctx_t *vc)
{
	const conv_shape_t *s = &vc->s;
	rng_t rng;

	vc->input = tensor_create4((size_t)s->N, (size_t)s->C_in,
	    (size_t)s->H_in, (size_t)s->W_in);
	vc->weight = tensor_create4((size_t)s->C_out,
	    (size_t)conv_group_cin(s), (size_t)s->R, (size_t)s->S);
	vc->bias = tensor_create1((size_t)s->C_out);
	vc->df = tensor_create4((size_t)s->N, (size_t)s->C_out,
	    (size_t)s->H_out, (size_t)s->W_out);
	vc->output = tensor_create4((size_t)s->N, (size_t)s->C_out,
	    (size_t)s->H_out, (size_t)s->W_out);
	vc->input_nhwc = tensor_create4((size_t)s->N, (size_t)s->H_in,
	    (size_t)s->W_in, (size_t)s->C_in);
	vc->filter_hwio = tensor_create4((size_t)s->R, (size_t)s->S,
	    (size_t)conv_group_cin(s), (size_t)s->C_out);
	vc->output_nhwc = tensor_create4((size_t)s->N, (size_t)s->H_out,
	    (size_t)s->W_out, (size_t)s->C_out);
	rng_seed(&rng, vc->o.seed);
	tensor_fill_uniform(vc->input, &rng, -1.0, 1.0);
	tensor_fill_uniform(vc->weight, &rng, -1.0, 1.0);
	tensor_fill_uniform(vc->bias, &rng, -1.0, 1.0);
	tensor_fill_uniform(vc->df, &rng, -1.0, 1.0);
	conv2d_forward_elem(vc->output, vc->input, vc->weight, vc->bias, s);
	tensor_nchw_to_nhwc(vc->input_nhwc, vc->input);
	tensor_oihw_to_hwio(vc->filter_hwio, vc->weight);
	conv2d_forward_nhwc_elem(vc->output_nhwc, vc->input_nhwc,
	    vc->filter_hwio, vc->bias, s);
}

/* d (EXPR) / d T[j] with EXPR reading output, a nonlinear loss such as
 * sum(...) tanh(output[...]) (expr.h): output follows the perturbed T by
 * the real forward kernel, and gets back its exact bits when T does.
 * (A tree walk only: such a claim is not compiled, so never threaded.) */
static int
env_perturbed(void *ctx, const char *wrt, bool restored, char **err)
{
	verify_ctx_t *vc = ctx;

	(void)wrt;
	(void)err;
	if (vc->output_clean == NULL)
		vc->output_clean = tensor_clone(vc->output);   /* still clean */
	if (restored)
		memcpy(vc->output->data, vc->output_clean->data,
		    vc->output->size * sizeof(double));
	else
		conv2d_forward_elem(vc->output, vc->input, vc->weight, vc->bias,
		    &vc->s);
	return 0;
}

/* Output with input[wrt_off] set to v, into out: the other images as
 * they are, and the forward kernel on the changed image alone (N = 1):
 * each output element is summed from its own window in the same order
 * whatever N, so these are the bits of the whole forward, at 1/N of its
 * work. */
static void
forward_input_at(verify_ctx_t *vc, size_t wrt_off, double v, tensor_t *out)
{
	const conv_shape_t *s = &vc->s;
	size_t in_img = vc->input->size / (size_t)s->N;
	size_t out_img = vc->output->size / (size_t)s->N;
	size_t b = wrt_off / in_img;
	conv_shape_t one = *s;
	tensor_t *x = tensor_create4(1, (size_t)s->C_in, (size_t)s->H_in,
	    (size_t)s->W_in);
	tensor_t *y = tensor_create4(1, (size_t)s->C_out, (size_t)s->H_out,
	    (size_t)s->W_out);

	one.N = 1;
	memcpy(x->data, vc->input->data + b * in_img, in_img * sizeof(double));
	x->data[wrt_off - b * in_img] = v;
	conv2d_forward_elem(y, x, vc->weight, vc->bias, &one);
	memcpy(out->data, vc->output->data, out->size * sizeof(double));
	memcpy(out->data + b * out_img, y->data, out_img * sizeof(double));
	tensor_free(x);
	tensor_free(y);
}

/* For compiled programs: env_perturbed's output, into out, without
 * writing the world (T cloned and changed in the clone), so that threads
 * can run it at once: the same forward kernel on the same values, so the
 * same bits. */
static int
env_forward_at(void *ctx, int id, size_t wrt_off, double v, tensor_t *out)
{
	verify_ctx_t *vc = ctx;
	conv_params_t p;
	tensor_t *t;

	assert(out->size == vc->output->size);
	if (id == WRT_INPUT) {
		/* vc->output is clean here: only expr_eval's rerun changes
		 * it, and gives it back before it returns */
		forward_input_at(vc, wrt_off, v, out);
		return 0;
	}
	ctx_params(vc, &p);
	t = tensor_clone(conv_wrt_tensor(&p, (conv_wrt_t)id));
	assert(wrt_off < t->size && out->size == vc->output->size);
	t->data[wrt_off] = v;
	conv2d_forward_elem(out, id == WRT_INPUT ? t : vc->input,
	    id == WRT_WEIGHT ? t : vc->weight, id == WRT_BIAS ? t : vc->bias,
	    &vc->s);
	tensor_free(t);
	return 0;
}

static void stash_take(verify_ctx_t *vc);
static void share_clear(struct lhs_share *sh);

verify_ctx_t *
verify_ctx_create(const conv_shape_t *s, const verify_opts_t *o, char **err)
{
	verify_ctx_t *vc;
	conv_shape_t shape = *s;

	if (conv_shape_validate(&shape, 0, err) != 0)
		return NULL;
	vc = xcalloc(1, sizeof *vc);
	vc->s = shape;
	if (o != NULL)
		vc->o = *o;
	else
		verify_opts_default(&vc->o);
	if (vc->o.fd.eps <= 0)
		vc->o.fd.eps = FD_EPS_DEFAULT;
	ctx_tensors(vc);
	stash_take(vc);
	vc->env.tensor = env_tensor;
	vc->env.constant = env_constant;
	vc->env.numeric_deriv = env_numeric_deriv;
	vc->env.numeric_id = env_numeric_id;
	vc->env.numeric_at = env_numeric_at;
	vc->env.perturbed = env_perturbed;
	vc->env.forward_at = env_forward_at;
	vc->env.fd_eps = vc->o.fd.eps;
	vc->env.cancelled = env_cancelled;
	vc->env.ctx = vc;
	return vc;
}

static void
jac_free(struct jac_cache *jc)
{
	size_t j;

	if (jc->cols != NULL) {
		for (j = 0; j < jc->ncols; j++)
			free(jc->cols[j]);
	}
	free(jc->cols);
	free(jc->one);
}

/*
 * The numeric derivatives of the contexts freed, for the next ones of the
 * same world (shape, seed, finite-difference options: the same tensors,
 * so the same columns and entries, bit for bit). `convgrad verify` makes
 * a context per lesson, and at a --shape every lesson has the same world;
 * each exercise's answer is judged in contexts of its own at that shape
 * and two others, while the lesson's context is still alive. So a new
 * context takes a copy (a stash slot stays for the next), and a context
 * freed adds what it computed to its world's slot: a Jacobian's columns
 * and a gradient's entries (two forward passes each) are computed once
 * for all of them. STASH_SLOTS worlds, the least recently used one
 * dropped first, at most STASH_MAX_BYTES in all; under a lock (the tutor
 * verifies in a thread of its own). What it holds stays reachable until
 * dropped or the process ends.
 */
#define STASH_SLOTS 4
#define STASH_MAX_BYTES ((size_t)192 << 20)

struct stash_slot {
	bool full;
	conv_shape_t s;
	uint64_t seed;
	fd_opts_t fd;
	struct jac_cache jac[3];
	struct grad_cache grad[3];
	uint64_t used;          /* numeric_stash.tick when last taken or given */
};

static struct {
	pthread_mutex_t lock;
	struct stash_slot slot[STASH_SLOTS];
	uint64_t tick;
} numeric_stash = { .lock = PTHREAD_MUTEX_INITIALIZER };

static bool
stash_fits(const struct stash_slot *st, const verify_ctx_t *vc)
{
	return st->full && conv_shape_equal(&st->s, &vc->s) &&
	    st->seed == vc->o.seed && st->fd.method == vc->o.fd.method &&
	    memcmp(&st->fd.eps, &vc->o.fd.eps, sizeof(double)) == 0;
}

static struct stash_slot *
stash_find(const verify_ctx_t *vc)
{
	int i;

	for (i = 0; i < STASH_SLOTS; i++)
		if (stash_fits(&numeric_stash.slot[i], vc))
			return &numeric_stash.slot[i];
	return NULL;
}

static void
stash_slot_clear(struct stash_slot *st)
{
	int i;

	for (i = 0; st->full && i < 3; i++) {
		jac_free(&st->jac[i]);
		tensor_free(st->grad[i].t);
		free(st->grad[i].have);
	}
	memset(st, 0, sizeof *st);
}

/* Bytes a slot holds. */
static size_t
stash_slot_bytes(const struct stash_slot *st)
{
	size_t n = 0, j, nout = conv_output_size(&st->s);
	int i;

	for (i = 0; st->full && i < 3; i++) {
		const struct jac_cache *jc = &st->jac[i];

		for (j = 0; jc->cols != NULL && j < jc->ncols; j++)
			n += jc->cols[j] != NULL ? nout * sizeof(double) : 0;
		n += jc->one != NULL ? nout * sizeof(double) : 0;
		n += st->grad[i].t != NULL ? st->grad[i].t->size *
		    (sizeof(double) + 1) : 0;
	}
	return n;
}

static void *
memdup(const void *p, size_t n)
{
	void *q = xmalloc(n);

	memcpy(q, p, n);
	return q;
}

/* A copy of jc's columns (nout entries each) into out. */
static void
jac_copy(struct jac_cache *out, const struct jac_cache *jc, size_t nout)
{
	size_t j;

	*out = *jc;
	if (jc->cols != NULL) {
		out->cols = xcalloc(jc->ncols, sizeof *out->cols);
		for (j = 0; j < jc->ncols; j++)
			if (jc->cols[j] != NULL)
				out->cols[j] = memdup(jc->cols[j],
				    nout * sizeof(double));
	}
	if (jc->one != NULL)
		out->one = memdup(jc->one, nout * sizeof(double));
}

static void
grad_copy(struct grad_cache *out, const struct grad_cache *g)
{
	*out = *g;
	if (g->t != NULL) {
		out->t = tensor_clone(g->t);
		out->have = memdup(g->have, (g->t->size + 7) / 8);
	}
}

/* Move into dst what src has and dst has not (src keeps the rest). */
static void
jac_merge(struct jac_cache *dst, struct jac_cache *src)
{
	size_t j;

	if (dst->cols == NULL && dst->one == NULL) {
		*dst = *src;
		memset(src, 0, sizeof *src);
		return;
	}
	if (dst->cols == NULL || src->cols == NULL)
		return;
	for (j = 0; j < dst->ncols; j++) {
		if (dst->cols[j] == NULL) {
			dst->cols[j] = src->cols[j];
			src->cols[j] = NULL;
		}
	}
}

static void
grad_merge(struct grad_cache *dst, struct grad_cache *src)
{
	size_t j;

	if (dst->t == NULL) {
		*dst = *src;
		memset(src, 0, sizeof *src);
		return;
	}
	for (j = 0; src->t != NULL && j < src->t->size; j++) {
		unsigned char bit = (unsigned char)(1u << (j % 8));

		if ((src->have[j / 8] & bit) && !(dst->have[j / 8] & bit)) {
			dst->t->data[j] = src->t->data[j];
			dst->have[j / 8] |= bit;
			dst->nhave++;
		}
	}
}

/* A new context takes a copy of its world's slot. */
static void
stash_take(verify_ctx_t *vc)
{
	struct stash_slot *st;
	size_t nout = conv_output_size(&vc->s);
	int i;

	if (vc->o.fresh || vc->o.reference)
		return;
	pthread_mutex_lock(&numeric_stash.lock);
	if ((st = stash_find(vc)) != NULL) {
		for (i = 0; i < 3; i++) {
			jac_copy(&vc->jac[i], &st->jac[i], nout);
			grad_copy(&vc->grad[i], &st->grad[i]);
		}
		st->used = ++numeric_stash.tick;
	}
	pthread_mutex_unlock(&numeric_stash.lock);
}

/* The slot for vc's world: its own, an empty one, or the least recently
 * used one, emptied. */
static struct stash_slot *
stash_slot_for(const verify_ctx_t *vc)
{
	struct stash_slot *st = stash_find(vc), *old = NULL;
	int i;

	for (i = 0; st == NULL && i < STASH_SLOTS; i++) {
		struct stash_slot *x = &numeric_stash.slot[i];

		if (!x->full)
			st = x;
		else if (old == NULL || x->used < old->used)
			old = x;
	}
	if (st == NULL) {
		stash_slot_clear(old);
		st = old;
	}
	if (!st->full) {
		st->full = true;
		st->s = vc->s;
		st->seed = vc->o.seed;
		st->fd = vc->o.fd;
	}
	return st;
}

/* Drop the least recently used slots but keep until the stash is within
 * STASH_MAX_BYTES (keep itself is dropped when alone too large). */
static void
stash_trim(struct stash_slot *keep)
{
	size_t total;
	int i;

	for (;;) {
		struct stash_slot *old = NULL;

		total = 0;
		for (i = 0; i < STASH_SLOTS; i++) {
			struct stash_slot *x = &numeric_stash.slot[i];

			total += stash_slot_bytes(x);
			if (x->full && x != keep &&
			    (old == NULL || x->used < old->used))
				old = x;
		}
		if (total <= STASH_MAX_BYTES)
			return;
		stash_slot_clear(old != NULL ? old : keep);
		if (old == NULL)
			return;
	}
}

/* A context being freed adds to its world's slot what it computed (when
 * it computed any) and the slot does not have; the rest it frees. */
static void
stash_give(verify_ctx_t *vc)
{
	struct stash_slot *st;
	bool any = false;
	int i;

	for (i = 0; i < 3; i++)
		any = any || vc->jac[i].cols != NULL || vc->grad[i].nhave > 0;
	if (!any || vc->o.fresh || vc->o.reference)
		return;
	pthread_mutex_lock(&numeric_stash.lock);
	st = stash_slot_for(vc);
	for (i = 0; i < 3; i++) {
		jac_merge(&st->jac[i], &vc->jac[i]);
		grad_merge(&st->grad[i], &vc->grad[i]);
	}
	st->used = ++numeric_stash.tick;
	stash_trim(st);
	pthread_mutex_unlock(&numeric_stash.lock);
}

void
verify_ctx_free(verify_ctx_t *vc)
{
	int i, k;

	if (vc == NULL)
		return;
	verify_ctx_clear_lets(vc);
	free(vc->lets);
	stash_give(vc);
	for (i = 0; i < 3; i++) {
		jac_free(&vc->jac[i]);
		tensor_free(vc->grad[i].t);
		free(vc->grad[i].have);
		for (k = 0; k < KERNEL_COUNT; k++)
			tensor_free(vc->kgrad[i][k]);
	}
	tensor_free(vc->input);
	tensor_free(vc->weight);
	tensor_free(vc->bias);
	tensor_free(vc->df);
	tensor_free(vc->output);
	tensor_free(vc->output_clean);
	share_clear(&vc->share);
	tensor_free(vc->input_nhwc);
	tensor_free(vc->filter_hwio);
	tensor_free(vc->output_nhwc);
	free(vc);
}

const conv_shape_t *
verify_ctx_shape(const verify_ctx_t *vc)
{
	return &vc->s;
}

const tensor_t *
verify_ctx_tensor(verify_ctx_t *vc, const char *name)
{
	return ctx_tensor(vc, name);
}

const expr_env_t *
verify_ctx_env(verify_ctx_t *vc)
{
	return &vc->env;
}

void
verify_ctx_set_hooks(verify_ctx_t *vc, const verify_opts_t *o)
{
	vc->o.cancel = o->cancel;
	vc->o.progress = o->progress;
	vc->o.cancelled = o->cancelled;
	vc->o.ud = o->ud;
}

void
verify_ctx_clear_lets(verify_ctx_t *vc)
{
	int i;

	for (i = 0; i < vc->nlets; i++) {
		free(vc->lets[i].name);
		tensor_free(vc->lets[i].t);
	}
	vc->nlets = 0;
}

/* Store (or replace) a let; the ctx takes t. */
static void
let_store(verify_ctx_t *vc, const char *name, tensor_t *t)
{
	int i;

	for (i = 0; i < vc->nlets; i++) {
		if (strcmp(vc->lets[i].name, name) == 0) {
			tensor_free(vc->lets[i].t);
			vc->lets[i].t = t;
			return;
		}
	}
	if (vc->nlets == vc->cap_lets) {
		vc->cap_lets = vc->cap_lets ? 2 * vc->cap_lets : 8;
		vc->lets = xreallocarray(vc->lets, (size_t)vc->cap_lets,
		    sizeof *vc->lets);
	}
	vc->lets[vc->nlets].name = xstrdup(name);
	vc->lets[vc->nlets].t = t;
	vc->nlets++;
}

/* ---- the index names of a claim's points ---- */

static const char *const idx_input[] = { "b", "c_in", "h_in", "w_in" };
static const char *const idx_weight[] = { "c_out", "c_in", "di", "dj" };
static const char *const idx_bias[] = { "c_out" };

/* A kernel claim's tensor ("input", "weight", "bias"). */
static const char *
kernel_wrt(const claim_t *c)
{
	const expr_t *den = c->lhs->u.deriv.den;

	return den->kind == EX_NAME ? den->u.name.name : den->u.access.tensor;
}

/* The variables a point of c is given by: the free variables, except for a
 * kernel claim (the tensor's indices) and a let (its lhs index names). */
int
verify_point_count(const claim_t *c)
{
	conv_wrt_t w = WRT_INPUT;

	if (c->kind == CLAIM_LET)
		return c->lhs->u.access.nargs;
	if (c->kind != CLAIM_KERNEL)
		return c->nfree;
	wrt_by_name(kernel_wrt(c), &w);
	return w == WRT_BIAS ? 1 : 4;
}

const char *
verify_point_name(const claim_t *c, int k)
{
	conv_wrt_t w = WRT_INPUT;

	if (c->kind == CLAIM_LET)
		return c->lhs->u.access.args[k]->u.name.name;
	if (c->kind != CLAIM_KERNEL)
		return c->free[k].name;
	wrt_by_name(kernel_wrt(c), &w);
	return w == WRT_INPUT ? idx_input[k] : w == WRT_WEIGHT ?
	    idx_weight[k] : idx_bias[k];
}

char *
verify_cex_str(const claim_t *c, const verify_result_t *r)
{
	int k, n;
	sbuf_t b;

	if (!r->has_cex)
		return xstrdup("");
	n = verify_point_count(c);
	sbuf_init(&b);
	for (k = 0; k < n; k++)
		sbuf_addf(&b, "%s%s=%ld", k ? " " : "", verify_point_name(c, k),
		    r->cex[k]);
	return sbuf_take(&b);
}

void
verify_result_clear(verify_result_t *r)
{
	free(r->cex);
	free(r->cex_finding);
	memset(r, 0, sizeof *r);
}

/* ---- one point ---- */

/* |f| for a claim d (f) / d T[...] whose f reads output, at the claim's
 * first tuple (every free variable at 0, or at its range's start when
 * that is a number); 0 where it cannot be evaluated there. */
static double
loss_size(const verify_ctx_t *vc, const claim_t *c)
{
	long *slots = xcalloc((size_t)c->nslots + 1, sizeof *slots);
	value_t v;
	double F = 0.0;

	if (expr_eval(c->lhs->u.deriv.num, &vc->env, slots, &v, NULL) == 0)
		F = fabs(value_real(v));
	free(slots);
	return F;
}

static void
tolerances(const verify_ctx_t *vc, const claim_t *c, verify_result_t *r)
{
	double scale = vc->o.fd.eps < 1e-6 ? 1e-6 / vc->o.fd.eps : 1.0;

	switch (c->kind) {
	case CLAIM_IDENTITY:
		r->tol_abs = r->tol_rel = TOL_IDENTITY;
		r->tol_why = tol_why_identity;
		break;
	case CLAIM_LET:
		r->tol_abs = r->tol_rel = 0;
		r->tol_why = tol_why_let;
		break;
	default:
		r->tol_abs = TOL_FD_ABS * scale;
		r->tol_rel = TOL_FD_REL;
		r->tol_why = tol_why_fd;
		if (c->lhs->kind == EX_DERIV && c->lhs->u.deriv.rerun) {
			r->tol_why = tol_why_nonlinear;
			r->tol_abs += TOL_FD_ROUND * DBL_EPSILON *
			    loss_size(vc, c) / vc->o.fd.eps;
			if (vc->o.fd.method == FD_FORWARD)
				r->tol_abs += TOL_FD_NONLINEAR_FWD * vc->o.fd.eps;
		}
		break;
	}
}

/* Evaluate e to a double; -1 with *finding on a finding. */
static int
eval_real(verify_ctx_t *vc, const expr_t *e, long *slots, double *v,
    char **finding)
{
	value_t val;

	if (expr_eval(e, &vc->env, slots, &val, finding) != 0)
		return -1;
	*v = value_real(val);
	return 0;
}

/* The backward kernel's gradient for a kernel claim (cached). The
 * transposed form exists for the input only (the parser refuses it for
 * the others). */
static const tensor_t *
kernel_grad(verify_ctx_t *vc, conv_wrt_t w, claim_kernel_t k)
{
	tensor_t **slot = &vc->kgrad[w][k];
	bool matrix = k == KERNEL_MATRIX;
	const tensor_t *t;

	assert(k == KERNEL_ELEMENT || k == KERNEL_MATRIX ||
	    (k == KERNEL_TRANSPOSED && w == WRT_INPUT));
	if (*slot != NULL)
		return *slot;
	t = w == WRT_INPUT ? vc->input : w == WRT_WEIGHT ? vc->weight :
	    vc->bias;
	*slot = tensor_create(t->ndim, t->shape);
	if (k == KERNEL_TRANSPOSED)
		conv2d_backward_input_transposed(*slot, vc->df, vc->weight,
		    &vc->s);
	else if (w == WRT_INPUT)
		(matrix ? conv2d_backward_input_matrix :
		    conv2d_backward_input_elem)(*slot, vc->df, vc->weight, &vc->s);
	else if (w == WRT_WEIGHT)
		(matrix ? conv2d_backward_weight_matrix :
		    conv2d_backward_weight_elem)(*slot, vc->df, vc->input, &vc->s);
	else
		(matrix ? conv2d_backward_bias_matrix :
		    conv2d_backward_bias_elem)(*slot, vc->df, &vc->s);
	return *slot;
}

/* Set the slots of a kernel claim's free variables (when its parser named
 * them) from the tensor index. */
static void
kernel_slots(const claim_t *c, const long *vals, long *slots)
{
	int k;

	for (k = 0; k < c->nfree; k++)
		slots[c->free[k].slot] = vals[k];
}

/* A kernel claim at tensor index vals. */
static int
point_kernel(verify_ctx_t *vc, const claim_t *c, const long *vals,
    verify_point_t *pt, char **err)
{
	conv_wrt_t w;
	conv_params_t p;
	size_t off;

	if (!wrt_by_name(kernel_wrt(c), &w))
		return set_error(err, "%s:%d:%d: error: no backward kernel for "
		    "'%s'", c->file, c->line, c->col, kernel_wrt(c));
	if (checked_offset(conv_wrt_tensor(ctx_params(vc, &p), w),
	    kernel_wrt(c), vals, &off, err) != 0)
		return -1;
	pt->numeric = grad_entry(vc, w, off);
	pt->formula = kernel_grad(vc, w, c->kernel)->data[off];
	return 0;
}

/* Evaluate a point whose slots are set: where, numeric, formula. */
static int
point_eval(verify_ctx_t *vc, const claim_t *c, long *slots, const long *vals,
    verify_point_t *pt, char **err)
{
	value_t w;

	memset(pt, 0, sizeof *pt);
	pt->applies = true;
	if (c->where != NULL && c->kind != CLAIM_LET &&
	    (c->kind != CLAIM_KERNEL || c->nfree > 0)) {
		if (expr_eval(c->where, &vc->env, slots, &w, &pt->finding) != 0)
			return 0;
		pt->applies = w.kind == VAL_BOOL ? w.b : value_real(w) != 0;
		if (!pt->applies)
			return 0;
	}
	if (c->kind == CLAIM_KERNEL)
		return point_kernel(vc, c, vals, pt, err);
	if (c->kind == CLAIM_LET) {
		if (eval_real(vc, c->rhs, slots, &pt->formula, &pt->finding) != 0)
			return 0;
		pt->numeric = pt->formula;
		return 0;
	}
	if (eval_real(vc, c->lhs, slots, &pt->numeric, &pt->finding) != 0)
		return 0;
	eval_real(vc, c->rhs, slots, &pt->formula, &pt->finding);
	return 0;
}

/* Decide pt->ok and, when it is not, say why in a finding for non-finite
 * values. */
static void
point_judge(const verify_result_t *r, verify_point_t *pt)
{
	double d;

	if (!pt->applies)
		return;
	if (pt->finding != NULL) {
		pt->ok = false;
		return;
	}
	if (!isfinite(pt->numeric) || !isfinite(pt->formula)) {
		pt->finding = xasprintf("a non-finite value (numeric %g, "
		    "formula %g)", pt->numeric, pt->formula);
		pt->ok = false;
		return;
	}
	d = fabs(pt->numeric - pt->formula);
	pt->ok = d <= r->tol_abs + r->tol_rel * fabs(pt->numeric);
}

static int point_fast(verify_ctx_t *vc, const claim_t *c, long *slots,
    const long *vals, verify_point_t *pt, const verify_result_t *r,
    char **err);

int
verify_claim_at(verify_ctx_t *vc, const claim_t *c, const long *vals,
    verify_point_t *pt, char **err)
{
	long *slots = xcalloc((size_t)(c->nslots > 0 ? c->nslots : 1),
	    sizeof *slots);
	verify_result_t r;
	int k, rc;

	memset(&r, 0, sizeof r);
	tolerances(vc, c, &r);
	if (c->kind == CLAIM_LET) {
		for (k = 0; k < c->lhs->u.access.nargs; k++)
			slots[c->lhs->u.access.args[k]->u.name.slot] = vals[k];
	} else if (c->kind == CLAIM_KERNEL)
		kernel_slots(c, vals, slots);
	else {
		for (k = 0; k < c->nfree; k++)
			slots[c->free[k].slot] = vals[k];
	}
	rc = point_fast(vc, c, slots, vals, pt, &r, err);
	if (rc == 1) {
		rc = point_eval(vc, c, slots, vals, pt, err);
		if (rc == 0)
			point_judge(&r, pt);
	}
	if (rc == 0 && flag_set(vc)) {
		free(pt->finding);
		memset(pt, 0, sizeof *pt);
		rc = set_error(err, "cancelled");
	}
	free(slots);
	return rc;
}

/* ---- a whole claim ---- */

/* A bound on free variable k from a conjunct of the claim's where:
 * A >= B + delta (lo) or A <= B + delta (hi), A = x_k + E with E and B
 * of earlier variables and constants, none of them with a finding. */
typedef struct bound {
	int k;
	bool hi;
	expr_prog_t *a, *b;
	long delta;
} bound_t;

/* The compiled form of a claim (expr-prog.h): where, lhs and rhs, and the
 * bounds its where puts on the free variables. on: false when a part did
 * not compile, and then every tuple is evaluated by expr_eval. */
typedef struct fast {
	bool on;
	expr_prog_t *where, *lhs, *rhs;
	int last[3];            /* expr_prog_last_free of where, lhs, rhs */
	bound_t *bounds;
	int nbounds;
	expr_slot_range_t *ranges;
} fast_t;

struct run {
	fast_t fast;
	verify_ctx_t *vc;
	const claim_t *c;
	verify_result_t *r;
	long *slots;
	long *vals;             /* the current point, point_count() values */
	size_t visited, to_visit;
	size_t count_steps;     /* values walked to count the tuples */
	double next_poll;       /* when the callbacks are due (ms) */
	bool cancelled;
	char **err;
	/* Threads (enum_parallel): each has its own run; a counterexample
	 * is kept without its words (the first is worded after the join);
	 * callbacks from thread 0 only; stop tells the others. */
	bool threaded;
	volatile int *stop;
	size_t *shared_visited;
	bool over_work;         /* stopped past opts.max_work */
	/* The values of where, lhs and rhs kept while the free variables
	 * they read do not change (enum_from sets the variables in order, the
	 * last fastest): stamp[k] is a new tick each time variable k is set
	 * (so it changes whenever any variable before it does), and a part
	 * that reads variables up to j is valid while stamp[j] is what it was
	 * (NULL stamp: nothing kept, as for one tuple). */
	uint64_t *stamp, tick;
	struct { uint64_t at; double x; } kept[3];
	struct lhs_share *share;        /* the left side's, or NULL */
};

/* Set free variable k to v (the slots and the stamps of the kept
 * values). */
static void
set_free(struct run *ru, int k, long v)
{
	ru->slots[ru->c->free[k].slot] = v;
	if (ru->stamp != NULL)
		ru->stamp[k] = ++ru->tick;
}

/* The compiled part p at the point in ru->slots, or (p NULL) the left
 * side by the tree walk, without the words of a finding, as value_real()
 * of the value. */
static int
part_now(struct run *ru, expr_prog_t *p, double *x)
{
	value_t v;

	if (p != NULL)
		return expr_prog_eval_real(p, ru->slots, x);
	if (expr_eval(ru->c->lhs, &ru->vc->env, ru->slots, &v, NULL) != 0)
		return -1;
	*x = value_real(v);
	return 0;
}

/* The tuple's index in the share: the mixed radix of the free
 * variables in their ranges (all known), the last fastest. */
static size_t
share_index(const struct run *ru)
{
	const expr_slot_range_t *rg = ru->fast.ranges;
	size_t idx = 0;
	int k;

	for (k = 0; k < ru->c->nfree; k++)
		idx = idx * ((size_t)(rg[k].hi - rg[k].lo) + 1) +
		    (size_t)(ru->slots[ru->c->free[k].slot] - rg[k].lo);
	return idx;
}

/* The left side p at the point by the share: the value a claim before
 * computed there, its work charged to p as if evaluated, or evaluated
 * and kept (a finding is not kept: it is evaluated again, and worded). */
static int
part_shared(struct run *ru, expr_prog_t *p, double *x)
{
	struct lhs_share *sh = ru->share;
	size_t idx = share_index(ru);
	unsigned long w;

	assert(idx < sh->n);
	if (sh->have[idx]) {
		*x = sh->x[idx];
		expr_prog_charge(p, sh->work[idx]);
		return 0;
	}
	if (expr_prog_eval_real_w(p, ru->slots, x, &w) != 0)
		return -1;
	if (flag_set(ru->vc))
		return 0;       /* a cancelled evaluation is not kept */
	sh->x[idx] = *x;
	sh->work[idx] = w;
	sh->have[idx] = 1;
	return 0;
}

/* Part i (0 where, 1 lhs, 2 rhs) at the point in ru->slots, as a real
 * (value_real: a where holds when it is not 0, whether a condition, an
 * integer or a real): kept, or evaluated (and kept when it has no
 * finding). 0, or -1 as expr_prog_eval. Only the double is kept: a
 * value_t read back whole just after the evaluator wrote it field by
 * field stalled the load (perf: 5% of verify). */
static int
part_eval(struct run *ru, int i, expr_prog_t *p, double *x)
{
	int last = ru->fast.last[i];
	uint64_t at = 0;

	if (ru->stamp != NULL) {
		at = last < 0 ? UINT64_MAX : ru->stamp[last];
		if (ru->kept[i].at == at) {
			*x = ru->kept[i].x;
			return 0;
		}
	}
	if ((i == 1 && ru->share != NULL ? part_shared(ru, p, x) :
	    part_now(ru, p, x)) != 0) {
		if (ru->stamp != NULL)
			ru->kept[i].at = 0;
		return -1;
	}
	if (ru->stamp != NULL) {
		ru->kept[i].at = at;
		ru->kept[i].x = *x;
	}
	return 0;
}

/* Record one judged point. */
static void
record(struct run *ru, verify_point_t *pt, const long *vals, int nvals)
{
	verify_result_t *r = ru->r;
	double d;

	if (!pt->applies) {
		free(pt->finding);
		return;
	}
	r->checked++;
	if (pt->finding == NULL) {
		d = fabs(pt->numeric - pt->formula);
		if (d > r->max_abs)
			r->max_abs = d;
		if (fabs(pt->numeric) > r->tol_abs &&
		    d / fabs(pt->numeric) > r->max_rel)
			r->max_rel = d / fabs(pt->numeric);
	}
	if (pt->ok) {
		free(pt->finding);
		return;
	}
	r->failures++;
	if (r->has_cex) {
		free(pt->finding);
		return;
	}
	r->has_cex = true;
	r->cex = xcalloc((size_t)(nvals > 0 ? nvals : 1), sizeof *r->cex);
	memcpy(r->cex, vals, (size_t)nvals * sizeof *vals);
	r->cex_formula = pt->formula;
	r->cex_numeric = pt->numeric;
	r->cex_finding = pt->finding;
}

/* The work of the running claim's compiled programs. */
static double
claim_work(const struct run *ru)
{
	return (double)expr_prog_work(ru->fast.where) +
	    (double)expr_prog_work(ru->fast.lhs) +
	    (double)expr_prog_work(ru->fast.rhs);
}

/* Report progress and ask the callback now; true to stop. Past the
 * claim's work limit, too (ru->over_work). */
static bool
poll_now(struct run *ru)
{
	const verify_opts_t *o = &ru->vc->o;

	if (o->max_work > 0 && claim_work(ru) > o->max_work)
		ru->over_work = ru->cancelled = true;
	ru->next_poll = now_ms() + VERIFY_POLL_MS;
	if (o->progress != NULL)
		o->progress(o->ud, ru->visited, ru->to_visit);
	if (flag_set(ru->vc) || (o->cancelled != NULL && o->cancelled(o->ud)))
		ru->cancelled = true;
	return ru->cancelled;
}

/* Poll between two pieces of work: the cancel flag every time, the
 * clock every CLOCK_EVERY calls, the callbacks when VERIFY_POLL_MS have
 * passed. true to stop. */
static bool
poll_work(struct run *ru, size_t n)
{
	if (flag_set(ru->vc) || (ru->stop != NULL && *ru->stop)) {
		ru->cancelled = true;
		return true;
	}
	if (n % CLOCK_EVERY != 0)
		return false;
	if (ru->threaded) {
		size_t done = __atomic_add_fetch(ru->shared_visited, CLOCK_EVERY,
		    __ATOMIC_RELAXED);

		if (parallel_thread_num() != 0 || now_ms() < ru->next_poll)
			return false;
		ru->visited = done;
		if (poll_now(ru))
			*ru->stop = 1;
		return ru->cancelled;
	}
	if (now_ms() < ru->next_poll)
		return false;
	return poll_now(ru);
}

/* The claim will visit n tuples: say so, and poll once. true to stop. */
static bool
start_tuples(struct run *ru, size_t n)
{
	ru->to_visit = ru->vc->claim_tuples = n;
	return poll_now(ru);
}

/* After each tuple; true to stop. */
static bool
poll_stop(struct run *ru)
{
	ru->visited++;
	return poll_work(ru, ru->visited);
}

/* The point in ru->slots by the compiled form: 0 with pt's applies,
 * numeric and formula set (no finding), or 1 where expr_eval has a
 * finding (then ask it for the words). */
static int
fast_point(struct run *ru, verify_point_t *pt)
{
	const fast_t *f = &ru->fast;
	double x;

	memset(pt, 0, sizeof *pt);
	pt->applies = true;
	if (f->where != NULL) {
		if (part_eval(ru, 0, f->where, &x) != 0)
			return 1;
		pt->applies = x != 0;
		if (!pt->applies)
			return 0;
	}
	if (part_eval(ru, 1, f->lhs, &pt->numeric) != 0)
		return 1;
	if (part_eval(ru, 2, f->rhs, &pt->formula) != 0)
		return 1;
	return 0;
}

/* The point's values (ru->vals) from ru->slots: only where they are
 * needed (a counterexample, the tree walk), not at every tuple. */
static void
point_vals(struct run *ru)
{
	int k;

	for (k = 0; k < ru->c->nfree; k++)
		ru->vals[k] = ru->slots[ru->c->free[k].slot];
}

/* Check the point in ru->slots. 1 to stop (cancelled), -1 on error. */
static int
visit(struct run *ru)
{
	const claim_t *c = ru->c;
	verify_point_t pt;

	if (ru->fast.on) {
		if (fast_point(ru, &pt) == 0) {
			point_judge(ru->r, &pt);
			if (pt.applies && !pt.ok)
				point_vals(ru);     /* the counterexample's */
			record(ru, &pt, ru->vals, c->nfree);
			return poll_stop(ru) ? 1 : 0;
		}
		if (ru->r->has_cex || ru->threaded) {
			/* a finding, counted as record() counts one; only
			 * the first counterexample needs its words (in a
			 * thread: after the join) */
			ru->r->checked++;
			ru->r->failures++;
			if (!ru->r->has_cex) {
				point_vals(ru);
				ru->r->has_cex = true;
				ru->r->cex = xcalloc((size_t)(c->nfree > 0 ?
				    c->nfree : 1), sizeof *ru->r->cex);
				memcpy(ru->r->cex, ru->vals,
				    (size_t)c->nfree * sizeof *ru->vals);
			}
			return poll_stop(ru) ? 1 : 0;
		}
	}
	point_vals(ru);
	if (point_eval(ru->vc, c, ru->slots, ru->vals, &pt, ru->err) != 0)
		return -1;
	point_judge(ru->r, &pt);
	record(ru, &pt, ru->vals, c->nfree);
	return poll_stop(ru) ? 1 : 0;
}

static int
range_at(struct run *ru, int k, long *lo, long *hi)
{
	return expr_range_eval(&ru->c->free[k].range, &ru->vc->env, ru->slots,
	    lo, hi, ru->err);
}

/* Narrow free variable k's range lo..hi (earlier ones set) by the
 * bounds of the where: the tuples left out are exactly ones where the
 * where is false without a finding (see fast_bounds). A bound whose
 * arithmetic would overflow is not used. */
static void
narrow(struct run *ru, int k, long *lo, long *hi)
{
	long x0 = *lo, a, b, e, lim;
	value_t v;
	int i;

	for (i = 0; i < ru->fast.nbounds; i++) {
		const bound_t *bd = &ru->fast.bounds[i];

		if (bd->k != k)
			continue;
		ru->slots[k] = x0;
		if (expr_prog_eval(bd->a, ru->slots, &v) != 0 ||
		    v.kind != VAL_INT)
			continue;
		a = v.i;
		if (expr_prog_eval(bd->b, ru->slots, &v) != 0 ||
		    v.kind != VAL_INT)
			continue;
		b = v.i;
		/* A = x + E, so x >= B + delta - E (or <=) */
		if (__builtin_sub_overflow(a, x0, &e) ||
		    __builtin_add_overflow(b, bd->delta, &lim) ||
		    __builtin_sub_overflow(lim, e, &lim))
			continue;
		if (bd->hi && lim < *hi)
			*hi = lim;
		else if (!bd->hi && lim > *lo)
			*lo = lim;
	}
}

/* Every tuple of free variables k.. (earlier ones set). The loop stops
 * at hi without incrementing past it (hi may be LONG_MAX). */
static int
enum_from(struct run *ru, int k)
{
	long lo, hi, v;
	int rc;

	if (k == ru->c->nfree)
		return visit(ru);
	if (ru->fast.on && ru->fast.ranges[k].known) {
		/* independent ranges, evaluated once by fast_setup */
		lo = ru->fast.ranges[k].lo;
		hi = ru->fast.ranges[k].hi;
	} else if (range_at(ru, k, &lo, &hi) != 0)
		return -1;
	if (hi < lo)
		return 0;
	if (ru->fast.nbounds > 0)
		narrow(ru, k, &lo, &hi);
	if (hi < lo)
		return 0;
	for (v = lo;; v++) {
		set_free(ru, k, v);
		if ((rc = enum_from(ru, k + 1)) != 0)
			return rc;
		if (v == hi)
			break;
		if (k < ru->c->nfree - 1 && poll_work(ru, ++ru->count_steps))
			return 1;
	}
	return 0;
}

static size_t
sat_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t
sat_mul(size_t a, size_t b)
{
	return b != 0 && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

/* How many values lo..hi has (hi >= lo), SIZE_MAX when more: computed in
 * unsigned arithmetic, as hi - lo overflows a long for lo < 0 < hi. */
static size_t
span_of(long lo, long hi)
{
	uint64_t span = (uint64_t)hi - (uint64_t)lo;

	return span >= SIZE_MAX ? SIZE_MAX : (size_t)span + 1;
}

/* Does e read an index variable (a slot)? */
static bool
uses_slots(const expr_t *e)
{
	int i;

	if (e == NULL)
		return false;
	switch (e->kind) {
	case EX_INT: case EX_REAL:
		return false;
	case EX_NAME:
		return e->u.name.slot >= 0;
	case EX_ACCESS:
		for (i = 0; i < e->u.access.nargs; i++)
			if (uses_slots(e->u.access.args[i]))
				return true;
		return false;
	case EX_CMP:
		for (i = 0; i < e->u.cmp.n; i++)
			if (uses_slots(e->u.cmp.args[i]))
				return true;
		return false;
	case EX_CALL:
		for (i = 0; i < e->u.call.nargs; i++)
			if (uses_slots(e->u.call.args[i]))
				return true;
		return false;
	case EX_SUM:
		/* a sum binds its own slots, but its ranges, where and body
		 * may read outer ones: counted as using them */
		return true;
	case EX_DERIV:
		return uses_slots(e->u.deriv.num) || uses_slots(e->u.deriv.den);
	default:
		return uses_slots(e->u.op.a) || uses_slots(e->u.op.b) ||
		    uses_slots(e->u.op.c);
	}
}

/* Are the free variables' ranges independent of one another (inferred
 * from a tensor's dimension, or bounds of constants only)? Then the
 * tuples are counted by multiplying, never walked. */
static bool
ranges_independent(const claim_t *c)
{
	int k;

	for (k = 0; k < c->nfree; k++) {
		if (uses_slots(c->free[k].range.lo) ||
		    uses_slots(c->free[k].range.hi))
			return false;
	}
	return true;
}

/* The product of the ranges' lengths (independent ranges), saturating at
 * SIZE_MAX. -1 on error. */
static int
count_product(struct run *ru, size_t *n)
{
	long lo, hi;
	int k;

	*n = 1;
	for (k = 0; k < ru->c->nfree; k++) {
		if (range_at(ru, k, &lo, &hi) != 0)
			return -1;
		if (hi < lo) {
			*n = 0;
			return 0;
		}
		*n = sat_mul(*n, span_of(lo, hi));
	}
	return 0;
}

/* How many tuples of free variables k.. (earlier ones set), for ranges
 * that depend on earlier variables; the innermost range is counted, not
 * walked. The walk stops once the count passes max_tuples (the claim is
 * then sampled, and the rest of the count is estimated from the values
 * walked so far), after 4*max_tuples values walked in all (ranges that
 * are mostly empty), or when cancelled; an outer range longer than
 * max_tuples is not walked at all (a range written by hand may have 2^63
 * values): its length times the count at its first value. -1 on error. */
static int
count_from(struct run *ru, int k, size_t *n)
{
	size_t sub, len, walked = 0, limit = ru->vc->o.max_tuples;
	long lo, hi, v;

	*n = 0;
	if (k == ru->c->nfree) {
		*n = 1;
		return 0;
	}
	if (range_at(ru, k, &lo, &hi) != 0)
		return -1;
	if (hi < lo)
		return 0;
	len = span_of(lo, hi);
	if (k == ru->c->nfree - 1) {
		*n = len;
		return 0;
	}
	if (limit > 0 && len > limit) {
		ru->slots[ru->c->free[k].slot] = lo;
		if (count_from(ru, k + 1, &sub) != 0)
			return -1;
		*n = sat_mul(len, sub > 0 ? sub : 1);
		return 0;
	}
	for (v = lo;; v++) {
		ru->slots[ru->c->free[k].slot] = v;
		if (count_from(ru, k + 1, &sub) != 0)
			return -1;
		*n = sat_add(*n, sub);
		walked++;
		if (v == hi || *n == SIZE_MAX)
			break;
		if (poll_work(ru, ++ru->count_steps) ||
		    (limit > 0 && (*n > limit || ru->count_steps > 4 * limit))) {
			/* the values left, at the mean count so far */
			*n = sat_add(*n, sat_mul((len - walked),
			    *n / walked + 1));
			break;
		}
	}
	return 0;
}

/* One random tuple: each variable uniform in its range given the earlier
 * ones (uniform over tuples when the ranges are independent, as they are
 * for tensor dimensions). false if an empty range was drawn. */
static int
draw_tuple(struct run *ru, rng_t *rng, bool *got)
{
	uint64_t span;
	long lo, hi;
	int k;

	*got = false;
	for (k = 0; k < ru->c->nfree; k++) {
		if (range_at(ru, k, &lo, &hi) != 0)
			return -1;
		if (hi < lo)
			return 0;
		/* in unsigned arithmetic: hi - lo may overflow a long, and
		 * the span of LONG_MIN..LONG_MAX is 2^64, one past uint64_t */
		span = (uint64_t)hi - (uint64_t)lo;
		set_free(ru, k, (long)((uint64_t)lo + (span == UINT64_MAX ?
		    rng_next(rng) : rng_below(rng, span + 1))));
	}
	*got = true;
	return 0;
}

/* max_tuples random tuples, seeded by the ctx seed and the claim's line. */
static int
sample(struct run *ru)
{
	rng_t rng;
	size_t i, misses = 0;
	bool got;
	int rc;

	rng_seed(&rng, ru->vc->o.seed ^ ((uint64_t)ru->c->line << 32));
	ru->r->sampled = true;
	for (i = 0; i < ru->vc->o.max_tuples; ) {
		if (draw_tuple(ru, &rng, &got) != 0)
			return -1;
		if (!got) {
			if (++misses > 100 * ru->vc->o.max_tuples)
				return 0;
			if (poll_work(ru, misses))
				return 1;
			continue;
		}
		if ((rc = visit(ru)) != 0)
			return rc;
		i++;
	}
	return 0;
}

/* ---- the compiled form and the where's bounds ---- */

/* Intervals stay within +-2^62, so that no operation on them overflows. */
#define IV_LIM ((__int128)1 << 62)

typedef struct iv {
	__int128 lo, hi;
} iv_t;

static bool
iv_ok(iv_t *out, __int128 a, __int128 b, __int128 c, __int128 d)
{
	__int128 lo = a, hi = a;

	lo = b < lo ? b : lo; hi = b > hi ? b : hi;
	lo = c < lo ? c : lo; hi = c > hi ? c : hi;
	lo = d < lo ? d : lo; hi = d > hi ? d : hi;
	out->lo = lo;
	out->hi = hi;
	return lo >= -IV_LIM && hi <= IV_LIM;
}

static __int128
floor_div128(__int128 a, __int128 b)
{
	__int128 q = a / b;

	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Is e an integer expression that can have no finding at any tuple of
 * the free variables' ranges (integer literals, free variables, shape
 * constants, + - * and // % by a positive divisor, all within +-2^62)?
 * Its interval in *out. */
static bool
ff_int(struct run *ru, const expr_t *e, iv_t *out)
{
	iv_t a, b;
	long v;

	switch (e->kind) {
	case EX_INT:
		out->lo = out->hi = e->u.ival;
		return out->lo >= -IV_LIM && out->hi <= IV_LIM;
	case EX_NAME:
		if (e->u.name.slot >= ru->c->nfree)
			return false;
		if (e->u.name.slot >= 0) {
			out->lo = ru->fast.ranges[e->u.name.slot].lo;
			out->hi = ru->fast.ranges[e->u.name.slot].hi;
			return out->lo >= -IV_LIM && out->hi <= IV_LIM;
		}
		if (!env_constant(ru->vc, e->u.name.name, &v))
			return false;
		out->lo = out->hi = v;
		return v >= -IV_LIM && v <= IV_LIM;
	case EX_NEG:
		if (!ff_int(ru, e->u.op.a, &a))
			return false;
		out->lo = -a.hi;
		out->hi = -a.lo;
		return true;
	case EX_ADD: case EX_SUB: case EX_MUL: case EX_IDIV: case EX_MOD:
		if (!ff_int(ru, e->u.op.a, &a) || !ff_int(ru, e->u.op.b, &b))
			return false;
		break;
	default:
		return false;
	}
	switch (e->kind) {
	case EX_ADD:
		return iv_ok(out, a.lo + b.lo, a.hi + b.hi, a.lo + b.lo, a.hi + b.hi);
	case EX_SUB:
		return iv_ok(out, a.lo - b.hi, a.hi - b.lo, a.lo - b.hi, a.hi - b.lo);
	case EX_MUL:
		return iv_ok(out, a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi);
	case EX_IDIV:
		return b.lo >= 1 && iv_ok(out, floor_div128(a.lo, b.lo),
		    floor_div128(a.lo, b.hi), floor_div128(a.hi, b.lo),
		    floor_div128(a.hi, b.hi));
	default:        /* EX_MOD */
		return b.lo >= 1 && iv_ok(out, 0, b.hi - 1, 0, 0);
	}
}

/* Is e a condition that can have no finding (comparisons and `in` of
 * such integers, joined by and, or, not)? */
static bool
ff_bool(struct run *ru, const expr_t *e)
{
	iv_t iv;
	int i;

	switch (e->kind) {
	case EX_CMP:
		for (i = 0; i < e->u.cmp.n; i++)
			if (!ff_int(ru, e->u.cmp.args[i], &iv))
				return false;
		return true;
	case EX_IN:
		return ff_int(ru, e->u.op.a, &iv) && ff_int(ru, e->u.op.b, &iv) &&
		    ff_int(ru, e->u.op.c, &iv);
	case EX_NOT:
		return ff_bool(ru, e->u.op.a);
	case EX_AND: case EX_OR:
		return ff_bool(ru, e->u.op.a) && ff_bool(ru, e->u.op.b);
	default:
		return false;
	}
}

/* The highest free variable e reads (-1: none); e is a ff_int
 * expression, so only names and operators. */
static int
max_free(const expr_t *e)
{
	int a, b;

	switch (e->kind) {
	case EX_NAME:
		return e->u.name.slot;
	case EX_NEG:
		return max_free(e->u.op.a);
	case EX_ADD: case EX_SUB: case EX_MUL: case EX_IDIV: case EX_MOD:
		a = max_free(e->u.op.a);
		b = max_free(e->u.op.b);
		return a > b ? a : b;
	default:
		return -1;
	}
}

/* Is e x + E (x + E, E + x, x - E, nested), E reading only free
 * variables before x? */
static bool
is_x_plus(const expr_t *e, int x)
{
	switch (e->kind) {
	case EX_NAME:
		return e->u.name.slot == x;
	case EX_ADD:
		return (is_x_plus(e->u.op.a, x) && max_free(e->u.op.b) < x) ||
		    (is_x_plus(e->u.op.b, x) && max_free(e->u.op.a) < x);
	case EX_SUB:
		return is_x_plus(e->u.op.a, x) && max_free(e->u.op.b) < x;
	default:
		return false;
	}
}

static void
add_bound(struct run *ru, int x, bool hi, const expr_t *a, const expr_t *b,
    long delta)
{
	fast_t *f = &ru->fast;
	const claim_t *c = ru->c;
	bound_t bd = { x, hi, NULL, NULL, delta };

	bd.a = expr_prog_compile(a, &ru->vc->env, c->nslots, f->ranges,
	    c->nfree, EXPR_PROG_NO_MEMO);
	bd.b = expr_prog_compile(b, &ru->vc->env, c->nslots, f->ranges,
	    c->nfree, EXPR_PROG_NO_MEMO);
	if (bd.a == NULL || bd.b == NULL) {
		expr_prog_free(bd.a);
		expr_prog_free(bd.b);
		return;
	}
	f->bounds = xreallocarray(f->bounds, (size_t)f->nbounds + 1,
	    sizeof *f->bounds);
	f->bounds[f->nbounds++] = bd;
}

/* l OP r as bounds on the later free variable of the two sides, when it
 * is x + E on one side and the other reads only earlier ones. */
static void
link_bounds(struct run *ru, const expr_t *l, cmp_op_t op, const expr_t *r)
{
	static const cmp_op_t flip[] = { [CMP_EQ] = CMP_EQ, [CMP_NE] = CMP_NE,
		[CMP_LT] = CMP_GT, [CMP_LE] = CMP_GE, [CMP_GT] = CMP_LT,
		[CMP_GE] = CMP_LE };
	int x = max_free(l) > max_free(r) ? max_free(l) : max_free(r);
	const expr_t *t;

	if (x < 0)
		return;
	if (!(is_x_plus(l, x) && max_free(r) < x)) {
		if (!(is_x_plus(r, x) && max_free(l) < x))
			return;
		t = l;
		l = r;
		r = t;
		op = flip[op];
	}
	switch (op) {
	case CMP_EQ:
		add_bound(ru, x, false, l, r, 0);
		add_bound(ru, x, true, l, r, 0);
		break;
	case CMP_LT: add_bound(ru, x, true, l, r, -1); break;
	case CMP_LE: add_bound(ru, x, true, l, r, 0); break;
	case CMP_GT: add_bound(ru, x, false, l, r, 1); break;
	case CMP_GE: add_bound(ru, x, false, l, r, 0); break;
	case CMP_NE: break;
	}
}

/* The bounds of one conjunct that can have no finding. */
static void
conjunct_bounds(struct run *ru, const expr_t *e)
{
	const expr_t *a;
	int i, x;

	if (e->kind == EX_CMP) {
		for (i = 0; i + 1 < e->u.cmp.n; i++)
			link_bounds(ru, e->u.cmp.args[i], e->u.cmp.ops[i],
			    e->u.cmp.args[i + 1]);
		return;
	}
	if (e->kind != EX_IN)
		return;
	a = e->u.op.a;
	x = max_free(a);
	if (x < 0 || !is_x_plus(a, x) || max_free(e->u.op.b) >= x ||
	    max_free(e->u.op.c) >= x)
		return;
	add_bound(ru, x, false, a, e->u.op.b, 0);
	add_bound(ru, x, true, a, e->u.op.c, 0);
}

/* Walk the where's top-level conjuncts in the order they are evaluated
 * (c1 and c2 and ...). A tuple that breaks a bound of conjunct i has a
 * false where without a finding only if c1..ci can have no finding
 * there: so bounds come from the longest prefix of such conjuncts.
 * false once a conjunct that may have a finding is met. */
static bool
where_bounds(struct run *ru, const expr_t *e)
{
	if (e->kind == EX_AND)
		return where_bounds(ru, e->u.op.a) && where_bounds(ru, e->u.op.b);
	if (!ff_bool(ru, e))
		return false;
	conjunct_bounds(ru, e);
	return true;
}

static void
fast_free(fast_t *f)
{
	int i;

	expr_prog_free(f->where);
	expr_prog_free(f->lhs);
	expr_prog_free(f->rhs);
	for (i = 0; i < f->nbounds; i++) {
		expr_prog_free(f->bounds[i].a);
		expr_prog_free(f->bounds[i].b);
	}
	free(f->bounds);
	free(f->ranges);
	memset(f, 0, sizeof *f);
}

/* Compile the claim's where, lhs and rhs, and with independent ranges
 * the where's bounds. Off (every tuple by expr_eval) if a part does not
 * compile, or with opts.reference. */
static int
fast_setup(struct run *ru, bool point)
{
	const claim_t *c = ru->c;
	fast_t *f = &ru->fast;
	bool indep = ranges_independent(c);
	unsigned flags = point ? EXPR_PROG_NO_MEMO : 0;
	long lo, hi;
	int k;

	memset(f, 0, sizeof *f);
	if (ru->vc->o.reference)
		return 0;
	f->ranges = xcalloc((size_t)(c->nfree > 0 ? c->nfree : 1),
	    sizeof *f->ranges);
	for (k = 0; indep && k < c->nfree; k++) {
		if (range_at(ru, k, &lo, &hi) != 0)
			return -1;
		f->ranges[k].known = true;
		f->ranges[k].lo = lo;
		f->ranges[k].hi = hi;
	}
	f->lhs = expr_prog_compile(c->lhs, &ru->vc->env, c->nslots,
	    f->ranges, c->nfree, flags);
	f->rhs = expr_prog_compile(c->rhs, &ru->vc->env, c->nslots,
	    f->ranges, c->nfree, flags);
	if (c->where != NULL)
		f->where = expr_prog_compile(c->where, &ru->vc->env, c->nslots,
		    f->ranges, c->nfree, flags);
	/* a left side that does not compile (a d (EXPR) that reruns the
	 * forward kernel) is walked by expr_eval, in this thread only */
	f->on = f->rhs != NULL && (c->where == NULL || f->where != NULL);
	if (!f->on) {
		fast_free(f);
		return 0;
	}
	f->last[0] = f->where != NULL ? expr_prog_last_free(f->where) : -1;
	f->last[1] = f->lhs != NULL ? expr_prog_last_free(f->lhs) :
	    c->nfree - 1;
	f->last[2] = expr_prog_last_free(f->rhs);
	for (k = 0; indep && k < c->nfree; k++)
		if (f->ranges[k].hi < f->ranges[k].lo)
			indep = false;      /* no tuples: nothing to narrow */
	if (indep && c->where != NULL && !point)
		where_bounds(ru, c->where);
	return 0;
}

/* One tuple (verify_claim_at) by the compiled form, when every value is
 * within its variable's range (the form assumes it): 0 with *pt judged
 * (worded by expr_eval when it has a finding), 1 to take the tree walk
 * instead. */
static int
point_fast(verify_ctx_t *vc, const claim_t *c, long *slots, const long *vals,
    verify_point_t *pt, const verify_result_t *r, char **err)
{
	struct run ru;
	int k, rc = 1;

	if (c->kind == CLAIM_LET || c->kind == CLAIM_KERNEL || vc->o.reference ||
	    !ranges_independent(c))
		return 1;
	memset(&ru, 0, sizeof ru);
	ru.vc = vc;
	ru.c = c;
	ru.slots = slots;
	ru.err = err;
	if (fast_setup(&ru, true) != 0 || !ru.fast.on) {
		fast_free(&ru.fast);
		return 1;
	}
	for (k = 0; k < c->nfree; k++)
		if (vals[k] < ru.fast.ranges[k].lo || vals[k] > ru.fast.ranges[k].hi)
			break;
	if (k == c->nfree) {
		if (fast_point(&ru, pt) == 0)
			point_judge(r, pt);
		else if ((rc = point_eval(vc, c, slots, vals, pt, err)) == 0)
			point_judge(r, pt);
		else
			rc = -1;
		rc = rc == 1 ? 0 : rc;
	}
	fast_free(&ru.fast);
	return rc;
}

/* ---- threads ---- */

/* The numeric derivatives e reads: bit w of *jac (d output / d T), of
 * *grad (d f / d T). */
static void
numeric_uses(const expr_t *e, unsigned *jac, unsigned *grad);

static void
numeric_uses_walk(const expr_t *e, void *ud)
{
	unsigned **u = ud;

	numeric_uses(e, u[0], u[1]);
}

static void
numeric_uses(const expr_t *e, unsigned *jac, unsigned *grad)
{
	unsigned *u[2] = { jac, grad };
	const expr_t *num;
	conv_wrt_t w;
	int i;

	if (e == NULL)
		return;
	if (e->kind == EX_DERIV && e->u.deriv.den->kind == EX_ACCESS &&
	    wrt_by_name(e->u.deriv.den->u.access.tensor, &w)) {
		num = e->u.deriv.num;
		if (num == NULL)
			*grad |= 1u << w;
		else if (num->kind == EX_ACCESS &&
		    strcmp(num->u.access.tensor, "output") == 0)
			*jac |= 1u << w;
	}
	switch (e->kind) {
	case EX_INT: case EX_REAL: case EX_NAME:
		return;
	case EX_ACCESS:
		for (i = 0; i < e->u.access.nargs; i++)
			numeric_uses_walk(e->u.access.args[i], u);
		return;
	case EX_CMP:
		for (i = 0; i < e->u.cmp.n; i++)
			numeric_uses_walk(e->u.cmp.args[i], u);
		return;
	case EX_CALL:
		for (i = 0; i < e->u.call.nargs; i++)
			numeric_uses_walk(e->u.call.args[i], u);
		return;
	case EX_SUM:
		for (i = 0; i < e->u.sum.n; i++) {
			numeric_uses(e->u.sum.idx[i].range.lo, jac, grad);
			numeric_uses(e->u.sum.idx[i].range.hi, jac, grad);
		}
		numeric_uses(e->u.sum.where, jac, grad);
		numeric_uses(e->u.sum.body, jac, grad);
		return;
	case EX_DERIV:
		numeric_uses(e->u.deriv.num, jac, grad);
		numeric_uses(e->u.deriv.den, jac, grad);
		return;
	default:
		numeric_uses(e->u.op.a, jac, grad);
		numeric_uses(e->u.op.b, jac, grad);
		numeric_uses(e->u.op.c, jac, grad);
		return;
	}
}

/* Fill every cache the claim's numeric derivatives read, so that threads
 * only read them. false when one does not fit (or when cancelled). */
static bool
prefill(struct run *ru)
{
	unsigned jac = 0, grad = 0;
	int w;

	numeric_uses(ru->c->lhs, &jac, &grad);
	numeric_uses(ru->c->rhs, &jac, &grad);
	numeric_uses(ru->c->where, &jac, &grad);
	for (w = 0; w < 3; w++) {
		if ((jac & (1u << w)) && !jac_fill(ru->vc, (conv_wrt_t)w))
			return false;
		if (grad & (1u << w)) {
			grad_entry(ru->vc, (conv_wrt_t)w, 0);
			grad_fill(ru->vc, (conv_wrt_t)w);
			if (ru->vc->grad[w].nhave < ru->vc->grad[w].t->size)
				return false;
		}
	}
	return true;
}

/* Below this many tuples a claim is not worth threads, unless each
 * tuple reruns the forward kernel (two passes of it: ~0.1 ms a tuple at
 * issue 8's shape, 1536 tuples of d f / d input there). */
#define PARALLEL_MIN_TUPLES 20000
#define PARALLEL_MIN_RERUNS 64
/* ... or this many sum terms, by their ranges (expr_prog_cost: a where
 * that narrows them is not counted, so a tenth of a tuple's worth a
 * term, ten times PARALLEL_MIN_TUPLES terms). */
#define PARALLEL_MIN_TERMS 200000.0

/* The claim's left side is d (EXPR) / d T with EXPR reading output: each
 * tuple reruns the forward kernel twice. */
static bool
claim_reruns(const claim_t *c)
{
	return c->lhs != NULL && c->lhs->kind == EX_DERIV &&
	    c->lhs->u.deriv.rerun;
}

/* Is the claim worth threads: enough tuples, or tuples that rerun the
 * forward kernel, or long sums at each (PARALLEL_MIN_TERMS: lesson 6's
 * chain rule sums 1568 terms at each of its 1536 tuples at issue 8's
 * shape, 0.2 s on one thread). */
static bool
worth_threads(const struct run *ru)
{
	const fast_t *f = &ru->fast;
	double terms;

	if (ru->to_visit >= (claim_reruns(ru->c) ? PARALLEL_MIN_RERUNS :
	    PARALLEL_MIN_TUPLES))
		return true;
	terms = (double)ru->to_visit * (expr_prog_cost(f->where) +
	    expr_prog_cost(f->lhs) + expr_prog_cost(f->rhs));
	return terms >= PARALLEL_MIN_TERMS;
}

/* The chunks of the tuples, for threads: the tuples of the first m free
 * variables (their ranges independent), at least 16 of them. 0 when the
 * claim is not split. */
static int
chunk_vars(const struct run *ru, size_t *nchunks)
{
	const expr_slot_range_t *rg = ru->fast.ranges;
	size_t n = 1;
	int m;

	for (m = 0; m < ru->c->nfree; m++)
		if (!rg[m].known || rg[m].hi < rg[m].lo ||
		    (uint64_t)rg[m].hi - (uint64_t)rg[m].lo >= 1u << 16)
			return 0;
	for (m = 0; m < ru->c->nfree - 1 && m < 8 && n < 16; m++)
		n *= (size_t)(rg[m].hi - rg[m].lo) + 1;
	*nchunks = n;
	return n >= 2 && n <= 1u << 16 ? m : 0;
}

/* Chunk i: its first m variables set in ru->slots (mixed radix over
 * their ranges, the last fastest: the order of enum_from), each within
 * its range narrowed by the where; then every tuple of the rest. */
static int
run_chunk(struct run *ru, int m, size_t i)
{
	const expr_slot_range_t *rg = ru->fast.ranges;
	long v[8], lo, hi;
	int k;

	for (k = m - 1; k >= 0; k--) {
		size_t span = (size_t)(rg[k].hi - rg[k].lo) + 1;

		v[k] = rg[k].lo + (long)(i % span);
		i /= span;
	}
	for (k = 0; k < m; k++) {
		lo = rg[k].lo;
		hi = rg[k].hi;
		if (ru->fast.nbounds > 0)
			narrow(ru, k, &lo, &hi);
		if (v[k] < lo || v[k] > hi)
			return 0;
		set_free(ru, k, v[k]);
	}
	return enum_from(ru, m);
}

/* Join the chunks' results in order: counts added, maxima taken, the
 * first counterexample (the earliest chunk's) worded by expr_eval. */
static int
join_chunks(struct run *ru, verify_result_t *part, size_t n)
{
	verify_result_t *r = ru->r;
	verify_point_t pt;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		r->checked += part[i].checked;
		r->failures += part[i].failures;
		if (part[i].max_abs > r->max_abs)
			r->max_abs = part[i].max_abs;
		if (part[i].max_rel > r->max_rel)
			r->max_rel = part[i].max_rel;
		if (part[i].has_cex && !r->has_cex) {
			r->has_cex = true;
			r->cex = part[i].cex;
			part[i].cex = NULL;
		}
		verify_result_clear(&part[i]);
	}
	if (!r->has_cex)
		return 0;
	for (k = 0; k < ru->c->nfree; k++)
		ru->slots[ru->c->free[k].slot] = r->cex[k];
	if (point_eval(ru->vc, ru->c, ru->slots, r->cex, &pt, ru->err) != 0)
		return -1;
	point_judge(r, &pt);
	r->cex_formula = pt.formula;
	r->cex_numeric = pt.numeric;
	r->cex_finding = pt.finding;
	return 0;
}

/* Every tuple, in chunks over threads. -2 when the claim is not split
 * (run it in this thread). */
static int
enum_parallel(struct run *ru)
{
	size_t nchunks, visited = 0;
	verify_result_t *part;
	volatile int stop = 0;
	int m, rc = 0;

	if (parallel_max_threads() < 2 || !ru->fast.on ||
	    ru->fast.lhs == NULL || !worth_threads(ru) ||
	    (m = chunk_vars(ru, &nchunks)) == 0 || !prefill(ru))
		return flag_set(ru->vc) ? 1 : -2;
	part = xcalloc(nchunks, sizeof *part);
#ifdef _OPENMP
#pragma omp parallel
#endif
	{
		struct run t = *ru;
		long i;

		t.slots = xcalloc((size_t)(ru->c->nslots > 0 ? ru->c->nslots : 1),
		    sizeof *t.slots);
		t.vals = xcalloc((size_t)ru->c->nfree + TENSOR_MAX_DIMS,
		    sizeof *t.vals);
		t.stamp = xcalloc((size_t)ru->c->nfree + 1, sizeof *t.stamp);
		t.tick = 0;
		memset(t.kept, 0, sizeof t.kept);
		t.threaded = true;
		t.stop = &stop;
		t.shared_visited = &visited;
		t.err = NULL;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
		for (i = 0; i < (long)nchunks; i++) {
			t.r = &part[i];
			part[i].tol_abs = ru->r->tol_abs;
			part[i].tol_rel = ru->r->tol_rel;
			if (stop || run_chunk(&t, m, (size_t)i) != 0)
				stop = 1;
		}
		free(t.slots);
		free(t.vals);
		free(t.stamp);
	}
	if (stop || flag_set(ru->vc)) {
		ru->cancelled = true;
		rc = 1;
	}
	ru->visited = visited;
	if (join_chunks(ru, part, nchunks) != 0)
		rc = -1;
	free(part);
	return rc;
}

#define SHARE_MAX_TUPLES ((size_t)1 << 20)

static void
share_clear(struct lhs_share *sh)
{
	free(sh->key);
	free(sh->x);
	free(sh->work);
	free(sh->have);
	memset(sh, 0, sizeof *sh);
}

/* Does e read a let (whose entries a later let of its name replaces)? */
static bool
reads_let(verify_ctx_t *vc, const expr_t *e)
{
	int i;

	if (e == NULL)
		return false;
	switch (e->kind) {
	case EX_INT: case EX_REAL: case EX_NAME:
		return false;
	case EX_ACCESS:
		if (let_find(vc, e->u.access.tensor) != NULL)
			return true;
		for (i = 0; i < e->u.access.nargs; i++)
			if (reads_let(vc, e->u.access.args[i]))
				return true;
		return false;
	case EX_CMP:
		for (i = 0; i < e->u.cmp.n; i++)
			if (reads_let(vc, e->u.cmp.args[i]))
				return true;
		return false;
	case EX_CALL:
		for (i = 0; i < e->u.call.nargs; i++)
			if (reads_let(vc, e->u.call.args[i]))
				return true;
		return false;
	case EX_SUM:
		for (i = 0; i < e->u.sum.n; i++)
			if (reads_let(vc, e->u.sum.idx[i].range.lo) ||
			    reads_let(vc, e->u.sum.idx[i].range.hi))
				return true;
		return reads_let(vc, e->u.sum.where) ||
		    reads_let(vc, e->u.sum.body);
	case EX_DERIV:
		return reads_let(vc, e->u.deriv.num) ||
		    reads_let(vc, e->u.deriv.den);
	default:
		return reads_let(vc, e->u.op.a) || reads_let(vc, e->u.op.b) ||
		    reads_let(vc, e->u.op.c);
	}
}

/* The share for the running claim, when its left side reruns the
 * forward kernel, reads no let, and its free variables have known
 * ranges of at most SHARE_MAX_TUPLES tuples: the ctx's, kept when its
 * key is the claim's, else emptied for it. */
static void
share_setup(struct run *ru)
{
	const claim_t *c = ru->c;
	struct lhs_share *sh = &ru->vc->share;
	const expr_slot_range_t *rg = ru->fast.ranges;
	size_t n = 1;
	char *key, *t;
	int k;

	if (!claim_reruns(c) || ru->fast.lhs == NULL || ru->vc->o.fresh ||
	    reads_let(ru->vc, c->lhs))
		return;
	for (k = 0; k < c->nfree; k++) {
		if (!rg[k].known || rg[k].hi < rg[k].lo ||
		    (uint64_t)rg[k].hi - (uint64_t)rg[k].lo >= SHARE_MAX_TUPLES)
			return;
		n *= (size_t)(rg[k].hi - rg[k].lo) + 1;
		if (n > SHARE_MAX_TUPLES)
			return;
	}
	key = expr_text(c->lhs);
	for (k = 0; k < c->nfree; k++) {
		t = xasprintf("%s|%s=%ld..%ld", key, c->free[k].name,
		    rg[k].lo, rg[k].hi);
		free(key);
		key = t;
	}
	if (sh->key == NULL || strcmp(sh->key, key) != 0) {
		share_clear(sh);
		sh->key = key;
		sh->n = n;
		sh->x = xcalloc(n, sizeof *sh->x);
		sh->work = xcalloc(n, sizeof *sh->work);
		sh->have = xcalloc(n, 1);
	} else
		free(key);
	ru->share = sh;
}

/* A claim over its free variables (identity, partial, chain). */
static int
run_free(struct run *ru)
{
	size_t total;
	bool sampled;
	int rc;

	if ((ranges_independent(ru->c) ? count_product(ru, &total) :
	    count_from(ru, 0, &total)) != 0)
		return -1;
	if (ru->cancelled)
		return 1;
	ru->r->total = total;
	sampled = ru->vc->o.max_tuples > 0 && total > ru->vc->o.max_tuples;
	if (start_tuples(ru, sampled ? ru->vc->o.max_tuples : total))
		return 1;
	if (fast_setup(ru, false) != 0)
		return -1;
	if (ru->fast.on)
		ru->stamp = xcalloc((size_t)ru->c->nfree + 1, sizeof *ru->stamp);
	if (ru->fast.on && !sampled)
		share_setup(ru);
	rc = sampled ? sample(ru) : enum_parallel(ru);
	if (rc == -2)
		rc = enum_from(ru, 0);
	if (rc >= 0 && ru->vc->o.max_work > 0 &&
	    claim_work(ru) > ru->vc->o.max_work)
		ru->over_work = true;
	fast_free(&ru->fast);
	free(ru->stamp);
	ru->stamp = NULL;
	ru->share = NULL;
	if (ru->over_work && !flag_set(ru->vc)) {
		set_error(ru->err, "%s:%d:%d: error: the claim needs more than "
		    "%.3g evaluation steps (sum terms and tuples, of %zu "
		    "tuples): too much to check; --max-tuples checks a sample",
		    ru->c->file, ru->c->line, ru->c->col, ru->vc->o.max_work,
		    ru->r->total);
		return -1;
	}
	return rc;
}

/* Every element of a tensor of shape t (kernel claims). */
static int
run_kernel(struct run *ru)
{
	conv_wrt_t w;
	conv_params_t p;
	const tensor_t *t;
	size_t off, u[TENSOR_MAX_DIMS];
	verify_point_t pt;
	int k;

	if (!wrt_by_name(kernel_wrt(ru->c), &w))
		return set_error(ru->err, "%s:%d:%d: error: no backward kernel "
		    "for '%s'", ru->c->file, ru->c->line, ru->c->col,
		    kernel_wrt(ru->c));
	ctx_params(ru->vc, &p);
	t = conv_wrt_tensor(&p, w);
	ru->r->total = t->size;
	if (start_tuples(ru, t->size))
		return 1;
	for (off = 0; off < t->size; off++) {
		tensor_unravel(t, off, u);
		for (k = 0; k < t->ndim; k++)
			ru->vals[k] = (long)u[k];
		if (ru->c->nfree == t->ndim)
			kernel_slots(ru->c, ru->vals, ru->slots);
		if (point_eval(ru->vc, ru->c, ru->slots, ru->vals, &pt,
		    ru->err) != 0)
			return -1;
		point_judge(ru->r, &pt);
		record(ru, &pt, ru->vals, t->ndim);
		if (poll_stop(ru))
			return 1;
	}
	return 0;
}

/* Bytes the ctx's tensors take: the world's and the lets but the one
 * named skip (which a new let of that name replaces). The caches of
 * Jacobian columns and gradients are not counted: they are bounded by
 * the shape's own limit. */
static double
ctx_bytes(const verify_ctx_t *vc, const char *skip)
{
	const tensor_t *w[] = { vc->input, vc->weight, vc->bias, vc->df,
	    vc->output, vc->input_nhwc, vc->filter_hwio, vc->output_nhwc };
	double n = 0;
	size_t i;
	int k;

	for (i = 0; i < sizeof w / sizeof w[0]; i++)
		n += w[i] != NULL ? (double)w[i]->size : 0;
	for (k = 0; k < vc->nlets; k++)
		if (strcmp(vc->lets[k].name, skip) != 0)
			n += (double)vc->lets[k].t->size;
	return n * sizeof(double);
}

/* The memory limit: the option's, or the shapes' default. */
static size_t
mem_limit(const verify_ctx_t *vc)
{
	return vc->o.max_bytes != 0 ? vc->o.max_bytes : CONV_MEM_LIMIT_DEFAULT;
}

/* "4 GiB" for a whole number of GiB, else "N bytes". */
static char *
limit_str(size_t limit)
{
	if (limit >= ((size_t)1 << 30) && limit % ((size_t)1 << 30) == 0)
		return xasprintf("%zu GiB", limit >> 30);
	return xasprintf("%zu bytes", limit);
}

/* The dimensions of a let: each an integer of at least 1, and the whole
 * tensor (8 bytes an entry), with the tensors the ctx holds already (the
 * world and the earlier lets), within the memory limit (mem_limit()),
 * checked before anything is allocated: three lets of 4 GiB were each
 * allowed. The size is computed in doubles, which cannot overflow here
 * (four dimensions of at most 2^63 give at most 2^255) and are exact far
 * past the limit. */
static int
let_shape(struct run *ru, size_t *shape)
{
	const claim_t *c = ru->c;
	char *finding = NULL, *lim;
	double v, bytes = sizeof(double);
	double used = ctx_bytes(ru->vc, c->lhs->u.access.tensor);
	double room = used < (double)mem_limit(ru->vc) ?
	    (double)mem_limit(ru->vc) - used : 0;
	sbuf_t dims;
	int k;

	if (c->ndims < 1 || c->ndims > TENSOR_MAX_DIMS)
		return set_error(ru->err, "%s:%d:%d: error: a let has 1 to %d "
		    "dimensions, not %d", c->file, c->line, c->col,
		    TENSOR_MAX_DIMS, c->ndims);
	for (k = 0; k < c->ndims; k++) {
		if (eval_real(ru->vc, c->dims[k], ru->slots, &v, &finding) != 0) {
			set_error(ru->err, "%s:%d:%d: error: dimension %d of the "
			    "let: %s", c->file, c->line, c->col, k + 1, finding);
			free(finding);
			return -1;
		}
		if (v < 1 || v != floor(v))
			return set_error(ru->err, "%s:%d:%d: error: dimension %d "
			    "of the let is %.17g, not a whole number of at least 1",
			    c->file, c->line, c->col, k + 1, v);
		bytes *= v;
		shape[k] = bytes <= room ? (size_t)v : 0;
	}
	if (bytes <= room)
		return 0;
	sbuf_init(&dims);
	for (k = 0; k < c->ndims; k++) {
		eval_real(ru->vc, c->dims[k], ru->slots, &v, NULL);
		sbuf_addf(&dims, "%s%.17g", k > 0 ? " x " : "", v);
	}
	lim = limit_str(mem_limit(ru->vc));
	if (bytes > (double)mem_limit(ru->vc))
		set_error(ru->err, "%s:%d:%d: error: the let '%s' (%s entries) "
		    "needs %.4g bytes, over the memory limit of %s", c->file,
		    c->line, c->col, c->lhs->u.access.tensor, dims.s, bytes, lim);
	else
		set_error(ru->err, "%s:%d:%d: error: the let '%s' (%s entries) "
		    "needs %.4g bytes; with the %.4g bytes of the tensors and lets "
		    "before it, that is over the memory limit of %s", c->file,
		    c->line, c->col, c->lhs->u.access.tensor, dims.s, bytes, used,
		    lim);
	free(lim);
	sbuf_free(&dims);
	return -1;
}

/* Evaluate a let at every index into a new tensor, stored in the ctx.
 * Where its `where` is false the entry is 0; an entry with a finding is
 * NaN, so that a later claim using it cannot pass. */
/* The let's entry at ru->slots: false outside its where (the entry is
 * zero), else true with pt's formula (numeric the same) or finding. By
 * the compiled where and rhs (pw, pr; NULL: none), which give expr_eval's
 * bits; where they have a finding, expr_eval again for its words. */
static bool
let_point(struct run *ru, expr_prog_t *pw, expr_prog_t *pr,
    verify_point_t *pt)
{
	const claim_t *c = ru->c;
	value_t w;
	int rc;

	memset(pt, 0, sizeof *pt);
	pt->applies = true;
	if (c->where != NULL) {
		rc = pw != NULL ? expr_prog_eval(pw, ru->slots, &w) : -1;
		if (rc != 0)
			rc = expr_eval(c->where, &ru->vc->env, ru->slots, &w,
			    &pt->finding);
		if (rc == 0 && !(w.kind == VAL_BOOL ? w.b : value_real(w) != 0))
			return false;
	}
	if (pt->finding == NULL && (pr == NULL ||
	    expr_prog_eval_real(pr, ru->slots, &pt->formula) != 0))
		eval_real(ru->vc, c->rhs, ru->slots, &pt->formula,
		    &pt->finding);
	pt->numeric = pt->formula;
	return true;
}

static int
run_let(struct run *ru)
{
	const claim_t *c = ru->c;
	size_t shape[TENSOR_MAX_DIMS], off, u[TENSOR_MAX_DIMS];
	expr_prog_t *pw = NULL, *pr = NULL;
	verify_point_t pt;
	tensor_t *t;
	int k;

	if (let_shape(ru, shape) != 0)
		return -1;
	t = tensor_create(c->ndims, shape);
	ru->r->total = t->size;
	if (start_tuples(ru, t->size)) {
		tensor_free(t);
		return 1;
	}
	if (!ru->vc->o.reference) {
		pr = expr_prog_compile(c->rhs, &ru->vc->env, c->nslots, NULL,
		    0, 0);
		if (c->where != NULL)
			pw = expr_prog_compile(c->where, &ru->vc->env,
			    c->nslots, NULL, 0, 0);
	}
	for (off = 0; off < t->size; off++) {
		tensor_unravel(t, off, u);
		for (k = 0; k < c->ndims; k++) {
			ru->vals[k] = (long)u[k];
			ru->slots[c->lhs->u.access.args[k]->u.name.slot] = (long)u[k];
		}
		if (!let_point(ru, pw, pr, &pt)) {
			t->data[off] = 0;   /* outside the where: zero */
			continue;
		}
		point_judge(ru->r, &pt);
		t->data[off] = pt.ok ? pt.formula : NAN;
		record(ru, &pt, ru->vals, c->ndims);
		if (poll_stop(ru))
			break;
	}
	expr_prog_free(pw);
	expr_prog_free(pr);
	let_store(ru->vc, c->lhs->u.access.tensor, t);
	return ru->cancelled ? 1 : 0;
}

static verdict_t
verdict_of(const claim_t *c, const verify_result_t *r, bool cancelled)
{
	if (cancelled)
		return VERDICT_CANCELLED;
	if (c->expect_fail)
		return r->failures > 0 ? VERDICT_REFUTED : VERDICT_NOT_REFUTED;
	if (r->failures > 0)
		return VERDICT_FAILS;
	return c->kind == CLAIM_LET ? VERDICT_DEFINED : VERDICT_HOLDS;
}

int
verify_claim(verify_ctx_t *vc, const claim_t *c, verify_result_t *r,
    char **err)
{
	struct run ru;
	int rc;

	memset(r, 0, sizeof *r);
	memset(&ru, 0, sizeof ru);
	ru.vc = vc;
	ru.c = c;
	ru.r = r;
	ru.err = err;
	ru.slots = xcalloc((size_t)(c->nslots > 0 ? c->nslots : 1),
	    sizeof *ru.slots);
	ru.vals = xcalloc((size_t)verify_point_count(c) + TENSOR_MAX_DIMS,
	    sizeof *ru.vals);
	tolerances(vc, c, r);
	if (c->kind == CLAIM_LET)
		rc = run_let(&ru);
	else if (c->kind == CLAIM_KERNEL)
		rc = run_kernel(&ru);
	else
		rc = run_free(&ru);
	if (rc >= 0 && vc->o.progress != NULL)
		vc->o.progress(vc->o.ud, ru.visited, ru.to_visit);
	if (rc >= 0 && flag_set(vc))
		ru.cancelled = true;
	vc->claim_tuples = 0;
	free(ru.slots);
	free(ru.vals);
	if (rc < 0) {
		verify_result_clear(r);
		return -1;
	}
	r->verdict = verdict_of(c, r, ru.cancelled);
	return 0;
}

char *
verify_tally_str(int claims, int hold, int refuted, int failed)
{
	return xasprintf("%d claim%s: %d hold%s, %d errat%s refuted as "
	    "expected, %d failed", claims, claims == 1 ? "" : "s", hold,
	    hold == 1 ? "s" : "", refuted, refuted == 1 ? "um" : "a", failed);
}

char *
verify_outcome_text(const claim_t *cl, const verify_result_t *r,
    const char *times, bool here_ok)
{
	bool let = cl->kind == CLAIM_LET;
	sbuf_t b;

	sbuf_init(&b);
	/* a failure is worded as the tutor words it: "fails at F of N" */
	if (r->verdict != VERDICT_FAILS || r->failures == 0)
		sbuf_addf(&b, "%s%s: ", verdict_name(r->verdict),
		    r->verdict == VERDICT_NOT_REFUTED && here_ok ?
		    " (at this shape)" : "");
	if (r->failures > 0)
		sbuf_addf(&b, "fails at %zu of %zu tuples", r->failures,
		    r->checked);
	else if (r->verdict == VERDICT_HOLDS && r->checked == 0 && !let) {
		/* every tuple filtered out by the claim's conditions: true,
		 * but nothing was compared, and "0 of 8" alone reads as a pass */
		sbuf_addf(&b, "vacuously, at this shape: none of its %zu tuples "
		    "meets its conditions, nothing compared", r->total);
		return sbuf_take(&b);
	} else
		sbuf_addf(&b, "%zu of %zu tuples", r->checked, r->total);
	if (r->sampled)
		sbuf_add(&b, " (a random sample)");
	/* tuples with a finding have no error to measure: when they are all
	 * the failures, "max error 0" would read as a pass */
	if (!let && r->failures > 0 && r->max_abs == 0 && r->max_rel == 0 &&
	    r->cex_finding != NULL)
		sbuf_addf(&b, ", each failure a finding, tol %.0e + %.0e%s|numeric|",
		    r->tol_abs, r->tol_rel, times);
	else if (!let)
		sbuf_addf(&b, ", max error %.2g (rel %.2g), tol %.0e + %.0e%s"
		    "|numeric|", r->max_abs, r->max_rel, r->tol_abs, r->tol_rel,
		    times);
	return sbuf_take(&b);
}
