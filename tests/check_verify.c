/*
 * check_verify.c: the verifier's sensitivity and soundness.
 *
 * A table of WRONG claims (the mistakes a student or the source makes: a
 * window off by one, di and dj swapped, the stride left out, a wrong
 * channel, the bias forgotten, a sum over the wrong index, a transposed
 * weight) that must each be refuted, with a counterexample, at the default
 * shape; and a table of CORRECT claims that must hold at several shapes
 * (strides 1, 2 and 3, non-square inputs, R != S, batch 1 and 2). Claims
 * are built with claim_parse directly. Plus: tolerances, findings, NaN,
 * expect fail, lets, sampling, the single-point check, and the numeric
 * gradient filled one entry at a time giving the same bits as whole.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "check-util.h"
#include "expr-int.h"        /* expr_eval_max_terms */
#include "expr-prog.h"
#include "lesson.h"
#include "util.h"
#include "verify.h"

/* The lessons' default shape: N=2 C_in=2 H_in=7 W_in=8 C_out=3 R=3 S=2
 * strh=2 strw=3 (C_in != C_out, R != S, non-square, strides 2 and 3). */
static conv_shape_t
default_shape(void)
{
	conv_shape_t s;

	conv_shape_init(&s, 2, 2, 7, 8, 3, 3, 2);
	s.strh = 2;
	s.strw = 3;
	return s;
}

static verify_ctx_t *
ctx_at(const conv_shape_t *s, size_t max_tuples)
{
	verify_opts_t o;
	char *err = NULL;
	verify_ctx_t *vc;

	verify_opts_default(&o);
	if (max_tuples > 0)
		o.max_tuples = max_tuples;
	vc = verify_ctx_create(s, &o, &err);
	ck_assert_msg(vc != NULL, "shape: %s", err ? err : "?");
	return vc;
}

/* A context of world (s, seed); fresh: it computes every numeric
 * derivative itself (none taken from the contexts freed before). */
static verify_ctx_t *
ctx_world(const conv_shape_t *s, uint64_t seed, bool fresh)
{
	verify_opts_t o;
	verify_ctx_t *vc;

	verify_opts_default(&o);
	o.seed = seed;
	o.fresh = fresh;
	vc = verify_ctx_create(s, &o, NULL);
	ck_assert(vc != NULL);
	return vc;
}

static verify_ctx_t *
ctx_fresh(const conv_shape_t *s)
{
	return ctx_world(s, VERIFY_SEED_DEFAULT, true);
}

static claim_t *
parse(const char *text, expr_scope_t *sc)
{
	char *err = NULL;
	claim_t *c = claim_parse(text, "t.md", 1, 1, sc, &err);

	ck_assert_msg(c != NULL, "claim does not parse: %s\n%s", text,
	    err ? err : "?");
	return c;
}

/* Parse and verify; returns the verdict, r filled. */
static verdict_t
check_claim(verify_ctx_t *vc, expr_scope_t *sc, const char *text,
    verify_result_t *r)
{
	claim_t *c = parse(text, sc);
	char *err = NULL;

	ck_assert_msg(verify_claim(vc, c, r, &err) == 0, "%s: %s", text,
	    err ? err : "?");
	claim_free(c);
	return r->verdict;
}

/* ---- correct claims ---- */

#define WINDOW_IN \
	"h_in - strh*h_out1 in 0..R-1 and w_in - strw*w_out1 in 0..S-1"
#define TAP_IN "h_in - strh*h_out1, w_in - strw*w_out1"

static const char *const right_claims[] = {
	/* forward, NCHW, with the bias */
	"output[b,c_out,h_out,w_out] = bias[c_out] + sum(c_in, di, dj)\n"
	"    input[b, c_in, strh*h_out + di, strw*w_out + dj] * "
	"weight[c_out, c_in, di, dj]",
	/* TensorFlow's NHWC form, corrected */
	"output_nhwc[b,i,j,k] = bias[k] + sum(di, dj, q)\n"
	"    input_nhwc[b, strides[1]*i + di, strides[2]*j + dj, q] * "
	"filter_hwio[di, dj, q, k]",
	"output_nhwc[b, h_out, w_out, c_out] = output[b, c_out, h_out, w_out]",
	/* d output / d input: the window case and the zero case as one */
	"d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] =\n"
	"    if b == b1 and " WINDOW_IN "\n"
	"    then weight[c_out1, c_in, " TAP_IN "] else 0",
	/* the zero case alone, with where */
	"d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] = 0\n"
	"    where b != b1 or not (" WINDOW_IN ")",
	/* d output / d weight */
	"d output[b1,c_out1,h_out1,w_out1] / d weight[c_out,c_in,di,dj] =\n"
	"    if c_out1 == c_out\n"
	"    then input[b1, c_in, strh*h_out1 + di, strw*w_out1 + dj] else 0",
	/* d output / d bias */
	"d output[b1,c_out1,h_out1,w_out1] / d bias[c_out] =\n"
	"    if c_out1 == c_out then 1 else 0",
	/* the chain rule, element form */
	"d f / d input[b,c_in,h_in,w_in] = sum(c_out1, h_out1, w_out1 where "
	WINDOW_IN ")\n"
	"    df[b, c_out1, h_out1, w_out1] * weight[c_out1, c_in, " TAP_IN "]",
	"d f / d weight[c_out,c_in,di,dj] = sum(b1, h_out1, w_out1)\n"
	"    df[b1, c_out, h_out1, w_out1] * "
	"input[b1, c_in, strh*h_out1 + di, strw*w_out1 + dj]",
	"d f / d bias[c_out] = sum(b, h_out, w_out) df[b, c_out, h_out, w_out]",
	/* the chain rule through numeric partials */
	"d f / d bias[c_out] = sum(b1, c_out1, h_out1, w_out1)\n"
	"    df[b1, c_out1, h_out1, w_out1] * "
	"d output[b1,c_out1,h_out1,w_out1] / d bias[c_out]",
	/* the real backward kernels */
	"d f / d input = kernel element",
	"d f / d input = kernel matrix",
	"d f / d weight = kernel element",
	"d f / d weight = kernel matrix",
	"d f / d bias = kernel element",
	"d f / d bias = kernel matrix",
};

static const struct shape_case {
	long N, C_in, H_in, W_in, C_out, R, S, strh, strw;
} shapes[] = {
	{ 2, 2, 7, 8, 3, 3, 2, 2, 3 },     /* the default */
	{ 1, 1, 5, 5, 1, 2, 2, 1, 1 },     /* stride 1, batch 1, square */
	{ 2, 3, 9, 7, 2, 3, 2, 2, 3 },     /* C_in > C_out */
	{ 1, 2, 11, 10, 3, 1, 3, 3, 1 },   /* R = 1, stride 3 down */
	{ 2, 2, 8, 9, 3, 3, 2, 3, 3 },     /* stride 3 both ways, uneven */
	{ 1, 2, 6, 5, 3, 2, 3, 1, 2 },     /* R < S */
};
#define NSHAPES ((int)(sizeof shapes / sizeof shapes[0]))
#define NRIGHT ((int)(sizeof right_claims / sizeof right_claims[0]))

START_TEST(test_right_holds)
{
	const struct shape_case *sc = &shapes[_i / NRIGHT];
	const char *text = right_claims[_i % NRIGHT];
	conv_shape_t s;
	verify_ctx_t *vc;
	expr_scope_t *scope = expr_scope_create();
	verify_result_t r;
	char *cex;

	conv_shape_init(&s, sc->N, sc->C_in, sc->H_in, sc->W_in, sc->C_out,
	    sc->R, sc->S);
	s.strh = sc->strh;
	s.strw = sc->strw;
	vc = ctx_at(&s, 0);
	check_claim(vc, scope, text, &r);
	cex = r.has_cex ? xasprintf("%.17g vs %.17g%s%s", r.cex_formula,
	    r.cex_numeric, r.cex_finding ? ": " : "",
	    r.cex_finding ? r.cex_finding : "") : xstrdup("");
	ck_assert_msg(r.verdict == VERDICT_HOLDS, "shape %d, claim:\n%s\n%s "
	    "(%zu of %zu off) %s", _i / NRIGHT, text, verdict_name(r.verdict),
	    r.failures, r.checked, cex);
	ck_assert_int_gt(r.checked, 0);
	ck_assert(!r.sampled);
	ck_assert(r.max_abs <= r.tol_abs);
	free(cex);
	verify_result_clear(&r);
	verify_ctx_free(vc);
	expr_scope_free(scope);
}
END_TEST

/* ---- wrong claims ---- */

static const struct wrong_case {
	const char *what;
	const char *text;
} wrong_claims[] = {
	{ "window off by one (the source's [strh*h_out1, strh*h_out1+R])",
	  "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] =\n"
	  "    weight[c_out1, c_in, " TAP_IN "]\n"
	  "    where b == b1 and h_in in strh*h_out1..strh*h_out1+R and\n"
	  "    w_in in strw*w_out1..strw*w_out1+S-1" },
	{ "zero case with the window one too short",
	  "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] = 0\n"
	  "    where b != b1 or not (h_in - strh*h_out1 in 0..R-2 and\n"
	  "    w_in - strw*w_out1 in 0..S-1)" },
	{ "di and dj swapped",
	  "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] =\n"
	  "    if b == b1 and " WINDOW_IN "\n"
	  "    then weight[c_out1, c_in, w_in - strw*w_out1, h_in - strh*h_out1]"
	  " else 0" },
	{ "stride left out",
	  "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] =\n"
	  "    if b == b1 and h_in - h_out1 in 0..R-1 and w_in - w_out1 in 0..S-1"
	  "\n    then weight[c_out1, c_in, h_in - h_out1, w_in - w_out1] else 0" },
	{ "stride left out of the forward",
	  "output[b,c_out,h_out,w_out] = bias[c_out] + sum(c_in, di, dj)\n"
	  "    input[b, c_in, h_out + di, w_out + dj] * weight[c_out, c_in, di, dj]"
	},
	{ "the source's strw*h_out1 for the column window",
	  "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] = 0\n"
	  "    where b != b1 or not (h_in in strh*h_out1..strh*h_out1+R-1 and\n"
	  "    w_in in strw*h_out1..strw*h_out1+S-1)" },
	{ "wrong channel index",
	  "d output[b1,c_out1,h_out1,w_out1] / d weight[c_out,c_in,di,dj] =\n"
	  "    if c_out1 == c_out\n"
	  "    then input[b1, (c_in + 1) % C_in, strh*h_out1 + di, "
	  "strw*w_out1 + dj] else 0" },
	{ "channel compared with the wrong index",
	  "d output[b1,c_out1,h_out1,w_out1] / d weight[c_out,c_in,di,dj] =\n"
	  "    if c_out1 == c_in\n"
	  "    then input[b1, c_in, strh*h_out1 + di, strw*w_out1 + dj] else 0" },
	{ "bias forgotten in the identity",
	  "output[b,c_out,h_out,w_out] = sum(c_in, di, dj)\n"
	  "    input[b, c_in, strh*h_out + di, strw*w_out + dj] * "
	  "weight[c_out, c_in, di, dj]" },
	{ "bias forgotten in the NHWC identity",
	  "output_nhwc[b,i,j,k] = sum(di, dj, q)\n"
	  "    input_nhwc[b, strides[1]*i + di, strides[2]*j + dj, q] * "
	  "filter_hwio[di, dj, q, k]" },
	{ "the source's strides[0], strides[1]",
	  "output_nhwc[b,i,j,k] = bias[k] + sum(di, dj, q)\n"
	  "    input_nhwc[b, strides[0]*i + di, strides[1]*j + dj, q] * "
	  "filter_hwio[di, dj, q, k]" },
	{ "a sum over the wrong index (c_out1 summed for d bias)",
	  "d f / d bias[c_out] = sum(b, c_out1, h_out, w_out) "
	  "df[b, c_out1, h_out, w_out]" },
	{ "a sum over the wrong index (batch left out for d weight)",
	  "d f / d weight[c_out,c_in,di,dj] = sum(c_out1, h_out1, w_out1)\n"
	  "    df[0, c_out1, h_out1, w_out1] * "
	  "input[0, c_in, strh*h_out1 + di, strw*w_out1 + dj]" },
	{ "a sum missing the batch",
	  "d f / d weight[c_out,c_in,di,dj] = sum(h_out1, w_out1)\n"
	  "    df[0, c_out, h_out1, w_out1] * "
	  "input[0, c_in, strh*h_out1 + di, strw*w_out1 + dj]" },
	{ "transposed weight in the forward",
	  "output[b,c_out,h_out,w_out] = bias[c_out] + sum(c_in, di, dj)\n"
	  "    input[b, c_in, strh*h_out + di, strw*w_out + dj] * "
	  "weight[c_in, c_out, di, dj]" },
	{ "transposed weight in d output / d input",
	  "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] =\n"
	  "    if b == b1 and " WINDOW_IN "\n"
	  "    then weight[c_in, c_out1, " TAP_IN "] else 0" },
	{ "chain rule for input without the window condition",
	  "d f / d input[b,c_in,h_in,w_in] = sum(c_out1, h_out1, w_out1)\n"
	  "    df[b, c_out1, h_out1, w_out1] * weight[c_out1, c_in, 0, 0]" },
	{ "d output / d bias is 1 for every channel",
	  "d output[b1,c_out1,h_out1,w_out1] / d bias[c_out] = 1" },
	{ "off by 1e-4 (far below any real mistake, far above rounding)",
	  "d f / d bias[c_out] = 0.0001 + sum(b, h_out, w_out) "
	  "df[b, c_out, h_out, w_out]" },
	{ "identity off by 1e-7",
	  "output[b,c_out,h_out,w_out] = output[b,c_out,h_out,w_out] + "
	  "0.0000001" },
};
#define NWRONG ((int)(sizeof wrong_claims / sizeof wrong_claims[0]))

START_TEST(test_wrong_refuted)
{
	const struct wrong_case *wc = &wrong_claims[_i];
	conv_shape_t s = default_shape();
	verify_ctx_t *vc = ctx_at(&s, 0);
	expr_scope_t *scope = expr_scope_create();
	verify_result_t r;
	verify_point_t pt;
	claim_t *c;
	char *err = NULL, *text;

	check_claim(vc, scope, wc->text, &r);
	ck_assert_msg(r.verdict == VERDICT_FAILS, "%s: %s", wc->what,
	    verdict_name(r.verdict));
	ck_assert_msg(r.has_cex && r.failures > 0, "%s: no counterexample",
	    wc->what);
	/* the counterexample, checked alone, fails too */
	c = parse(wc->text, scope);
	ck_assert_int_eq(verify_claim_at(vc, c, r.cex, &pt, &err), 0);
	ck_assert_msg(pt.applies && !pt.ok, "%s: the counterexample passes "
	    "alone", wc->what);
	free(pt.finding);
	claim_free(c);
	verify_result_clear(&r);
	/* marked expect fail: refuted, as expected */
	text = xasprintf("%s\n    expect fail", wc->text);
	ck_assert_int_eq(check_claim(vc, scope, text, &r), VERDICT_REFUTED);
	ck_assert(verdict_ok(r.verdict));
	ck_assert(r.has_cex);
	verify_result_clear(&r);
	free(text);
	verify_ctx_free(vc);
	expr_scope_free(scope);
}
END_TEST

/* ---- the rest ---- */

START_TEST(test_tolerances)
{
	conv_shape_t s = default_shape();
	verify_ctx_t *vc = ctx_at(&s, 0);
	expr_scope_t *sc = expr_scope_create();
	verify_result_t r;

	/* within the identity tolerance (1e-9): rounding-sized offsets pass */
	ck_assert_int_eq(check_claim(vc, sc, "output[b,c_out,h_out,w_out] = "
	    "output[b,c_out,h_out,w_out] + 0.000000000001", &r), VERDICT_HOLDS);
	ck_assert_double_eq_tol(r.tol_abs, 1e-9, 1e-20);
	ck_assert_ptr_nonnull(r.tol_why);
	/* 2 * 3 * 3 * 3 = 54 output elements at the default shape */
	ck_assert_uint_eq(r.checked, 54);
	ck_assert_uint_eq(r.total, 54);
	verify_result_clear(&r);
	/* finite differences: 1e-6 + 1e-6*|numeric| */
	ck_assert_int_eq(check_claim(vc, sc, "d f / d bias[c_out] = "
	    "0.00000001 + sum(b, h_out, w_out) df[b, c_out, h_out, w_out]", &r),
	    VERDICT_HOLDS);
	ck_assert_double_eq_tol(r.tol_abs, 1e-6, 1e-20);
	ck_assert_double_eq_tol(r.tol_rel, 1e-6, 1e-20);
	/* the max error is the offset, up to rounding (~1e-9) */
	ck_assert_double_eq_tol(r.max_abs, 1e-8, 5e-9);
	verify_result_clear(&r);
	verify_ctx_free(vc);
	expr_scope_free(sc);
}
END_TEST

START_TEST(test_findings_never_pass)
{
	conv_shape_t s = default_shape();
	verify_ctx_t *vc = ctx_at(&s, 0);
	expr_scope_t *sc = expr_scope_create();
	verify_result_t r;

	/* division by zero */
	ck_assert_int_eq(check_claim(vc, sc, "output[b,c_out,h_out,w_out] = "
	    "output[b,c_out,h_out,w_out] + 0 * (1 / (b - b))", &r),
	    VERDICT_FAILS);
	ck_assert_ptr_nonnull(r.cex_finding);
	verify_result_clear(&r);
	/* out of range: a finding that names the index */
	ck_assert_int_eq(check_claim(vc, sc, "output[b,c_out,h_out,w_out] = "
	    "output[b,c_out,h_out,w_out] + 0 * weight[c_out, 0, h_out + 1, 0]",
	    &r),
	    VERDICT_FAILS);
	ck_assert_ptr_nonnull(r.cex_finding);
	/* h_out = 2 is the first with h_out + 1 = 3 outside 0..R-1 */
	ck_assert_int_eq(r.cex[2], 2);
	verify_result_clear(&r);
	/* expect fail that holds: not refuted */
	ck_assert_int_eq(check_claim(vc, sc, "output[b,c_out,h_out,w_out] = "
	    "output[b,c_out,h_out,w_out] expect fail", &r),
	    VERDICT_NOT_REFUTED);
	ck_assert(!verdict_ok(r.verdict));
	verify_result_clear(&r);
	verify_ctx_free(vc);
	expr_scope_free(sc);
}
END_TEST

START_TEST(test_let_im2col)
{
	conv_shape_t s = default_shape();
	verify_ctx_t *vc = ctx_at(&s, 0);
	/* a second scope for the wrong let: a scope defines a name once */
	expr_scope_t *sc = expr_scope_create(), *sc2 = expr_scope_create();
	verify_result_t r;
	const tensor_t *cols;
	const char *let =
	    "let cols[b < N, row < C_in*R*S, col < H_out*W_out] =\n"
	    "    input[b, row // (R*S), strh*(col // W_out) + (row // S) % R,\n"
	    "          strw*(col % W_out) + row % S]";
	const char *use =
	    "output[b,c_out,h_out,w_out] = bias[c_out] + sum(row in "
	    "0..C_in*R*S-1)\n"
	    "    weight[c_out, row // (R*S), (row // S) % R, row % S] *\n"
	    "    cols[b, row, h_out*W_out + w_out]";
	const char *bad_let =
	    "let cols[b < N, row < C_in*R*S, col < H_out*W_out] =\n"
	    "    input[b, row // (R*S), strh*(col // W_out) + (row // S) % R,\n"
	    "          strw*(col % W_out) + (row + 1) % S]";

	ck_assert_int_eq(check_claim(vc, sc, let, &r), VERDICT_DEFINED);
	ck_assert_uint_eq(r.checked, 2 * 12 * 9);
	verify_result_clear(&r);
	cols = verify_ctx_tensor(vc, "cols");
	ck_assert_ptr_nonnull(cols);
	ck_assert_int_eq(cols->ndim, 3);
	ck_assert_uint_eq(cols->shape[1], 12);
	ck_assert_int_eq(check_claim(vc, sc, use, &r), VERDICT_HOLDS);
	verify_result_clear(&r);
	/* a wrong im2col (the column tap shifted by one, in range): defined
	 * without findings, but the GEMM identity using it is refuted */
	ck_assert_int_eq(check_claim(vc, sc2, bad_let, &r), VERDICT_DEFINED);
	verify_result_clear(&r);
	ck_assert_int_eq(check_claim(vc, sc2, use, &r), VERDICT_FAILS);
	verify_result_clear(&r);
	verify_ctx_clear_lets(vc);
	ck_assert_ptr_null(verify_ctx_tensor(vc, "cols"));
	verify_ctx_free(vc);
	expr_scope_free(sc);
	expr_scope_free(sc2);
}
END_TEST

START_TEST(test_sampling)
{
	conv_shape_t s = default_shape();
	verify_ctx_t *vc = ctx_at(&s, 500);
	expr_scope_t *sc = expr_scope_create();
	verify_result_t r;

	/* 54 * 224 = 12096 tuples; a sample of 500 */
	ck_assert_int_eq(check_claim(vc, sc, right_claims[3], &r),
	    VERDICT_HOLDS);
	ck_assert(r.sampled);
	ck_assert_uint_eq(r.total, 12096);
	ck_assert_uint_eq(r.checked, 500);
	verify_result_clear(&r);
	/* "always 0" is wrong on the 648 window tuples (5%): a sample of 500
	 * misses them all with probability 0.95^500 < 1e-11 */
	ck_assert_int_eq(check_claim(vc, sc, "d output[b1,c_out1,h_out1,"
	    "w_out1] / d input[b,c_in,h_in,w_in] = 0", &r), VERDICT_FAILS);
	ck_assert(r.sampled);
	verify_result_clear(&r);
	verify_ctx_free(vc);
	expr_scope_free(sc);
}
END_TEST

START_TEST(test_point_and_cex_str)
{
	conv_shape_t s = default_shape();
	verify_ctx_t *vc = ctx_at(&s, 0);
	expr_scope_t *sc = expr_scope_create();
	claim_t *c = parse(right_claims[3], sc);
	const tensor_t *w = verify_ctx_tensor(vc, "weight");
	/* b1 c_out1 h_out1 w_out1 b c_in h_in w_in: output (0,1,1,1) reads
	 * input rows 2..4, columns 3..4; input (0,1,3,4) is tap di=1, dj=1 */
	long in[8] = { 0, 1, 1, 1, 0, 1, 3, 4 };
	long out[8] = { 0, 1, 1, 1, 1, 1, 3, 4 };
	verify_point_t pt;
	verify_result_t r;
	char *err = NULL, *str;

	ck_assert_int_eq(c->nfree, 8);
	ck_assert_int_eq(verify_claim_at(vc, c, in, &pt, &err), 0);
	ck_assert(pt.applies && pt.ok);
	ck_assert_ptr_null(pt.finding);
	/* finite differences are exact up to rounding for a linear map */
	ck_assert_double_eq_tol(pt.formula, T4(w, 1, 1, 1, 1), 1e-15);
	ck_assert_double_eq_tol(pt.numeric, T4(w, 1, 1, 1, 1), 1e-8);
	ck_assert_int_eq(verify_claim_at(vc, c, out, &pt, &err), 0);
	ck_assert(pt.applies && pt.ok);
	ck_assert(pt.formula == 0.0);
	ck_assert_double_eq_tol(pt.numeric, 0.0, 1e-9);
	memset(&r, 0, sizeof r);
	r.has_cex = true;
	r.cex = in;
	str = verify_cex_str(c, &r);
	ck_assert_str_eq(str, "b1=0 c_out1=1 h_out1=1 w_out1=1 b=0 c_in=1 "
	    "h_in=3 w_in=4");
	free(str);
	claim_free(c);
	verify_ctx_free(vc);
	verify_ctx_free(NULL);
	expr_scope_free(sc);
}
END_TEST

/* The tensor T of a claim `d f / d T...`. */
static const char *
chain_wrt(const claim_t *c)
{
	const expr_t *den = c->lhs->u.deriv.den;

	return den->kind == EX_NAME ? den->u.name.name : den->u.access.tensor;
}

/*
 * The numeric gradient d f / d T is filled entry by entry for the live
 * check (verify_claim_at) and whole for a claim over all of T: both give
 * the same bits. For every chain-rule and kernel claim of right_claims:
 * every point on a fresh context (entries one at a time) equals the same
 * point after verify_claim on another (the whole gradient); then
 * verify_claim on the first context, whose gradient is partly filled,
 * gives the second's result exactly.
 */
START_TEST(test_lazy_gradient_same_bits)
{
	conv_shape_t s = default_shape();
	expr_scope_t *sc = expr_scope_create();
	int i, k, nclaims = 0;

	for (i = 0; i < NRIGHT; i++) {
		verify_ctx_t *lazy = ctx_fresh(&s), *whole = ctx_fresh(&s);
		verify_result_t rl, rw;
		const tensor_t *t;
		size_t off, u[TENSOR_MAX_DIMS];
		long vals[TENSOR_MAX_DIMS];
		claim_t *c;

		if (strncmp(right_claims[i], "d f / d ", 8) != 0) {
			verify_ctx_free(lazy);
			verify_ctx_free(whole);
			continue;
		}
		nclaims++;
		c = parse(right_claims[i], sc);
		t = verify_ctx_tensor(lazy, chain_wrt(c));
		ck_assert_int_eq(verify_point_count(c), t->ndim);
		ck_assert_int_eq(check_claim(whole, sc, right_claims[i], &rw),
		    VERDICT_HOLDS);
		/* every other entry alone, backwards: a partial fill */
		for (off = t->size; off-- > 0; ) {
			verify_point_t pl, pw;
			char *err = NULL;

			tensor_unravel(t, off, u);
			for (k = 0; k < t->ndim; k++)
				vals[k] = (long)u[k];
			ck_assert_int_eq(verify_claim_at(whole, c, vals, &pw, &err), 0);
			if (off % 2 == 1)
				continue;
			ck_assert_int_eq(verify_claim_at(lazy, c, vals, &pl, &err), 0);
			ck_assert_msg(memcmp(&pl.numeric, &pw.numeric,
			    sizeof pl.numeric) == 0, "%s at entry %zu: alone %.17g, "
			    "whole %.17g", right_claims[i], off, pl.numeric,
			    pw.numeric);
			ck_assert(pl.ok && pw.ok);
		}
		ck_assert_int_eq(verify_claim(lazy, c, &rl, NULL), 0);
		ck_assert_int_eq(rl.verdict, VERDICT_HOLDS);
		ck_assert_uint_eq(rl.checked, rw.checked);
		ck_assert(memcmp(&rl.max_abs, &rw.max_abs, sizeof rl.max_abs) == 0);
		ck_assert(memcmp(&rl.max_rel, &rw.max_rel, sizeof rl.max_rel) == 0);
		verify_result_clear(&rl);
		verify_result_clear(&rw);
		claim_free(c);
		verify_ctx_free(lazy);
		verify_ctx_free(whole);
	}
	ck_assert_int_eq(nclaims, 10);
	expr_scope_free(sc);
}
END_TEST

static size_t progress_calls, progress_done, progress_total;

static void
on_progress(void *ud, size_t done, size_t total)
{
	(void)ud;
	progress_calls++;
	progress_done = done;
	progress_total = total;
}

static bool
cancel_now(void *ud)
{
	(void)ud;
	return true;
}

/* Progress is reported and cancellation honoured every few thousand
 * tuples (12096 here). */
START_TEST(test_progress_cancel)
{
	conv_shape_t s = default_shape();
	verify_opts_t o;
	verify_ctx_t *vc;
	expr_scope_t *sc = expr_scope_create();
	verify_result_t r;

	verify_opts_default(&o);
	o.progress = on_progress;
	vc = verify_ctx_create(&s, &o, NULL);
	ck_assert_int_eq(check_claim(vc, sc, right_claims[3], &r),
	    VERDICT_HOLDS);
	ck_assert_uint_gt(progress_calls, 0);
	ck_assert_uint_le(progress_done, 12096);
	ck_assert_uint_eq(progress_total, 12096);
	verify_result_clear(&r);
	verify_ctx_free(vc);
	o.cancelled = cancel_now;
	vc = verify_ctx_create(&s, &o, NULL);
	ck_assert_int_eq(check_claim(vc, sc, right_claims[3], &r),
	    VERDICT_CANCELLED);
	ck_assert_uint_lt(r.checked, 12096);
	ck_assert(!verdict_ok(r.verdict));
	verify_result_clear(&r);
	verify_ctx_free(vc);
	expr_scope_free(sc);
}
END_TEST

/* The cancel flag (as a background thread or a signal handler sets it):
 * read before the first tuple, between tuples and inside long sums. */
static volatile sig_atomic_t cancel_flag;

static void
on_alarm(int sig)
{
	(void)sig;
	cancel_flag = 1;
}

START_TEST(test_cancel_flag)
{
	conv_shape_t s = default_shape();
	verify_opts_t o;
	verify_ctx_t *vc;
	expr_scope_t *sc = expr_scope_create();
	verify_result_t r;
	verify_point_t pt;
	claim_t *c;
	long vals[8] = { 0 };
	char *err = NULL;

	verify_opts_default(&o);
	o.cancel = &cancel_flag;
	vc = verify_ctx_create(&s, &o, NULL);
	cancel_flag = 1;
	ck_assert_int_eq(check_claim(vc, sc, right_claims[3], &r),
	    VERDICT_CANCELLED);
	ck_assert_uint_eq(r.checked, 0);
	verify_result_clear(&r);
	c = parse(right_claims[3], sc);
	ck_assert_int_eq(verify_claim_at(vc, c, vals, &pt, &err), -1);
	ck_assert_str_eq(err, "cancelled");
	free(err);
	err = NULL;
	/* cleared: the same context verifies again */
	cancel_flag = 0;
	ck_assert_int_eq(verify_claim_at(vc, c, vals, &pt, &err), 0);
	ck_assert(pt.applies && pt.ok);
	free(pt.finding);
	claim_free(c);
	ck_assert_int_eq(check_claim(vc, sc, right_claims[3], &r),
	    VERDICT_HOLDS);
	verify_result_clear(&r);
	verify_ctx_free(vc);
	/* set by a signal handler 20 ms into a claim whose every tuple is a
	 * sum of 1e7 terms (0.1 s or more each): it stops inside a sum */
	vc = verify_ctx_create(&s, &o, NULL);
	signal(SIGALRM, on_alarm);
	ck_assert_int_eq(setitimer(ITIMER_REAL, &(struct itimerval){ { 0, 0 },
	    { 0, 20000 } }, NULL), 0);
	ck_assert_int_eq(check_claim(vc, sc, "d f / d bias[c_out] = "
	    "d f / d bias[c_out] + sum(i in 0..9999998) 0 * i", &r),
	    VERDICT_CANCELLED);
	ck_assert_uint_lt(r.checked, 3);
	signal(SIGALRM, SIG_DFL);
	verify_result_clear(&r);
	cancel_flag = 0;
	verify_ctx_free(vc);
	expr_scope_free(sc);
}
END_TEST

/* The work of a whole claim is bounded (opts.max_work): past it, the
 * claim cannot be checked, with a message naming it and the limit. */
START_TEST(test_claim_work_limit)
{
	conv_shape_t s = default_shape();
	verify_opts_t o;
	verify_ctx_t *vc;
	expr_scope_t *sc = expr_scope_create();
	claim_t *c;
	verify_result_t r;
	char *err = NULL;

	verify_opts_default(&o);
	o.max_work = 1e5;
	vc = verify_ctx_create(&s, &o, NULL);
	/* 12096 tuples, three evaluations each: 36288 steps, within */
	ck_assert_int_eq(check_claim(vc, sc, right_claims[3], &r),
	    VERDICT_HOLDS);
	verify_result_clear(&r);
	/* 12096 tuples, each a sum of 20 terms (of every variable, so that
	 * no value is remembered): past 1e5 */
	c = parse("d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in]"
	    " = sum(k in 0..19) 0 * (k + b + c_in + h_in + w_in + b1 + c_out1 "
	    "+ h_out1 + w_out1) where b != b1 or not (h_in in "
	    "strh*h_out1 .. strh*h_out1 + R - 1)", sc);
	ck_assert_int_eq(verify_claim(vc, c, &r, &err), -1);
	ck_assert_msg(err != NULL && strstr(err, "t.md:1:1: error: the claim "
	    "needs more than 1e+05 evaluation steps") != NULL, "%s",
	    err ? err : "(none)");
	free(err);
	claim_free(c);
	verify_ctx_free(vc);
	expr_scope_free(sc);
}
END_TEST

/* Ranges that do not depend on one another are counted by multiplying:
 * 2e6 x 2e6 x 2 tuples (the hostile lesson of issue 12) are counted at
 * once and sampled, never walked. */
START_TEST(test_count_independent)
{
	conv_shape_t s = default_shape();
	verify_ctx_t *vc = ctx_at(&s, 500);
	expr_scope_t *sc = expr_scope_create();
	verify_result_t r;

	ck_assert_int_eq(check_claim(vc, sc, "d f / d bias[c_out] = "
	    "d f / d bias[c_out] + 0 * (x + y + z) where x in 0..1999999 "
	    "and y in 0..1999999 and z in 0..1", &r), VERDICT_HOLDS);
	ck_assert(r.sampled);
	ck_assert_uint_eq(r.total, (size_t)3 * 2000000 * 2000000 * 2);
	ck_assert_uint_eq(r.checked, 500);
	verify_result_clear(&r);
	/* a range that depends on an earlier variable: walked, exact
	 * below the sample size (x: 0..9, y: 0..x) */
	ck_assert_int_eq(check_claim(vc, sc, "d f / d bias[c_out] = "
	    "d f / d bias[c_out] + 0 * (x + y) where x in 0..9 and y in 0..x",
	    &r), VERDICT_HOLDS);
	ck_assert(!r.sampled);
	ck_assert_uint_eq(r.total, 3 * 55);
	verify_result_clear(&r);
	/* ... and past it, the walk stops early, sampled */
	ck_assert_int_eq(check_claim(vc, sc, "d f / d bias[c_out] = "
	    "d f / d bias[c_out] + 0 * (x + y + z) where x in 0..1999999 "
	    "and y in 0..x and z in 0..1", &r), VERDICT_HOLDS);
	ck_assert(r.sampled);
	ck_assert_uint_gt(r.total, 500);
	verify_result_clear(&r);
	verify_ctx_free(vc);
	expr_scope_free(sc);
}
END_TEST

START_TEST(test_bad_shape)
{
	conv_shape_t s;
	char *err = NULL;

	conv_shape_init(&s, 1, 1, 3, 3, 1, 5, 1);
	ck_assert_ptr_null(verify_ctx_create(&s, NULL, &err));
	ck_assert_ptr_nonnull(err);
	free(err);
}
END_TEST

/* Verify text; it must be refused (-1) with a message starting with
 * "t.md:1:1: error: " and containing want. */
static void
assert_refused(verify_ctx_t *vc, expr_scope_t *sc, const char *text,
    const char *want)
{
	claim_t *c = parse(text, sc);
	verify_result_t r;
	char *err = NULL;

	ck_assert_msg(verify_claim(vc, c, &r, &err) == -1, "%s: not refused",
	    text);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strncmp(err, "t.md:1:1: error: ", 17) == 0 &&
	    strstr(err, want) != NULL, "%s: message '%s' lacks '%s'", text, err,
	    want);
	free(err);
	claim_free(c);
}

/* A let's size is checked before anything is allocated: over the memory
 * limit (and products that overflow size_t) and empty or negative
 * dimensions are refused with file:line:col, never a fatal exit. */
START_TEST(test_let_too_large)
{
	conv_shape_t s = default_shape();
	verify_ctx_t *vc = ctx_at(&s, 0);
	expr_scope_t *sc = expr_scope_create();
	verify_result_t r;

	assert_refused(vc, sc, "let t[i < 65536, j < 65536, k < 65536] = 1",
	    "the let 't' (65536 x 65536 x 65536 entries) needs 2.252e+15 "
	    "bytes, over the memory limit of 4 GiB");
	assert_refused(vc, sc, "let u[i < 1000000000, j < 1000000000, "
	    "k < 1000000000, l < 1000000000] = 1", "over the memory limit");
	assert_refused(vc, sc, "let v[i < 9223372036854775807] = 1",
	    "over the memory limit");
	assert_refused(vc, sc, "let w[i < 1000000000] = i",
	    "over the memory limit");
	assert_refused(vc, sc, "let x[i < 0] = 1",
	    "dimension 1 of the let is 0, not a whole number of at least 1");
	assert_refused(vc, sc, "let y[i < 2, j < -5] = 1",
	    "dimension 2 of the let is -5, not a whole number of at least 1");
	/* within the limit: defined */
	ck_assert_int_eq(check_claim(vc, sc, "let ok[i < 1000, j < 1000] = i",
	    &r), VERDICT_DEFINED);
	ck_assert_uint_eq(r.checked, 1000000);
	verify_result_clear(&r);
	verify_ctx_free(vc);
	expr_scope_free(sc);
}
END_TEST

/* Free variables whose ranges reach the ends of a long: enumerated
 * without overflowing the loop index, counted and sampled in unsigned
 * arithmetic; a sum too long to evaluate is a finding, not a hang. */
START_TEST(test_huge_ranges)
{
	conv_shape_t s = default_shape();
	verify_ctx_t *vc = ctx_at(&s, 1000);
	expr_scope_t *sc = expr_scope_create();
	verify_result_t r;

	ck_assert_int_eq(check_claim(vc, sc, "d f / d bias[c_out] = "
	    "d f / d bias[c_out] + 0 * (k - 9223372036854775806) "
	    "where k in 9223372036854775806..9223372036854775807", &r),
	    VERDICT_HOLDS);
	ck_assert(!r.sampled);
	ck_assert_uint_eq(r.total, 3 * 2);
	ck_assert_uint_eq(r.checked, 3 * 2);
	verify_result_clear(&r);
	/* 2^64 values of k: sampled */
	ck_assert_int_eq(check_claim(vc, sc, "d f / d bias[c_out] = "
	    "d f / d bias[c_out] + 0 * k where k in "
	    "-9223372036854775807-1..9223372036854775807", &r), VERDICT_HOLDS);
	ck_assert(r.sampled);
	ck_assert_uint_eq(r.checked, 1000);
	verify_result_clear(&r);
	/* an outer range of 2^63 values is not walked to count the tuples */
	ck_assert_int_eq(check_claim(vc, sc, "d f / d bias[c_out] = "
	    "d f / d bias[c_out] + 0 * (k + j) where k in "
	    "0..9223372036854775806 and j in 0..1", &r), VERDICT_HOLDS);
	ck_assert(r.sampled);
	ck_assert_uint_eq(r.checked, 1000);
	verify_result_clear(&r);
	/* a sum of 1e11 terms: a finding at the first tuple */
	ck_assert_int_eq(check_claim(vc, sc, "d f / d bias[c_out] = "
	    "sum(i in 0..99999999999) 0", &r), VERDICT_FAILS);
	ck_assert_ptr_nonnull(r.cex_finding);
	ck_assert_msg(strstr(r.cex_finding, "has more than 10000000 terms") !=
	    NULL, "%s", r.cex_finding);
	verify_result_clear(&r);
	verify_ctx_free(vc);
	expr_scope_free(sc);
}
END_TEST

/* ---- the compiled form against the reference ---- */

/* The five shapes of tests/lessons.sh: the lesson's default; 1x1x5x5
 * (1 channel, 2x2 kernel); 2x3x9x7 with strides 2, 3 and R != S; 1x2x11x10
 * with a 1x3 kernel and strides 3, 1; the default with strides 3, 3. */
#define NTWIN_SHAPES 5
/* At least the source's eight lessons, at most this many: the lessons past
 * the bundled count skip (lessons are added without touching this test). */
#define NTWIN_LESSONS 24

static bool
twin_shape(const lesson_t *l, int k, conv_shape_t *s)
{
	*s = l->shape;
	switch (k) {
	case 1:
		conv_shape_init(s, 1, 1, 5, 5, 1, 2, 2);
		break;
	case 2:
		conv_shape_init(s, 2, 3, 9, 7, 2, 3, 2);
		s->strh = 2;
		s->strw = 3;
		break;
	case 3:
		conv_shape_init(s, 1, 2, 11, 10, 3, 1, 3);
		s->strh = 3;
		s->strw = 1;
		break;
	case 4:
		s->strh = s->strw = 3;
		break;
	}
	if (k != 0 && k != 4) {
		s->pad_h = l->shape.pad_h;
		s->pad_w = l->shape.pad_w;
		s->dil_h = l->shape.dil_h;
		s->dil_w = l->shape.dil_w;
		s->strh = k == 1 ? 1 : s->strh;
		s->strw = k == 1 ? 1 : s->strw;
	}
	return conv_shape_validate(s, 0, NULL) == 0 &&
	    lesson_covers(l, s, &(const char *){ NULL });
}

/* Two results, field by field, bit for bit. */
static void
assert_same_result(const claim_t *c, const verify_result_t *a,
    const verify_result_t *b)
{
	int k, n = verify_point_count(c);

	ck_assert_msg(a->verdict == b->verdict && a->checked == b->checked &&
	    a->total == b->total && a->sampled == b->sampled &&
	    a->failures == b->failures && a->has_cex == b->has_cex,
	    "%s:%d: verdict %d/%d, checked %zu/%zu, total %zu/%zu, failures "
	    "%zu/%zu", c->file, c->line, a->verdict, b->verdict, a->checked,
	    b->checked, a->total, b->total, a->failures, b->failures);
	ck_assert_msg(memcmp(&a->max_abs, &b->max_abs, sizeof(double)) == 0 &&
	    memcmp(&a->max_rel, &b->max_rel, sizeof(double)) == 0,
	    "%s:%d: max error %.17g/%.17g, rel %.17g/%.17g", c->file, c->line,
	    a->max_abs, b->max_abs, a->max_rel, b->max_rel);
	if (!a->has_cex)
		return;
	for (k = 0; k < n; k++)
		ck_assert_msg(a->cex[k] == b->cex[k], "%s:%d: counterexample "
		    "index %d: %ld/%ld", c->file, c->line, k, a->cex[k], b->cex[k]);
	ck_assert_msg(memcmp(&a->cex_formula, &b->cex_formula,
	    sizeof(double)) == 0 && memcmp(&a->cex_numeric, &b->cex_numeric,
	    sizeof(double)) == 0, "%s:%d: counterexample values", c->file,
	    c->line);
	ck_assert_msg((a->cex_finding == NULL) == (b->cex_finding == NULL) &&
	    (a->cex_finding == NULL || strcmp(a->cex_finding,
	    b->cex_finding) == 0), "%s:%d: finding '%s' / '%s'", c->file,
	    c->line, a->cex_finding ? a->cex_finding : "(none)",
	    b->cex_finding ? b->cex_finding : "(none)");
}

/* verify_claim_at on both contexts at vals: the same point, bit for bit. */
static void
assert_same_point(verify_ctx_t *ref, verify_ctx_t *fast, const claim_t *c,
    const long *vals)
{
	verify_point_t a, b;
	int ra = verify_claim_at(ref, c, vals, &a, NULL);
	int rb = verify_claim_at(fast, c, vals, &b, NULL);

	ck_assert_int_eq(ra, rb);
	if (ra != 0)
		return;
	ck_assert_msg(a.applies == b.applies && a.ok == b.ok &&
	    memcmp(&a.formula, &b.formula, sizeof(double)) == 0 &&
	    memcmp(&a.numeric, &b.numeric, sizeof(double)) == 0 &&
	    (a.finding == NULL) == (b.finding == NULL) && (a.finding == NULL ||
	    strcmp(a.finding, b.finding) == 0), "%s:%d: the point differs: "
	    "%.17g/%.17g, %.17g/%.17g, '%s'/'%s'", c->file, c->line, a.formula,
	    b.formula, a.numeric, b.numeric, a.finding ? a.finding : "",
	    b.finding ? b.finding : "");
	free(a.finding);
	free(b.finding);
}

/* The live check at the first, last and middle tuple of the ranges and
 * at the counterexample. */
static void
assert_same_points(verify_ctx_t *ref, verify_ctx_t *fast, const claim_t *c,
    const verify_result_t *r)
{
	long lo[32], hi[32], v[3][32], *slots;
	int k, q;

	if (c->kind == CLAIM_LET || c->kind == CLAIM_KERNEL || c->nfree > 32)
		return;
	slots = xcalloc((size_t)c->nslots + 1, sizeof *slots);
	for (k = 0; k < c->nfree; k++) {
		if (expr_range_eval(&c->free[k].range, verify_ctx_env(ref), slots,
		    &lo[k], &hi[k], NULL) != 0 || hi[k] < lo[k]) {
			free(slots);
			return;
		}
		v[0][k] = lo[k];
		v[1][k] = hi[k];
		v[2][k] = lo[k] + (hi[k] - lo[k]) / 2;
		slots[c->free[k].slot] = lo[k];
	}
	free(slots);
	for (q = 0; q < 3; q++)
		assert_same_point(ref, fast, c, v[q]);
	if (r->has_cex)
		assert_same_point(ref, fast, c, r->cex);
}

/* Every claim of every bundled lesson at five shapes: the compiled form
 * (with the where's bounds, the memories and threads) gives the results
 * of the tree walk over every tuple, bit for bit. */
START_TEST(test_lessons_twins)
{
	const char *top = getenv("top_srcdir");
	char *dir = xasprintf("%s/lessons", top != NULL ? top : CONVGRAD_SRCDIR);
	char **paths = NULL, *err = NULL;
	int npaths = 0, i, j;
	verify_ctx_t *fast, *ref;
	verify_opts_t o;
	conv_shape_t s;
	lesson_t *l;

	ck_assert_msg(lesson_collect(&dir, 1, &paths, &npaths, &err) == 0,
	    "%s", err ? err : "?");
	ck_assert(npaths >= 8 && npaths <= NTWIN_LESSONS);
	if (_i / NTWIN_SHAPES >= npaths) {
		lesson_paths_free(paths, npaths);
		free(dir);
		return;
	}
	l = lesson_load(paths[_i / NTWIN_SHAPES], &err);
	ck_assert_msg(l != NULL, "%s", err ? err : "?");
	if (twin_shape(l, _i % NTWIN_SHAPES, &s)) {
		verify_opts_default(&o);
		fast = verify_ctx_create(&s, &o, NULL);
		o.reference = true;
		ref = verify_ctx_create(&s, &o, NULL);
		ck_assert(fast != NULL && ref != NULL);
		for (i = 0; i < l->nsteps; i++) {
			for (j = 0; j < l->steps[i].nclaims; j++) {
				const claim_t *c = l->steps[i].claims[j];
				verify_result_t a, b;

				ck_assert(verify_claim(ref, c, &a, NULL) == 0);
				ck_assert(verify_claim(fast, c, &b, NULL) == 0);
				assert_same_result(c, &a, &b);
				assert_same_points(ref, fast, c, &a);
				verify_result_clear(&a);
				verify_result_clear(&b);
			}
		}
		verify_ctx_free(fast);
		verify_ctx_free(ref);
	}
	lesson_free(l);
	lesson_paths_free(paths, npaths);
	free(dir);
}
END_TEST

/* Hand-written claims for the compiled form's short cuts, each against
 * the tree walk, bit for bit: index arithmetic regrouped into affine
 * forms (coefficients that cancel, near the +-2^62 limit, negations,
 * products by constants), affine indices that leave the tensor (a
 * finding, never a silent read), and parts kept across tuples (a where,
 * a left or right side that reads only the outer variables), holding
 * and failing. */
static const char *const twin_claims[] = {
	"d f / d bias[c_out] = d f / d bias[c_out] + 0 * ((c_out * "
	    "1000000000000000000 + 7) - c_out * 1000000000000000000 - 7)",
	"d f / d bias[c_out] = d f / d bias[c_out] + ((c_out * "
	    "5000000000000000000 + 7) - c_out * 5000000000000000000 - 7)",
	"output[b,c_out,h_out,w_out] = bias[c_out] + "
	    "sum(c_in, di in 0..R-1, dj in 0..S-1) "
	    "input[b, c_in, strh*h_out + di, strw*w_out + dj] * "
	    "weight[c_out, c_in, -(-di), (0 - dj) * -1]",
	"output[b,c_out,h_out,w_out] = bias[c_out] + "
	    "sum(c_in, di in 0..R-1, dj in 0..S-1) "
	    "input[b, c_in, strh*h_out + di, strw*w_out + dj] * "
	    "weight[c_out, c_in, 2*di - di, dj + 1]",
	"output[b,c_out,h_out,w_out] = bias[c_out] + "
	    "sum(c_in, di in 0..R-1, dj in 0..S-1) "
	    "input[b, c_in, strh*h_out + di, strw*w_out + dj] * "
	    "weight[c_out, c_in, di - 1, dj]",
	"d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] = "
	    "weight[c_out1, c_in, h_in - strh*h_out1, w_in - strw*w_out1]",
	"d output[b1,c_out1,h_out1,w_out1] / d weight[c_out,c_in,di,dj] = 0 "
	    "where c_out1 != c_out",
	"d output[b1,c_out1,h_out1,w_out1] / d weight[c_out,c_in,di,dj] = "
	    "input[b1, c_in, strh*h_out1 + di, strw*w_out1 + dj] + 0 * c_out1 "
	    "where c_out1 == c_out",
	"d output[b1,c_out1,h_out1,w_out1] / d weight[c_out,c_in,di,dj] = "
	    "input[b1, c_in, strh*h_out1 + di, strw*w_out1] "
	    "where c_out1 == c_out",
	/* sums whose where bounds their indices (9..15 hold, 16 fails) */
	"d f / d input[b,c_in,h_in,w_in] = sum(c_out1, h_out1, w_out1 "
	    "where h_in - strh*h_out1 in 0 .. R - 1 and "
	    "w_in - strw*w_out1 in 0 .. S - 1) df[b,c_out1,h_out1,w_out1] * "
	    "weight[c_out1, c_in, h_in - strh*h_out1, w_in - strw*w_out1]",
	"d f / d bias[c_out] = d f / d bias[c_out] + "
	    "sum(i in 0..40 where i // 3 == c_out) 1 - 3",
	"d f / d bias[c_out] = d f / d bias[c_out] + "
	    "sum(i in 0..40 where i // 3 == c_out and i > 3*c_out) 1 - 2",
	"d f / d bias[c_out] = d f / d bias[c_out] + "
	    "sum(i in 0..40 where 3*c_out + 2 >= i >= 3*c_out + 1) 1 - 2",
	"d f / d bias[c_out] = d f / d bias[c_out] + "
	    "sum(i in 0..40, j in 0..40 where c_out < i // 4 and "
	    "j // 2 <= 7 and j < i + 2 and 2*c_out < i - j and -i >= -30) "
	    "0.001 * (i + 2*j) - sum(i in 0..40 where i > 50) 1",
	"d f / d bias[c_out] = d f / d bias[c_out] + "
	    "sum(i in 0..40, j in 0..40 where c_out < i // 4 and "
	    "j // 2 <= 7 and j < i + 2 and 2*c_out < i - j and -i >= -30) "
	    "0 * (i + 2*j)",
	"d f / d bias[c_out] = d f / d bias[c_out] + "
	    "sum(i in 0..199, j in 0..199 where i == 3 and j <= 5) 1 - 6",
	"d f / d bias[c_out] = d f / d bias[c_out] + "
	    "sum(i in 0..399, j in 0..399 where i == 3) 0",
	/* a d (EXPR) whose EXPR reads output (the forward reruns at each
	 * perturbed entry): by the bias, holding (17); by the weight with
	 * tanh for its derivative, refuted at the same counterexample (18);
	 * EXPR reading the perturbed input too (19); a NaN inside EXPR
	 * (log of a negative output) and an index past output's last
	 * column, findings that never pass (20, 21) */
	"d (sum(b1, c_out1, h_out1, w_out1) tanh(output[b1,c_out1,h_out1,"
	    "w_out1])) / d bias[c_out] = sum(b1, h_out1, w_out1) "
	    "(1 - square(tanh(output[b1,c_out,h_out1,w_out1])))",
	"d (sum(b1, c_out1, h_out1, w_out1) tanh(output[b1,c_out1,h_out1,"
	    "w_out1])) / d weight[c_out,c_in,di,dj] = sum(b1, h_out1, w_out1) "
	    "tanh(output[b1,c_out,h_out1,w_out1]) * "
	    "input[b1, c_in, strh*h_out1 + di, strw*w_out1 + dj]",
	"d (sum(b1, c_out1, h_out1, w_out1) square(output[b1,c_out1,h_out1,"
	    "w_out1]) * input[b1, 0, 1, 1]) / d input[b,c_in,h_in,w_in] = 0",
	"d (sum(b1, c_out1, h_out1, w_out1) log(output[b1,c_out1,h_out1,"
	    "w_out1])) / d bias[c_out] = 0",
	"d (sum(b1, c_out1, h_out1) output[b1,c_out1,h_out1,W_out]) / "
	    "d bias[c_out] = 0",
	/* a function of a tensor's entries, taken from the program's table
	 * of them (expr-prog.c's call_table) but where an entry is
	 * perturbed (22, holds), and a log of the negative weights, a
	 * finding at the first of them (23) */
	"d (sum(c_in1) exp(input[b,c_in1,h_in,w_in])) / "
	    "d input[b,c_in,h_in,w_in] = exp(input[b,c_in,h_in,w_in])",
	"d f / d bias[c_out] = d f / d bias[c_out] + 0 * sum(c_in, di, dj) "
	    "log(weight[c_out, c_in, di, dj])",
	/* sums along their innermost index by expr-prog.c's p_sum_inner: a
	 * product reading the entry d (EXPR) / d input perturbs (24), a
	 * where on the innermost index and a table's fn (25) */
	"d (sum(c_in1, di1, dj1) input[b1, c_in1, strh*h_out1 + di1, "
	    "strw*w_out1 + dj1] * weight[c_out1, c_in1, di1, dj1]) / "
	    "d input[b,c_in,h_in,w_in] = "
	    "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in]",
	"output[b,c_out,h_out,w_out] = bias[c_out] + "
	    "sum(c_in, di in 0..R-1, dj in 0..S-1 where dj != di or di >= 0) "
	    "input[b, c_in, strh*h_out + di, strw*w_out + dj] * "
	    "weight[c_out, c_in, di, dj] + 0 * sum(c_in, dj where dj != 1) "
	    "exp(weight[c_out, c_in, 0, dj])",
};
#define NTWIN_CLAIMS (sizeof twin_claims / sizeof twin_claims[0])

START_TEST(test_twins_hand)
{
	conv_shape_t s = default_shape();
	expr_scope_t *sc = expr_scope_create();
	claim_t *c = parse(twin_claims[_i], sc);
	verify_ctx_t *fast, *ref;
	verify_opts_t o;
	verify_result_t a, b;

	verify_opts_default(&o);
	fast = verify_ctx_create(&s, &o, NULL);
	o.reference = true;
	ref = verify_ctx_create(&s, &o, NULL);
	/* 1e5 steps an evaluation: 15 takes 200 + 200*200, within; 16 takes
	 * 400 + 400*400 though it adds one term of 400 */
	expr_eval_max_terms = 100000;
	ck_assert(verify_claim(ref, c, &a, NULL) == 0);
	ck_assert(verify_claim(fast, c, &b, NULL) == 0);
	assert_same_result(c, &a, &b);
	assert_same_points(ref, fast, c, &a);
	expr_eval_max_terms = EVAL_MAX_TERMS_DEFAULT;
	/* 0, 2, 6 and 7 hold; 1 overflows, 3 and 4 read past the kernel's
	 * last and first column, 5 outside the window (findings), and 8 is
	 * wrong */
	if (_i == 0 || _i == 2 || _i == 6 || _i == 7 || (_i >= 9 && _i <= 15 &&
	    _i != 13))
		ck_assert_int_eq(b.verdict, VERDICT_HOLDS);
	if (_i == 1 || _i == 3 || _i == 4 || _i == 5 || _i == 8 || _i == 16 ||
	    _i == 18 || _i == 20 || _i == 21)
		ck_assert_int_eq(b.verdict, VERDICT_FAILS);
	if (_i == 17 || _i == 22 || _i == 24 || _i == 25)
		ck_assert_int_eq(b.verdict, VERDICT_HOLDS);
	if (_i == 23)
		ck_assert_msg(b.verdict == VERDICT_FAILS && b.has_cex &&
		    b.cex_finding != NULL, "log of a negative weight passed");
	if (_i == 20 || _i == 21)
		ck_assert_msg(b.has_cex && b.cex_finding != NULL &&
		    b.failures == b.checked, "%s", b.cex_finding ?
		    b.cex_finding : "no finding");
	verify_result_clear(&a);
	verify_result_clear(&b);
	verify_ctx_free(fast);
	verify_ctx_free(ref);
	claim_free(c);
	expr_scope_free(sc);
}
END_TEST

/* The numeric derivatives a freed context leaves go to the next context
 * of the same world only, and give the same bits there: a d output / d
 * input claim (the Jacobian) and a d f / d input one (the gradient),
 * each verified in a context after one of the same world, of another
 * seed and of another shape (taking the first's derivatives there would
 * refute them or read past the cache), against a fresh context. */
START_TEST(test_numeric_shared)
{
	const char *claims[2] = { right_claims[3], right_claims[7] };
	conv_shape_t s = default_shape(), other = default_shape();
	expr_scope_t *sc = expr_scope_create();
	verify_opts_t o;
	verify_result_t fresh, r;
	verify_ctx_t *vc;
	int i, k;

	other.strh = 1;
	for (i = 0; i < 2; i++) {
		claim_t *c = parse(claims[i], sc);

		vc = ctx_fresh(&s);
		ck_assert_int_eq(verify_claim(vc, c, &fresh, NULL), 0);
		verify_ctx_free(vc);
		for (k = 0; k < 4; k++) {
			verify_opts_default(&o);
			o.seed += k == 2;
			vc = verify_ctx_create(k == 3 ? &other : &s, &o, NULL);
			ck_assert(vc != NULL);
			ck_assert_int_eq(verify_claim(vc, c, &r, NULL), 0);
			ck_assert_int_eq(r.verdict, VERDICT_HOLDS);
			if (k == 1)     /* after k == 0, same world: shared */
				assert_same_result(c, &fresh, &r);
			verify_result_clear(&r);
			verify_ctx_free(vc);
		}
		verify_result_clear(&fresh);
		claim_free(c);
	}
	expr_scope_free(sc);
}
END_TEST

/* Claim c in a new context of world (s, seed): the same result as fresh
 * (a fresh context's), bit for bit. The context is returned alive when
 * keep, else freed. */
static verify_ctx_t *
check_shared(const claim_t *c, const conv_shape_t *s, uint64_t seed,
    const verify_result_t *fresh, bool keep)
{
	verify_ctx_t *vc = ctx_world(s, seed, false);
	verify_result_t r;

	ck_assert_int_eq(verify_claim(vc, c, &r, NULL), 0);
	if (fresh != NULL)
		assert_same_result(c, fresh, &r);
	verify_result_clear(&r);
	if (keep)
		return vc;
	verify_ctx_free(vc);
	return NULL;
}

/* The stash keeps several worlds and gives copies: contexts of one world
 * alive at once (a lesson's and its exercises'), each taking the stash's
 * derivatives or computing them, and the world taken again after five
 * other worlds went through the stash, all give the fresh results. */
START_TEST(test_numeric_stash_copies)
{
	const char *claims[2] = { right_claims[3], right_claims[7] };
	conv_shape_t s = default_shape();
	expr_scope_t *sc = expr_scope_create();
	verify_result_t fresh;
	verify_ctx_t *vc, *a, *b;
	uint64_t seed = VERIFY_SEED_DEFAULT;
	int i, k;

	for (i = 0; i < 2; i++) {
		claim_t *c = parse(claims[i], sc);

		vc = ctx_fresh(&s);
		ck_assert_int_eq(verify_claim(vc, c, &fresh, NULL), 0);
		verify_ctx_free(vc);
		a = check_shared(c, &s, seed, &fresh, true);
		check_shared(c, &s, seed, &fresh, false);
		b = check_shared(c, &s, seed, &fresh, true);
		check_shared(c, &s, seed, &fresh, false);
		verify_ctx_free(b);
		verify_ctx_free(a);
		for (k = 1; k <= 5; k++)
			check_shared(c, &s, seed + (uint64_t)k, NULL, false);
		check_shared(c, &s, seed, &fresh, false);
		verify_result_clear(&fresh);
		claim_free(c);
	}
	expr_scope_free(sc);
}
END_TEST

/* expr_prog_cost, which decides whether a claim of few tuples is worth
 * threads: sums counted by their ranges (0..i by i's widest), nested
 * ones multiplied, a range read from a tensor counting 1, affine
 * integers and accesses nothing. */
START_TEST(test_prog_cost)
{
	conv_shape_t s = default_shape();
	expr_scope_t *sc = expr_scope_create();
	verify_ctx_t *vc = ctx_fresh(&s);
	claim_t *c = parse("d f / d bias[c_out] = "
	    "sum(i in 0..9, j in 0..4) 0.5 * i + sum(k in 0..2) bias[k] + "
	    "sum(i in 0..3) sum(j in 0..i) input[0, 0, i, j] + "
	    "sum(i in 0..bias[0] // 1) 1 + bias[2 * c_out - c_out]", sc);
	expr_prog_t *p = expr_prog_compile(c->rhs, verify_ctx_env(vc),
	    c->nslots, NULL, 0, 0);

	ck_assert(p != NULL);
	/* 10*5 + 3 + 4 * (1 + 4) + 1 */
	ck_assert_msg(expr_prog_cost(p) == 74.0, "cost %g",
	    expr_prog_cost(p));
	ck_assert(expr_prog_cost(NULL) == 0.0);
	expr_prog_free(p);
	claim_free(c);
	verify_ctx_free(vc);
	expr_scope_free(sc);
}
END_TEST

/* Claims with the same left side that reruns the forward kernel, in one
 * context (the later ones take its values from the first: verify.c's
 * share, filled at the tuples the first's where leaves, the rest
 * evaluated), give each a fresh context's results, bit for bit. */
START_TEST(test_lhs_shared)
{
#define TANH_LHS "d (sum(b1, c_out1, h_out1, w_out1) " \
	    "tanh(output[b1,c_out1,h_out1,w_out1])) / d input[b,c_in,h_in,w_in]"
#define TANH_WINDOW "sum(c_out1, h_out1, w_out1 where " \
	    "h_in - strh*h_out1 in 0 .. R - 1 and " \
	    "w_in - strw*w_out1 in 0 .. S - 1) "
	static const char *const claims[] = {
		TANH_LHS " = 0 where b == 1 and h_in > 3",
		TANH_LHS " = " TANH_WINDOW
		    "(1 - square(tanh(output[b,c_out1,h_out1,w_out1]))) * "
		    "weight[c_out1, c_in, h_in - strh*h_out1, w_in - strw*w_out1]",
		TANH_LHS " = " TANH_WINDOW
		    "tanh(output[b,c_out1,h_out1,w_out1]) * "
		    "weight[c_out1, c_in, h_in - strh*h_out1, w_in - strw*w_out1]",
	};
	static const verdict_t want[] = { VERDICT_FAILS, VERDICT_HOLDS,
	    VERDICT_FAILS };
	conv_shape_t s = default_shape();
	expr_scope_t *sc = expr_scope_create();
	verify_ctx_t *shared = ctx_world(&s, VERIFY_SEED_DEFAULT, false), *vc;
	verify_result_t a, b;
	size_t i;

	for (i = 0; i < sizeof claims / sizeof claims[0]; i++) {
		claim_t *c = parse(claims[i], sc);

		vc = ctx_fresh(&s);
		ck_assert_int_eq(verify_claim(vc, c, &a, NULL), 0);
		ck_assert_int_eq(verify_claim(shared, c, &b, NULL), 0);
		ck_assert_int_eq(b.verdict, want[i]);
		assert_same_result(c, &a, &b);
		verify_result_clear(&a);
		verify_result_clear(&b);
		verify_ctx_free(vc);
		claim_free(c);
	}
	verify_ctx_free(shared);
	expr_scope_free(sc);
#undef TANH_LHS
#undef TANH_WINDOW
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("verify");
	TCase *tc = tcase_create("verify");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_right_holds, 0, NSHAPES * NRIGHT);
	tcase_add_loop_test(tc, test_wrong_refuted, 0, NWRONG);
	tcase_add_test(tc, test_tolerances);
	tcase_add_test(tc, test_findings_never_pass);
	tcase_add_test(tc, test_let_im2col);
	tcase_add_test(tc, test_sampling);
	tcase_add_test(tc, test_point_and_cex_str);
	tcase_add_test(tc, test_lazy_gradient_same_bits);
	tcase_add_test(tc, test_progress_cancel);
	tcase_add_test(tc, test_cancel_flag);
	tcase_add_loop_test(tc, test_lessons_twins, 0,
	    NTWIN_LESSONS * NTWIN_SHAPES);
	tcase_add_loop_test(tc, test_twins_hand, 0, (int)NTWIN_CLAIMS);
	tcase_add_test(tc, test_count_independent);
	tcase_add_test(tc, test_claim_work_limit);
	tcase_add_test(tc, test_bad_shape);
	tcase_add_test(tc, test_let_too_large);
	tcase_add_test(tc, test_huge_ranges);
	tcase_add_test(tc, test_numeric_shared);
	tcase_add_test(tc, test_numeric_stash_copies);
	tcase_add_test(tc, test_prog_cost);
	tcase_add_test(tc, test_lhs_shared);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
