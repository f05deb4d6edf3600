/*
 * zoo.c: the bug zoo (see zoo.h).
 *
 * Each quantity has one loop nest written like the source's formula (the
 * right kernel of conv-elem.c, with the groups of PyTorch), and each
 * mistake changes exactly the one line a person gets wrong: the window
 * position, the tap read, the range of a sum, a division. With no mistake
 * (ZOO_COUNT) the loops compute the right result; check_zoo.c holds them
 * to conv-elem.c's kernels, so a mistake's result differs from the right
 * one by that one line only.
 */
#include "zoo.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "util.h"

#define Q(x) ZOO_QTY_BIT(ZOO_##x)
/* The step of lessons/13-bug-zoo.md that shows the mistake as a refuted
 * claim, its signature and the right formula beside it; each heading
 * starts with the mistake's id (check_zoo holds every pointer to a step
 * of the bundled lesson). */
#define ZOO_STEP(title) "lessons/13-bug-zoo.md, \"" title "\""

const zoo_entry_t zoo_entries[ZOO_COUNT] = {
	[ZOO_BIAS_BATCH_ONLY] = { ZOO_BIAS_BATCH_ONLY, "bias-batch-only",
	    Q(DBIAS), "dbias[c] = sum_b df[b,c,0,0] (the source's erratum)",
	    "H_out*W_out > 1",
	    ZOO_STEP("bias-batch-only: dbias from one position") },
	[ZOO_BIAS_MEAN] = { ZOO_BIAS_MEAN, "bias-mean", Q(DBIAS),
	    "dbias averaged over N*H_out*W_out instead of summed",
	    "N*H_out*W_out > 1",
	    ZOO_STEP("bias-mean: dbias averaged") },
	[ZOO_DWEIGHT_FIRST_IMAGE] = { ZOO_DWEIGHT_FIRST_IMAGE,
	    "dweight-first-image", Q(DWEIGHT),
	    "dweight from image b = 0 only (the sum over b left out)", "N > 1",
	    ZOO_STEP("dweight-first-image: the sum over b left out") },
	[ZOO_DWEIGHT_MEAN] = { ZOO_DWEIGHT_MEAN, "dweight-mean", Q(DWEIGHT),
	    "dweight divided by N", "N > 1",
	    ZOO_STEP("dweight-mean: dweight divided by N") },
	[ZOO_WINDOW_SHORT] = { ZOO_WINDOW_SHORT, "window-short", Q(DINPUT),
	    "dinput with the last row of taps left out (di < R-1 only)",
	    "R > 1",
	    ZOO_STEP("window-short: the last row of taps left out") },
	[ZOO_TAPS_SWAPPED] = { ZOO_TAPS_SWAPPED, "taps-swapped",
	    Q(DINPUT) | Q(OUTPUT),
	    "weight[c_out,c_in,dj,di] read for weight[c_out,c_in,di,dj]",
	    "R = S > 1",
	    ZOO_STEP("taps-swapped: weight[dj, di] for [di, dj]") },
	[ZOO_CHANNELS_SWAPPED] = { ZOO_CHANNELS_SWAPPED, "channels-swapped",
	    Q(DINPUT) | Q(OUTPUT),
	    "weight[c_in,c_out,di,dj] read for weight[c_out,c_in,di,dj]",
	    "C_in = C_out > 1, groups = 1",
	    ZOO_STEP("channels-swapped: weight[c_in, c_out]") },
	[ZOO_KERNEL_FLIPPED] = { ZOO_KERNEL_FLIPPED, "kernel-flipped",
	    Q(DINPUT), "dinput of the kernel rotated by 180 degrees, "
	    "weight[c_out,c_in,R-1-di,S-1-dj] (a true convolution; conv2d is a "
	    "correlation)", "R > 1 or S > 1",
	    ZOO_STEP("kernel-flipped: the kernel rotated") },
	[ZOO_STRIDE_IGNORED] = { ZOO_STRIDE_IGNORED, "stride-ignored",
	    Q(DINPUT), "dinput with both strides taken as 1: h_in = h_out + "
	    "dil_h*di - pad_h", "a stride > 1",
	    ZOO_STEP("stride-ignored: the strides taken as 1") },
	[ZOO_PADDING_IGNORED] = { ZOO_PADDING_IGNORED, "padding-ignored",
	    Q(DINPUT), "dinput with the padding not subtracted: h_in = "
	    "strh*h_out + dil_h*di, out-of-range terms dropped", "padding > 0",
	    ZOO_STEP("padding-ignored: the padding not subtracted") },
	[ZOO_DILATION_IGNORED] = { ZOO_DILATION_IGNORED, "dilation-ignored",
	    Q(DINPUT) | Q(DWEIGHT) | Q(OUTPUT), "taps at di, dj instead of "
	    "dil_h*di, dil_w*dj", "a dilation > 1",
	    ZOO_STEP("dilation-ignored: taps adjacent") },
	[ZOO_FORWARD_NO_BIAS] = { ZOO_FORWARD_NO_BIAS, "forward-no-bias",
	    Q(OUTPUT), "output without the bias (the source's forward formulas "
	    "leave it out)", "a nonzero bias",
	    ZOO_STEP("forward-no-bias: the output without its bias") },
	[ZOO_NOT_FINITE] = { ZOO_NOT_FINITE, "not-finite",
	    Q(OUTPUT) | Q(DINPUT) | Q(DWEIGHT) | Q(DBIAS),
	    "NaN or Inf in the result (an output buffer read before it was "
	    "written, an uninitialised sum, an overflow)", NULL,
	    ZOO_STEP("not-finite: NaN or Inf in the result") },
};

const char *
zoo_qty_name(zoo_qty_t q)
{
	static const char *const names[ZOO_NQTY] = { "output", "dinput",
	    "dweight", "dbias" };

	assert(q < ZOO_NQTY);
	return names[q];
}

const char *const *
zoo_qty_names(zoo_qty_t q)
{
	static const char *const names[ZOO_NQTY][4] = {
		{ "b", "c_out", "h_out", "w_out" }, { "b", "c_in", "h_in", "w_in" },
		{ "c_out", "c_in", "di", "dj" }, { "c_out" },
	};

	assert(q < ZOO_NQTY);
	return names[q];
}

const zoo_entry_t *
zoo_find(const char *name)
{
	int i;

	for (i = 0; i < ZOO_COUNT; i++)
		if (strcmp(zoo_entries[i].name, name) == 0)
			return &zoo_entries[i];
	return NULL;
}

int
zoo_qty_dims(zoo_qty_t q, const conv_shape_t *s, size_t d[4])
{
	long cin_g = s->C_in / s->groups;

	d[0] = d[1] = d[2] = d[3] = 1;
	switch (q) {
	case ZOO_OUTPUT:
		d[0] = (size_t)s->N, d[1] = (size_t)s->C_out;
		d[2] = (size_t)s->H_out, d[3] = (size_t)s->W_out;
		return 4;
	case ZOO_DINPUT:
		d[0] = (size_t)s->N, d[1] = (size_t)s->C_in;
		d[2] = (size_t)s->H_in, d[3] = (size_t)s->W_in;
		return 4;
	case ZOO_DWEIGHT:
		d[0] = (size_t)s->C_out, d[1] = (size_t)cin_g;
		d[2] = (size_t)s->R, d[3] = (size_t)s->S;
		return 4;
	default:
		d[0] = (size_t)s->C_out;
		return 1;
	}
}

/* Is the bias there and not all zero? */
static bool
has_bias(const tensor_t *bias)
{
	size_t i;

	for (i = 0; bias != NULL && i < bias->size; i++)
		if (bias->data[i] != 0)
			return true;
	return false;
}

bool
zoo_applies(zoo_id_t id, zoo_qty_t q, const zoo_problem_t *p)
{
	const conv_shape_t *s = p->s;

	if (id >= ZOO_NOT_FINITE || !(zoo_entries[id].qtys & ZOO_QTY_BIT(q)))
		return false;
	switch (id) {
	case ZOO_BIAS_BATCH_ONLY:
		return s->H_out * s->W_out > 1;
	case ZOO_BIAS_MEAN:
		return s->N * s->H_out * s->W_out > 1;
	case ZOO_DWEIGHT_FIRST_IMAGE:
	case ZOO_DWEIGHT_MEAN:
		return s->N > 1;
	case ZOO_WINDOW_SHORT:
		return s->R > 1;
	case ZOO_TAPS_SWAPPED:
		return s->R == s->S && s->R > 1;
	case ZOO_CHANNELS_SWAPPED:
		return s->C_in == s->C_out && s->C_in > 1 && s->groups == 1;
	case ZOO_KERNEL_FLIPPED:
		return s->R > 1 || s->S > 1;
	case ZOO_STRIDE_IGNORED:
		return s->strh > 1 || s->strw > 1;
	case ZOO_PADDING_IGNORED:
		return s->pad_h > 0 || s->pad_w > 0;
	case ZOO_DILATION_IGNORED:
		return s->dil_h > 1 || s->dil_w > 1;
	case ZOO_FORWARD_NO_BIAS:
		return has_bias(p->bias);
	default:
		return false;
	}
}

/* Tensor values as a kernel reads them: as they are, or their absolute
 * values for the sums of |terms|. */
static inline double
rd(double v, bool abs)
{
	return abs ? fabs(v) : v;
}

/* The geometry of a kernel as it runs: the real one, or the one a mistake
 * makes of it (a stride taken as 1, the padding not subtracted, ...). */
typedef struct geom {
	long strh, strw, pad_h, pad_w, dil_h, dil_w;
	long R_used;               /* taps di < R_used are summed */
	long cin_g, cout_g;        /* channels per group */
} geom_t;

static geom_t
geom_of(zoo_id_t m, const conv_shape_t *s)
{
	geom_t g = { s->strh, s->strw, s->pad_h, s->pad_w, s->dil_h, s->dil_w,
	    s->R, s->C_in / s->groups, s->C_out / s->groups };

	if (m == ZOO_STRIDE_IGNORED)
		g.strh = g.strw = 1;
	if (m == ZOO_PADDING_IGNORED)
		g.pad_h = g.pad_w = 0;
	if (m == ZOO_DILATION_IGNORED)
		g.dil_h = g.dil_w = 1;
	if (m == ZOO_WINDOW_SHORT)
		g.R_used = s->R - 1;
	return g;
}

/* The input pixel (*hi, *wi) under tap (di, dj) of output (ho, wo) as g
 * places it; false if it falls in the padding (the term is zero). */
static inline bool
window_at(const geom_t *g, const conv_shape_t *s, long ho, long wo, long di,
    long dj, long *hi, long *wi)
{
	*hi = g->strh * ho + g->dil_h * di - g->pad_h;
	*wi = g->strw * wo + g->dil_w * dj - g->pad_w;
	return *hi >= 0 && *hi < s->H_in && *wi >= 0 && *wi < s->W_in;
}

/* The tap that multiplies: weight[c_out,c_in,di,dj] (c_in within the
 * group), or the one a mistake reads instead. */
static inline double
tap(const tensor_t *w, zoo_id_t m, long c_out, long c_in, long di, long dj,
    bool abs)
{
	long R = (long)w->shape[2], S = (long)w->shape[3];

	switch (m) {
	case ZOO_TAPS_SWAPPED:
		return rd(T4(w, c_out, c_in, dj, di), abs);
	case ZOO_CHANNELS_SWAPPED:
		return rd(T4(w, c_in, c_out, di, dj), abs);
	case ZOO_KERNEL_FLIPPED:
		return rd(T4(w, c_out, c_in, R - 1 - di, S - 1 - dj), abs);
	default:
		return rd(T4(w, c_out, c_in, di, dj), abs);
	}
}

/* output[b,c_out,h_out,w_out] = bias[c_out] + sum_{c_in,di,dj}
 *   input[b, c_in, strh*h_out + dil_h*di - pad_h, strw*w_out + dil_w*dj
 *   - pad_w] * weight[c_out,c_in,di,dj], c_in over c_out's group. */
static void
output_core(tensor_t *out, zoo_id_t m, const zoo_problem_t *p, bool abs)
{
	const conv_shape_t *s = p->s;
	geom_t g = geom_of(m, s);
	long b, co, ho, wo, ci, di, dj;

	for (b = 0; b < s->N; b++)
	for (co = 0; co < s->C_out; co++)
	for (ho = 0; ho < s->H_out; ho++)
	for (wo = 0; wo < s->W_out; wo++) {
		long c0 = co / g.cout_g * g.cin_g;
		double acc = p->bias != NULL && m != ZOO_FORWARD_NO_BIAS ?
		    rd(T1(p->bias, co), abs) : 0.0;

		for (ci = 0; ci < g.cin_g; ci++)
		for (di = 0; di < g.R_used; di++)
		for (dj = 0; dj < s->S; dj++) {
			long hi, wi;

			if (!window_at(&g, s, ho, wo, di, dj, &hi, &wi))
				continue;
			acc += rd(T4(p->input, b, c0 + ci, hi, wi), abs) *
			    tap(p->weight, m, co, ci, di, dj, abs);
		}
		T4(out, b, co, ho, wo) = acc;
	}
}

/* dinput[b,c_in,h_in,w_in] = sum_{c_out,h_out,w_out} df[b,c_out,h_out,
 *   w_out] * weight[c_out,c_in,di,dj] where h_in = strh*h_out + dil_h*di
 *   - pad_h, w_in = strw*w_out + dil_w*dj - pad_w: scattered from each
 *   output over its window. */
static void
dinput_core(tensor_t *dinput, zoo_id_t m, const zoo_problem_t *p, bool abs)
{
	const conv_shape_t *s = p->s;
	geom_t g = geom_of(m, s);
	long b, co, ho, wo, ci, di, dj;

	tensor_zero(dinput);
	for (b = 0; b < s->N; b++)
	for (co = 0; co < s->C_out; co++)
	for (ho = 0; ho < s->H_out; ho++)
	for (wo = 0; wo < s->W_out; wo++) {
		long c0 = co / g.cout_g * g.cin_g;
		double d = rd(T4(p->df, b, co, ho, wo), abs);

		for (ci = 0; ci < g.cin_g; ci++)
		for (di = 0; di < g.R_used; di++)
		for (dj = 0; dj < s->S; dj++) {
			long hi, wi;

			if (!window_at(&g, s, ho, wo, di, dj, &hi, &wi))
				continue;
			T4(dinput, b, c0 + ci, hi, wi) += d *
			    tap(p->weight, m, co, ci, di, dj, abs);
		}
	}
}

/* dweight[c_out,c_in,di,dj] = sum_{b,h_out,w_out} df[b,c_out,h_out,w_out]
 *   * input[b, c_in (of c_out's group), strh*h_out + dil_h*di - pad_h,
 *   strw*w_out + dil_w*dj - pad_w] */
static void
dweight_core(tensor_t *dw, zoo_id_t m, const zoo_problem_t *p, bool abs)
{
	const conv_shape_t *s = p->s;
	geom_t g = geom_of(m, s);
	long N_used = m == ZOO_DWEIGHT_FIRST_IMAGE ? 1 : s->N;
	long b, co, ho, wo, ci, di, dj;

	for (co = 0; co < s->C_out; co++)
	for (ci = 0; ci < g.cin_g; ci++)
	for (di = 0; di < s->R; di++)
	for (dj = 0; dj < s->S; dj++) {
		long c_in = co / g.cout_g * g.cin_g + ci;
		double acc = 0.0;

		for (b = 0; b < N_used; b++)
		for (ho = 0; ho < s->H_out; ho++)
		for (wo = 0; wo < s->W_out; wo++) {
			long hi, wi;

			if (!window_at(&g, s, ho, wo, di, dj, &hi, &wi))
				continue;
			acc += rd(T4(p->df, b, co, ho, wo), abs) *
			    rd(T4(p->input, b, c_in, hi, wi), abs);
		}
		T4(dw, co, ci, di, dj) = m == ZOO_DWEIGHT_MEAN ?
		    acc / (double)s->N : acc;
	}
}

/* dbias[c_out] = sum_{b,h_out,w_out} df[b,c_out,h_out,w_out] */
static void
dbias_core(tensor_t *db, zoo_id_t m, const zoo_problem_t *p, bool abs)
{
	const conv_shape_t *s = p->s;
	long H = m == ZOO_BIAS_BATCH_ONLY ? 1 : s->H_out;
	long W = m == ZOO_BIAS_BATCH_ONLY ? 1 : s->W_out;
	long b, co, ho, wo;

	for (co = 0; co < s->C_out; co++) {
		double acc = 0.0;

		for (b = 0; b < s->N; b++)
		for (ho = 0; ho < H; ho++)
		for (wo = 0; wo < W; wo++)
			acc += rd(T4(p->df, b, co, ho, wo), abs);
		T1(db, co) = m == ZOO_BIAS_MEAN ?
		    acc / (double)(s->N * s->H_out * s->W_out) : acc;
	}
}

void
zoo_compute(tensor_t *out, zoo_id_t id, zoo_qty_t q, const zoo_problem_t *p,
    bool abs)
{
	size_t d[4];
	int n = zoo_qty_dims(q, p->s, d), k;

	assert(id == ZOO_COUNT || zoo_applies(id, q, p));
	assert(out->ndim == n);
	for (k = 0; k < n; k++)
		assert(out->shape[k] == d[k]);
	(void)n;
	(void)k;
	switch (q) {
	case ZOO_OUTPUT:
		output_core(out, id, p, abs);
		break;
	case ZOO_DINPUT:
		dinput_core(out, id, p, abs);
		break;
	case ZOO_DWEIGHT:
		dweight_core(out, id, p, abs);
		break;
	default:
		dbias_core(out, id, p, abs);
		break;
	}
}

/* Does a agree with b at every entry within gamma * bound? */
static bool
agrees(const tensor_t *a, const tensor_t *b, const tensor_t *bound,
    double gamma)
{
	size_t i;

	for (i = 0; i < a->size; i++)
		if (!(fabs(a->data[i] - b->data[i]) <= gamma * bound->data[i]))
			return false;
	return true;
}

static bool
all_finite(const tensor_t *t)
{
	size_t i;

	for (i = 0; i < t->size; i++)
		if (!isfinite(t->data[i]))
			return false;
	return true;
}

const zoo_entry_t *
zoo_diagnose(zoo_qty_t q, const tensor_t *got, double gamma,
    const zoo_problem_t *p)
{
	const zoo_entry_t *found = NULL;
	tensor_t *right, *wrong, *bound;
	int id;

	if (!all_finite(got))
		return &zoo_entries[ZOO_NOT_FINITE];
	right = tensor_create(got->ndim, got->shape);
	wrong = tensor_create(got->ndim, got->shape);
	bound = tensor_create(got->ndim, got->shape);
	zoo_compute(right, ZOO_COUNT, q, p, false);
	for (id = 0; id < ZOO_NOT_FINITE && found == NULL; id++) {
		if (!zoo_applies((zoo_id_t)id, q, p))
			continue;
		zoo_compute(wrong, (zoo_id_t)id, q, p, false);
		zoo_compute(bound, (zoo_id_t)id, q, p, true);
		/* A mistake that changes nothing here cannot be told apart. */
		if (agrees(wrong, right, bound, 2 * gamma))
			continue;
		if (agrees(got, wrong, bound, gamma))
			found = &zoo_entries[id];
	}
	tensor_free(right);
	tensor_free(wrong);
	tensor_free(bound);
	return found;
}
