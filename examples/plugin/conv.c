/*
 * conv.c: a correct conv2d plugin for `convgrad gradcheck --plugin`, to
 * start your own from (docs/plugin.md).
 *
 *   cc -shared -fPIC -O2 -I/usr/local/include -o libconv.so conv.c
 *   convgrad gradcheck --plugin ./libconv.so
 *
 * Direct loops written like the formulas, with PyTorch's groups: output
 * channel c_out reads the C_in/groups input channels of its group. The
 * loops over a tap run the output width innermost, over the columns whose
 * tap is inside the input (columns_inside), with the row's padding test
 * outside: the same sums, two to three times faster.
 * input (N, C_in, H_in, W_in), weight (C_out, C_in/groups, R, S), bias
 * (C_out), output and doutput (N, C_out, H_out, W_out), all contiguous.
 * Every output array is overwritten entry by entry (convgrad fills them
 * with NaN first, so a sum that starts from them is caught).
 */
#include <convgrad/plugin.h>

#include <stdlib.h>

#define IN(b, c, h, w)  ((((b) * k->C_in + (c)) * k->H_in + (h)) * k->W_in + (w))
#define WT(o, c, i, j)  ((((o) * cin_g + (c)) * k->R + (i)) * k->S + (j))
#define OUT(b, o, h, w) ((((b) * k->C_out + (o)) * k->H_out + (h)) * k->W_out + (w))

/* The output columns w_out whose tap dj reads inside the input (its
 * column strw*w_out + dil_w*dj - pad_w in [0, W_in)): lo <= w_out < hi. */
static void
columns_inside(const struct convgrad_conv *k, long dj, long *lo, long *hi)
{
	*lo = 0;
	*hi = k->W_out;
	while (*lo < *hi && k->strw * *lo + k->dil_w * dj - k->pad_w < 0)
		++*lo;
	while (*hi > *lo && k->strw * (*hi - 1) + k->dil_w * dj - k->pad_w >= k->W_in)
		--*hi;
}

/* output[b,c_out,h_out,w_out] = bias[c_out] + sum_{c_in,di,dj}
 *   input[b, c_in, strh*h_out + dil_h*di - pad_h, strw*w_out + dil_w*dj - pad_w]
 *   * weight[c_out, c_in, di, dj]                (zero outside the input)
 * Each output plane starts at its bias, then takes one tap (c_in, di, dj)
 * at a time over all of it, the output width innermost (the terms are
 * added in the order of the sum above, so the result is the same as one
 * output at a time). */
int
convgrad_forward(const struct convgrad_conv *k, const double *input,
    const double *weight, const double *bias, double *output)
{
	long cin_g = k->C_in / k->groups, cout_g = k->C_out / k->groups;
	long b, co, ho, wo, ci, di, dj, i;

	if (k->abi != CONVGRAD_PLUGIN_ABI)
		return 1;
	for (b = 0; b < k->N; b++)
	for (co = 0; co < k->C_out; co++) {
		long c0 = co / cout_g * cin_g;
		double acc = bias != NULL ? bias[co] : 0.0;        /* forward: bias */
		double *out = &output[OUT(b, co, 0, 0)];

		for (i = 0; i < k->H_out * k->W_out; i++)
			out[i] = acc;
		for (ci = 0; ci < cin_g; ci++)
		for (di = 0; di < k->R; di++)
		for (dj = 0; dj < k->S; dj++) {
			double w = weight[WT(co, ci, di, dj)];
			long lo, hi_w;

			columns_inside(k, dj, &lo, &hi_w);
			for (ho = 0; ho < k->H_out; ho++) {
				long hi = k->strh * ho + k->dil_h * di - k->pad_h;
				long off = k->dil_w * dj - k->pad_w;    /* wi = strw*wo + off */
				const double *row;
				double *o;

				if (hi < 0 || hi >= k->H_in)
					continue;
				row = &input[IN(b, c0 + ci, hi, 0)];
				o = &out[ho * k->W_out];
				for (wo = lo; wo < hi_w; wo++)
					o[wo] += row[k->strw * wo + off] * w;
			}
		}
	}
	return 0;
}

/* dinput[b,c_in,h_in,w_in] = sum over the outputs whose window covers it of
 *   doutput[b,c_out,h_out,w_out] * weight[c_out,c_in,di,dj],
 *   h_in = strh*h_out + dil_h*di - pad_h: scattered from each output, one
 *   tap (c_out, c_in, di, dj) at a time, the output width innermost. */
static void
backward_input(const struct convgrad_conv *k, const double *weight,
    const double *doutput, double *dinput)
{
	long cin_g = k->C_in / k->groups, cout_g = k->C_out / k->groups;
	long b, co, ho, wo, ci, di, dj, i;

	for (i = 0; i < k->N * k->C_in * k->H_in * k->W_in; i++)
		dinput[i] = 0.0;                                   /* dinput: zeroed */
	for (b = 0; b < k->N; b++)
	for (co = 0; co < k->C_out; co++)
	for (ci = 0; ci < cin_g; ci++)
	for (di = 0; di < k->R; di++)                              /* dinput: rows */
	for (dj = 0; dj < k->S; dj++) {
		long c0 = co / cout_g * cin_g;
		double w = weight[WT(co, ci, di, dj)];                 /* dinput: tap */

		for (ho = 0; ho < k->H_out; ho++) {
			long h_in = k->strh * ho + k->dil_h * di - k->pad_h;  /* dinput: h_in */

			if (h_in < 0 || h_in >= k->H_in)
				continue;
			for (wo = 0; wo < k->W_out; wo++) {
				long w_in = k->strw * wo + k->dil_w * dj - k->pad_w;  /* dinput: w_in */

				if (w_in < 0 || w_in >= k->W_in)
					continue;
				dinput[IN(b, c0 + ci, h_in, w_in)] += doutput[OUT(b, co, ho, wo)] * w;
			}
		}
	}
}

/* dweight[c_out,c_in,di,dj] = sum_{b,h_out,w_out} doutput[b,c_out,h_out,w_out]
 *   * input[b, c_in, strh*h_out + dil_h*di - pad_h, strw*w_out + dil_w*dj - pad_w] */
static void
backward_weight(const struct convgrad_conv *k, const double *input,
    const double *doutput, double *dweight)
{
	long cin_g = k->C_in / k->groups, cout_g = k->C_out / k->groups;
	long b, co, ho, wo, ci, di, dj;

	for (co = 0; co < k->C_out; co++)
	for (ci = 0; ci < cin_g; ci++)
	for (di = 0; di < k->R; di++)
	for (dj = 0; dj < k->S; dj++) {
		long c0 = co / cout_g * cin_g;
		double acc = 0.0;

		long lo, hi_w;

		columns_inside(k, dj, &lo, &hi_w);
		for (b = 0; b < k->N; b++)                             /* dweight: images */
		for (ho = 0; ho < k->H_out; ho++) {
			long hi = k->strh * ho + k->dil_h * di - k->pad_h;   /* dweight: h_in */
			long off = k->dil_w * dj - k->pad_w;     /* dweight: w_in = strw*wo + off */
			const double *row, *d;

			if (hi < 0 || hi >= k->H_in)
				continue;
			row = &input[IN(b, c0 + ci, hi, 0)];
			d = &doutput[OUT(b, co, ho, 0)];
			for (wo = lo; wo < hi_w; wo++)
				acc += d[wo] * row[k->strw * wo + off];
		}
		dweight[WT(co, ci, di, dj)] = acc;                     /* dweight: store */
	}
}

/* dbias[c_out] = sum_{b,h_out,w_out} doutput[b,c_out,h_out,w_out] */
static void
backward_bias(const struct convgrad_conv *k, const double *doutput,
    double *dbias)
{
	long b, co, ho, wo;

	for (co = 0; co < k->C_out; co++) {
		double acc = 0.0;

		for (b = 0; b < k->N; b++)
		for (ho = 0; ho < k->H_out; ho++)                      /* dbias: rows */
		for (wo = 0; wo < k->W_out; wo++)                      /* dbias: columns */
			acc += doutput[OUT(b, co, ho, wo)];
		dbias[co] = acc;                                       /* dbias: store */
	}
}

int
convgrad_backward(const struct convgrad_conv *k, const double *input,
    const double *weight, const double *doutput, double *dinput,
    double *dweight, double *dbias)
{
	if (k->abi != CONVGRAD_PLUGIN_ABI)
		return 1;
	backward_input(k, weight, doutput, dinput);
	backward_weight(k, input, doutput, dweight);
	backward_bias(k, doutput, dbias);
	return 0;
}

/* ---- float32: the optional entry points, here through the double code
 * (widen, compute, round once); a float32 kernel of your own goes here. */

static double *
widen(const float *x, long n)
{
	double *d = malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
	long i;

	for (i = 0; d != NULL && x != NULL && i < n; i++)
		d[i] = (double)x[i];
	return d;
}

static void
narrow(float *x, const double *d, long n)
{
	long i;

	for (i = 0; i < n; i++)
		x[i] = (float)d[i];
}

int
convgrad_forward_f32(const struct convgrad_conv *k, const float *input,
    const float *weight, const float *bias, float *output)
{
	long nx = k->N * k->C_in * k->H_in * k->W_in;
	long nw = k->C_out * (k->C_in / k->groups) * k->R * k->S;
	long no = k->N * k->C_out * k->H_out * k->W_out;
	double *x = widen(input, nx), *w = widen(weight, nw);
	double *b = bias != NULL ? widen(bias, k->C_out) : NULL;
	double *o = widen(NULL, no);
	int rc = 2;

	if (x && w && o && (bias == NULL || b)) {
		rc = convgrad_forward(k, x, w, b, o);
		narrow(output, o, no);
	}
	free(x);
	free(w);
	free(b);
	free(o);
	return rc;
}

int
convgrad_backward_f32(const struct convgrad_conv *k, const float *input,
    const float *weight, const float *doutput, float *dinput, float *dweight,
    float *dbias)
{
	long nx = k->N * k->C_in * k->H_in * k->W_in;
	long nw = k->C_out * (k->C_in / k->groups) * k->R * k->S;
	long no = k->N * k->C_out * k->H_out * k->W_out;
	double *x = widen(input, nx), *w = widen(weight, nw);
	double *d = widen(doutput, no), *dx = widen(NULL, nx);
	double *dw = widen(NULL, nw), *db = widen(NULL, k->C_out);
	int rc = 2;

	if (x && w && d && dx && dw && db) {
		rc = convgrad_backward(k, x, w, d, dx, dw, db);
		narrow(dinput, dx, nx);
		narrow(dweight, dw, nw);
		narrow(dbias, db, k->C_out);
	}
	free(x);
	free(w);
	free(d);
	free(dx);
	free(dw);
	free(db);
	return rc;
}
