/*
 * expr-layout.c: a claim laid out narrower than one line (claim_render_fit).
 *
 * claim_render() draws a claim on one line (with its where beneath); the
 * lessons' claims are 80 to 200 columns wide. claim_render_fit() lays the
 * same parsed claim out narrower, the way one would by hand: lhs, then
 * "= rhs" below it (or beside it when the rhs's first line fits), then
 * "where ..."; a chain of + - · and or breaks before an operator; a sum's
 * body goes beside Σ or under it; ∂(EXPR)/∂x becomes ∂/∂x (EXPR); an
 * access or a call breaks between its arguments; `if` takes three lines.
 *
 * Every piece is drawn by the printer (pp_render, expr-print.c) from the
 * claim's own nodes, in the context (priority, what follows) the one-line
 * rendering gives it, so it keeps the parentheses it has there: what is
 * shown is the claim that is checked. A shallow copy of a node with one
 * child replaced by an empty name draws the Σ without its body or the
 * ∂/∂x without its numerator.
 */
#include "expr-int.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A layout: boxes one under another, each at an indent. */
typedef struct lay {
	int n;
	pp_box_t **g;
	int *ind;
} lay_t;

/* Append a box; the arrays double when n reaches a power of two, so a
 * layout of n boxes costs O(n). */
static void
lay_add(lay_t *l, pp_box_t *b, int ind)
{
	if ((l->n & (l->n - 1)) == 0) {
		size_t cap = l->n == 0 ? 1 : 2 * (size_t)l->n;

		l->g = xreallocarray(l->g, cap, sizeof *l->g);
		l->ind = xreallocarray(l->ind, cap, sizeof *l->ind);
	}
	l->g[l->n] = b;
	l->ind[l->n++] = ind;
}

static lay_t
lay_one(pp_box_t *b)
{
	lay_t l = { 0, NULL, NULL };

	lay_add(&l, b, 0);
	return l;
}

/* Append m's boxes, indented by ind more; consumes m. */
static void
lay_cat(lay_t *l, lay_t *m, int ind)
{
	int i;

	for (i = 0; i < m->n; i++)
		lay_add(l, m->g[i], m->ind[i] + ind);
	free(m->g);
	free(m->ind);
}

static void
lay_free(lay_t *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		pp_box_free(l->g[i]);
	free(l->g);
	free(l->ind);
}

static int
lay_width(const lay_t *l)
{
	int i, w = 0;

	for (i = 0; i < l->n; i++)
		if (l->ind[i] + l->g[i]->width > w)
			w = l->ind[i] + l->g[i]->width;
	return w;
}

/* pre, then m: m's first box beside pre when it fits in w, the others at
 * hang; else pre alone and m below at hang. Consumes both. */
static lay_t
lay_lead(pp_box_t *pre, lay_t m, int hang, int w)
{
	lay_t l = { 0, NULL, NULL };
	int i;

	if (m.n > 0 && m.ind[0] == 0 && pre->width + m.g[0]->width <= w) {
		lay_add(&l, pp_box_hcat2(pre, m.g[0]), 0);
		for (i = 1; i < m.n; i++)
			lay_add(&l, m.g[i], m.ind[i] + hang);
		free(m.g);
		free(m.ind);
		return l;
	}
	lay_add(&l, pre, 0);
	lay_cat(&l, &m, hang);
	return l;
}

/* s after the last box of l. */
static void
lay_suffix(lay_t *l, const char *s)
{
	l->g[l->n - 1] = pp_box_hcat2(l->g[l->n - 1], pp_box_text(s));
}

/* The layout's boxes as one box, flush left at their indents; the
 * baseline is the first box's. Consumes l. */
static pp_box_t *
lay_flatten(lay_t *l)
{
	pp_box_t *o;
	int i;

	for (i = 0; i < l->n; i++)
		if (l->ind[i] > 0)
			l->g[i] = pp_box_hcat2(pp_box_take(xasprintf("%*s",
			    l->ind[i], "")), l->g[i]);
	o = pp_box_vcat(l->g, l->n, 0, false);
	free(l->g);
	free(l->ind);
	return o;
}

static lay_t lay_expr(const expr_t *e, pp_style_t st, int w, int min,
    int follow);

/* An empty name: stands in for the part of a node drawn elsewhere. */
static void
placeholder(expr_t *ph)
{
	memset(ph, 0, sizeof *ph);
	ph->kind = EX_NAME;
	ph->u.name.name = "";
	ph->u.name.slot = -1;
}

/* Does node x continue a chain of e's operator family? */
static bool
same_chain(const expr_t *e, const expr_t *x, pp_style_t st)
{
	switch (e->kind) {
	case EX_ADD: case EX_SUB:
		return x->kind == EX_ADD || x->kind == EX_SUB;
	case EX_MUL: case EX_MOD:
		return x->kind == EX_MUL || x->kind == EX_MOD;
	case EX_IDIV:
		return st != PP_UNICODE && (x->kind == EX_MUL ||
		    x->kind == EX_MOD || x->kind == EX_IDIV);
	default:
		return x->kind == e->kind;
	}
}

/* a op b op c ...: as many operands a line as fit, the next lines
 * starting with their operator, indented by 2. */
static lay_t
lay_chain(const expr_t *e, pp_style_t st, int w, int follow)
{
	const expr_t **ops, *x;
	expr_kind_t *kinds;
	int n = 1, i, lv = pp_level(e, st), ind = 0;
	lay_t l = { 0, NULL, NULL };
	pp_box_t *cur = NULL;

	for (x = e; same_chain(e, x, st); x = x->u.op.a)
		n++;
	ops = xcalloc((size_t)n, sizeof(*ops));
	kinds = xcalloc((size_t)n, sizeof(*kinds));
	n = 0;
	for (x = e; same_chain(e, x, st); x = x->u.op.a) {  /* right to left */
		ops[n] = x->u.op.b;
		kinds[n++] = x->kind;
	}
	ops[n++] = x;
	for (i = n - 1; i >= 0; i--) {
		int min = i == n - 1 ? lv : lv + 1;
		int fw = i == n - 1 ? lv : i == 0 ? follow : lv;
		/* " op " within a line, "op " at the start of one */
		const char *op = i < n - 1 ? pp_op_drawn(kinds[i], st) : "";
		const char *sep = *op != '\0' ? op + 1 : op;
		pp_box_t *b = pp_render(ops[i], st, min, fw);
		int sw = utf8_width(sep);

		if (cur != NULL &&
		    ind + cur->width + utf8_width(op) + b->width <= w) {
			cur = pp_box_hcat3(cur, pp_box_text(op), b);
			continue;
		}
		if (cur != NULL) {
			lay_add(&l, cur, ind);
			cur = NULL;
		}
		ind = i < n - 1 ? 2 : 0;        /* the next lines: "op operand" */
		if (ind + sw + b->width <= w)
			cur = pp_box_hcat2(pp_box_text(sep), b);
		else {
			lay_t m;

			pp_box_free(b);
			m = lay_expr(ops[i], st, w - ind - sw, min, fw);
			m = lay_lead(pp_box_text(sep), m, sw, w - ind);
			lay_cat(&l, &m, ind);
		}
	}
	if (cur != NULL)
		lay_add(&l, cur, ind);
	free(ops);
	free(kinds);
	return l;
}

/* Σ over its indices, its body beside it (lines aligned after Σ) or,
 * when that does not fit, below it. */
static lay_t
lay_sum(const expr_t *e, pp_style_t st, int w, int follow)
{
	expr_t head = *e, ph;
	pp_box_t *hb, *p[2];
	lay_t m;

	placeholder(&ph);
	head.u.sum.body = &ph;
	hb = expr_render(&head, st);     /* "Σ " over its indices (and where) */
	if (hb->width > w && e->u.sum.where != NULL) {  /* break the where */
		lay_t wl;

		pp_box_free(hb);
		head.u.sum.where = NULL;
		wl = lay_expr(e->u.sum.where, st, w, LV_OPEN, 0);
		p[0] = expr_render(&head, st);
		p[1] = lay_flatten(&wl);
		hb = pp_box_vcat(p, 2, 0, true);
	}
	m = lay_expr(e->u.sum.body, st, w - hb->width, LV_MUL, follow);
	if (lay_width(&m) <= w - hb->width)
		return lay_lead(hb, m, hb->width, w);
	lay_free(&m);
	m = lay_expr(e->u.sum.body, st, w - 2, LV_MUL, follow);
	return lay_lead(hb, m, 2, w);
}

/* ∂(EXPR)/∂x as ∂/∂x (EXPR), EXPR broken in its parentheses. */
static lay_t
lay_deriv(const expr_t *e, pp_style_t st, int w)
{
	expr_t frac = *e, ph;
	const expr_t *num = e->u.deriv.num;
	pp_box_t *fb;
	lay_t m;

	if (num == NULL || num->kind == EX_NAME || num->kind == EX_ACCESS)
		return lay_one(expr_render(e, st));
	placeholder(&ph);
	frac.u.deriv.num = &ph;
	fb = pp_box_hcat2(expr_render(&frac, st), pp_box_text(" ("));
	m = lay_expr(num, st, w - 3, LV_OPEN, 0);
	lay_suffix(&m, ")");
	return lay_lead(fb, m, 2, w);
}

/* if A then B else C, on three lines. */
static lay_t
lay_if(const expr_t *e, pp_style_t st, int w)
{
	static const char *const kw[3] = { "if ", "then ", "else " };
	const expr_t *part[3] = { e->u.op.a, e->u.op.b, e->u.op.c };
	lay_t l = { 0, NULL, NULL }, m;
	int i, kw_w;

	for (i = 0; i < 3; i++) {
		kw_w = (int)strlen(kw[i]);
		m = lay_expr(part[i], st, w - 2 - kw_w, LV_OPEN, 0);
		m = lay_lead(pp_box_text(kw[i]), m, kw_w, w - (i ? 2 : 0));
		lay_cat(&l, &m, i ? 2 : 0);
	}
	return l;
}

/* name[a, b, ...], fn(a, b, ...), x ∈ [a, b]: open, then the arguments
 * (in context min) that fit on a line, the next lines aligned after open.
 * Consumes open. */
static lay_t
lay_args(pp_box_t *open, expr_t *const *args, int n, const char *sep,
    const char *close, int min, pp_style_t st, int w)
{
	int ow = open->width, i, ind = 0;
	lay_t l = { 0, NULL, NULL }, m;
	pp_box_t *cur = open, *b;
	bool bare = true;               /* cur is the bracket alone */

	for (i = 0; i < n; i++) {
		const char *tail = i < n - 1 ? sep : close;

		b = pp_box_hcat2(pp_render(args[i], st, min, 0),
		    pp_box_text(tail));
		if (cur != NULL && ind + cur->width + b->width <= w) {
			cur = pp_box_hcat2(cur, b);
			bare = false;
			continue;
		}
		if (cur != NULL && !bare) {
			lay_add(&l, cur, ind);
			cur = NULL;
			ind = ow;
		}
		if (cur == NULL && ow + b->width <= w) {
			cur = b;
			bare = false;
			continue;
		}
		pp_box_free(b);         /* too wide alone: break it too */
		m = lay_expr(args[i], st, w - ow - utf8_width(tail), min, 0);
		lay_suffix(&m, tail);
		if (cur != NULL)        /* the bracket leads it */
			m = lay_lead(cur, m, ow, w);
		lay_cat(&l, &m, cur != NULL ? 0 : ow);
		cur = NULL;
		ind = ow;
	}
	if (cur != NULL)
		lay_add(&l, cur, ind);
	return l;
}

/* x ∈ [a, b] (x in a..b): broken after the comma. */
static lay_t
lay_in(const expr_t *e, pp_style_t st, int w)
{
	bool u = st == PP_UNICODE;
	expr_t *ab[2] = { e->u.op.b, e->u.op.c };
	pp_box_t *open = pp_box_hcat2(pp_render(e->u.op.a, st, LV_ADD, LV_CMP),
	    pp_box_text(u ? " ∈ [" : " in "));

	return lay_args(open, ab, 2, u ? ", " : "..", u ? "]" : "", LV_ADD, st,
	    w);
}

/* name[args] or fn(args), broken between the arguments. */
static lay_t
lay_bracketed(const char *name, const char *open, expr_t *const *args,
    int n, const char *sep, const char *close, pp_style_t st, int w)
{
	return lay_args(pp_box_take(xasprintf("%s%s", name, open)), args, n,
	    sep, close, LV_OPEN, st, w);
}

/* e, which needs no parentheses in its context, broken to fit w where its
 * kind can be. */
static lay_t
lay_node(const expr_t *e, pp_style_t st, int w, int follow)
{
	lay_t m;
	bool u = st == PP_UNICODE;

	switch (e->kind) {
	case EX_ADD: case EX_SUB: case EX_MUL: case EX_MOD: case EX_AND:
	case EX_OR:
		return lay_chain(e, st, w, follow);
	case EX_IDIV:
		if (u)
			break;
		return lay_chain(e, st, w, follow);
	case EX_SUM: return lay_sum(e, st, w, follow);
	case EX_DERIV: return lay_deriv(e, st, w);
	case EX_IF: return lay_if(e, st, w);
	case EX_NOT:
		m = lay_expr(e->u.op.a, st, w - 4, LV_NOT, follow);
		return lay_lead(pp_box_text("not "), m, 4, w);
	case EX_NEG:
		m = lay_expr(e->u.op.a, st, w - 1, LV_NEG, follow);
		return lay_lead(pp_box_text("-"), m, 1, w);
	case EX_IN: return lay_in(e, st, w);
	case EX_ACCESS:
		return lay_bracketed(e->u.access.tensor, "[", e->u.access.args,
		    e->u.access.nargs, ",", "]", st, w);
	case EX_CALL:
		if (u && (e->u.call.id == EXPR_FN_ABS ||
		    e->u.call.id == EXPR_FN_SQUARE))
			break;
		return lay_bracketed(e->u.call.fn, "(", e->u.call.args,
		    e->u.call.nargs, ", ", ")", st, w);
	default:
		break;
	}
	return lay_one(pp_render(e, st, LV_OPEN, follow));  /* unbreakable */
}

/* e in context (min, follow) in w columns where it can be. */
static lay_t
lay_expr(const expr_t *e, pp_style_t st, int w, int min, int follow)
{
	pp_box_t *b = pp_render(e, st, min, follow);
	lay_t m;

	if (b->width <= w || w < 8)
		return lay_one(b);
	pp_box_free(b);
	if (!pp_needs_paren(e, st, min, follow))
		return lay_node(e, st, w, follow);
	m = lay_node(e, st, w - 2, 0);
	m = lay_lead(pp_box_text("("), m, 1, w);
	lay_suffix(&m, ")");
	return m;
}

/* A let's left side, "let t[i < A, j < B]": on one line when it fits in
 * w, else one dimension a line, aligned under the first (each bound drawn
 * as pp_render_let_lhs draws it). */
static lay_t
lay_let_lhs(const claim_t *c, pp_style_t st, int w)
{
	pp_box_t *b = pp_render_let_lhs(c, st);
	lay_t l = { 0, NULL, NULL };
	int i, ind;

	if (b->width <= w || c->ndims < 2)
		return lay_one(b);
	pp_box_free(b);
	b = pp_box_take(xasprintf("let %s[", c->lhs->u.access.tensor));
	ind = b->width;
	for (i = 0; i < c->ndims; i++) {
		pp_box_t *d = pp_box_hcat3(pp_render(c->lhs->u.access.args[i], st,
		    LV_OPEN, 0), pp_box_text(" < "),
		    pp_render(c->dims[i], st, LV_ADD, 0));

		d = pp_box_hcat2(d, pp_box_text(i + 1 < c->ndims ? "," : "]"));
		if (i == 0)
			lay_add(&l, pp_box_hcat2(b, d), 0);
		else
			lay_add(&l, d, ind);
	}
	return l;
}

pp_box_t *
claim_render_fit(const claim_t *c, pp_style_t st, int max_width)
{
	pp_box_t *whole = claim_render(c, st);
	int w = max_width;
	lay_t l, m;

	if (whole->width <= w)
		return whole;
	pp_box_free(whole);
	if (c->kind == CLAIM_LET)
		l = lay_let_lhs(c, st, w);
	else
		l = lay_expr(c->lhs, st, w, LV_OPEN, 0);
	if (c->kind == CLAIM_KERNEL)
		m = lay_one(pp_box_take(xasprintf("kernel %s",
		    claim_kernel_name(c->kernel))));
	else
		m = lay_expr(c->rhs, st, w - 4, LV_OPEN, 0);
	if (l.n == 1 && m.g[0]->width + l.g[0]->width + 3 <= w) {
		pp_box_t *lhs = pp_box_hcat2(l.g[0], pp_box_text(" = "));

		free(l.g);
		free(l.ind);
		l = lay_lead(lhs, m, 4, w);
	} else {                /* lhs, then "= rhs" below it */
		m = lay_lead(pp_box_text("= "), m, 2, w - 2);
		lay_cat(&l, &m, 2);
	}
	if (c->where != NULL) {
		m = lay_expr(c->where, st, w - 4, LV_OPEN, 0);
		m = lay_lead(pp_box_text("where "), m, 2, w - 2);
		lay_cat(&l, &m, 2);
	}
	if (c->expect_fail)
		lay_add(&l, pp_box_text("(expect fail)"), 2);
	return lay_flatten(&l);
}
