/*
 * check_conv.c: every conv2d kernel against its twin and against finite
 * differences, over a table of shapes; and small cases worked out by hand.
 *
 * Twins: element vs matrix form (with the built-in GEMM and with BLAS),
 * NCHW/OIHW vs NHWC/HWIO (through the layout conversions). Finite
 * differences: the numeric gradient of f = sum(df * output), which is what
 * each backward kernel claims to compute.
 *
 * Tolerances:
 *  - twin vs twin: both compute the same sum of n products in a different
 *    order. Each summation errs by at most about n * eps * sum|terms|, and
 *    with every value in [-1, 1) sum|terms| <= n, so the two differ by at
 *    most 2 n^2 eps (n = terms per output element). That is 1e-13 to 1e-11
 *    here; a wrong index or a missed term errs by O(0.1).
 *  - backward vs finite differences: conv2d is linear in each parameter, so
 *    the central difference has no truncation error; what remains is the
 *    rounding of the two forward runs divided by the step 2h = 2e-6: about
 *    eps * |output| / h ~ 1e-10 per output, summed over the outputs one
 *    element touches (seen: ~2e-10). 1e-6 leaves a wide margin and is still
 *    five orders of magnitude below what a wrong kernel gives.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check-util.h"
#include "conv-elem.h"
#include "conv-matrix.h"
#include "fdiff.h"
#include "gemm.h"
#include "parallel.h"

#define FD_TOL 1e-6

static const struct shape_row {
	long N, C_in, H_in, W_in, C_out, R, S, strh, strw, ph, pw, dh, dw, G;
	const char *what;
} shapes[] = {
	{ 1, 1, 5, 5, 1, 3, 3, 1, 1, 0, 0, 1, 1, 1, "batch 1, one channel" },
	{ 3, 2, 7, 8, 4, 3, 2, 1, 1, 0, 0, 1, 1, 1, "batch 3, C_in != C_out, non-square, R != S" },
	{ 2, 3, 6, 5, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1, "1x1 kernel" },
	{ 2, 3, 6, 5, 2, 1, 1, 2, 3, 0, 0, 1, 1, 1, "1x1 kernel, strided" },
	{ 2, 2, 9, 9, 3, 2, 2, 4, 4, 0, 0, 1, 1, 1, "stride larger than the kernel" },
	{ 1, 2, 8, 7, 3, 3, 2, 2, 3, 0, 0, 1, 1, 1, "strides not dividing H_in-R, W_in-S" },
	{ 2, 2, 5, 6, 3, 3, 3, 1, 1, 1, 2, 1, 1, 1, "padding" },
	{ 1, 2, 9, 8, 2, 3, 2, 1, 1, 0, 0, 2, 3, 1, "dilation" },
	{ 3, 2, 9, 10, 3, 3, 2, 2, 3, 2, 1, 2, 2, 1, "padding + dilation + stride" },
	{ 2, 1, 4, 4, 1, 5, 3, 1, 1, 1, 0, 1, 1, 1, "kernel taller than the input, fits the padding" },
	{ 1, 3, 1, 7, 2, 1, 3, 1, 2, 0, 1, 1, 1, 1, "H_in = 1" },
	{ 1, 2, 6, 7, 2, 2, 2, 1, 2, 2, 1, 1, 1, 1, "padding wider than the dilated kernel (the transposed form crops)" },
	{ 2, 4, 6, 5, 6, 3, 2, 1, 1, 0, 0, 1, 1, 2, "groups 2" },
	{ 2, 6, 7, 6, 3, 2, 3, 2, 1, 1, 0, 1, 2, 3, "groups 3, C_out/groups = 1, stride, padding, dilation" },
	{ 2, 3, 6, 7, 3, 3, 3, 1, 1, 1, 1, 1, 1, 3, "depthwise (groups = C_in = C_out), padding" },
	{ 1, 4, 9, 8, 8, 3, 2, 2, 3, 1, 0, 2, 1, 4, "depthwise, multiplier 2 (groups = C_in, C_out = 2 C_in)" },
};
#define NSHAPES ((int)(sizeof(shapes) / sizeof(shapes[0])))

/* Shapes whose passes have at least 2^22 multiply-adds, so the element
 * kernels, and the matrix form with the built-in GEMM, run on OpenMP threads
 * (parallel.h's PARALLEL_MIN_WORK):
 * 2*32*32*32 outputs * 16*3*3 taps = 9.4 M; 2*32*20*18 * 32*3*3 = 6.6 M. */
static const struct shape_row big_shapes[] = {
	{ 2, 32, 32, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 2, "threaded, groups 2, padding" },
	{ 2, 32, 40, 36, 32, 3, 3, 2, 2, 2, 2, 2, 2, 1, "threaded, stride, padding, dilation" },
};
#define NBIG ((int)(sizeof(big_shapes) / sizeof(big_shapes[0])))

/* One random problem: parameters in [-1, 1), an upstream gradient df. */
typedef struct problem {
	conv_shape_t s;
	conv_params_t p;
	tensor_t *df;
} problem_t;

static void
problem_init_row(problem_t *pr, const struct shape_row *r, int row)
{
	conv_shape_t *s = &pr->s;
	char *err = NULL;
	rng_t rng;

	conv_shape_init(s, r->N, r->C_in, r->H_in, r->W_in, r->C_out, r->R, r->S);
	s->strh = r->strh;
	s->strw = r->strw;
	s->pad_h = r->ph;
	s->pad_w = r->pw;
	s->dil_h = r->dh;
	s->dil_w = r->dw;
	s->groups = r->G;
	ck_assert_msg(conv_shape_validate(s, 0, &err) == 0, "%s: %s", r->what, err);
	rng_seed(&rng, 1000 + (uint64_t)row);
	pr->p.input = tensor_create4(s->N, s->C_in, s->H_in, s->W_in);
	pr->p.weight = tensor_create4(s->C_out, conv_group_cin(s), s->R, s->S);
	pr->p.bias = tensor_create1(s->C_out);
	pr->df = tensor_create4(s->N, s->C_out, s->H_out, s->W_out);
	tensor_fill_uniform(pr->p.input, &rng, -1, 1);
	tensor_fill_uniform(pr->p.weight, &rng, -1, 1);
	tensor_fill_uniform(pr->p.bias, &rng, -1, 1);
	tensor_fill_uniform(pr->df, &rng, -1, 1);
}

static void
problem_init(problem_t *pr, int row)
{
	problem_init_row(pr, &shapes[row], row);
}

static void
problem_done(problem_t *pr)
{
	tensor_free(pr->p.input);
	tensor_free(pr->p.weight);
	tensor_free(pr->p.bias);
	tensor_free(pr->df);
}

/* A tensor shaped like t, full of NaN: a kernel that claims to overwrite
 * its output must not let any of it through. */
static tensor_t *
nan_like(const tensor_t *t)
{
	tensor_t *x = tensor_create(t->ndim, t->shape);
	size_t i;

	for (i = 0; i < x->size; i++)
		x->data[i] = NAN;
	return x;
}

/* 2 n^2 eps: see the file comment. */
static double
twin_tol(double n)
{
	return 2.0 * n * n * DBL_EPSILON;
}

static const gemm_backend_t backends[] = { GEMM_BUILTIN, GEMM_BLAS };

START_TEST(test_forward_elem_vs_matrix)
{
	problem_t pr;
	tensor_t *ye, *ym;
	size_t k;
	int withbias;

	problem_init(&pr, _i);
	ye = nan_like(pr.df);
	for (withbias = 0; withbias < 2; withbias++) {
		const tensor_t *bias = withbias ? pr.p.bias : NULL;
		double n = (double)(conv_group_cin(&pr.s) * pr.s.R * pr.s.S) + 1;

		conv2d_forward_elem(ye, pr.p.input, pr.p.weight, bias, &pr.s);
		for (k = 0; k < 2; k++) {
			gemm_set_backend(backends[k]);
			ym = nan_like(pr.df);
			conv2d_forward_matrix(ym, pr.p.input, pr.p.weight, bias, &pr.s);
			ck_assert_tensor_close(ym, ye, twin_tol(n), 0.0);
			tensor_free(ym);
		}
	}
	tensor_free(ye);
	problem_done(&pr);
}
END_TEST

START_TEST(test_forward_nchw_vs_nhwc)
{
	problem_t pr;
	const conv_shape_t *s;
	tensor_t *y, *x_nhwc, *f_hwio, *y_nhwc, *y_back;

	problem_init(&pr, _i);
	s = &pr.s;
	y = nan_like(pr.df);
	x_nhwc = tensor_create4(s->N, s->H_in, s->W_in, s->C_in);
	f_hwio = tensor_create4(s->R, s->S, conv_group_cin(s), s->C_out);
	y_nhwc = tensor_create4(s->N, s->H_out, s->W_out, s->C_out);
	y_back = nan_like(pr.df);
	conv2d_forward_elem(y, pr.p.input, pr.p.weight, pr.p.bias, s);
	tensor_nchw_to_nhwc(x_nhwc, pr.p.input);
	tensor_oihw_to_hwio(f_hwio, pr.p.weight);
	conv2d_forward_nhwc_elem(y_nhwc, x_nhwc, f_hwio, pr.p.bias, s);
	tensor_nhwc_to_nchw(y_back, y_nhwc);
	ck_assert_tensor_close(y_back, y,
	    twin_tol((double)(conv_group_cin(s) * s->R * s->S) + 1), 0.0);
	tensor_free(y);
	tensor_free(x_nhwc);
	tensor_free(f_hwio);
	tensor_free(y_nhwc);
	tensor_free(y_back);
	problem_done(&pr);
}
END_TEST

START_TEST(test_backward_elem_vs_matrix)
{
	problem_t pr;
	const conv_shape_t *s;
	tensor_t *die, *dwe, *dbe;
	size_t k;

	problem_init(&pr, _i);
	s = &pr.s;
	die = nan_like(pr.p.input);
	dwe = nan_like(pr.p.weight);
	dbe = nan_like(pr.p.bias);
	conv2d_backward_input_elem(die, pr.df, pr.p.weight, s);
	conv2d_backward_weight_elem(dwe, pr.df, pr.p.input, s);
	conv2d_backward_bias_elem(dbe, pr.df, s);
	for (k = 0; k < 2; k++) {
		tensor_t *dim = nan_like(pr.p.input), *dwm = nan_like(pr.p.weight);
		tensor_t *dbm = nan_like(pr.p.bias);

		gemm_set_backend(backends[k]);
		conv2d_backward_input_matrix(dim, pr.df, pr.p.weight, s);
		conv2d_backward_weight_matrix(dwm, pr.df, pr.p.input, s);
		conv2d_backward_bias_matrix(dbm, pr.df, s);
		/* terms per element: dinput at most C_out*R*S, dweight and
		 * dbias N*H_out*W_out */
		ck_assert_tensor_close(dim, die,
		    twin_tol((double)(s->C_out * s->R * s->S)), 0.0);
		ck_assert_tensor_close(dwm, dwe,
		    twin_tol((double)(s->N * s->H_out * s->W_out)), 0.0);
		ck_assert_tensor_close(dbm, dbe,
		    twin_tol((double)(s->N * s->H_out * s->W_out)), 0.0);
		tensor_free(dim);
		tensor_free(dwm);
		tensor_free(dbm);
	}
	tensor_free(die);
	tensor_free(dwe);
	tensor_free(dbe);
	problem_done(&pr);
}
END_TEST

/* dinput as a transposed convolution (the forward over df spread out and
 * padded, the kernel rotated and its channels transposed) against the
 * element-form dinput, at every shape of the table: strides 1 to 4,
 * padding, dilation, groups, depthwise. Same terms, another order: the
 * twins' bound with C_out*R*S terms per element. */
START_TEST(test_backward_input_transposed)
{
	problem_t pr;
	const conv_shape_t *s;
	tensor_t *die, *dit;

	problem_init(&pr, _i);
	s = &pr.s;
	die = nan_like(pr.p.input);
	dit = nan_like(pr.p.input);
	conv2d_backward_input_elem(die, pr.df, pr.p.weight, s);
	conv2d_backward_input_transposed(dit, pr.df, pr.p.weight, s);
	ck_assert_tensor_close(dit, die,
	    twin_tol((double)(s->C_out * s->R * s->S)), 0.0);
	tensor_free(die);
	tensor_free(dit);
	problem_done(&pr);
}
END_TEST

/* By hand: H_in = 5, R = 2, stride 2, pad 1 (H_out = 3), 1 x 1 width.
 * P_h = dil*(R-1) - pad = 0, so dfz's rows are df[0], 0, df[1], 0, df[2],
 * 0 (H_in + R - 1 = 6 rows); the weight (taps 1, 2) is read as (2, 1).
 * dinput[h] = 2*dfz[h] + 1*dfz[h+1]: 2a, b, 2b, c, 2c for df = (a, b, c)
 * = (1, 10, 100): h_in = 2*h_out + di - 1 pairs df[0] with taps di = 1
 * (h_in 0), df[1] with di = 0, 1 (h_in 1, 2), df[2] with di = 0, 1. */
START_TEST(test_hand_transposed)
{
	static const double want_dfz[6] = { 1, 0, 10, 0, 100, 0 };
	static const double want_di[5] = { 2, 10, 20, 100, 200 };
	conv_shape_t s, t;
	tensor_t *df = tensor_create4(1, 1, 3, 1), *w = tensor_create4(1, 1, 2, 1);
	tensor_t *dfz, *wt = tensor_create4(1, 1, 2, 1);
	tensor_t *x = tensor_create4(1, 1, 5, 1), *di = nan_like(x);
	char *err = NULL;

	conv_shape_init(&s, 1, 1, 5, 1, 1, 2, 1);
	s.strh = 2;
	s.pad_h = 1;
	ck_assert_msg(conv_shape_validate(&s, 0, &err) == 0, "%s", err);
	ck_assert_int_eq(s.H_out, 3);
	df->data[0] = 1, df->data[1] = 10, df->data[2] = 100;
	w->data[0] = 1, w->data[1] = 2;
	conv2d_transposed_shape(&t, &s);
	ck_assert_int_eq(t.H_in, 6);
	ck_assert_int_eq(t.H_out, 5);
	ck_assert_int_eq(t.strh, 1);
	ck_assert_int_eq(t.pad_h, 0);
	dfz = tensor_create4(1, 1, 6, 1);
	conv2d_transposed_spread(dfz, df, &s);
	ck_assert_close_array(dfz->data, want_dfz, 6, 0.0, 0.0);
	conv2d_transposed_weight(wt, w, &s);
	ck_assert(wt->data[0] == 2 && wt->data[1] == 1);
	conv2d_backward_input_transposed(di, df, w, &s);
	ck_assert_close_array(di->data, want_di, 5, 0.0, 0.0);
	conv2d_backward_input_elem(di, df, w, &s);
	ck_assert_close_array(di->data, want_di, 5, 0.0, 0.0);
	tensor_free(df);
	tensor_free(w);
	tensor_free(dfz);
	tensor_free(wt);
	tensor_free(x);
	tensor_free(di);
}
END_TEST

/* The matrix form, with `per` images in each GEMM (0: its default), under
 * the current GEMM, against the element form: the twins' bounds above. */
static void
check_matrix_vs_elem(const problem_t *pr, long per)
{
	const conv_shape_t *s = &pr->s;
	tensor_t *ye = nan_like(pr->df), *die = nan_like(pr->p.input);
	tensor_t *dwe = nan_like(pr->p.weight), *y = nan_like(pr->df);
	tensor_t *di = nan_like(pr->p.input), *dw = nan_like(pr->p.weight);

	conv2d_forward_elem(ye, pr->p.input, pr->p.weight, pr->p.bias, s);
	conv2d_backward_input_elem(die, pr->df, pr->p.weight, s);
	conv2d_backward_weight_elem(dwe, pr->df, pr->p.input, s);
	conv2d_matrix_set_batch_cols(per * s->H_out * s->W_out);
	conv2d_forward_matrix(y, pr->p.input, pr->p.weight, pr->p.bias, s);
	conv2d_backward_input_matrix(di, pr->df, pr->p.weight, s);
	conv2d_backward_weight_matrix(dw, pr->df, pr->p.input, s);
	conv2d_matrix_set_batch_cols(0);
	ck_assert_tensor_close(y, ye, twin_tol((double)(conv_group_cin(s) *
	    s->R * s->S) + 1), 0.0);
	ck_assert_tensor_close(di, die,
	    twin_tol((double)(s->C_out * s->R * s->S)), 0.0);
	ck_assert_tensor_close(dw, dwe,
	    twin_tol((double)(s->N * s->H_out * s->W_out)), 0.0);
	tensor_free(ye);
	tensor_free(die);
	tensor_free(dwe);
	tensor_free(y);
	tensor_free(di);
	tensor_free(dw);
}

/* Images taken 1, 2 and 3 at a time into each GEMM (the batch split with
 * and without a remainder), under both GEMMs. */
START_TEST(test_matrix_chunks)
{
	problem_t pr;
	long per;
	size_t k;

	problem_init(&pr, _i);
	for (per = 1; per <= 3; per++)
		for (k = 0; k < 2; k++) {
			gemm_set_backend(backends[k]);
			check_matrix_vs_elem(&pr, per);
		}
	problem_done(&pr);
}
END_TEST

/* The built-in GEMM on threads (chunks of the batch spread over them,
 * dweight reduced from per-thread partials), one image and the default
 * number per GEMM. */
START_TEST(test_matrix_threaded)
{
	problem_t pr;

	parallel_set_threads(3);
	gemm_set_backend(GEMM_BUILTIN);
	problem_init_row(&pr, &big_shapes[_i], 200 + _i);
	check_matrix_vs_elem(&pr, 1);
	check_matrix_vs_elem(&pr, 0);
	problem_done(&pr);
}
END_TEST

/* The backward kernel's gradient of wrt against fd_gradient, with a given
 * forward kernel (each form is checked against its own forward). */
static void
check_against_fd(problem_t *pr, conv_wrt_t wrt, conv_forward_fn fwd,
    const tensor_t *analytic)
{
	tensor_t *num = nan_like(analytic);
	fd_opts_t o;

	fd_opts_default(&o);
	fd_gradient(num, pr->df, &pr->p, wrt, fwd, &pr->s, &o);
	ck_assert_tensor_close(analytic, num, FD_TOL, 0.0);
	tensor_free(num);
}

START_TEST(test_backward_elem_vs_fd)
{
	problem_t pr;
	tensor_t *di, *dw, *db;

	problem_init(&pr, _i);
	di = nan_like(pr.p.input);
	dw = nan_like(pr.p.weight);
	db = nan_like(pr.p.bias);
	conv2d_backward_input_elem(di, pr.df, pr.p.weight, &pr.s);
	conv2d_backward_weight_elem(dw, pr.df, pr.p.input, &pr.s);
	conv2d_backward_bias_elem(db, pr.df, &pr.s);
	check_against_fd(&pr, WRT_INPUT, conv2d_forward_elem, di);
	check_against_fd(&pr, WRT_WEIGHT, conv2d_forward_elem, dw);
	check_against_fd(&pr, WRT_BIAS, conv2d_forward_elem, db);
	tensor_free(di);
	tensor_free(dw);
	tensor_free(db);
	problem_done(&pr);
}
END_TEST

START_TEST(test_backward_matrix_vs_fd)
{
	problem_t pr;
	tensor_t *di, *dw, *db;
	size_t k;

	problem_init(&pr, _i);
	for (k = 0; k < 2; k++) {
		gemm_set_backend(backends[k]);
		di = nan_like(pr.p.input);
		dw = nan_like(pr.p.weight);
		db = nan_like(pr.p.bias);
		conv2d_backward_input_matrix(di, pr.df, pr.p.weight, &pr.s);
		conv2d_backward_weight_matrix(dw, pr.df, pr.p.input, &pr.s);
		conv2d_backward_bias_matrix(db, pr.df, &pr.s);
		check_against_fd(&pr, WRT_INPUT, conv2d_forward_matrix, di);
		check_against_fd(&pr, WRT_WEIGHT, conv2d_forward_matrix, dw);
		check_against_fd(&pr, WRT_BIAS, conv2d_forward_matrix, db);
		tensor_free(di);
		tensor_free(dw);
		tensor_free(db);
	}
	problem_done(&pr);
}
END_TEST

/* The full numeric Jacobian, contracted with df, is the backward result:
 * sum_o J[o, j] df[o] = dparam[j]. Checks the Jacobian's layout (rows are
 * outputs, columns parameters) and every column at once. */
START_TEST(test_jacobian_contracts_to_backward)
{
	problem_t pr;
	static const conv_wrt_t wrts[] = { WRT_INPUT, WRT_WEIGHT, WRT_BIAS };
	size_t w, o, j;

	problem_init(&pr, _i);
	for (w = 0; w < 3; w++) {
		tensor_t *x = conv_wrt_tensor(&pr.p, wrts[w]);
		tensor_t *jac = tensor_create2(conv_output_size(&pr.s), x->size);
		tensor_t *contracted = tensor_create(x->ndim, x->shape);
		tensor_t *analytic = nan_like(x);
		fd_opts_t opt;

		fd_opts_default(&opt);
		fd_jacobian(jac, &pr.p, wrts[w], conv2d_forward_elem, &pr.s, &opt);
		for (j = 0; j < x->size; j++)
			for (o = 0; o < jac->shape[0]; o++)
				contracted->data[j] += T2(jac, o, j) * pr.df->data[o];
		if (wrts[w] == WRT_INPUT)
			conv2d_backward_input_elem(analytic, pr.df, pr.p.weight, &pr.s);
		else if (wrts[w] == WRT_WEIGHT)
			conv2d_backward_weight_elem(analytic, pr.df, pr.p.input, &pr.s);
		else
			conv2d_backward_bias_elem(analytic, pr.df, &pr.s);
		ck_assert_tensor_close(contracted, analytic, FD_TOL, 0.0);
		tensor_free(jac);
		tensor_free(contracted);
		tensor_free(analytic);
	}
	problem_done(&pr);
}
END_TEST

/*
 * Worked by hand. N = C_in = C_out = 1, input 3x3 = 1..9, weight 2x2,
 * bias 0.5, stride 1, no padding: H_out = W_out = 3 - 2 + 1 = 2.
 *
 *   input  1 2 3     weight  1 2
 *          4 5 6             3 4
 *          7 8 9
 *
 * output[0,0] = 1*1 + 2*2 + 4*3 + 5*4 + 0.5 =  1 +  4 + 12 + 20 + .5 = 37.5
 * output[0,1] = 2*1 + 3*2 + 5*3 + 6*4 + 0.5 =  2 +  6 + 15 + 24 + .5 = 47.5
 * output[1,0] = 4*1 + 5*2 + 7*3 + 8*4 + 0.5 =  4 + 10 + 21 + 32 + .5 = 67.5
 * output[1,1] = 5*1 + 6*2 + 8*3 + 9*4 + 0.5 =  5 + 12 + 24 + 36 + .5 = 77.5
 *
 * With df = all ones (f = sum of the outputs):
 * dweight[di,dj] = sum of the input under tap (di,dj) over the 4 windows:
 *   [0,0] = 1+2+4+5 = 12   [0,1] = 2+3+5+6 = 16
 *   [1,0] = 4+5+7+8 = 24   [1,1] = 5+6+8+9 = 28
 * dinput[h,w] = sum of the weights that touch (h,w):
 *   corner (0,0) only w00 = 1; (0,1) w00+w01 = 3; (0,2) w01 = 2;
 *   (1,0) w00+w10 = 4; (1,1) all four = 10; (1,2) w01+w11 = 6;
 *   (2,0) w10 = 3; (2,1) w10+w11 = 7; (2,2) w11 = 4.
 * dbias = 4 (four outputs, each with df 1).
 */
static const double hand_input[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
static const double hand_weight[4] = { 1, 2, 3, 4 };
static const double hand_output[4] = { 37.5, 47.5, 67.5, 77.5 };
static const double hand_dweight[4] = { 12, 16, 24, 28 };
static const double hand_dinput[9] = { 1, 3, 2, 4, 10, 6, 3, 7, 4 };

/*
 * Second hand case: the same input and weight, no bias, stride 2, padding
 * 1: H_out = (3 + 2 - 2) / 2 + 1 = 2. Windows start at rows/columns -1 and
 * 1; row/column -1 is padding (zero).
 *   output[0,0]: rows -1..0, cols -1..0: only input(0,0)=1 at tap (1,1): 1*4 = 4
 *   output[0,1]: rows -1..0, cols 1..2: input(0,1)=2 at (1,0), (0,2)=3 at (1,1):
 *                2*3 + 3*4 = 18
 *   output[1,0]: rows 1..2, cols -1..0: input(1,0)=4 at (0,1), (2,0)=7 at (1,1):
 *                4*2 + 7*4 = 36
 *   output[1,1]: rows 1..2, cols 1..2: 5*1 + 6*2 + 8*3 + 9*4 = 77
 */
static const double hand2_output[4] = { 4, 18, 36, 77 };

static void
hand_problem(problem_t *pr, long stride, long pad)
{
	conv_shape_t *s = &pr->s;
	char *err = NULL;

	conv_shape_init(s, 1, 1, 3, 3, 1, 2, 2);
	s->strh = s->strw = stride;
	s->pad_h = s->pad_w = pad;
	ck_assert_int_eq(conv_shape_validate(s, 0, &err), 0);
	ck_assert(s->H_out == 2 && s->W_out == 2);
	pr->p.input = tensor_create4(1, 1, 3, 3);
	pr->p.weight = tensor_create4(1, 1, 2, 2);
	pr->p.bias = tensor_create1(1);
	pr->df = tensor_create4(1, 1, 2, 2);
	memcpy(pr->p.input->data, hand_input, sizeof(hand_input));
	memcpy(pr->p.weight->data, hand_weight, sizeof(hand_weight));
	T1(pr->p.bias, 0) = 0.5;
}

/* Small integers: every result is exact, so the tolerance is 0. */
START_TEST(test_hand_forward_backward)
{
	problem_t pr;
	tensor_t *y, *di, *dw, *db;
	size_t i;
	int form;

	hand_problem(&pr, 1, 0);
	for (i = 0; i < 4; i++)
		pr.df->data[i] = 1.0;
	for (form = 0; form < 2; form++) {
		y = nan_like(pr.df);
		di = nan_like(pr.p.input);
		dw = nan_like(pr.p.weight);
		db = nan_like(pr.p.bias);
		(form == 0 ? conv2d_forward_elem : conv2d_forward_matrix)(y,
		    pr.p.input, pr.p.weight, pr.p.bias, &pr.s);
		if (form == 0) {
			conv2d_backward_input_elem(di, pr.df, pr.p.weight, &pr.s);
			conv2d_backward_weight_elem(dw, pr.df, pr.p.input, &pr.s);
			conv2d_backward_bias_elem(db, pr.df, &pr.s);
		} else {
			conv2d_backward_input_matrix(di, pr.df, pr.p.weight, &pr.s);
			conv2d_backward_weight_matrix(dw, pr.df, pr.p.input, &pr.s);
			conv2d_backward_bias_matrix(db, pr.df, &pr.s);
		}
		ck_assert_close_array(y->data, hand_output, 4, 0.0, 0.0);
		ck_assert_close_array(dw->data, hand_dweight, 4, 0.0, 0.0);
		ck_assert_close_array(di->data, hand_dinput, 9, 0.0, 0.0);
		ck_assert(T1(db, 0) == 4.0);
		tensor_free(y);
		tensor_free(di);
		tensor_free(dw);
		tensor_free(db);
	}
	problem_done(&pr);
}
END_TEST

START_TEST(test_hand_stride_padding)
{
	problem_t pr;
	tensor_t *y = tensor_create4(1, 1, 2, 2);

	hand_problem(&pr, 2, 1);
	conv2d_forward_elem(y, pr.p.input, pr.p.weight, NULL, &pr.s);
	ck_assert_close_array(y->data, hand2_output, 4, 0.0, 0.0);
	conv2d_forward_matrix(y, pr.p.input, pr.p.weight, NULL, &pr.s);
	ck_assert_close_array(y->data, hand2_output, 4, 0.0, 0.0);
	tensor_free(y);
	problem_done(&pr);
}
END_TEST

/*
 * im2col of the first hand case: rows (di, dj) = (0,0), (0,1), (1,0), (1,1),
 * columns the four windows; each row lists the pixel under that tap:
 *   (0,0): 1 2 4 5   (0,1): 2 3 5 6   (1,0): 4 5 7 8   (1,1): 5 6 8 9
 * col2im of all-ones counts the windows covering each pixel, and adds:
 *   1 2 1 / 2 4 2 / 1 2 1, on top of what was there (here 100).
 */
START_TEST(test_hand_im2col_col2im)
{
	static const double want_cols[16] = { 1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8,
	    5, 6, 8, 9 };
	static const double want_counts[9] = { 101, 102, 101, 102, 104, 102,
	    101, 102, 101 };
	problem_t pr;
	double cols[16];
	tensor_t *acc = tensor_create4(1, 1, 3, 3);
	size_t i;

	hand_problem(&pr, 1, 0);
	conv2d_im2col(cols, pr.p.input, 0, &pr.s);
	ck_assert_close_array(cols, want_cols, 16, 0.0, 0.0);
	for (i = 0; i < 16; i++)
		cols[i] = 1.0;
	for (i = 0; i < 9; i++)
		acc->data[i] = 100.0;
	conv2d_col2im(acc, 0, cols, &pr.s);
	ck_assert_close_array(acc->data, want_counts, 9, 0.0, 0.0);
	tensor_free(acc);
	problem_done(&pr);
}
END_TEST

/*
 * Worked by hand, grouped: C_in = C_out = groups = 2 (depthwise), stride 1,
 * no padding, no bias. Channel 0 is the first hand case (input 1..9,
 * weight 1 2 / 3 4); channel 1 has input 10..18 and weight 1 0 / 0 0, so
 * output channel 1 is the top-left pixel of each window:
 *   output[0,1] = 10 11 / 13 14        (reading channel 0 would give 1 2 / 4 5)
 * With df = all ones:
 *   dweight[1,0] = sum of channel 1 under each tap = the first case's
 *     dweight + 4 windows * 9: 48 52 / 60 64
 *   dinput[0,1] = 1 where a window's top-left pixel lies: 1 1 0 / 1 1 0 / 0 0 0
 * and channel 0's results are the first case's.
 */
START_TEST(test_hand_depthwise)
{
	static const double want_y[8] = { 37, 47, 67, 77, 10, 11, 13, 14 };
	static const double want_dw[8] = { 12, 16, 24, 28, 48, 52, 60, 64 };
	static const double want_di[18] = { 1, 3, 2, 4, 10, 6, 3, 7, 4,
	    1, 1, 0, 1, 1, 0, 0, 0, 0 };
	static const double w1[4] = { 1, 0, 0, 0 };
	conv_shape_t s;
	tensor_t *x = tensor_create4(1, 2, 3, 3), *w = tensor_create4(2, 1, 2, 2);
	tensor_t *df = tensor_create4(1, 2, 2, 2);
	char *err = NULL;
	size_t i;
	int form;

	conv_shape_init(&s, 1, 2, 3, 3, 2, 2, 2);
	s.groups = 2;
	ck_assert_msg(conv_shape_validate(&s, 0, &err) == 0, "%s", err);
	for (i = 0; i < 18; i++)
		x->data[i] = (double)(i + 1);
	memcpy(w->data, hand_weight, sizeof(hand_weight));
	memcpy(w->data + 4, w1, sizeof(w1));
	for (i = 0; i < 8; i++)
		df->data[i] = 1.0;
	for (form = 0; form < 2; form++) {
		tensor_t *y = nan_like(df), *di = nan_like(x), *dw = nan_like(w);

		if (form == 0) {
			conv2d_forward_elem(y, x, w, NULL, &s);
			conv2d_backward_input_elem(di, df, w, &s);
			conv2d_backward_weight_elem(dw, df, x, &s);
		} else {
			conv2d_forward_matrix(y, x, w, NULL, &s);
			conv2d_backward_input_matrix(di, df, w, &s);
			conv2d_backward_weight_matrix(dw, df, x, &s);
		}
		ck_assert_close_array(y->data, want_y, 8, 0.0, 0.0);
		ck_assert_close_array(dw->data, want_dw, 8, 0.0, 0.0);
		ck_assert_close_array(di->data, want_di, 18, 0.0, 0.0);
		tensor_free(y);
		tensor_free(di);
		tensor_free(dw);
	}
	tensor_free(x);
	tensor_free(w);
	tensor_free(df);
}
END_TEST

/*
 * The element kernels, literally: one element at a time, the padding test
 * at every term, no threads. conv-elem.c reorders the loops (width
 * innermost, padding hoisted, threads over planes) but promises every bit
 * of every result unchanged, since each element still sums the same terms
 * in the same order; these are what it is held to.
 */
static void
literal_forward(tensor_t *output, const tensor_t *input,
    const tensor_t *weight, const tensor_t *bias, const conv_shape_t *s)
{
	long Cg_in = conv_group_cin(s), Cg_out = conv_group_cout(s);
	long b, c_out, h_out, w_out, cg, di, dj;

	for (b = 0; b < s->N; b++)
	for (c_out = 0; c_out < s->C_out; c_out++)
	for (h_out = 0; h_out < s->H_out; h_out++)
	for (w_out = 0; w_out < s->W_out; w_out++) {
		double sum = bias != NULL ? T1(bias, c_out) : 0.0;

		for (cg = 0; cg < Cg_in; cg++)
		for (di = 0; di < s->R; di++)
		for (dj = 0; dj < s->S; dj++) {
			long h_in = s->strh * h_out + s->dil_h * di - s->pad_h;
			long w_in = s->strw * w_out + s->dil_w * dj - s->pad_w;

			if (h_in < 0 || h_in >= s->H_in || w_in < 0 ||
			    w_in >= s->W_in)
				continue;
			sum += T4(input, b, c_out / Cg_out * Cg_in + cg, h_in, w_in) *
			    T4(weight, c_out, cg, di, dj);
		}
		T4(output, b, c_out, h_out, w_out) = sum;
	}
}

static void
literal_forward_nhwc(tensor_t *output, const tensor_t *input,
    const tensor_t *filter, const tensor_t *bias, const conv_shape_t *s)
{
	long Cg_in = conv_group_cin(s), Cg_out = conv_group_cout(s);
	long b, i, j, k, di, dj, q;

	for (b = 0; b < s->N; b++)
	for (i = 0; i < s->H_out; i++)
	for (j = 0; j < s->W_out; j++)
	for (k = 0; k < s->C_out; k++) {
		double sum = bias != NULL ? T1(bias, k) : 0.0;

		for (di = 0; di < s->R; di++)
		for (dj = 0; dj < s->S; dj++) {
			long h_in = s->strh * i + s->dil_h * di - s->pad_h;
			long w_in = s->strw * j + s->dil_w * dj - s->pad_w;

			if (h_in < 0 || h_in >= s->H_in || w_in < 0 ||
			    w_in >= s->W_in)
				continue;
			for (q = 0; q < Cg_in; q++)
				sum += T4(input, b, h_in, w_in, k / Cg_out * Cg_in + q) *
				    T4(filter, di, dj, q, k);
		}
		T4(output, b, i, j, k) = sum;
	}
}

/* h_out with h_in = str*h_out + dil*tap - pad, or -1. */
static long
literal_window(long in, long tap, long str, long pad, long dil, long out)
{
	long num = in + pad - dil * tap;

	return num < 0 || num % str != 0 || num / str >= out ? -1 : num / str;
}

static void
literal_dinput(tensor_t *dinput, const tensor_t *df, const tensor_t *weight,
    const conv_shape_t *s)
{
	long Cg_in = conv_group_cin(s), Cg_out = conv_group_cout(s);
	long b, c_in, h_in, w_in, c_out, di, dj;

	for (b = 0; b < s->N; b++)
	for (c_in = 0; c_in < s->C_in; c_in++)
	for (h_in = 0; h_in < s->H_in; h_in++)
	for (w_in = 0; w_in < s->W_in; w_in++) {
		long grp = c_in / Cg_in;
		double sum = 0.0;

		for (di = 0; di < s->R; di++)
		for (dj = 0; dj < s->S; dj++) {
			long h_out = literal_window(h_in, di, s->strh, s->pad_h,
			    s->dil_h, s->H_out);
			long w_out = literal_window(w_in, dj, s->strw, s->pad_w,
			    s->dil_w, s->W_out);

			if (h_out < 0 || w_out < 0)
				continue;
			for (c_out = grp * Cg_out; c_out < (grp + 1) * Cg_out; c_out++)
				sum += T4(df, b, c_out, h_out, w_out) *
				    T4(weight, c_out, c_in - grp * Cg_in, di, dj);
		}
		T4(dinput, b, c_in, h_in, w_in) = sum;
	}
}

static void
literal_dweight(tensor_t *dweight, const tensor_t *df, const tensor_t *input,
    const conv_shape_t *s)
{
	long Cg_in = conv_group_cin(s), Cg_out = conv_group_cout(s);
	long c_out, cg, di, dj, b, h_out, w_out;

	for (c_out = 0; c_out < s->C_out; c_out++)
	for (cg = 0; cg < Cg_in; cg++)
	for (di = 0; di < s->R; di++)
	for (dj = 0; dj < s->S; dj++) {
		double sum = 0.0;

		for (b = 0; b < s->N; b++)
		for (h_out = 0; h_out < s->H_out; h_out++)
		for (w_out = 0; w_out < s->W_out; w_out++) {
			long h_in = s->strh * h_out + s->dil_h * di - s->pad_h;
			long w_in = s->strw * w_out + s->dil_w * dj - s->pad_w;

			if (h_in < 0 || h_in >= s->H_in || w_in < 0 ||
			    w_in >= s->W_in)
				continue;
			sum += T4(df, b, c_out, h_out, w_out) *
			    T4(input, b, c_out / Cg_out * Cg_in + cg, h_in, w_in);
		}
		T4(dweight, c_out, cg, di, dj) = sum;
	}
}

/* a and b hold the same bits (so NaN in one place fails too). */
static void
ck_assert_same_bits(const tensor_t *a, const tensor_t *b, const char *what)
{
	size_t i;

	ck_assert(a->size == b->size);
	for (i = 0; i < a->size; i++)
		ck_assert_msg(memcmp(&a->data[i], &b->data[i], sizeof(double)) == 0,
		    "%s: entry %zu is %.17g, the literal loop's %.17g", what, i,
		    a->data[i], b->data[i]);
}

static void
check_bit_identical(const struct shape_row *r, int seed)
{
	problem_t pr;
	const conv_shape_t *s;
	tensor_t *got, *want, *x_nhwc, *f_hwio, *y_nhwc;
	int withbias;

	problem_init_row(&pr, r, seed);
	s = &pr.s;
	for (withbias = 0; withbias < 2; withbias++) {
		const tensor_t *bias = withbias ? pr.p.bias : NULL;

		got = nan_like(pr.df);
		want = nan_like(pr.df);
		conv2d_forward_elem(got, pr.p.input, pr.p.weight, bias, s);
		literal_forward(want, pr.p.input, pr.p.weight, bias, s);
		ck_assert_same_bits(got, want, r->what);
		tensor_free(got);
		tensor_free(want);
	}
	x_nhwc = tensor_create4(s->N, s->H_in, s->W_in, s->C_in);
	f_hwio = tensor_create4(s->R, s->S, conv_group_cin(s), s->C_out);
	y_nhwc = tensor_create4(s->N, s->H_out, s->W_out, s->C_out);
	tensor_nchw_to_nhwc(x_nhwc, pr.p.input);
	tensor_oihw_to_hwio(f_hwio, pr.p.weight);
	got = nan_like(y_nhwc);
	conv2d_forward_nhwc_elem(got, x_nhwc, f_hwio, pr.p.bias, s);
	literal_forward_nhwc(y_nhwc, x_nhwc, f_hwio, pr.p.bias, s);
	ck_assert_same_bits(got, y_nhwc, r->what);
	tensor_free(got);
	got = nan_like(pr.p.input);
	want = nan_like(pr.p.input);
	conv2d_backward_input_elem(got, pr.df, pr.p.weight, s);
	literal_dinput(want, pr.df, pr.p.weight, s);
	ck_assert_same_bits(got, want, r->what);
	tensor_free(got);
	tensor_free(want);
	got = nan_like(pr.p.weight);
	want = nan_like(pr.p.weight);
	conv2d_backward_weight_elem(got, pr.df, pr.p.input, s);
	literal_dweight(want, pr.df, pr.p.input, s);
	ck_assert_same_bits(got, want, r->what);
	tensor_free(got);
	tensor_free(want);
	tensor_free(x_nhwc);
	tensor_free(f_hwio);
	tensor_free(y_nhwc);
	problem_done(&pr);
}

START_TEST(test_elem_bit_identical)
{
	check_bit_identical(&shapes[_i], _i);
}
END_TEST

START_TEST(test_elem_bit_identical_threaded)
{
	parallel_set_threads(3);       /* threaded even on one core */
	check_bit_identical(&big_shapes[_i], 100 + _i);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("conv");
	TCase *twins = tcase_create("twins");
	TCase *fd = tcase_create("finite_differences");
	TCase *hand = tcase_create("by_hand");

	/* generous: the sanitizer build runs the FD loops several times slower */
	tcase_set_timeout(twins, 120);
	tcase_set_timeout(fd, 300);
	tcase_add_loop_test(twins, test_forward_elem_vs_matrix, 0, NSHAPES);
	tcase_add_loop_test(twins, test_forward_nchw_vs_nhwc, 0, NSHAPES);
	tcase_add_loop_test(twins, test_backward_elem_vs_matrix, 0, NSHAPES);
	tcase_add_loop_test(twins, test_backward_input_transposed, 0, NSHAPES);
	tcase_add_loop_test(twins, test_matrix_chunks, 0, NSHAPES);
	tcase_add_loop_test(twins, test_matrix_threaded, 0, NBIG);
	tcase_add_loop_test(fd, test_backward_elem_vs_fd, 0, NSHAPES);
	tcase_add_loop_test(fd, test_backward_matrix_vs_fd, 0, NSHAPES);
	tcase_add_loop_test(fd, test_jacobian_contracts_to_backward, 0, NSHAPES);
	tcase_add_test(hand, test_hand_forward_backward);
	tcase_add_test(hand, test_hand_stride_padding);
	tcase_add_test(hand, test_hand_im2col_col2im);
	tcase_add_test(hand, test_hand_depthwise);
	tcase_add_test(hand, test_hand_transposed);
	tcase_add_loop_test(twins, test_elem_bit_identical, 0, NSHAPES);
	tcase_add_loop_test(twins, test_elem_bit_identical_threaded, 0, NBIG);
	suite_add_tcase(s, twins);
	suite_add_tcase(s, fd);
	suite_add_tcase(s, hand);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
