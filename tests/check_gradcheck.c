/*
 * check_gradcheck.c: the gradcheck engine. Correct kernels pass over a
 * table of shapes; deliberately wrong backward kernels (reachable only from
 * here) fail, and the first failing entry is the one the bug predicts;
 * NaN never passes; sampling checks the stated number of entries; the cost
 * guard refuses big runs; --dump's files read back.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check-util.h"
#include "conv-elem.h"
#include "conv-matrix.h"
#include "gradcheck.h"
#include "gradcheck-int.h"
#include "gradcheck-report.h"
#include "npy.h"
#include "util.h"

/* ------------------------------------------------------------ helpers */

typedef struct shape_case {
	const char *name;
	long N, C_in, H_in, W_in, C_out, R, S;
	long strh, strw, pad_h, pad_w, dil_h, dil_w, groups;
} shape_case_t;

static const shape_case_t shapes[] = {
	{ "default", 2, 2, 7, 8, 3, 3, 2, 2, 3, 0, 0, 1, 1, 1 },
	{ "padding", 1, 2, 5, 6, 2, 3, 3, 1, 1, 1, 2, 1, 1, 1 },
	{ "dilation", 1, 2, 9, 8, 2, 3, 2, 1, 2, 0, 0, 2, 3, 1 },
	{ "stride > kernel", 2, 1, 9, 10, 2, 2, 2, 3, 4, 0, 0, 1, 1, 1 },
	{ "1x1 kernel", 1, 3, 4, 5, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1 },
	{ "all at once", 2, 2, 8, 9, 3, 3, 2, 2, 1, 1, 0, 2, 1, 1 },
	{ "groups", 2, 4, 7, 6, 6, 3, 2, 1, 2, 1, 0, 1, 1, 2 },
	{ "depthwise", 1, 3, 6, 7, 3, 3, 3, 2, 1, 1, 1, 1, 1, 3 },
};

static void
opts_for(gradcheck_opts_t *o, const shape_case_t *c)
{
	gradcheck_opts_default(o);
	conv_shape_init(&o->shape, c->N, c->C_in, c->H_in, c->W_in, c->C_out,
	    c->R, c->S);
	o->shape.strh = c->strh;
	o->shape.strw = c->strw;
	o->shape.pad_h = c->pad_h;
	o->shape.pad_w = c->pad_w;
	o->shape.dil_h = c->dil_h;
	o->shape.dil_w = c->dil_w;
	o->shape.groups = c->groups;
}

/* A shape with no padding, stride 1, R == S: the wrong kernels' first
 * failures below are worked out for it. */
static void
opts_plain(gradcheck_opts_t *o, const gradcheck_kernels_t *k)
{
	gradcheck_opts_default(o);
	conv_shape_init(&o->shape, 2, 2, 5, 6, 3, 3, 3);
	o->shape.strh = o->shape.strw = 1;
	o->forms = GRADCHECK_ELEM;
	o->kernels = k;
}

static gradcheck_t *
create_ok(const gradcheck_opts_t *o)
{
	char *err = NULL;
	gradcheck_t *g = gradcheck_create(o, &err);

	ck_assert_msg(g != NULL, "gradcheck_create: %s", err ? err : "?");
	return g;
}

static const gradcheck_item_t *
find(const gradcheck_t *g, const char *form, const char *quantity)
{
	const gradcheck_item_t *it = gradcheck_find(g, form, quantity);

	ck_assert_msg(it != NULL, "no item '%s' '%s'", form, quantity);
	return it;
}

static void
assert_idx(const long *got, const long *want, int n, const char *what)
{
	int i;

	for (i = 0; i < n; i++)
		ck_assert_msg(got[i] == want[i], "%s index %d: got %ld, want %ld",
		    what, i, got[i], want[i]);
}

/* Every item except those named in `failing` (NULL-terminated "form|q")
 * passes; the named ones fail. */
static void
assert_only_failing(const gradcheck_t *g, const char *const *failing)
{
	size_t i;

	for (i = 0; i < gradcheck_count(g); i++) {
		const gradcheck_item_t *it = gradcheck_item(g, i);
		char key[80];
		bool should_fail = false;
		const char *const *f;

		snprintf(key, sizeof(key), "%s|%s", it->form, it->quantity);
		for (f = failing; *f != NULL; f++)
			should_fail |= strcmp(*f, key) == 0;
		ck_assert_msg(it->pass == !should_fail, "%s: pass=%d (max abs %g, "
		    "tol %g, %zu failures)", key, it->pass, it->max_abs, it->tol,
		    it->failures);
	}
}

/* ------------------------------------------------------- wrong kernels */

/* Drops the last kernel column: dweight[:, :, :, S-1] = 0. */
static void
bw_weight_drop_last_col(tensor_t *dweight, const tensor_t *df,
    const tensor_t *input, const conv_shape_t *s)
{
	long co, ci, di;

	conv2d_backward_weight_elem(dweight, df, input, s);
	for (co = 0; co < s->C_out; co++)
		for (ci = 0; ci < conv_group_cin(s); ci++)
			for (di = 0; di < s->R; di++)
				T4(dweight, co, ci, di, s->S - 1) = 0;
}

/* Uses weight[c_out, c_in, dj, di] for weight[c_out, c_in, di, dj]
 * (R == S): the real kernel fed the transposed taps. */
static void
bw_input_swap_didj(tensor_t *dinput, const tensor_t *df,
    const tensor_t *weight, const conv_shape_t *s)
{
	tensor_t *wt = tensor_clone(weight);
	long co, ci, di, dj;

	for (co = 0; co < s->C_out; co++)
		for (ci = 0; ci < conv_group_cin(s); ci++)
			for (di = 0; di < s->R; di++)
				for (dj = 0; dj < s->S; dj++)
					T4(wt, co, ci, di, dj) = T4(weight, co, ci, dj, di);
	conv2d_backward_input_elem(dinput, df, wt, s);
	tensor_free(wt);
}

/* Sums over the first image only (forgets the batch): the real kernel
 * fed df with every other image zeroed. */
static void
bw_bias_first_image(tensor_t *dbias, const tensor_t *df,
    const conv_shape_t *s)
{
	tensor_t *d0 = tensor_clone(df);
	size_t per_image = df->size / (size_t)s->N, i;

	for (i = per_image; i < d0->size; i++)
		d0->data[i] = 0;
	conv2d_backward_bias_elem(dbias, d0, s);
	tensor_free(d0);
}

/* The real kernel, then a NaN in the last entry. */
static void
bw_input_nan(tensor_t *dinput, const tensor_t *df, const tensor_t *weight,
    const conv_shape_t *s)
{
	conv2d_backward_input_elem(dinput, df, weight, s);
	dinput->data[dinput->size - 1] = NAN;
}

/* Accumulates into dbias instead of overwriting it. */
static void
bw_bias_accumulate(tensor_t *dbias, const tensor_t *df,
    const conv_shape_t *s)
{
	tensor_t *tmp = tensor_clone(dbias);
	size_t i;

	conv2d_backward_bias_elem(tmp, df, s);
	for (i = 0; i < dbias->size; i++)
		dbias->data[i] += tmp->data[i];
	tensor_free(tmp);
}

/* The last output reads input[0, 0, 0, 0] too (outside its window when
 * N > 1): a forward that breaks conv2d's sparsity. */
static void
fw_leak(tensor_t *output, const tensor_t *input, const tensor_t *weight,
    const tensor_t *bias, const conv_shape_t *s)
{
	conv2d_forward_elem(output, input, weight, bias, s);
	output->data[output->size - 1] += 0.5 * input->data[0];
}

/* The backward of that leak alone, added to a correct dinput: the
 * analytic Jacobian gains the same entry outside the window. */
static void
bw_input_leak(tensor_t *dinput, const tensor_t *df, const tensor_t *weight,
    const conv_shape_t *s)
{
	conv2d_backward_input_elem(dinput, df, weight, s);
	dinput->data[0] += 0.5 * df->data[df->size - 1];
}

/* A forward with a NaN in its first output. */
static void
fw_nan(tensor_t *output, const tensor_t *input, const tensor_t *weight,
    const tensor_t *bias, const conv_shape_t *s)
{
	conv2d_forward_elem(output, input, weight, bias, s);
	output->data[0] = NAN;
}

/* Padding taps read input at the clamped position instead of 0. */
static void
fw_pad_clamp(tensor_t *output, const tensor_t *input, const tensor_t *weight,
    const tensor_t *bias, const conv_shape_t *s)
{
	conv2d_forward_elem(output, input, weight, bias, s);
	if (s->pad_h > 0 || s->pad_w > 0)
		output->data[0] += 0.25 * input->data[0];
}

/* Each wrong element form to run both engines on: one kernel replaced. */
typedef struct wrong_case {
	const char *name;
	conv_forward_fn forward;
	conv_backward_input_fn backward_input;
	conv_backward_weight_fn backward_weight;
	conv_backward_bias_fn backward_bias;
	enum { NEEDS_NONE, NEEDS_SQUARE, NEEDS_BATCH, NEEDS_PADDING } needs;
} wrong_case_t;

/* Is the case's kernel wrong at this shape (a swap needs R == S > 1, the
 * batch bugs N > 1, the padding bug padding)? */
static bool
applies(const wrong_case_t *w, const shape_case_t *c)
{
	switch (w->needs) {
	case NEEDS_SQUARE:
		return c->R == c->S && c->R > 1;
	case NEEDS_BATCH:
		return c->N > 1;
	case NEEDS_PADDING:
		return c->pad_h > 0 || c->pad_w > 0;
	case NEEDS_NONE:
		break;
	}
	return true;
}

static const wrong_case_t wrongs[] = {
	{ "correct", NULL, NULL, NULL, NULL, NEEDS_NONE },
	{ "dweight drops the last tap column", NULL, NULL,
	    bw_weight_drop_last_col, NULL, NEEDS_NONE },
	{ "dinput with di, dj swapped", NULL, bw_input_swap_didj, NULL, NULL,
	    NEEDS_SQUARE },
	{ "dbias from image 0", NULL, NULL, NULL, bw_bias_first_image,
	    NEEDS_BATCH },
	{ "dinput NaN", NULL, bw_input_nan, NULL, NULL, NEEDS_NONE },
	{ "dbias accumulates", NULL, NULL, NULL, bw_bias_accumulate,
	    NEEDS_NONE },
	{ "forward leaks outside its window", fw_leak, NULL, NULL, NULL,
	    NEEDS_BATCH },
	{ "dinput leaks outside its window", NULL, bw_input_leak, NULL, NULL,
	    NEEDS_BATCH },
	{ "forward NaN", fw_nan, NULL, NULL, NULL, NEEDS_NONE },
	{ "forward reads the padding", fw_pad_clamp, NULL, NULL, NULL,
	    NEEDS_PADDING },
};

static gradcheck_t *
run_engine(const shape_case_t *c, const gradcheck_kernels_t *k, int engine)
{
	gradcheck_opts_t o;
	gradcheck_t *g;

	opts_for(&o, c);
	o.forms = GRADCHECK_ELEM;
	o.kernels = k;
	o.engine = engine;
	g = create_ok(&o);
	gradcheck_run(g);
	return g;
}

/* The compressed engine against the direct one: on every shape of the
 * table, for the correct element form and each wrong one, the same items
 * pass and fail, with the same failure counts and the same first entry
 * (indices and values). */
START_TEST(test_engines_agree)
{
	const shape_case_t *c = &shapes[_i];
	size_t w, i;

	for (w = 0; w < sizeof(wrongs) / sizeof(wrongs[0]); w++) {
		const wrong_case_t *wc = &wrongs[w];
		gradcheck_kernels_t k = gradcheck_kernels_default;
		gradcheck_t *a, *b;
		size_t fails = 0;

		if (!applies(wc, c))
			continue;
		if (wc->forward)
			k.elem.forward = wc->forward;
		if (wc->backward_input)
			k.elem.backward_input = wc->backward_input;
		if (wc->backward_weight)
			k.elem.backward_weight = wc->backward_weight;
		if (wc->backward_bias)
			k.elem.backward_bias = wc->backward_bias;
		a = run_engine(c, &k, GRADCHECK_ENGINE_COMPRESSED);
		b = run_engine(c, &k, GRADCHECK_ENGINE_DIRECT);
		ck_assert_uint_eq(gradcheck_count(a), gradcheck_count(b));
		for (i = 0; i < gradcheck_count(a); i++) {
			const gradcheck_item_t *x = gradcheck_item(a, i);
			const gradcheck_item_t *y = gradcheck_item(b, i);

			ck_assert_msg(x->pass == y->pass && x->failures == y->failures
			    && x->checked == y->checked, "%s, %s: %s %s: compressed "
			    "pass=%d failures=%zu checked=%zu, direct pass=%d "
			    "failures=%zu checked=%zu", c->name, wc->name, x->form,
			    x->quantity, x->pass, x->failures, x->checked, y->pass,
			    y->failures, y->checked);
			fails += x->failures > 0;
			if (x->failures == 0)
				continue;
			ck_assert_msg(x->first_key == y->first_key, "%s, %s: %s: first "
			    "failure at %llu, direct at %llu", c->name, wc->name,
			    x->quantity, (unsigned long long)x->first_key,
			    (unsigned long long)y->first_key);
			if (x->fail_has_out)
				assert_idx(x->out_idx, y->out_idx, 4, "output");
			if (x->fail_has_wrt)
				assert_idx(x->wrt_idx, y->wrt_idx, x->wrt == WRT_BIAS ? 1 : 4,
				    "wrt");
			ck_assert_msg((isnan(x->got) && isnan(y->got)) ||
			    x->got == y->got, "%s, %s: got %g vs %g", c->name,
			    wc->name, x->got, y->got);
		}
		/* every wrong kernel is caught; the correct one passes */
		ck_assert_msg((fails > 0) == (w > 0), "%s, %s: %zu items failed",
		    c->name, wc->name, fails);
		gradcheck_free(a);
		gradcheck_free(b);
	}
}
END_TEST

/* A forward and backward that leak alike (the backward is the leaky
 * forward's true derivative) pass the direct engine, entry against entry;
 * the compressed one fails both Jacobian sides at the leaked entry
 * (output last, input[0,0,0,0]), because conv2d cannot reach it. */
START_TEST(test_leak_alike)
{
	gradcheck_kernels_t k = gradcheck_kernels_default;
	gradcheck_t *a, *b;
	const gradcheck_item_t *it;
	const long out_last[4] = { 1, 2, 2, 2 }, in0[4] = { 0, 0, 0, 0 };

	k.elem.forward = fw_leak;
	k.elem.backward_input = bw_input_leak;
	a = run_engine(&shapes[0], &k, GRADCHECK_ENGINE_COMPRESSED);
	b = run_engine(&shapes[0], &k, GRADCHECK_ENGINE_DIRECT);
	ck_assert(find(b, "element", "d output/d input")->pass);
	it = find(a, "element", "d output/d input");
	ck_assert(!it->pass);
	ck_assert_uint_eq(it->failures, 2);     /* the analytic, the numeric */
	assert_idx(it->out_idx, out_last, 4, "output");
	assert_idx(it->wrt_idx, in0, 4, "input");
	ck_assert(find(a, "element", "dinput")->pass);
	gradcheck_free(a);
	gradcheck_free(b);
}
END_TEST

/* -------------------------------------------------------------- tests */

/* Real kernels, every form, every shape: all pass, every entry checked,
 * every error within its tolerance, none NaN. */
START_TEST(test_pass_shapes)
{
	gradcheck_opts_t o;
	gradcheck_t *g;
	size_t i, failed;

	opts_for(&o, &shapes[_i]);
	g = create_ok(&o);
	failed = gradcheck_run(g);
	ck_assert_msg(failed == 0, "%s: %zu checks failed", shapes[_i].name,
	    failed);
	/* element: 6 + NHWC; each matrix form: 6 + forward agreement */
	ck_assert_uint_eq(gradcheck_count(g), 7 * (size_t)gradcheck_cost(g)->forms);
	for (i = 0; i < gradcheck_count(g); i++) {
		const gradcheck_item_t *it = gradcheck_item(g, i);

		ck_assert_msg(it->pass && it->checked == it->total &&
		    it->checked > 0, "%s %s: checked %zu of %zu", it->form,
		    it->quantity, it->checked, it->total);
		ck_assert_msg(isfinite(it->max_abs) && it->max_abs <= it->tol &&
		    it->tol > 0, "%s %s", it->form, it->quantity);
	}
	gradcheck_free(g);
}
END_TEST

/* The entry counts are the Jacobian sizes: for the default shape
 * M = 2*3*3*3 = 54 outputs, input 2*2*7*8 = 224, weight 3*2*3*2 = 36. */
START_TEST(test_counts)
{
	gradcheck_opts_t o;
	gradcheck_t *g;

	gradcheck_opts_default(&o);
	o.forms = GRADCHECK_ELEM;
	g = create_ok(&o);
	ck_assert_uint_eq(gradcheck_run(g), 0);
	ck_assert_uint_eq(find(g, "element", "d output/d input")->checked,
	    54 * 224);
	ck_assert_uint_eq(find(g, "element", "d output/d weight")->checked,
	    54 * 36);
	ck_assert_uint_eq(find(g, "element", "d output/d bias")->checked, 54 * 3);
	ck_assert_uint_eq(find(g, "element", "dinput")->checked, 224);
	ck_assert_uint_eq(find(g, "element", "forward NHWC = NCHW")->checked, 54);
	/* the compressed engine: column groups 2*3*2 (input: C_in * Kh * Kw
	 * with Kh = R = 3, Kw = S = 2), 2*3*2 (weight: C_in * R * S), 1
	 * (bias), two forwards each, + its base forward (run twice, to time it) + the agreement check
	 * + 2 (reference, NHWC); backward: row groups 3*2*1 (input: C_out * Ch
	 * * Cw, Ch = ceil(3/2), Cw = ceil(2/3)) + 2*3*3 (weight, each on a
	 * crop: N*H_out*W_out) + 2*3*3 (bias, on the layer) + the chain rule */
	ck_assert_double_eq(gradcheck_cost(g)->forward_evals,
	    2 * (12 + 12 + 1) + 2 + 1 + 2);
	ck_assert_double_eq(gradcheck_cost(g)->backward_evals, 6 + 18 + 18 + 1);
	gradcheck_free(g);
}
END_TEST

/* Forward differences are checked too (twice the rounding bound). */
START_TEST(test_forward_method)
{
	gradcheck_opts_t o;
	gradcheck_t *g;

	gradcheck_opts_default(&o);
	o.fd.method = FD_FORWARD;
	o.fd.eps = 1e-5;
	g = create_ok(&o);
	ck_assert_uint_eq(gradcheck_run(g), 0);
	gradcheck_free(g);
}
END_TEST

/* Dropping the last kernel column: d output/d weight and dweight fail in
 * the element form only. The first failing Jacobian entry (row-major over
 * the output, then the weight) is output[0,0,0,0] against
 * weight[c_out=0, c_in=0, di=0, dj=S-1]: the kernel says 0, the finite
 * difference input[0, 0, 0, S-1] (no padding, so nonzero). */
START_TEST(test_wrong_weight)
{
	gradcheck_kernels_t k = gradcheck_kernels_default;
	gradcheck_opts_t o;
	gradcheck_t *g;
	const gradcheck_item_t *it;
	const char *const failing[] = { "element|d output/d weight",
	    "element|dweight", NULL };
	const long out0[4] = { 0, 0, 0, 0 }, w0[4] = { 0, 0, 0, 2 };
	double x;

	k.elem.backward_weight = bw_weight_drop_last_col;
	opts_plain(&o, &k);
	o.forms = GRADCHECK_ELEM | GRADCHECK_MATRIX_BUILTIN;
	g = create_ok(&o);
	ck_assert_uint_eq(gradcheck_run(g), 2);
	assert_only_failing(g, failing);
	it = find(g, "element", "d output/d weight");
	ck_assert(it->fail_has_out && it->fail_has_wrt);
	assert_idx(it->out_idx, out0, 4, "output");
	assert_idx(it->wrt_idx, w0, 4, "weight");
	x = T4(gradcheck_params(g)->input, 0, 0, 0, 2);
	ck_assert_double_eq(it->got, 0);
	ck_assert_double_eq_tol(it->want, x, 1e-8);  /* rounding: ~1e-10 */
	/* Each output's row has C_in*R = 6 wrong taps. */
	ck_assert_uint_eq(it->failures, 2 * 3 * 3 * 4 * 6);
	it = find(g, "element", "dweight");
	ck_assert(!it->fail_has_out && it->fail_has_wrt);
	assert_idx(it->wrt_idx, w0, 4, "dweight");
	ck_assert_uint_eq(it->failures, 3 * 2 * 3);
	gradcheck_free(g);
}
END_TEST

/* Swapping di and dj in backward input: the first failing entry is
 * d output[0,0,0,0] / d input[0,0,0,1] (stride 1, no padding: input
 * (0,0,0,1) is tap di=0, dj=1); the kernel gives weight[0,0,1,0], the
 * finite difference weight[0,0,0,1]. */
START_TEST(test_wrong_input)
{
	gradcheck_kernels_t k = gradcheck_kernels_default;
	gradcheck_opts_t o;
	gradcheck_t *g;
	const gradcheck_item_t *it;
	const char *const failing[] = { "element|d output/d input",
	    "element|dinput", NULL };
	const long out0[4] = { 0, 0, 0, 0 }, in0[4] = { 0, 0, 0, 1 };
	const tensor_t *w;

	k.elem.backward_input = bw_input_swap_didj;
	opts_plain(&o, &k);
	g = create_ok(&o);
	ck_assert_uint_eq(gradcheck_run(g), 2);
	assert_only_failing(g, failing);
	it = find(g, "element", "d output/d input");
	assert_idx(it->out_idx, out0, 4, "output");
	assert_idx(it->wrt_idx, in0, 4, "input");
	w = gradcheck_params(g)->weight;
	ck_assert_double_eq(it->got, T4(w, 0, 0, 1, 0));
	ck_assert_double_eq_tol(it->want, T4(w, 0, 0, 0, 1), 1e-8);
	gradcheck_free(g);
}
END_TEST

/* A bias gradient that forgets the batch: rows of image 0 are right, so
 * the first failure is output[b=1, c_out=0, h_out=0, w_out=0] against
 * bias[c_out=0]: kernel 0, finite difference 1. In the chain rule, dbias
 * fails at c_out = 0. */
START_TEST(test_wrong_bias)
{
	gradcheck_kernels_t k = gradcheck_kernels_default;
	gradcheck_opts_t o;
	gradcheck_t *g;
	const gradcheck_item_t *it;
	const char *const failing[] = { "element|d output/d bias",
	    "element|dbias", NULL };
	const long out0[4] = { 1, 0, 0, 0 }, b0[1] = { 0 };

	k.elem.backward_bias = bw_bias_first_image;
	opts_plain(&o, &k);
	g = create_ok(&o);
	ck_assert_uint_eq(gradcheck_run(g), 2);
	assert_only_failing(g, failing);
	it = find(g, "element", "d output/d bias");
	assert_idx(it->out_idx, out0, 4, "output");
	assert_idx(it->wrt_idx, b0, 1, "bias");
	ck_assert_double_eq(it->got, 0);
	ck_assert_double_eq_tol(it->want, 1, 1e-8);
	/* image 1 has 3*3*4 outputs, each with one wrong bias entry */
	ck_assert_uint_eq(it->failures, 3 * 3 * 4);
	it = find(g, "element", "dbias");
	assert_idx(it->wrt_idx, b0, 1, "dbias");
	gradcheck_free(g);
}
END_TEST

/* A NaN never passes, and shows as NaN in max_abs. */
START_TEST(test_nan_fails)
{
	gradcheck_kernels_t k = gradcheck_kernels_default;
	gradcheck_opts_t o;
	gradcheck_t *g;
	const gradcheck_item_t *it;
	const long in_last[4] = { 1, 1, 4, 5 };

	k.elem.backward_input = bw_input_nan;
	opts_plain(&o, &k);
	g = create_ok(&o);
	ck_assert_uint_eq(gradcheck_run(g), 2);
	it = find(g, "element", "d output/d input");
	ck_assert(!it->pass && isnan(it->max_abs));
	assert_idx(it->wrt_idx, in_last, 4, "input");
	ck_assert(isnan(it->got));
	ck_assert(!find(g, "element", "dinput")->pass);
	gradcheck_free(g);
}
END_TEST

/* A backward kernel must overwrite: one that accumulates fails. */
START_TEST(test_accumulate_fails)
{
	gradcheck_kernels_t k = gradcheck_kernels_default;
	gradcheck_opts_t o;
	gradcheck_t *g;

	k.elem.backward_bias = bw_bias_accumulate;
	opts_plain(&o, &k);
	g = create_ok(&o);
	ck_assert_uint_eq(gradcheck_run(g), 2);
	ck_assert(!find(g, "element", "d output/d bias")->pass);
	ck_assert(!find(g, "element", "dbias")->pass);
	gradcheck_free(g);
}
END_TEST

/* --sample K: K entries of each Jacobian and gradient (all, if fewer),
 * and a sampled run still catches the dropped column: 1/6 of the weight
 * Jacobian's entries are wrong, so 300 samples miss them all with
 * probability (5/6)^300 < 1e-23 (and the seed is fixed). */
START_TEST(test_sample)
{
	gradcheck_kernels_t k = gradcheck_kernels_default;
	gradcheck_opts_t o;
	gradcheck_t *g;

	gradcheck_opts_default(&o);
	o.sample = 300;
	g = create_ok(&o);
	ck_assert_uint_eq(gradcheck_run(g), 0);
	ck_assert_uint_eq(find(g, "element", "d output/d input")->checked, 300);
	ck_assert_uint_eq(find(g, "element", "d output/d input")->total,
	    54 * 224);
	ck_assert_uint_eq(find(g, "element", "d output/d bias")->checked, 162);
	ck_assert_uint_eq(find(g, "element", "dinput")->checked, 224);
	ck_assert_uint_eq(find(g, "element", "dweight")->checked, 36);
	ck_assert_uint_eq(find(g, "element", "dbias")->checked, 3);
	gradcheck_free(g);

	k.elem.backward_weight = bw_weight_drop_last_col;
	o.kernels = &k;
	o.sample = 5;                /* fewer than the gradient's 36 entries */
	o.forms = GRADCHECK_ELEM;
	g = create_ok(&o);
	gradcheck_run(g);
	ck_assert_uint_eq(find(g, "element", "dweight")->checked, 5);
	gradcheck_free(g);
	o.sample = 300;
	g = create_ok(&o);
	ck_assert_uint_ge(gradcheck_run(g), 1);
	ck_assert(!find(g, "element", "d output/d weight")->pass);
	gradcheck_free(g);
}
END_TEST

/* The cost guard: the layer and a ResNet layer are under the
 * default limit (the compressed engine); under a lower one the message
 * states the cost and suggests --sample and --budget; the suggestion
 * fits; the direct engine over every entry of the layer is refused. */
START_TEST(test_cost_guard)
{
	gradcheck_opts_t o;
	gradcheck_cost_t c;
	char *err = NULL;
	gradcheck_t *g;

	gradcheck_opts_default(&o);
	conv_shape_init(&o.shape, 2, 8, 16, 16, 8, 3, 3);
	o.shape.strh = o.shape.strw = 1;
	g = gradcheck_create(&o, &err);
	ck_assert_msg(g != NULL, "the issue's layer refused: %s", err);
	gradcheck_free(g);
	conv_shape_init(&o.shape, 1, 64, 56, 56, 64, 3, 3);
	o.shape.pad_h = o.shape.pad_w = 1;
	ck_assert_int_eq(conv_shape_validate(&o.shape, 0, &err), 0);
	gradcheck_estimate(&o, &c);
	ck_assert_msg(c.work < o.max_work, "ResNet layer: %g", c.work);
	conv_shape_init(&o.shape, 2, 8, 16, 16, 8, 3, 3);
	o.engine = GRADCHECK_ENGINE_DIRECT;       /* 1.1e12 multiply-adds */
	o.max_work = 1e11;
	ck_assert_ptr_null(gradcheck_create(&o, &err));
	free(err);
	err = NULL;
	o.engine = GRADCHECK_ENGINE_COMPRESSED;
	o.max_work = 5e7;
	ck_assert_ptr_null(gradcheck_create(&o, &err));
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, "--sample") != NULL &&
	    strstr(err, "--budget") != NULL &&
	    strstr(err, "multiply-adds") != NULL &&
	    strstr(err, "probability") != NULL, "message: %s", err);
	free(err);
	err = NULL;
	o.sample = 2;
	g = gradcheck_create(&o, &err);
	ck_assert_msg(g != NULL, "sampled run refused: %s", err);
	gradcheck_estimate(&o, &c);
	ck_assert(c.work <= o.max_work);
	gradcheck_free(g);
	gradcheck_free(NULL);
}
END_TEST

/* An invalid shape is refused with a message, never a crash. */
START_TEST(test_bad_shape)
{
	gradcheck_opts_t o;
	char *err = NULL;

	gradcheck_opts_default(&o);
	o.shape.dil_h = 5;           /* (3-1)*5+1 = 11 > 7 */
	ck_assert_ptr_null(gradcheck_create(&o, &err));
	ck_assert_msg(err != NULL && strstr(err, "dilated kernel") != NULL,
	    "message: %s", err ? err : "(none)");
	free(err);
}
END_TEST

/* Same seed, same tensors; another seed, others. */
START_TEST(test_seed)
{
	gradcheck_opts_t o;
	gradcheck_t *a, *b, *c;

	gradcheck_opts_default(&o);
	a = create_ok(&o);
	b = create_ok(&o);
	o.seed = 2;
	c = create_ok(&o);
	ck_assert_mem_eq(gradcheck_params(a)->input->data,
	    gradcheck_params(b)->input->data, 224 * sizeof(double));
	ck_assert(gradcheck_params(a)->input->data[0] !=
	    gradcheck_params(c)->input->data[0]);
	gradcheck_free(a);
	gradcheck_free(b);
	gradcheck_free(c);
}
END_TEST

/* Write a report into a string. */
static char *
report_str(const gradcheck_t *g, void (*fn)(FILE *, const gradcheck_t *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	fn(f, g);
	fclose(f);
	return buf;
}

/* The reports name the first failure index by index, in every format. */
START_TEST(test_reports)
{
	gradcheck_kernels_t k = gradcheck_kernels_default;
	gradcheck_opts_t o;
	gradcheck_t *g;
	char *s;

	k.elem.backward_weight = bw_weight_drop_last_col;
	opts_plain(&o, &k);
	g = create_ok(&o);
	gradcheck_run(g);
	s = report_str(g, gradcheck_report_text);
	ck_assert_msg(strstr(s, "d output[b=0, c_out=0, h_out=0, w_out=0] / "
	    "d weight[c_out=0, c_in=0, di=0, dj=2]") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "2 of 7 checks FAILED") != NULL, "%s", s);
	free(s);
	s = report_str(g, gradcheck_report_tap);
	ck_assert_msg(strncmp(s, "1..7\n", 5) == 0, "%s", s);
	ck_assert_msg(strstr(s, "\nnot ok 2 - element d output/d weight") != NULL,
	    "%s", s);
	ck_assert_msg(strstr(s, "\nok 1 - element d output/d input") != NULL,
	    "%s", s);
	free(s);
	s = report_str(g, gradcheck_report_json);
	ck_assert_msg(strstr(s, "\"weight\": {\"c_out\": 0, \"c_in\": 0, "
	    "\"di\": 0, \"dj\": 2}") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "\"pass\": false\n}") != NULL, "%s", s);
	free(s);
	gradcheck_free(g);
}
END_TEST

/* --dump: eight files that read back with the right shapes, and output.npy
 * is the element forward of the dumped input, weight, bias. */
START_TEST(test_dump)
{
	static const struct { const char *name; size_t shape[4]; int ndim; }
	files[] = {
		{ "input", { 2, 2, 7, 8 }, 4 }, { "weight", { 3, 2, 3, 2 }, 4 },
		{ "bias", { 3 }, 1 }, { "df", { 2, 3, 3, 3 }, 4 },
		{ "output", { 2, 3, 3, 3 }, 4 }, { "dinput", { 2, 2, 7, 8 }, 4 },
		{ "dweight", { 3, 2, 3, 2 }, 4 }, { "dbias", { 3 }, 1 },
	};
	char dir[] = "/tmp/check_gradcheck.XXXXXX", *err = NULL, *path;
	tensor_t *t[8], *out;
	gradcheck_opts_t o;
	gradcheck_t *g;
	size_t i;
	int d;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = xasprintf("%s/new", dir);       /* created by the dump */
	gradcheck_opts_default(&o);
	g = create_ok(&o);
	ck_assert_msg(gradcheck_dump(g, path, &err) == 0, "%s", err);
	for (i = 0; i < 8; i++) {
		char *f = xasprintf("%s/%s.npy", path, files[i].name);

		ck_assert_msg(npy_read(f, &t[i], &err) == 0, "%s", err);
		ck_assert_int_eq(t[i]->ndim, files[i].ndim);
		for (d = 0; d < files[i].ndim; d++)
			ck_assert_uint_eq(t[i]->shape[d], files[i].shape[d]);
		unlink(f);
		free(f);
	}
	ck_assert_mem_eq(t[0]->data, gradcheck_params(g)->input->data,
	    224 * sizeof(double));
	out = tensor_clone(t[4]);
	conv2d_forward_elem(out, t[0], t[1], t[2], gradcheck_shape(g));
	ck_assert_tensor_close(out, t[4], 0, 0);     /* same kernel: exact */
	/* a file where the directory should be: exit-2 material */
	ck_assert_int_ne(gradcheck_dump(g, "/dev/null/x", &err), 0);
	ck_assert_msg(strstr(err, "/dev/null/x") != NULL, "%s", err);
	free(err);
	for (i = 0; i < 8; i++)
		tensor_free(t[i]);
	tensor_free(out);
	rmdir(path);
	rmdir(dir);
	free(path);
	gradcheck_free(g);
}
END_TEST


/* ------------------------------------------------------------ sources */

/* A user's layer as a source: the element kernels behind a context that
 * counts calls and can be told to fail at the n-th call. */
typedef struct user_layer {
	int calls, fail_at;
	bool wrong_dbias;       /* dbias doubled */
} user_layer_t;

static int
user_forward(void *ctx, tensor_t *output, const conv_params_t *p,
    const conv_shape_t *s, char **err)
{
	user_layer_t *u = ctx;

	if (++u->calls == u->fail_at) {
		*err = xasprintf("returned 3");
		return 3;
	}
	conv2d_forward_elem(output, p->input, p->weight, p->bias, s);
	return 0;
}

static int
user_backward(void *ctx, tensor_t *dinput, tensor_t *dweight,
    tensor_t *dbias, const tensor_t *df, const conv_params_t *p,
    const conv_shape_t *s, char **err)
{
	user_layer_t *u = ctx;
	size_t i;

	if (++u->calls == u->fail_at)
		return 1;           /* no message: the engine says "failed" */
	(void)err;
	conv2d_backward_input_elem(dinput, df, p->weight, s);
	conv2d_backward_weight_elem(dweight, df, p->input, s);
	conv2d_backward_bias_elem(dbias, df, s);
	for (i = 0; u->wrong_dbias && i < dbias->size; i++)
		dbias->data[i] *= 2;
	return 0;
}

/* A correct user source passes all seven items, named by the source; a
 * wrong dbias fails exactly its two items. */
START_TEST(test_source)
{
	gradcheck_opts_t o;
	gradcheck_t *g;
	user_layer_t u = { 0, 0, false };
	gradcheck_source_t src = { .ctx = &u, .name = "plugin ./libmine.so",
	    .forward = user_forward, .backward = user_backward };
	const char *const none[] = { NULL };
	const char *const bias[] = { "plugin ./libmine.so|d output/d bias",
	    "plugin ./libmine.so|dbias", NULL };
	char *err = NULL;
	size_t failed = 99;

	opts_plain(&o, NULL);
	g = create_ok(&o);
	ck_assert_int_eq(gradcheck_run_source(g, &src, &failed, &err), 0);
	ck_assert_uint_eq(failed, 0);
	ck_assert_uint_eq(gradcheck_count(g), 7);
	assert_only_failing(g, none);
	ck_assert_uint_eq(find(g, "plugin ./libmine.so",
	    "d output/d input")->checked, (2 * 3 * 3 * 4) * (2 * 2 * 5 * 6));
	ck_assert(u.calls > 0);
	gradcheck_free(g);

	u.wrong_dbias = true;
	g = create_ok(&o);
	ck_assert_int_eq(gradcheck_run_source(g, &src, &failed, &err), 0);
	ck_assert_uint_eq(failed, 2);
	assert_only_failing(g, bias);
	gradcheck_free(g);
}
END_TEST

/* A source that fails stops the check with its message; items finished
 * before it are kept. */
START_TEST(test_source_fails)
{
	gradcheck_opts_t o;
	gradcheck_t *g;
	user_layer_t u = { 0, 1, false };
	gradcheck_source_t src = { .ctx = &u, .name = "plugin ./libmine.so",
	    .forward = user_forward, .backward = user_backward };
	char *err = NULL;

	opts_plain(&o, NULL);
	g = create_ok(&o);
	ck_assert_int_eq(gradcheck_run_source(g, &src, NULL, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, "plugin ./libmine.so: ") == err &&
	    (strstr(err, "returned 3") || strstr(err, "failed")), "%s", err);
	free(err);
	err = NULL;
	u.calls = 0;
	u.fail_at = 0;
	ck_assert_int_eq(gradcheck_run_source(g, &src, NULL, &err), 0);
	ck_assert_uint_eq(gradcheck_count(g), 7);
	/* failing among the row groups (call 10) and the column groups (call
	 * 60): stopped there, the message kept, nothing appended */
	u.calls = 0;
	u.fail_at = 10;
	ck_assert_int_eq(gradcheck_run_source(g, &src, NULL, &err), -1);
	ck_assert_msg(err != NULL && strstr(err, "plugin ./libmine.so: ") == err,
	    "%s", err ? err : "(null)");
	free(err);
	err = NULL;
	u.calls = 0;
	u.fail_at = 60;
	ck_assert_int_eq(gradcheck_run_source(g, &src, NULL, &err), -1);
	ck_assert_msg(err != NULL && strstr(err, "returned 3") != NULL, "%s",
	    err ? err : "(null)");
	free(err);
	ck_assert_uint_eq(gradcheck_count(g), 7);
	gradcheck_free(g);
}
END_TEST

/* The engine reads d output/d weight's rows from crops of the layer
 * (gradcheck-engine.c, "Weight rows on a crop"). On every shape of the
 * table, for every output (b, c_out, h_out, w_out): the crop fits (when
 * the padding is no wider than the dilated kernel), it is small (at most
 * 2 ceil(pad/str) + 1 outputs along an axis: the cost model's), and
 * dweight for df = e_o on the crop equals dweight for df = e_o on the
 * layer bit for bit, in the element and the matrix form (one nonzero
 * term either way, the same product: no rounding to bound). */
static void
crop_dweight(tensor_t *dw, const conv_shape_t *s, const tensor_t *input,
    long b, long co, long ho, long wo, bool matrix)
{
	tensor_t *df = tensor_create4((size_t)s->N, (size_t)s->C_out,
	    (size_t)s->H_out, (size_t)s->W_out);

	tensor_zero(df);
	T4(df, b, co, ho, wo) = 1;
	gradcheck_fill_nan(dw);
	if (matrix)
		conv2d_backward_weight_matrix(dw, df, input, s);
	else
		conv2d_backward_weight_elem(dw, df, input, s);
	tensor_free(df);
}

START_TEST(test_crops)
{
	const shape_case_t *c = &shapes[_i];
	gradcheck_opts_t o;
	conv_shape_t s, k;
	tensor_t *x, *dw_layer, *dw_crop;
	rng_t r;
	long b, co, ho, wo, h0, w0, th, tw, h, w, ci;
	char *err = NULL;
	int m;

	opts_for(&o, c);
	s = o.shape;
	ck_assert_int_eq(conv_shape_validate(&s, 0, &err), 0);
	x = tensor_create4((size_t)s.N, (size_t)s.C_in, (size_t)s.H_in,
	    (size_t)s.W_in);
	rng_seed(&r, 7);
	tensor_fill_uniform(x, &r, -1, 1);
	dw_layer = tensor_create4((size_t)s.C_out, (size_t)conv_group_cin(&s),
	    (size_t)s.R, (size_t)s.S);
	dw_crop = tensor_clone(dw_layer);
	for (ho = 0; ho < s.H_out; ho++)
	for (wo = 0; wo < s.W_out; wo++) {
		bool fits = gradcheck_engine_crop(&s, ho, wo, &k, &h0, &w0, &th,
		    &tw);
		tensor_t *xc;

		if (s.pad_h <= s.dil_h * (s.R - 1) && s.pad_w <= s.dil_w * (s.S - 1))
			ck_assert_msg(fits, "%s: no crop at (%ld, %ld)", c->name, ho, wo);
		if (!fits)
			continue;
		ck_assert(k.H_out <= 2 * ((s.pad_h + s.strh - 1) / s.strh) + 1 &&
		    k.W_out <= 2 * ((s.pad_w + s.strw - 1) / s.strw) + 1);
		ck_assert(h0 >= 0 && h0 + k.H_in <= s.H_in && w0 >= 0 &&
		    w0 + k.W_in <= s.W_in);
		xc = tensor_create4((size_t)k.N, (size_t)k.C_in, (size_t)k.H_in,
		    (size_t)k.W_in);
		for (b = 0; b < k.N; b++)
			for (ci = 0; ci < k.C_in; ci++)
				for (h = 0; h < k.H_in; h++)
					for (w = 0; w < k.W_in; w++)
						T4(xc, b, ci, h, w) = T4(x, b, ci, h0 + h, w0 + w);
		for (m = 0; m < 2; m++)
		for (b = 0; b < s.N; b++)
		for (co = 0; co < s.C_out; co++) {
			size_t j;

			crop_dweight(dw_layer, &s, x, b, co, ho, wo, m);
			crop_dweight(dw_crop, &k, xc, b, co, th, tw, m);
			for (j = 0; j < dw_layer->size; j++)
				ck_assert_msg(dw_layer->data[j] == dw_crop->data[j] ||
				    (dw_layer->data[j] == 0 && dw_crop->data[j] == 0),
				    "%s, %s form: output (%ld, %ld, %ld, %ld), dweight "
				    "entry %zu: layer %.17g, crop %.17g", c->name, m ?
				    "matrix" : "element", b, co, ho, wo, j,
				    dw_layer->data[j], dw_crop->data[j]);
		}
		tensor_free(xc);
	}
	tensor_free(x);
	tensor_free(dw_layer);
	tensor_free(dw_crop);
}
END_TEST

/* What crops cannot see (the documented limit): a dweight kernel that
 * drops the terms of one output position inside the image, (h_out,
 * w_out) = (1, 1) of image 0, is right on every crop (the crop moves that
 * output to another place of its own, smaller output), so d output/d
 * weight passes; the chain rule on the whole layer (dweight for a random
 * df) still fails, so the run does. */
static void
bw_weight_skip_11(tensor_t *dweight, const tensor_t *df,
    const tensor_t *input, const conv_shape_t *s)
{
	tensor_t *d = tensor_clone(df);

	if (s->H_out > 1 && s->W_out > 1) {
		long co;

		for (co = 0; co < s->C_out; co++)
			T4(d, 0, co, 1, 1) = 0;
	}
	conv2d_backward_weight_elem(dweight, d, input, s);
	tensor_free(d);
}

START_TEST(test_crop_limit)
{
	gradcheck_kernels_t k = gradcheck_kernels_default;
	gradcheck_opts_t o;
	gradcheck_t *g;

	k.elem.backward_weight = bw_weight_skip_11;
	opts_plain(&o, &k);
	g = create_ok(&o);
	ck_assert_uint_gt(gradcheck_run(g), 0);
	ck_assert(find(g, "element", "d output/d weight")->pass);
	ck_assert(!find(g, "element", "dweight")->pass);
	gradcheck_free(g);
	/* the direct engine, on the layer alone, names the entry */
	o.engine = GRADCHECK_ENGINE_DIRECT;
	g = create_ok(&o);
	gradcheck_run(g);
	ck_assert(!find(g, "element", "d output/d weight")->pass);
	ck_assert_int_eq(find(g, "element", "d output/d weight")->out_idx[2], 1);
	gradcheck_free(g);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("gradcheck");
	TCase *tc = tcase_create("engine");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_pass_shapes, 0,
	    (int)(sizeof(shapes) / sizeof(shapes[0])));
	tcase_add_test(tc, test_counts);
	tcase_add_test(tc, test_forward_method);
	tcase_add_test(tc, test_wrong_weight);
	tcase_add_test(tc, test_wrong_input);
	tcase_add_test(tc, test_wrong_bias);
	tcase_add_test(tc, test_nan_fails);
	tcase_add_test(tc, test_accumulate_fails);
	tcase_add_test(tc, test_sample);
	tcase_add_test(tc, test_cost_guard);
	tcase_add_test(tc, test_bad_shape);
	tcase_add_test(tc, test_seed);
	tcase_add_test(tc, test_reports);
	tcase_add_test(tc, test_dump);
	tcase_add_test(tc, test_source);
	tcase_add_test(tc, test_leak_alike);
	tcase_add_loop_test(tc, test_engines_agree, 0,
	    (int)(sizeof(shapes) / sizeof(shapes[0])));
	tcase_add_test(tc, test_source_fails);
	tcase_add_loop_test(tc, test_crops, 0,
	    (int)(sizeof(shapes) / sizeof(shapes[0])));
	tcase_add_test(tc, test_crop_limit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
