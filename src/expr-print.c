/*
 * expr-print.c: claims rendered four ways, all from the parsed AST (what
 * is shown is what is checked):
 *   - canonical text: one line of the language that parses back to the
 *     same tree (parentheses only where the priorities need them);
 *   - 2-D boxes in Unicode (∂a over ∂b, Σ with its indices beneath,
 *     subscript digits) or in ASCII only;
 *   - LaTeX for the docs.
 */
#include "expr-int.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- canonical text ---- */

/* Priorities as the parser's: a child of lower priority than its context
 * needs parentheses. 'if' and 'sum' run as far right as they can, so they
 * go bare only where nothing follows them (OPEN contexts). */
enum { LV_OPEN = 0, LV_OR = 1, LV_AND, LV_NOT, LV_CMP, LV_ADD, LV_MUL, LV_NEG,
	LV_PRIMARY };

static int
level(const expr_t *e)
{
	switch (e->kind) {
	case EX_IF: case EX_SUM: return LV_OPEN;
	case EX_OR: return LV_OR;
	case EX_AND: return LV_AND;
	case EX_NOT: return LV_NOT;
	case EX_CMP: case EX_IN: return LV_CMP;
	case EX_ADD: case EX_SUB: return LV_ADD;
	case EX_MUL: case EX_DIV: case EX_IDIV: case EX_MOD: return LV_MUL;
	case EX_NEG: return LV_NEG;
	default: return LV_PRIMARY;
	}
}

static const char *
binop_text(expr_kind_t k)
{
	switch (k) {
	case EX_OR: return "or";
	case EX_AND: return "and";
	case EX_ADD: return "+";
	case EX_SUB: return "-";
	case EX_MUL: return "*";
	case EX_DIV: return "/";
	case EX_IDIV: return "//";
	case EX_MOD: return "%";
	default: return "?";
	}
}

static const char *const cmp_text[] = { "==", "!=", "<", "<=", ">", ">=" };

/* The shortest %g that reads back as the same double, always with a '.'
 * or an exponent so that it lexes as a real. */
static void
add_real(sbuf_t *b, double v)
{
	char buf[40];
	int prec;

	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (prec == 17)
		snprintf(buf, sizeof(buf), "%.17g", v);
	sbuf_add(b, buf);
	if (strpbrk(buf, ".eEn") == NULL)
		sbuf_add(b, ".0");
}

static void text_ctx(sbuf_t *b, const expr_t *e, int min, bool open);

static void
add_list(sbuf_t *b, expr_t *const *args, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			sbuf_add(b, ", ");
		text_ctx(b, args[i], LV_OPEN, true);
	}
}

static void
add_sum(sbuf_t *b, const expr_t *e)
{
	int i;

	sbuf_add(b, "sum(");
	for (i = 0; i < e->u.sum.n; i++) {
		const expr_index_t *ix = &e->u.sum.idx[i];

		sbuf_addf(b, "%s%s", i > 0 ? ", " : "", ix->name);
		if (ix->range.lo != NULL) {
			sbuf_add(b, " in ");
			text_ctx(b, ix->range.lo, LV_ADD, false);
			sbuf_add(b, "..");
			text_ctx(b, ix->range.hi, LV_ADD, false);
		}
	}
	if (e->u.sum.where != NULL) {
		sbuf_add(b, " where ");
		text_ctx(b, e->u.sum.where, LV_OPEN, true);
	}
	sbuf_add(b, ") ");
	text_ctx(b, e->u.sum.body, LV_MUL, true);
}

static void
add_deriv(sbuf_t *b, const expr_t *e)
{
	const expr_t *num = e->u.deriv.num, *den = e->u.deriv.den;

	if (num == NULL) {
		sbuf_add(b, "d f");
	} else if (num->kind == EX_ACCESS &&
	    strcmp(num->u.access.tensor, "output") == 0) {
		sbuf_add(b, "d ");
		expr_text_add(b, num);
	} else {
		sbuf_add(b, "d (");
		expr_text_add(b, num);
		sbuf_add(b, ")");
	}
	sbuf_add(b, " / d ");
	expr_text_add(b, den);
}

static void
add_node(sbuf_t *b, const expr_t *e)
{
	int i, lv = level(e);

	switch (e->kind) {
	case EX_INT: sbuf_addf(b, "%ld", e->u.ival); return;
	case EX_REAL: add_real(b, e->u.rval); return;
	case EX_NAME: sbuf_add(b, e->u.name.name); return;
	case EX_ACCESS:
		sbuf_addf(b, "%s[", e->u.access.tensor);
		add_list(b, e->u.access.args, e->u.access.nargs);
		sbuf_add(b, "]");
		return;
	case EX_CALL:
		sbuf_addf(b, "%s(", e->u.call.fn);
		add_list(b, e->u.call.args, e->u.call.nargs);
		sbuf_add(b, ")");
		return;
	case EX_NEG: sbuf_add(b, "-"); text_ctx(b, e->u.op.a, LV_NEG, false); return;
	case EX_NOT: sbuf_add(b, "not "); text_ctx(b, e->u.op.a, LV_NOT, false); return;
	case EX_CMP:
		for (i = 0; i < e->u.cmp.n; i++) {
			if (i > 0)
				sbuf_addf(b, " %s ", cmp_text[e->u.cmp.ops[i - 1]]);
			text_ctx(b, e->u.cmp.args[i], LV_ADD, false);
		}
		return;
	case EX_IN:
		text_ctx(b, e->u.op.a, LV_ADD, false);
		sbuf_add(b, " in ");
		text_ctx(b, e->u.op.b, LV_ADD, false);
		sbuf_add(b, "..");
		text_ctx(b, e->u.op.c, LV_ADD, false);
		return;
	case EX_IF:
		sbuf_add(b, "if ");
		text_ctx(b, e->u.op.a, LV_OPEN, true);
		sbuf_add(b, " then ");
		text_ctx(b, e->u.op.b, LV_OPEN, true);
		sbuf_add(b, " else ");
		text_ctx(b, e->u.op.c, LV_OPEN, true);
		return;
	case EX_SUM: add_sum(b, e); return;
	case EX_DERIV: add_deriv(b, e); return;
	default:      /* left-associative binary operators */
		text_ctx(b, e->u.op.a, lv, false);
		sbuf_addf(b, " %s ", binop_text(e->kind));
		text_ctx(b, e->u.op.b, lv + 1, false);
		return;
	}
}

/* e in a context that needs priority min; open: 'if' and 'sum' may go bare. */
static void
text_ctx(sbuf_t *b, const expr_t *e, int min, bool open)
{
	int lv = level(e);
	bool paren = lv == LV_OPEN ? !open : lv < min;

	if (paren)
		sbuf_add(b, "(");
	add_node(b, e);
	if (paren)
		sbuf_add(b, ")");
}

void
expr_text_add(sbuf_t *b, const expr_t *e)
{
	text_ctx(b, e, LV_OPEN, true);
}

char *
expr_text(const expr_t *e)
{
	sbuf_t b;

	sbuf_init(&b);
	expr_text_add(&b, e);
	return sbuf_take(&b);
}

static void
add_let_lhs(sbuf_t *b, const claim_t *c)
{
	int i;

	sbuf_addf(b, "let %s[", c->lhs->u.access.tensor);
	for (i = 0; i < c->ndims; i++) {
		sbuf_addf(b, "%s%s < ", i > 0 ? ", " : "",
		    c->lhs->u.access.args[i]->u.name.name);
		text_ctx(b, c->dims[i], LV_ADD, false);
	}
	sbuf_add(b, "]");
}

char *
claim_text(const claim_t *c)
{
	sbuf_t b;

	sbuf_init(&b);
	if (c->kind == CLAIM_LET)
		add_let_lhs(&b, c);
	else
		expr_text_add(&b, c->lhs);
	sbuf_add(&b, " = ");
	if (c->kind == CLAIM_KERNEL)
		sbuf_addf(&b, "kernel %s", c->kernel);
	else
		expr_text_add(&b, c->rhs);
	if (c->where != NULL) {
		sbuf_add(&b, " where ");
		expr_text_add(&b, c->where);
	}
	if (c->expect_fail)
		sbuf_add(&b, " expect fail");
	return sbuf_take(&b);
}
