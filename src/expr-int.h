/*
 * expr-int.h: what the files of the check language share and nobody else
 * sees: the arena, the name tables (tensors, constants),
 * the scope of lets, and the 2-D printer's priorities and boxes. The
 * public interface is expr.h.
 */
#ifndef CONVGRAD_EXPR_INT_H
#define CONVGRAD_EXPR_INT_H

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "expr.h"

/* ---- arena (expr.c) ---- */

/* A bump allocator: every node and string of a claim. Memory is zeroed. */
arena_t *arena_create(void);
void arena_free(arena_t *a);                          /* NULL: no-op */
void *arena_alloc(arena_t *a, size_t n);
char *arena_strndup(arena_t *a, const char *s, size_t n);
char *arena_strdup(arena_t *a, const char *s);

/* ---- name tables (expr.c) ---- */

/* What a built-in tensor may be used for. */
enum {
	TN_WRT = 1,        /* d output[...] / d T[...], d f / d T: input weight bias */
	TN_COMPUTED = 2,   /* computed from others: d (EXPR) must not mention it */
	TN_PERTURB = 4,    /* d (EXPR) / d T[...] may perturb it in place */
};

/* Rank of a built-in tensor (or "strides": 1), or 0 if name is none. */
int expr_builtin_rank(const char *name, int *flags);
/* Is name one of the shape constants N C_in ... dil_w? */
bool expr_is_constant(const char *name);

/* Add a let to the scope (claim_parse does, for a let claim). */
void expr_scope_add(expr_scope_t *sc, const char *name, int rank);

/* ---- evaluation (expr-eval.c, expr-prog.c: both count the same) ---- */

/* The most sum steps one evaluation may take (expr-eval.c says why):
 * 1e7. A variable (expr.c) only so that a test can walk the limit's paths
 * at a smaller one, in a time that does not depend on the machine's load;
 * nothing else changes it. */
extern unsigned long expr_eval_max_terms;
#define EVAL_MAX_TERMS_DEFAULT 10000000UL
#define EVAL_MAX_TERMS expr_eval_max_terms
/* Ask the world whether to stop every this many sum steps (a few
 * microseconds of work). */
#define EVAL_POLL_EVERY 1024u

/* The arithmetic both evaluators share (expr-eval.c words its findings,
 * expr-prog.c does not): integers with Python's floor division and
 * modulo, 0, or EXPR_DIV_ZERO / EXPR_OVERFLOW; reals, 0 or
 * EXPR_DIV_ZERO. kind: EX_ADD EX_SUB EX_MUL EX_DIV EX_IDIV EX_MOD. */
enum { EXPR_DIV_ZERO = -1, EXPR_OVERFLOW = -2 };

static inline long
expr_floor_div(long a, long b)
{
	long q = a / b;

	if (a % b != 0 && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static inline long
expr_floor_mod(long a, long b)
{
	long r = a % b;

	if (r != 0 && ((r < 0) != (b < 0)))
		r += b;
	return r;
}

static inline int
expr_int_op(int kind, long a, long b, long *r)
{
	bool ovf = false;

	*r = 0;
	switch (kind) {
	case EX_ADD: ovf = __builtin_add_overflow(a, b, r); break;
	case EX_SUB: ovf = __builtin_sub_overflow(a, b, r); break;
	case EX_MUL: ovf = __builtin_mul_overflow(a, b, r); break;
	default:     /* EX_IDIV, EX_MOD */
		if (b == 0)
			return EXPR_DIV_ZERO;
		ovf = a == LONG_MIN && b == -1;
		if (!ovf)
			*r = kind == EX_IDIV ? expr_floor_div(a, b) :
			    expr_floor_mod(a, b);
		break;
	}
	return ovf ? EXPR_OVERFLOW : 0;
}

static inline int
expr_real_op(int kind, double a, double b, double *r)
{
	if ((kind == EX_DIV || kind == EX_IDIV || kind == EX_MOD) && b == 0.0)
		return EXPR_DIV_ZERO;
	switch (kind) {
	case EX_ADD: *r = a + b; break;
	case EX_SUB: *r = a - b; break;
	case EX_MUL: *r = a * b; break;
	case EX_DIV: *r = a / b; break;
	case EX_IDIV: *r = floor(a / b); break;
	default:     /* EX_MOD */
		*r = fmod(a, b);
		if (*r != 0.0 && ((*r < 0) != (b < 0)))
			*r += b;
		break;
	}
	return 0;
}

/* The one-argument functions, shared by both evaluators. abs, relu and
 * square keep an integer argument an integer (expr_fn_int); tanh, exp
 * and log make it real. 0, or EXPR_OVERFLOW (abs(LONG_MIN), square past
 * LONG_MAX), or EXPR_DOMAIN (log of a value <= 0: log(0) would be -inf
 * and log(-1) NaN; naming the cause is clearer than either). A real
 * result that overflows (exp(1000)) is inf, and the evaluators' check of
 * every real result reports it. */
enum { EXPR_DOMAIN = -3 };

static inline bool
expr_fn_int(expr_fn_t fn)
{
	return fn == EXPR_FN_ABS || fn == EXPR_FN_RELU || fn == EXPR_FN_SQUARE;
}

static inline int
expr_fn1_int(expr_fn_t fn, long a, long *r)
{
	*r = 0;
	switch (fn) {
	case EXPR_FN_ABS:
		if (a == LONG_MIN)
			return EXPR_OVERFLOW;
		*r = a < 0 ? -a : a;
		return 0;
	case EXPR_FN_RELU:
		*r = a > 0 ? a : 0;
		return 0;
	default:     /* EXPR_FN_SQUARE */
		return __builtin_mul_overflow(a, a, r) ? EXPR_OVERFLOW : 0;
	}
}

static inline int
expr_fn1_real(expr_fn_t fn, double a, double *r)
{
	*r = 0.0;
	switch (fn) {
	case EXPR_FN_ABS: *r = fabs(a); return 0;
	case EXPR_FN_TANH: *r = tanh(a); return 0;
	case EXPR_FN_EXP: *r = exp(a); return 0;
	case EXPR_FN_LOG:
		if (!(a > 0.0))
			return EXPR_DOMAIN;
		*r = log(a);
		return 0;
	case EXPR_FN_RELU: *r = a > 0.0 ? a : 0.0; return 0;
	default:     /* EXPR_FN_SQUARE */
		*r = a * a;
		return 0;
	}
}

/* a OP b of a three-way comparison c (<0, 0, >0). */
static inline bool
expr_cmp_holds(cmp_op_t op, int c)
{
	switch (op) {
	case CMP_EQ: return c == 0;
	case CMP_NE: return c != 0;
	case CMP_LT: return c < 0;
	case CMP_LE: return c <= 0;
	case CMP_GT: return c > 0;
	case CMP_GE: return c >= 0;
	}
	return false;
}

/* ---- printing (expr-print.c) ---- */

/* Canonical text of e appended to b (expr_text without the malloc). */
struct sbuf;
void expr_text_add(struct sbuf *b, const expr_t *e);

/* The grammar's priorities, one set for the parser (expr-parse.c binops[],
 * the operands of sum, in and let bounds) and the printers: a child of
 * lower priority than its context needs parentheses. 'if' and 'sum' run as far right as they can, so they
 * go bare only where nothing follows them (OPEN contexts). */
enum { LV_OPEN = 0, LV_OR = 1, LV_AND, LV_NOT, LV_CMP, LV_ADD, LV_MUL, LV_NEG,
	LV_PRIMARY };

/* The 2-D printer's pieces, for the narrow layout (expr-layout.c): it
 * breaks a claim into parts, and every part must be drawn, and
 * parenthesised, as the one-line rendering draws it in that place. */

/* Priority of e as drawn in st (a stacked fraction, and ⌊a/b⌋ in
 * Unicode, group themselves). */
int pp_level(const expr_t *e, pp_style_t st);
/* Does e, drawn in st, need parentheses where priority min is needed and
 * an operator of priority follow comes next (0: nothing, or a delimiter)? */
bool pp_needs_paren(const expr_t *e, pp_style_t st, int min, int follow);
/* A binary operator as drawn between its operands, spaces included
 * (" · ", " mod ", " + "): + - * % // and or. */
const char *pp_op_drawn(expr_kind_t k, pp_style_t st);
/* e drawn in that context, in parentheses when it needs them. */
pp_box_t *pp_render(const expr_t *e, pp_style_t st, int min, int follow);
/* A let's left side, "let t[i < n, ...]". */
pp_box_t *pp_render_let_lhs(const claim_t *c, pp_style_t st);

/* Boxes. Every function that takes boxes consumes them. */
pp_box_t *pp_box_text(const char *s);         /* one row, s copied */
pp_box_t *pp_box_take(char *s);               /* one row, s freed */
/* Side by side, baselines aligned. */
pp_box_t *pp_box_hcat2(pp_box_t *a, pp_box_t *b);
pp_box_t *pp_box_hcat3(pp_box_t *a, pp_box_t *b, pp_box_t *c);
/* One above another, centred or flush left; the baseline is part base's. */
pp_box_t *pp_box_vcat(pp_box_t **p, int n, int base, bool center);
/* (b), with brackets as tall as b. */
pp_box_t *pp_box_paren(pp_box_t *b, pp_style_t st);
/* num over a rule over den (the rule is the baseline); and the summation
 * sign drawn before body (Σ, or three rows tall before a fraction), as a
 * claim draws them. For the source's formulas (tex-layout.c). */
pp_box_t *pp_box_frac(pp_box_t *num, pp_box_t *den, pp_style_t st);
pp_box_t *pp_box_sum_sign(const pp_box_t *body, pp_style_t st);

#endif
