/*
 * check_expr_eval.c: the check language's evaluator against a fake world:
 * small hand-made tensors, fixed constants and a stub for the verifier's
 * finite differences of the real kernel.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check-util.h"
#include "expr.h"
#include "expr-int.h"        /* expr_eval_max_terms */
#include "util.h"

/* ---- the fake world ---- */

static tensor_t *input, *weight, *bias, *df, *output;
static int deriv_calls;
static long last_out[4], last_wrt[4];
static bool last_out_null, deriv_fail;

static tensor_t *
fake_tensor(void *ctx, const char *name)
{
	if (strcmp(name, "input") == 0) return input;
	if (strcmp(name, "weight") == 0) return weight;
	if (strcmp(name, "bias") == 0) return bias;
	if (strcmp(name, "df") == 0) return df;
	if (strcmp(name, "output") == 0) return output;
	return NULL;
}

static bool
fake_constant(void *ctx, const char *name, long *v)
{
	static const struct { const char *n; long v; } k[] = {
		{ "N", 1 }, { "C_in", 2 }, { "H_in", 4 }, { "W_in", 4 },
		{ "C_out", 2 }, { "R", 3 }, { "S", 3 }, { "strh", 2 },
		{ "strw", 3 }, { "H_out", 1 }, { "W_out", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		if (strcmp(k[i].n, name) == 0) {
			*v = k[i].v;
			return true;
		}
	}
	return false;      /* pad_h and friends: unknown here, on purpose */
}

/* d output[o] / d wrt[w] := 1000 + o[1]*100 + w[0]*10 + w[3];
 * d f / d wrt[w] := 7 + w[0]. */
static int
fake_deriv(void *ctx, const char *wrt, const long *out_idx,
    const long *wrt_idx, double *value, char **err)
{
	int k;

	deriv_calls++;
	if (deriv_fail)
		return set_error(err, "the stub was told to fail");
	last_out_null = out_idx == NULL;
	for (k = 0; k < 4; k++) {
		last_out[k] = out_idx != NULL ? out_idx[k] : -1;
		last_wrt[k] = strcmp(wrt, "bias") == 0 && k > 0 ? -1 : wrt_idx[k];
	}
	*value = out_idx != NULL ?
	    1000.0 + (double)out_idx[1] * 100 + (double)wrt_idx[0] * 10 +
	    (strcmp(wrt, "bias") == 0 ? 0.0 : (double)wrt_idx[3]) :
	    7.0 + (double)wrt_idx[0];
	return 0;
}

static expr_env_t env = {
	.tensor = fake_tensor, .constant = fake_constant,
	.numeric_deriv = fake_deriv, .fd_eps = 1e-6, .ctx = NULL,
};

static expr_scope_t *scope;

static void
setup(void)
{
	size_t i;

	input = tensor_create4(1, 2, 4, 4);
	weight = tensor_create4(2, 2, 3, 3);
	bias = tensor_create1(3);
	df = tensor_create4(1, 2, 1, 1);
	output = tensor_create4(1, 2, 1, 1);
	for (i = 0; i < input->size; i++)
		input->data[i] = 0.5 + 0.25 * (double)i;
	for (i = 0; i < weight->size; i++)
		weight->data[i] = (double)i - 17.5;      /* -17.5 .. 18.5 */
	bias->data[0] = 0.5;
	bias->data[1] = -1.25;
	bias->data[2] = 2.0;
	df->data[0] = 3.0;
	df->data[1] = -4.0;
	deriv_calls = 0;
	deriv_fail = false;
	scope = expr_scope_create();
}

static void
teardown(void)
{
	tensor_free(input);
	tensor_free(weight);
	tensor_free(bias);
	tensor_free(df);
	tensor_free(output);
	expr_scope_free(scope);
}

/* ---- helpers ---- */

/* Parse "bias[c_out] = EXPR" and evaluate EXPR with c_out = 1 and any
 * other slot 0. Returns expr_eval's status; *finding on -1. */
static int
eval_text(const char *expr, value_t *v, char **finding)
{
	char *text = xasprintf("bias[c_out] = %s", expr), *err = NULL;
	claim_t *c = claim_parse(text, "t.md", 1, 1, scope, &err);
	long *slots;
	int rc;

	ck_assert_msg(c != NULL, "%s", err);
	slots = xcalloc((size_t)c->nslots + 1, sizeof(long));
	slots[0] = 1;
	rc = expr_eval(c->rhs, &env, slots, v, finding);
	free(slots);
	claim_free(c);
	free(text);
	return rc;
}

static value_t
eval_ok(const char *expr)
{
	value_t v;
	char *f = NULL;

	ck_assert_msg(eval_text(expr, &v, &f) == 0, "%s: %s", expr, f);
	return v;
}

static void
assert_int(const char *expr, long want)
{
	value_t v = eval_ok(expr);

	ck_assert_msg(v.kind == VAL_INT, "%s: not an integer", expr);
	ck_assert_msg(v.i == want, "%s = %ld, want %ld", expr, v.i, want);
}

/* Exact: these reals are sums and products of dyadic fractions. */
static void
assert_real(const char *expr, double want)
{
	value_t v = eval_ok(expr);

	ck_assert_msg(v.kind == VAL_REAL, "%s: not a real", expr);
	ck_assert_msg(v.r == want, "%s = %.17g, want %.17g", expr, v.r, want);
}

static void
assert_bool(const char *expr, bool want)
{
	value_t v = eval_ok(expr);

	ck_assert_msg(v.kind == VAL_BOOL, "%s: not a condition", expr);
	ck_assert_msg(v.b == want, "%s is %d, want %d", expr, v.b, want);
}

static void
assert_finding(const char *expr, const char *want)
{
	value_t v;
	char *f = NULL;

	ck_assert_msg(eval_text(expr, &v, &f) == -1, "%s: no finding", expr);
	ck_assert_str_eq(f, want);
	free(f);
	/* The same finding, not formatted: the status alone, nothing to free. */
	ck_assert_msg(eval_text(expr, &v, NULL) == -1, "%s: no finding "
	    "without its text", expr);
}

/* ---- tests ---- */

START_TEST(test_arithmetic)
{
	assert_int("1 + 2 * 3", 7);
	assert_int("(1 + 2) * 3", 9);
	assert_int("2 - 3 - 4", -5);
	assert_int("12 // 3 // 2", 2);
	assert_int("-(3)", -3);
	assert_int("- -3", 3);
	assert_int("c_out * 10", 10);
	assert_int("R * S + strh", 11);
	assert_real("7 / 2", 3.5);
	assert_real("2 + 0.5", 2.5);
	assert_real("1e-3 * 1000", 1.0);
	assert_real("3 * 0.25", 0.75);
	ck_assert(value_real(eval_ok("3")) == 3.0);
	ck_assert(value_real(eval_ok("1 < 2")) == 1.0);
}
END_TEST

/* Python's floor division and modulo. */
START_TEST(test_floor_div_mod)
{
	assert_int("7 // 2", 3);
	assert_int("-7 // 2", -4);
	assert_int("7 // -2", -4);
	assert_int("-7 // -2", 3);
	assert_int("-8 // 2", -4);
	assert_int("7 % 2", 1);
	assert_int("-7 % 2", 1);
	assert_int("7 % -2", -1);
	assert_int("-7 % -2", -1);
	assert_int("-6 % 3", 0);
	assert_real("-7.5 // 2", -4.0);
	assert_real("-7.5 % 2", 0.5);
	assert_real("7.5 % -2", -0.5);
}
END_TEST

START_TEST(test_conditions)
{
	assert_bool("1 < 2 <= 2", true);
	assert_bool("1 < 2 < 2", false);
	assert_bool("3 < 2 < 1/0", false);         /* the chain stops early */
	assert_bool("3 == 3.0", true);
	assert_bool("1 != 1", false);
	assert_bool("0.1 + 0.2 == 0.3", false);    /* reals compare exactly */
	assert_bool("0.5 + 0.25 == 0.75", true);
	assert_bool("2 in 0..2", true);
	assert_bool("0 in 0..2", true);
	assert_bool("3 in 0..2", false);
	assert_bool("-1 in 0..2", false);
	assert_bool("c_out in 1..1", true);
	assert_bool("not 1 > 2", true);
	assert_bool("1 < 2 and 2 < 1 or 1 == 1", true);
	assert_bool("1 > 2 and 1 // 0 == 0", false);   /* and stops early */
	assert_bool("1 < 2 or 1 // 0 == 0", true);
	assert_bool("(1 < 2) == (2 < 3)", true);
	assert_int("if 1 < 2 then 10 else 20", 10);
	assert_int("if c_out == 0 then 10 else 20", 20);
	assert_int("1 + (if 1 > 2 then 1 // 0 else 5)", 6);
}
END_TEST

START_TEST(test_calls_and_constants)
{
	assert_int("min(3, 1, 2)", 1);
	assert_int("max(3, 1, 2)", 3);
	assert_real("max(1, 2.5)", 2.5);
	assert_real("min(2, 1.0)", 1.0);
	assert_int("abs(-4)", 4);
	assert_real("abs(-2.5)", 2.5);
	/* strides[] = 1, strh, strw, 1 */
	assert_int("strides[0] + strides[1] * 10 + strides[2] * 100 + "
	    "strides[3] * 1000", 1321);
}
END_TEST

START_TEST(test_sums)
{
	assert_int("sum(k in 0..4) k", 10);
	assert_int("sum(k in 1..0) k", 0);                  /* empty */
	assert_int("sum(k in 0..3 where k % 2 == 0) k * k", 4);
	assert_int("sum(i in 0..2, j in 0..i) 1", 6);       /* j's range uses i */
	assert_int("sum(i in 0..2) sum(j in 0..i) j", 4);   /* nested */
	assert_int("sum(k in 1..3) k * 2 + 1", 13);         /* (sum) + 1 */
	assert_int("2 * sum(k in 1..3) k * 2", 24);
	/* Inferred ranges: bias has 3 entries, weight[0, 0] is 3 x 3. */
	assert_real("sum(i) bias[i]", 1.25);
	assert_real("sum(i, j) weight[0, 0, i, j]", -121.5);   /* -17.5..-9.5 */
	assert_real("sum(i, j where i == j) weight[0, 0, i, j]", -40.5);
	assert_real("sum(k) strides[k] + 0.5", 7.5);
	assert_real("sum(i in 0..1) bias[i] + sum(i) bias[i]", 0.5);
}
END_TEST

START_TEST(test_tensors)
{
	assert_real("bias[c_out]", -1.25);
	assert_real("bias[2 / 2]", -1.25);          /* an integral real index */
	assert_real("input[0, 1, 2, 3]", 0.5 + 0.25 * (16 + 8 + 3));
	assert_real("weight[1, 0, 2, 1]", 18.0 + 7.0 - 17.5);
}
END_TEST

START_TEST(test_findings)
{
	assert_finding("bias[c_out + 2]",
	    "bias[c_out + 2=3]: position 1 (c_out + 2 = 3) is outside 0..2");
	assert_finding("weight[c_out, 0, -1, 0]",
	    "weight[c_out=1, 0, -1=-1, 0]: position 3 (-1 = -1) is outside 0..2");
	assert_finding("strides[4]",
	    "strides[4]: position 1 (4 = 4) is outside 0..3");
	assert_finding("bias[0.5]", "position 1 of bias is not an integer (0.5)");
	assert_finding("weight[0, 0, 0, 1.5]",
	    "position 4 of weight is not an integer (1.5)");
	assert_finding("strides[0.5]",
	    "position 1 of strides is not an integer (0.5)");
	assert_finding("1 / (c_out - 1)", "division by zero in '1 / (c_out - 1)'");
	assert_finding("7 // (c_out - 1)", "division by zero in '7 // (c_out - 1)'");
	assert_finding("7 % 0", "division by zero in '7 % 0'");
	assert_finding("1.5 // 0.0", "division by zero in '1.5 // 0.0'");
	assert_finding("9223372036854775807 + c_out",
	    "integer overflow in '9223372036854775807 + c_out'");
	assert_finding("-9223372036854775807 - 2",
	    "integer overflow in '-9223372036854775807 - 2'");
	assert_finding("3037000500 * 3037000500",
	    "integer overflow in '3037000500 * 3037000500'");
	assert_finding("1e308 * 10", "'1e+308 * 10' is infinite");
	assert_finding("1 + (1 < 2)", "'1 < 2' is a condition where a number "
	    "is needed");
	assert_finding("if 1 then 1 else 2", "'1' is a number where a condition "
	    "is needed");
	assert_finding("pad_h", "the constant 'pad_h' has no value here");
	assert_finding("sum(i in 0..0.5) 1", "a range's upper bound is not an "
	    "integer (0.5)");
}
END_TEST

/* Integers at the edges of a long: findings, never undefined behaviour
 * (the sanitizer build runs this). */
START_TEST(test_integer_edges)
{
	assert_finding("(-9223372036854775807 - 1) // -1",
	    "integer overflow in '(-9223372036854775807 - 1) // -1'");
	assert_finding("(-9223372036854775807 - 1) % -1",
	    "integer overflow in '(-9223372036854775807 - 1) % -1'");
	assert_finding("abs(-9223372036854775807 - 1)",
	    "integer overflow in 'abs(-9223372036854775807 - 1)'");
	assert_finding("-(-9223372036854775807 - 1)",
	    "integer overflow in '-(-9223372036854775807 - 1)'");
	assert_finding("9223372036854775807 * 9223372036854775807",
	    "integer overflow in '9223372036854775807 * 9223372036854775807'");
	assert_finding("9223372036854775807 + 1",
	    "integer overflow in '9223372036854775807 + 1'");
	assert_finding("bias[9223372036854775807]",
	    "bias[9223372036854775807]: position 1 (9223372036854775807 = "
	    "9223372036854775807) is outside 0..2");
	assert_finding("bias[c_out + 4611686018427387904 * 2]",
	    "integer overflow in '4611686018427387904 * 2'");
	assert_finding("strides[-9223372036854775807 - 1]",
	    "strides[-9223372036854775807 - 1=-9223372036854775808]: position "
	    "1 (-9223372036854775807 - 1 = -9223372036854775808) is outside "
	    "0..3");
	assert_int("(-9223372036854775807 - 1) // 1", LONG_MIN);
	assert_int("(-9223372036854775807 - 1) % 7", 6);
	assert_int("abs(-9223372036854775807)", LONG_MAX);
}
END_TEST

/* A sum's loop stops at its upper bound: a range ending at LONG_MAX does
 * not overflow the index, one starting at LONG_MIN does not either. */
START_TEST(test_sum_range_edges)
{
	assert_int("sum(i in 9223372036854775806..9223372036854775807) 1", 2);
	assert_int("sum(i in 9223372036854775807..9223372036854775807) "
	    "i - 9223372036854775806", 1);
	assert_int("sum(i in -9223372036854775807-1..-9223372036854775807) 1",
	    2);
	assert_int("sum(i in 9223372036854775807..9223372036854775806) 1", 0);
}
END_TEST

/* The work limit: a sum whose range alone has more than the limit's
 * values is a finding at once, naming the sum and the count (no hang); so
 * is one that the sums before it bring past the limit. The limit itself
 * is allowed. Walked at a limit of 1e5 (the default is 1e7, asserted):
 * the same code paths in 1% of the steps, so that the test's time does
 * not depend on the machine's load (at 1e7 it ran near Check's 4 s
 * timeout on a loaded machine). */
START_TEST(test_sum_work_limit)
{
	ck_assert_uint_eq(expr_eval_max_terms, 10000000UL);
	assert_finding("sum(i in 0..99999999999) 0",
	    "the sum 'sum(i in 0..99999999999) 0' has more than 10000000 terms "
	    "(i takes 100000000000 values): too many to evaluate");
	expr_eval_max_terms = 100000;
	assert_finding("sum(i in 0..99999999999) 0",
	    "the sum 'sum(i in 0..99999999999) 0' has more than 100000 terms "
	    "(i takes 100000000000 values): too many to evaluate");
	assert_finding("sum(i in 0..9223372036854775807) 0",
	    "the sum 'sum(i in 0..9223372036854775807) 0' has more than "
	    "100000 terms (i takes 9223372036854775808 values): too many to "
	    "evaluate");
	assert_finding("sum(i in -9223372036854775807-1..9223372036854775807) 0",
	    "the sum 'sum(i in -9223372036854775807 - 1..9223372036854775807) "
	    "0' has more than 100000 terms (i takes about 1.8e19 values): too "
	    "many to evaluate");
	assert_finding("sum(i in 0..2, j in 0..9223372036854775807 where j < 1) i",
	    "the sum 'sum(i in 0..2, j in 0..9223372036854775807 where j < 1) "
	    "i' has more than 100000 terms (j takes 9223372036854775808 "
	    "values): too many to evaluate");
	/* nested: each inner sum is small, together they are not */
	assert_finding("sum(i in 0..999) sum(j in 0..999) 0",
	    "the sum 'sum(j in 0..999) 0' needs more than 100000 terms at "
	    "this point (with the sums before it): too many to evaluate");
	assert_int("sum(i in 1..99999) 1", 99999);
	assert_int("sum(i in 1..99) sum(j in 1..1000) 1", 99000);
	expr_eval_max_terms = EVAL_MAX_TERMS_DEFAULT;
}
END_TEST

/* The out-of-range message names every index and the allowed range. */
START_TEST(test_out_of_range_names)
{
	char *err = NULL, *f = NULL;
	claim_t *c = claim_parse("d output[b1,c_out1,h_out1,w_out1] / "
	    "d input[b,c_in,h_in,w_in] = weight[c_out1, c_in, di, dj]",
	    "t.md", 1, 1, scope, &err);
	long slots[10] = { 0 };
	value_t v;

	ck_assert_msg(c != NULL, "%s", err);
	slots[5] = 1;      /* c_in */
	slots[8] = 3;      /* di */
	ck_assert_int_eq(expr_eval(c->rhs, &env, slots, &v, &f), -1);
	ck_assert_str_eq(f, "weight[c_out1=0, c_in=1, di=3, dj=0]: position 3 "
	    "(di = 3) is outside 0..2");
	free(f);
	slots[8] = 2;
	ck_assert_int_eq(expr_eval(c->rhs, &env, slots, &v, &f), 0);
	ck_assert(v.r == T4(weight, 0, 1, 2, 0));
	claim_free(c);
}
END_TEST

/* NaN and Inf never pass: a tensor holding NaN is a finding. */
START_TEST(test_nan_never_passes)
{
	bias->data[1] = NAN;
	assert_finding("bias[c_out]", "'bias[c_out]' is NaN");
	assert_finding("sum(i) bias[i]", "'bias[i]' is NaN");
	assert_finding("0 * bias[c_out]", "'bias[c_out]' is NaN");
	bias->data[1] = -INFINITY;
	assert_finding("bias[c_out] < 0", "'bias[c_out]' is infinite");
}
END_TEST

/* d (a * x) / d x = a by central differences. The function is linear in
 * x, so the difference quotient is exact but for rounding: about
 * 2^-52 * |a x| / h ~ 1e-16 * 20 / 1e-6 = 2e-9 here; tolerance 1e-7. */
START_TEST(test_fd_product)
{
	double before[1 * 2 * 4 * 4], w = T4(weight, 0, 0, 1, 1);
	value_t v;

	memcpy(before, input->data, sizeof(before));
	v = eval_ok("d (weight[0, 0, 1, 1] * input[0, 1, 2, 2]) / d input[0, 1, 2, 2]");
	ck_assert_int_eq(v.kind, VAL_REAL);
	ck_assert_msg(fabs(v.r - w) <= 1e-7, "d(a x)/dx = %.17g, a = %g", v.r, w);
	ck_assert_int_eq(memcmp(before, input->data, sizeof(before)), 0);
	/* Quadratic: d (x*x) / dx = 2x, also exact but for rounding. */
	v = eval_ok("d (input[0, 1, 2, 2] * input[0, 1, 2, 2]) / d input[0, 1, 2, 2]");
	ck_assert_msg(fabs(v.r - 2 * T4(input, 0, 1, 2, 2)) <= 1e-6, "%.17g", v.r);
	/* With respect to something else: 0 exactly. */
	v = eval_ok("d (weight[0, 0, 1, 1] * input[0, 1, 2, 2]) / d input[0, 1, 2, 3]");
	ck_assert(v.r == 0.0);
	ck_assert_int_eq(memcmp(before, input->data, sizeof(before)), 0);
	ck_assert_int_eq(deriv_calls, 0);
}
END_TEST

/* A finding inside the numerator still restores the perturbed element. */
START_TEST(test_fd_restores_on_finding)
{
	double before[1 * 2 * 4 * 4];

	memcpy(before, input->data, sizeof(before));
	input->data[5] = 0.1;        /* not a dyadic: restoring must be exact */
	before[5] = 0.1;
	assert_finding("d (input[0, 0, 1, 1] * weight[0, 0, 5, 0]) / "
	    "d input[0, 0, 1, 1]", "weight[0, 0, 5, 0]: position 3 (5 = 5) is "
	    "outside 0..2");
	ck_assert_int_eq(memcmp(before, input->data, sizeof(before)), 0);
	assert_finding("d (bias[0]) / d input[0, 0, 4, 0]",
	    "input[0, 0, 4, 0]: position 3 (4 = 4) is outside 0..3");
}
END_TEST

START_TEST(test_numeric_deriv)
{
	value_t v;

	v = eval_ok("d output[0, 1, 0, 0] / d input[0, 1, 2, 3]");
	ck_assert(v.r == 1000 + 100 + 0 + 3);
	ck_assert(!last_out_null);
	ck_assert_int_eq(last_out[1], 1);
	ck_assert_int_eq(last_wrt[2], 2);
	v = eval_ok("d output[0, c_out, 0, 0] / d bias[c_out]");
	ck_assert(v.r == 1000 + 100 + 10);
	v = eval_ok("d f / d weight[1, 0, 2, 1]");
	ck_assert(v.r == 8.0);
	ck_assert(last_out_null);
	ck_assert_int_eq(deriv_calls, 3);
	/* d f / d output is the upstream gradient df, no finite difference. */
	v = eval_ok("d f / d output[0, 1, 0, 0]");
	ck_assert(v.r == -4.0);
	ck_assert_int_eq(deriv_calls, 3);
	/* The output index is range-checked before the stub is called. */
	assert_finding("d output[0, 2, 0, 0] / d bias[0]",
	    "output[0, 2, 0, 0]: position 2 (2 = 2) is outside 0..1");
	assert_finding("d f / d input[0, 0, 0, 9]",
	    "input[0, 0, 0, 9]: position 4 (9 = 9) is outside 0..3");
	ck_assert_int_eq(deriv_calls, 3);
	deriv_fail = true;
	assert_finding("d f / d bias[0]", "the stub was told to fail");
}
END_TEST

START_TEST(test_kernel_and_ranges)
{
	char *err = NULL, *f = NULL;
	claim_t *c = claim_parse("d f / d weight = kernel matrix", "t.md", 1, 1,
	    scope, &err);
	value_t v;
	long lo, hi, slots[8] = { 0 };

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(expr_eval(c->lhs, &env, NULL, &v, &f), -1);
	ck_assert_str_eq(f, "d f / d weight is checked entry by entry against a "
	    "kernel, not evaluated");
	free(f);
	claim_free(c);

	c = claim_parse("weight[c_out, c_in, di, dj] = "
	    "sum(k in di..R - 1 + c_out) k", "t.md", 1, 1, scope, &err);
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(expr_range_eval(&c->free[2].range, &env, slots, &lo,
	    &hi, &f), 0);
	ck_assert_int_eq(lo, 0);
	ck_assert_int_eq(hi, 2);
	slots[0] = 1;
	slots[2] = 1;
	ck_assert_int_eq(expr_range_eval(&c->rhs->u.sum.idx[0].range, &env,
	    slots, &lo, &hi, &f), 0);
	ck_assert_int_eq(lo, 1);
	ck_assert_int_eq(hi, 3);
	ck_assert_int_eq(expr_eval(c->rhs, &env, slots, &v, &f), 0);
	ck_assert_int_eq(v.i, 6);
	claim_free(c);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("expr_eval");
	TCase *tc = tcase_create("eval");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_arithmetic);
	tcase_add_test(tc, test_floor_div_mod);
	tcase_add_test(tc, test_conditions);
	tcase_add_test(tc, test_calls_and_constants);
	tcase_add_test(tc, test_sums);
	tcase_add_test(tc, test_tensors);
	tcase_add_test(tc, test_findings);
	tcase_add_test(tc, test_integer_edges);
	tcase_add_test(tc, test_sum_range_edges);
	tcase_add_test(tc, test_sum_work_limit);
	tcase_add_test(tc, test_out_of_range_names);
	tcase_add_test(tc, test_nan_never_passes);
	tcase_add_test(tc, test_fd_product);
	tcase_add_test(tc, test_fd_restores_on_finding);
	tcase_add_test(tc, test_numeric_deriv);
	tcase_add_test(tc, test_kernel_and_ranges);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
