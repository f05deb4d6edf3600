/*
 * check_expr_parse.c: the check language's parser and binder: every claim
 * form (kind, free variables in order, their inferred ranges), blocks
 * (labels, continuation lines), and a table of malformed claims with the
 * exact message, line and column; messages about claims (and lessons)
 * holding invalid UTF-8 or control characters show them as \xNN escapes.
 */
#include <stdlib.h>
#include <string.h>

#include "check-util.h"
#include "escape.h"
#include "expr.h"
#include "lesson.h"
#include "util.h"

static expr_scope_t *scope;

static void
setup(void)
{
	char *err = NULL;
	claim_t *c;

	scope = expr_scope_create();
	c = claim_parse("let cols[b < N, r < C_in*R*S, p < H_out*W_out] = 0",
	    "f.md", 1, 1, scope, &err);
	ck_assert_msg(c != NULL, "%s", err);
	claim_free(c);
}

static void
teardown(void)
{
	expr_scope_free(scope);
}

static claim_t *
parse_ok(const char *text)
{
	char *err = NULL;
	claim_t *c = claim_parse(text, "f.md", 10, 1, scope, &err);

	ck_assert_msg(c != NULL, "'%s' did not parse:\n%s", text, err);
	return c;
}

/* Free variable k is called name and its range is inferred from
 * tensor's position pos. */
static void
assert_free(const claim_t *c, int k, const char *name, const char *tensor,
    int pos)
{
	ck_assert_int_lt(k, c->nfree);
	ck_assert_str_eq(c->free[k].name, name);
	ck_assert_int_eq(c->free[k].slot, k);
	ck_assert_ptr_null(c->free[k].range.lo);
	ck_assert_str_eq(c->free[k].range.tensor, tensor);
	ck_assert_int_eq(c->free[k].range.pos, pos);
}

START_TEST(test_identity)
{
	claim_t *c = parse_ok("output[b, c_out, h_out, w_out] = bias[c_out] + "
	    "sum(c_in, di, dj) input[b, c_in, strh*h_out + di, strw*w_out + dj] "
	    "* weight[c_out, c_in, di, dj]");
	const expr_t *sum;

	ck_assert_int_eq(c->kind, CLAIM_IDENTITY);
	ck_assert_int_eq(c->lhs->kind, EX_ACCESS);
	ck_assert_int_eq(c->nfree, 4);
	assert_free(c, 0, "b", "output", 0);
	assert_free(c, 1, "c_out", "output", 1);
	assert_free(c, 2, "h_out", "output", 2);
	assert_free(c, 3, "w_out", "output", 3);
	/* The sum binds like a term: bias + (sum of input * weight). */
	ck_assert_int_eq(c->rhs->kind, EX_ADD);
	sum = c->rhs->u.op.b;
	ck_assert_int_eq(sum->kind, EX_SUM);
	ck_assert_int_eq(sum->u.sum.n, 3);
	ck_assert_int_eq(sum->u.sum.body->kind, EX_MUL);
	/* c_in alone indexes input (position 1) first; di, dj only weight. */
	ck_assert_str_eq(sum->u.sum.idx[0].range.tensor, "input");
	ck_assert_int_eq(sum->u.sum.idx[0].range.pos, 1);
	ck_assert_str_eq(sum->u.sum.idx[1].range.tensor, "weight");
	ck_assert_int_eq(sum->u.sum.idx[1].range.pos, 2);
	ck_assert_int_eq(sum->u.sum.idx[2].range.pos, 3);
	ck_assert_int_eq(sum->u.sum.idx[0].slot, 4);
	ck_assert_int_eq(c->nslots, 7);
	ck_assert_ptr_null(c->where);
	ck_assert(!c->expect_fail);
	ck_assert_int_eq(c->line, 10);
	ck_assert_str_eq(c->file, "f.md");
	claim_free(c);
	claim_free(NULL);
}
END_TEST

START_TEST(test_partial)
{
	claim_t *c = parse_ok("d output[b1,c_out1,h_out1,w_out1] / "
	    "d input[b,c_in,h_in,w_in] = weight[c_out1, c_in, di, dj] "
	    "where b == b1 expect fail");

	ck_assert_int_eq(c->kind, CLAIM_PARTIAL);
	ck_assert_int_eq(c->lhs->kind, EX_DERIV);
	ck_assert_str_eq(c->lhs->u.deriv.num->u.access.tensor, "output");
	ck_assert_str_eq(c->lhs->u.deriv.den->u.access.tensor, "input");
	/* The source's erratum: di, dj are free, their ranges from weight. */
	ck_assert_int_eq(c->nfree, 10);
	assert_free(c, 0, "b1", "output", 0);
	assert_free(c, 3, "w_out1", "output", 3);
	assert_free(c, 4, "b", "input", 0);
	assert_free(c, 5, "c_in", "input", 1);
	assert_free(c, 8, "di", "weight", 2);
	assert_free(c, 9, "dj", "weight", 3);
	ck_assert_ptr_nonnull(c->where);
	ck_assert_int_eq(c->where->kind, EX_CMP);
	ck_assert(c->expect_fail);
	claim_free(c);
}
END_TEST

START_TEST(test_partial_expr)
{
	claim_t *c = parse_ok("d (weight[c_out,c_in,di,dj] * input[b,c_in,h_in,w_in])"
	    " / d input[b,c_in,h_in,w_in] = weight[c_out,c_in,di,dj]");

	ck_assert_int_eq(c->kind, CLAIM_PARTIAL);
	ck_assert_int_eq(c->lhs->u.deriv.num->kind, EX_MUL);
	ck_assert_int_eq(c->nfree, 7);
	assert_free(c, 0, "c_out", "weight", 0);
	assert_free(c, 4, "b", "input", 0);
	claim_free(c);
}
END_TEST

START_TEST(test_chain_and_kernel)
{
	claim_t *c = parse_ok("d f / d input[b, c_in, h_in, w_in] = "
	    "sum(b1, c_out1, h_out1, w_out1) df[b1, c_out1, h_out1, w_out1] * "
	    "d output[b1, c_out1, h_out1, w_out1] / d input[b, c_in, h_in, w_in]");
	const expr_t *body;

	ck_assert_int_eq(c->kind, CLAIM_CHAIN);
	ck_assert_ptr_null(c->lhs->u.deriv.num);
	ck_assert_int_eq(c->nfree, 4);
	body = c->rhs->u.sum.body;
	ck_assert_int_eq(body->kind, EX_MUL);
	ck_assert_int_eq(body->u.op.b->kind, EX_DERIV);
	/* b1 alone indexes df first (position 0) inside the sum. */
	ck_assert_str_eq(c->rhs->u.sum.idx[0].range.tensor, "df");
	claim_free(c);

	c = parse_ok("d f / d weight = kernel matrix");
	ck_assert_int_eq(c->kind, CLAIM_KERNEL);
	ck_assert_ptr_null(c->rhs);
	ck_assert_int_eq(c->kernel, KERNEL_MATRIX);
	ck_assert_int_eq(c->lhs->u.deriv.den->kind, EX_NAME);
	ck_assert_str_eq(c->lhs->u.deriv.den->u.name.name, "weight");
	ck_assert_int_eq(c->nfree, 0);
	claim_free(c);

	c = parse_ok("d f / d bias = kernel element");
	ck_assert_int_eq(c->kernel, KERNEL_ELEMENT);
	claim_free(c);

	c = parse_ok("d f / d output[b, c_out, h_out, w_out] = df[b, c_out, h_out, w_out]");
	ck_assert_int_eq(c->kind, CLAIM_CHAIN);
	claim_free(c);
}
END_TEST

START_TEST(test_let)
{
	claim_t *c;

	ck_assert_int_eq(expr_scope_rank(scope, "cols"), 3);
	c = parse_ok("let Wm[c_out < C_out, r < C_in*R*S] = "
	    "weight[c_out, r // (R*S), r // S % R, r % S]");
	ck_assert_int_eq(c->kind, CLAIM_LET);
	ck_assert_int_eq(c->ndims, 2);
	ck_assert_int_eq(c->nfree, 2);
	ck_assert_str_eq(c->free[0].name, "c_out");
	ck_assert_str_eq(c->free[1].name, "r");
	ck_assert_ptr_nonnull(c->free[1].range.lo);      /* explicit: 0..dim-1 */
	ck_assert_int_eq(c->free[1].range.hi->kind, EX_SUB);
	ck_assert_ptr_eq(c->free[1].range.hi->u.op.a, c->dims[1]);
	ck_assert_int_eq(expr_scope_rank(scope, "Wm"), 2);
	claim_free(c);
	/* Later claims can use it. */
	c = parse_ok("output[b, c_out, h_out, w_out] = bias[c_out] + "
	    "sum(r) Wm[c_out, r] * cols[b, r, h_out * W_out + w_out]");
	ck_assert_str_eq(c->rhs->u.op.b->u.sum.idx[0].range.tensor, "Wm");
	claim_free(c);
}
END_TEST

START_TEST(test_explicit_range_and_chains)
{
	claim_t *c = parse_ok("output[b, c_out, h_out, w_out] = "
	    "sum(k in 0..R - 1, j where 0 <= k < j <= 3) k * weight[c_out, 0, 0, j]"
	    " where h_out in 0..2 and not b != 0 or -c_out // 2 >= -1");
	const expr_t *s = c->rhs, *w = c->where;

	ck_assert_int_eq(s->u.sum.idx[0].range.lo->kind, EX_INT);
	ck_assert_int_eq(s->u.sum.idx[0].range.hi->kind, EX_SUB);
	ck_assert_str_eq(s->u.sum.idx[1].range.tensor, "weight");
	ck_assert_int_eq(s->u.sum.where->kind, EX_CMP);
	ck_assert_int_eq(s->u.sum.where->u.cmp.n, 4);
	ck_assert_int_eq(s->u.sum.where->u.cmp.ops[0], CMP_LE);
	ck_assert_int_eq(s->u.sum.where->u.cmp.ops[1], CMP_LT);
	/* or < and < not < comparison; unary minus binds tighter than //. */
	ck_assert_int_eq(w->kind, EX_OR);
	ck_assert_int_eq(w->u.op.a->kind, EX_AND);
	ck_assert_int_eq(w->u.op.a->u.op.a->kind, EX_IN);
	ck_assert_int_eq(w->u.op.a->u.op.b->kind, EX_NOT);
	ck_assert_int_eq(w->u.op.a->u.op.b->u.op.a->kind, EX_CMP);
	ck_assert_int_eq(w->u.op.b->u.cmp.args[0]->kind, EX_IDIV);
	ck_assert_int_eq(w->u.op.b->u.cmp.args[0]->u.op.a->kind, EX_NEG);
	claim_free(c);
}
END_TEST

/* A free variable that indexes no tensor alone takes its range from a
 * top-level conjunct 'x in A..B' of the where (bounds may use earlier free
 * variables); a tensor position still comes first. */
START_TEST(test_range_from_where)
{
	claim_t *c = parse_ok("d output[b1, c_out1, h_out1, w_out1] / "
	    "d weight[c_out, c_in, di, dj] = input[b1, c_in, strh*h_out + di, "
	    "strw*w_out + dj] where c_out1 == c_out and h_out in 0..H_out - 1 "
	    "and (w_out in h_out..W_out - 1 and c_in in 0..0)");
	const expr_index_t *h = &c->free[8], *w = &c->free[9];

	ck_assert_int_eq(c->nfree, 10);
	assert_free(c, 5, "c_in", "weight", 1);
	ck_assert_str_eq(h->name, "h_out");
	ck_assert_ptr_null(h->range.tensor);
	ck_assert_int_eq(h->range.lo->kind, EX_INT);
	ck_assert_int_eq(h->range.hi->kind, EX_SUB);
	ck_assert_str_eq(h->range.hi->u.op.a->u.name.name, "H_out");
	ck_assert_str_eq(w->name, "w_out");
	ck_assert_int_eq(w->range.lo->kind, EX_NAME);
	ck_assert_int_eq(w->range.lo->u.name.slot, 8);
	claim_free(c);
}
END_TEST

START_TEST(test_literals_and_calls)
{
	claim_t *c = parse_ok("bias[c_out] = min(1, 2.5, 1e-3) + max(c_out, 0) * "
	    "abs(-2) + (if c_out == 0 then 1 else 2) + strides[1] % 3");
	const expr_t *e = c->rhs, *call;

	while (e->kind == EX_ADD)
		e = e->u.op.a;
	call = e;
	ck_assert_int_eq(call->kind, EX_CALL);
	ck_assert_str_eq(call->u.call.fn, "min");
	ck_assert_int_eq(call->u.call.nargs, 3);
	ck_assert_int_eq(call->u.call.args[0]->kind, EX_INT);
	ck_assert(call->u.call.args[1]->u.rval == 2.5);
	ck_assert(call->u.call.args[2]->u.rval == 1e-3);
	ck_assert_int_eq(c->nfree, 1);
	claim_free(c);
	/* the functions of a lab: each its own id, one argument */
	c = parse_ok("bias[c_out] = tanh(bias[c_out]) + exp(0.5) + log(2) + "
	    "relu(bias[c_out]) + square(1 - tanh(bias[c_out]))");
	{
		static const expr_fn_t want[] = { EXPR_FN_SQUARE, EXPR_FN_RELU,
			EXPR_FN_LOG, EXPR_FN_EXP };
		int k;

		e = c->rhs;
		for (k = 0; k < 4; k++, e = e->u.op.a) {
			ck_assert_int_eq(e->kind, EX_ADD);
			ck_assert_int_eq(e->u.op.b->kind, EX_CALL);
			ck_assert_int_eq(e->u.op.b->u.call.id, want[k]);
			ck_assert_int_eq(e->u.op.b->u.call.nargs, 1);
		}
		ck_assert_int_eq(e->kind, EX_CALL);
		ck_assert_int_eq(e->u.call.id, EXPR_FN_TANH);
		ck_assert_str_eq(e->u.call.fn, "tanh");
	}
	ck_assert_int_eq(c->nfree, 1);
	claim_free(c);
	/* a nonlinear loss through the kernel: d (EXPR reading output) / d
	 * input reruns the forward (deriv.rerun); by df it need not */
	c = parse_ok("d (sum(b1, c_out1, h_out1, w_out1) tanh(output[b1, c_out1, "
	    "h_out1, w_out1])) / d input[b, c_in, h_in, w_in] = 0");
	ck_assert_int_eq(c->kind, CLAIM_PARTIAL);
	ck_assert(c->lhs->u.deriv.rerun);
	ck_assert_int_eq(c->nfree, 4);
	claim_free(c);
	c = parse_ok("d (df[b, c_out, h_out, w_out] * square(output[b, c_out, "
	    "h_out, w_out])) / d df[b, c_out, h_out, w_out] = "
	    "square(output[b, c_out, h_out, w_out])");
	ck_assert(!c->lhs->u.deriv.rerun);
	claim_free(c);
	c = parse_ok("d (weight[c_out, c_in, di, dj] * input[b, c_in, h_in, w_in]) "
	    "/ d input[b, c_in, h_in, w_in] = weight[c_out, c_in, di, dj]");
	ck_assert(!c->lhs->u.deriv.rerun);
	claim_free(c);
	/* a subnormal is a number (strtod's ERANGE for it is no error) */
	c = parse_ok("bias[c_out] = 1e-320 + 4.9e-324");
	ck_assert(c->rhs->u.op.a->u.rval == 1e-320);
	ck_assert(c->rhs->u.op.b->u.rval == 4.9e-324);
	ck_assert(c->rhs->u.op.b->u.rval > 0.0);
	claim_free(c);
}
END_TEST

START_TEST(test_block)
{
	const char *block =
	    "# the forward pass\n"
	    "output[b, c_out, h_out, w_out] = bias[c_out] +\n"
	    "    sum(c_in, di, dj) input[b, c_in, strh*h_out + di, strw*w_out + dj]\n"
	    "        * weight[c_out, c_in, di, dj]\n"
	    "\n"
	    "bias[c_out] = max(0,\n"
	    "1) * bias[c_out]\n"
	    "# comment, then a claim with no blank line\n"
	    "d f / d input = kernel element\n";
	claim_t **cl = NULL;
	char *err = NULL;
	int n = 0, i;

	ck_assert_msg(claims_parse_block(block, "f.md", 40, scope, &cl, &n,
	    &err) == 0, "%s", err);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(cl[0]->label, "the forward pass");
	ck_assert_int_eq(cl[0]->line, 41);
	ck_assert(strchr(cl[0]->text, '\n') != NULL);
	ck_assert_int_eq(cl[0]->rhs->u.op.b->line, 42);   /* the sum, line 2 */
	ck_assert_int_eq(cl[0]->rhs->u.op.b->col, 5);
	ck_assert_ptr_null(cl[1]->label);
	ck_assert_int_eq(cl[1]->line, 45);                 /* bracket open */
	ck_assert_str_eq(cl[2]->label, "comment, then a claim with no blank line");
	ck_assert_int_eq(cl[2]->line, 48);
	for (i = 0; i < n; i++)
		claim_free(cl[i]);
	free(cl);
}
END_TEST

START_TEST(test_failed_let_not_in_scope)
{
	char *err = NULL;

	ck_assert_ptr_null(claim_parse("let t[i < 2] = nope[i]", "f.md", 1, 1,
	    scope, &err));
	free(err);
	ck_assert_int_eq(expr_scope_rank(scope, "t"), 0);
	ck_assert_ptr_null(claim_parse("x", "f.md", 1, 1, scope, NULL));
}
END_TEST

/* ---- malformed claims: the exact first line of the message ---- */

#define LHS "output[b, c_out, h_out, w_out] = "   /* 33 columns */

static const struct bad {
	const char *text;
	const char *msg;
} bad[] = {
	{ LHS "(1 + 2",
	  "f.md:10:40: error: ')' expected to close '(' at line 10, column 34 "
	  "(at end of claim)" },
	{ "output[b, c_out, h_out, w_out = 1",
	  "f.md:10:31: error: ']' expected to close '[' at line 10, column 7 "
	  "(near '=')" },
	{ LHS "inptu[b, 0, 0, 0]",
	  "f.md:10:34: error: unknown tensor 'inptu' (near 'inptu')" },
	{ LHS "weight[c_out, 0, 0]",
	  "f.md:10:34: error: weight takes 4 indices, not 3 (near 'weight')" },
	{ "output[b, c_out, h_out, w_out] bias[c_out]",
	  "f.md:10:32: error: '=' expected after the left side of the claim "
	  "(near 'bias')" },
	{ "output[b, c_out, h_out, w_out] == 1",
	  "f.md:10:32: error: '=' expected after the left side of the claim "
	  "('==' compares inside an expression) (near '==')" },
	{ LHS "1 2",
	  "f.md:10:36: error: end of claim expected (near '2')" },
	{ LHS "1 = 2",
	  "f.md:10:36: error: one '=' per claim: write each step as a claim of "
	  "its own (near '=')" },
	{ LHS "1.5.3",
	  "f.md:10:34: error: malformed number (near '1.5.3')" },
	{ LHS "2e + 1",
	  "f.md:10:34: error: malformed number (near '2e')" },
	{ LHS "1e999",
	  "f.md:10:34: error: number out of range (near '1e999')" },
	{ LHS "1 + 1e-400",
	  "f.md:10:38: error: number out of range (near '1e-400')" },
	{ LHS "99999999999999999999",
	  "f.md:10:34: error: number out of range (near '99999999999999999999')" },
	{ LHS "1 $ 2",
	  "f.md:10:36: error: unexpected character (near '$')" },
	{ LHS "foo(1)",
	  "f.md:10:34: error: unknown function 'foo' (the functions are sum, min, "
	  "max, abs, tanh, exp, log, relu and square) (near 'foo')" },
	{ LHS "sigmoid(output[b, c_out, h_out, w_out])",
	  "f.md:10:34: error: unknown function 'sigmoid' (the functions are sum, "
	  "min, max, abs, tanh, exp, log, relu and square) (near 'sigmoid')" },
	{ LHS "tanh(1, 2)",
	  "f.md:10:34: error: tanh takes 1 argument, not 2 (near 'tanh')" },
	{ LHS "1 + square(bias[c_out], 2, 3)",
	  "f.md:10:38: error: square takes 1 argument, not 3 (near 'square')" },
	{ LHS "relu()",
	  "f.md:10:39: error: expression expected (near ')')" },
	{ LHS "exp 2",
	  "f.md:10:38: error: '(' expected after a function name (near '2')" },
	{ LHS "log",
	  "f.md:10:37: error: '(' expected after a function name "
	  "(at end of claim)" },
	{ LHS "2 * log(bias[c_out]",
	  "f.md:10:53: error: ')' expected to close '(' at line 10, column 41 "
	  "(at end of claim)" },
	{ "bias[c_out] = sum(tanh) 1",
	  "f.md:10:19: error: 'tanh' is a reserved word and cannot name a "
	  "summation index (near 'tanh')" },
	{ LHS "abs(1, 2)",
	  "f.md:10:34: error: abs takes 1 argument, not 2 (near 'abs')" },
	{ LHS "bias",
	  "f.md:10:34: error: the tensor 'bias' needs its indices: bias[...] "
	  "(near 'bias')" },
	{ LHS "f",
	  "f.md:10:34: error: 'f' (the loss) can only be differentiated: "
	  "d f / d T (near 'f')" },
	{ "d input[b, c_in, h_in, w_in] / d weight[c_out, c_in, di, dj] = 0",
	  "f.md:10:3: error: only output[...], f or a parenthesised expression "
	  "can be differentiated: write d (input[...]) / d ... (near 'input')" },
	{ "d output[b, c_out, h_out, w_out] / d df[b, c_out, h_out, w_out] = 0",
	  "f.md:10:38: error: d output[...] / d df: the forward kernel is "
	  "differentiated with respect to input, weight or bias (near 'df')" },
	{ "d (output_nhwc[b, h_out, w_out, c_out] * 2) / d input[b, c_in, h_in, w_in] = 0",
	  "f.md:10:4: error: d (EXPR) / d input: EXPR reads output_nhwc, which "
	  "is computed from the other tensors and would not follow the "
	  "perturbation (near 'output_nhwc')" },
	{ "d (sum(b1, c_out1, h_out1, w_out1) tanh(output[b1, c_out1, h_out1, "
	  "w_out1]) * (d (2 * input[b, c_in, h_in, w_in]) / d input[b, c_in, h_in, "
	  "w_in])) "
	  "/ d input[b, c_in, h_in, w_in] = 0",
	  "f.md:10:4: error: d (EXPR) / d input: EXPR reads output, so it may "
	  "hold no derivative of its own (near 'sum')" },
	{ "d (bias[c_out]) / d output[b, c_out, h_out, w_out] = 0",
	  "f.md:10:21: error: d (EXPR) / d output: only input, weight, bias or df "
	  "can be perturbed (near 'output')" },
	{ "d output[b, c_out, h_out, w_out] * d input[b, c_in, h_in, w_in] = 0",
	  "f.md:10:34: error: '/' expected in a derivative 'd ... / d ...' "
	  "(near '*')" },
	{ "d 2 / d input[b, c_in, h_in, w_in] = 0",
	  "f.md:10:3: error: 'f', output[...] or '(' expected after 'd' (near '2')" },
	{ LHS "d f / d input",
	  "f.md:10:42: error: 'd f / d input' without indices is a kernel claim's "
	  "left side only; inside an expression write input[...] (near 'input')" },
	{ "d f / d input = 3",
	  "f.md:10:17: error: 'kernel element' or 'kernel matrix' expected: "
	  "d f / d input without indices is checked against a backward kernel "
	  "(near '3')" },
	{ "d f / d input = kernel fast",
	  "f.md:10:24: error: 'element', 'matrix' or 'transposed' expected "
	  "after 'kernel' (near 'fast')" },
	{ "d f / d weight = kernel transposed",
	  "f.md:10:25: error: 'kernel transposed' computes d f / d input only "
	  "(dinput as a transposed convolution), not d f / d weight (near "
	  "'transposed')" },
	{ "d f / d input[b, c_in, h_in, w_in] = kernel element",
	  "f.md:10:38: error: 'kernel' needs the left side d f / d input (or "
	  "weight, bias) without indices (near 'kernel')" },
	{ LHS "bias[c_out] * k",
	  "f.md:10:48: error: cannot infer the range of 'k': use it alone as an "
	  "index of a tensor, or bound it in the claim's where clause: "
	  "'where k in A..B' (near 'k')" },
	{ LHS "bias[c_out] * k where k < 3 and not (k in 0..2) or k in 0..2",
	  "f.md:10:48: error: cannot infer the range of 'k': use it alone as an "
	  "index of a tensor, or bound it in the claim's where clause: "
	  "'where k in A..B' (near 'k')" },
	{ LHS "bias[c_out] * j * k where j in 0..k and k in 0..2",
	  "f.md:10:68: error: the bounds of 'j' in the where clause may use only "
	  "constants and the free variables before it, not 'k' (near 'k')" },
	{ LHS "bias[c_out] * k where k in 0..k + 1",
	  "f.md:10:64: error: the bounds of 'k' in the where clause may use only "
	  "constants and the free variables before it, not 'k' (near 'k')" },
	{ LHS "sum(k) k",
	  "f.md:10:38: error: cannot infer the range of 'k': use it alone as an "
	  "index of a tensor, or write 'k in A..B' (near 'k')" },
	{ LHS "sum(b) bias[b]",
	  "f.md:10:38: error: 'b' is a summation index here and a free index "
	  "elsewhere in the claim: rename one (near 'b')" },
	{ LHS "sum(in) 1",
	  "f.md:10:38: error: 'in' is a reserved word and cannot name a "
	  "summation index (near 'in')" },
	{ "let if[i < 2] = 0",
	  "f.md:10:5: error: 'if' is a reserved word and cannot name a let "
	  "(near 'if')" },
	{ "let t[i < N, j < h_in] = 0",
	  "f.md:10:18: error: the bound of 'j' must be an integer constant "
	  "expression (numbers, the shape constants, + - * // % min max) "
	  "(near 'h_in')" },
	{ "let t[i < 2.5] = 0",
	  "f.md:10:11: error: the bound of 'i' must be an integer constant "
	  "expression (numbers, the shape constants, + - * // % min max) "
	  "(near '2.5')" },
	{ "let t[a < 1, b < 1, c < 1, e < 1, g < 1] = 0",
	  "f.md:10:5: error: a let has at most 4 dimensions, not 5 (near 't')" },
	{ "let cols[i < 2] = 0",
	  "f.md:10:5: error: the let 'cols' is already defined (near 'cols')" },
	{ "let t[i < 2] = bias[j]",
	  "f.md:10:21: error: 'j' is not an index of the let 't' (near 'j')" },
	{ "let input[i < 2] = 0",
	  "f.md:10:5: error: 'input' is a built-in tensor (near 'input')" },
	{ "let t[i < 2] = 0 where i == 0",
	  "f.md:10:18: error: a let defines a tensor: it takes no 'where' or "
	  "'expect fail' (near 'where')" },
	{ LHS "1 expect",
	  "f.md:10:42: error: 'fail' expected after 'expect' (at end of claim)" },
	{ "",
	  "f.md:10:1: error: empty claim (at end of claim)" },
	{ "   ",
	  "f.md:10:4: error: empty claim (at end of claim)" },
	{ "2 = 2",
	  "f.md:10:1: error: a claim starts with 'let', 'd' or a tensor such as "
	  "output[...] (near '2')" },
	{ "strides[1] = 1",
	  "f.md:10:1: error: strides[...] is a constant, not a tensor to check "
	  "(near 'strides')" },
	{ LHS "1 +",
	  "f.md:10:37: error: expression expected (at end of claim)" },
	{ LHS "if b then 1",
	  "f.md:10:45: error: 'else' expected after 'if ... then ...' "
	  "(at end of claim)" },
};

START_TEST(test_malformed)
{
	const struct bad *t = &bad[_i];
	char *err = NULL, *nl;
	claim_t *c = claim_parse(t->text, "f.md", 10, 1, scope, &err);

	ck_assert_msg(c == NULL, "'%s' parsed", t->text);
	ck_assert_ptr_nonnull(err);
	nl = strchr(err, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	ck_assert_str_eq(err, t->msg);
	free(err);
}
END_TEST

START_TEST(test_caret)
{
	char *err = NULL;

	ck_assert_ptr_null(claim_parse("bias[c_out] = 1 + inptu[0]", "f.md",
	    3, 1, scope, &err));
	ck_assert_str_eq(err, "f.md:3:19: error: unknown tensor 'inptu' (near "
	    "'inptu')\n  bias[c_out] = 1 + inptu[0]\n                    ^");
	free(err);
	/* A claim starting at column 5 of the file: columns count from there;
	 * non-ASCII characters are one column each. */
	ck_assert_ptr_null(claim_parse("bias[c_out] = 1 ∗ 2", "g.md", 7, 5,
	    scope, &err));
	ck_assert_str_eq(err, "g.md:7:21: error: unexpected character (near "
	    "'∗')\n  bias[c_out] = 1 ∗ 2\n                  ^");
	free(err);
}
END_TEST

/* escape_visible, which messages pass user text through: each byte of an
 * invalid UTF-8 sequence and each control character but tab as \xNN, 4
 * columns; valid UTF-8 as it is, at its display width. */
static const struct esc_case {
	const char *in;
	bool keep_newlines;
	const char *out;
	int width;
} esc_cases[] = {
	{ "abc", false, "abc", 3 },
	{ "\xff\xfe", false, "\\xFF\\xFE", 8 },
	{ "a\tb", false, "a\tb", 3 },
	{ "a\nb", false, "a\\x0Ab", 6 },
	{ "a\nb", true, "a\nb", 3 },
	{ "\x1b[2J\x7f", false, "\\x1B[2J\\x7F", 11 },
	{ "\xc2\x9b" "1m", false, "\\xC2\\x9B1m", 10 },     /* C1 CSI */
	{ "∂ 中", false, "∂ 中", 4 },
	{ "\xc0\xaf", false, "\\xC0\\xAF", 8 },            /* overlong */
	{ "\xed\xa0\x80", false, "\\xED\\xA0\\x80", 12 },  /* surrogate */
	{ "x\xe2\x88", false, "x\\xE2\\x88", 9 },          /* cut short */
	{ "\xe2\x88\x82\x80", false, "∂\\x80", 5 },        /* stray */
};

START_TEST(test_escape_visible)
{
	const struct esc_case *t = &esc_cases[_i];
	char *got = escape_visible_str(t->in, t->keep_newlines);
	sbuf_t b;

	ck_assert_str_eq(got, t->out);
	free(got);
	sbuf_init(&b);
	ck_assert_int_eq(escape_visible(&b, t->in, strlen(t->in),
	    t->keep_newlines), t->width);
	ck_assert_int_eq(escape_visible(NULL, t->in, strlen(t->in),
	    t->keep_newlines), t->width);
	sbuf_free(&b);
	got = escape_visible_str(NULL, false);
	ck_assert_str_eq(got, "");
	free(got);
}
END_TEST

/* A claim with invalid UTF-8 or control characters gets a message that
 * is valid UTF-8 with no raw control byte: the token near the error, the
 * quoted line, the file name and any name in the message escaped, and
 * the caret still under the token (each escape counts 4 columns). */
/* claim_parse(text) at line:1 of file fails with the message msg. */
static void
assert_parse_error(const char *text, const char *file, int line,
    const char *msg)
{
	char *err = NULL;

	ck_assert_ptr_null(claim_parse(text, file, line, 1, scope, &err));
	ck_assert_str_eq(err, msg);
	free(err);
}

START_TEST(test_invalid_utf8_messages)
{
	/* the bytes \377\376: the lexer stops at the first */
	assert_parse_error("bias[c_out] = 1 \377\376 2", "f.md", 3,
	    "f.md:3:17: error: unexpected character (near '\\xFF')\n"
	    "  bias[c_out] = 1 \\xFF\\xFE 2\n"
	    "                  ^");
	/* a form feed (white space to the lexer) before the error: the
	 * caret moves 4 columns for its escape */
	assert_parse_error("bias[c_out] =\f1 + inptu[0]", "f.md", 3,
	    "f.md:3:19: error: unknown tensor 'inptu' (near 'inptu')\n"
	    "  bias[c_out] =\\x0C1 + inptu[0]\n"
	    "                       ^");
	/* an escape sequence that would recolour the terminal */
	assert_parse_error("bias[c_out] = \033[31m", "f.md", 1,
	    "f.md:1:15: error: unexpected character (near '\\x1B')\n"
	    "  bias[c_out] = \\x1B[31m\n"
	    "                ^");
	/* a file name with an invalid byte; a stray continuation byte after
	 * a valid character (the lexer takes both as one character); a tab
	 * kept, in the line and in the caret's */
	assert_parse_error("bias[c_out] =\t∂\x80", "f\377.md", 2,
	    "f\\xFF.md:2:15: error: unexpected character (near '∂\\x80')\n"
	    "  bias[c_out] =\t∂\\x80\n"
	    "               \t^");
}
END_TEST

/* The lesson loader's messages, which quote words of the lesson (a shape
 * word here) and the path, are escaped too; a claim's message is not
 * escaped twice. */
START_TEST(test_invalid_utf8_lesson_messages)
{
	static const char shape_esc[] = "# T\n\n```shape\nN=\0332\n```\n";
	static const char claim_bad[] = "# T\n\n## S\n\n```check\n"
	    "bias[c_out] = 1 \033 2\n```\n";
	char *err = NULL;

	ck_assert_ptr_null(lesson_parse(shape_esc, sizeof shape_esc - 1,
	    "l\377.md", &err));
	/* The loader refuses a control character where it stands, before
	 * the shape or the claim is read; the message is escaped, the file
	 * name's invalid byte too. */
	ck_assert_str_eq(err, "l\\xFF.md:4:3: error: control character \\x1B "
	    "in the lesson (a lesson is plain text)");
	free(err);
	ck_assert_ptr_null(lesson_parse(claim_bad, sizeof claim_bad - 1,
	    "l.md", &err));
	ck_assert_str_eq(err, "l.md:6:17: error: control character \\x1B in "
	    "the lesson (a lesson is plain text)");
	free(err);
	/* The claim parser escapes it too when called on its own. */
	ck_assert_ptr_null(claim_parse("bias[c_out] = 1 \033 2", "l.md", 6, 1,
	    scope, &err));
	ck_assert_str_eq(err, "l.md:6:17: error: unexpected character (near "
	    "'\\x1B')\n  bias[c_out] = 1 \\x1B 2\n                  ^");
	free(err);
}
END_TEST

START_TEST(test_deep_nesting)
{
	sbuf_t b;
	char *text, *err = NULL, *nl;
	claim_t *c;
	int i;

	sbuf_init(&b);
	sbuf_add(&b, LHS);
	for (i = 0; i < 300; i++)
		sbuf_add(&b, "(");
	sbuf_add(&b, "1");
	for (i = 0; i < 300; i++)
		sbuf_add(&b, ")");
	text = sbuf_take(&b);
	ck_assert_ptr_null(claim_parse(text, "f.md", 10, 1, scope, &err));
	nl = strchr(err, '\n');
	*nl = '\0';
	/* The 201st level is the 201st '(' (the right side is level 1). */
	ck_assert_str_eq(err, "f.md:10:234: error: expression nested too deeply "
	    "(more than 200 levels) (near '(')");
	free(err);
	free(text);
	/* 190 levels are fine ("-(" is two). */
	sbuf_add(&b, LHS);
	for (i = 0; i < 95; i++)
		sbuf_add(&b, "-(");
	sbuf_add(&b, "1");
	for (i = 0; i < 95; i++)
		sbuf_add(&b, ")");
	text = sbuf_take(&b);
	c = claim_parse(text, "f.md", 10, 1, scope, &err);
	ck_assert_msg(c != NULL, "%s", err);
	claim_free(c);
	free(text);
	sbuf_free(&b);
}
END_TEST

/* LHS followed by n terms "0 + 0 + ...", malloc'd; grouped in
 * parentheses of per terms each when per > 0. */
static char *
chain_claim(int n, int per)
{
	sbuf_t b;
	int i;

	sbuf_init(&b);
	sbuf_add(&b, LHS);
	for (i = 0; i < n; i++) {
		if (i > 0)
			sbuf_add(&b, " + ");
		if (per > 0 && i % per == 0)
			sbuf_add(&b, "(");
		sbuf_add(&b, "0");
		if (per > 0 && (i % per == per - 1 || i == n - 1))
			sbuf_add(&b, ")");
	}
	return sbuf_take(&b);
}

/* A chain builds a tree as tall as it is long, which the binder, the
 * printers and the evaluator walk recursively: past 2000 levels it is
 * refused at the operator that passes the limit (a 40,000-term chain
 * overflowed the stack). Parentheses add their tree's height to the
 * chain around them; grouping keeps a long claim low. */
START_TEST(test_long_chain)
{
	char *text, *err = NULL, *nl;
	claim_t *c;
	sbuf_t b;
	int i;

	text = chain_claim(2000, 0);    /* 1999 '+': 2000 levels */
	c = claim_parse(text, "f.md", 10, 1, scope, &err);
	ck_assert_msg(c != NULL, "%s", err);
	claim_free(c);
	free(text);
	text = chain_claim(40000, 0);
	ck_assert_ptr_null(claim_parse(text, "f.md", 10, 1, scope, &err));
	nl = strchr(err, '\n');
	*nl = '\0';
	/* the 2000th '+': after LHS (34 columns) and 1999 "0 + " */
	ck_assert_str_eq(err, "f.md:10:8032: error: expression too deep: more "
	    "than 2000 levels of operators (split the claim, or group terms "
	    "with parentheses) (near '+')");
	/* the quoted line is cut around the caret */
	ck_assert_int_lt(strlen(nl + 1), 300);
	free(err);
	free(text);
	/* (1500 terms) + 600 more: 1501 + 600 levels */
	nl = chain_claim(1500, 0);
	sbuf_init(&b);
	sbuf_addf(&b, "%s(%s)", LHS, nl + strlen(LHS));
	for (i = 0; i < 600; i++)
		sbuf_add(&b, " + 0");
	free(nl);
	text = sbuf_take(&b);
	ck_assert_ptr_null(claim_parse(text, "f.md", 10, 1, scope, &err));
	ck_assert_ptr_nonnull(strstr(err, "expression too deep"));
	free(err);
	free(text);
	/* 40,000 terms in groups of 1000: 1040 levels */
	text = chain_claim(40000, 1000);
	c = claim_parse(text, "f.md", 10, 1, scope, &err);
	ck_assert_msg(c != NULL, "%s", err);
	claim_free(c);
	free(text);
}
END_TEST

/* A parse error on a long line quotes 60 bytes each side of the caret,
 * "..." marking each cut, the caret under the token. */
START_TEST(test_caret_long_line)
{
	sbuf_t b;
	char *text, *err = NULL, *l2, *l3;
	int i;

	sbuf_init(&b);
	sbuf_add(&b, LHS);
	for (i = 0; i < 500; i++)
		sbuf_add(&b, "1 + ");
	sbuf_add(&b, "$ + 1");
	for (i = 0; i < 500; i++)
		sbuf_add(&b, " + 1");
	text = sbuf_take(&b);
	ck_assert_ptr_null(claim_parse(text, "f.md", 10, 1, scope, &err));
	l2 = strchr(err, '\n') + 1;
	l3 = strchr(l2, '\n') + 1;
	ck_assert_int_eq((int)(l3 - l2), 2 + 3 + 60 + 60 + 3 + 1);
	ck_assert(strncmp(l2, "  ...", 5) == 0);
	ck_assert(strncmp(l3 - 4, "...", 3) == 0);
	ck_assert_int_eq(l2[2 + 3 + 60], '$');
	ck_assert_int_eq((int)strlen(l3), 2 + 3 + 60 + 1);
	ck_assert_int_eq(l3[2 + 3 + 60], '^');
	free(err);
	free(text);
}
END_TEST

START_TEST(test_block_errors)
{
	claim_t **cl = NULL;
	char *err = NULL, *nl;
	int n = -1;

	/* A continuation line reports its own line and column. */
	ck_assert_int_eq(claims_parse_block(
	    "bias[c_out] = 1\n"
	    "\n"
	    "output[b, c_out, h_out, w_out] = bias[c_out] +\n"
	    "    inptu[b, 0, 0, 0]\n", "f.md", 20, scope, &cl, &n, &err), -1);
	nl = strchr(err, '\n');
	ck_assert_str_eq(nl, "\n      inptu[b, 0, 0, 0]\n      ^");
	*nl = '\0';
	ck_assert_str_eq(err, "f.md:23:5: error: unknown tensor 'inptu' "
	    "(near 'inptu')");
	free(err);
	ck_assert_int_eq(n, -1);          /* untouched on error */

	/* A bracket left open across a blank line. */
	ck_assert_int_eq(claims_parse_block(
	    "output[b, c_out, h_out, w_out] = (1 +\n"
	    "2\n"
	    "\n"
	    "bias[c_out] = 1\n", "f.md", 5, scope, &cl, &n, &err), -1);
	nl = strchr(err, '\n');
	*nl = '\0';
	ck_assert_str_eq(err, "f.md:6:2: error: ')' expected to close '(' at "
	    "line 5, column 34 (at end of claim)");
	free(err);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("expr_parse");
	TCase *tc = tcase_create("forms");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_identity);
	tcase_add_test(tc, test_partial);
	tcase_add_test(tc, test_partial_expr);
	tcase_add_test(tc, test_chain_and_kernel);
	tcase_add_test(tc, test_let);
	tcase_add_test(tc, test_explicit_range_and_chains);
	tcase_add_test(tc, test_range_from_where);
	tcase_add_test(tc, test_literals_and_calls);
	tcase_add_test(tc, test_block);
	tcase_add_test(tc, test_failed_let_not_in_scope);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_malformed, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_caret);
	tcase_add_loop_test(tc, test_escape_visible, 0,
	    (int)(sizeof(esc_cases) / sizeof(esc_cases[0])));
	tcase_add_test(tc, test_invalid_utf8_messages);
	tcase_add_test(tc, test_invalid_utf8_lesson_messages);
	tcase_add_test(tc, test_deep_nesting);
	tcase_add_test(tc, test_long_chain);
	tcase_add_test(tc, test_caret_long_line);
	tcase_add_test(tc, test_block_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
