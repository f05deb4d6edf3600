/*
 * ui-erratum.c: the erratum made visible, below the claim in the text
 * column (lesson 8, and every step that sets the source's formula beside
 * its correction):
 *   - the two claims' lines that differ, the source's (✗) over the
 *     correction's (✓), each with its changed tokens marked: reversed,
 *     and ^ under them (so that they show without colour too);
 *   - for an erratum about the window, the interval its bounds take in,
 *     in words, beside the true window's: "the source's case: input rows
 *     0..3, columns 0..1; the window: rows 0..2, columns 0..1".
 * The state computed both (t->pair with tok_diff's marks, t->srcset at
 * the cursors); this only lays them out and draws.
 */
#include "ui-curses.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* One line of a claim's text: [s, s+len) with its marks. */
typedef struct line {
	const char *s;
	const unsigned char *m;
	size_t len;
} line_t;

/* Line i of text (marks alongside); false past the last. */
static bool
text_line(const char *text, const unsigned char *mark, int i, line_t *l)
{
	const char *p = text;

	while (i-- > 0) {
		p = strchr(p, '\n');
		if (p == NULL)
			return false;
		p++;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	l->s = p;
	l->m = mark + (p - text);
	l->len = strcspn(p, "\n");
	return true;
}

/* Has line l a changed token? ("expect fail", the source's marker that it
 * is false, is not a change of the formula.) */
static bool
line_marked(const line_t *l)
{
	size_t i;

	if (l->len == 11 && strncmp(l->s, "expect fail", 11) == 0)
		return false;
	for (i = 0; i < l->len; i++)
		if (l->m[i])
			return true;
	return false;
}

/* The rows: the title, then for each line that differs two rows (text,
 * carets) of the source's and two of the correction's, then the
 * interval's words wrapped. Row i's content into *kind: 0 title, 1 text,
 * 2 carets, 3 words; *which: 0 source, 1 correction; *ln the line. */
typedef struct row {
	int kind, which, ln, word;
} row_t;

static char *
interval_words(const tutor_t *t)
{
	const tutor_source_set_t *x = &t->srcset;
	char src[96], win[96];

	if (!x->valid)
		return NULL;
	if (x->src_r[0] > x->src_r[1])
		snprintf(src, sizeof src, "no input at all");
	else
		snprintf(src, sizeof src, "input rows %ld..%ld, columns %ld..%ld",
		    x->src_r[0], x->src_r[1], x->src_c[0], x->src_c[1]);
	if (x->win_r[0] > x->win_r[1])
		snprintf(win, sizeof win, "no input");
	else
		snprintf(win, sizeof win, "rows %ld..%ld, columns %ld..%ld",
		    x->win_r[0], x->win_r[1], x->win_c[0], x->win_c[1]);
	return xasprintf("by the source's bounds this case takes in %s; the "
	    "window of the output cursor is %s (( ) in the input pane: what "
	    "the source adds to it)", src, win);
}

/* The rows for width w (malloc'd, *n set); NULL when there is nothing. */
static row_t *
rows_make(const tutor_t *t, int w, int *n)
{
	const tutor_erratum_pair_t *p = &t->pair;
	row_t *r;
	char **words = NULL, *iw = interval_words(t);
	int nw = 0, cap = 8, i, k;
	line_t a, b;

	*n = 0;
	if (p->src == NULL && iw == NULL)
		return NULL;
	if (iw != NULL) {
		words = ui_wrap(iw, w, &nw);
		free(iw);
	}
	cap += nw;
	for (i = 0; p->src != NULL && (text_line(p->src->text, p->msrc, i, &a) |
	    text_line(p->fix->text, p->mfix, i, &b)); i++)
		cap += 4;
	r = xcalloc((size_t)cap, sizeof *r);
	r[(*n)++] = (row_t){ .kind = 0 };
	for (i = 0; p->src != NULL; i++) {
		bool ha = text_line(p->src->text, p->msrc, i, &a);
		bool hb = text_line(p->fix->text, p->mfix, i, &b);

		if (!ha && !hb)
			break;
		ha = ha && line_marked(&a);
		hb = hb && line_marked(&b);
		if (!ha && !hb)
			continue;
		/* Both lines; the carets only under a line with changes. */
		for (k = 0; k < 4; k++)
			if (k % 2 == 0 || (k / 2 == 0 ? ha : hb))
				r[(*n)++] = (row_t){ .kind = 1 + k % 2, .which = k / 2,
				    .ln = i };
	}
	for (k = 0; k < nw; k++)
		r[(*n)++] = (row_t){ .kind = 3, .word = k };
	if (words != NULL)
		ui_lines_free(words, nw);
	return r;
}

int
ui_erratum_rows(const tutor_t *t, int w)
{
	int n;

	free(rows_make(t, w, &n));
	return n;
}

/* The first changed byte of line l (l->len: none). */
static size_t
first_mark(const line_t *l)
{
	size_t i = 0;

	while (i < l->len && !l->m[i])
		i++;
	return i;
}

/* The part of line l shown in w columns: all of it when it fits, else
 * its longest tail from a blank before first (the first change of the
 * two lines, before which they are the same) that fits, as the other
 * line o's tail from there does (so that both are cut alike), else from a
 * little before first; with … where it is cut. */
static void
line_view(const line_t *l, const line_t *o, size_t first, int w,
    size_t *from, size_t *to, bool *lcut, bool *rcut)
{
	char *s = xstrndup(l->s, l->len);
	char *os = o != NULL ? xstrndup(o->s, o->len) : NULL;
	size_t i;

	*from = 0, *to = l->len, *lcut = *rcut = false;
	if (first > l->len)
		first = l->len;
	if (ui_width(s) > w || (os != NULL && ui_width(os) > w)) {
		/* the longest tail from a blank that fits, when it holds the
		 * change; else back to a blank a few tokens before it */
		for (i = 1; i <= first; i++)
			if (l->s[i - 1] == ' ' && ui_width(s + i) + 1 <= w &&
			    (os == NULL || i > o->len || ui_width(os + i) + 1 <= w))
				break;
		if (i > first) {
			for (i = first; i > 0 && first - i < 12; i--)
				;
			while (i > 0 && l->s[i - 1] != ' ')
				i--;
		}
		*from = i, *lcut = i > 0;
		while (*to > *from) {
			char *v = xstrndup(l->s + *from, *to - *from);
			int vw = ui_width(v) + (*lcut ? 1 : 0) + (*to < l->len ? 1 : 0);

			free(v);
			if (vw <= w)
				break;
			(*to)--;
		}
		*rcut = *to < l->len;
	}
	free(s);
	free(os);
}

/* Draw line l from..to at (y, x): its marked bytes reversed (carets:
 * ^ under them instead). */
static void
draw_line(const line_t *l, size_t from, size_t to, bool lcut, bool rcut,
    bool carets, int y, int x, int w, ui_role_t role)
{
	const char *ell = ui_glyphs()->ellipsis;
	size_t i = from;
	int col = x;

	if (lcut)
		col += ui_put(y, col, w, carets ? A_NORMAL : ui_attr(ROLE_DIM),
		    carets ? " " : ell);
	while (i < to) {
		size_t j = i;
		bool m = l->m[i] != 0;
		char *run;

		while (j < to && (l->m[j] != 0) == m)
			j++;
		run = xstrndup(l->s + i, j - i);
		if (carets) {
			int k, rw = ui_width(run);

			for (k = 0; k < rw; k++)
				ui_put(y, col + k, 1, ui_attr(role), m ? "^" : " ");
			col += rw;
		} else
			col += ui_put(y, col, x + w - col, m ? ui_attr(role) | A_REVERSE :
			    A_NORMAL, run);
		free(run);
		i = j;
	}
	if (rcut && !carets)
		ui_put(y, col, 1, ui_attr(ROLE_DIM), ell);
}

void
ui_erratum_row(const tutor_t *t, int w, int i, int y, int x)
{
	const tutor_erratum_pair_t *p = &t->pair;
	const ui_glyphs_t *g = ui_glyphs();
	row_t *r;
	int n;

	r = rows_make(t, w, &n);
	if (r == NULL || i < 0 || i >= n) {
		free(r);
		return;
	}
	if (r[i].kind == 0) {
		char *h = p->src != NULL ?
		    xasprintf("the source %s and its correction %s, changes marked:",
		    g->fail, g->ok) :
		    xasprintf("the source's interval against the window:");

		ui_put(y, x, w, ui_attr(ROLE_DIM), h);
		free(h);
	} else if (r[i].kind == 3) {
		char **words, *iw = interval_words(t);
		int nw;

		words = ui_wrap(iw, w, &nw);
		if (r[i].word < nw)
			ui_put(y, x, w, ui_attr(ROLE_DIM), words[r[i].word]);
		ui_lines_free(words, nw);
		free(iw);
	} else {
		const claim_t *c = r[i].which == 0 ? p->src : p->fix;
		const unsigned char *m = r[i].which == 0 ? p->msrc : p->mfix;
		ui_role_t role = r[i].which == 0 ? ROLE_ERRATUM : ROLE_OK;
		size_t from, to;
		bool lcut, rcut;
		line_t l;
		int mw = ui_width(r[i].which == 0 ? g->fail : g->ok) + 1;

		if (text_line(c->text, m, r[i].ln, &l)) {
			size_t first = first_mark(&l);
			line_t o;
			bool has_o = text_line(r[i].which == 0 ? p->fix->text :
			    p->src->text, r[i].which == 0 ? p->mfix : p->msrc,
			    r[i].ln, &o);

			if (has_o && first_mark(&o) < first)
				first = first_mark(&o);
			if (r[i].kind == 1)
				ui_put(y, x, mw, ui_attr(role), r[i].which == 0 ? g->fail :
				    g->ok);
			line_view(&l, has_o ? &o : NULL, first,
			    w - mw, &from, &to, &lcut, &rcut);
			draw_line(&l, from, to, lcut, rcut, r[i].kind == 2, y, x + mw,
			    w - mw, role);
		}
	}
	free(r);
}
