/*
 * tex-layout.c: the source's LaTeX formulas in 2-D (tex-layout.h lists
 * the subset and how each piece is drawn).
 *
 * A small recursive-descent reader, one function a rule:
 *   seq     = { part | script }         until "}", "\right" or the end
 *   part    = command | group | operator | character
 *   script  = ( "_" | "^" ) arg          attached to the part before it
 *   group   = "{" seq "}"
 *   arg     = group | command | character
 *   command = "\" letters | "\" one other character
 * A sequence collects its parts, then draws them side by side with their
 * baselines aligned (pp_box_hcat2, as claims). Plain characters gather in
 * a run, so that a name stays one piece (its trailing digits lowered) and
 * a script attaches to the whole name before it. A sum is kept as a part
 * of its own until the sequence is drawn: the sign's height depends on
 * what follows it (its body), as in a claim.
 *
 * Errors stop the reading at the first one (r->err; every rule returns at
 * once after it); the boxes built so far are freed on the way out. Nesting
 * is bounded by MAX_DEPTH, so a hostile formula cannot exhaust the stack.
 */
#include "tex-layout.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "expr-int.h"
#include "util.h"

#define MAX_DEPTH 64

typedef struct reader {
	const char *src, *p;
	pp_style_t st;
	int depth;
	char *err;              /* the first error, or NULL */
} reader_t;

/* A part of a sequence: a box, or a sum whose sign is drawn once its
 * body (the part after it) is known. */
typedef struct part {
	pp_box_t *box;          /* NULL for a sum */
	bool sum;
	const char *sign;       /* a sum's: Σ or Π */
	pp_box_t *lo, *hi;      /* a sum's limits, or NULL */
} part_t;

typedef struct seq {
	part_t *v;
	int n, cap;
	sbuf_t run;             /* plain characters not yet a part */
	bool script;            /* inside a sub- or superscript */
	int commas;             /* commas outside ( ) and [ ] */
	int nest;               /* ( and [ open */
} seq_t;

static pp_box_t *read_group(reader_t *r, bool script, int *commas);
static void read_seq(reader_t *r, seq_t *s);

static bool
uni(const reader_t *r)
{
	return r->st == PP_UNICODE;
}

/* The first error, at the column where the reader is. */
static void
fail(reader_t *r, const char *fmt, ...)
{
	va_list ap;
	char *what;

	if (r->err != NULL)
		return;
	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	r->err = xasprintf("column %d: %s", (int)(r->p - r->src) + 1, what);
	free(what);
}

static pp_box_t *
blank(int width)
{
	return pp_box_take(xasprintf("%*s", width, ""));
}

/* ---- a sequence's parts ---- */

static void
seq_init(seq_t *s, bool script)
{
	memset(s, 0, sizeof *s);
	sbuf_init(&s->run);
	s->script = script;
}

static part_t *
seq_add(seq_t *s)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		s->v = xreallocarray(s->v, (size_t)s->cap, sizeof *s->v);
	}
	memset(&s->v[s->n], 0, sizeof s->v[0]);
	return &s->v[s->n++];
}

static void
seq_add_box(seq_t *s, pp_box_t *b)
{
	seq_add(s)->box = b;
}

static void
seq_free(seq_t *s)
{
	int i;

	for (i = 0; i < s->n; i++) {
		pp_box_free(s->v[i].box);
		pp_box_free(s->v[i].lo);
		pp_box_free(s->v[i].hi);
	}
	free(s->v);
	sbuf_free(&s->run);
}

/* A run of plain characters as text, each name's trailing digits as
 * subscripts in Unicode (b1 -> b₁, di1 -> di₁; strides[0] and a lone 2
 * are not names and keep theirs). */
static char *
run_text(const char *s, bool u)
{
	sbuf_t b;
	size_t i = 0, n = strlen(s);

	sbuf_init(&b);
	while (i < n) {
		size_t w = i, d;

		if (!isalpha((unsigned char)s[i])) {
			sbuf_addn(&b, s + i++, 1);
			continue;
		}
		while (w < n && isalnum((unsigned char)s[w]))
			w++;
		for (d = w; d > i && isdigit((unsigned char)s[d - 1]); d--)
			;
		sbuf_addn(&b, s + i, d - i);
		for (; d < w; d++) {
			if (u) {
				char sub[4] = { (char)0xe2, (char)0x82,
					(char)(0x80 + (s[d] - '0')), '\0' };

				sbuf_add(&b, sub);
			} else
				sbuf_addn(&b, s + d, 1);
		}
		i = w;
	}
	return sbuf_take(&b);
}

/* The pending run becomes a part. */
static void
seq_flush(seq_t *s, const reader_t *r)
{
	char *text;

	if (s->run.len == 0)
		return;
	text = sbuf_take(&s->run);
	seq_add_box(s, pp_box_take(run_text(text, uni(r))));
	free(text);
}

/* An operator, spaced as claims draw it; bare at the start of a sequence
 * ("= ..." of a continued line, a leading minus). */
static void
seq_op(seq_t *s, const reader_t *r, const char *op)
{
	bool first;

	seq_flush(s, r);
	first = s->n == 0;
	if (first && (strcmp(op, "-") == 0 || strcmp(op, "+") == 0))
		seq_add_box(s, pp_box_text(op));
	else
		seq_add_box(s, pp_box_take(xasprintf("%s%s ", first ? "" : " ",
		    op)));
}

/* The sum's column: hi, the sign (as tall as body asks), lo; centred. */
static pp_box_t *
sum_column(const part_t *p, const pp_box_t *body, pp_style_t st)
{
	pp_box_t *col[3], *one = NULL;
	int n = 0, base;

	if (p->hi != NULL)
		col[n++] = p->hi;
	base = n;
	if (strcmp(p->sign, "Σ") == 0) {
		if (body == NULL)
			body = one = pp_box_text("");
		col[n++] = pp_box_sum_sign(body, st);
		pp_box_free(one);
	} else
		col[n++] = pp_box_text(st == PP_UNICODE ? p->sign : "prod");
	if (p->lo != NULL)
		col[n++] = p->lo;
	return pp_box_vcat(col, n, base, true);
}

/* The parts side by side (consumes them); an empty sequence is an empty
 * row. */
static pp_box_t *
seq_box(seq_t *s, const reader_t *r)
{
	pp_box_t *out = NULL, *b;
	int i;

	seq_flush(s, r);
	for (i = 0; i < s->n; i++) {
		part_t *p = &s->v[i];

		if (p->sum) {
			const pp_box_t *body = NULL;
			int k;

			/* Its body: what follows the sums in a row (Σ Σ x). */
			for (k = i + 1; k < s->n && body == NULL; k++)
				body = s->v[k].box;

			b = sum_column(p, body, r->st);
			p->lo = p->hi = NULL;
			if (i + 1 < s->n)
				b = pp_box_hcat2(b, pp_box_text(" "));
		} else
			b = p->box;
		p->box = NULL;
		out = out == NULL ? b : pp_box_hcat2(out, b);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
	sbuf_free(&s->run);
	return out != NULL ? out : pp_box_text("");
}

/* ---- scripts ---- */

bool
tex_all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

bool
tex_is_name(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (*p == '\0')
		return false;
	while (*p != '\0') {
		if (isalnum(*p) || *p == '_')
			p++;
		else if (p[0] == 0xe2 && p[1] == 0x82 && p[2] >= 0x80 &&
		    p[2] <= 0x89)
			p += 3;
		else
			return false;
	}
	return true;
}

/* Digits as sub- or superscript characters. One table indexed by sub:
 * GCC's object-size check (UBSan) misjudges a load through
 * (sub ? low : sup)[d] and reports low[1] as out of bounds. */
static pp_box_t *
script_digits(const char *s, bool sub)
{
	static const char *const digit[2][10] = {
		{ "⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹" },
		{ "₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉" },
	};
	sbuf_t b;

	sbuf_init(&b);
	for (; *s >= '0' && *s <= '9'; s++)
		sbuf_add(&b, digit[sub ? 1 : 0][*s - '0']);
	return pp_box_take(sbuf_take(&b));
}

/* x one row lower (sub) or higher than the line it is on. */
static pp_box_t *
shifted(pp_box_t *x, bool sub)
{
	pp_box_t *p[2];

	if (sub && x->baseline > 0) {
		x->baseline--;
		return x;
	}
	if (!sub && x->baseline < x->height - 1) {
		x->baseline++;
		return x;
	}
	p[sub ? 1 : 0] = x;
	p[sub ? 0 : 1] = blank(x->width);
	return pp_box_vcat(p, 2, sub ? 0 : 1, false);
}

/* base with the script x after it (tex-layout.h): consumes both. */
static pp_box_t *
scripted(pp_box_t *base, pp_box_t *x, bool sub, int commas, bool u)
{
	const char *t = x->height == 1 ? x->rows[0] : NULL;
	pp_box_t *b;

	if (t != NULL && tex_all_digits(t) && u) {
		b = script_digits(t, sub);
		pp_box_free(x);
		return pp_box_hcat2(base, b);
	}
	if (sub && t != NULL && commas > 0)
		return pp_box_hcat3(base, pp_box_text("["),
		    pp_box_hcat2(x, pp_box_text("]")));
	if (sub && t != NULL && tex_is_name(t))
		return pp_box_hcat3(base, pp_box_text("_"), x);
	if (!u && t != NULL && tex_all_digits(t))
		return pp_box_hcat3(base, pp_box_text(sub ? "_" : "^"), x);
	return pp_box_hcat2(base, shifted(x, sub));
}

static void
skip_spaces(reader_t *r)
{
	while (isspace((unsigned char)*r->p))
		r->p++;
}

static pp_box_t *read_command_arg(reader_t *r, bool script);

/* A script's or a fraction's argument: a group, a command, a character. */
static pp_box_t *
read_arg(reader_t *r, bool script, int *commas)
{
	char c[2];

	*commas = 0;
	skip_spaces(r);
	if (*r->p == '{')
		return read_group(r, script, commas);
	if (*r->p == '\\')
		return read_command_arg(r, script);
	if (*r->p == '\0' || *r->p == '}' || *r->p == '_' || *r->p == '^') {
		fail(r, "an argument is missing");
		return NULL;
	}
	c[0] = *r->p++, c[1] = '\0';
	return pp_box_take(run_text(c, uni(r)));
}

/* "_" or "^" arg: attached to the part before it (a sum takes it as a
 * limit). */
static void
read_script(reader_t *r, seq_t *s)
{
	bool sub = *r->p++ == '_';
	pp_box_t *x, *base;
	part_t *last;
	int commas;

	seq_flush(s, r);
	if (s->n == 0)                  /* a script on nothing */
		seq_add_box(s, pp_box_text(""));
	last = &s->v[s->n - 1];
	x = NULL;
	if (r->depth + 1 > MAX_DEPTH)
		fail(r, "nested deeper than %d", MAX_DEPTH);
	else {
		r->depth++;
		x = read_arg(r, true, &commas);
		r->depth--;
	}
	if (x == NULL)
		return;
	if (last->sum) {
		pp_box_t **lim = sub ? &last->lo : &last->hi;

		pp_box_free(*lim);
		*lim = x;
		return;
	}
	base = last->box;
	last->box = scripted(base, x, sub, commas, uni(r));
}

/* ---- commands ---- */

/* The commands that are a symbol: drawn in Unicode, in ASCII; rel: an
 * operator, spaced. */
static const struct symbol {
	const char *name, *u, *a;
	bool rel;
} symbols[] = {
	{ "partial", "∂", "d", false }, { "nabla", "∇", "nabla ", false },
	{ "cdot", "·", "*", true }, { "times", "×", "x", true },
	{ "neq", "≠", "!=", true }, { "ne", "≠", "!=", true },
	{ "in", "∈", "in", true }, { "notin", "∉", "not in", true },
	{ "le", "≤", "<=", true }, { "leq", "≤", "<=", true },
	{ "ge", "≥", ">=", true }, { "geq", "≥", ">=", true },
	{ "approx", "≈", "~", true }, { "to", "→", "->", true },
	{ "rightarrow", "→", "->", true }, { "pm", "±", "+-", true },
	{ "ldots", "…", "...", false }, { "dots", "…", "...", false },
	{ "cdots", "…", "...", false }, { "infty", "∞", "inf", false },
	{ "alpha", "α", "alpha", false }, { "beta", "β", "beta", false },
	{ "gamma", "γ", "gamma", false }, { "delta", "δ", "delta", false },
	{ "epsilon", "ε", "eps", false }, { "eta", "η", "eta", false },
	{ "lambda", "λ", "lambda", false }, { "mu", "μ", "mu", false },
	{ "sigma", "σ", "sigma", false }, { "theta", "θ", "theta", false },
	{ "Delta", "Δ", "Delta", false },
	{ "{", "{", "{", false }, { "}", "}", "}", false },
	{ "_", "_", "_", false }, { "%", "%", "%", false },
	{ "#", "#", "#", false }, { "|", "‖", "||", false },
};

/* Spacing commands: what they leave (TeX's thin and wide spaces). */
static const struct spacing {
	const char *name, *text;
} spacings[] = {
	{ ",", " " }, { ";", " " }, { ":", " " }, { "!", "" }, { " ", " " },
	{ "quad", "  " }, { "qquad", "    " },
};

/* "\name": letters, or one other character. */
static void
read_name(reader_t *r, char *buf, size_t len)
{
	size_t n = 0;

	r->p++;                                 /* the backslash */
	if (!isalpha((unsigned char)*r->p)) {
		if (*r->p != '\0')
			buf[n++] = *r->p++;
	} else
		while (isalpha((unsigned char)*r->p)) {
			if (n + 1 < len)
				buf[n++] = *r->p;
			r->p++;
		}
	buf[n] = '\0';
}

/* \text{...}: its characters as written, spaces kept. */
static pp_box_t *
read_text_arg(reader_t *r)
{
	const char *start;
	int open = 1;

	skip_spaces(r);
	if (*r->p != '{') {
		fail(r, "\\text wants {...}");
		return NULL;
	}
	start = ++r->p;
	for (; *r->p != '\0'; r->p++) {
		if (*r->p == '{')
			open++;
		else if (*r->p == '}' && --open == 0)
			break;
	}
	if (*r->p != '}') {
		fail(r, "missing } of \\text");
		return NULL;
	}
	return pp_box_take(xstrndup(start, (size_t)(r->p++ - start)));
}

/* A delimiter of \left or \right: ( ) [ ] | . or \{ \}. */
static const char *
read_delim(reader_t *r)
{
	static const char *const ok[] = { "(", ")", "[", "]", "|", ".", "{", "}" };
	char d[2] = { 0, 0 };
	size_t i;

	skip_spaces(r);
	if (*r->p == '\\' && (r->p[1] == '{' || r->p[1] == '}'))
		r->p++;
	d[0] = *r->p;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (d[0] != '\0' && d[0] == ok[i][0]) {
			r->p++;
			return ok[i];
		}
	fail(r, "a delimiter ( ) [ ] | . \\{ \\} is expected after \\left or "
	    "\\right");
	return NULL;
}

/* A delimiter as tall as h rows (Unicode: the bracket pieces; ASCII:
 * the character on every row). NULL for ".". */
static pp_box_t *
tall_delim(const char *d, int h, int baseline, bool u)
{
	static const struct piece {
		char d;
		const char *top, *mid, *bot;
	} pieces[] = {
		{ '(', "⎛", "⎜", "⎝" }, { ')', "⎞", "⎟", "⎠" },
		{ '[', "⎡", "⎢", "⎣" }, { ']', "⎤", "⎥", "⎦" },
		{ '{', "⎧", "⎨", "⎩" }, { '}', "⎫", "⎬", "⎭" },
		{ '|', "│", "│", "│" },
	};
	const struct piece *pc = NULL;
	pp_box_t **rows, *b;
	size_t k;
	int i;

	if (d[0] == '.')
		return NULL;
	for (k = 0; k < sizeof pieces / sizeof pieces[0]; k++)
		if (pieces[k].d == d[0] && u)
			pc = &pieces[k];
	if (h == 1)
		return pp_box_text(pc != NULL && d[0] == '|' ? pc->mid : d);
	rows = xcalloc((size_t)h, sizeof *rows);
	for (i = 0; i < h; i++)
		rows[i] = pp_box_text(pc == NULL ? d : i == 0 ? pc->top :
		    i == h - 1 ? pc->bot : pc->mid);
	b = pp_box_vcat(rows, h, 0, false);
	b->baseline = baseline;
	free(rows);
	return b;
}

/* \left D seq \right D: what it holds, between delimiters as tall. */
static pp_box_t *
read_left(reader_t *r, bool script)
{
	const char *l = read_delim(r), *rd;
	pp_box_t *in, *lb, *rb;
	seq_t s;

	if (l == NULL)
		return NULL;
	seq_init(&s, script);
	r->depth++;
	if (r->depth > MAX_DEPTH)
		fail(r, "nested deeper than %d", MAX_DEPTH);
	else
		read_seq(r, &s);
	r->depth--;
	if (r->err == NULL && strncmp(r->p, "\\right", 6) != 0)
		fail(r, "\\left without its \\right");
	if (r->err != NULL) {
		seq_free(&s);
		return NULL;
	}
	r->p += 6;
	if ((rd = read_delim(r)) == NULL) {
		seq_free(&s);
		return NULL;
	}
	in = seq_box(&s, r);
	lb = tall_delim(l, in->height, in->baseline, uni(r));
	rb = tall_delim(rd, in->height, in->baseline, uni(r));
	if (lb != NULL)
		in = pp_box_hcat2(lb, in);
	if (rb != NULL)
		in = pp_box_hcat2(in, rb);
	return in;
}

static pp_box_t *
read_frac(reader_t *r, bool script)
{
	int commas;
	pp_box_t *num = read_arg(r, script, &commas), *den;

	if (num == NULL)
		return NULL;
	den = read_arg(r, script, &commas);
	if (den == NULL) {
		pp_box_free(num);
		return NULL;
	}
	return pp_box_frac(num, den, r->st);
}

/* One command into the sequence s. */
static void
read_command(reader_t *r, seq_t *s)
{
	char name[32];
	const char *at = r->p;
	pp_box_t *b = NULL;
	size_t i;

	read_name(r, name, sizeof name);
	for (i = 0; i < sizeof spacings / sizeof spacings[0]; i++)
		if (strcmp(name, spacings[i].name) == 0) {
			sbuf_add(&s->run, spacings[i].text);
			return;
		}
	for (i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
		const struct symbol *y = &symbols[i];

		if (strcmp(name, y->name) != 0)
			continue;
		if (y->rel)
			seq_op(s, r, uni(r) ? y->u : y->a);
		else
			sbuf_add(&s->run, uni(r) ? y->u : y->a);
		return;
	}
	if (strcmp(name, "sum") == 0 || strcmp(name, "prod") == 0) {
		part_t *p;

		seq_flush(s, r);
		p = seq_add(s);
		p->sum = true;
		p->sign = name[0] == 's' ? "Σ" : "Π";
		return;
	}
	if (strcmp(name, "frac") == 0 || strcmp(name, "dfrac") == 0 ||
	    strcmp(name, "tfrac") == 0)
		b = read_frac(r, s->script);
	else if (strcmp(name, "left") == 0)
		b = read_left(r, s->script);
	else if (strcmp(name, "text") == 0)
		b = read_text_arg(r);
	else if (strcmp(name, "mathrm") == 0 || strcmp(name, "mathit") == 0 ||
	    strcmp(name, "mathbf") == 0 || strcmp(name, "operatorname") == 0) {
		int commas;

		b = read_arg(r, s->script, &commas);
	} else {
		r->p = at;
		if (strcmp(name, "right") == 0)
			fail(r, "\\right without its \\left");
		else if (strcmp(name, "begin") == 0 || strcmp(name, "end") == 0)
			fail(r, "\\%s: environments are not read here", name);
		else if (strcmp(name, "\\") == 0)
			fail(r, "\\\\: a line break inside a formula is not read here");
		else
			fail(r, "unknown command \\%s", name);
		return;
	}
	if (b != NULL) {
		seq_flush(s, r);
		seq_add_box(s, b);
	}
}

/* A command as an argument (\frac\partial x, x_\alpha): its own
 * sequence of one command. */
static pp_box_t *
read_command_arg(reader_t *r, bool script)
{
	seq_t s;

	seq_init(&s, script);
	read_command(r, &s);
	if (r->err != NULL) {
		seq_free(&s);
		return NULL;
	}
	return seq_box(&s, r);
}

/* ---- sequences ---- */

/* A group right after a name (weight{c_out,...}): the source meant
 * indices and forgot the _; it is drawn with its braces, as written. */
static void
read_braced(reader_t *r, seq_t *s)
{
	bool after_name = s->run.len > 0 &&
	    isalnum((unsigned char)s->run.s[s->run.len - 1]);
	int commas;
	pp_box_t *g = read_group(r, s->script, &commas);

	if (g == NULL)
		return;
	seq_flush(s, r);
	if (after_name)
		g = pp_box_hcat3(pp_box_text("{"), g, pp_box_text("}"));
	seq_add_box(s, g);
}

/* One character of a sequence. */
static void
read_char(reader_t *r, seq_t *s)
{
	char c = *r->p;

	switch (c) {
	case '*':
		r->p++;
		seq_op(s, r, uni(r) ? "·" : "*");
		return;
	case '=': case '+': case '-': case '<': case '>':
		r->p++;
		seq_op(s, r, (char[2]){ c, '\0' });
		return;
	case ',':
		r->p++;
		if (s->nest == 0)
			s->commas++;
		seq_flush(s, r);
		seq_add_box(s, pp_box_text(s->script ? "," : ", "));
		return;
	case '&':
		fail(r, "& (an alignment) outside an environment");
		return;
	case '(': case '[':
		s->nest++;
		break;
	case ')': case ']':
		s->nest -= s->nest > 0;
		break;
	default:
		break;
	}
	sbuf_addn(&s->run, r->p++, 1);
}

/* seq = { part | script }, until "}", "\right" or the end. */
static void
read_seq(reader_t *r, seq_t *s)
{
	while (r->err == NULL && *r->p != '\0' && *r->p != '}') {
		if (isspace((unsigned char)*r->p))
			r->p++;
		else if (strncmp(r->p, "\\right", 6) == 0 &&
		    !isalpha((unsigned char)r->p[6]))
			return;                 /* read_left's */
		else if (*r->p == '\\')
			read_command(r, s);
		else if (*r->p == '{')
			read_braced(r, s);
		else if (*r->p == '_' || *r->p == '^')
			read_script(r, s);
		else
			read_char(r, s);
	}
}

/* group = "{" seq "}"; *commas: the group's own, for a subscript. */
static pp_box_t *
read_group(reader_t *r, bool script, int *commas)
{
	const char *open = r->p;
	seq_t s;

	r->p++;
	if (++r->depth > MAX_DEPTH) {
		r->depth--;
		fail(r, "nested deeper than %d", MAX_DEPTH);
		return NULL;
	}
	seq_init(&s, script);
	read_seq(r, &s);
	r->depth--;
	if (r->err == NULL && *r->p == '\\')        /* read_seq stopped there */
		fail(r, "\\right without its \\left");
	else if (r->err == NULL && *r->p != '}')
		fail(r, "missing } for the { at column %d",
		    (int)(open - r->src) + 1);
	if (r->err != NULL) {
		seq_free(&s);
		return NULL;
	}
	r->p++;
	*commas = s.commas;
	return seq_box(&s, r);
}

pp_box_t *
tex_layout(const char *src, pp_style_t st, char **err)
{
	reader_t r = { src != NULL ? src : "", NULL, st, 0, NULL };
	seq_t s;

	r.p = r.src;
	seq_init(&s, false);
	read_seq(&r, &s);
	if (r.err == NULL && *r.p == '}')
		fail(&r, "a } without its {");
	else if (r.err == NULL && *r.p != '\0')
		fail(&r, "\\right without its \\left");
	if (r.err != NULL) {
		seq_free(&s);
		if (err != NULL)
			*err = r.err;
		else
			free(r.err);
		return NULL;
	}
	return seq_box(&s, &r);
}
