/*
 * expr-mathml.c: claims as presentation MathML, for the HTML handouts
 * (convgrad show --format html), from the parsed AST like every other
 * rendering (what is shown is what is checked):
 *   ∂a/∂b and a/b as <mfrac>, ⌊a/b⌋ for //, Σ as <munderover> (one per
 *   index when every index has an explicit range and there is no where)
 *   or <munder> with the indices and the where stacked beneath, names'
 *   trailing parts as subscripts (h_out1 as h with out₁ beneath, as the
 *   LaTeX printer writes h_{out_1}), tensor accesses as the tensor with
 *   its indices as a subscript, and if/then/else chains as cases: a brace
 *   and a two-column table (value, condition).
 * Parentheses follow the 2-D Unicode printer's rules (pp_needs_paren with
 * PP_UNICODE: a fraction and ⌊a/b⌋ group themselves), so every rendering
 * groups alike. Every name passes through escape_xml, though the lexer
 * only admits identifiers: the page stays well-formed whatever a future
 * name holds.
 */
#include "expr-int.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "util.h"

#define MATHML_NS "http://www.w3.org/1998/Math/MathML"

static void mml(sbuf_t *s, const expr_t *e, int min, int follow);

static void
mml_tok(sbuf_t *s, const char *tag, const char *text, size_t n)
{
	sbuf_addf(s, "<%s>", tag);
	escape_xml(s, text, n);
	sbuf_addf(s, "</%s>", tag);
}

static void
mml_mo(sbuf_t *s, const char *op)
{
	mml_tok(s, "mo", op, strlen(op));
}

/* A run of letters (and underscores) or of digits as a token: digits are
 * <mn>, the rest <mi>. */
static void
mml_part(sbuf_t *s, const char *p, size_t n)
{
	bool digits = n > 0 && p[0] >= '0' && p[0] <= '9';

	mml_tok(s, digits ? "mn" : "mi", p, n);
}

/* h_out1 -> h with (out with 1 beneath) beneath, b1 -> b with 1 beneath,
 * C_in -> C with in beneath: the LaTeX printer's h_{out_1}, b_1, C_{in}.
 * A name without such parts (strh, _x) is one <mi>. */
static void
mml_name(sbuf_t *s, const char *name)
{
	size_t n = strlen(name), d = n;
	const char *us;

	while (d > 1 && name[d - 1] >= '0' && name[d - 1] <= '9')
		d--;
	us = memchr(name, '_', d);
	if (us == NULL || us == name || (size_t)(us - name) + 1 == d) {
		if (d == n) {
			mml_part(s, name, n);
			return;
		}
		sbuf_add(s, "<msub>");
		mml_part(s, name, d);
		mml_part(s, name + d, n - d);
		sbuf_add(s, "</msub>");
		return;
	}
	sbuf_add(s, "<msub>");
	mml_part(s, name, (size_t)(us - name));
	if (d < n) {
		sbuf_add(s, "<msub>");
		mml_part(s, us + 1, d - (size_t)(us - name) - 1);
		mml_part(s, name + d, n - d);
		sbuf_add(s, "</msub>");
	} else {
		mml_part(s, us + 1, d - (size_t)(us - name) - 1);
	}
	sbuf_add(s, "</msub>");
}

/* A tensor's name as written (input_nhwc stays one word). */
static void
mml_tensor(sbuf_t *s, const char *name)
{
	mml_tok(s, "mi", name, strlen(name));
}

static void
mml_list(sbuf_t *s, expr_t *const *args, int n)
{
	int i;

	sbuf_add(s, "<mrow>");
	for (i = 0; i < n; i++) {
		if (i > 0)
			mml_mo(s, ",");
		mml(s, args[i], LV_OPEN, 0);
	}
	sbuf_add(s, "</mrow>");
}

/* t[a, b] as t with "a,b" as its subscript. */
static void
mml_access(sbuf_t *s, const expr_t *e)
{
	sbuf_add(s, "<msub>");
	mml_tensor(s, e->u.access.tensor);
	mml_list(s, e->u.access.args, e->u.access.nargs);
	sbuf_add(s, "</msub>");
}

/* (inner), with fences that stretch to what they enclose. */
static void
mml_open(sbuf_t *s, const char *l)
{
	sbuf_add(s, "<mrow>");
	mml_mo(s, l);
}

static void
mml_close(sbuf_t *s, const char *r)
{
	mml_mo(s, r);
	sbuf_add(s, "</mrow>");
}

/* ∂x: f, a tensor alone, an access, or (EXPR). */
static void
mml_partial(sbuf_t *s, const expr_t *x)
{
	sbuf_add(s, "<mrow>");
	mml_mo(s, "∂");
	if (x == NULL) {
		mml_tok(s, "mi", "f", 1);
	} else if (x->kind == EX_NAME) {
		mml_tensor(s, x->u.name.name);
	} else if (x->kind == EX_ACCESS) {
		mml_access(s, x);
	} else {
		mml_open(s, "(");
		mml(s, x, LV_OPEN, 0);
		mml_close(s, ")");
	}
	sbuf_add(s, "</mrow>");
}

static void
mml_range(sbuf_t *s, const expr_t *lo, const expr_t *hi)
{
	mml_mo(s, "∈");
	mml_open(s, "[");
	mml(s, lo, LV_ADD, 0);
	mml_mo(s, ",");
	mml(s, hi, LV_ADD, 0);
	mml_close(s, "]");
}

/* Σ with one index per operator: Σ_{k=lo}^{hi} for each. */
static void
mml_sum_nested(sbuf_t *s, const expr_t *e)
{
	int i;

	for (i = 0; i < e->u.sum.n; i++) {
		const expr_index_t *ix = &e->u.sum.idx[i];

		sbuf_add(s, "<munderover>");
		mml_mo(s, "∑");
		sbuf_add(s, "<mrow>");
		mml_name(s, ix->name);
		mml_mo(s, "=");
		mml(s, ix->range.lo, LV_ADD, 0);
		sbuf_add(s, "</mrow>");
		mml(s, ix->range.hi, LV_ADD, 0);
		sbuf_add(s, "</munderover>");
	}
}

/* Σ with every index beneath (ranges where given), the where below them
 * (LaTeX's \substack). */
static void
mml_sum_under(sbuf_t *s, const expr_t *e)
{
	int i;

	sbuf_add(s, "<munder>");
	mml_mo(s, "∑");
	if (e->u.sum.where != NULL)
		sbuf_add(s, "<mtable><mtr><mtd>");
	sbuf_add(s, "<mrow>");
	for (i = 0; i < e->u.sum.n; i++) {
		const expr_index_t *ix = &e->u.sum.idx[i];

		if (i > 0)
			mml_mo(s, ",");
		mml_name(s, ix->name);
		if (ix->range.lo != NULL)
			mml_range(s, ix->range.lo, ix->range.hi);
	}
	sbuf_add(s, "</mrow>");
	if (e->u.sum.where != NULL) {
		sbuf_add(s, "</mtd></mtr><mtr><mtd>");
		mml(s, e->u.sum.where, LV_OPEN, 0);
		sbuf_add(s, "</mtd></mtr></mtable>");
	}
	sbuf_add(s, "</munder>");
}

static void
mml_sum(sbuf_t *s, const expr_t *e, int fw)
{
	bool nested = e->u.sum.where == NULL;
	int i;

	for (i = 0; i < e->u.sum.n; i++)
		nested = nested && e->u.sum.idx[i].range.lo != NULL;
	sbuf_add(s, "<mrow>");
	if (nested)
		mml_sum_nested(s, e);
	else
		mml_sum_under(s, e);
	mml(s, e->u.sum.body, LV_MUL, fw);
	sbuf_add(s, "</mrow>");
}

static void
mml_case_row(sbuf_t *s, const expr_t *value, const expr_t *cond)
{
	sbuf_add(s, "<mtr><mtd>");
	mml(s, value, LV_OPEN, 0);
	sbuf_add(s, "</mtd><mtd>");
	if (cond != NULL) {
		sbuf_add(s, "<mrow><mtext>if</mtext><mspace width=\"0.4em\"/>");
		mml(s, cond, LV_OPEN, 0);
		sbuf_add(s, "</mrow>");
	} else {
		sbuf_add(s, "<mtext>otherwise</mtext>");
	}
	sbuf_add(s, "</mtd></mtr>");
}

/* if a then b else if c then d else e: a brace and one row per case, the
 * else-if chain flattened. */
static void
mml_cases(sbuf_t *s, const expr_t *e)
{
	sbuf_add(s, "<mrow><mo stretchy=\"true\">{</mo><mtable class=\"cases\" "
	    "columnalign=\"left\" columnspacing=\"1em\">");
	for (; e->kind == EX_IF; e = e->u.op.c)
		mml_case_row(s, e->u.op.b, e->u.op.a);
	mml_case_row(s, e, NULL);
	sbuf_add(s, "</mtable></mrow>");
}

/* square(x) as x², with x in parentheses unless it is one unit (a name,
 * a number, a call): an access too gets them, as in LaTeX, so that its
 * index and the power are not read together. */
static void
mml_square(sbuf_t *s, const expr_t *x)
{
	bool bare = x->kind == EX_NAME || x->kind == EX_INT ||
	    x->kind == EX_REAL || (x->kind == EX_CALL &&
	    x->u.call.id != EXPR_FN_SQUARE);

	sbuf_add(s, "<msup>");
	if (!bare)
		mml_open(s, "(");
	mml(s, x, LV_OPEN, 0);
	if (!bare)
		mml_close(s, ")");
	sbuf_add(s, "<mn>2</mn></msup>");
}

/* |x|, x², and f(a, b) for the others (min max tanh exp log relu). */
static void
mml_call(sbuf_t *s, const expr_t *e)
{
	if (e->u.call.id == EXPR_FN_ABS) {
		mml_open(s, "|");
		mml(s, e->u.call.args[0], LV_OPEN, 0);
		mml_close(s, "|");
		return;
	}
	if (e->u.call.id == EXPR_FN_SQUARE) {
		mml_square(s, e->u.call.args[0]);
		return;
	}
	sbuf_add(s, "<mrow>");
	mml_tok(s, "mi", e->u.call.fn, strlen(e->u.call.fn));
	mml_mo(s, "\xe2\x81\xa1");       /* U+2061 FUNCTION APPLICATION */
	mml_open(s, "(");
	mml_list(s, e->u.call.args, e->u.call.nargs);
	mml_close(s, ")");
	sbuf_add(s, "</mrow>");
}

static const char *const cmp_mml[] = { "=", "≠", "<", "≤", ">", "≥" };

static void
mml_cmp(sbuf_t *s, const expr_t *e, int fw)
{
	int i;

	sbuf_add(s, "<mrow>");
	for (i = 0; i < e->u.cmp.n; i++) {
		if (i > 0)
			mml_mo(s, cmp_mml[e->u.cmp.ops[i - 1]]);
		mml(s, e->u.cmp.args[i], LV_ADD, i < e->u.cmp.n - 1 ? LV_CMP : fw);
	}
	sbuf_add(s, "</mrow>");
}

static const char *
binop_mml(expr_kind_t k)
{
	switch (k) {
	case EX_ADD: return "+";
	case EX_SUB: return "−";
	case EX_MUL: return "⋅";
	case EX_MOD: return "mod";
	case EX_AND: return "and";
	default: return "or";     /* EX_OR */
	}
}

static void
mml_binary(sbuf_t *s, const expr_t *e, int fw)
{
	int lv = pp_level(e, PP_UNICODE);

	if (e->kind == EX_DIV || e->kind == EX_IDIV) {
		if (e->kind == EX_IDIV)
			mml_open(s, "⌊");
		sbuf_add(s, "<mfrac>");
		mml(s, e->u.op.a, LV_OPEN, 0);
		mml(s, e->u.op.b, LV_OPEN, 0);
		sbuf_add(s, "</mfrac>");
		if (e->kind == EX_IDIV)
			mml_close(s, "⌋");
		return;
	}
	sbuf_add(s, "<mrow>");
	mml(s, e->u.op.a, lv, lv);
	mml_mo(s, binop_mml(e->kind));
	mml(s, e->u.op.b, lv + 1, fw);
	sbuf_add(s, "</mrow>");
}

static void
mml_unary(sbuf_t *s, const expr_t *e, int fw)
{
	sbuf_add(s, "<mrow>");
	mml_mo(s, e->kind == EX_NEG ? "−" : "not");
	mml(s, e->u.op.a, e->kind == EX_NEG ? LV_NEG : LV_NOT, fw);
	sbuf_add(s, "</mrow>");
}

static void
mml_number(sbuf_t *s, const expr_t *e)
{
	char *t = expr_text(e);    /* the canonical text: reads back the same */

	mml_tok(s, "mn", t, strlen(t));
	free(t);
}

static void
mml_node(sbuf_t *s, const expr_t *e, int fw)
{
	switch (e->kind) {
	case EX_INT: case EX_REAL: mml_number(s, e); return;
	case EX_NAME: mml_name(s, e->u.name.name); return;
	case EX_ACCESS: mml_access(s, e); return;
	case EX_NEG: case EX_NOT: mml_unary(s, e, fw); return;
	case EX_CMP: mml_cmp(s, e, fw); return;
	case EX_IN:
		sbuf_add(s, "<mrow>");
		mml(s, e->u.op.a, LV_ADD, LV_CMP);
		mml_range(s, e->u.op.b, e->u.op.c);
		sbuf_add(s, "</mrow>");
		return;
	case EX_IF: mml_cases(s, e); return;
	case EX_SUM: mml_sum(s, e, fw); return;
	case EX_CALL: mml_call(s, e); return;
	case EX_DERIV:
		sbuf_add(s, "<mfrac>");
		mml_partial(s, e->u.deriv.num);
		mml_partial(s, e->u.deriv.den);
		sbuf_add(s, "</mfrac>");
		return;
	default: mml_binary(s, e, fw); return;
	}
}

/* e where priority min is needed and an operator of priority follow comes
 * next, in parentheses when the Unicode printer would put them. */
static void
mml(sbuf_t *s, const expr_t *e, int min, int follow)
{
	bool paren = pp_needs_paren(e, PP_UNICODE, min, follow);

	if (paren)
		mml_open(s, "(");
	mml_node(s, e, paren ? 0 : follow);
	if (paren)
		mml_close(s, ")");
}

/* let t[i < n, j < m]: "let" and t with "i<n, j<m" beneath. */
static void
mml_let_lhs(sbuf_t *s, const claim_t *c)
{
	int i;

	sbuf_add(s, "<mtext>let</mtext><mspace width=\"0.4em\"/><msub>");
	mml_tensor(s, c->lhs->u.access.tensor);
	sbuf_add(s, "<mrow>");
	for (i = 0; i < c->ndims; i++) {
		if (i > 0)
			mml_mo(s, ",");
		mml_name(s, c->lhs->u.access.args[i]->u.name.name);
		mml_mo(s, "<");
		mml(s, c->dims[i], LV_ADD, 0);
	}
	sbuf_add(s, "</mrow></msub>");
}

char *
expr_mathml(const expr_t *e)
{
	sbuf_t s;

	sbuf_init(&s);
	sbuf_add(&s, "<math xmlns=\"" MATHML_NS "\">");
	mml(&s, e, LV_OPEN, 0);
	sbuf_add(&s, "</math>");
	return sbuf_take(&s);
}

/* ---- the claim, in rows ----
 * MathML is not broken into lines by the browser where it is too wide,
 * so a long claim is broken here, the way the text layout stacks one: a
 * row is about ROW_CHARS characters of the canonical text (the rendering
 * is denser than the text: subscripts are small, fractions stacked), a
 * chain of + and − on the right side is broken before an operator, a
 * right side that is no chain goes under its left side after "=", and
 * "where ..." and "(expect fail)" get a row of their own. */
#define ROW_CHARS 80
/* A table cell is in text style; a claim's rows are displayed (Σ with
 * its limits beneath, full-size fractions). */
#define ROW_OPEN "<mrow displaystyle=\"true\">"

static size_t
text_len(const expr_t *e)
{
	char *t = expr_text(e);
	size_t n = strlen(t);

	free(t);
	return n;
}

/* Close the row and open the next, indented. */
static void
mml_row_break(sbuf_t *s)
{
	sbuf_add(s, "</mrow></mtd></mtr><mtr><mtd>" ROW_OPEN
	    "<mspace width=\"2em\"/>");
}

/* rhs, a chain t0 op1 t1 op2 t2 ... of + and − (left-associative, so
 * ((t0 op1 t1) op2 t2)), broken before an operator where the row is
 * full; used is what the row holds already. Each term gets the
 * parentheses it has in the unbroken chain. */
#define CHAIN_MAX 64
static void
mml_chain_rows(sbuf_t *s, const expr_t *rhs, size_t used)
{
	const expr_t *terms[CHAIN_MAX], *e = rhs;
	expr_kind_t ops[CHAIN_MAX];
	int n = 0, i, lv = pp_level(rhs, PP_UNICODE);
	size_t len;

	while ((e->kind == EX_ADD || e->kind == EX_SUB) && n < CHAIN_MAX - 1) {
		ops[n] = e->kind;
		terms[n++] = e->u.op.b;
		e = e->u.op.a;
	}
	terms[n] = e;             /* terms[n] is t0; terms[0] the last */
	mml(s, terms[n], lv, lv);
	used += text_len(terms[n]);
	for (i = n - 1; i >= 0; i--) {
		len = text_len(terms[i]) + 3;
		if (used + len > ROW_CHARS) {
			mml_row_break(s);
			used = 4;
		}
		mml_mo(s, binop_mml(ops[i]));
		mml(s, terms[i], lv + 1, i > 0 ? lv : 0);
		used += len;
	}
}

static void
mml_claim_rhs(sbuf_t *s, const claim_t *c, size_t used)
{
	size_t len;

	if (c->kind == CLAIM_KERNEL) {
		mml_mo(s, "=");
		sbuf_addf(s, "<mtext>kernel %s</mtext>",
		    claim_kernel_name(c->kernel));
		return;
	}
	len = text_len(c->rhs);
	if (used + 3 + len > ROW_CHARS &&
	    (c->rhs->kind == EX_ADD || c->rhs->kind == EX_SUB)) {
		mml_mo(s, "=");
		mml_chain_rows(s, c->rhs, used + 3);
		return;
	}
	if (used + 3 + len > ROW_CHARS)
		mml_row_break(s);
	mml_mo(s, "=");
	mml(s, c->rhs, LV_OPEN, 0);
}

/* "where COND" and "(expect fail)", on a row of their own. */
static void
mml_claim_tail(sbuf_t *s, const claim_t *c)
{
	if (c->where != NULL) {
		sbuf_add(s, "<mtext>where</mtext><mspace width=\"0.4em\"/>");
		mml(s, c->where, LV_OPEN, 0);
	}
	if (c->expect_fail)
		sbuf_add(s, "<mspace width=\"1em\"/><mtext>(expect fail)</mtext>");
}

char *
claim_mathml(const claim_t *c)
{
	char *text = claim_text(c);
	sbuf_t s;

	sbuf_init(&s);
	sbuf_add(&s, "<math xmlns=\"" MATHML_NS "\" display=\"block\" alttext=\"");
	escape_xml(&s, text, strlen(text));
	free(text);
	sbuf_add(&s, "\"><mtable class=\"rows\" columnalign=\"left\"><mtr><mtd>"
	    ROW_OPEN);
	if (c->kind == CLAIM_LET)
		mml_let_lhs(&s, c);
	else
		mml(&s, c->lhs, LV_OPEN, 0);
	mml_claim_rhs(&s, c, c->kind == CLAIM_LET ? 0 : text_len(c->lhs));
	if (c->where != NULL || c->expect_fail) {
		mml_row_break(&s);
		mml_claim_tail(&s, c);
	}
	sbuf_add(&s, "</mrow></mtd></mtr></mtable></math>");
	return sbuf_take(&s);
}
