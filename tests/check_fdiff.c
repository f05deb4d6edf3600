/*
 * check_fdiff.c: finite differences. The method and step are the ones
 * asked for (checked on a cubic, whose difference quotients are known in
 * closed form), the perturbed tensor is restored bit for bit, the Jacobian
 * has the documented layout and matches the analytic one of a 1x1
 * convolution, and the parallel Jacobian equals the column-by-column one,
 * as the whole gradient equals its entries computed one at a time.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check-util.h"
#include "conv-elem.h"
#include "fdiff.h"
#include "util.h"

/* A test forward "kernel" that is not linear: output[i] = input[i]^3 (the
 * shape has as many outputs as inputs: 1x1 kernel, C_in = C_out = 1). */
static void
forward_cube(tensor_t *output, const tensor_t *input, const tensor_t *weight,
    const tensor_t *bias, const conv_shape_t *s)
{
	size_t i;

	(void)weight;
	(void)bias;
	(void)s;
	for (i = 0; i < output->size; i++)
		output->data[i] = input->data[i] * input->data[i] * input->data[i];
}

static void
params_create(conv_params_t *p, const conv_shape_t *s, uint64_t seed)
{
	rng_t r;

	rng_seed(&r, seed);
	p->input = tensor_create4(s->N, s->C_in, s->H_in, s->W_in);
	p->weight = tensor_create4(s->C_out, s->C_in, s->R, s->S);
	p->bias = tensor_create1(s->C_out);
	tensor_fill_uniform(p->input, &r, -1, 1);
	tensor_fill_uniform(p->weight, &r, -1, 1);
	tensor_fill_uniform(p->bias, &r, -1, 1);
}

static void
params_free(conv_params_t *p)
{
	tensor_free(p->input);
	tensor_free(p->weight);
	tensor_free(p->bias);
}

static void
shape(conv_shape_t *s, long N, long C_in, long H, long W, long C_out, long R,
    long S)
{
	char *err = NULL;

	conv_shape_init(s, N, C_in, H, W, C_out, R, S);
	ck_assert_msg(conv_shape_validate(s, 0, &err) == 0, "%s", err);
}

/* The world of a gradient test at shape s (validated here): parameters
 * from seed, and the returned upstream gradient df from seed + 1, all
 * uniform in [-1, 1). */
static tensor_t *
world_create(conv_params_t *p, conv_shape_t *s, uint64_t seed)
{
	tensor_t *df;
	rng_t r;

	ck_assert_int_eq(conv_shape_validate(s, 0, NULL), 0);
	params_create(p, s, seed);
	df = tensor_create4(s->N, s->C_out, s->H_out, s->W_out);
	rng_seed(&r, seed + 1);
	tensor_fill_uniform(df, &r, -1, 1);
	return df;
}

START_TEST(test_defaults_names)
{
	fd_opts_t o;
	conv_params_t p;
	conv_shape_t s;

	fd_opts_default(&o);
	ck_assert_int_eq(o.method, FD_CENTRAL);
	ck_assert(o.eps == 1e-6);
	ck_assert_str_eq(conv_wrt_name(WRT_INPUT), "input");
	ck_assert_str_eq(conv_wrt_name(WRT_WEIGHT), "weight");
	ck_assert_str_eq(conv_wrt_name(WRT_BIAS), "bias");
	shape(&s, 1, 1, 2, 2, 1, 1, 1);
	params_create(&p, &s, 1);
	ck_assert_ptr_eq(conv_wrt_tensor(&p, WRT_INPUT), p.input);
	ck_assert_ptr_eq(conv_wrt_tensor(&p, WRT_WEIGHT), p.weight);
	ck_assert_ptr_eq(conv_wrt_tensor(&p, WRT_BIAS), p.bias);
	params_free(&p);
}
END_TEST

/*
 * For F(x) = x^3 the quotients are exact polynomials in h:
 *   central ((x+h)^3 - (x-h)^3) / 2h = 3x^2 + h^2
 *   forward ((x+h)^3 - x^3) / h      = 3x^2 + 3xh + h^2
 * With h = 1e-3 the two differ from the derivative 3x^2 by 1e-6 and ~3e-3 x,
 * and from these predictions only by rounding: eps * x^3 / h ~ 1e-13. So
 * 1e-10 tells the methods apart and proves the step used is h.
 */
START_TEST(test_methods_on_cubic)
{
	conv_shape_t s;
	conv_params_t p;
	fd_opts_t o = { FD_CENTRAL, 1e-3 };
	const double h = 1e-3;
	double col[9];
	size_t j, i;

	shape(&s, 1, 1, 3, 3, 1, 1, 1);
	params_create(&p, &s, 2);
	for (j = 0; j < 9; j++) {
		double x = p.input->data[j];

		o.method = FD_CENTRAL;
		fd_jacobian_column(col, &p, WRT_INPUT, j, forward_cube, &s, &o);
		ck_assert_msg(fabs(col[j] - (3 * x * x + h * h)) < 1e-10,
		    "central: %.17g vs %.17g", col[j], 3 * x * x + h * h);
		o.method = FD_FORWARD;
		fd_jacobian_column(col, &p, WRT_INPUT, j, forward_cube, &s, &o);
		ck_assert_msg(fabs(col[j] - (3 * x * x + 3 * x * h + h * h)) < 1e-10,
		    "forward: %.17g vs %.17g", col[j], 3 * x * x + 3 * x * h + h * h);
		for (i = 0; i < 9; i++)
			if (i != j)
				ck_assert(col[i] == 0.0);   /* other outputs unmoved */
	}
	params_free(&p);
}
END_TEST

/* Values where x + h - h != x in floating point (tiny x: x + h keeps few
 * of x's bits): the restore must write back the saved bits, not undo the
 * step arithmetically. */
START_TEST(test_restores_exactly)
{
	conv_shape_t s;
	conv_params_t p;
	tensor_t *in0, *w0, *b0, *grad, *df, *jac;
	fd_opts_t o = { FD_CENTRAL, 1e-3 };
	double col[2 * 3 * 3 * 3];
	size_t i;

	shape(&s, 2, 2, 4, 5, 3, 2, 3);
	params_create(&p, &s, 3);
	for (i = 0; i < p.input->size; i++) {
		double x = (double)(i + 1) * 1e-9 / 3.0;

		p.input->data[i] = x;
		ck_assert(x + 1e-3 - 1e-3 != x);  /* the trap is real */
	}
	in0 = tensor_clone(p.input);
	w0 = tensor_clone(p.weight);
	b0 = tensor_clone(p.bias);
	ck_assert_uint_eq(conv_output_size(&s), sizeof(col) / sizeof(col[0]));
	for (i = 0; i < p.input->size; i++)
		fd_jacobian_column(col, &p, WRT_INPUT, i, conv2d_forward_elem, &s, &o);
	df = tensor_create4(s.N, s.C_out, s.H_out, s.W_out);
	grad = tensor_clone(p.weight);
	fd_gradient(grad, df, &p, WRT_WEIGHT, conv2d_forward_elem, &s, &o);
	jac = tensor_create2(conv_output_size(&s), s.C_out);
	fd_jacobian(jac, &p, WRT_BIAS, conv2d_forward_elem, &s, &o);
	ck_assert_mem_eq(p.input->data, in0->data, in0->size * sizeof(double));
	ck_assert_mem_eq(p.weight->data, w0->data, w0->size * sizeof(double));
	ck_assert_mem_eq(p.bias->data, b0->data, b0->size * sizeof(double));
	tensor_free(in0);
	tensor_free(w0);
	tensor_free(b0);
	tensor_free(grad);
	tensor_free(df);
	tensor_free(jac);
	params_free(&p);
}
END_TEST

/*
 * A 1x1 convolution, stride 1: output[b,c_out,h,w] = bias[c_out] +
 * sum_{c_in} input[b,c_in,h,w] weight[c_out,c_in,0,0]. Its Jacobians are
 *   d output[b,co,h,w] / d input[b',ci,h',w'] = weight[co,ci] if (b,h,w) = (b',h',w')
 *   d output[b,co,h,w] / d weight[co',ci]     = input[b,ci,h,w] if co = co'
 *   d output[b,co,h,w] / d bias[co']          = 1 if co = co'
 * and 0 elsewhere. Tolerance: linear, so only rounding, eps |out| / h
 * ~ 1e-10; 1e-6 (a wrong entry errs by O(0.1), a misplaced one by O(1)).
 */
START_TEST(test_jacobian_1x1)
{
	conv_shape_t s;
	conv_params_t p;
	fd_opts_t o;
	tensor_t *ji, *jw, *jb, *want_i, *want_w, *want_b;
	size_t b, co, ci, h, w, o_idx;

	fd_opts_default(&o);
	shape(&s, 2, 2, 2, 3, 3, 1, 1);
	params_create(&p, &s, 4);
	ji = tensor_create2(conv_output_size(&s), conv_input_size(&s));
	jw = tensor_create2(conv_output_size(&s), conv_weight_size(&s));
	jb = tensor_create2(conv_output_size(&s), (size_t)s.C_out);
	want_i = tensor_clone(ji);
	want_w = tensor_clone(jw);
	want_b = tensor_clone(jb);
	for (b = 0; b < 2; b++)
	for (co = 0; co < 3; co++)
	for (h = 0; h < 2; h++)
	for (w = 0; w < 3; w++) {
		o_idx = ((b * 3 + co) * 2 + h) * 3 + w;
		for (ci = 0; ci < 2; ci++) {
			T2(want_i, o_idx, ((b * 2 + ci) * 2 + h) * 3 + w) =
			    T4(p.weight, co, ci, 0, 0);
			T2(want_w, o_idx, co * 2 + ci) = T4(p.input, b, ci, h, w);
		}
		T2(want_b, o_idx, co) = 1.0;
	}
	fd_jacobian(ji, &p, WRT_INPUT, conv2d_forward_elem, &s, &o);
	fd_jacobian(jw, &p, WRT_WEIGHT, conv2d_forward_elem, &s, &o);
	fd_jacobian(jb, &p, WRT_BIAS, conv2d_forward_elem, &s, &o);
	ck_assert_tensor_close(ji, want_i, 1e-6, 0.0);
	ck_assert_tensor_close(jw, want_w, 1e-6, 0.0);
	ck_assert_tensor_close(jb, want_b, 1e-6, 0.0);
	tensor_free(ji);
	tensor_free(jw);
	tensor_free(jb);
	tensor_free(want_i);
	tensor_free(want_w);
	tensor_free(want_b);
	params_free(&p);
}
END_TEST

/* The parallel Jacobian and gradient do the same arithmetic as one column
 * at a time, so they agree bit for bit. */
START_TEST(test_parallel_equals_serial)
{
	conv_shape_t s;
	conv_params_t p;
	fd_opts_t o;
	tensor_t *jac, *grad, *df, *out;
	double *col;
	size_t j, i, nout;

	fd_opts_default(&o);
	conv_shape_init(&s, 2, 2, 6, 5, 3, 3, 2);
	s.strh = 2;
	s.pad_w = 1;
	df = world_create(&p, &s, 5);
	nout = conv_output_size(&s);
	jac = tensor_create2(nout, conv_input_size(&s));
	grad = tensor_clone(p.input);
	col = malloc(nout * sizeof(double));
	out = tensor_create4(s.N, s.C_out, s.H_out, s.W_out);
	fd_jacobian(jac, &p, WRT_INPUT, conv2d_forward_elem, &s, &o);
	fd_gradient(grad, df, &p, WRT_INPUT, conv2d_forward_elem, &s, &o);
	for (j = 0; j < conv_input_size(&s); j++) {
		const double orig = p.input->data[j];
		double f_hi = 0.0, f_lo = 0.0;

		fd_jacobian_column(col, &p, WRT_INPUT, j, conv2d_forward_elem, &s, &o);
		for (i = 0; i < nout; i++)
			ck_assert(T2(jac, i, j) == col[i]);
		/* The gradient is the difference of f = sum(df * output) itself,
		 * formed from each perturbed output: the same operations in
		 * the same order here, so equal to the bit. */
		p.input->data[j] = orig + o.eps;
		conv2d_forward_elem(out, p.input, p.weight, p.bias, &s);
		for (i = 0; i < nout; i++)
			f_hi += df->data[i] * out->data[i];
		p.input->data[j] = orig - o.eps;
		conv2d_forward_elem(out, p.input, p.weight, p.bias, &s);
		for (i = 0; i < nout; i++)
			f_lo += df->data[i] * out->data[i];
		p.input->data[j] = orig;
		ck_assert(grad->data[j] ==
		    (f_hi - f_lo) / ((orig + o.eps) - (orig - o.eps)));
	}
	tensor_free(out);
	free(col);
	tensor_free(jac);
	tensor_free(grad);
	tensor_free(df);
	params_free(&p);
}
END_TEST

/* fd_gradient_entry, one entry alone (as the verifier computes it for the
 * tutor's live check), equals the same entry of the whole fd_gradient
 * (parallel under OpenMP) bit for bit, for every tensor and both methods,
 * and leaves the parameters exactly as they were. _i: wrt * 2 + method. */
START_TEST(test_gradient_entry_equals_whole)
{
	const conv_wrt_t wrt = (conv_wrt_t)(_i / 2);
	conv_shape_t s;
	conv_params_t p;
	fd_opts_t o;
	tensor_t *df, *grad, *saved;
	size_t j;
	double v;

	fd_opts_default(&o);
	o.method = _i % 2 == 0 ? FD_CENTRAL : FD_FORWARD;
	conv_shape_init(&s, 2, 3, 6, 5, 3, 3, 2);
	s.strw = 2;
	s.pad_h = 1;
	df = world_create(&p, &s, 11);
	grad = tensor_clone(conv_wrt_tensor(&p, wrt));
	saved = tensor_clone(conv_wrt_tensor(&p, wrt));
	fd_gradient(grad, df, &p, wrt, conv2d_forward_elem, &s, &o);
	for (j = 0; j < grad->size; j++) {
		v = fd_gradient_entry(df, &p, wrt, j, conv2d_forward_elem, &s, &o);
		ck_assert_msg(memcmp(&v, &grad->data[j], sizeof v) == 0,
		    "d f / d %s[%zu]: alone %.17g, in the whole %.17g",
		    conv_wrt_name(wrt), j, v, grad->data[j]);
	}
	ck_assert(memcmp(saved->data, conv_wrt_tensor(&p, wrt)->data,
	    saved->size * sizeof(double)) == 0);
	tensor_free(saved);
	tensor_free(grad);
	tensor_free(df);
	params_free(&p);
}
END_TEST

/* fd_jacobian_column_image and fd_gradient_entry_image, the forward on
 * the perturbed entry's image alone, equal the whole batch's column and
 * entry bit for bit, at every input entry, both methods, and shapes with
 * three images, padding, strides, dilation and groups. _i: shape * 2 +
 * method. */
START_TEST(test_image_equals_batch)
{
	conv_shape_t s;
	conv_params_t p;
	fd_opts_t o;
	tensor_t *df, *out, *saved;
	double *a, *b, va, vb;
	size_t j, i, nout;

	fd_opts_default(&o);
	o.method = _i % 2 == 0 ? FD_CENTRAL : FD_FORWARD;
	if (_i / 2 == 0) {
		conv_shape_init(&s, 3, 2, 5, 6, 2, 3, 2);
		s.strw = 2;
		s.pad_h = 1;
	} else {
		conv_shape_init(&s, 2, 4, 6, 5, 2, 2, 2);
		s.dil_h = 2;
		s.groups = 2;
	}
	df = world_create(&p, &s, 21);
	if (s.groups > 1) {    /* the weight's C_in is the group's */
		tensor_free(p.weight);
		p.weight = tensor_create4(s.C_out, s.C_in / s.groups, s.R, s.S);
		for (j = 0; j < p.weight->size; j++)
			p.weight->data[j] = 0.1 * (double)(j % 7) - 0.3;
	}
	nout = conv_output_size(&s);
	out = tensor_create4(s.N, s.C_out, s.H_out, s.W_out);
	conv2d_forward_elem(out, p.input, p.weight, p.bias, &s);
	saved = tensor_clone(p.input);
	a = xmalloc(nout * sizeof *a);
	b = xmalloc(nout * sizeof *b);
	for (j = 0; j < p.input->size; j++) {
		fd_jacobian_column(a, &p, WRT_INPUT, j, conv2d_forward_elem, &s,
		    &o);
		fd_jacobian_column_image(b, &p, j, conv2d_forward_elem, &s, &o,
		    out);
		for (i = 0; i < nout; i++)
			ck_assert_msg(memcmp(&a[i], &b[i], sizeof a[i]) == 0,
			    "column %zu, output %zu: batch %.17g, image %.17g",
			    j, i, a[i], b[i]);
		va = fd_gradient_entry(df, &p, WRT_INPUT, j,
		    conv2d_forward_elem, &s, &o);
		vb = fd_gradient_entry_image(df, &p, j, conv2d_forward_elem,
		    &s, &o, out);
		ck_assert_msg(memcmp(&va, &vb, sizeof va) == 0,
		    "d f / d input[%zu]: batch %.17g, image %.17g", j, va, vb);
	}
	ck_assert(memcmp(saved->data, p.input->data,
	    saved->size * sizeof(double)) == 0);
	free(a);
	free(b);
	tensor_free(saved);
	tensor_free(out);
	tensor_free(df);
	params_free(&p);
}
END_TEST

/* Both methods and a larger step on the (linear) conv against the backward
 * kernel: no truncation error, so the rounding tolerance of check_conv
 * (1e-6) holds for forward differences and h = 1e-4 too. */
START_TEST(test_forward_method_on_conv)
{
	static const fd_opts_t opts[] = {
		{ FD_FORWARD, 1e-6 }, { FD_FORWARD, 1e-4 }, { FD_CENTRAL, 1e-4 },
	};
	conv_shape_t s;
	conv_params_t p;
	tensor_t *df, *num, *ana;

	conv_shape_init(&s, 2, 3, 7, 6, 2, 3, 3);
	s.dil_w = 2;
	s.pad_h = 1;
	df = world_create(&p, &s, 7);
	num = tensor_clone(p.weight);
	ana = tensor_clone(p.weight);
	conv2d_backward_weight_elem(ana, df, p.input, &s);
	fd_gradient(num, df, &p, WRT_WEIGHT, conv2d_forward_elem, &s, &opts[_i]);
	ck_assert_tensor_close(num, ana, 1e-6, 0.0);
	tensor_free(df);
	tensor_free(num);
	tensor_free(ana);
	params_free(&p);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("fdiff");
	TCase *tc = tcase_create("fdiff");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_defaults_names);
	tcase_add_test(tc, test_methods_on_cubic);
	tcase_add_test(tc, test_restores_exactly);
	tcase_add_test(tc, test_jacobian_1x1);
	tcase_add_test(tc, test_parallel_equals_serial);
	tcase_add_loop_test(tc, test_gradient_entry_equals_whole, 0, 6);
	tcase_add_loop_test(tc, test_forward_method_on_conv, 0, 3);
	tcase_add_loop_test(tc, test_image_equals_batch, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
