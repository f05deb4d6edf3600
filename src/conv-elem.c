/*
 * conv-elem.c: element-form conv2d kernels, the reference for every other
 * form. Each loop nest is the source derivation's formula read literally:
 * one output (or gradient) element at a time, a sum over the indices the
 * formula sums over. Zero padding is a position outside the input; such
 * terms are skipped, which is the same as reading a zero. Dilation spaces
 * the kernel taps: tap di sits dil_h*di rows below the window's top.
 * Groups (PyTorch's): output channel c_out belongs to group
 * grp = c_out / (C_out/groups) and sums only over that group's input
 * channels c_in = grp*(C_in/groups) + cg, cg < C_in/groups, with the
 * weight's second index cg; groups = 1 is the source's formula exactly.
 *
 * Slow on purpose (no blocking, no reuse); conv-matrix.c is the fast twin
 * and the tests check the two against each other and against finite
 * differences. Three changes make it less slow without changing a single
 * bit of any result, because every element still receives the same terms
 * in the same order as in the literal loop nest (tests/check_conv.c keeps
 * that literal nest and compares bit for bit):
 *   - the output width runs innermost: the loops over the summed indices
 *     move outside it, and each element of an output row accumulates in
 *     place (in memory, a double, exactly as the scalar sum did);
 *   - the padding test is hoisted: a tap row whose h_in is outside the
 *     input is skipped whole, and along the width the w_out for which w_in
 *     is inside form one range, computed once (conv_axis_range);
 *   - OpenMP threads take whole (b, c_out) planes (forward), (b, c_in)
 *     planes (dinput) or (c_out, cg) weight slices (dweight): each element
 *     is summed by one thread, so the result does not depend on timing.
 *     Below PARALLEL_MIN_WORK multiply-adds (parallel.h says why) the
 *     kernels stay serial.
 */
#include "conv-elem.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "parallel.h"

/* Does t have shape (a, b, c, d)? For the asserts at each kernel's top. */
static bool
is_shape4(const tensor_t *t, long a, long b, long c, long d)
{
	return t->ndim == 4 && t->shape[0] == (size_t)a &&
	    t->shape[1] == (size_t)b && t->shape[2] == (size_t)c &&
	    t->shape[3] == (size_t)d;
}

static bool
is_bias(const tensor_t *bias, long C_out)
{
	return bias == NULL || (bias->ndim == 1 && bias->shape[0] == (size_t)C_out);
}

/* Multiply-adds of one pass: every output element times its taps. */
static bool
worth_threads(const conv_shape_t *s)
{
	double work = (double)conv_output_size(s) * (double)conv_group_cin(s) *
	    (double)(s->R * s->S);

	return work >= PARALLEL_MIN_WORK && parallel_max_threads() > 1;
}

/*
 * One output row's terms from one input channel: for every tap (di, dj) in
 * order, sum[w_out] += x[h_in, w_in] * w[di, dj] at every w_out whose
 * (h_in, w_in) is inside the input. x is the channel's H_in x W_in plane,
 * w the R x S taps of weight[c_out, cg].
 */
static void
forward_row(double *restrict sum, const double *restrict x,
    const double *restrict w, long h_out, const conv_shape_t *s)
{
	long di, dj, w_out, lo, hi;

	for (di = 0; di < s->R; di++) {
		long h_in = s->strh * h_out + s->dil_h * di - s->pad_h;
		const double *xrow;

		if (h_in < 0 || h_in >= s->H_in)
			continue;               /* zero padding */
		xrow = x + h_in * s->W_in;
		for (dj = 0; dj < s->S; dj++) {
			long off = s->dil_w * dj - s->pad_w;
			double wt = w[di * s->S + dj];

			conv_axis_range(off, s->strw, s->W_in, s->W_out, &lo, &hi);
			if (s->strw == 1) {
				/* the same sums, contiguous: the compiler may
				 * vectorize across w_out (each element's terms
				 * still come one by one, in order) */
				const double *xr = xrow + off;

				for (w_out = lo; w_out < hi; w_out++)
					sum[w_out] += xr[w_out] * wt;
				continue;
			}
			for (w_out = lo; w_out < hi; w_out++)
				sum[w_out] += xrow[s->strw * w_out + off] * wt;
		}
	}
}

/*
 * input (N, C_in, H_in, W_in), weight (C_out, C_in/groups, R, S), bias
 * (C_out) or NULL, output (N, C_out, H_out, W_out). The source's second
 * formula, over the group of c_out (grp = c_out / (C_out/groups)):
 *   output[b,c_out,h_out,w_out] = bias[c_out] + sum_{cg,di,dj}
 *     input[b,c_in, strh*h_out + dil_h*di - pad_h, strw*w_out + dil_w*dj - pad_w]
 *     * weight[c_out,cg,di,dj],   c_in = grp*(C_in/groups) + cg
 */
void
conv2d_forward_elem(tensor_t *output, const tensor_t *input,
    const tensor_t *weight, const tensor_t *bias, const conv_shape_t *s)
{
	const long Cg_in = conv_group_cin(s), Cg_out = conv_group_cout(s);
	long b, c_out;

	assert(is_shape4(input, s->N, s->C_in, s->H_in, s->W_in));
	assert(is_shape4(weight, s->C_out, Cg_in, s->R, s->S));
	assert(is_shape4(output, s->N, s->C_out, s->H_out, s->W_out));
	assert(is_bias(bias, s->C_out));
#ifdef _OPENMP
#pragma omp parallel for collapse(2) schedule(static) if (worth_threads(s))
#endif
	for (b = 0; b < s->N; b++)
	for (c_out = 0; c_out < s->C_out; c_out++) {
		long c_in0 = c_out / Cg_out * Cg_in;    /* its group's first */
		long h_out, w_out, cg;

		for (h_out = 0; h_out < s->H_out; h_out++) {
			/* the row's sums, each starting at the bias */
			double *sum = &T4(output, b, c_out, h_out, 0);

			for (w_out = 0; w_out < s->W_out; w_out++)
				sum[w_out] = bias != NULL ? T1(bias, c_out) : 0.0;
			for (cg = 0; cg < Cg_in; cg++)
				forward_row(sum, &T4(input, b, c_in0 + cg, 0, 0),
				    &T4(weight, c_out, cg, 0, 0), h_out, s);
		}
	}
}

/*
 * input_nhwc (N, H_in, W_in, C_in), filter_hwio (R, S, C_in/groups, C_out),
 * bias (C_out) or NULL, output_nhwc (N, H_out, W_out, C_out). TensorFlow's
 * formula, the source's first, with its names (i, j, k, q):
 *   output[b,i,j,k] = bias[k] + sum_{di,dj,q}
 *     input[b, strides[1]*i + di, strides[2]*j + dj, q0 + q] * filter[di,dj,q,k]
 * (with dilation and padding: row strh*i + dil_h*di - pad_h, and so on;
 * with groups, q < C_in/groups and q0 = (k / (C_out/groups)) * C_in/groups,
 * the first input channel of k's group, as TensorFlow's grouped conv2d).
 */
void
conv2d_forward_nhwc_elem(tensor_t *output_nhwc, const tensor_t *input_nhwc,
    const tensor_t *filter_hwio, const tensor_t *bias, const conv_shape_t *s)
{
	const long Cg_in = conv_group_cin(s), Cg_out = conv_group_cout(s);
	long b, i;

	assert(is_shape4(input_nhwc, s->N, s->H_in, s->W_in, s->C_in));
	assert(is_shape4(filter_hwio, s->R, s->S, Cg_in, s->C_out));
	assert(is_shape4(output_nhwc, s->N, s->H_out, s->W_out, s->C_out));
	assert(is_bias(bias, s->C_out));
#ifdef _OPENMP
#pragma omp parallel for collapse(2) schedule(static) if (worth_threads(s))
#endif
	for (b = 0; b < s->N; b++)
	for (i = 0; i < s->H_out; i++)
	for (long j = 0; j < s->W_out; j++)
	for (long k = 0; k < s->C_out; k++) {
		double sum = bias != NULL ? T1(bias, k) : 0.0;
		long q0 = k / Cg_out * Cg_in, di, dj, q;

		for (di = 0; di < s->R; di++) {
			long h_in = s->strh * i + s->dil_h * di - s->pad_h;

			if (h_in < 0 || h_in >= s->H_in)
				continue;       /* zero padding */
			for (dj = 0; dj < s->S; dj++) {
				long w_in = s->strw * j + s->dil_w * dj - s->pad_w;

				if (w_in < 0 || w_in >= s->W_in)
					continue;       /* zero padding */
				for (q = 0; q < Cg_in; q++)
					sum += T4(input_nhwc, b, h_in, w_in, q0 + q) *
					    T4(filter_hwio, di, dj, q, k);
			}
		}
		T4(output_nhwc, b, i, j, k) = sum;
	}
}

/*
 * Which output row (or column) sees input row h_in through tap di?
 * h_in = str*h_out + dil*di - pad, so h_out = (h_in + pad - dil*di) / str
 * when that divides evenly and lands in [0, out). Returns -1 otherwise:
 * then d output / d input is 0 (the source's "h_in not in the window" case).
 */
static long
window_of(long in_pos, long tap, long str, long pad, long dil, long out)
{
	long num = in_pos + pad - dil * tap;

	if (num < 0 || num % str != 0 || num / str >= out)
		return -1;
	return num / str;
}

/*
 * The terms of one dinput row from kernel row di, whose window row is
 * h_out: for each tap dj and each c_out of group grp, in that order,
 * sum[w_in] += df[b, c_out, h_out, w_out] * weight[c_out, cg, di, dj] at
 * every w_out whose w_in = strw*w_out + dil_w*dj - pad_w is inside the
 * input. For one w_in and one dj there is at most one such w_out, so each
 * element receives its terms in the order (di, dj, c_out), the literal
 * loop's.
 */
static void
dinput_row(double *sum, const tensor_t *df, const tensor_t *weight, long b,
    long grp, long cg, long di, long h_out, const conv_shape_t *s)
{
	const long Cg_out = conv_group_cout(s);
	long dj, c_out, w_out, lo, hi;

	for (dj = 0; dj < s->S; dj++) {
		long off = s->dil_w * dj - s->pad_w;

		conv_axis_range(off, s->strw, s->W_in, s->W_out, &lo, &hi);
		for (c_out = grp * Cg_out; c_out < (grp + 1) * Cg_out; c_out++) {
			const double *g = &T4(df, b, c_out, h_out, 0);
			double wt = T4(weight, c_out, cg, di, dj);

			for (w_out = lo; w_out < hi; w_out++)
				sum[s->strw * w_out + off] += g[w_out] * wt;
		}
	}
}

/*
 * df (N, C_out, H_out, W_out), weight (C_out, C_in/groups, R, S), dinput
 * (N, C_in, H_in, W_in), OVERWRITTEN. The source's input chain rule,
 * element form:
 *   dinput[b,c_in,h_in,w_in] = sum_{c_out,h_out,w_out} df[b,c_out,h_out,w_out]
 *     * d output[b,c_out,h_out,w_out] / d input[b,c_in,h_in,w_in]
 * where the partial is weight[c_out,c_in,di,dj] when
 *   h_in = strh*h_out + dil_h*di - pad_h and w_in = strw*w_out + dil_w*dj - pad_w
 * for some tap (di, dj), and 0 otherwise (other images b1 != b contribute
 * nothing, as the source's last line says). With groups, only the
 * C_out/groups output channels of c_in's group grp = c_in / (C_in/groups)
 * read c_in, through weight[c_out, c_in - grp*(C_in/groups), di, dj]; the
 * others' partial is 0. The nonzero terms are found by
 * running over the taps (di, dj) and solving for (h_out, w_out), which
 * visits exactly the same terms as running over (h_out, w_out); c_out runs
 * innermost so each tap's window is solved once.
 */
void
conv2d_backward_input_elem(tensor_t *dinput, const tensor_t *df,
    const tensor_t *weight, const conv_shape_t *s)
{
	const long Cg_in = conv_group_cin(s);
	long b, c_in;

	assert(is_shape4(df, s->N, s->C_out, s->H_out, s->W_out));
	assert(is_shape4(weight, s->C_out, Cg_in, s->R, s->S));
	assert(is_shape4(dinput, s->N, s->C_in, s->H_in, s->W_in));
#ifdef _OPENMP
#pragma omp parallel for collapse(2) schedule(static) if (worth_threads(s))
#endif
	for (b = 0; b < s->N; b++)
	for (c_in = 0; c_in < s->C_in; c_in++) {
		long grp = c_in / Cg_in, cg = c_in - grp * Cg_in, h_in, di;

		for (h_in = 0; h_in < s->H_in; h_in++) {
			/* the row's sums; w_in runs innermost below */
			double *sum = &T4(dinput, b, c_in, h_in, 0);

			memset(sum, 0, (size_t)s->W_in * sizeof(double));
			for (di = 0; di < s->R; di++) {
				long h_out = window_of(h_in, di, s->strh, s->pad_h,
				    s->dil_h, s->H_out);

				if (h_out >= 0)
					dinput_row(sum, df, weight, b, grp, cg, di,
					    h_out, s);
			}
		}
	}
}

/*
 * df (N, C_out, H_out, W_out), input (N, C_in, H_in, W_in), dweight (C_out,
 * C_in/groups, R, S), OVERWRITTEN. The source's weight chain rule, element
 * form, with c_in = grp*(C_in/groups) + cg the input channel that weight
 * entry cg of c_out's group grp = c_out / (C_out/groups) reads:
 *   dweight[c_out,cg,di,dj] = sum_{b,h_out,w_out} df[b,c_out,h_out,w_out]
 *     * input[b, c_in, strh*h_out + dil_h*di - pad_h, strw*w_out + dil_w*dj - pad_w]
 * (terms at padding positions are zero and skipped).
 */
void
conv2d_backward_weight_elem(tensor_t *dweight, const tensor_t *df,
    const tensor_t *input, const conv_shape_t *s)
{
	const long Cg_in = conv_group_cin(s), Cg_out = conv_group_cout(s);
	long c_out, cg;

	assert(is_shape4(df, s->N, s->C_out, s->H_out, s->W_out));
	assert(is_shape4(input, s->N, s->C_in, s->H_in, s->W_in));
	assert(is_shape4(dweight, s->C_out, Cg_in, s->R, s->S));
#ifdef _OPENMP
#pragma omp parallel for collapse(2) schedule(static) if (worth_threads(s))
#endif
	for (c_out = 0; c_out < s->C_out; c_out++)
	for (cg = 0; cg < Cg_in; cg++) {
		long c_in = c_out / Cg_out * Cg_in + cg, di, dj;

		for (di = 0; di < s->R; di++)
		for (dj = 0; dj < s->S; dj++) {
			double sum = 0.0;
			long b, h_out, w_out, lo, hi;
			long off = s->dil_w * dj - s->pad_w;

			/* the w_out whose w_in is inside: the same for every row */
			conv_axis_range(off, s->strw, s->W_in, s->W_out, &lo, &hi);
			for (b = 0; b < s->N; b++)
			for (h_out = 0; h_out < s->H_out; h_out++) {
				long h_in = s->strh * h_out + s->dil_h * di - s->pad_h;
				const double *g = &T4(df, b, c_out, h_out, 0), *x;

				if (h_in < 0 || h_in >= s->H_in)
					continue;       /* zero padding */
				x = &T4(input, b, c_in, h_in, 0);
				for (w_out = lo; w_out < hi; w_out++)
					sum += g[w_out] * x[s->strw * w_out + off];
			}
			T4(dweight, c_out, cg, di, dj) = sum;
		}
	}
}

/*
 * df (N, C_out, H_out, W_out), dbias (C_out), OVERWRITTEN. The source's bias
 * chain rule: d output / d bias[c_out] is 1 for every output of channel
 * c_out and 0 otherwise, so
 *   dbias[c_out] = sum_{b,h_out,w_out} df[b,c_out,h_out,w_out]
 */
void
conv2d_backward_bias_elem(tensor_t *dbias, const tensor_t *df,
    const conv_shape_t *s)
{
	long c_out, b, h_out, w_out;

	assert(is_shape4(df, s->N, s->C_out, s->H_out, s->W_out));
	assert(dbias->ndim == 1 && dbias->shape[0] == (size_t)s->C_out);
	for (c_out = 0; c_out < s->C_out; c_out++) {
		double sum = 0.0;

		for (b = 0; b < s->N; b++)
		for (h_out = 0; h_out < s->H_out; h_out++)
		for (w_out = 0; w_out < s->W_out; w_out++)
			sum += T4(df, b, c_out, h_out, w_out);
		T1(dbias, c_out) = sum;
	}
}

/* ---- the backward for the input as a transposed convolution ---- */

/*
 * Why this is dinput: dinput[h_in] sums df[h_out] * weight[di] over the
 * pairs with h_in = strh*h_out + dil_h*di - pad_h. Put df's row h_out at
 * row y = P_h + strh*h_out of dfz (zeros between), with P_h = dil_h*(R-1)
 * - pad_h, and rotate the taps, ei = R-1-di. Then y = h_in + dil_h*ei, so
 * the same pairs are the terms of a stride-1 correlation of dfz with taps
 * dil_h apart: the forward, with the flip the correlation's "+ di" needs
 * to read the taps from the far end. Rows of dfz past the last of df are
 * zeros too (they stand for the input rows the forward's floor left
 * uncovered); a negative P_h crops.
 */

void
conv2d_transposed_shape(conv_shape_t *t, const conv_shape_t *s)
{
	int rc;

	conv_shape_init(t, s->N, s->C_out, s->H_in + s->dil_h * (s->R - 1),
	    s->W_in + s->dil_w * (s->S - 1), s->C_in, s->R, s->S);
	t->dil_h = s->dil_h;
	t->dil_w = s->dil_w;
	t->groups = s->groups;
	rc = conv_shape_validate(t, SIZE_MAX, NULL);
	assert(rc == 0 && t->H_out == s->H_in && t->W_out == s->W_in);
	(void)rc;
}

void
conv2d_transposed_spread(tensor_t *dfz, const tensor_t *df,
    const conv_shape_t *s)
{
	const long P_h = s->dil_h * (s->R - 1) - s->pad_h;
	const long P_w = s->dil_w * (s->S - 1) - s->pad_w;
	const long Hz = s->H_in + s->dil_h * (s->R - 1);
	const long Wz = s->W_in + s->dil_w * (s->S - 1);
	long b, c, y, x;

	assert(is_shape4(df, s->N, s->C_out, s->H_out, s->W_out));
	assert(is_shape4(dfz, s->N, s->C_out, Hz, Wz));
	for (b = 0; b < s->N; b++)
	for (c = 0; c < s->C_out; c++)
	for (y = 0; y < Hz; y++)
	for (x = 0; x < Wz; x++) {
		/* the row of df that row y of dfz holds: y - P_h must be a
		 * multiple of the stride inside the output, as window_of
		 * solves it for tap 0 with the padding -P_h; else a zero */
		long u = window_of(y, 0, s->strh, -P_h, 1, s->H_out);
		long v = window_of(x, 0, s->strw, -P_w, 1, s->W_out);

		T4(dfz, b, c, y, x) = u < 0 || v < 0 ? 0.0 : T4(df, b, c, u, v);
	}
}

void
conv2d_transposed_weight(tensor_t *wt, const tensor_t *weight,
    const conv_shape_t *s)
{
	const long Cg_in = conv_group_cin(s), Cg_out = conv_group_cout(s);
	long c_in, m, ei, ej;

	assert(is_shape4(weight, s->C_out, Cg_in, s->R, s->S));
	assert(is_shape4(wt, s->C_in, Cg_out, s->R, s->S));
	for (c_in = 0; c_in < s->C_in; c_in++)
	for (m = 0; m < Cg_out; m++)
	for (ei = 0; ei < s->R; ei++)
	for (ej = 0; ej < s->S; ej++) {
		long grp = c_in / Cg_in;

		T4(wt, c_in, m, ei, ej) = T4(weight, grp * Cg_out + m,
		    c_in - grp * Cg_in, s->R - 1 - ei, s->S - 1 - ej);
	}
}

void
conv2d_backward_input_transposed(tensor_t *dinput, const tensor_t *df,
    const tensor_t *weight, const conv_shape_t *s)
{
	conv_shape_t t;
	tensor_t *dfz, *wt;

	assert(is_shape4(dinput, s->N, s->C_in, s->H_in, s->W_in));
	conv2d_transposed_shape(&t, s);
	dfz = tensor_create4((size_t)t.N, (size_t)t.C_in, (size_t)t.H_in,
	    (size_t)t.W_in);
	wt = tensor_create4((size_t)t.C_out, (size_t)conv_group_cin(&t),
	    (size_t)t.R, (size_t)t.S);
	conv2d_transposed_spread(dfz, df, s);
	conv2d_transposed_weight(wt, weight, s);
	conv2d_forward_elem(dinput, dfz, wt, NULL, &t);
	tensor_free(dfz);
	tensor_free(wt);
}
