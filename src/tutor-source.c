/*
 * tutor-source.c: the source screen's state (see tutor-source.h): the
 * source read, laid out in rows to the measured width, and scrolled.
 *
 * The Markdown the source uses is read a line at a time, as it is
 * written: "#" headings, a line that is one $formula$ (a display
 * formula, drawn in 2-D), prose with $inline$ math, <p> and </p> lines
 * (dropped, as a renderer would), <!-- comments --> (a renderer hides
 * them; here they are shown dimmed, said to be comments, so that nothing
 * of the source is lost), blank lines (runs of them one row).
 */
#include "tutor-source.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "expr-int.h"
#include "lesson.h"
#include "tex-layout.h"
#include "util.h"

/* The largest source read (the bundled one is 6 KB). */
#define SOURCE_MAX_SIZE ((size_t)1 << 20)

/* ---- rows ---- */

typedef struct rows {
	tsrc_row_t *v;
	int n, cap;
	int bad;
} rows_t;

static void
rows_add(rows_t *r, char *text, tsrc_kind_t kind, int line, bool first)
{
	tsrc_row_t *w;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->v = xreallocarray(r->v, (size_t)r->cap, sizeof *r->v);
	}
	w = &r->v[r->n++];
	w->text = text;
	w->width = utf8_width(text);
	w->kind = kind;
	w->line = line;
	w->first = first;
}

void
tsrc_rows_free(tsrc_row_t *rows, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(rows[i].text);
	free(rows);
}

/* Bytes of the UTF-8 character at s. */
static size_t
char_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1, i;

	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

static int
char_width(const char *s, size_t n)
{
	char buf[5];

	memcpy(buf, s, n);
	buf[n] = '\0';
	return utf8_width(buf);
}

/* The longest prefix of s (no more than len bytes) at most width columns
 * wide, in whole characters: its length in bytes (at least one
 * character, so that the wrapping always goes on). */
static size_t
fit_bytes(const char *s, size_t len, int width)
{
	size_t i = 0;
	int w = 0;

	while (i < len) {
		size_t c = char_len(s + i);
		int cw = char_width(s + i, c);

		if (w + cw > width && i > 0)
			break;
		w += cw, i += c;
	}
	return i;
}

/* text wrapped to width as rows of kind (words on spaces; a word wider
 * than the row is broken between characters, as CJK prose must be). The
 * indent is put before every row. */
static void
wrap_rows(rows_t *r, const char *text, int width, tsrc_kind_t kind,
    int line, const char *indent)
{
	const char *p = text;
	bool first = true;
	int iw = utf8_width(indent);

	while (*p == ' ')
		p++;
	do {
		size_t len = strlen(p), cut = fit_bytes(p, len, width - iw);

		if (cut < len) {                /* back to the last space */
			size_t sp = cut;

			while (sp > 0 && p[sp] != ' ')
				sp--;
			if (sp > 0)
				cut = sp;
		}
		rows_add(r, xasprintf("%s%.*s", indent, (int)cut, p), kind, line,
		    first);
		first = false;
		p += cut;
		while (*p == ' ')
			p++;
	} while (*p != '\0');
}

/* ---- the Markdown of the source, a line at a time ---- */

/* A formula's box as rows (indented by two), or, when it is not in the
 * subset, the formula as written and why. */
static void
formula_rows(rows_t *r, const char *tex, size_t len, int width,
    pp_style_t st, int line)
{
	char *src = xstrndup(tex, len), *err = NULL;
	pp_box_t *b = tex_layout(src, st, &err);
	int i;

	if (b == NULL) {
		char *note = xasprintf("(not drawn: %s; as written:)", err);

		r->bad++;
		wrap_rows(r, note, width, TSRC_NOTE, line, "  ");
		wrap_rows(r, src, width, TSRC_RAW, line, "  ");
		free(note);
		free(err);
		free(src);
		return;
	}
	for (i = 0; i < b->height; i++) {
		size_t n = strlen(b->rows[i]);

		while (n > 0 && b->rows[i][n - 1] == ' ')
			n--;
		rows_add(r, xasprintf("  %.*s", (int)n, b->rows[i]), TSRC_FORMULA,
		    line, i == 0);
	}
	pp_box_free(b);
	free(src);
}

/* Prose (or a heading) with $inline$ math: each formula rendered; when
 * every one is a single row, the whole is wrapped as text, else it is
 * drawn as one 2-D box (text and formulas side by side). */
static void
inline_rows(rows_t *r, const char *s, int width, pp_style_t st,
    tsrc_kind_t kind, int line)
{
	pp_box_t *all = NULL;
	sbuf_t flat;
	bool tall = false;
	int i;

	sbuf_init(&flat);
	while (*s != '\0') {
		const char *d = strchr(s, '$'), *e = d != NULL ? strchr(d + 1, '$') :
		    NULL;
		pp_box_t *b;
		char *tex, *err = NULL;

		if (e == NULL) {                /* no (closed) formula: text */
			sbuf_add(&flat, s);
			b = pp_box_text(s);
			all = all == NULL ? b : pp_box_hcat2(all, b);
			break;
		}
		sbuf_addn(&flat, s, (size_t)(d - s));
		b = pp_box_take(xstrndup(s, (size_t)(d - s)));
		all = all == NULL ? b : pp_box_hcat2(all, b);
		tex = xstrndup(d + 1, (size_t)(e - d - 1));
		b = tex_layout(tex, st, &err);
		if (b == NULL) {                /* as written, $ and all */
			r->bad++;
			b = pp_box_take(xstrndup(d, (size_t)(e - d + 1)));
			free(err);
		}
		free(tex);
		tall |= b->height > 1;
		if (b->height == 1)
			sbuf_add(&flat, b->rows[0]);
		all = pp_box_hcat2(all, b);
		s = e + 1;
	}
	if (!tall) {
		char *text = sbuf_take(&flat);

		wrap_rows(r, text, width, kind, line, "");
		free(text);
	} else
		for (i = 0; i < all->height; i++)
			rows_add(r, xstrdup(all->rows[i]), TSRC_FORMULA, line, i == 0);
	sbuf_free(&flat);
	pp_box_free(all);
}

/* Is s (trimmed, n bytes) one $formula$ or $$formula$$? Its inside. */
static bool
display_math(const char *s, size_t n, const char **in, size_t *len)
{
	size_t k = n >= 4 && strncmp(s, "$$", 2) == 0 &&
	    strncmp(s + n - 2, "$$", 2) == 0 ? 2 : 1;

	if (n < 2 * k + 1 || s[0] != '$' || s[n - 1] != '$')
		return false;
	if (memchr(s + k, '$', n - 2 * k) != NULL)
		return false;                   /* two inline formulas */
	*in = s + k;
	*len = n - 2 * k;
	return true;
}

/* One line of the source, rendered. *blank: the last row was blank. */
static void
line_rows(rows_t *r, const char *s, size_t n, int width, pp_style_t st,
    int line, bool *blank)
{
	const char *in;
	size_t len;
	char *text;

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	if (n == 0 || (n == 3 && strncmp(s, "<p>", 3) == 0) ||
	    (n == 4 && strncmp(s, "</p>", 4) == 0)) {
		if (n == 0 && !*blank && r->n > 0)
			rows_add(r, xstrdup(""), TSRC_BLANK, line, true);
		*blank = *blank || n == 0;
		return;
	}
	*blank = false;
	text = xstrndup(s, n);
	if (n >= 7 && strncmp(s, "<!--", 4) == 0 &&
	    strcmp(text + n - 3, "-->") == 0) {
		char *note = xasprintf("(a comment in the source, hidden where it "
		    "is rendered:) %s", text);

		wrap_rows(r, note, width, TSRC_NOTE, line, "");
		free(note);
	} else if (display_math(s, n, &in, &len))
		formula_rows(r, in, len, width, st, line);
	else if (s[0] == '#') {
		const char *h = text;

		while (*h == '#')
			h++;
		inline_rows(r, h, width, st, TSRC_HEADING, line);
	} else
		inline_rows(r, text, width, st, TSRC_TEXT, line);
	free(text);
}

/* Verbatim: every line as written, numbered, wrapped (nothing to scroll
 * sideways). */
static void
raw_rows(rows_t *r, const char *s, size_t n, int width, int line)
{
	char *text = xstrndup(s, n), *num = xasprintf("%4d ", line);
	int before = r->n;

	wrap_rows(r, text, width - 5, TSRC_RAW, line, "");
	for (; before < r->n; before++) {      /* the number, or its room */
		char *t = r->v[before].text;

		r->v[before].text = xasprintf("%s%s", r->v[before].first ? num :
		    "     ", t);
		r->v[before].width += 5;
		free(t);
	}
	free(num);
	free(text);
}

tsrc_row_t *
tsrc_layout(const char *src, int width, pp_style_t st, bool verbatim, int *n,
    int *bad)
{
	rows_t r = { NULL, 0, 0, 0 };
	bool blank = false;
	int line = 1;

	if (width < 10)
		width = 10;
	while (src != NULL && *src != '\0') {
		size_t len = strcspn(src, "\n");

		if (verbatim)
			raw_rows(&r, src, len, width, line);
		else
			line_rows(&r, src, len, width, st, line, &blank);
		src += len + (src[len] == '\n');
		line++;
	}
	if (r.n == 0)
		rows_add(&r, xstrdup(""), TSRC_BLANK, 1, true);
	*n = r.n;
	if (bad != NULL)
		*bad = r.bad;
	return r.v;
}

/* ---- the step's quote in the source ---- */

/* A line, trimmed of spaces at either end. */
typedef struct span {
	const char *s;
	size_t len;
} span_t;

/* The lines of s, trimmed (malloc'd, *n of them; a last line without its
 * newline counts). */
static span_t *
split_lines(const char *s, int *n)
{
	span_t *v = NULL;
	int cap = 0;

	*n = 0;
	while (*s != '\0') {
		size_t len = strcspn(s, "\n");
		span_t sp = { s, len };

		while (sp.len > 0 && isspace((unsigned char)sp.s[sp.len - 1]))
			sp.len--;
		while (sp.len > 0 && isspace((unsigned char)*sp.s))
			sp.s++, sp.len--;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			v = xreallocarray(v, (size_t)cap, sizeof *v);
		}
		v[(*n)++] = sp;
		s += len + (s[len] == '\n');
	}
	return v;
}

static int
count_lines(const char *s)
{
	const char *p = s;
	int n = 0;

	for (; *p != '\0'; p++)
		n += *p == '\n';
	return n + (p > s && p[-1] != '\n');
}

int
tsrc_find_quote(const char *src, const char *quote, int *from, int *to,
    bool *marks)
{
	int nsrc, nq, q, k = 0, found = 0;
	span_t *a = split_lines(src, &nsrc), *b = split_lines(quote, &nq);

	*from = *to = 0;
	for (q = 0; q < nq; q++) {
		int j;

		if (b[q].len == 0)
			continue;
		for (j = k; j < nsrc; j++)
			if (a[j].len == b[q].len &&
			    memcmp(a[j].s, b[q].s, b[q].len) == 0)
				break;
		if (j == nsrc)
			continue;               /* not in the source: skipped */
		marks[j + 1] = true;
		if (*from == 0)
			*from = j + 1;
		*to = j + 1;
		k = j + 1;
		found++;
	}
	free(a);
	free(b);
	return found;
}

/* ---- the screen's state ---- */

const char *
tutor_source_path(void)
{
	static char path[4096];
	const char *env = getenv("CONVGRAD_SOURCE");

	if (env != NULL && *env != '\0')
		return env;
	snprintf(path, sizeof path, "%s/source/conv2d-derivation.md",
	    lesson_default_dir());
	return path;
}

/* Read the source into a new state; when it cannot be read, the step's
 * quote (or nothing) with the reason. */
static tutor_src_t *
source_load(const lesson_step_t *st)
{
	tutor_src_t *x = xcalloc(1, sizeof *x);
	const char *path = tutor_source_path();
	char *err = NULL;
	size_t len;

	if (read_file_max(path, SOURCE_MAX_SIZE, &x->text, &len, &err) == 0)
		x->path = xstrdup(path);
	else {
		x->note = xasprintf("%s; shown: this step's quote only", err);
		free(err);
		x->text = xstrdup(st != NULL && st->source != NULL ? st->source :
		    "(this step quotes no source text)");
	}
	x->nlines = count_lines(x->text);
	x->quoted = xcalloc((size_t)x->nlines + 2, sizeof *x->quoted);
	x->width = -1;
	return x;
}

void
tutor_source_open(tutor_t *t)
{
	const lesson_step_t *st = tutor_cur_step(t);
	tutor_src_t *x;

	if (t->src != NULL && t->src->path == NULL)
		tutor_source_free(t);   /* the quote shown was another step's */
	if (t->src == NULL)
		t->src = source_load(st);
	x = t->src;
	memset(x->quoted, 0, ((size_t)x->nlines + 2) * sizeof *x->quoted);
	x->quote_from = x->quote_to = 0;
	if (st != NULL && st->source != NULL)
		tsrc_find_quote(x->text, st->source, &x->quote_from, &x->quote_to,
		    x->quoted);
	x->goto_line = x->quote_from > 0 ? x->quote_from : 1;
	x->hscroll = 0;
	x->back = t->screen;
	t->screen = SCR_SOURCE;
	if (x->note != NULL)
		tutor_message(t, "%s", x->note);
	else if (st == NULL || st->source == NULL)
		tutor_message(t, "this step quotes no source text: the source "
		    "from the top");
	else if (x->quote_from == 0)
		tutor_message(t, "this step's quote is not in %s: the source "
		    "from the top", x->path);
	else
		tutor_message(t, NULL);
}

static void
clamp_int(int *v, int lo, int hi)
{
	if (*v > hi)
		*v = hi;
	if (*v < lo)
		*v = lo;
}

static void
source_clamp(tutor_src_t *x)
{
	int view = x->width;

	clamp_int(&x->scroll, 0, x->nrows > x->page ? x->nrows - x->page : 0);
	clamp_int(&x->hscroll, 0, x->max_width > view ? x->max_width - view : 0);
}

/* The first row showing line l or a later one. */
static int
row_of_line(const tutor_src_t *x, int l)
{
	int i;

	for (i = 0; i < x->nrows; i++)
		if (x->rows[i].line >= l)
			return i;
	return x->nrows > 0 ? x->nrows - 1 : 0;
}

static void
source_relayout(tutor_src_t *x, int width, pp_style_t st)
{
	int top = x->nrows > 0 ? x->rows[x->scroll].line : 1, i;

	tsrc_rows_free(x->rows, x->nrows);
	x->rows = tsrc_layout(x->text, width, st, x->verbatim, &x->nrows,
	    &x->bad);
	x->width = width;
	x->style = st;
	x->laid_verbatim = x->verbatim;
	x->max_width = 0;
	for (i = 0; i < x->nrows; i++)
		if (x->rows[i].width > x->max_width)
			x->max_width = x->rows[i].width;
	if (x->goto_line == 0)          /* the same line stays at the top */
		x->scroll = row_of_line(x, top);
}

void
tutor_source_measure(tutor_t *t, int page, int width, bool ascii)
{
	tutor_src_t *x = t->src;
	pp_style_t st = ascii ? PP_ASCII : PP_UNICODE;

	if (x == NULL || t->screen != SCR_SOURCE || width <= 0)
		return;
	x->page = page > 1 ? page : 1;
	if (x->width != width || x->style != st ||
	    x->laid_verbatim != x->verbatim)
		source_relayout(x, width, st);
	if (x->goto_line > 0) {
		x->scroll = row_of_line(x, x->goto_line);
		x->goto_line = 0;
	}
	source_clamp(x);
}

/* Scroll by delta rows (within the last measure). */
static void
source_scroll(tutor_src_t *x, int delta)
{
	x->scroll += delta;
	source_clamp(x);
}

bool
tutor_source_action(tutor_t *t, tutor_action_t a)
{
	tutor_src_t *x = t->src;
	int pg;

	if (t->screen != SCR_SOURCE || x == NULL)
		return false;
	pg = x->page > 2 ? x->page - 1 : 1;     /* a page less a row */
	if (a != ACT_HELP && a != ACT_QUIT)
		tutor_message(t, NULL);         /* said; the screen moves on */
	switch (a) {
	case ACT_UP: source_scroll(x, -1); break;
	case ACT_DOWN: source_scroll(x, 1); break;
	case ACT_PAGE_UP: source_scroll(x, -pg); break;
	case ACT_PAGE_DOWN:
		if (x->scroll + x->page >= x->nrows)
			tutor_message(t, "the end of the source");
		source_scroll(x, pg);
		break;
	case ACT_SRC_TOP: x->scroll = 0; source_clamp(x); break;
	case ACT_SRC_END: x->scroll = x->nrows; source_clamp(x); break;
	case ACT_LEFT: x->hscroll -= 8; source_clamp(x); break;
	case ACT_RIGHT: x->hscroll += 8; source_clamp(x); break;
	case ACT_SRC_VERBATIM:
		x->verbatim = !x->verbatim;
		x->hscroll = 0;
		break;
	case ACT_BACK: case ACT_SOURCE:
		t->screen = x->back;
		break;
	default:
		return false;
	}
	return true;
}

void
tutor_source_free(tutor_t *t)
{
	tutor_src_t *x = t->src;

	if (x == NULL)
		return;
	tsrc_rows_free(x->rows, x->nrows);
	free(x->path);
	free(x->text);
	free(x->note);
	free(x->quoted);
	free(x);
	t->src = NULL;
}
