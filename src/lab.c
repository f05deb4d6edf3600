/*
 * lab.c: the step-size lab (lab.h says what it measures).
 *
 * The world: input, weight, bias uniform in [-1, 1) from the seeded RNG,
 * each value rounded to float so that both precisions evaluate the same
 * point. One entry x_j of input, weight or bias is differentiated:
 *
 *   f(x)   = sum_o g(output[o])        output = conv2d_forward_elem(...)
 *   exact  = sum_o g'(output[o]) * d output[o] / d x_j
 *          = the backward kernel (conv2d_backward_*_elem) applied to the
 *            upstream gradient g'(output), entry j, in double
 *   central(h) = (f(x + h e_j) - f(x - h e_j)) / 2h
 *   forward(h) = (f(x + h e_j) - f(x)) / h
 *
 * The divisor is the nominal step (2h, h), as torch.autograd.gradcheck
 * and most hand-written checks use it: the rounding of x + h itself is
 * then part of the rounding error the chart shows (fdiff.c divides by the
 * step actually taken instead, which for conv2d alone removes it). In
 * float32 everything is float: the perturbed entry x + h, the forward
 * kernel (lab_forward_f32), g, the sum over outputs and the difference.
 *
 * The error model the chart is read against, for a smooth g (|f| the
 * size of f, eps the precision's machine epsilon):
 *   central  |err| ~ eps |f| / h + h^2 |f'''| / 6   minimum near eps^(1/3)
 *   forward  |err| ~ eps |f| / h + h   |f''|  / 2   minimum near eps^(1/2)
 * with |f|, |f''|, |f'''| of order one to a hundred at lesson shapes, so
 * the measured minima fall within a decade of eps^(1/3) and eps^(1/2)
 * (tests/check_lab.c checks that, and the V's arms, at several seeds).
 */
#include "config.h"

#include "lab.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "conv-elem.h"
#include "json.h"
#include "tensor.h"
#include "util.h"

const char *const lab_g_names[] = { "linear", "tanh", "square", "exp",
	"relu", NULL };

/* The first step is 1e-1, the last 1e-12: eleven decades. */
#define LAB_DECADES 11
/* Chart rows: error decades 1e0 (and above) down to 1e-16 (and below). */
#define CHART_ROWS 17
#define SEED_DEFAULT 20261126

void
lab_opts_default(lab_opts_t *o)
{
	memset(o, 0, sizeof *o);
	conv_shape_init(&o->shape, 2, 2, 7, 8, 3, 3, 2);
	o->shape.strh = 2;
	o->shape.strw = 3;
	o->g = LAB_G_TANH;
	o->wrt = WRT_INPUT;
	o->entry = -1;
	o->seed = SEED_DEFAULT;
	o->per_decade = 4;
}

/* ---- g and g' in both precisions ---- */

static double
g64(lab_g_t g, double x)
{
	switch (g) {
	case LAB_G_LINEAR: return x;
	case LAB_G_TANH: return tanh(x);
	case LAB_G_SQUARE: return x * x;
	case LAB_G_EXP: return exp(x);
	case LAB_G_RELU: return x > 0.0 ? x : 0.0;
	}
	assert(!"bad lab_g_t");
	return 0.0;
}

static float
g32(lab_g_t g, float x)
{
	switch (g) {
	case LAB_G_LINEAR: return x;
	case LAB_G_TANH: return tanhf(x);
	case LAB_G_SQUARE: return x * x;
	case LAB_G_EXP: return expf(x);
	case LAB_G_RELU: return x > 0.0f ? x : 0.0f;
	}
	assert(!"bad lab_g_t");
	return 0.0f;
}

/* g', written out; relu'(0) = 0, as the frameworks' backward takes it. */
static double
dg64(lab_g_t g, double x)
{
	double t;

	switch (g) {
	case LAB_G_LINEAR: return 1.0;
	case LAB_G_TANH: t = tanh(x); return 1.0 - t * t;
	case LAB_G_SQUARE: return 2.0 * x;
	case LAB_G_EXP: return exp(x);
	case LAB_G_RELU: return x > 0.0 ? 1.0 : 0.0;
	}
	assert(!"bad lab_g_t");
	return 0.0;
}

/* g'' (k = 2) and g''' (k = 3), for the model's optimum; 0 where g is
 * piecewise linear (relu: its kink is no curvature a step could follow). */
static double
dgk64(lab_g_t g, int k, double x)
{
	double t, s;

	switch (g) {
	case LAB_G_TANH:
		t = tanh(x);
		s = 1.0 - t * t;
		return k == 2 ? -2.0 * t * s : -2.0 * s * (1.0 - 3.0 * t * t);
	case LAB_G_SQUARE: return k == 2 ? 2.0 : 0.0;
	case LAB_G_EXP: return exp(x);
	default: return 0.0;      /* linear, relu */
	}
}

/* ---- the float32 forward ---- */

/* output[b,c_out,h_out,w_out] = bias[c_out] + sum_{cg,di,dj}
 *   input[b, grp*C_in/groups + cg, strh*h_out + dil_h*di - pad_h,
 *         strw*w_out + dil_w*dj - pad_w] * weight[c_out,cg,di,dj]
 * (grp = c_out / (C_out/groups); outside the input reads as zero), the
 * loops of conv2d_forward_elem's formula, accumulated in float. */
void
lab_forward_f32(float *output, const float *input, const float *weight,
    const float *bias, const conv_shape_t *s)
{
	long cpg = conv_group_cin(s), opg = conv_group_cout(s);
	long b, co, ho, wo, cg, di, dj;

	for (b = 0; b < s->N; b++)
	for (co = 0; co < s->C_out; co++)
	for (ho = 0; ho < s->H_out; ho++)
	for (wo = 0; wo < s->W_out; wo++) {
		float acc = bias != NULL ? bias[co] : 0.0f;
		long c0 = co / opg * cpg;

		for (cg = 0; cg < cpg; cg++)
		for (di = 0; di < s->R; di++) {
			long h = s->strh * ho + s->dil_h * di - s->pad_h;

			if (h < 0 || h >= s->H_in)
				continue;
			for (dj = 0; dj < s->S; dj++) {
				long w = s->strw * wo + s->dil_w * dj - s->pad_w;

				if (w < 0 || w >= s->W_in)
					continue;
				acc += input[((b * s->C_in + c0 + cg) * s->H_in + h) *
				    s->W_in + w] *
				    weight[((co * cpg + cg) * s->R + di) * s->S + dj];
			}
		}
		output[((b * s->C_out + co) * s->H_out + ho) * s->W_out + wo] = acc;
	}
}

/* ---- the world ---- */

typedef struct world {
	conv_shape_t s;
	lab_g_t g;
	conv_params_t p;          /* double, every value a float's */
	tensor_t *out;
	float *x32[3];            /* input, weight, bias in float (by conv_wrt_t) */
	float *out32;
	size_t n[3];
} world_t;

static void
world_free(world_t *w)
{
	int k;

	tensor_free(w->p.input);
	tensor_free(w->p.weight);
	tensor_free(w->p.bias);
	tensor_free(w->out);
	for (k = 0; k < 3; k++)
		free(w->x32[k]);
	free(w->out32);
}

static void
world_init(world_t *w, const lab_opts_t *o)
{
	size_t wd[4];
	rng_t rng;
	int k;

	memset(w, 0, sizeof *w);
	w->s = o->shape;
	w->g = o->g;
	conv_weight_dims(&w->s, wd);
	w->p.input = tensor_create4((size_t)w->s.N, (size_t)w->s.C_in,
	    (size_t)w->s.H_in, (size_t)w->s.W_in);
	w->p.weight = tensor_create4(wd[0], wd[1], wd[2], wd[3]);
	w->p.bias = tensor_create1((size_t)w->s.C_out);
	w->out = tensor_create4((size_t)w->s.N, (size_t)w->s.C_out,
	    (size_t)w->s.H_out, (size_t)w->s.W_out);
	rng_seed(&rng, o->seed);
	tensor_fill_uniform(w->p.input, &rng, -1.0, 1.0);
	tensor_fill_uniform(w->p.weight, &rng, -1.0, 1.0);
	tensor_fill_uniform(w->p.bias, &rng, -1.0, 1.0);
	for (k = 0; k < 3; k++) {
		tensor_t *t = conv_wrt_tensor(&w->p, (conv_wrt_t)k);
		size_t i;

		w->n[k] = t->size;
		w->x32[k] = xmalloc(t->size * sizeof(float));
		for (i = 0; i < t->size; i++) {
			w->x32[k][i] = (float)t->data[i];
			t->data[i] = (double)w->x32[k][i];
		}
	}
	w->out32 = xmalloc(w->out->size * sizeof(float));
}

/* The float copies again, after the double values changed (the kink). */
static void
world_sync32(world_t *w)
{
	int k;
	size_t i;

	for (k = 0; k < 3; k++) {
		tensor_t *t = conv_wrt_tensor(&w->p, (conv_wrt_t)k);

		for (i = 0; i < t->size; i++)
			w->x32[k][i] = (float)t->data[i];
	}
}

static double
f64(world_t *w)
{
	double f = 0.0;
	size_t i;

	conv2d_forward_elem(w->out, w->p.input, w->p.weight, w->p.bias, &w->s);
	for (i = 0; i < w->out->size; i++)
		f += g64(w->g, w->out->data[i]);
	return f;
}

static float
f32(world_t *w)
{
	float f = 0.0f;
	size_t i;

	lab_forward_f32(w->out32, w->x32[WRT_INPUT], w->x32[WRT_WEIGHT],
	    w->x32[WRT_BIAS], &w->s);
	for (i = 0; i < w->out->size; i++)
		f += g32(w->g, w->out32[i]);
	return f;
}

/* f at x_j + dh in double, x_j given back its value. */
static double
f64_at(world_t *w, conv_wrt_t wrt, size_t j, double dh)
{
	tensor_t *t = conv_wrt_tensor(&w->p, wrt);
	double x = t->data[j], f;

	t->data[j] = x + dh;
	f = f64(w);
	t->data[j] = x;
	return f;
}

static float
f32_at(world_t *w, conv_wrt_t wrt, size_t j, float dh)
{
	float x = w->x32[wrt][j], f;

	w->x32[wrt][j] = x + dh;
	f = f32(w);
	w->x32[wrt][j] = x;
	return f;
}

/* d f / d x_j exactly: the backward kernel with upstream g'(output). */
static double
exact_grad(world_t *w, conv_wrt_t wrt, size_t j)
{
	tensor_t *up = tensor_clone(w->out), *d;
	double v;
	size_t i;

	f64(w);
	for (i = 0; i < up->size; i++)
		up->data[i] = dg64(w->g, w->out->data[i]);
	d = tensor_clone(conv_wrt_tensor(&w->p, wrt));
	if (wrt == WRT_INPUT)
		conv2d_backward_input_elem(d, up, w->p.weight, &w->s);
	else if (wrt == WRT_WEIGHT)
		conv2d_backward_weight_elem(d, up, w->p.input, &w->s);
	else
		conv2d_backward_bias_elem(d, up, &w->s);
	v = d->data[j];
	tensor_free(d);
	tensor_free(up);
	return v;
}

/*
 * The model's optimum steps (lab.c's top): the size of the rounding in
 * f(x+h) - f(x-h), F = sum |g(output[o])| over the outputs that x_j
 * moves (only their terms differ between the two sums; measured against
 * the sweeps, the sum over every output overstates it by a decade), and f'' = sum_o g''(output[o]) a_o^2, f''' = sum_o
 * g'''(output[o]) a_o^3 along x_j, with a_o = d output[o] / d x_j from
 * two forward passes (conv2d is linear, so the difference at step 1 is
 * exact but for rounding). scale[m] is the optimum over eps's power:
 * (3 F / |f'''|)^(1/3) central, (2 F / |f''|)^(1/2) forward; infinite
 * when the truncation term vanishes (g linear, square for central, relu).
 */
static void
model_scales(world_t *w, conv_wrt_t wrt, size_t j, double *scale)
{
	tensor_t *base, *t = conv_wrt_tensor(&w->p, wrt);
	double F = 0.0, f2 = 0.0, f3 = 0.0, x = t->data[j], a;
	size_t o;

	f64(w);
	base = tensor_clone(w->out);
	t->data[j] = x + 1.0;
	conv2d_forward_elem(w->out, w->p.input, w->p.weight, w->p.bias, &w->s);
	t->data[j] = x;
	for (o = 0; o < base->size; o++) {   /* the outputs x_j moves */
		a = w->out->data[o] - base->data[o];
		if (a != 0.0)
			F += fabs(g64(w->g, base->data[o]));
		f2 += dgk64(w->g, 2, base->data[o]) * a * a;
		f3 += dgk64(w->g, 3, base->data[o]) * a * a * a;
	}
	scale[FD_CENTRAL] = f3 != 0.0 ? cbrt(3.0 * F / fabs(f3)) : INFINITY;
	scale[FD_FORWARD] = f2 != 0.0 ? sqrt(2.0 * F / fabs(f2)) : INFINITY;
	tensor_free(base);
	f64(w);
}

/* ---- which entry, and the kink ---- */

/* The indices of flat entry j of t. */
static int
unflatten(const tensor_t *t, size_t j, long *idx)
{
	int k;

	for (k = (int)t->ndim - 1; k >= 0; k--) {
		idx[k] = (long)(j % t->shape[k]);
		j /= t->shape[k];
	}
	return (int)t->ndim;
}

/* Does output o = (b, co, ho, wo) read entry j of wrt? Through input
 * element *in (flat; -1: none, for bias) times weight element *wt. */
static bool
output_reads(const world_t *w, conv_wrt_t wrt, size_t j, const long *o,
    long *in, long *wt)
{
	const conv_shape_t *s = &w->s;
	long cpg = conv_group_cin(s), c0 = o[1] / conv_group_cout(s) * cpg;
	long cg, di, dj;

	*in = *wt = -1;
	if (wrt == WRT_BIAS)
		return (long)j == o[1];
	for (cg = 0; cg < cpg; cg++)
	for (di = 0; di < s->R; di++)
	for (dj = 0; dj < s->S; dj++) {
		long h = s->strh * o[2] + s->dil_h * di - s->pad_h;
		long x = s->strw * o[3] + s->dil_w * dj - s->pad_w;
		long fi, fw = ((o[1] * cpg + cg) * s->R + di) * s->S + dj;

		if (h < 0 || h >= s->H_in || x < 0 || x >= s->W_in)
			continue;
		fi = ((o[0] * s->C_in + c0 + cg) * s->H_in + h) * s->W_in + x;
		if ((wrt == WRT_INPUT && fi == (long)j) ||
		    (wrt == WRT_WEIGHT && fw == (long)j)) {
			*in = fi;
			*wt = fw;
			return true;
		}
	}
	return false;
}

/* The first output that reads entry j (its indices into o), or false. */
static bool
first_reader(const world_t *w, conv_wrt_t wrt, size_t j, long *o)
{
	long in, wt;
	size_t k;

	for (k = 0; k < w->out->size; k++) {
		unflatten(w->out, k, o);
		if (output_reads(w, wrt, j, o, &in, &wt))
			return true;
	}
	return false;
}

/*
 * Put output o exactly on relu's kink, in both precisions: every term
 * input * weight of o is made exactly 0 and its bias 0, so the sum is 0
 * whatever the order. The entry keeps moving o, upwards (its factor
 * made positive): for input, x_j = 0 with its weight |w|; for weight,
 * w_j = 0 with its input |x|; for bias, bias_j = 0 itself. So x_j + h
 * lifts o onto relu's slope 1 and x_j - h leaves it at 0: the backward's
 * relu'(0) = 0 is the left slope, a forward difference takes the right
 * one, a central difference their mean, whatever h. Other outputs keep
 * their random values.
 */
static void
place_on_kink(world_t *w, conv_wrt_t wrt, size_t j, const long *o)
{
	const conv_shape_t *s = &w->s;
	long cpg = conv_group_cin(s), c0 = o[1] / conv_group_cout(s) * cpg;
	long cg, di, dj, keep_in = -1, keep_wt = -1;

	if (wrt != WRT_BIAS)
		output_reads(w, wrt, j, o, &keep_in, &keep_wt);
	for (cg = 0; cg < cpg; cg++)
	for (di = 0; di < s->R; di++)
	for (dj = 0; dj < s->S; dj++) {
		long h = s->strh * o[2] + s->dil_h * di - s->pad_h;
		long x = s->strw * o[3] + s->dil_w * dj - s->pad_w;
		long fi;

		if (h < 0 || h >= s->H_in || x < 0 || x >= s->W_in)
			continue;
		fi = ((o[0] * s->C_in + c0 + cg) * s->H_in + h) * s->W_in + x;
		if (wrt != WRT_WEIGHT || fi != keep_in)
			w->p.input->data[fi] = 0.0;
	}
	if (wrt == WRT_WEIGHT) {
		w->p.weight->data[keep_wt] = 0.0;
		w->p.input->data[keep_in] = fabs(w->p.input->data[keep_in]);
	} else if (wrt == WRT_INPUT) {
		w->p.weight->data[keep_wt] = fabs(w->p.weight->data[keep_wt]);
	}
	w->p.bias->data[o[1]] = 0.0;
	world_sync32(w);
}

/* The entry: opts' own, or the first from the middle on that an output
 * reads. -1 with *err when there is none or opts' is not read. */
static int
choose_entry(const world_t *w, const lab_opts_t *o, size_t *j, long *out,
    char **err)
{
	const char *name = conv_wrt_name(o->wrt);
	size_t n = w->n[o->wrt], k, start;

	if (o->entry >= 0) {
		if ((size_t)o->entry >= n)
			return set_error(err, "--entry: %s has %zu entries "
			    "(0 .. %zu), not %ld", name, n, n - 1, o->entry);
		*j = (size_t)o->entry;
		if (!first_reader(w, o->wrt, *j, out))
			return set_error(err, "--entry %ld: no output reads that "
			    "entry of %s at this shape (the stride or the padding "
			    "skips it), so its derivative is 0: choose another",
			    o->entry, name);
		return 0;
	}
	/* input: from the middle of image 0, channel 0 (a pixel several
	 * windows read); weight and bias: from the middle */
	start = o->wrt == WRT_INPUT ? (size_t)(w->s.H_in / 2 * w->s.W_in +
	    w->s.W_in / 2) : n / 2;
	for (k = 0; k < n; k++) {
		*j = (start + k) % n;
		if (first_reader(w, o->wrt, *j, out))
			return 0;
	}
	return set_error(err, "no entry of %s is read by an output at this "
	    "shape", name);
}

/* ---- the sweep ---- */

/* Relative to the exact value; absolute when that is 0 (relu with every
 * output the entry reads below 0). */
static double
rel_err(double est, double exact)
{
	if (!isfinite(est))
		return INFINITY;
	return exact == 0.0 ? fabs(est) : fabs(est - exact) / fabs(exact);
}

static void
sweep_point(world_t *w, lab_result_t *r, size_t j, double f0, float f0_32,
    lab_point_t *pt)
{
	conv_wrt_t wrt = r->o.wrt;
	float h32 = (float)pt->h;
	double hi = f64_at(w, wrt, j, pt->h), lo = f64_at(w, wrt, j, -pt->h);
	float hi32 = f32_at(w, wrt, j, h32), lo32 = f32_at(w, wrt, j, -h32);

	pt->est[LAB_F64][FD_CENTRAL] = (hi - lo) / (2.0 * pt->h);
	pt->est[LAB_F64][FD_FORWARD] = (hi - f0) / pt->h;
	pt->est[LAB_F32][FD_CENTRAL] = (double)((hi32 - lo32) / (2.0f * h32));
	pt->est[LAB_F32][FD_FORWARD] = (double)((hi32 - f0_32) / h32);
}

static void
find_minima(lab_result_t *r)
{
	int p, m, i;

	for (p = 0; p < LAB_NPREC; p++)
	for (m = 0; m < LAB_NMETHOD; m++) {
		lab_min_t *mn = &r->min[p][m];

		mn->point = -1;
		for (i = 0; i < r->npoints; i++) {
			double e = r->points[i].err[p][m];

			if (isfinite(e) && (mn->point < 0 || e < mn->err)) {
				mn->point = i;
				mn->err = e;
				mn->h = r->points[i].h;
			}
		}
	}
}

static int
check_opts(lab_opts_t *o, char **err)
{
	conv_shape_t *s = &o->shape;
	double work;

	if (o->per_decade < 1 || o->per_decade > 10)
		return set_error(err, "--points: expected 1 to 10 steps per "
		    "decade, got %d", o->per_decade);
	if (conv_shape_validate(s, 0, err) != 0)
		return -1;
	work = (double)conv_output_size(s) * (double)conv_group_cin(s) *
	    (double)s->R * (double)s->S;
	if (work > LAB_MAX_WORK)
		return set_error(err, "the shape needs %.3g multiply-adds per "
		    "forward pass, and the lab runs about 200 of them: at most "
		    "%.0e (a smaller --shape)", work, LAB_MAX_WORK);
	return 0;
}

int
lab_step_size(const lab_opts_t *opts, lab_result_t **out, char **err)
{
	lab_result_t *r;
	world_t w;
	size_t j = 0;
	double f0;
	float f0_32;
	int i;

	*out = NULL;
	r = xcalloc(1, sizeof *r);
	r->o = *opts;
	if (check_opts(&r->o, err) != 0) {
		free(r);
		return -1;
	}
	world_init(&w, &r->o);
	if (choose_entry(&w, &r->o, &j, r->kink_out, err) != 0) {
		world_free(&w);
		free(r);
		return -1;
	}
	r->o.entry = (long)j;
	r->nindex = unflatten(conv_wrt_tensor(&w.p, r->o.wrt), j, r->index);
	r->kink = r->o.g == LAB_G_RELU;
	if (r->kink)
		place_on_kink(&w, r->o.wrt, j, r->kink_out);
	r->exact = exact_grad(&w, r->o.wrt, j);
	model_scales(&w, r->o.wrt, j, r->scale);
	r->f = f0 = f64(&w);
	f0_32 = f32(&w);
	r->eps[LAB_F64] = DBL_EPSILON;
	r->eps[LAB_F32] = FLT_EPSILON;
	r->npoints = LAB_DECADES * r->o.per_decade + 1;
	r->points = xcalloc((size_t)r->npoints, sizeof *r->points);
	for (i = 0; i < r->npoints; i++) {
		lab_point_t *pt = &r->points[i];
		int p, m;

		pt->h = pow(10.0, -1.0 - (double)i / r->o.per_decade);
		sweep_point(&w, r, j, f0, f0_32, pt);
		for (p = 0; p < LAB_NPREC; p++)
			for (m = 0; m < LAB_NMETHOD; m++)
				pt->err[p][m] = rel_err(pt->est[p][m], r->exact);
	}
	find_minima(r);
	world_free(&w);
	*out = r;
	return 0;
}

void
lab_result_free(lab_result_t *r)
{
	if (r == NULL)
		return;
	free(r->points);
	free(r);
}

/* ---- the chart ---- */

/* The row of an error: 0 for 1e0 and above (and not finite), k for
 * 1e-k, CHART_ROWS - 1 for 1e-16 and below (0 included). */
static int
chart_row(double e)
{
	double k;

	if (!isfinite(e) || e >= 1.0)
		return 0;
	if (e <= 0.0)
		return CHART_ROWS - 1;
	k = floor(-log10(e) + 0.5);
	return k > CHART_ROWS - 1 ? CHART_ROWS - 1 : (int)k;
}

/* The column nearest step h (columns are steps, 1e-1 at 0). */
static int
chart_col(const lab_result_t *r, double h)
{
	double c = (-log10(h) - 1.0) * r->o.per_decade;

	if (c < 0)
		return 0;
	if (c > r->npoints - 1)
		return r->npoints - 1;
	return (int)floor(c + 0.5);
}

static void
chart_axis(sbuf_t *b, const lab_result_t *r, lab_prec_t p)
{
	int n = r->npoints, step = (6 + r->o.per_decade - 1) / r->o.per_decade;
	char *lab = xmalloc((size_t)n + 8);
	int d, c, col3, col2;

	sbuf_add(b, "       +");
	for (c = 0; c < n; c++)
		sbuf_add(b, "-");
	sbuf_add(b, "\n");
	memset(lab, ' ', (size_t)n + 7);
	lab[n + 7] = '\0';
	for (d = 0; d <= LAB_DECADES; d += step) {
		char t[8];
		int len = snprintf(t, sizeof t, "1e-%d", d + 1);

		c = d * r->o.per_decade;
		if (c + len <= n + 7)
			memcpy(lab + c, t, (size_t)len);
	}
	for (c = n + 6; c >= 0 && lab[c] == ' '; c--)
		lab[c] = '\0';
	sbuf_addf(b, "   h    %s\n", lab);
	free(lab);
	col3 = chart_col(r, cbrt(r->eps[p]));
	col2 = chart_col(r, sqrt(r->eps[p]));
	sbuf_addf(b, "        %*s^ eps^(1/3) = %.2g: central's optimum\n",
	    col3, "", cbrt(r->eps[p]));
	sbuf_addf(b, "        %*s^ eps^(1/2) = %.2g: forward's optimum\n",
	    col2, "", sqrt(r->eps[p]));
}

char *
lab_chart(const lab_result_t *r, lab_prec_t p)
{
	int n = r->npoints, row, i;
	char *grid = xcalloc((size_t)CHART_ROWS * ((size_t)n + 1), 1);
	sbuf_t b;

	memset(grid, ' ', (size_t)CHART_ROWS * ((size_t)n + 1));
	for (i = 0; i < n; i++) {
		int rc = chart_row(r->points[i].err[p][FD_CENTRAL]);
		int rf = chart_row(r->points[i].err[p][FD_FORWARD]);
		char *cc = &grid[rc * (n + 1) + i], *cf = &grid[rf * (n + 1) + i];

		*cc = isfinite(r->points[i].err[p][FD_CENTRAL]) ? 'c' : '!';
		*cf = rc == rf && *cc == 'c' ? '*' :
		    isfinite(r->points[i].err[p][FD_FORWARD]) ? 'f' : '!';
	}
	sbuf_init(&b);
	for (row = 0; row < CHART_ROWS; row++) {
		char *line = &grid[row * (n + 1)];
		int len = n;

		while (len > 0 && line[len - 1] == ' ')
			len--;
		sbuf_addf(&b, "%s%02d |", row == 0 ? " 1e+" : " 1e-", row);
		sbuf_addn(&b, line, (size_t)len);
		sbuf_add(&b, "\n");
	}
	free(grid);
	chart_axis(&b, r, p);
	return sbuf_take(&b);
}

/* ---- reports ---- */

static void
print_index(FILE *f, const lab_result_t *r, const long *idx, int n,
    const char *name)
{
	int k;

	fprintf(f, "%s[", name);
	for (k = 0; k < n; k++)
		fprintf(f, "%s%ld", k > 0 ? "," : "", idx[k]);
	fprintf(f, "]");
	(void)r;
}

static const char *const prec_names[] = { "float64", "float32" };
static const char *const method_names[] = { "central", "forward" };

static void
print_notes(FILE *f, const lab_result_t *r)
{
	switch (r->o.g) {
	case LAB_G_LINEAR:
		fprintf(f, "g is linear, so f is linear in the entry, as conv2d "
		    "is: no truncation error at\nany h, only rounding (about "
		    "eps*|f|/h), which grows as h shrinks.\n");
		break;
	case LAB_G_RELU:
		fprintf(f, "The entry's output ");
		print_index(f, r, r->kink_out, 4, "output");
		fprintf(f, " is exactly 0, on relu's kink,\nand x_j + h lifts "
		    "it: relu has no derivative there (the backward takes\n"
		    "relu'(0) = 0, the left slope). Forward differences take "
		    "the right slope, 1,\ncentral ones the mean, 1/2: the error "
		    "stays put as h shrinks, and no h works.\n");
		break;
	default:
		fprintf(f, "Right of each minimum rounding dominates (about "
		    "eps*|f|/h); left of it the\ntruncation term, h^2 for "
		    "central and h for forward differences: the V. In\nfloat32 "
		    "the smallest steps are lost (x + h == x): the difference "
		    "is 0, the\nerror 100%%.\n");
		break;
	}
}

static void
print_minima(FILE *f, const lab_result_t *r, lab_prec_t p)
{
	int m;

	for (m = 0; m < LAB_NMETHOD; m++) {
		const lab_min_t *mn = &r->min[p][m];
		double want = m == FD_CENTRAL ? cbrt(r->eps[p]) : sqrt(r->eps[p]);

		if (mn->point < 0) {
			fprintf(f, "  %s: no finite estimate\n", method_names[m]);
			continue;
		}
		/* two lines, so the report fits 78 columns (the tutor's
		 * lab screen shows it as it is) */
		fprintf(f, "  %s: smallest error %.2g at h = %.2g\n    (eps^(1/%d) = "
		    "%.2g", method_names[m], mn->err, mn->h,
		    m == FD_CENTRAL ? 3 : 2, want);
		if (isfinite(r->scale[m]))
			fprintf(f, "; the model's optimum %.2g", want * r->scale[m]);
		else
			fprintf(f, "; no truncation term, no optimum");
		fprintf(f, ")\n");
	}
}

void
lab_print_text(FILE *f, const lab_result_t *r)
{
	const char *name = conv_wrt_name(r->o.wrt);
	char shape[256];
	int p, i;

	if (r->o.g == LAB_G_LINEAR)
		fprintf(f, "Step-size lab: f = sum of output over the %zu outputs,\n"
		    "differentiated by ", conv_output_size(&r->o.shape));
	else
		fprintf(f, "Step-size lab: f = sum of %s(output) over the %zu "
		    "outputs,\ndifferentiated by ", lab_g_names[r->o.g],
		    conv_output_size(&r->o.shape));
	print_index(f, r, r->index, r->nindex, name);
	fprintf(f, "\nat %s, seed %llu.\n",
	    conv_shape_str(&r->o.shape, shape, sizeof shape),
	    (unsigned long long)r->o.seed);
	fprintf(f, "f = %.17g; exact d f / d ", r->f);
	print_index(f, r, r->index, r->nindex, name);
	fprintf(f, " = %.17g\n(the backward kernel applied to g'(output), in "
	    "double).\n", r->exact);
	print_notes(f, r);
	for (p = 0; p < LAB_NPREC; p++) {
		char *chart = lab_chart(r, (lab_prec_t)p);

		fprintf(f, "\n%s (eps = %.2g): relative error against h\n"
		    "(c central, f forward, * both)\n%s", prec_names[p], r->eps[p],
		    chart);
		free(chart);
		print_minima(f, r, (lab_prec_t)p);
	}
	fprintf(f, "\nThe errors, |estimate - exact| / |exact|%s:\n"
	    "      h      central64  forward64  central32  forward32\n",
	    r->exact == 0.0 ? " (exact is 0: |estimate|)" : "");
	for (i = 0; i < r->npoints; i++) {
		const lab_point_t *pt = &r->points[i];

		fprintf(f, "  %8.2g  %9.2e  %9.2e  %9.2e  %9.2e\n", pt->h,
		    pt->err[LAB_F64][FD_CENTRAL], pt->err[LAB_F64][FD_FORWARD],
		    pt->err[LAB_F32][FD_CENTRAL], pt->err[LAB_F32][FD_FORWARD]);
	}
}

static void
json_index(FILE *f, const long *idx, int n)
{
	int k;

	fputc('[', f);
	for (k = 0; k < n; k++)
		fprintf(f, "%s%ld", k > 0 ? ", " : "", idx[k]);
	fputc(']', f);
}

static void
json_curve(FILE *f, const lab_point_t *pt, int p)
{
	int m;

	fprintf(f, "{");
	for (m = 0; m < LAB_NMETHOD; m++) {
		fprintf(f, "%s\"%s\": {\"estimate\": ", m > 0 ? ", " : "",
		    method_names[m]);
		json_num(f, pt->est[p][m]);
		fprintf(f, ", \"error\": ");
		json_num(f, pt->err[p][m]);
		fprintf(f, "}");
	}
	fprintf(f, "}");
}

static void
json_minima(FILE *f, const lab_result_t *r)
{
	int p, m;

	fprintf(f, "  \"minimum\": {");
	for (p = 0; p < LAB_NPREC; p++) {
		fprintf(f, "%s\"%s\": {", p > 0 ? ", " : "", prec_names[p]);
		for (m = 0; m < LAB_NMETHOD; m++) {
			const lab_min_t *mn = &r->min[p][m];

			fprintf(f, "%s\"%s\": {\"h\": ", m > 0 ? ", " : "",
			    method_names[m]);
			json_num(f, mn->point >= 0 ? mn->h : NAN);
			fprintf(f, ", \"error\": ");
			json_num(f, mn->point >= 0 ? mn->err : NAN);
			fprintf(f, ", \"eps_power\": ");
			json_num(f, m == FD_CENTRAL ? cbrt(r->eps[p]) :
			    sqrt(r->eps[p]));
			fprintf(f, ", \"predicted\": ");
			json_num(f, (m == FD_CENTRAL ? cbrt(r->eps[p]) :
			    sqrt(r->eps[p])) * r->scale[m]);
			fprintf(f, "}");
		}
		fprintf(f, "}");
	}
	fprintf(f, "},\n");
}

void
lab_print_json(FILE *f, const lab_result_t *r)
{
	const conv_shape_t *s = &r->o.shape;
	int i;

	fprintf(f, "{\n  \"lab\": \"step-size\",\n  \"g\": ");
	json_str(f, lab_g_names[r->o.g]);
	fprintf(f, ",\n  \"shape\": {\"N\": %ld, \"C_in\": %ld, \"H_in\": %ld, "
	    "\"W_in\": %ld, \"C_out\": %ld, \"R\": %ld, \"S\": %ld, \"strh\": "
	    "%ld, \"strw\": %ld, \"pad_h\": %ld, \"pad_w\": %ld, \"dil_h\": %ld, "
	    "\"dil_w\": %ld, \"groups\": %ld},\n", s->N, s->C_in, s->H_in,
	    s->W_in, s->C_out, s->R, s->S, s->strh, s->strw, s->pad_h, s->pad_w,
	    s->dil_h, s->dil_w, s->groups);
	fprintf(f, "  \"seed\": %llu,\n  \"wrt\": ", (unsigned long long)r->o.seed);
	json_str(f, conv_wrt_name(r->o.wrt));
	fprintf(f, ",\n  \"entry\": %ld,\n  \"index\": ", r->o.entry);
	json_index(f, r->index, r->nindex);
	fprintf(f, ",\n  \"f\": ");
	json_num(f, r->f);
	fprintf(f, ",\n  \"exact\": ");
	json_num(f, r->exact);
	fprintf(f, ",\n  \"kink\": ");
	if (r->kink)
		json_index(f, r->kink_out, 4);
	else
		fprintf(f, "null");
	fprintf(f, ",\n  \"eps\": {\"float64\": ");
	json_num(f, r->eps[LAB_F64]);
	fprintf(f, ", \"float32\": ");
	json_num(f, r->eps[LAB_F32]);
	fprintf(f, "},\n");
	json_minima(f, r);
	fprintf(f, "  \"points\": [\n");
	for (i = 0; i < r->npoints; i++) {
		fprintf(f, "    {\"h\": ");
		json_num(f, r->points[i].h);
		fprintf(f, ", \"float64\": ");
		json_curve(f, &r->points[i], LAB_F64);
		fprintf(f, ", \"float32\": ");
		json_curve(f, &r->points[i], LAB_F32);
		fprintf(f, "}%s\n", i + 1 < r->npoints ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
}
