/*
 * expr-parse.c: the check language's parser and binder, after Lua's
 * lparser.c: recursive descent, one function per grammar rule with the
 * rule above it, a priority table for the binary operators, a depth guard,
 * and errors that say what was expected and where the open bracket was.
 *
 * Errors unwind with longjmp to claim_parse(): every node lives in the
 * claim's arena, so dropping the arena frees everything; nothing between
 * setjmp and longjmp owns malloc'd memory.
 *
 * After parsing, the binder resolves index variables to frame slots, finds
 * the free variables in order of first appearance, and infers each
 * variable's range from a tensor position it indexes alone (or, for a free
 * variable, from a conjunct `x in A..B` of the claim's where).
 */
#include "expr-int.h"
#include "expr-lex.h"

#include <assert.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "util.h"

/* Nesting (brackets, calls, prefix operators) more than MAX_DEPTH deep is
 * refused while parsing, so the parser's own recursion is bounded.
 * MAX_HEIGHT bounds the tree: a chain a + b + c + ... is parsed by a loop
 * but builds a left spine as tall as it is long, which the binder, the
 * printers and the evaluator walk recursively. A real claim is under 50
 * levels tall; 2000 levels cost the deepest walker (the evaluator) about
 * 0.5 MB of stack in an optimised build and 2.8 MB under AddressSanitizer
 * (measured: 8 MB overflow at ~32,000 and ~5,500 levels), so every walker
 * stays well inside the 8 MB main-thread stack. */
#define MAX_DEPTH 200
#define MAX_HEIGHT 2000
#define SLOT_UNRESOLVED (-2)
/* For the message at an unknown function (the table is functions[]). */
#define FUNCTION_LIST "sum, min, max, abs, tanh, exp, log, relu and square"

typedef struct parser {
	lexer_t lx;
	token_t tok;                /* the current token */
	const char *text, *file;
	int line0, col0;            /* where text starts in the file */
	arena_t *a;
	claim_t *c;
	expr_scope_t *sc;
	int depth;
	int height;                 /* height of the tree subexpr last built */
	char *err;
	jmp_buf jb;
} parser_t;

/* A growable array of pointers in the arena (grown by copying). */
typedef struct vec {
	void **v;
	int n, cap;
} vec_t;

static void
vec_push(parser_t *p, vec_t *v, void *x)
{
	if (v->n == v->cap) {
		void **nv;

		v->cap = v->cap ? 2 * v->cap : 4;
		nv = arena_alloc(p->a, (size_t)v->cap * sizeof(void *));
		if (v->n > 0)
			memcpy(nv, v->v, (size_t)v->n * sizeof(void *));
		v->v = nv;
	}
	v->v[v->n++] = x;
}

/* ---- errors ---- */

/* Byte offset in the text of the character at line:col of the file. */
static size_t
offset_of(const parser_t *p, int line, int col)
{
	lexer_t lx;

	lex_init(&lx, p->text, p->line0, p->col0);
	while (p->text[lx.pos] != '\0' &&
	    (lx.line < line || (lx.line == line && lx.col < col))) {
		unsigned char ch = (unsigned char)p->text[lx.pos++];

		if (ch == '\n')
			lx.line++, lx.col = 1;
		else if ((ch & 0xc0) != 0x80)
			lx.col++;
	}
	return lx.pos;
}

/* How much of a long line a parse error quotes on each side of the caret
 * (bytes; the cut moves to a character boundary). */
#define CARET_CONTEXT 60

/* The start of the character holding byte i of text (not before lo). */
static size_t
char_start(const char *text, size_t i, size_t lo)
{
	while (i > lo && ((unsigned char)text[i] & 0xc0) == 0x80)
		i--;
	return i;
}

/* "  <source line>\n  <spaces>^": the line holding off, a caret under it.
 * The line is shown through escape_visible (an invalid UTF-8 byte or a
 * control character as \xNN), and the caret counts each escape's four
 * columns; tabs are copied, so the caret lines up whatever the tab width.
 * A line longer than the terminal is cut to CARET_CONTEXT bytes each side
 * of the caret, "..." marking each cut. */
static void
add_caret(sbuf_t *b, const char *text, size_t off)
{
	size_t start = off, end = off, i, n;
	bool cut_l = false, cut_r = false;

	while (start > 0 && text[start - 1] != '\n')
		start--;
	while (text[end] != '\0' && text[end] != '\n')
		end++;
	if (off - start > CARET_CONTEXT) {
		start = char_start(text, off - CARET_CONTEXT, start);
		cut_l = true;
	}
	if (end - off > CARET_CONTEXT) {
		end = char_start(text, off + CARET_CONTEXT, off);
		cut_r = true;
	}
	sbuf_add(b, cut_l ? "\n  ..." : "\n  ");
	escape_visible(b, text + start, end - start, false);
	sbuf_add(b, cut_r ? "...\n  " : "\n  ");
	if (cut_l)
		sbuf_add(b, "   ");
	for (i = start; i < off; i += n) {
		n = escape_utf8_len(text + i, off - i);
		if (n == 0)
			n = 1;          /* an invalid byte: one escape */
		if (text[i] == '\t')
			sbuf_add(b, "\t");
		else
			sbuf_addf(b, "%*s", escape_visible(NULL, text + i, n,
			    false), "");
	}
	sbuf_add(b, "^");
}

/* Report an error at line:col of the file and unwind to claim_parse():
 * "FILE:LINE:COL: error: WHAT (near 'TOKEN')", the line, a caret. Every
 * piece that comes from the user (the file name, names in WHAT, the token,
 * the line) goes through escape_visible, so the message is valid UTF-8
 * and safe for a terminal whatever bytes the claim holds. */
static _Noreturn void __attribute__((format(printf, 4, 5)))
error_at(parser_t *p, int line, int col, const char *fmt, ...)
{
	size_t off = offset_of(p, line, col);
	lexer_t lx;
	token_t t;
	sbuf_t b;
	va_list ap;
	char *what;

	lex_init(&lx, p->text + off, line, col);
	lex_next(&lx, &t);
	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	sbuf_init(&b);
	escape_visible(&b, p->file, strlen(p->file), false);
	sbuf_addf(&b, ":%d:%d: error: ", line, col);
	escape_visible(&b, what, strlen(what), false);
	free(what);
	if (t.kind == TK_EOF) {
		sbuf_add(&b, " (at end of claim)");
	} else {
		sbuf_add(&b, " (near '");
		escape_visible(&b, p->text + off + t.off, t.len, false);
		sbuf_add(&b, "')");
	}
	add_caret(&b, p->text, off + t.off);
	p->err = sbuf_take(&b);
	longjmp(p->jb, 1);
}

#define error_tok(p, t, ...) error_at((p), (t)->line, (t)->col, __VA_ARGS__)
#define error_node(p, e, ...) error_at((p), (e)->line, (e)->col, __VA_ARGS__)

/* ---- tokens ---- */

static void
next(parser_t *p)
{
	lex_next(&p->lx, &p->tok);
	if (p->tok.kind == TK_ERROR)
		error_tok(p, &p->tok, "%s", p->tok.msg);
}

/* The kind of the token after the current one. */
static tok_kind_t
peek(const parser_t *p)
{
	lexer_t lx = p->lx;
	token_t t;

	lex_next(&lx, &t);
	return t.kind;
}

static bool
accept(parser_t *p, tok_kind_t k)
{
	if (p->tok.kind != k)
		return false;
	next(p);
	return true;
}

static void
expect(parser_t *p, tok_kind_t k, const char *where)
{
	if (p->tok.kind != k)
		error_tok(p, &p->tok, "%s expected%s", lex_kind_name(k), where);
	next(p);
}

/* Close the bracket opened by `open`: "')' expected to close '(' at ...". */
static void
check_match(parser_t *p, tok_kind_t close, const token_t *open)
{
	if (p->tok.kind != close)
		error_tok(p, &p->tok, "%s expected to close %s at line %d, column %d",
		    lex_kind_name(close), lex_kind_name(open->kind), open->line,
		    open->col);
	next(p);
}

static const char *
tok_str(parser_t *p, const token_t *t)
{
	return arena_strndup(p->a, p->text + t->off, t->len);
}

/* A name token (not a reserved word) naming `what`. */
static token_t
expect_name(parser_t *p, const char *what)
{
	token_t t = p->tok;

	if (t.kind >= TK_SUM)
		error_tok(p, &t, "'%.*s' is a reserved word and cannot name %s",
		    (int)t.len, p->text + t.off, what);
	if (t.kind != TK_NAME)
		error_tok(p, &t, "a name expected for %s", what);
	next(p);
	return t;
}

static expr_t *
new_node(parser_t *p, expr_kind_t k, int line, int col)
{
	expr_t *e = arena_alloc(p->a, sizeof(*e));

	e->kind = k;
	e->line = line;
	e->col = col;
	return e;
}

/* ---- expressions ---- */

static expr_t *expr(parser_t *p);
static expr_t *subexpr(parser_t *p, int limit);

/* Rank of a tensor name (built-in, strides or let), 0 if none. */
static int
tensor_rank(const parser_t *p, const char *name, int *flags)
{
	int r, fl = 0;

	r = expr_builtin_rank(name, &fl);
	if (r == 0) {
		r = expr_scope_rank(p->sc, name);
		fl = TN_COMPUTED;
	}
	if (flags != NULL)
		*flags = fl;
	return r;
}

/* arglist = expr { "," expr } ; closed by `close`, opened by `open` */
static expr_t **
arglist(parser_t *p, const token_t *open, tok_kind_t close, int *n)
{
	vec_t v = { 0 };

	do
		vec_push(p, &v, expr(p));
	while (accept(p, TK_COMMA));
	check_match(p, close, open);
	*n = v.n;
	return (expr_t **)v.v;
}

/* access = NAME "[" arglist "]" */
static expr_t *
access(parser_t *p)
{
	token_t name = p->tok, open;
	const char *s = tok_str(p, &name);
	int rank = tensor_rank(p, s, NULL);
	expr_t *e;

	if (rank == 0)
		error_tok(p, &name, "unknown tensor '%s'", s);
	next(p);
	open = p->tok;
	expect(p, TK_LBRACK, "");
	e = new_node(p, EX_ACCESS, name.line, name.col);
	e->u.access.tensor = s;
	e->u.access.args = arglist(p, &open, TK_RBRACK, &e->u.access.nargs);
	if (e->u.access.nargs != rank)
		error_tok(p, &name, "%s takes %d ind%s, not %d", s, rank,
		    rank == 1 ? "ex" : "ices", e->u.access.nargs);
	return e;
}

/* name = NAME: a constant, or an index variable (resolved by the binder) */
static expr_t *
name_expr(parser_t *p)
{
	token_t t = p->tok;
	const char *s = tok_str(p, &t);
	tok_kind_t k = peek(p);
	expr_t *e;

	if (k == TK_LBRACK)
		return access(p);
	if (k == TK_LPAREN)
		error_tok(p, &t, "unknown function '%s' (the functions are "
		    FUNCTION_LIST ")", s);
	if (tensor_rank(p, s, NULL) > 0)
		error_tok(p, &t, "the tensor '%s' needs its indices: %s[...]", s, s);
	next(p);
	e = new_node(p, EX_NAME, t.line, t.col);
	e->u.name.name = s;
	e->u.name.slot = expr_is_constant(s) ? -1 : SLOT_UNRESOLVED;
	return e;
}

/* The functions: a reserved word each, its id and how many arguments it
 * takes (max_args 0: any number from one). */
static const struct {
	tok_kind_t tok;
	expr_fn_t id;
	int max_args;
} functions[] = {
	{ TK_MIN, EXPR_FN_MIN, 0 }, { TK_MAX, EXPR_FN_MAX, 0 },
	{ TK_ABS, EXPR_FN_ABS, 1 }, { TK_TANH, EXPR_FN_TANH, 1 },
	{ TK_EXP, EXPR_FN_EXP, 1 }, { TK_LOG, EXPR_FN_LOG, 1 },
	{ TK_RELU, EXPR_FN_RELU, 1 }, { TK_SQUARE, EXPR_FN_SQUARE, 1 },
};

static int
function_index(tok_kind_t k)
{
	size_t i;

	for (i = 0; i < sizeof(functions) / sizeof(functions[0]); i++)
		if (functions[i].tok == k)
			return (int)i;
	return -1;
}

/* call = ( "min" | "max" | "abs" | "tanh" | "exp" | "log" | "relu"
 *        | "square" ) "(" arglist ")"
 * The arity is checked here, at the function's name, so a wrong count is
 * a parse error and never reaches an evaluator. */
static expr_t *
call(parser_t *p)
{
	token_t fn = p->tok, open;
	expr_t *e = new_node(p, EX_CALL, fn.line, fn.col);
	int k = function_index(fn.kind);

	assert(k >= 0);
	e->u.call.fn = tok_str(p, &fn);
	e->u.call.id = functions[k].id;
	next(p);
	open = p->tok;
	expect(p, TK_LPAREN, " after a function name");
	e->u.call.args = arglist(p, &open, TK_RPAREN, &e->u.call.nargs);
	if (functions[k].max_args == 1 && e->u.call.nargs != 1)
		error_tok(p, &fn, "%s takes 1 argument, not %d", e->u.call.fn,
		    e->u.call.nargs);
	return e;
}

/* ifexp = "if" expr "then" expr "else" expr */
static expr_t *
ifexp(parser_t *p)
{
	token_t t = p->tok;
	expr_t *e = new_node(p, EX_IF, t.line, t.col);

	next(p);
	e->u.op.a = expr(p);
	expect(p, TK_THEN, " after the condition of 'if'");
	e->u.op.b = expr(p);
	expect(p, TK_ELSE, " after 'if ... then ...'");
	e->u.op.c = expr(p);
	return e;
}

/* sumidx = NAME [ "in" subexpr ".." subexpr ] */
static expr_index_t *
sumidx(parser_t *p)
{
	expr_index_t *ix = arena_alloc(p->a, sizeof(*ix));
	token_t t = expect_name(p, "a summation index");

	ix->name = tok_str(p, &t);
	ix->line = t.line;
	ix->col = t.col;
	if (expr_is_constant(ix->name) || tensor_rank(p, ix->name, NULL) > 0)
		error_tok(p, &t, "'%s' is a %s, not an index", ix->name,
		    expr_is_constant(ix->name) ? "constant" : "tensor");
	if (accept(p, TK_IN)) {
		ix->range.lo = subexpr(p, LV_CMP);
		expect(p, TK_DOTDOT, " in 'i in A..B'");
		ix->range.hi = subexpr(p, LV_CMP);
	}
	return ix;
}

/* sumexp = "sum" "(" sumidx { "," sumidx } [ "where" expr ] ")" subexpr(ADD)
 * The body is a term: sum(i) a[i] * b[i] + c is (sum of a*b) + c. */
static expr_t *
sumexp(parser_t *p)
{
	token_t t = p->tok, open;
	expr_t *e = new_node(p, EX_SUM, t.line, t.col);
	vec_t v = { 0 };
	int i;

	next(p);
	open = p->tok;
	expect(p, TK_LPAREN, " after 'sum'");
	do
		vec_push(p, &v, sumidx(p));
	while (accept(p, TK_COMMA));
	if (accept(p, TK_WHERE))
		e->u.sum.where = expr(p);
	check_match(p, TK_RPAREN, &open);
	e->u.sum.n = v.n;
	e->u.sum.idx = arena_alloc(p->a, (size_t)v.n * sizeof(expr_index_t));
	for (i = 0; i < v.n; i++)
		e->u.sum.idx[i] = *(expr_index_t *)v.v[i];
	e->u.sum.body = subexpr(p, LV_ADD);
	return e;
}

/* Does e read a tensor that d (EXPR) / d T could not keep in step (output,
 * the layout copies, a let)? Returns that access or NULL. */
static const expr_t *
reads_computed(const parser_t *p, const expr_t *e, bool output_ok);

/* Visit e and its children until fn returns true (then true). */
typedef bool (*visit_fn)(const expr_t *e, void *ud);
static bool walk(const expr_t *e, visit_fn fn, void *ud);

/* numer = "f" | "(" expr ")" | access   (after "d") */
static expr_t *
numer(parser_t *p)
{
	token_t open = p->tok;
	expr_t *e;

	if (accept(p, TK_F))
		return NULL;
	if (accept(p, TK_LPAREN)) {
		e = expr(p);
		check_match(p, TK_RPAREN, &open);
		if (e->kind == EX_ACCESS && strcmp(e->u.access.tensor, "output") == 0)
			return e;      /* d (output[...]) is d output[...] */
		return e;
	}
	if (p->tok.kind == TK_NAME && peek(p) == TK_LBRACK) {
		e = access(p);
		if (strcmp(e->u.access.tensor, "output") != 0)
			error_node(p, e, "only output[...], f or a parenthesised "
			    "expression can be differentiated: write d (%s[...]) / d ...",
			    e->u.access.tensor);
		return e;
	}
	error_tok(p, &p->tok, "'f', output[...] or '(' expected after 'd'");
}

/* denom = NAME [ "[" arglist "]" ]   (after "/ d") */
static expr_t *
denom(parser_t *p, bool allow_bare)
{
	token_t t = p->tok;
	const char *s;
	expr_t *e;

	if (t.kind != TK_NAME)
		error_tok(p, &t, "a tensor expected after 'd'");
	s = tok_str(p, &t);
	if (peek(p) == TK_LBRACK)
		return access(p);
	if (tensor_rank(p, s, NULL) == 0)
		error_tok(p, &t, "unknown tensor '%s'", s);
	if (!allow_bare)
		error_tok(p, &t, "'d f / d %s' without indices is a kernel claim's "
		    "left side only; inside an expression write %s[...]", s, s);
	next(p);
	e = new_node(p, EX_NAME, t.line, t.col);
	e->u.name.name = s;
	e->u.name.slot = -1;
	return e;
}

static bool
is_tensor(const expr_t *e, const char *a, const char *b, const char *c)
{
	const char *s = e->kind == EX_ACCESS ? e->u.access.tensor : e->u.name.name;

	return strcmp(s, a) == 0 || (b && strcmp(s, b) == 0) ||
	    (c && strcmp(s, c) == 0);
}

static bool
is_deriv(const expr_t *e, void *ud)
{
	(void)ud;
	return e->kind == EX_DERIV;
}

/* What may be differentiated with respect to what. True when the
 * evaluator must rerun the forward kernel for it (expr.h, rerun). */
static bool
check_deriv(parser_t *p, const expr_t *e, bool paren)
{
	const expr_t *num = e->u.deriv.num, *den = e->u.deriv.den, *bad;
	const char *dn = den->kind == EX_ACCESS ? den->u.access.tensor :
	    den->u.name.name;
	int fl = 0;

	if (num == NULL) {
		if (!is_tensor(den, "input", "weight", "bias") &&
		    !(den->kind == EX_ACCESS && is_tensor(den, "output", NULL, NULL)))
			error_node(p, den, "d f / d %s: f can be differentiated with "
			    "respect to input, weight, bias or output[...]", dn);
		return false;
	}
	if (!paren) {
		if (!is_tensor(den, "input", "weight", "bias"))
			error_node(p, den, "d output[...] / d %s: the forward kernel "
			    "is differentiated with respect to input, weight or bias", dn);
		return false;
	}
	tensor_rank(p, dn, &fl);
	if (!(fl & TN_PERTURB))
		error_node(p, den, "d (EXPR) / d %s: only input, weight, bias or df "
		    "can be perturbed", dn);
	if ((bad = reads_computed(p, num, true)) != NULL)
		error_node(p, bad, "d (EXPR) / d %s: EXPR reads %s, which is "
		    "computed from the other tensors and would not follow the "
		    "perturbation", dn, bad->u.access.tensor);
	/* A loss such as sum(...) tanh(output[...]): output follows a
	 * perturbation of input, weight or bias because the evaluator has the
	 * world rerun the real forward kernel at x+h and x-h (expr.h, rerun).
	 * A derivative inside it would perturb and restore under that rerun. */
	if (!is_tensor(den, "input", "weight", "bias") ||
	    reads_computed(p, num, false) == NULL)
		return false;
	if (walk(num, is_deriv, NULL))
		error_node(p, num, "d (EXPR) / d %s: EXPR reads output, so "
		    "it may hold no derivative of its own", dn);
	return true;
}

/* deriv = "d" numer "/" "d" denom */
static expr_t *
deriv(parser_t *p, bool allow_bare)
{
	token_t t = p->tok;
	expr_t *e = new_node(p, EX_DERIV, t.line, t.col);
	bool paren;

	next(p);
	paren = p->tok.kind == TK_LPAREN;
	e->u.deriv.num = numer(p);
	if (e->u.deriv.num != NULL && e->u.deriv.num->kind == EX_ACCESS &&
	    strcmp(e->u.deriv.num->u.access.tensor, "output") == 0)
		paren = false;
	expect(p, TK_SLASH, " in a derivative 'd ... / d ...'");
	expect(p, TK_D, " after '/' in a derivative 'd ... / d ...'");
	e->u.deriv.den = denom(p, allow_bare && e->u.deriv.num == NULL);
	e->u.deriv.rerun = check_deriv(p, e, paren);
	return e;
}

/* simpleexp = INT | REAL | name | access | "(" expr ")" | call | sumexp
 *           | ifexp | deriv */
static expr_t *
simpleexp(parser_t *p)
{
	token_t t = p->tok;
	expr_t *e;

	switch (t.kind) {
	case TK_INT:
		e = new_node(p, EX_INT, t.line, t.col);
		e->u.ival = t.ival;
		next(p);
		return e;
	case TK_REAL:
		e = new_node(p, EX_REAL, t.line, t.col);
		e->u.rval = t.rval;
		next(p);
		return e;
	case TK_NAME:
		return name_expr(p);
	case TK_LPAREN:
		next(p);
		e = expr(p);
		check_match(p, TK_RPAREN, &t);
		return e;
	case TK_MIN: case TK_MAX: case TK_ABS: case TK_TANH: case TK_EXP:
	case TK_LOG: case TK_RELU: case TK_SQUARE:
		return call(p);
	case TK_SUM:
		return sumexp(p);
	case TK_IF:
		return ifexp(p);
	case TK_D:
		return deriv(p, false);
	case TK_F:
		error_tok(p, &t, "'f' (the loss) can only be differentiated: d f / d T");
	default:
		error_tok(p, &t, "expression expected");
	}
}

/* Binary operators: priority (left-associative, so the right operand is
 * parsed with limit = priority). Comparisons chain; 'in' takes 'A..B'.
 * The priorities are the LV_* of expr-int.h, which the printers use to
 * decide parentheses: one set for both. */
static const struct {
	tok_kind_t tok;
	expr_kind_t kind;
	int prio;
} binops[] = {
	{ TK_OR, EX_OR, LV_OR }, { TK_AND, EX_AND, LV_AND },
	{ TK_EQ, EX_CMP, LV_CMP }, { TK_NE, EX_CMP, LV_CMP },
	{ TK_LT, EX_CMP, LV_CMP }, { TK_LE, EX_CMP, LV_CMP },
	{ TK_GT, EX_CMP, LV_CMP }, { TK_GE, EX_CMP, LV_CMP },
	{ TK_IN, EX_IN, LV_CMP },
	{ TK_PLUS, EX_ADD, LV_ADD }, { TK_MINUS, EX_SUB, LV_ADD },
	{ TK_STAR, EX_MUL, LV_MUL }, { TK_SLASH, EX_DIV, LV_MUL },
	{ TK_DSLASH, EX_IDIV, LV_MUL }, { TK_PERCENT, EX_MOD, LV_MUL },
};

static int
binop(tok_kind_t t)
{
	size_t i;

	for (i = 0; i < sizeof(binops) / sizeof(binops[0]); i++)
		if (binops[i].tok == t)
			return (int)i;
	return -1;
}

/* cmpchain = subexpr(CMP) cmpop subexpr(CMP) { cmpop subexpr(CMP) } */
static expr_t *
cmpchain(parser_t *p, expr_t *first)
{
	expr_t *e = new_node(p, EX_CMP, first->line, first->col);
	vec_t args = { 0 }, ops = { 0 };
	int i;

	vec_push(p, &args, first);
	while (p->tok.kind >= TK_EQ && p->tok.kind <= TK_GE) {
		vec_push(p, &ops, (void *)(uintptr_t)(p->tok.kind - TK_EQ));
		next(p);
		vec_push(p, &args, subexpr(p, LV_CMP));
	}
	e->u.cmp.n = args.n;
	e->u.cmp.args = (expr_t **)args.v;
	e->u.cmp.ops = arena_alloc(p->a, (size_t)ops.n * sizeof(cmp_op_t));
	for (i = 0; i < ops.n; i++)   /* TK_EQ..TK_GE are in CMP_EQ..CMP_GE order */
		e->u.cmp.ops[i] = (cmp_op_t)(uintptr_t)ops.v[i];
	return e;
}

/* inexp = subexpr(CMP) "in" subexpr(CMP) ".." subexpr(CMP) */
static expr_t *
inexp(parser_t *p, expr_t *x)
{
	expr_t *e = new_node(p, EX_IN, x->line, x->col);

	next(p);
	e->u.op.a = x;
	e->u.op.b = subexpr(p, LV_CMP);
	expect(p, TK_DOTDOT, " in 'x in A..B'");
	e->u.op.c = subexpr(p, LV_CMP);
	return e;
}

/* The tree built so far is h levels tall: refuse it past MAX_HEIGHT, at
 * the operator that made it so. */
static void
check_height(parser_t *p, int h, const token_t *at)
{
	if (h > MAX_HEIGHT)
		error_tok(p, at, "expression too deep: more than %d levels of "
		    "operators (split the claim, or group terms with "
		    "parentheses)", MAX_HEIGHT);
}

/* subexpr = (simpleexp | ("not" | "-") subexpr) { binop subexpr }
 * where binop's priority is greater than limit.
 *
 * p->height carries the height of each tree built up to the caller: every
 * subexpr sets it to the largest height of the trees it built (including
 * the ones below it), so a node's height is at most one more than the
 * p->height its children's subexpr calls left. Chains are counted as
 * they grow, and refused as soon as they pass MAX_HEIGHT. */
static expr_t *
subexpr(parser_t *p, int limit)
{
	token_t t = p->tok;
	expr_t *e, *r;
	int op, h, outer = p->height;

	if (++p->depth > MAX_DEPTH)
		error_tok(p, &t, "expression nested too deeply (more than %d levels)",
		    MAX_DEPTH);
	p->height = 0;
	if (t.kind == TK_NOT || t.kind == TK_MINUS) {
		next(p);
		e = new_node(p, t.kind == TK_NOT ? EX_NOT : EX_NEG, t.line, t.col);
		e->u.op.a = subexpr(p, t.kind == TK_NOT ? LV_NOT : LV_NEG);
	} else {
		e = simpleexp(p);
	}
	h = p->height + 1;
	while ((op = binop(p->tok.kind)) >= 0 && binops[op].prio > limit) {
		token_t at = p->tok;

		p->height = 0;
		if (binops[op].kind == EX_CMP) {
			e = cmpchain(p, e);
		} else if (binops[op].kind == EX_IN) {
			e = inexp(p, e);
		} else {
			next(p);
			r = new_node(p, binops[op].kind, e->line, e->col);
			r->u.op.a = e;
			r->u.op.b = subexpr(p, binops[op].prio);
			e = r;
		}
		h = 1 + (h > p->height ? h : p->height);
		check_height(p, h, &at);
	}
	p->height = h > outer ? h : outer;
	p->depth--;
	return e;
}

/* expr = subexpr(0) */
static expr_t *
expr(parser_t *p)
{
	return subexpr(p, 0);
}

/* ---- walking ---- */

/* Visit e and its children in source order until fn returns true. */
static bool
walk(const expr_t *e, visit_fn fn, void *ud)
{
	int i;

	if (e == NULL)
		return false;
	if (fn(e, ud))
		return true;
	switch (e->kind) {
	case EX_ACCESS:
		for (i = 0; i < e->u.access.nargs; i++)
			if (walk(e->u.access.args[i], fn, ud))
				return true;
		return false;
	case EX_CALL:
		for (i = 0; i < e->u.call.nargs; i++)
			if (walk(e->u.call.args[i], fn, ud))
				return true;
		return false;
	case EX_CMP:
		for (i = 0; i < e->u.cmp.n; i++)
			if (walk(e->u.cmp.args[i], fn, ud))
				return true;
		return false;
	case EX_SUM:
		for (i = 0; i < e->u.sum.n; i++)
			if (walk(e->u.sum.idx[i].range.lo, fn, ud) ||
			    walk(e->u.sum.idx[i].range.hi, fn, ud))
				return true;
		return walk(e->u.sum.where, fn, ud) || walk(e->u.sum.body, fn, ud);
	case EX_DERIV:
		return walk(e->u.deriv.num, fn, ud) || walk(e->u.deriv.den, fn, ud);
	case EX_NEG: case EX_NOT: case EX_ADD: case EX_SUB: case EX_MUL:
	case EX_DIV: case EX_IDIV: case EX_MOD: case EX_AND: case EX_OR:
	case EX_IN: case EX_IF:
		return walk(e->u.op.a, fn, ud) || walk(e->u.op.b, fn, ud) ||
		    walk(e->u.op.c, fn, ud);
	default:
		return false;
	}
}

struct computed_ud {
	const parser_t *p;
	const expr_t *found;
	bool output_ok;    /* output[...] may be read (d (EXPR) reruns the kernel) */
};

static bool
is_computed(const expr_t *e, void *ud)
{
	struct computed_ud *u = ud;
	int fl = 0;

	if (e->kind == EX_DERIV && (e->u.deriv.num == NULL ||
	    e->u.deriv.num->kind == EX_ACCESS)) {
		u->found = e;      /* numeric derivatives of the real kernel */
		return true;
	}
	if (e->kind != EX_ACCESS)
		return false;
	if (u->output_ok && strcmp(e->u.access.tensor, "output") == 0)
		return false;
	tensor_rank(u->p, e->u.access.tensor, &fl);
	if (fl & TN_COMPUTED)
		u->found = e;
	return u->found != NULL;
}

/* The first tensor of e computed from the others (or numeric derivative)
 * that a d (EXPR) cannot follow; output is one unless output_ok. */
static const expr_t *
reads_computed(const parser_t *p, const expr_t *e, bool output_ok)
{
	struct computed_ud u = { p, NULL, output_ok };

	walk(e, is_computed, &u);
	if (u.found != NULL && u.found->kind == EX_DERIV)
		return u.found->u.deriv.num != NULL ? u.found->u.deriv.num :
		    u.found->u.deriv.den;
	return u.found;
}

/* ---- binding: slots, free variables, ranges ---- */

typedef struct binder {
	parser_t *p;
	int pass;           /* 1: find the free variables; 2: assign slots */
	vec_t bound;        /* expr_index_t * of the enclosing sums, innermost last */
	vec_t free;         /* expr_index_t * of the free variables, in order */
	int nslots;
} binder_t;

static expr_index_t *
find_bound(const binder_t *b, const char *name)
{
	int i;

	for (i = b->bound.n - 1; i >= 0; i--)
		if (strcmp(((expr_index_t *)b->bound.v[i])->name, name) == 0)
			return b->bound.v[i];
	return NULL;
}

static int
find_free(const binder_t *b, const char *name)
{
	int i;

	for (i = 0; i < b->free.n; i++)
		if (strcmp(((expr_index_t *)b->free.v[i])->name, name) == 0)
			return i;
	return -1;
}

struct pos_ud {
	int slot;
	const char *tensor;
	int pos;
};

static bool
indexes_alone(const expr_t *e, void *ud)
{
	struct pos_ud *u = ud;
	int i;

	if (e->kind != EX_ACCESS)
		return false;
	for (i = 0; i < e->u.access.nargs; i++) {
		const expr_t *a = e->u.access.args[i];

		if (a->kind == EX_NAME && a->u.name.slot == u->slot) {
			u->tensor = e->u.access.tensor;
			u->pos = i;
			return true;
		}
	}
	return false;
}

/* Infer ix's range from the first of e1, e2, e3 that has it indexing a
 * tensor alone. false if none does. */
static bool
infer_from_tensors(expr_index_t *ix, const expr_t *e1, const expr_t *e2,
    const expr_t *e3)
{
	struct pos_ud u = { ix->slot, NULL, 0 };

	if (!walk(e1, indexes_alone, &u) && !walk(e2, indexes_alone, &u) &&
	    !walk(e3, indexes_alone, &u))
		return false;
	ix->range.tensor = u.tensor;
	ix->range.pos = u.pos;
	return true;
}

/* A summation index's range: given, or inferred from its body, then its
 * where; an error at its declaration if neither has it. */
static void
sum_range(binder_t *b, expr_index_t *ix, const expr_t *body,
    const expr_t *where)
{
	if (ix->range.lo != NULL || infer_from_tensors(ix, body, where, NULL))
		return;
	error_at(b->p, ix->line, ix->col, "cannot infer the range of '%s': use "
	    "it alone as an index of a tensor, or write '%s in A..B'",
	    ix->name, ix->name);
}

/* The first top-level conjunct of w (w = c1 and c2 and ...) of the form
 * `x in A..B` with x the free variable in slot, or NULL. */
static const expr_t *
where_in(const expr_t *w, int slot)
{
	const expr_t *r;

	if (w == NULL)
		return NULL;
	if (w->kind == EX_AND)
		return (r = where_in(w->u.op.a, slot)) != NULL ? r :
		    where_in(w->u.op.b, slot);
	if (w->kind == EX_IN && w->u.op.a->kind == EX_NAME &&
	    w->u.op.a->u.name.slot == slot)
		return w;
	return NULL;
}

struct later_ud {
	int slot, nfree;        /* free variables slot.. are not set yet */
	const expr_t *found;
};

static bool
uses_later(const expr_t *e, void *ud)
{
	struct later_ud *u = ud;

	if (e->kind == EX_NAME && e->u.name.slot >= u->slot &&
	    e->u.name.slot < u->nfree) {
		u->found = e;
		return true;
	}
	return false;
}

/* A free variable's range: from a tensor position it indexes alone (the
 * left side, then the right side, then the where), else from a top-level
 * conjunct `x in A..B` of the claim's where, whose bounds may use the shape
 * constants and the free variables before x (the verifier sets those
 * first). */
static void
free_range(binder_t *b, expr_index_t *ix, const claim_t *c)
{
	struct later_ud u = { ix->slot, c->nfree, NULL };
	const expr_t *in;

	if (infer_from_tensors(ix, c->lhs, c->rhs, c->where))
		return;
	if ((in = where_in(c->where, ix->slot)) == NULL)
		error_at(b->p, ix->line, ix->col, "cannot infer the range of '%s': "
		    "use it alone as an index of a tensor, or bound it in the "
		    "claim's where clause: 'where %s in A..B'", ix->name, ix->name);
	if (walk(in->u.op.b, uses_later, &u) || walk(in->u.op.c, uses_later, &u))
		error_node(b->p, u.found, "the bounds of '%s' in the where clause "
		    "may use only constants and the free variables before it, not "
		    "'%s'", ix->name, u.found->u.name.name);
	ix->range.lo = in->u.op.b;
	ix->range.hi = in->u.op.c;
}

static void bind(binder_t *b, expr_t *e);

static void
bind_name(binder_t *b, expr_t *e)
{
	expr_index_t *ix;
	int k;

	if (e->u.name.slot == -1)    /* a constant */
		return;
	ix = find_bound(b, e->u.name.name);
	k = find_free(b, e->u.name.name);
	if (b->pass == 2) {
		e->u.name.slot = ix != NULL ? ix->slot : k;
		assert(e->u.name.slot >= 0);
		return;
	}
	if (ix == NULL && k < 0) {
		ix = arena_alloc(b->p->a, sizeof(*ix));
		ix->name = e->u.name.name;
		ix->slot = b->free.n;
		ix->line = e->line;
		ix->col = e->col;
		vec_push(b->p, &b->free, ix);
	}
}

static void
bind_sum(binder_t *b, expr_t *e)
{
	int base = b->bound.n, k;

	for (k = 0; k < e->u.sum.n; k++) {
		expr_index_t *ix = &e->u.sum.idx[k];

		bind(b, ix->range.lo);
		bind(b, ix->range.hi);
		if (b->pass == 1 && find_bound(b, ix->name) != NULL)
			error_at(b->p, ix->line, ix->col, "'%s' is already a summation "
			    "index here", ix->name);
		if (b->pass == 2 && find_free(b, ix->name) >= 0)
			error_at(b->p, ix->line, ix->col, "'%s' is a summation index "
			    "here and a free index elsewhere in the claim: rename one",
			    ix->name);
		if (b->pass == 2)
			ix->slot = b->nslots++;
		vec_push(b->p, &b->bound, ix);
	}
	bind(b, e->u.sum.where);
	bind(b, e->u.sum.body);
	if (b->pass == 2)
		for (k = 0; k < e->u.sum.n; k++)
			sum_range(b, &e->u.sum.idx[k], e->u.sum.body,
			    e->u.sum.where);
	b->bound.n = base;
}

/* Resolve the index variables of e (see binder_t). */
static void
bind(binder_t *b, expr_t *e)
{
	int i;

	if (e == NULL)
		return;
	switch (e->kind) {
	case EX_NAME:
		bind_name(b, e);
		return;
	case EX_SUM:
		bind_sum(b, e);
		return;
	case EX_ACCESS:
		for (i = 0; i < e->u.access.nargs; i++)
			bind(b, e->u.access.args[i]);
		return;
	case EX_CALL:
		for (i = 0; i < e->u.call.nargs; i++)
			bind(b, e->u.call.args[i]);
		return;
	case EX_CMP:
		for (i = 0; i < e->u.cmp.n; i++)
			bind(b, e->u.cmp.args[i]);
		return;
	case EX_DERIV:
		bind(b, e->u.deriv.num);
		if (e->u.deriv.den->kind == EX_ACCESS)
			bind(b, e->u.deriv.den);
		return;
	case EX_INT: case EX_REAL:
		return;
	default:
		bind(b, e->u.op.a);
		bind(b, e->u.op.b);
		bind(b, e->u.op.c);
		return;
	}
}

static void
bind_claim(parser_t *p)
{
	claim_t *c = p->c;
	binder_t b = { .p = p };
	int i;

	for (b.pass = 1; b.pass <= 2; b.pass++) {
		b.nslots = b.free.n;
		bind(&b, c->lhs);
		bind(&b, c->rhs);
		bind(&b, c->where);
	}
	c->nfree = b.free.n;
	c->nslots = b.nslots;
	c->free = arena_alloc(p->a, (size_t)(c->nfree + 1) * sizeof(expr_index_t));
	for (i = 0; i < c->nfree; i++)
		c->free[i] = *(expr_index_t *)b.free.v[i];
	if (c->kind == CLAIM_LET)
		return;
	for (i = 0; i < c->nfree; i++)
		free_range(&b, &c->free[i], c);
}

/* ---- claims ---- */

static bool
not_const(const expr_t *e, void *ud)
{
	switch (e->kind) {
	case EX_INT: case EX_NEG: case EX_ADD: case EX_SUB: case EX_MUL:
	case EX_IDIV: case EX_MOD:
		return false;
	case EX_CALL:       /* tanh, exp and log are real */
		return e->u.call.id == EXPR_FN_TANH || e->u.call.id == EXPR_FN_EXP ||
		    e->u.call.id == EXPR_FN_LOG;
	case EX_NAME:
		return e->u.name.slot != -1;
	default:
		return true;
	}
}

/* letdim = NAME "<" subexpr(CMP) */
static void
letdim(parser_t *p, vec_t *names, vec_t *dims)
{
	token_t t = expect_name(p, "an index of a let");
	const char *s = tok_str(p, &t);
	expr_t *e = new_node(p, EX_NAME, t.line, t.col), *dim;
	int i;

	if (expr_is_constant(s) || tensor_rank(p, s, NULL) > 0)
		error_tok(p, &t, "'%s' is a %s, not an index", s,
		    expr_is_constant(s) ? "constant" : "tensor");
	for (i = 0; i < names->n; i++)
		if (strcmp(((expr_t *)names->v[i])->u.name.name, s) == 0)
			error_tok(p, &t, "the index '%s' appears twice", s);
	e->u.name.name = s;
	e->u.name.slot = SLOT_UNRESOLVED;
	vec_push(p, names, e);
	expect(p, TK_LT, " after a let's index: 'i < BOUND'");
	dim = subexpr(p, LV_CMP);
	if (walk(dim, not_const, NULL))
		error_node(p, dim, "the bound of '%s' must be an integer constant "
		    "expression (numbers, the shape constants, + - * // %% min max)", s);
	vec_push(p, dims, dim);
}

/* The let's indices range over 0 .. dim - 1; nothing else may be free. */
static void
let_ranges(parser_t *p)
{
	claim_t *c = p->c;
	int i;

	if (c->nfree > c->ndims)
		error_at(p, c->free[c->ndims].line, c->free[c->ndims].col,
		    "'%s' is not an index of the let '%s'", c->free[c->ndims].name,
		    c->lhs->u.access.tensor);
	for (i = 0; i < c->ndims; i++) {
		expr_t *lo = new_node(p, EX_INT, c->dims[i]->line, c->dims[i]->col);
		expr_t *one = new_node(p, EX_INT, c->dims[i]->line, c->dims[i]->col);
		expr_t *hi = new_node(p, EX_SUB, c->dims[i]->line, c->dims[i]->col);

		one->u.ival = 1;
		hi->u.op.a = c->dims[i];
		hi->u.op.b = one;
		c->free[i].range.lo = lo;
		c->free[i].range.hi = hi;
	}
}

/* letclaim = "let" NAME "[" letdim { "," letdim } "]" "=" expr */
static void
letclaim(parser_t *p)
{
	claim_t *c = p->c;
	token_t t, open;
	const char *s;
	vec_t names = { 0 }, dims = { 0 };

	next(p);
	t = expect_name(p, "a let");
	s = tok_str(p, &t);
	if (expr_is_constant(s) || expr_builtin_rank(s, NULL) > 0)
		error_tok(p, &t, "'%s' is a built-in %s", s,
		    expr_is_constant(s) ? "constant" : "tensor");
	if (expr_scope_rank(p->sc, s) > 0)
		error_tok(p, &t, "the let '%s' is already defined", s);
	open = p->tok;
	expect(p, TK_LBRACK, " after the let's name: let NAME[i < A, ...]");
	do
		letdim(p, &names, &dims);
	while (accept(p, TK_COMMA));
	check_match(p, TK_RBRACK, &open);
	if (names.n > TENSOR_MAX_DIMS)
		error_tok(p, &t, "a let has at most %d dimensions, not %d",
		    TENSOR_MAX_DIMS, names.n);
	expect(p, TK_ASSIGN, " after the let's dimensions");
	c->kind = CLAIM_LET;
	c->lhs = new_node(p, EX_ACCESS, t.line, t.col);
	c->lhs->u.access.tensor = s;
	c->lhs->u.access.nargs = names.n;
	c->lhs->u.access.args = (expr_t **)names.v;
	c->ndims = dims.n;
	c->dims = (expr_t **)dims.v;
	c->rhs = expr(p);
	if (p->tok.kind == TK_WHERE || p->tok.kind == TK_EXPECT)
		error_tok(p, &p->tok, "a let defines a tensor: it takes no 'where' "
		    "or 'expect fail'");
}

/* lhs = deriv | access */
static void
lhs(parser_t *p)
{
	claim_t *c = p->c;

	if (p->tok.kind == TK_D) {
		c->lhs = deriv(p, true);
		c->kind = c->lhs->u.deriv.num != NULL ? CLAIM_PARTIAL :
		    c->lhs->u.deriv.den->kind == EX_NAME ? CLAIM_KERNEL : CLAIM_CHAIN;
	} else if (p->tok.kind == TK_NAME && peek(p) == TK_LBRACK) {
		c->lhs = access(p);
		c->kind = CLAIM_IDENTITY;
		if (strcmp(c->lhs->u.access.tensor, "strides") == 0)
			error_node(p, c->lhs, "strides[...] is a constant, not a "
			    "tensor to check");
	} else {
		error_tok(p, &p->tok, "a claim starts with 'let', 'd' or a tensor "
		    "such as output[...]");
	}
}

/* rhs = "kernel" ("element" | "matrix" | "transposed") | expr */
static void
rhs(parser_t *p)
{
	claim_t *c = p->c;
	token_t t = p->tok;

	if (c->kind != CLAIM_KERNEL) {
		if (t.kind == TK_KERNEL)
			error_tok(p, &t, "'kernel' needs the left side d f / d input "
			    "(or weight, bias) without indices");
		c->rhs = expr(p);
		return;
	}
	if (t.kind != TK_KERNEL)
		error_tok(p, &t, "'kernel element' or 'kernel matrix' expected: "
		    "d f / d %s without indices is checked against a backward kernel",
		    c->lhs->u.deriv.den->u.name.name);
	next(p);
	t = p->tok;
	if (t.kind == TK_NAME && strcmp(tok_str(p, &t), "element") == 0)
		c->kernel = KERNEL_ELEMENT;
	else if (t.kind == TK_NAME && strcmp(tok_str(p, &t), "matrix") == 0)
		c->kernel = KERNEL_MATRIX;
	else if (t.kind == TK_NAME && strcmp(tok_str(p, &t), "transposed") == 0)
		c->kernel = KERNEL_TRANSPOSED;
	else
		error_tok(p, &t, "'element', 'matrix' or 'transposed' expected "
		    "after 'kernel'");
	/* the transposed convolution computes dinput only */
	if (c->kernel == KERNEL_TRANSPOSED &&
	    strcmp(c->lhs->u.deriv.den->u.name.name, "input") != 0)
		error_tok(p, &t, "'kernel transposed' computes d f / d input only "
		    "(dinput as a transposed convolution), not d f / d %s",
		    c->lhs->u.deriv.den->u.name.name);
	next(p);
}

/* claim = letclaim | lhs "=" rhs [ "where" expr ] [ "expect" "fail" ] */
static void
claim_rule(parser_t *p)
{
	claim_t *c = p->c;

	if (p->tok.kind == TK_EOF)
		error_tok(p, &p->tok, "empty claim");
	if (p->tok.kind == TK_LET) {
		letclaim(p);
	} else {
		lhs(p);
		if (p->tok.kind != TK_ASSIGN)
			error_tok(p, &p->tok, "'=' expected after the left side of the "
			    "claim%s", p->tok.kind == TK_EQ ?
			    " ('==' compares inside an expression)" : "");
		next(p);
		rhs(p);
		if (accept(p, TK_WHERE))
			c->where = expr(p);
		if (accept(p, TK_EXPECT)) {
			expect(p, TK_FAIL, " after 'expect'");
			c->expect_fail = true;
		}
	}
	if (p->tok.kind == TK_ASSIGN)
		error_tok(p, &p->tok, "one '=' per claim: write each step as a "
		    "claim of its own");
	if (p->tok.kind != TK_EOF)
		error_tok(p, &p->tok, "end of claim expected");
}

/* The parser lives on the heap: longjmp may not restore a local that
 * changed after setjmp, and p->err does. */
claim_t *
claim_parse(const char *text, const char *file, int line, int col,
    expr_scope_t *sc, char **err)
{
	parser_t *p = xcalloc(1, sizeof(*p));
	claim_t *c;

	assert(text != NULL && file != NULL);
	p->text = text;
	p->file = file;
	p->line0 = line;
	p->col0 = col;
	p->sc = sc;
	p->a = arena_create();
	if (setjmp(p->jb) != 0) {
		arena_free(p->a);
		if (err != NULL)
			*err = p->err;
		else
			free(p->err);
		free(p);
		return NULL;
	}
	p->c = arena_alloc(p->a, sizeof(claim_t));
	p->c->arena = p->a;
	p->c->text = arena_strdup(p->a, text);
	p->c->file = arena_strdup(p->a, file);
	p->c->line = line;
	p->c->col = col;
	lex_init(&p->lx, text, line, col);
	next(p);
	claim_rule(p);
	bind_claim(p);
	if (p->c->kind == CLAIM_LET) {
		let_ranges(p);
		if (sc != NULL)
			expr_scope_add(sc, p->c->lhs->u.access.tensor, p->c->ndims);
	}
	c = p->c;
	free(p);
	return c;
}

/* ---- blocks ---- */

static bool
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* Open brackets after the line s[0..n): depth plus '(' '[' minus ')' ']'. */
static int
bracket_depth(int depth, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '(' || s[i] == '[')
			depth++;
		else if ((s[i] == ')' || s[i] == ']') && depth > 0)
			depth--;
	}
	return depth;
}

typedef struct block_state {
	sbuf_t claim;        /* the claim being gathered */
	int claim_line;      /* its first line, or 0 when none */
	int depth;           /* brackets open in it */
	char *label, *pending;
	claim_t **claims;
	int n;
} block_state_t;

/* Parse the gathered claim, if any. */
static int
block_flush(block_state_t *st, const char *file, expr_scope_t *sc,
    char **err)
{
	char *text;
	claim_t *c;

	if (st->claim_line == 0)
		return 0;
	text = sbuf_take(&st->claim);
	c = claim_parse(text, file, st->claim_line, 1, sc, err);
	free(text);
	st->claim_line = 0;
	st->depth = 0;
	if (c == NULL)
		return -1;
	if (st->label != NULL)
		c->label = arena_strdup(c->arena, st->label);
	free(st->label);
	st->label = NULL;
	st->claims = xreallocarray(st->claims, (size_t)st->n + 1, sizeof(claim_t *));
	st->claims[st->n++] = c;
	return 0;
}

/* One line of a block: continue the claim, end it, or start another. */
static int
block_line(block_state_t *st, const char *s, size_t n, int line,
    const char *file, expr_scope_t *sc, char **err)
{
	size_t i;

	if (st->claim_line != 0 && !blank(s, n) &&
	    (st->depth > 0 || s[0] == ' ' || s[0] == '\t')) {
		sbuf_add(&st->claim, "\n");
		sbuf_addn(&st->claim, s, n);
		st->depth = bracket_depth(st->depth, s, n);
		return 0;
	}
	if (block_flush(st, file, sc, err) < 0)
		return -1;
	if (blank(s, n)) {
		free(st->pending);
		st->pending = NULL;
	} else if (s[0] == '#') {
		for (i = 1; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
			;
		free(st->pending);
		st->pending = xstrndup(s + i, n - i);
	} else {
		st->label = st->pending;
		st->pending = NULL;
		st->claim_line = line;
		sbuf_addn(&st->claim, s, n);
		st->depth = bracket_depth(0, s, n);
	}
	return 0;
}

int
claims_parse_block(const char *block, const char *file, int first_line,
    expr_scope_t *sc, claim_t ***claims, int *n, char **err)
{
	block_state_t st;
	const char *s = block, *eol;
	int line = first_line, rc = 0, i;

	memset(&st, 0, sizeof(st));
	sbuf_init(&st.claim);
	for (; rc == 0 && *s != '\0'; s = *eol ? eol + 1 : eol, line++) {
		eol = strchr(s, '\n');
		if (eol == NULL)
			eol = s + strlen(s);
		rc = block_line(&st, s, (size_t)(eol - s), line, file, sc, err);
	}
	if (rc == 0)
		rc = block_flush(&st, file, sc, err);
	sbuf_free(&st.claim);
	free(st.label);
	free(st.pending);
	if (rc < 0) {
		for (i = 0; i < st.n; i++)
			claim_free(st.claims[i]);
		free(st.claims);
		return -1;
	}
	*claims = st.claims;
	*n = st.n;
	return 0;
}
