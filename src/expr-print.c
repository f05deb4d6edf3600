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

const char *
claim_kernel_name(claim_kernel_t k)
{
	switch (k) {
	case KERNEL_ELEMENT: return "element";
	case KERNEL_MATRIX: return "matrix";
	case KERNEL_TRANSPOSED: return "transposed";
	default: return "";
	}
}

/* ---- canonical text ---- */

/* The priorities LV_* are in expr-int.h. */
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

static void text_ctx(sbuf_t *b, const expr_t *e, int min, int follow);

static void
add_list(sbuf_t *b, expr_t *const *args, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			sbuf_add(b, ", ");
		text_ctx(b, args[i], LV_OPEN, 0);
	}
}

static void
add_sum(sbuf_t *b, const expr_t *e, int fw)
{
	int i;

	sbuf_add(b, "sum(");
	for (i = 0; i < e->u.sum.n; i++) {
		const expr_index_t *ix = &e->u.sum.idx[i];

		sbuf_addf(b, "%s%s", i > 0 ? ", " : "", ix->name);
		if (ix->range.lo != NULL) {
			sbuf_add(b, " in ");
			text_ctx(b, ix->range.lo, LV_ADD, 0);
			sbuf_add(b, "..");
			text_ctx(b, ix->range.hi, LV_ADD, 0);
		}
	}
	if (e->u.sum.where != NULL) {
		sbuf_add(b, " where ");
		text_ctx(b, e->u.sum.where, LV_OPEN, 0);
	}
	sbuf_add(b, ") ");
	text_ctx(b, e->u.sum.body, LV_MUL, fw);
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
add_node(sbuf_t *b, const expr_t *e, int fw)
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
	case EX_NEG: sbuf_add(b, "-"); text_ctx(b, e->u.op.a, LV_NEG, fw); return;
	case EX_NOT: sbuf_add(b, "not "); text_ctx(b, e->u.op.a, LV_NOT, fw); return;
	case EX_CMP:
		for (i = 0; i < e->u.cmp.n; i++) {
			if (i > 0)
				sbuf_addf(b, " %s ", cmp_text[e->u.cmp.ops[i - 1]]);
			text_ctx(b, e->u.cmp.args[i], LV_ADD,
			    i < e->u.cmp.n - 1 ? LV_CMP : fw);
		}
		return;
	case EX_IN:
		text_ctx(b, e->u.op.a, LV_ADD, LV_CMP);
		sbuf_add(b, " in ");
		text_ctx(b, e->u.op.b, LV_ADD, 0);
		sbuf_add(b, "..");
		text_ctx(b, e->u.op.c, LV_ADD, fw);
		return;
	case EX_IF:
		sbuf_add(b, "if ");
		text_ctx(b, e->u.op.a, LV_OPEN, 0);
		sbuf_add(b, " then ");
		text_ctx(b, e->u.op.b, LV_OPEN, 0);
		sbuf_add(b, " else ");
		text_ctx(b, e->u.op.c, LV_OPEN, 0);
		return;
	case EX_SUM: add_sum(b, e, fw); return;
	case EX_DERIV: add_deriv(b, e); return;
	default:      /* left-associative binary operators */
		text_ctx(b, e->u.op.a, lv, lv);
		sbuf_addf(b, " %s ", binop_text(e->kind));
		text_ctx(b, e->u.op.b, lv + 1, fw);
		return;
	}
}

/* Does e need parentheses where priority min is needed and an operator
 * of priority follow comes next (0: nothing, or a delimiter)? 'if' runs
 * to the end, so it goes bare only in a delimited place; a sum's body is
 * a term, so a sum goes bare unless a * / // % follows it. */
static bool
needs_paren(const expr_t *e, int lv, int min, int follow)
{
	if (e->kind == EX_IF)
		return min > LV_OPEN || follow > 0;
	if (e->kind == EX_SUM)
		return follow > LV_ADD;
	return lv < min;
}

static void
text_ctx(sbuf_t *b, const expr_t *e, int min, int follow)
{
	bool paren = needs_paren(e, level(e), min, follow);

	if (paren)
		sbuf_add(b, "(");
	add_node(b, e, paren ? 0 : follow);
	if (paren)
		sbuf_add(b, ")");
}

void
expr_text_add(sbuf_t *b, const expr_t *e)
{
	text_ctx(b, e, LV_OPEN, 0);
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
		text_ctx(b, c->dims[i], LV_ADD, 0);
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
		sbuf_addf(&b, "kernel %s", claim_kernel_name(c->kernel));
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

/* ---- 2-D boxes ---- */

static pp_box_t *
pp_box_alloc(int width, int height, int baseline)
{
	pp_box_t *b = xcalloc(1, sizeof(*b));

	b->width = width;
	b->height = height;
	b->baseline = baseline;
	b->rows = xcalloc((size_t)height, sizeof(char *));
	return b;
}

void
pp_box_free(pp_box_t *b)
{
	int r;

	if (b == NULL)
		return;
	for (r = 0; r < b->height; r++)
		free(b->rows[r]);
	free(b->rows);
	free(b);
}

void
pp_box_print(const pp_box_t *b, FILE *f, int indent)
{
	int r;
	size_t n;

	for (r = 0; r < b->height; r++) {
		n = strlen(b->rows[r]);
		while (n > 0 && b->rows[r][n - 1] == ' ')   /* no trailing blanks */
			n--;
		fprintf(f, "%*s%.*s\n", n > 0 ? indent : 0, "", (int)n, b->rows[r]);
	}
}

static void
add_spaces(sbuf_t *s, int n)
{
	while (n-- > 0)
		sbuf_add(s, " ");
}

pp_box_t *
pp_box_text(const char *s)
{
	pp_box_t *b = pp_box_alloc(utf8_width(s), 1, 0);

	b->rows[0] = xstrdup(s);
	return b;
}

pp_box_t *
pp_box_take(char *s)
{
	pp_box_t *b = pp_box_text(s);

	free(s);
	return b;
}

/* Side by side with baselines aligned; consumes the parts. */
static pp_box_t *
pp_box_hcat(pp_box_t **p, int n)
{
	int above = 0, below = 0, width = 0, i, r, pr;
	pp_box_t *out;
	sbuf_t s;

	for (i = 0; i < n; i++) {
		above = p[i]->baseline > above ? p[i]->baseline : above;
		pr = p[i]->height - p[i]->baseline - 1;
		below = pr > below ? pr : below;
		width += p[i]->width;
	}
	out = pp_box_alloc(width, above + 1 + below, above);
	for (r = 0; r < out->height; r++) {
		sbuf_init(&s);
		for (i = 0; i < n; i++) {
			pr = r - (above - p[i]->baseline);
			if (pr >= 0 && pr < p[i]->height)
				sbuf_add(&s, p[i]->rows[pr]);
			else
				add_spaces(&s, p[i]->width);
		}
		out->rows[r] = sbuf_take(&s);
	}
	for (i = 0; i < n; i++)
		pp_box_free(p[i]);
	return out;
}

pp_box_t *
pp_box_hcat2(pp_box_t *a, pp_box_t *b)
{
	pp_box_t *p[2] = { a, b };

	return pp_box_hcat(p, 2);
}

pp_box_t *
pp_box_hcat3(pp_box_t *a, pp_box_t *b, pp_box_t *c)
{
	pp_box_t *p[3] = { a, b, c };

	return pp_box_hcat(p, 3);
}

/* One above another, centred or flush left; the baseline is part
 * base's; consumes the parts. */
pp_box_t *
pp_box_vcat(pp_box_t **p, int n, int base, bool center)
{
	int width = 0, height = 0, i, r, row = 0, pad, bl = 0;
	pp_box_t *out;
	sbuf_t s;

	for (i = 0; i < n; i++) {
		width = p[i]->width > width ? p[i]->width : width;
		if (i == base)
			bl = height + p[i]->baseline;
		height += p[i]->height;
	}
	out = pp_box_alloc(width, height, bl);
	for (i = 0; i < n; i++) {
		pad = center ? (width - p[i]->width) / 2 : 0;
		for (r = 0; r < p[i]->height; r++) {
			sbuf_init(&s);
			add_spaces(&s, pad);
			sbuf_add(&s, p[i]->rows[r]);
			add_spaces(&s, width - p[i]->width - pad);
			out->rows[row++] = sbuf_take(&s);
		}
		pp_box_free(p[i]);
	}
	return out;
}

/* num over a rule over den; the rule is the baseline. */
static pp_box_t *
box_frac(pp_box_t *num, pp_box_t *den, pp_style_t st)
{
	int w = (num->width > den->width ? num->width : den->width) + 2, i;
	sbuf_t s;
	pp_box_t *p[3];

	sbuf_init(&s);
	for (i = 0; i < w; i++)
		sbuf_add(&s, st == PP_UNICODE ? "─" : "-");
	p[0] = num;
	p[1] = pp_box_take(sbuf_take(&s));
	p[2] = den;
	return pp_box_vcat(p, 3, 1, true);
}

/* (b), with tall brackets when b is more than one row. */
pp_box_t *
pp_box_paren(pp_box_t *b, pp_style_t st)
{
	bool u = st == PP_UNICODE;
	pp_box_t *l, *r;
	int i, h = b->height;

	if (h == 1)
		return pp_box_hcat3(pp_box_text("("), b, pp_box_text(")"));
	l = pp_box_alloc(1, h, b->baseline);
	r = pp_box_alloc(1, h, b->baseline);
	for (i = 0; i < h; i++) {
		bool top = i == 0, bot = i == h - 1;

		l->rows[i] = xstrdup(top ? (u ? "⎛" : "/") : bot ? (u ? "⎝" : "\\") :
		    (u ? "⎜" : "|"));
		r->rows[i] = xstrdup(top ? (u ? "⎞" : "\\") : bot ? (u ? "⎠" : "/") :
		    (u ? "⎟" : "|"));
	}
	return pp_box_hcat3(l, b, r);
}

/* A name with its trailing digits as subscripts in Unicode: h_out1 ->
 * h_out₁ (underscores kept). */
static char *
pp_name(const char *name, pp_style_t st)
{
	static const char *const sub[] = { "₀", "₁", "₂", "₃", "₄", "₅", "₆",
		"₇", "₈", "₉" };
	size_t n = strlen(name), d = n;
	sbuf_t s;

	if (st != PP_UNICODE)
		return xstrdup(name);
	while (d > 1 && name[d - 1] >= '0' && name[d - 1] <= '9')
		d--;
	sbuf_init(&s);
	sbuf_addn(&s, name, d);
	for (; d < n; d++)
		sbuf_add(&s, sub[name[d] - '0']);
	return sbuf_take(&s);
}

/* Priority of e as drawn: a stacked fraction (and ⌊a/b⌋) groups itself. */
int
pp_level(const expr_t *e, pp_style_t st)
{
	if (e->kind == EX_DIV || (e->kind == EX_IDIV && st == PP_UNICODE))
		return LV_PRIMARY;
	return level(e);
}

bool
pp_needs_paren(const expr_t *e, pp_style_t st, int min, int follow)
{
	return needs_paren(e, pp_level(e, st), min, follow);
}

/* args joined by sep, each in a delimited (open) context. */
static pp_box_t *
render_list(expr_t *const *args, int n, pp_style_t st, const char *sep)
{
	pp_box_t **p = xcalloc((size_t)(2 * n), sizeof(*p)), *b;
	int i, k = 0;

	for (i = 0; i < n; i++) {
		if (i > 0)
			p[k++] = pp_box_text(sep);
		p[k++] = pp_render(args[i], st, LV_OPEN, 0);
	}
	b = pp_box_hcat(p, k);
	free(p);
	return b;
}

static pp_box_t *
render_access(const expr_t *e, pp_style_t st)
{
	pp_box_t *p[4];

	p[0] = pp_box_text(e->u.access.tensor);
	p[1] = pp_box_text("[");
	p[2] = render_list(e->u.access.args, e->u.access.nargs, st, ",");
	p[3] = pp_box_text("]");
	return pp_box_hcat(p, 4);
}

/* ∂x (or "d x" in ASCII): f, a tensor alone, an access, or (EXPR). */
static pp_box_t *
render_partial(const expr_t *x, pp_style_t st)
{
	const char *d = st == PP_UNICODE ? "∂" : "d ";

	if (x == NULL)
		return pp_box_take(xasprintf("%sf", d));
	if (x->kind == EX_NAME)
		return pp_box_take(xasprintf("%s%s", d, x->u.name.name));
	if (x->kind == EX_ACCESS)
		return pp_box_hcat2(pp_box_text(d), render_access(x, st));
	return pp_box_hcat2(pp_box_text(d),
	    pp_box_paren(pp_render(x, st, LV_OPEN, 0), st));
}

/* The summation sign: Σ (ASCII "sum"), or before a body with rows above
 * and below its baseline (a fraction) a sketch three rows tall whose
 * middle row is the baseline (the same height in both styles; ASCII, then
 * Unicode):
 *     __      ▁▁
 *     \       ╲
 *     /_      ╱▁
 */
static pp_box_t *
sum_sign(const pp_box_t *body, bool u)
{
	pp_box_t *b;

	if (body->baseline < 1 || body->height - body->baseline < 2)
		return pp_box_text(u ? "Σ" : "sum");
	b = pp_box_alloc(2, 3, 1);
	b->rows[0] = xstrdup(u ? "▁▁" : "__");
	b->rows[1] = xstrdup(u ? "╲ " : "\\ ");
	b->rows[2] = xstrdup(u ? "╱▁" : "/_");
	return b;
}

/* Σ over its indices (and its where) in a column, then the body. */
static pp_box_t *
render_sum(const expr_t *e, pp_style_t st, int fw)
{
	bool u = st == PP_UNICODE;
	pp_box_t **p = xcalloc((size_t)(6 * e->u.sum.n), sizeof(*p)), *col[3];
	pp_box_t *body = pp_render(e->u.sum.body, st, LV_MUL, fw);
	int i, k = 0, n = 2;

	for (i = 0; i < e->u.sum.n; i++) {
		const expr_index_t *ix = &e->u.sum.idx[i];

		if (i > 0)
			p[k++] = pp_box_text(",");
		p[k++] = pp_box_take(pp_name(ix->name, st));
		if (ix->range.lo != NULL) {
			p[k++] = pp_box_text(u ? "∈[" : " in ");
			p[k++] = pp_render(ix->range.lo, st, LV_ADD, 0);
			p[k++] = pp_box_text(u ? ", " : "..");
			p[k++] = pp_box_hcat2(pp_render(ix->range.hi, st, LV_ADD, 0),
			    pp_box_text(u ? "]" : ""));
		}
	}
	col[0] = sum_sign(body, u);
	col[1] = pp_box_hcat(p, k);
	free(p);
	if (e->u.sum.where != NULL)
		col[n++] = pp_render(e->u.sum.where, st, LV_OPEN, 0);
	return pp_box_hcat3(pp_box_vcat(col, n, 0, true), pp_box_text(" "),
	    body);
}

/* The fraction and the summation sign as claims draw them, for the
 * source's formulas (tex-layout.c). */
pp_box_t *
pp_box_frac(pp_box_t *num, pp_box_t *den, pp_style_t st)
{
	return box_frac(num, den, st);
}

pp_box_t *
pp_box_sum_sign(const pp_box_t *body, pp_style_t st)
{
	return sum_sign(body, st == PP_UNICODE);
}

const char *
pp_op_drawn(expr_kind_t k, pp_style_t st)
{
	bool u = st == PP_UNICODE;

	switch (k) {
	case EX_MUL: return u ? " · " : " * ";
	case EX_MOD: return u ? " mod " : " % ";
	case EX_IDIV: return " // ";
	case EX_AND: return " and ";
	case EX_OR: return " or ";
	case EX_ADD: return " + ";
	default: return " - ";
	}
}

static const char *const cmp_uni[] = { " = ", " ≠ ", " < ", " ≤ ", " > ", " ≥ " };

static pp_box_t *
render_cmp(const expr_t *e, pp_style_t st, int fw)
{
	pp_box_t **p = xcalloc((size_t)(2 * e->u.cmp.n), sizeof(*p)), *b;
	int i, k = 0;

	for (i = 0; i < e->u.cmp.n; i++) {
		if (i > 0)
			p[k++] = pp_box_take(st == PP_UNICODE ?
			    xstrdup(cmp_uni[e->u.cmp.ops[i - 1]]) :
			    xasprintf(" %s ", cmp_text[e->u.cmp.ops[i - 1]]));
		p[k++] = pp_render(e->u.cmp.args[i], st, LV_ADD,
		    i < e->u.cmp.n - 1 ? LV_CMP : fw);
	}
	b = pp_box_hcat(p, k);
	free(p);
	return b;
}

static pp_box_t *
render_in(const expr_t *e, pp_style_t st, int fw)
{
	bool u = st == PP_UNICODE;
	pp_box_t *p[5];

	p[0] = pp_render(e->u.op.a, st, LV_ADD, LV_CMP);
	p[1] = pp_box_text(u ? " ∈ [" : " in ");
	p[2] = pp_render(e->u.op.b, st, LV_ADD, 0);
	p[3] = pp_box_text(u ? ", " : "..");
	p[4] = pp_box_hcat2(pp_render(e->u.op.c, st, LV_ADD, fw),
	    pp_box_text(u ? "]" : ""));
	return pp_box_hcat(p, 5);
}

static pp_box_t *
render_if(const expr_t *e, pp_style_t st, int fw)
{
	pp_box_t *p[6];

	p[0] = pp_box_text("if ");
	p[1] = pp_render(e->u.op.a, st, LV_OPEN, 0);
	p[2] = pp_box_text(" then ");
	p[3] = pp_render(e->u.op.b, st, LV_OPEN, 0);
	p[4] = pp_box_text(" else ");
	p[5] = pp_render(e->u.op.c, st, LV_OPEN, 0);
	return pp_box_hcat(p, 6);
}

/* Is x drawn as one unit, so that a superscript after it reads as its
 * power (a name, a number, an access, a call other than square)? */
static bool
square_bare(const expr_t *x)
{
	return x->kind == EX_NAME || x->kind == EX_INT || x->kind == EX_REAL ||
	    x->kind == EX_ACCESS ||
	    (x->kind == EX_CALL && x->u.call.id != EXPR_FN_SQUARE);
}

/* square(x) in Unicode: x², in parentheses unless x is one unit, the ²
 * on the top row when x is tall (a fraction). */
static pp_box_t *
render_square(const expr_t *x, pp_style_t st)
{
	pp_box_t *b = pp_render(x, st, LV_OPEN, 0), *sq;
	int i;

	if (!square_bare(x))
		b = pp_box_paren(b, st);
	sq = pp_box_alloc(1, b->height, b->baseline);
	for (i = 0; i < b->height; i++)
		sq->rows[i] = xstrdup(i == 0 ? "²" : " ");
	return pp_box_hcat2(b, sq);
}

static pp_box_t *
render_call(const expr_t *e, pp_style_t st)
{
	if (e->u.call.id == EXPR_FN_ABS && st == PP_UNICODE)
		return pp_box_hcat3(pp_box_text("|"),
		    pp_render(e->u.call.args[0], st, LV_OPEN, 0),
		    pp_box_text("|"));
	if (e->u.call.id == EXPR_FN_SQUARE && st == PP_UNICODE)
		return render_square(e->u.call.args[0], st);
	return pp_box_hcat3(pp_box_take(xasprintf("%s(", e->u.call.fn)),
	    render_list(e->u.call.args, e->u.call.nargs, st, ", "),
	    pp_box_text(")"));
}

/* Is x drawn as "a op b" at priority lv, so that it continues a chain of
 * that priority? */
static bool
plain_binary(const expr_t *x, pp_style_t st, int lv)
{
	switch (x->kind) {
	case EX_ADD: case EX_SUB: case EX_MUL: case EX_MOD: case EX_AND:
	case EX_OR:
		break;
	case EX_IDIV:
		if (st == PP_UNICODE)
			return false;
		break;
	default:
		return false;
	}
	return level(x) == lv;
}

/* a op b op c ...: the left spine of a chain, drawn with one hcat. Drawing
 * it node by node copied the whole left box at each level, quadratic in
 * the chain's length. Each operand gets the context the recursive drawing
 * gives it: the first (lv, lv), the others (lv + 1, lv), the last fw. */
static pp_box_t *
render_chain(const expr_t *e, pp_style_t st, int lv, int fw)
{
	const expr_t *x;
	pp_box_t **p, *b;
	int n = 0, i, k;

	for (x = e; plain_binary(x, st, lv); x = x->u.op.a)
		n++;
	p = xcalloc((size_t)(2 * n + 1), sizeof(*p));
	k = 2 * n;
	for (i = 0, x = e; i < n; i++, x = x->u.op.a) {
		p[k--] = pp_render(x->u.op.b, st, lv + 1, i == 0 ? fw : lv);
		p[k--] = pp_box_text(pp_op_drawn(x->kind, st));
	}
	p[0] = pp_render(x, st, lv, lv);
	b = pp_box_hcat(p, 2 * n + 1);
	free(p);
	return b;
}

/* Binary operators; '/' as a stacked fraction, '//' as ⌊a / b⌋ in
 * Unicode. */
static pp_box_t *
render_binary(const expr_t *e, pp_style_t st, int fw)
{
	bool u = st == PP_UNICODE;
	int lv = level(e);

	if (e->kind == EX_DIV)
		return box_frac(pp_render(e->u.op.a, st, LV_OPEN, 0),
		    pp_render(e->u.op.b, st, LV_OPEN, 0), st);
	if (e->kind == EX_IDIV && u) {
		pp_box_t *p[5];

		p[0] = pp_box_text("⌊");
		p[1] = pp_render(e->u.op.a, st, LV_MUL, LV_MUL);
		p[2] = pp_box_text(" / ");
		p[3] = pp_render(e->u.op.b, st, LV_MUL + 1, 0);
		p[4] = pp_box_text("⌋");
		return pp_box_hcat(p, 5);
	}
	return render_chain(e, st, lv, fw);
}

static pp_box_t *
render_node(const expr_t *e, pp_style_t st, int fw)
{
	sbuf_t s;

	switch (e->kind) {
	case EX_INT: return pp_box_take(xasprintf("%ld", e->u.ival));
	case EX_REAL:
		sbuf_init(&s);
		add_real(&s, e->u.rval);
		return pp_box_take(sbuf_take(&s));
	case EX_NAME: return pp_box_take(pp_name(e->u.name.name, st));
	case EX_ACCESS: return render_access(e, st);
	case EX_NEG:
		return pp_box_hcat2(pp_box_text("-"),
		    pp_render(e->u.op.a, st, LV_NEG, fw));
	case EX_NOT:
		return pp_box_hcat2(pp_box_text("not "),
		    pp_render(e->u.op.a, st, LV_NOT, fw));
	case EX_CMP: return render_cmp(e, st, fw);
	case EX_IN: return render_in(e, st, fw);
	case EX_IF: return render_if(e, st, fw);
	case EX_SUM: return render_sum(e, st, fw);
	case EX_CALL: return render_call(e, st);
	case EX_DERIV:
		return box_frac(render_partial(e->u.deriv.num, st),
		    render_partial(e->u.deriv.den, st), st);
	default: return render_binary(e, st, fw);
	}
}

/* e in a context of priority min, as text_ctx() decides parentheses. */
pp_box_t *
pp_render(const expr_t *e, pp_style_t st, int min, int follow)
{
	bool paren = pp_needs_paren(e, st, min, follow);
	pp_box_t *b = render_node(e, st, paren ? 0 : follow);

	return paren ? pp_box_paren(b, st) : b;
}

pp_box_t *
expr_render(const expr_t *e, pp_style_t st)
{
	assert(st == PP_UNICODE || st == PP_ASCII);
	return pp_render(e, st, LV_OPEN, 0);
}

pp_box_t *
pp_render_let_lhs(const claim_t *c, pp_style_t st)
{
	pp_box_t **p = xcalloc((size_t)(3 * c->ndims + 2), sizeof(*p)), *b;
	int i, k = 0;

	p[k++] = pp_box_take(xasprintf("let %s[", c->lhs->u.access.tensor));
	for (i = 0; i < c->ndims; i++) {
		char *nm = pp_name(c->lhs->u.access.args[i]->u.name.name, st);

		p[k++] = pp_box_take(xasprintf("%s%s < ", i > 0 ? ", " : "", nm));
		free(nm);
		p[k++] = pp_render(c->dims[i], st, LV_ADD, 0);
	}
	p[k++] = pp_box_text("]");
	b = pp_box_hcat(p, k);
	free(p);
	return b;
}

pp_box_t *
claim_render(const claim_t *c, pp_style_t st)
{
	pp_box_t *lines[3], *lhs, *rhs;
	int n = 0;

	assert(st == PP_UNICODE || st == PP_ASCII);
	lhs = c->kind == CLAIM_LET ? pp_render_let_lhs(c, st) :
	    expr_render(c->lhs, st);
	rhs = c->kind == CLAIM_KERNEL ? pp_box_take(xasprintf("kernel %s",
	    claim_kernel_name(c->kernel))) : expr_render(c->rhs, st);
	lines[n++] = pp_box_hcat3(lhs, pp_box_text(" = "), rhs);
	if (c->where != NULL)
		lines[n++] = pp_box_hcat2(pp_box_text("  where "),
		    expr_render(c->where, st));
	if (c->expect_fail)
		lines[n++] = pp_box_text("  (expect fail)");
	return pp_box_vcat(lines, n, 0, false);
}

/* ---- LaTeX ---- */

/* h_out1 -> h_{out_1}, b1 -> b_1, C_in -> C_{in}; other underscores
 * escaped. */
static void
latex_name(sbuf_t *s, const char *name)
{
	size_t n = strlen(name), d = n, i;
	const char *us;
	bool sub;

	while (d > 1 && name[d - 1] >= '0' && name[d - 1] <= '9')
		d--;
	us = memchr(name, '_', d);
	if (us == NULL || us == name || (size_t)(us - name) + 1 == d) {
		sbuf_addn(s, name, d);     /* no subscript part: b1 -> b_1 */
		if (d < n)
			sbuf_addf(s, "_%s", name + d);
		return;
	}
	sbuf_addn(s, name, (size_t)(us - name));
	sbuf_add(s, "_{");
	for (i = (size_t)(us - name) + 1; i < d; i++)
		sbuf_add(s, name[i] == '_' ? "\\_" : (char[2]){ name[i], 0 });
	sub = d < n;
	if (sub)
		sbuf_addf(s, "_%s", name + d);
	sbuf_add(s, "}");
}

static void
latex_tensor(sbuf_t *s, const char *name)
{
	for (; *name != '\0'; name++)
		sbuf_add(s, *name == '_' ? "\\_" : (char[2]){ *name, 0 });
}

static void latex(sbuf_t *s, const expr_t *e, int min, int follow);

static void
latex_list(sbuf_t *s, expr_t *const *args, int n, const char *sep)
{
	int i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			sbuf_add(s, sep);
		latex(s, args[i], LV_OPEN, 0);
	}
}

static void
latex_access(sbuf_t *s, const expr_t *e)
{
	latex_tensor(s, e->u.access.tensor);
	sbuf_add(s, "_{");
	latex_list(s, e->u.access.args, e->u.access.nargs, ",");
	sbuf_add(s, "}");
}

static void
latex_partial(sbuf_t *s, const expr_t *x)
{
	sbuf_add(s, "\\partial ");
	if (x == NULL) {
		sbuf_add(s, "f");
	} else if (x->kind == EX_NAME) {
		latex_tensor(s, x->u.name.name);
	} else if (x->kind == EX_ACCESS) {
		latex_access(s, x);
	} else {
		sbuf_add(s, "\\left(");
		latex(s, x, LV_OPEN, 0);
		sbuf_add(s, "\\right)");
	}
}

static void
latex_sum(sbuf_t *s, const expr_t *e, int fw)
{
	int i;

	sbuf_add(s, e->u.sum.where != NULL ? "\\sum_{\\substack{" : "\\sum_{");
	for (i = 0; i < e->u.sum.n; i++) {
		const expr_index_t *ix = &e->u.sum.idx[i];

		if (i > 0)
			sbuf_add(s, ",");
		latex_name(s, ix->name);
		if (ix->range.lo != NULL) {
			sbuf_add(s, " \\in [");
			latex(s, ix->range.lo, LV_ADD, 0);
			sbuf_add(s, ", ");
			latex(s, ix->range.hi, LV_ADD, 0);
			sbuf_add(s, "]");
		}
	}
	if (e->u.sum.where != NULL) {
		sbuf_add(s, " \\\\ ");
		latex(s, e->u.sum.where, LV_OPEN, 0);
		sbuf_add(s, "}");
	}
	sbuf_add(s, "} ");
	latex(s, e->u.sum.body, LV_MUL, fw);
}

static const char *const cmp_latex[] = { " = ", " \\ne ", " < ", " \\le ",
	" > ", " \\ge " };

static void
latex_binary(sbuf_t *s, const expr_t *e, int fw)
{
	static const struct { expr_kind_t k; const char *op; } ops[] = {
		{ EX_ADD, " + " }, { EX_SUB, " - " }, { EX_MUL, " \\cdot " },
		{ EX_MOD, " \\bmod " }, { EX_AND, " \\text{ and } " },
		{ EX_OR, " \\text{ or } " },
	};
	size_t i;
	int lv = level(e);

	if (e->kind == EX_DIV || e->kind == EX_IDIV) {
		sbuf_add(s, e->kind == EX_DIV ? "\\frac{" : "\\left\\lfloor\\frac{");
		latex(s, e->u.op.a, LV_OPEN, 0);
		sbuf_add(s, "}{");
		latex(s, e->u.op.b, LV_OPEN, 0);
		sbuf_add(s, e->kind == EX_DIV ? "}" : "}\\right\\rfloor");
		return;
	}
	latex(s, e->u.op.a, lv, lv);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].k == e->kind)
			sbuf_add(s, ops[i].op);
	latex(s, e->u.op.b, lv + 1, fw);
}

/* |x|, x^{2}, \tanh(x) and the like; relu has no LaTeX command of its
 * own (and \square is a box symbol), so it is an \operatorname. */
static void
latex_call(sbuf_t *s, const expr_t *e)
{
	const expr_t *x = e->u.call.args[0];

	switch (e->u.call.id) {
	case EXPR_FN_ABS:
		sbuf_add(s, "\\left|");
		latex(s, x, LV_OPEN, 0);
		sbuf_add(s, "\\right|");
		return;
	case EXPR_FN_SQUARE:
		sbuf_add(s, square_bare(x) && x->kind != EX_ACCESS ? "{" :
		    "\\left(");
		latex(s, x, LV_OPEN, 0);
		sbuf_add(s, square_bare(x) && x->kind != EX_ACCESS ? "}^{2}" :
		    "\\right)^{2}");
		return;
	case EXPR_FN_RELU:
		sbuf_add(s, "\\operatorname{relu}(");
		break;
	default:     /* \\min \\max \\tanh \\exp \\log */
		sbuf_addf(s, "\\%s(", e->u.call.fn);
		break;
	}
	latex_list(s, e->u.call.args, e->u.call.nargs, ", ");
	sbuf_add(s, ")");
}

static void
latex_node(sbuf_t *s, const expr_t *e, int fw)
{
	int i;

	switch (e->kind) {
	case EX_INT: sbuf_addf(s, "%ld", e->u.ival); return;
	case EX_REAL: add_real(s, e->u.rval); return;
	case EX_NAME: latex_name(s, e->u.name.name); return;
	case EX_ACCESS: latex_access(s, e); return;
	case EX_NEG: sbuf_add(s, "-"); latex(s, e->u.op.a, LV_NEG, fw); return;
	case EX_NOT:
		sbuf_add(s, "\\text{not } ");
		latex(s, e->u.op.a, LV_NOT, fw);
		return;
	case EX_CMP:
		for (i = 0; i < e->u.cmp.n; i++) {
			if (i > 0)
				sbuf_add(s, cmp_latex[e->u.cmp.ops[i - 1]]);
			latex(s, e->u.cmp.args[i], LV_ADD,
			    i < e->u.cmp.n - 1 ? LV_CMP : fw);
		}
		return;
	case EX_IN:
		latex(s, e->u.op.a, LV_ADD, LV_CMP);
		sbuf_add(s, " \\in [");
		latex(s, e->u.op.b, LV_ADD, 0);
		sbuf_add(s, ", ");
		latex(s, e->u.op.c, LV_ADD, fw);
		sbuf_add(s, "]");
		return;
	case EX_IF:
		sbuf_add(s, "\\text{if } ");
		latex(s, e->u.op.a, LV_OPEN, 0);
		sbuf_add(s, " \\text{ then } ");
		latex(s, e->u.op.b, LV_OPEN, 0);
		sbuf_add(s, " \\text{ else } ");
		latex(s, e->u.op.c, LV_OPEN, 0);
		return;
	case EX_SUM: latex_sum(s, e, fw); return;
	case EX_CALL: latex_call(s, e); return;
	case EX_DERIV:
		sbuf_add(s, "\\frac{");
		latex_partial(s, e->u.deriv.num);
		sbuf_add(s, "}{");
		latex_partial(s, e->u.deriv.den);
		sbuf_add(s, "}");
		return;
	default:
		latex_binary(s, e, fw);
		return;
	}
}

static void
latex(sbuf_t *s, const expr_t *e, int min, int follow)
{
	int lv = e->kind == EX_DIV || e->kind == EX_IDIV ? LV_PRIMARY : level(e);
	bool paren = needs_paren(e, lv, min, follow);

	if (paren)
		sbuf_add(s, "\\left(");
	latex_node(s, e, paren ? 0 : follow);
	if (paren)
		sbuf_add(s, "\\right)");
}

char *
claim_latex(const claim_t *c)
{
	sbuf_t s;
	int i;

	sbuf_init(&s);
	if (c->kind == CLAIM_LET) {
		sbuf_add(&s, "\\text{let } ");
		latex_tensor(&s, c->lhs->u.access.tensor);
		sbuf_add(&s, "_{");
		for (i = 0; i < c->ndims; i++) {
			sbuf_add(&s, i > 0 ? "," : "");
			latex_name(&s, c->lhs->u.access.args[i]->u.name.name);
			sbuf_add(&s, " < ");
			latex(&s, c->dims[i], LV_ADD, 0);
		}
		sbuf_add(&s, "}");
	} else {
		latex(&s, c->lhs, LV_OPEN, 0);
	}
	sbuf_add(&s, " = ");
	if (c->kind == CLAIM_KERNEL)
		sbuf_addf(&s, "\\text{kernel %s}", claim_kernel_name(c->kernel));
	else
		latex(&s, c->rhs, LV_OPEN, 0);
	if (c->where != NULL) {
		sbuf_add(&s, " \\quad \\text{where } ");
		latex(&s, c->where, LV_OPEN, 0);
	}
	if (c->expect_fail)
		sbuf_add(&s, " \\quad (\\text{expect fail})");
	return sbuf_take(&s);
}
