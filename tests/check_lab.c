/*
 * check_lab.c: the step-size lab on real evaluations. The float32 forward
 * against the double kernel within float rounding; the V of central and
 * forward differences with its minimum within a decade of eps^(1/3) and
 * eps^(1/2) in both precisions, at several seeds; no truncation error
 * with g linear; relu's kink where no h works; the chart drawn from the
 * errors; bad options refused with the option named.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check-util.h"
#include "conv-elem.h"
#include "lab.h"
#include "util.h"

static lab_result_t *
run_ok(const lab_opts_t *o)
{
	lab_result_t *r = NULL;
	char *err = NULL;

	ck_assert_msg(lab_step_size(o, &r, &err) == 0, "%s", err);
	ck_assert_ptr_nonnull(r);
	return r;
}

/* The error of a curve at step h (one of the sweep's steps). */
static double
err_at(const lab_result_t *r, double h, int p, int m)
{
	int i;

	for (i = 0; i < r->npoints; i++)
		if (fabs(log10(r->points[i].h) - log10(h)) < 1e-9)
			return r->points[i].err[p][m];
	ck_abort_msg("no step %g in the sweep", h);
	return NAN;
}

/* ---- the float32 forward ---- */

static const struct {
	long N, C_in, H_in, W_in, C_out, R, S, strh, strw, pad, dil, groups;
} shapes[] = {
	{ 2, 2, 7, 8, 3, 3, 2, 2, 3, 0, 1, 1 },
	{ 1, 3, 6, 5, 2, 2, 3, 1, 1, 1, 1, 1 },
	{ 2, 4, 9, 9, 4, 3, 3, 2, 1, 2, 2, 2 },
};

/*
 * lab_forward_f32 against conv2d_forward_elem on the same float values.
 * Each output sums K = C_in/groups*R*S + 1 terms (the bias one); in
 * float every product and every partial sum is rounded once, so the
 * error is at most (K + 1) * FLT_EPSILON/2 * sum |terms| (the classic
 * bound for recursive summation, the product's rounding included), and
 * the double kernel's own error is 2^29 times smaller. sum |terms| is
 * the double kernel on |input|, |weight|, |bias|. A wrong index (stride,
 * padding, group) errs by a whole term, ~0.1 or more, far past it.
 */
START_TEST(test_forward_f32)
{
	conv_shape_t s;
	tensor_t *in, *w, *b, *out, *ain, *aw, *ab, *aout;
	float *in32, *w32, *b32, *out32;
	size_t wd[4], i;
	char *err = NULL;
	rng_t rng;
	double K;

	conv_shape_init(&s, shapes[_i].N, shapes[_i].C_in, shapes[_i].H_in,
	    shapes[_i].W_in, shapes[_i].C_out, shapes[_i].R, shapes[_i].S);
	s.strh = shapes[_i].strh;
	s.strw = shapes[_i].strw;
	s.pad_h = s.pad_w = shapes[_i].pad;
	s.dil_h = s.dil_w = shapes[_i].dil;
	s.groups = shapes[_i].groups;
	ck_assert_msg(conv_shape_validate(&s, 0, &err) == 0, "%s", err);
	conv_weight_dims(&s, wd);
	in = tensor_create4((size_t)s.N, (size_t)s.C_in, (size_t)s.H_in,
	    (size_t)s.W_in);
	w = tensor_create4(wd[0], wd[1], wd[2], wd[3]);
	b = tensor_create1((size_t)s.C_out);
	out = tensor_create4((size_t)s.N, (size_t)s.C_out, (size_t)s.H_out,
	    (size_t)s.W_out);
	rng_seed(&rng, 7 + (uint64_t)_i);
	tensor_fill_uniform(in, &rng, -1.0, 1.0);
	tensor_fill_uniform(w, &rng, -1.0, 1.0);
	tensor_fill_uniform(b, &rng, -1.0, 1.0);
	in32 = xmalloc(in->size * sizeof(float));
	w32 = xmalloc(w->size * sizeof(float));
	b32 = xmalloc(b->size * sizeof(float));
	out32 = xmalloc(out->size * sizeof(float));
	for (i = 0; i < in->size; i++)
		in->data[i] = in32[i] = (float)in->data[i];
	for (i = 0; i < w->size; i++)
		w->data[i] = w32[i] = (float)w->data[i];
	for (i = 0; i < b->size; i++)
		b->data[i] = b32[i] = (float)b->data[i];
	ain = tensor_clone(in);
	aw = tensor_clone(w);
	ab = tensor_clone(b);
	aout = tensor_clone(out);
	for (i = 0; i < ain->size; i++)
		ain->data[i] = fabs(ain->data[i]);
	for (i = 0; i < aw->size; i++)
		aw->data[i] = fabs(aw->data[i]);
	for (i = 0; i < ab->size; i++)
		ab->data[i] = fabs(ab->data[i]);
	conv2d_forward_elem(out, in, w, b, &s);
	conv2d_forward_elem(aout, ain, aw, ab, &s);
	lab_forward_f32(out32, in32, w32, b32, &s);
	K = (double)(conv_group_cin(&s) * s.R * s.S + 1);
	for (i = 0; i < out->size; i++) {
		double tol = (K + 1) * FLT_EPSILON / 2 * aout->data[i];

		ck_assert_msg(isfinite(out32[i]) &&
		    fabs((double)out32[i] - out->data[i]) <= tol,
		    "output %zu: float %.9g, double %.17g, tolerance %.3g", i,
		    (double)out32[i], out->data[i], tol);
	}
	/* and the float result really is float arithmetic: not all equal */
	for (i = 0; i < out->size; i++)
		if ((double)out32[i] != out->data[i])
			break;
	ck_assert_msg(i < out->size, "float32 forward equals the double one");
	free(in32); free(w32); free(b32); free(out32);
	tensor_free(in); tensor_free(w); tensor_free(b); tensor_free(out);
	tensor_free(ain); tensor_free(aw); tensor_free(ab); tensor_free(aout);
}
END_TEST

/* ---- the V ---- */

/*
 * g = tanh at the default shape, at eight seeds and for each of input,
 * weight and bias: where the smallest error of each curve lies, against
 * the model's optimum, eps^(1/3) * scale (central) and eps^(1/2) * scale
 * (forward), scale from lab.c's model_scales ((3F/|f'''|)^(1/3),
 * (2F/|f''|)^(1/2), F the rounding's size). Central differences in
 * float64: within a decade. The others within a decade and a half: the
 * forward model drops the h^2 term, which takes over where the terms of
 * f'' cancel, and float32's rounding is a handful of roundings, so its
 * curve near the minimum is flat and noisy (the sweep's grid adds a
 * quarter decade). Measured here: float64 central within 0.82 decades,
 * the others within 1.39. And the bare eps^(1/3), eps^(1/2): every
 * minimum within two decades of them (the scales are 1.4 to 45).
 */
START_TEST(test_v_minimum)
{
	lab_opts_t o;
	lab_result_t *r;
	int p, m;

	lab_opts_default(&o);
	o.seed = _i % 8 == 0 ? o.seed : (uint64_t)(_i % 8);
	o.wrt = (conv_wrt_t)(_i / 8);
	r = run_ok(&o);
	for (p = 0; p < LAB_NPREC; p++)
	for (m = 0; m < LAB_NMETHOD; m++) {
		double pw = m == FD_CENTRAL ? cbrt(r->eps[p]) : sqrt(r->eps[p]);
		double want = pw * r->scale[m];
		double tol = p == LAB_F64 && m == FD_CENTRAL ? 1.0 : 1.5;
		const lab_min_t *mn = &r->min[p][m];

		ck_assert_int_ge(mn->point, 0);
		ck_assert(isfinite(want));
		ck_assert_msg(fabs(log10(mn->h) - log10(want)) <= tol,
		    "seed %d %s, %s %s: minimum at h = %.3g, the model's %.3g",
		    (int)o.seed, conv_wrt_name(o.wrt), p == 0 ? "float64" :
		    "float32", m == 0 ? "central" : "forward", mn->h, want);
		ck_assert_msg(fabs(log10(mn->h) - log10(pw)) <= 2.0, "%g", mn->h);
	}
	lab_result_free(r);
}
END_TEST

/*
 * The V's arms and floor, float64, g = tanh, default shape and seed:
 *   - at h = 1e-1 the truncation term h^2 |f'''| / 6 (central) and
 *     h |f''| / 2 (forward) is ~1e-3 and ~1e-2 relative: above 1e-5 and
 *     1e-4 for sure (a lab that differenced a linear f would show ~1e-15);
 *   - at h = 1e-12 rounding, eps |f| / h ~ 2e-16 * 10 / 1e-12 ~ 2e-3
 *     absolute: above 1e-6 relative;
 *   - the floor: central reaches below 1e-9 (eps^(2/3) ~ 4e-11 times the
 *     same factors), forward below 1e-6 (eps^(1/2) ~ 1.5e-8);
 *   - float32: the central floor is about eps32^(2/3) ~ 2.4e-5, so below
 *     1e-3, and at h = 1e-9 the step is lost (x + h == x in float for
 *     |x| > 2^-24 * ... : 1e-9 is below half an ulp of any |x| > 1.7e-2):
 *     an error of 100%, exactly 1, when the estimate is exactly 0.
 */
START_TEST(test_v_arms)
{
	lab_opts_t o;
	lab_result_t *r;

	lab_opts_default(&o);
	r = run_ok(&o);
	ck_assert(fabs(r->exact) > 1e-3);
	ck_assert_double_gt(err_at(r, 1e-1, LAB_F64, FD_CENTRAL), 1e-5);
	ck_assert_double_gt(err_at(r, 1e-1, LAB_F64, FD_FORWARD), 1e-4);
	ck_assert_double_gt(err_at(r, 1e-12, LAB_F64, FD_CENTRAL), 1e-6);
	ck_assert_double_gt(err_at(r, 1e-12, LAB_F64, FD_FORWARD), 1e-6);
	ck_assert_double_lt(r->min[LAB_F64][FD_CENTRAL].err, 1e-9);
	ck_assert_double_lt(r->min[LAB_F64][FD_FORWARD].err, 1e-6);
	ck_assert_double_gt(r->min[LAB_F64][FD_FORWARD].err,
	    r->min[LAB_F64][FD_CENTRAL].err);
	ck_assert_double_lt(r->min[LAB_F32][FD_CENTRAL].err, 1e-3);
	ck_assert_double_gt(r->min[LAB_F32][FD_CENTRAL].err,
	    r->min[LAB_F64][FD_CENTRAL].err);
	if (fabs(r->points[0].est[LAB_F32][FD_CENTRAL]) > 0)
		ck_assert_double_eq(err_at(r, 1e-12, LAB_F32, FD_CENTRAL), 1.0);
	lab_result_free(r);
}
END_TEST

/*
 * g linear: f is linear in the entry, as conv2d is, so there is no
 * truncation error: at h = 1e-1 the error is rounding only, eps |f| / h
 * ~ 2e-16 * 10 / 0.1 = 2e-14 (below 1e-12 with margin), where tanh's is
 * ~1e-3; and it grows as h shrinks (1e-12: rounding ~2e-3).
 */
START_TEST(test_linear)
{
	lab_opts_t o;
	lab_result_t *r;

	lab_opts_default(&o);
	o.g = LAB_G_LINEAR;
	r = run_ok(&o);
	ck_assert_double_lt(err_at(r, 1e-1, LAB_F64, FD_CENTRAL), 1e-12);
	ck_assert_double_lt(err_at(r, 1e-1, LAB_F64, FD_FORWARD), 1e-12);
	ck_assert_double_gt(err_at(r, 1e-12, LAB_F64, FD_CENTRAL), 1e-7);
	lab_result_free(r);
}
END_TEST

/*
 * g relu, the entry's output placed exactly on the kink, the step lifting
 * it: central differences give the mean of the two slopes, forward ones
 * the right slope 1, and the backward takes relu'(0) = 0. The estimates
 * are off by |w| / 2 or |w| (w the entry's factor in that output) at
 * every h, relative to |exact| <= ~5 here (absolute when exact is 0):
 * with |w| > 1e-2 for these seeds, no step brings the error under 1e-3.
 */
START_TEST(test_relu_kink)
{
	lab_opts_t o;
	lab_result_t *r;
	int i;

	lab_opts_default(&o);
	o.g = LAB_G_RELU;
	o.seed = (uint64_t)_i + 1;
	r = run_ok(&o);
	ck_assert(r->kink);
	for (i = 0; i < r->npoints; i++) {
		ck_assert_msg(r->points[i].err[LAB_F64][FD_CENTRAL] > 1e-3,
		    "h = %g: central error %g", r->points[i].h,
		    r->points[i].err[LAB_F64][FD_CENTRAL]);
		ck_assert_msg(r->points[i].err[LAB_F64][FD_FORWARD] > 1e-3,
		    "h = %g: forward error %g", r->points[i].h,
		    r->points[i].err[LAB_F64][FD_FORWARD]);
		/* float32 down to 1e-3 only: below, h |w| falls under f's
		 * float resolution (ulp(20) ~ 2e-6) and the difference is
		 * lost to 0, which is an error of 100%, or none when exact
		 * is 0 itself (relu'(0) = 0 at every output x_j moves) */
		ck_assert_msg(r->points[i].h < 1e-3 ||
		    r->points[i].err[LAB_F32][FD_CENTRAL] > 1e-3,
		    "h = %g: float32 central error %g", r->points[i].h,
		    r->points[i].err[LAB_F32][FD_CENTRAL]);
	}
	lab_result_free(r);
}
END_TEST

/*
 * The numbers are real evaluations: the world rebuilt here the way lab.h
 * says (seeded uniform values rounded to float), f = sum tanh(output) by
 * the real kernel at x_j +- h, and the central and forward estimates of
 * the report at h = 1e-3 equal those, bit for bit (the same operations in
 * the same order), and so does the exact value from the backward kernel.
 */
START_TEST(test_real_evaluations)
{
	lab_opts_t o;
	lab_result_t *r;
	conv_shape_t s;
	tensor_t *in, *w, *b, *out, *up, *din;
	const lab_point_t *pt;
	double f[3], x, steps[3];
	size_t wd[4], i;
	char *err = NULL;
	rng_t rng;
	int k;

	lab_opts_default(&o);
	r = run_ok(&o);
	s = o.shape;
	ck_assert_int_eq(conv_shape_validate(&s, 0, &err), 0);
	conv_weight_dims(&s, wd);
	in = tensor_create4(2, 2, 7, 8);
	w = tensor_create4(wd[0], wd[1], wd[2], wd[3]);
	b = tensor_create1(3);
	out = tensor_create4(2, 3, (size_t)s.H_out, (size_t)s.W_out);
	rng_seed(&rng, o.seed);
	tensor_fill_uniform(in, &rng, -1.0, 1.0);
	tensor_fill_uniform(w, &rng, -1.0, 1.0);
	tensor_fill_uniform(b, &rng, -1.0, 1.0);
	for (i = 0; i < in->size; i++)
		in->data[i] = (float)in->data[i];
	for (i = 0; i < w->size; i++)
		w->data[i] = (float)w->data[i];
	for (i = 0; i < b->size; i++)
		b->data[i] = (float)b->data[i];
	pt = &r->points[2 * o.per_decade];          /* h = 1e-3 */
	ck_assert(fabs(pt->h - 1e-3) < 1e-18);
	x = in->data[r->o.entry];
	steps[0] = pt->h;
	steps[1] = -pt->h;
	steps[2] = 0.0;
	for (k = 0; k < 3; k++) {
		in->data[r->o.entry] = x + steps[k];
		conv2d_forward_elem(out, in, w, b, &s);
		f[k] = 0.0;
		for (i = 0; i < out->size; i++)
			f[k] += tanh(out->data[i]);
	}
	in->data[r->o.entry] = x;
	ck_assert_double_eq(pt->est[LAB_F64][FD_CENTRAL],
	    (f[0] - f[1]) / (2.0 * pt->h));
	ck_assert_double_eq(pt->est[LAB_F64][FD_FORWARD], (f[0] - f[2]) / pt->h);
	ck_assert_double_eq(r->f, f[2]);
	/* the exact value: the backward kernel with upstream 1 - tanh^2 */
	conv2d_forward_elem(out, in, w, b, &s);
	up = tensor_clone(out);
	for (i = 0; i < up->size; i++)
		up->data[i] = 1.0 - tanh(out->data[i]) * tanh(out->data[i]);
	din = tensor_clone(in);
	conv2d_backward_input_elem(din, up, w, &s);
	ck_assert_double_eq(r->exact, din->data[r->o.entry]);
	tensor_free(in); tensor_free(w); tensor_free(b); tensor_free(out);
	tensor_free(up); tensor_free(din);
	lab_result_free(r);
}
END_TEST

/* The chart is drawn from the errors: 17 rows of decades, the mark of
 * each step in the row of its error, then the axis; ASCII only. */
START_TEST(test_chart)
{
	lab_opts_t o;
	lab_result_t *r;
	char *chart, *line, *save = NULL;
	const lab_min_t *mn;
	int row = 0, col;
	double k;

	lab_opts_default(&o);
	r = run_ok(&o);
	chart = lab_chart(r, LAB_F64);
	for (line = chart; *line != '\0'; line++)
		ck_assert_int_lt((unsigned char)*line, 128);
	mn = &r->min[LAB_F64][FD_CENTRAL];
	k = floor(-log10(mn->err) + 0.5);
	col = 8 + mn->point;         /* " 1e-NN |" is 8 columns */
	for (line = strtok_r(chart, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), row++) {
		if (row < 17) {
			char want[32];     /* room for any int: -Wformat-truncation */

			snprintf(want, sizeof want, " 1e%c%02d |", row == 0 ? '+' :
			    '-', row);
			ck_assert_msg(strncmp(line, want, 8) == 0, "row %d: %s",
			    row, line);
		}
		if (row == (int)k) {
			ck_assert_msg((int)strlen(line) > col &&
			    (line[col] == 'c' || line[col] == '*'),
			    "row %d col %d: '%s'", row, col, line);
		}
	}
	ck_assert_int_eq(row, 17 + 4);
	free(chart);
	lab_result_free(r);
}
END_TEST

static void
assert_refused(const lab_opts_t *o, const char *want)
{
	lab_result_t *r = (lab_result_t *)1;
	char *err = NULL;

	ck_assert_int_eq(lab_step_size(o, &r, &err), -1);
	ck_assert_ptr_null(r);
	ck_assert_msg(strstr(err, want) != NULL, "'%s' lacks '%s'", err, want);
	free(err);
}

START_TEST(test_refused)
{
	lab_opts_t o;

	lab_opts_default(&o);
	o.per_decade = 0;
	assert_refused(&o, "--points: expected 1 to 10");
	lab_opts_default(&o);
	o.entry = 1000000;
	assert_refused(&o, "--entry: input has 224 entries (0 .. 223), not 1000000");
	/* stride 2 with R = 1 skips the odd rows: input[0,0,1,0] is read by no
	 * output */
	lab_opts_default(&o);
	o.shape.R = 1;
	o.entry = 8;
	assert_refused(&o, "no output reads that entry of input");
	lab_opts_default(&o);
	conv_shape_init(&o.shape, 8, 16, 64, 64, 16, 3, 3);
	assert_refused(&o, "multiply-adds per forward pass");
	lab_opts_default(&o);
	o.shape.R = 0;
	assert_refused(&o, "R");
	lab_result_free(NULL);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("lab");
	TCase *tc = tcase_create("lab");

	tcase_add_loop_test(tc, test_forward_f32, 0,
	    (int)(sizeof(shapes) / sizeof(shapes[0])));
	tcase_add_loop_test(tc, test_v_minimum, 0, 24);
	tcase_add_test(tc, test_v_arms);
	tcase_add_test(tc, test_linear);
	tcase_add_loop_test(tc, test_relu_kink, 0, 3);
	tcase_add_test(tc, test_real_evaluations);
	tcase_add_test(tc, test_chart);
	tcase_add_test(tc, test_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
