/*
 * expr-eval.c: the check language's evaluator, a tree walk over one tuple
 * of index values (the frame slots[]).
 *
 * Integers stay integers (long) with Python's floor division and modulo
 * (-7 // 2 == -4, -7 % 2 == 1); '/' divides as reals; an int meeting a real
 * becomes real. Whatever goes wrong at a tuple is a FINDING, returned as
 * text for the verifier to show: an index out of range (every index named,
 * the allowed range given), division by zero, a non-integer index, integer
 * overflow, NaN or Inf. Never a crash and never a silent zero. The text
 * is made only when a finding happens and the caller asked for it (f not
 * NULL): evaluating an index never formats anything. Positions
 * in messages count from 1, as a reader does ("position 3" of
 * weight[c_out, c_in, di, dj] is di); index values count from 0.
 */
#include "expr-int.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * A work limit. A sum's range is written by a person and may be anything:
 * sum(i in 0..99999999999) would run for minutes at one tuple, and the
 * verifier visits up to VERIFY_MAX_TUPLES_DEFAULT (5e7) tuples of a claim.
 * So one evaluation (one expr_eval or expr_range_eval call: one side of a
 * claim at one tuple) may take at most EVAL_MAX_TERMS steps of its sums,
 * every level of every sum counted (sum(i in 0..9, j in 0..9) takes 110),
 * and a range is measured before it is walked, so that a sum too long is
 * refused at once, as a finding that names it and its count.
 *
 * Why 1e7: at ~10-50 ns a step of the tree walk, 1e7 steps are 0.1-0.5 s,
 * the most one point (a tutor key, a counterexample) should take. The
 * bundled lessons need at most a few hundred steps per evaluation at their
 * shapes (the largest sums are over b, h_out, w_out or c_in, di, dj), and
 * about N*H_out*W_out at other shapes: 1e7 allows e.g. N=64 at 224x224,
 * past which checking a claim's tuples would take hours anyway.
 * (EVAL_MAX_TERMS is in expr-int.h: compiled programs count the same.)
 */

/* One evaluation: the caller's world and the work done so far. */
typedef struct eval_run {
	const expr_env_t *world;
	unsigned long terms;    /* sum steps so far, of EVAL_MAX_TERMS */
	unsigned polls;         /* sum steps since the cancel flag was read */
} eval_run_t;


static int eval(const expr_t *e, eval_run_t *env, long *slots,
    value_t *out, char **f);

static value_t
v_int(long i)
{
	value_t v = { VAL_INT, i, 0.0, false };
	return v;
}

static value_t
v_real(double r)
{
	value_t v = { VAL_REAL, 0, r, false };
	return v;
}

static value_t
v_bool(bool b)
{
	value_t v = { VAL_BOOL, 0, 0.0, b };
	return v;
}

/* "BEFORE'TEXT'AFTER" with e's text, as a finding (f NULL: not formatted,
 * as everywhere in this file: a caller that passes no finding pays for no
 * message). */
static int
finding_in(char **f, const char *before, const expr_t *e, const char *after)
{
	char *t;

	if (f == NULL)
		return -1;
	t = expr_text(e);

	set_error(f, "%s'%s'%s", before, t, after);
	free(t);
	return -1;
}

/* Evaluate e and require a number. */
static int
eval_num(const expr_t *e, eval_run_t *env, long *slots, value_t *v,
    char **f)
{
	if (eval(e, env, slots, v, f) < 0)
		return -1;
	if (v->kind == VAL_BOOL)
		return finding_in(f, "", e, " is a condition where a number is needed");
	return 0;
}

/* Evaluate e and require a condition. */
static int
eval_bool(const expr_t *e, eval_run_t *env, long *slots, bool *b,
    char **f)
{
	value_t v;

	if (eval(e, env, slots, &v, f) < 0)
		return -1;
	if (v.kind != VAL_BOOL)
		return finding_in(f, "", e, " is a number where a condition is needed");
	*b = v.b;
	return 0;
}

/* What an integer is, for a finding: "position POS+1 of WHAT" (an index),
 * or WHAT itself when pos < 0. Formatted only when a finding is. */
typedef struct int_what {
	const char *what;
	int pos;
} int_what_t;

/* A number that must be an integer (an index or a bound); an integral
 * real is accepted. */
static int
eval_integer(const expr_t *e, eval_run_t *env, long *slots, long *out,
    int_what_t what, char **f)
{
	value_t v;

	if (eval_num(e, env, slots, &v, f) < 0)
		return -1;
	if (v.kind == VAL_INT) {
		*out = v.i;
		return 0;
	}
	if (v.r == floor(v.r) && fabs(v.r) <= 9e15) {
		*out = (long)v.r;
		return 0;
	}
	if (what.pos >= 0)
		return set_error(f, "position %d of %s is not an integer (%.17g)",
		    what.pos + 1, what.what, v.r);
	return set_error(f, "%s is not an integer (%.17g)", what.what, v.r);
}

/* ---- tensors ---- */

/* "weight[c_out1=0, c_in=1, di=3, dj=0]" */
static char *
access_str(const expr_t *e, const char *tensor, const long *idx)
{
	sbuf_t b;
	int k;

	sbuf_init(&b);
	sbuf_addf(&b, "%s[", tensor);
	for (k = 0; k < e->u.access.nargs; k++) {
		const expr_t *a = e->u.access.args[k];

		if (k > 0)
			sbuf_add(&b, ", ");
		if (a->kind != EX_INT) {
			expr_text_add(&b, a);
			sbuf_add(&b, "=");
		}
		sbuf_addf(&b, "%ld", idx[k]);
	}
	sbuf_add(&b, "]");
	return sbuf_take(&b);
}

/* The indices of access e, in range for t (t's name for messages). */
static int
eval_indices(const expr_t *e, const char *tname, const tensor_t *t,
    eval_run_t *env, long *slots, long *idx, char **f)
{
	int k, n = e->u.access.nargs;
	char *what, *s;

	for (k = 0; k < n; k++) {
		int_what_t iw = { tname, k };

		if (eval_integer(e->u.access.args[k], env, slots, &idx[k], iw,
		    f) < 0)
			return -1;
	}
	if (t->ndim != n)
		return set_error(f, "%s has %d dimensions but is indexed with %d",
		    tname, t->ndim, n);
	for (k = 0; k < n; k++) {
		if (idx[k] >= 0 && (size_t)idx[k] < t->shape[k])
			continue;
		if (f == NULL)
			return -1;
		s = access_str(e, tname, idx);
		what = expr_text(e->u.access.args[k]);
		set_error(f, "%s: position %d (%s = %ld) is outside 0..%ld", s,
		    k + 1, what, idx[k], (long)t->shape[k] - 1);
		free(s);
		free(what);
		return -1;
	}
	return 0;
}

static tensor_t *
get_tensor(eval_run_t *env, const char *name, char **f)
{
	tensor_t *t = env->world->tensor(env->world->ctx, name);

	if (t == NULL)
		set_error(f, "there is no tensor '%s' here (a let not yet defined?)",
		    name);
	return t;
}

static size_t
offset(const tensor_t *t, const long *idx)
{
	size_t off = 0;
	int k;

	for (k = 0; k < t->ndim; k++)
		off += (size_t)idx[k] * t->stride[k];
	return off;
}

static int
eval_constant(const char *name, eval_run_t *env, long *v, char **f)
{
	if (!env->world->constant(env->world->ctx, name, v))
		return set_error(f, "the constant '%s' has no value here", name);
	return 0;
}

/* strides[k] = 1, strh, strw, 1 (TensorFlow's NHWC strides). */
static int
eval_strides(const expr_t *e, eval_run_t *env, long *slots,
    value_t *out, char **f)
{
	static const char *const names[] = { NULL, "strh", "strw", NULL };
	const int_what_t iw = { "strides", 0 };
	long k, v = 1;
	char *s, *what;

	if (eval_integer(e->u.access.args[0], env, slots, &k, iw, f) < 0)
		return -1;
	if (k < 0 || k > 3) {
		if (f == NULL)
			return -1;
		s = access_str(e, "strides", &k);
		what = expr_text(e->u.access.args[0]);
		set_error(f, "%s: position 1 (%s = %ld) is outside 0..3", s, what, k);
		free(s);
		free(what);
		return -1;
	}
	if (names[k] != NULL && eval_constant(names[k], env, &v, f) < 0)
		return -1;
	*out = v_int(v);
	return 0;
}

/* tensor[args], reading tensor `tname` (df for d f / d output[...]). */
static int
eval_access_of(const expr_t *e, const char *tname, eval_run_t *env,
    long *slots, value_t *out, char **f)
{
	long idx[TENSOR_MAX_DIMS];
	tensor_t *t;

	if (strcmp(tname, "strides") == 0)
		return eval_strides(e, env, slots, out, f);
	if ((t = get_tensor(env, tname, f)) == NULL)
		return -1;
	if (e->u.access.nargs > TENSOR_MAX_DIMS)
		return set_error(f, "%s indexed with %d indices", tname,
		    e->u.access.nargs);
	if (eval_indices(e, tname, t, env, slots, idx, f) < 0)
		return -1;
	*out = v_real(t->data[offset(t, idx)]);
	return 0;
}

/* ---- arithmetic ---- */

static int
arith_int(const expr_t *e, long a, long b, value_t *out, char **f)
{
	long r;
	int rc = expr_int_op((int)e->kind, a, b, &r);

	if (rc == EXPR_DIV_ZERO)
		return finding_in(f, "division by zero in ", e, "");
	if (rc == EXPR_OVERFLOW)
		return finding_in(f, "integer overflow in ", e, "");
	*out = v_int(r);
	return 0;
}

static int
arith_real(const expr_t *e, double a, double b, value_t *out, char **f)
{
	double r;

	if (expr_real_op((int)e->kind, a, b, &r) != 0)
		return finding_in(f, "division by zero in ", e, "");
	*out = v_real(r);
	return 0;
}

static int
eval_arith(const expr_t *e, eval_run_t *env, long *slots,
    value_t *out, char **f)
{
	value_t a, b;

	if (eval_num(e->u.op.a, env, slots, &a, f) < 0 ||
	    eval_num(e->u.op.b, env, slots, &b, f) < 0)
		return -1;
	if (a.kind == VAL_INT && b.kind == VAL_INT && e->kind != EX_DIV)
		return arith_int(e, a.i, b.i, out, f);
	return arith_real(e, value_real(a), value_real(b), out, f);
}

static int
eval_neg(const expr_t *e, eval_run_t *env, long *slots, value_t *out,
    char **f)
{
	value_t a;

	if (eval_num(e->u.op.a, env, slots, &a, f) < 0)
		return -1;
	if (a.kind == VAL_REAL) {
		*out = v_real(-a.r);
		return 0;
	}
	if (a.i == LONG_MIN)
		return finding_in(f, "integer overflow in ", e, "");
	*out = v_int(-a.i);
	return 0;
}

/* ---- conditions ---- */

/* a OP b for numbers (exact: ints as ints, else as doubles) or two
 * conditions (== and != only). */
static int
compare(const expr_t *e, value_t a, cmp_op_t op, value_t b, bool *r,
    char **f)
{
	int c;

	if ((a.kind == VAL_BOOL) != (b.kind == VAL_BOOL) ||
	    (a.kind == VAL_BOOL && op != CMP_EQ && op != CMP_NE))
		return finding_in(f, "", e, " compares a condition with a number");
	if (a.kind == VAL_BOOL)
		c = (int)a.b - (int)b.b;
	else if (a.kind == VAL_INT && b.kind == VAL_INT)
		c = (a.i > b.i) - (a.i < b.i);
	else
		c = (value_real(a) > value_real(b)) - (value_real(a) < value_real(b));
	*r = expr_cmp_holds(op, c);
	return 0;
}

/* a < b <= c: each link holds; stops at the first that does not. */
static int
eval_cmp(const expr_t *e, eval_run_t *env, long *slots, value_t *out,
    char **f)
{
	value_t a, b;
	bool r = true;
	int i;

	if (eval(e->u.cmp.args[0], env, slots, &a, f) < 0)
		return -1;
	for (i = 1; i < e->u.cmp.n && r; i++, a = b) {
		if (eval(e->u.cmp.args[i], env, slots, &b, f) < 0 ||
		    compare(e, a, e->u.cmp.ops[i - 1], b, &r, f) < 0)
			return -1;
	}
	*out = v_bool(r);
	return 0;
}

/* x in a..b: a <= x <= b */
static int
eval_in(const expr_t *e, eval_run_t *env, long *slots, value_t *out,
    char **f)
{
	value_t x, a, b;
	bool lo, hi;

	if (eval_num(e->u.op.a, env, slots, &x, f) < 0 ||
	    eval_num(e->u.op.b, env, slots, &a, f) < 0 ||
	    eval_num(e->u.op.c, env, slots, &b, f) < 0 ||
	    compare(e, a, CMP_LE, x, &lo, f) < 0 ||
	    compare(e, x, CMP_LE, b, &hi, f) < 0)
		return -1;
	*out = v_bool(lo && hi);
	return 0;
}

static int
eval_logic(const expr_t *e, eval_run_t *env, long *slots,
    value_t *out, char **f)
{
	bool a, b = false;

	if (eval_bool(e->u.op.a, env, slots, &a, f) < 0)
		return -1;
	if (e->kind == EX_NOT) {
		*out = v_bool(!a);
		return 0;
	}
	if ((e->kind == EX_AND) == a &&     /* no short cut */
	    eval_bool(e->u.op.b, env, slots, &b, f) < 0)
		return -1;
	*out = v_bool(e->kind == EX_AND ? a && b : a || b);
	return 0;
}

static int
eval_if(const expr_t *e, eval_run_t *env, long *slots, value_t *out,
    char **f)
{
	bool c;

	if (eval_bool(e->u.op.a, env, slots, &c, f) < 0)
		return -1;
	return eval(c ? e->u.op.b : e->u.op.c, env, slots, out, f);
}

/* ---- sums and calls ---- */

/* Integer terms add exactly as longs, real terms as doubles. */
typedef struct acc {
	bool real;
	long i;
	double r;
} acc_t;

static int
acc_add(acc_t *acc, const expr_t *e, value_t v, char **f)
{
	if (v.kind == VAL_REAL) {
		acc->real = true;
		acc->r += v.r;
	} else if (__builtin_add_overflow(acc->i, v.i, &acc->i)) {
		return finding_in(f, "integer overflow in ", e, "");
	}
	return 0;
}

static int range_eval(const expr_range_t *r, eval_run_t *env, long *slots,
    long *lo, long *hi, char **err);

/* How many values lo..hi has; ULONG_MAX stands for 2^64 too. */
static unsigned long
range_count(long lo, long hi)
{
	unsigned long span;

	if (hi < lo)
		return 0;
	span = (unsigned long)hi - (unsigned long)lo;
	return span == ULONG_MAX ? ULONG_MAX : span + 1;
}

/* Charge n steps of sum e's index ix to the evaluation: a finding, naming
 * the sum and the count, when they would pass EVAL_MAX_TERMS. */
static int
charge(eval_run_t *env, const expr_t *e, const expr_index_t *ix,
    unsigned long n, char **f)
{
	char after[160];

	if (n <= EVAL_MAX_TERMS - env->terms) {
		env->terms += n;
		return 0;
	}
	if (f == NULL)
		return -1;
	if (n == ULONG_MAX)
		snprintf(after, sizeof after, " has more than %lu terms (%s "
		    "takes about 1.8e19 values): too many to evaluate",
		    EVAL_MAX_TERMS, ix->name);
	else if (n > EVAL_MAX_TERMS)
		snprintf(after, sizeof after, " has more than %lu terms (%s "
		    "takes %lu values): too many to evaluate", EVAL_MAX_TERMS,
		    ix->name, n);
	else
		snprintf(after, sizeof after, " needs more than %lu terms at "
		    "this point (with the sums before it): too many to evaluate",
		    EVAL_MAX_TERMS);
	return finding_in(f, "the sum ", e, after);
}

/* The sum's terms for idx[k..n-1], the outer indices set in slots. The
 * loop stops at hi without incrementing past it (hi may be LONG_MAX). */
static int
sum_level(const expr_t *e, int k, eval_run_t *env, long *slots,
    acc_t *acc, char **f)
{
	const expr_index_t *ix;
	long lo, hi, v;
	value_t t;
	bool w = true;

	if (k == e->u.sum.n) {
		if (e->u.sum.where != NULL &&
		    eval_bool(e->u.sum.where, env, slots, &w, f) < 0)
			return -1;
		if (!w)
			return 0;
		if (eval_num(e->u.sum.body, env, slots, &t, f) < 0)
			return -1;
		return acc_add(acc, e, t, f);
	}
	ix = &e->u.sum.idx[k];
	if (range_eval(&ix->range, env, slots, &lo, &hi, f) < 0 ||
	    charge(env, e, ix, range_count(lo, hi), f) < 0)
		return -1;
	if (hi < lo)
		return 0;
	for (v = lo;; v++) {
		slots[ix->slot] = v;
		if (++env->polls >= EVAL_POLL_EVERY) {
			env->polls = 0;
			if (env->world->cancelled != NULL &&
			    env->world->cancelled(env->world->ctx))
				return set_error(f, "cancelled");
		}
		if (sum_level(e, k + 1, env, slots, acc, f) < 0)
			return -1;
		if (v == hi)
			break;
	}
	return 0;
}

static int
eval_sum(const expr_t *e, eval_run_t *env, long *slots, value_t *out,
    char **f)
{
	acc_t acc = { false, 0, 0.0 };

	if (sum_level(e, 0, env, slots, &acc, f) < 0)
		return -1;
	*out = acc.real ? v_real(acc.r + (double)acc.i) : v_int(acc.i);
	return 0;
}

/* abs, tanh, exp, log, relu, square of one argument (expr-int.h has the
 * arithmetic, shared with expr-prog.c). */
static int
eval_fn1(const expr_t *e, eval_run_t *env, long *slots, value_t *out,
    char **f)
{
	expr_fn_t fn = e->u.call.id;
	value_t a;
	char after[64];
	long ri;
	double rr;
	int rc;

	if (eval_num(e->u.call.args[0], env, slots, &a, f) < 0)
		return -1;
	if (a.kind == VAL_INT && expr_fn_int(fn)) {
		rc = expr_fn1_int(fn, a.i, &ri);
		*out = v_int(ri);
	} else {
		rc = expr_fn1_real(fn, value_real(a), &rr);
		*out = v_real(rr);
	}
	if (rc == EXPR_OVERFLOW)
		return finding_in(f, "integer overflow in ", e, "");
	if (rc == EXPR_DOMAIN) {
		snprintf(after, sizeof after, " (%.17g is not positive)",
		    value_real(a));
		return finding_in(f, "log of a value <= 0 in ", e, after);
	}
	return 0;
}

/* min(a, b, ...), max(...): integer if every argument is; the others
 * one argument (eval_fn1). */
static int
eval_call(const expr_t *e, eval_run_t *env, long *slots,
    value_t *out, char **f)
{
	bool is_max = e->u.call.id == EXPR_FN_MAX, lt;
	value_t best, v;
	int i;

	if (e->u.call.id != EXPR_FN_MIN && !is_max)
		return eval_fn1(e, env, slots, out, f);
	if (eval_num(e->u.call.args[0], env, slots, &best, f) < 0)
		return -1;
	for (i = 1; i < e->u.call.nargs; i++) {
		if (eval_num(e->u.call.args[i], env, slots, &v, f) < 0)
			return -1;
		compare(e, v, is_max ? CMP_GT : CMP_LT, best, &lt, f);
		if (best.kind == VAL_REAL || v.kind == VAL_REAL) {
			best = v_real(lt ? value_real(v) : value_real(best));
		} else if (lt) {
			best = v;
		}
	}
	*out = best;
	return 0;
}

/* ---- derivatives ---- */

/* d output[o] / d T[t] or d f / d T[t] (o NULL): the verifier's finite
 * differences of the real forward kernel. d f / d output[o] is df[o]. */
static int
eval_numeric_deriv(const expr_t *e, eval_run_t *env, long *slots,
    value_t *out, char **f)
{
	const expr_t *num = e->u.deriv.num, *den = e->u.deriv.den;
	const char *wrt = den->u.access.tensor;
	long oidx[TENSOR_MAX_DIMS], widx[TENSOR_MAX_DIMS];
	tensor_t *t;
	double v;

	if (num == NULL && strcmp(wrt, "output") == 0)
		return eval_access_of(den, "df", env, slots, out, f);
	if (num != NULL && ((t = get_tensor(env, "output", f)) == NULL ||
	    eval_indices(num, "output", t, env, slots, oidx, f) < 0))
		return -1;
	if ((t = get_tensor(env, wrt, f)) == NULL ||
	    eval_indices(den, wrt, t, env, slots, widx, f) < 0)
		return -1;
	if (env->world->numeric_deriv(env->world->ctx, wrt, num != NULL ? oidx : NULL, widx,
	    &v, f) < 0)
		return -1;
	*out = v_real(v);
	return 0;
}

/* EXPR at the perturbed T; for a rerun, the world's output follows T
 * first (the real forward kernel at the perturbed value). */
static int
fd_side(const expr_t *e, eval_run_t *env, long *slots, value_t *v,
    char **f)
{
	if (e->u.deriv.rerun && env->world->perturbed(env->world->ctx,
	    e->u.deriv.den->u.access.tensor, false, f) < 0)
		return -1;
	return eval_num(e->u.deriv.num, env, slots, v, f);
}

/* d (EXPR) / d T[t]: central difference of the interpreted EXPR, T[t]
 * perturbed in place by +-h and then given back its exact original bits.
 * The step actually taken, (x+h) - (x-h) in doubles, is the divisor. */
static int
eval_fd_deriv(const expr_t *e, eval_run_t *env, long *slots,
    value_t *out, char **f)
{
	const expr_t *den = e->u.deriv.den;
	long idx[TENSOR_MAX_DIMS];
	double *x, orig, xp, xm, h = env->world->fd_eps;
	value_t vp, vm;
	tensor_t *t;
	int rc;

	if (!(h > 0.0) || !isfinite(h))
		return set_error(f, "the finite-difference step fd_eps is %g", h);
	if ((t = get_tensor(env, den->u.access.tensor, f)) == NULL ||
	    eval_indices(den, den->u.access.tensor, t, env, slots, idx, f) < 0)
		return -1;
	if (e->u.deriv.rerun && env->world->perturbed == NULL)
		return finding_in(f, "", e, " reads output, and nothing here "
		    "reruns the forward kernel");
	x = &t->data[offset(t, idx)];
	orig = *x;
	xp = orig + h;
	xm = orig - h;
	*x = xp;
	rc = fd_side(e, env, slots, &vp, f);
	*x = xm;
	if (rc == 0)
		rc = fd_side(e, env, slots, &vm, f);
	*x = orig;
	if (e->u.deriv.rerun && env->world->perturbed(env->world->ctx,
	    den->u.access.tensor, true, rc == 0 ? f : NULL) < 0 && rc == 0)
		return -1;
	if (rc < 0)
		return -1;
	*out = v_real((value_real(vp) - value_real(vm)) / (xp - xm));
	return 0;
}

static int
eval_deriv(const expr_t *e, eval_run_t *env, long *slots,
    value_t *out, char **f)
{
	const expr_t *num = e->u.deriv.num;

	if (e->u.deriv.den->kind != EX_ACCESS)
		return set_error(f, "d f / d %s is checked entry by entry against "
		    "a kernel, not evaluated", e->u.deriv.den->u.name.name);
	if (num == NULL || (num->kind == EX_ACCESS &&
	    strcmp(num->u.access.tensor, "output") == 0))
		return eval_numeric_deriv(e, env, slots, out, f);
	return eval_fd_deriv(e, env, slots, out, f);
}

/* ---- the walk ---- */

static int
eval_node(const expr_t *e, eval_run_t *env, long *slots,
    value_t *out, char **f)
{
	long v;

	switch (e->kind) {
	case EX_INT: *out = v_int(e->u.ival); return 0;
	case EX_REAL: *out = v_real(e->u.rval); return 0;
	case EX_NAME:
		if (e->u.name.slot >= 0) {
			*out = v_int(slots[e->u.name.slot]);
			return 0;
		}
		if (eval_constant(e->u.name.name, env, &v, f) < 0)
			return -1;
		*out = v_int(v);
		return 0;
	case EX_ACCESS:
		return eval_access_of(e, e->u.access.tensor, env, slots, out, f);
	case EX_NEG: return eval_neg(e, env, slots, out, f);
	case EX_NOT: case EX_AND: case EX_OR:
		return eval_logic(e, env, slots, out, f);
	case EX_ADD: case EX_SUB: case EX_MUL: case EX_DIV: case EX_IDIV:
	case EX_MOD:
		return eval_arith(e, env, slots, out, f);
	case EX_CMP: return eval_cmp(e, env, slots, out, f);
	case EX_IN: return eval_in(e, env, slots, out, f);
	case EX_IF: return eval_if(e, env, slots, out, f);
	case EX_SUM: return eval_sum(e, env, slots, out, f);
	case EX_CALL: return eval_call(e, env, slots, out, f);
	case EX_DERIV: return eval_deriv(e, env, slots, out, f);
	}
	assert(0 && "unknown expression kind");
	return -1;
}

/* Every node's real result is checked here, so a NaN or Inf is reported
 * where it first appears. */
static int
eval(const expr_t *e, eval_run_t *env, long *slots, value_t *out,
    char **f)
{
	if (eval_node(e, env, slots, out, f) < 0)
		return -1;
	if (out->kind == VAL_REAL && !isfinite(out->r))
		return finding_in(f, "", e, isnan(out->r) ? " is NaN" :
		    " is infinite");
	return 0;
}

int
expr_eval(const expr_t *e, const expr_env_t *env, long *slots,
    value_t *out, char **finding)
{
	eval_run_t run = { env, 0, 0 };

	assert(e != NULL && env != NULL && out != NULL);
	return eval(e, &run, slots, out, finding);
}

static int
range_eval(const expr_range_t *r, eval_run_t *env, long *slots, long *lo,
    long *hi, char **err)
{
	tensor_t *t;

	static const int_what_t lo_what = { "a range's lower bound", -1 };
	static const int_what_t hi_what = { "a range's upper bound", -1 };

	if (r->lo != NULL) {
		return eval_integer(r->lo, env, slots, lo, lo_what, err) < 0 ||
		    eval_integer(r->hi, env, slots, hi, hi_what, err) < 0 ? -1 : 0;
	}
	assert(r->tensor != NULL);
	*lo = 0;
	if (strcmp(r->tensor, "strides") == 0) {
		*hi = 3;
		return 0;
	}
	if ((t = get_tensor(env, r->tensor, err)) == NULL)
		return -1;
	if (r->pos >= t->ndim)
		return set_error(err, "%s has %d dimensions, not %d", r->tensor,
		    t->ndim, r->pos + 1);
	*hi = (long)t->shape[r->pos] - 1;
	return 0;
}

int
expr_range_eval(const expr_range_t *r, const expr_env_t *env, long *slots,
    long *lo, long *hi, char **err)
{
	eval_run_t run = { env, 0, 0 };

	return range_eval(r, &run, slots, lo, hi, err);
}
