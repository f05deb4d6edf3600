/*
 * check_expr_funcs.c: the functions of the check language (abs, tanh,
 * exp, log, relu, square; min and max are in check_expr_eval.c) in both
 * evaluators: the tree walk (expr_eval, which words findings) and the
 * compiled form (expr_prog_eval), which must give the same value, bit for
 * bit, and a finding at the same places. The world is one small tensor.
 * Then through the verifier: a NaN or Inf never passes, and a nonlinear f
 * through the real kernel (d (sum(...) tanh(output[...])) / d T) is its
 * finite difference, with output given back bit for bit.
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check-util.h"
#include "expr.h"
#include "expr-prog.h"
#include "util.h"
#include "verify.h"

static tensor_t *bias;

static tensor_t *
fake_tensor(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "bias") == 0 ? bias : NULL;
}

static bool
fake_constant(void *ctx, const char *name, long *v)
{
	(void)ctx;
	if (strcmp(name, "C_out") != 0)
		return false;
	*v = 4;
	return true;
}

static int
fake_numeric_id(void *ctx, const char *wrt)
{
	(void)ctx;
	(void)wrt;
	return -1;
}

static double
fake_numeric_at(void *ctx, int id, long out_off, size_t wrt_off)
{
	(void)ctx;
	(void)id;
	(void)out_off;
	(void)wrt_off;
	return NAN;
}

static const expr_env_t env = {
	.tensor = fake_tensor, .constant = fake_constant,
	.numeric_id = fake_numeric_id, .numeric_at = fake_numeric_at,
	.fd_eps = 1e-6,
};

static void
setup(void)
{
	bias = tensor_create1(4);
	bias->data[0] = 0.5;
	bias->data[1] = -1.25;
	bias->data[2] = 0.0;
	bias->data[3] = 800.0;
}

static void
teardown(void)
{
	tensor_free(bias);
}

/* EXPR evaluated by both evaluators (every slot 0); the two statuses and
 * values must agree. Returns the status; *v and *finding from expr_eval. */
static int
eval_both(const char *expr, value_t *v, char **finding)
{
	char *text = xasprintf("bias[c_out] = %s", expr), *err = NULL;
	claim_t *c = claim_parse(text, "t.md", 1, 1, NULL, &err);
	long slots[8] = { 0 };
	expr_prog_t *p;
	value_t pv;
	int rc, prc;

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_le(c->nslots, 8);
	rc = expr_eval(c->rhs, &env, slots, v, finding);
	p = expr_prog_compile(c->rhs, &env, c->nslots, NULL, 0, EXPR_PROG_NO_MEMO);
	ck_assert_msg(p != NULL, "%s: not compiled", expr);
	prc = expr_prog_eval(p, slots, &pv);
	ck_assert_msg(prc == rc, "%s: expr_eval %d, compiled %d", expr, rc, prc);
	if (rc == 0) {
		ck_assert_msg(pv.kind == v->kind, "%s: kinds differ", expr);
		ck_assert_msg(pv.kind != VAL_REAL ||
		    memcmp(&pv.r, &v->r, sizeof(double)) == 0,
		    "%s: %.17g compiled, %.17g tree", expr, pv.r, v->r);
		ck_assert_msg(pv.kind != VAL_INT || pv.i == v->i, "%s", expr);
	}
	expr_prog_free(p);
	claim_free(c);
	free(text);
	return rc;
}

static void
assert_real(const char *expr, double want)
{
	value_t v;
	char *f = NULL;

	ck_assert_msg(eval_both(expr, &v, &f) == 0, "%s: %s", expr, f);
	ck_assert_msg(v.kind == VAL_REAL, "%s: not a real", expr);
	ck_assert_msg(v.r == want, "%s = %.17g, want %.17g", expr, v.r, want);
}

static void
assert_int(const char *expr, long want)
{
	value_t v;
	char *f = NULL;

	ck_assert_msg(eval_both(expr, &v, &f) == 0, "%s: %s", expr, f);
	ck_assert_msg(v.kind == VAL_INT, "%s: not an integer", expr);
	ck_assert_msg(v.i == want, "%s = %ld, want %ld", expr, v.i, want);
}

static void
assert_finding(const char *expr, const char *want)
{
	value_t v;
	char *f = NULL;

	ck_assert_msg(eval_both(expr, &v, &f) == -1, "%s: no finding", expr);
	ck_assert_str_eq(f, want);
	free(f);
}

/* Each function against the C library's, at values chosen so the result
 * is the library's exactly (the evaluators call it once, no rounding of
 * their own but the single operation). */
START_TEST(test_values)
{
	assert_real("tanh(0.5)", tanh(0.5));
	assert_real("tanh(bias[1])", tanh(-1.25));
	assert_real("tanh(2)", tanh(2.0));          /* an integer becomes real */
	assert_real("exp(bias[1])", exp(-1.25));
	assert_real("exp(0)", 1.0);
	assert_real("log(bias[0])", log(0.5));
	assert_real("log(1)", 0.0);
	assert_real("log(exp(1.5))", log(exp(1.5)));
	assert_real("relu(bias[1])", 0.0);
	assert_real("relu(bias[0])", 0.5);
	assert_real("square(bias[1])", 1.5625);
	assert_real("square(0.1)", 0.1 * 0.1);
	assert_real("abs(bias[1])", 1.25);
	/* the derivative of tanh, written with the others */
	assert_real("1 - square(tanh(bias[0]))", 1.0 - tanh(0.5) * tanh(0.5));
}
END_TEST

/* abs, relu and square keep integers integers, as min and max do. */
START_TEST(test_integers)
{
	assert_int("relu(-3)", 0);
	assert_int("relu(3)", 3);
	assert_int("relu(0)", 0);
	assert_int("square(-7)", 49);
	assert_int("square(C_out)", 16);
	assert_int("abs(-7)", 7);
	assert_int("square(3037000499)", 9223372030926249001L);
}
END_TEST

/* A value no check may take: log of a value <= 0, an overflowing exp, an
 * integer square past LONG_MAX. Each is a finding with the expression,
 * never a NaN or an infinity that a comparison could let pass. */
START_TEST(test_findings)
{
	assert_finding("log(bias[2])",
	    "log of a value <= 0 in 'log(bias[2])' (0 is not positive)");
	assert_finding("log(-0.5)",
	    "log of a value <= 0 in 'log(-0.5)' (-0.5 is not positive)");
	assert_finding("log(0)",
	    "log of a value <= 0 in 'log(0)' (0 is not positive)");
	assert_finding("exp(bias[3])", "'exp(bias[3])' is infinite");
	assert_finding("exp(1000) - exp(1000)", "'exp(1000)' is infinite");
	assert_finding("square(3037000500)",
	    "integer overflow in 'square(3037000500)'");
	assert_finding("square(1e200)", "'square(1e+200)' is infinite");
	assert_finding("tanh(1 / 0)", "division by zero in '1 / 0'");
}
END_TEST

/* ---- through the verifier ---- */

static verify_ctx_t *
ctx_default(void)
{
	conv_shape_t sh;
	char *err = NULL;
	verify_ctx_t *vc;

	conv_shape_init(&sh, 2, 2, 7, 8, 3, 3, 2);
	sh.strh = 2;
	sh.strw = 3;
	vc = verify_ctx_create(&sh, NULL, &err);
	ck_assert_msg(vc != NULL, "%s", err);
	return vc;
}

static verdict_t
verdict_of_text(verify_ctx_t *vc, const char *text, verify_result_t *r)
{
	char *err = NULL;
	claim_t *c = claim_parse(text, "t.md", 1, 1, NULL, &err);

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_msg(verify_claim(vc, c, r, &err) == 0, "%s", err);
	claim_free(c);
	return r->verdict;
}

/* A NaN or an infinity never passes a check: log of a value <= 0 and an
 * overflowing exp are findings at the tuple, so the claim fails with the
 * finding as its counterexample (and an erratum written so is refuted,
 * never held). */
START_TEST(test_verify_never_passes)
{
	verify_ctx_t *vc = ctx_default();
	verify_result_t r = { 0 };

	ck_assert_int_eq(verdict_of_text(vc, "output[b, c_out, h_out, w_out] = "
	    "output[b, c_out, h_out, w_out] + 0 * log(0 * output[b, c_out, h_out, "
	    "w_out])", &r), VERDICT_FAILS);
	ck_assert_ptr_nonnull(r.cex_finding);
	ck_assert_msg(strstr(r.cex_finding, "log of a value <= 0") != NULL, "%s",
	    r.cex_finding);
	verify_result_clear(&r);
	ck_assert_int_eq(verdict_of_text(vc, "output[b, c_out, h_out, w_out] = "
	    "output[b, c_out, h_out, w_out] + 0 * exp(1000 + output[b, c_out, "
	    "h_out, w_out])", &r), VERDICT_FAILS);
	ck_assert_msg(strstr(r.cex_finding, "is infinite") != NULL, "%s",
	    r.cex_finding);
	verify_result_clear(&r);
	/* and the same through a nonlinear f by the kernel: the finite
	 * difference of log(0 * ...) is a finding too */
	ck_assert_int_eq(verdict_of_text(vc, "d (sum(b1, c_out1, h_out1, w_out1) "
	    "log(0 * output[b1, c_out1, h_out1, w_out1])) / d input[b, c_in, "
	    "h_in, w_in] = 0", &r), VERDICT_FAILS);
	ck_assert_ptr_nonnull(r.cex_finding);
	verify_result_clear(&r);
	verify_ctx_free(vc);
}
END_TEST

/* A nonlinear f through the kernel: the verifier reruns the forward at
 * x +- h, the chain rule through tanh holds at the finite-difference
 * tolerance, a wrong derivative (tanh for tanh') is refuted, and output
 * is given back bit for bit afterwards. */
START_TEST(test_verify_rerun)
{
	verify_ctx_t *vc = ctx_default();
	verify_result_t r = { 0 };
	const tensor_t *out = verify_ctx_tensor(vc, "output");
	tensor_t *before = tensor_clone(out);
	static const char lhs[] = "d (sum(b1, c_out1, h_out1, w_out1) "
	    "tanh(output[b1, c_out1, h_out1, w_out1])) / d weight[c_out, c_in, "
	    "di, dj] = sum(b1, h_out1, w_out1) ";
	char *ok = xasprintf("%s(1 - square(tanh(output[b1, c_out, h_out1, "
	    "w_out1]))) * input[b1, c_in, strh*h_out1 + di, strw*w_out1 + dj]",
	    lhs);
	char *bad = xasprintf("%stanh(output[b1, c_out, h_out1, w_out1]) * "
	    "input[b1, c_in, strh*h_out1 + di, strw*w_out1 + dj]", lhs);

	ck_assert_int_eq(verdict_of_text(vc, ok, &r), VERDICT_HOLDS);
	ck_assert_uint_eq(r.checked, 36);
	ck_assert_double_lt(r.max_abs, 1e-7);
	verify_result_clear(&r);
	ck_assert_int_eq(verdict_of_text(vc, bad, &r), VERDICT_FAILS);
	ck_assert_double_gt(r.max_abs, 1e-2);
	verify_result_clear(&r);
	ck_assert_int_eq(memcmp(before->data, out->data,
	    out->size * sizeof(double)), 0);
	free(ok);
	free(bad);
	tensor_free(before);
	verify_ctx_free(vc);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("expr_funcs");
	TCase *tc = tcase_create("funcs");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_integers);
	tcase_add_test(tc, test_findings);
	tcase_add_test(tc, test_verify_never_passes);
	tcase_add_test(tc, test_verify_rerun);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
