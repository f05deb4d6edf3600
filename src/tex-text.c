/*
 * tex-text.c: the LaTeX subset of the source, rendered as readable text
 * (tex-text.h lists what is read and how it is written).
 *
 * A small recursive-descent reader, one function a rule:
 *   seq     = { atom [ "_" arg ] [ "^" arg ] }        until "}" or the end
 *   atom    = command | "{" seq "}" | character
 *   command = "\" letters | "\" one other character
 *   arg     = "{" seq "}" | one character | command
 * Each returns its text rendered; the scripts are attached to the atom
 * before them. Nesting deeper than MAX_DEPTH is read as flat text, so a
 * hostile source cannot exhaust the stack.
 */
#include "tex-text.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tex-layout.h"
#include "util.h"

#define MAX_DEPTH 64

typedef struct reader {
	const char *p;
	int depth;
} reader_t;

static char *read_seq(reader_t *r);

/* The commands that are a symbol. */
static const struct symbol {
	const char *name, *text;
} symbols[] = {
	{ "partial", "∂" }, { "cdot", " · " }, { "times", " × " },
	{ "neq", " ≠ " }, { "ne", " ≠ " }, { "in", " ∈ " }, { "notin", " ∉ " },
	{ "le", " ≤ " }, { "leq", " ≤ " }, { "ge", " ≥ " }, { "geq", " ≥ " },
	{ "ldots", "…" },
	{ "dots", "…" }, { "cdots", "…" }, { "sum", "Σ" }, { "nabla", "∇" },
	{ "approx", " ≈ " }, { "pm", "±" }, { "infty", "∞" }, { "to", " → " },
	{ "rightarrow", " → " }, { "ast", "·" }, { "epsilon", "ε" },
	{ "left", "" }, { "right", "" }, { "quad", " " }, { "qquad", " " },
	{ ",", " " }, { ";", " " }, { ":", " " }, { "!", "" }, { " ", " " },
	{ "{", "{" }, { "}", "}" }, { "_", "_" }, { "\\", "\n\n" },
};

/* "\name": the command's name into buf (letters, or one other char). */
static void
read_command(reader_t *r, char *buf, size_t len)
{
	size_t n = 0;

	r->p++;                                 /* the backslash */
	if (!isalpha((unsigned char)*r->p)) {
		if (*r->p != '\0')
			buf[n++] = *r->p++;
	} else {
		while (isalpha((unsigned char)*r->p) && n + 1 < len)
			buf[n++] = *r->p++;
		while (*r->p == ' ')            /* as TeX: spaces after a word */
			r->p++;
	}
	buf[n] = '\0';
}

/* "{" seq "}" (the closing brace may be missing at the end). */
static char *
read_group(reader_t *r)
{
	char *s;

	r->p++;
	if (r->depth >= MAX_DEPTH) {            /* flat: up to the brace */
		size_t n = strcspn(r->p, "}");

		s = xstrndup(r->p, n);
		r->p += n;
	} else {
		r->depth++;
		s = read_seq(r);
		r->depth--;
	}
	if (*r->p == '}')
		r->p++;
	return s;
}

static char *read_atom(reader_t *r);

/* A script's or a fraction's argument. */
static char *
read_arg(reader_t *r)
{
	while (*r->p == ' ')
		r->p++;
	if (*r->p == '{')
		return read_group(r);
	if (*r->p == '\0' || *r->p == '}')
		return xstrdup("");
	return read_atom(r);
}

/* Is s one term: nothing at its top level (outside brackets) that would
 * bind looser than the bar of a fraction? */
static bool
one_term(const char *s)
{
	int depth = 0;

	for (; *s != '\0'; s++) {
		if (*s == '[' || *s == '(' || *s == '{')
			depth++;
		else if ((*s == ']' || *s == ')' || *s == '}') && depth > 0)
			depth--;
		else if (depth == 0 && strchr(" +-=<>,", *s) != NULL)
			return false;
	}
	return true;
}

/* \frac{a}{b}: a/b, spaced when long, each side in ( ) unless one term. */
static char *
read_frac(reader_t *r)
{
	char *a = read_arg(r), *b = read_arg(r), *s;
	bool pa = !one_term(a), pb = !one_term(b);
	const char *sep = utf8_width(a) + utf8_width(b) > 8 ? " / " : "/";

	s = xasprintf("%s%s%s%s%s%s%s", pa ? "(" : "", a, pa ? ")" : "", sep,
	    pb ? "(" : "", b, pb ? ")" : "");
	free(a);
	free(b);
	return s;
}

static char *
read_atom(reader_t *r)
{
	char name[32];
	size_t i;

	if (*r->p == '{')
		return read_group(r);
	if (*r->p != '\\') {
		if (*r->p == '*') {
			r->p++;
			return xstrdup("·");
		}
		if (*r->p == '=') {
			r->p++;
			return xstrdup(" = ");
		}
		return xstrndup(r->p++, 1);
	}
	read_command(r, name, sizeof name);
	if (strcmp(name, "frac") == 0 || strcmp(name, "dfrac") == 0)
		return read_frac(r);
	if (strcmp(name, "text") == 0 || strcmp(name, "mathrm") == 0 ||
	    strcmp(name, "mathit") == 0 || strcmp(name, "operatorname") == 0)
		return read_arg(r);
	for (i = 0; i < sizeof symbols / sizeof symbols[0]; i++)
		if (strcmp(name, symbols[i].name) == 0)
			return xstrdup(symbols[i].text);
	return xstrdup(name);
}

/* Digits as sub- or superscripts (the UTF-8 of U+2080.. or ⁰¹²³⁴..). */
static void
add_scripted_digits(sbuf_t *b, const char *s, bool sub)
{
	static const char *const sup[10] = { "⁰", "¹", "²", "³", "⁴", "⁵", "⁶",
	    "⁷", "⁸", "⁹" };
	char buf[4];

	for (; *s != '\0'; s++) {
		if (sub) {
			buf[0] = (char)0xe2, buf[1] = (char)0x82;
			buf[2] = (char)(0x80 + (*s - '0')), buf[3] = '\0';
			sbuf_add(b, buf);
		} else
			sbuf_add(b, sup[*s - '0']);
	}
}

/* "x, y": the commas of an index list spaced. */
static void
add_indices(sbuf_t *b, const char *s)
{
	for (; *s != '\0'; s++) {
		sbuf_addn(b, s, 1);
		if (*s == ',' && s[1] != ' ')
			sbuf_add(b, " ");
	}
}

/* The subscript s attached to what comes before it (tex-text.h). */
static void
add_sub(sbuf_t *b, const char *s, bool after_sum)
{
	size_t n = strlen(s);

	if (after_sum) {
		sbuf_addf(b, "_(%s)", s);
	} else if (tex_all_digits(s)) {
		add_scripted_digits(b, s, true);
	} else if (tex_is_name(s)) {
		/* h_{out1}: h_out₁; the trailing digits lowered. */
		while (n > 0 && isdigit((unsigned char)s[n - 1]))
			n--;
		sbuf_add(b, "_");
		sbuf_addn(b, s, n);
		if (s[n] != '\0' && n > 0)
			add_scripted_digits(b, s + n, true);
		else if (s[n] != '\0')
			sbuf_add(b, s + n);
	} else {
		sbuf_add(b, "[");
		add_indices(b, s);
		sbuf_add(b, "]");
	}
}

static void
add_sup(sbuf_t *b, const char *s)
{
	if (tex_all_digits(s))
		add_scripted_digits(b, s, false);
	else
		sbuf_addf(b, "^(%s)", s);
}

/* seq = { atom [ "_" arg ] [ "^" arg ] }, until "}" or the end. */
static char *
read_seq(reader_t *r)
{
	sbuf_t b;

	sbuf_init(&b);
	while (*r->p != '\0' && *r->p != '}') {
		bool sum = strncmp(r->p, "\\sum", 4) == 0 &&
		    !isalpha((unsigned char)r->p[4]);
		/* A group right after a name, weight{c_out, ...}: the source
		 * means indices but forgot the _; show it as written. */
		bool braced = *r->p == '{' && b.len > 0 &&
		    isalnum((unsigned char)b.s[b.len - 1]);
		char *a = read_atom(r);

		if (braced) {
			sbuf_add(&b, "{");
			add_indices(&b, a);
			sbuf_add(&b, "}");
		} else
			sbuf_add(&b, a);
		free(a);
		while (*r->p == '_' || *r->p == '^') {
			bool sub = *r->p == '_';
			char *x;

			r->p++;
			x = read_arg(r);
			if (sub)
				add_sub(&b, x, sum);
			else if (sum)
				sbuf_addf(&b, "^(%s)", x);
			else
				add_sup(&b, x);
			free(x);
		}
		if (sum)
			sbuf_add(&b, " ");
	}
	return sbuf_take(&b);
}

/* One line of the source: heading marks and $ dropped, then read. */
static void
render_line(sbuf_t *out, const char *line, size_t len)
{
	char *src = xstrndup(line, len), *q = src, *w = src, *txt;
	reader_t r;
	sbuf_t all;

	while (*q == '#')
		q++;
	for (; *q != '\0'; q++)                 /* math markers off */
		if (*q != '$')
			*w++ = *q;
	*w = '\0';
	r.p = src, r.depth = 0;
	sbuf_init(&all);
	while (*r.p != '\0') {                  /* a stray "}" is skipped */
		char *part = read_seq(&r);

		sbuf_add(&all, part);
		free(part);
		if (*r.p == '}')
			r.p++;
	}
	txt = sbuf_take(&all);
	/* One space where the symbols' own spacing met the source's. */
	for (q = txt, w = txt; *q != '\0'; q++)
		if (*q != ' ' || (w > txt && w[-1] != ' ' && w[-1] != '\n' &&
		    q[1] != '\n'))
			*w++ = *q;
	while (w > txt && w[-1] == ' ')
		w--;
	*w = '\0';
	sbuf_add(out, txt);
	free(txt);
	free(src);
}

char *
tex_text(const char *src)
{
	sbuf_t out;
	bool first = true;

	sbuf_init(&out);
	while (src != NULL && *src != '\0') {
		size_t len = strcspn(src, "\n");
		size_t blank = strspn(src, " \t");

		if (blank < len) {              /* a line with something on it */
			if (!first)
				sbuf_add(&out, "\n\n");
			render_line(&out, src, len);
			first = false;
		}
		src += len;
		if (*src == '\n')
			src++;
	}
	return sbuf_take(&out);
}
