/*
 * ui-panes.c: the tensor panes. Each shows one 2-D slice of a tensor of
 * the verifier's world (input: one (b, c_in); weight: one (c_out, c_in);
 * output or df: one (b, c_out); bias: all of it, a column of c_out) as a
 * grid of values, or, when the window is narrow, of shaded cells (a sign
 * and a shade for the magnitude).
 *
 * The marks come from tutor_mark(): the chosen element [ ], the highlighted
 * set ‹ › (the receptive window, the outputs an input feeds, the inputs a
 * tap multiplies), the paired element { }, and for an erratum about the
 * window the cells its wrong interval takes in besides, ( ). Colour tells them apart where
 * there is colour; the markers and reverse/bold/underline do where there is
 * not, and the sign of a value is always written.
 */
#include "ui-curses.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CELL_VALUES 7     /* marker, "-0.42", marker */
#define CELL_SHADED 4     /* marker, sign, shade, marker */

/* Columns added to each cell (presenter mode, where the screen has room):
 * the cell is drawn in the middle of its wider column. */
static int cell_spacing;

void
ui_pane_set_spacing(int extra)
{
	cell_spacing = extra > 0 ? extra : 0;
}

static int
cell_width(bool values)
{
	return (values ? CELL_VALUES : CELL_SHADED) + cell_spacing;
}

static const char *const pane_index_names[PANE_COUNT][4] = {
	[PANE_INPUT] = { "b", "c_in", "h_in", "w_in" },
	[PANE_WEIGHT] = { "c_out", "c_in", "di", "dj" },
	[PANE_OUTPUT] = { "b", "c_out", "h_out", "w_out" },
	[PANE_BIAS] = { "", "", "c_out", "" },
};

/* The name of index d (cursor order) of pane p: a let's are the names
 * its definition gives them (cols[b, r, p]: "b", "", "r", "p"). */
static const char *
index_name(const tutor_t *t, tutor_pane_t p, int d)
{
	const tutor_let_pane_t *lp = tutor_let_pane(t, p);
	int k;

	if (lp == NULL)
		return p < PANE_LET0 ? pane_index_names[p][d] : "";
	k = d - (4 - lp->rank);
	return k < 0 ? "" : lp->def->lhs->u.access.args[k]->u.name.name;
}

static const char *
pane_tensor(const tutor_t *t, tutor_pane_t p)
{
	switch (p) {
	case PANE_INPUT: return "input";
	case PANE_WEIGHT: return "weight";
	case PANE_OUTPUT: return tutor_shows_df(t) ? "df" : "output";
	case PANE_BIAS: return "bias";
	default:
		return tutor_let_pane(t, p) != NULL ? tutor_let_pane(t, p)->name :
		    NULL;
	}
}

static int title_width(const tutor_t *t, tutor_pane_t p);

/* The value at idx (cursor order) of pane p's tensor: bias is 1-D, its
 * c_out the row. */
static double
pane_value(const tensor_t *tn, tutor_pane_t p, const long idx[4])
{
	if (p == PANE_BIAS)
		return T1(tn, idx[2]);
	switch (tn->ndim) {     /* a let: its indices right-aligned in idx */
	case 2: return T2(tn, idx[2], idx[3]);
	case 3: return T3(tn, idx[1], idx[2], idx[3]);
	default: return T4(tn, idx[0], idx[1], idx[2], idx[3]);
	}
}

/* Is idx outside the tensor (the input's zero padding)? */
static bool
pane_pad(const tensor_t *tn, tutor_pane_t p, const long idx[4])
{
	if (p == PANE_BIAS)
		return idx[2] < 0 || idx[2] >= (long)tn->shape[0];
	if (p >= PANE_LET0)     /* a let: its grid, no padding drawn */
		return false;
	return idx[2] < 0 || idx[2] >= (long)tn->shape[2] || idx[3] < 0 ||
	    idx[3] >= (long)tn->shape[3];
}

static int
digits(long v)
{
	int d = 1;

	while (v >= 10)
		v /= 10, d++;
	return d;
}

/* The rows and columns a pane's grid spans: the tensor's, and for the
 * input the zero padding around it too (drawn, so that a window reaching
 * into it shows where it reads zeros). */
typedef struct extent {
	long r_lo, nr, c_lo, nc;        /* rows r_lo .. r_lo+nr-1, likewise */
} extent_t;

static extent_t
pane_extent(const tutor_t *t, tutor_pane_t p)
{
	const conv_shape_t *s = tutor_shape(t);
	long dims[4];
	extent_t e;

	tutor_pane_dims(t, p, dims);
	e.r_lo = e.c_lo = 0;
	e.nr = dims[2], e.nc = dims[3];
	if (p == PANE_INPUT && s != NULL) {
		e.r_lo = -s->pad_h, e.nr += 2 * s->pad_h;
		e.c_lo = -s->pad_w, e.nc += 2 * s->pad_w;
	}
	return e;
}

/* The row labels' column: the widest row index (a "-" for padding rows)
 * and a space. */
static int
gutter_width(const extent_t *e)
{
	long last = e->r_lo + e->nr - 1;

	return digits(last > 0 ? last : 0) + (e->r_lo < 0 ? 1 : 0) + 1;
}

/* ---- a let pane's title: its name, its slice, its shape ---- */

#define LET_TITLES 4

/* A dimension's bound as a short formula: "C_in*R*S" as "C_in·R·S". */
static char *
dim_text(const expr_t *e)
{
	char *txt = expr_text(e);
	sbuf_t b;
	const char *c;

	sbuf_init(&b);
	for (c = txt; *c != '\0'; c++)
		if (*c == '*')
			sbuf_add(&b, "·");
		else if (*c != ' ')
			sbuf_addf(&b, "%c", *c);
	free(txt);
	return sbuf_take(&b);
}

/* "[b=0]": the indices before the grid's two, at the cursor ("" for a
 * matrix). */
static char *
let_slice(const tutor_t *t, tutor_pane_t p)
{
	const tutor_let_pane_t *lp = tutor_let_pane(t, p);
	sbuf_t b;
	int d;

	sbuf_init(&b);
	for (d = 4 - lp->rank; d < 2; d++)
		sbuf_addf(&b, "%s%s=%ld", d == 4 - lp->rank ? "[" : ",",
		    index_name(t, p, d), t->cur[p][d]);
	if (lp->rank > 2)
		sbuf_add(&b, "]");
	return sbuf_take(&b);
}

/* The title's forms, widest first: " *cols[b=0] (C_in·R·S × H_out·W_out) ",
 * " *cols[b=0] 12×9 ", " *cols 12×9 ", " *cols " (free each). */
static void
let_titles(const tutor_t *t, tutor_pane_t p, bool focus,
    char *f[LET_TITLES])
{
	const tutor_let_pane_t *lp = tutor_let_pane(t, p);
	const char *star = focus ? "*" : "", *x = ui_glyphs()->times;
	char *slice = let_slice(t, p);
	char *rows = dim_text(lp->def->dims[lp->rank - 2]);
	char *cols = dim_text(lp->def->dims[lp->rank - 1]);

	f[0] = xasprintf(" %s%s%s (%s %s %s) ", star, lp->name, slice, rows, x,
	    cols);
	f[1] = xasprintf(" %s%s%s %ld%s%ld ", star, lp->name, slice,
	    lp->dims[2], x, lp->dims[3]);
	f[2] = xasprintf(" %s%s %ld%s%ld ", star, lp->name, lp->dims[2], x,
	    lp->dims[3]);
	f[3] = xasprintf(" %s%s ", star, lp->name);
	free(rows);
	free(cols);
	free(slice);
}

/* The columns title form k of a let pane takes, with its borders. */
static int
let_title_width(const tutor_t *t, tutor_pane_t p, int k)
{
	char *f[LET_TITLES];
	int i, w;

	let_titles(t, p, true, f);
	w = ui_width(f[k]) + 2;
	for (i = 0; i < LET_TITLES; i++)
		free(f[i]);
	return w;
}

int
ui_pane_width(const tutor_t *t, tutor_pane_t p, bool values)
{
	extent_t e = pane_extent(t, p);
	int w, tw = tutor_let_pane(t, p) != NULL ? let_title_width(t, p, 0) :
	    title_width(t, p);

	w = (int)e.nc * cell_width(values) +
	    gutter_width(&e) + 1 + 2;
	return w > tw ? w : tw;
}

/* " *weight[1,0] ": the title's short form, the widest case (" *weight
 * unused " is as wide or less); " *bias ". */
static int
title_width(const tutor_t *t, tutor_pane_t p)
{
	long dims[4];
	char buf[64];

	if (p == PANE_BIAS)
		return ui_width(" *bias ") + 2;
	tutor_pane_dims(t, p, dims);
	snprintf(buf, sizeof buf, " *%s[%ld,%ld] ", pane_tensor(t, p),
	    dims[0] - 1, dims[1] - 1);
	return ui_width(buf) + 2;
}

int
ui_pane_min_width(const tutor_t *t, tutor_pane_t p)
{
	extent_t e = pane_extent(t, p);
	int g, tw = tutor_let_pane(t, p) != NULL ?
	    let_title_width(t, p, LET_TITLES - 1) : title_width(t, p);

	g = gutter_width(&e) + 2 * CELL_SHADED + 1 + 2;
	return g > tw ? g : tw;
}

/* The first row (or column) to show, of n, vis at a time: the cursor and
 * the whole marked range lo..hi (lo > hi: none) when they fit together;
 * else, in the focused pane (where the cursor is what moves) the cursor,
 * in the others the marked range (the window the cursor elsewhere picks),
 * each in the middle. */
static long
view_start(long cur, long lo, long hi, long n, long vis, bool focused)
{
	long top, a = cur, b = cur;

	if (vis >= n)
		return 0;
	if (lo <= hi) {
		a = lo < cur ? lo : cur;
		b = hi > cur ? hi : cur;
	}
	if (b - a + 1 <= vis)
		top = a - (vis - (b - a + 1)) / 2;
	else if (!focused && lo <= hi && hi - lo + 1 <= vis)
		top = lo - (vis - (hi - lo + 1)) / 2;
	else
		top = cur - vis / 2;
	if (top < 0)
		top = 0;
	if (top > n - vis)
		top = n - vis;
	return top;
}

/* The rows and columns of the slice's marked cells (window, fed outputs,
 * tapped inputs, the pair). */
static void
marked_range(const tutor_t *t, tutor_pane_t p, const extent_t *e,
    long rows[2], long cols[2])
{
	long idx[4], i, j;
	long ext[4] = { e->r_lo, e->r_lo + e->nr - 1, e->c_lo,
	    e->c_lo + e->nc - 1 };

	if (p != PANE_WEIGHT) {         /* without visiting every cell */
		tutor_mark_box(t, p, ext, rows, cols);
		return;
	}
	rows[0] = cols[0] = LONG_MAX;
	rows[1] = cols[1] = LONG_MIN;
	idx[0] = t->cur[p][0], idx[1] = t->cur[p][1];
	for (i = e->r_lo; i < e->r_lo + e->nr; i++)
		for (j = e->c_lo; j < e->c_lo + e->nc; j++) {
			idx[2] = i, idx[3] = j;
			if (!(tutor_mark(t, p, idx) &
			    (MARK_SET | MARK_PARTNER | MARK_SOURCE)))
				continue;
			if (i < rows[0]) rows[0] = i;
			if (i > rows[1]) rows[1] = i;
			if (j < cols[0]) cols[0] = j;
			if (j > cols[1]) cols[1] = j;
		}
}

static void
format_value(double v, char *buf, size_t len)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, len, "  nan");
	else if (a < 9.995)
		snprintf(buf, len, "%5.2f", v);
	else if (a < 99.95)
		snprintf(buf, len, "%5.1f", v);
	else if (a < 99999.5)
		snprintf(buf, len, "%5.0f", v);
	else
		snprintf(buf, len, "%5.0e", v);
}

/* A shaded cell: the sign, then a shade for |v| (inputs and weights are
 * in [-1, 1); outputs can be larger). */
static void
format_shaded(double v, double scale, char *buf, size_t len)
{
	const ui_glyphs_t *g = ui_glyphs();
	double a = scale > 0 ? fabs(v) / scale : 0;
	int k = a < 0.25 ? 0 : a < 0.5 ? 1 : a < 0.75 ? 2 : 3;

	snprintf(buf, len, "%s%s", v < 0 ? "-" : "+", g->shade[k]);
}

static void
cell_style(unsigned m, double v, ui_role_t *role, const char **l,
    const char **r)
{
	const ui_glyphs_t *g = ui_glyphs();

	*l = *r = " ";
	*role = v < 0 ? ROLE_NEG : ROLE_POS;
	if (m & MARK_SOURCE)    /* the source's interval, past the window */
		*role = ROLE_ERRATUM, *l = "(", *r = ")";
	if (m & MARK_SET)
		*role = ROLE_SET, *l = g->set_l, *r = g->set_r;
	if (m & MARK_PARTNER)
		*role = ROLE_PARTNER, *l = g->par_l, *r = g->par_r;
	if (m & MARK_CURSOR)
		*role = ROLE_CURSOR, *l = g->cur_l, *r = g->cur_r;
}

/* Largest |value| of the slice, for the shades. */
static double
slice_scale(const tensor_t *tn, tutor_pane_t p, const long *c,
    const long *dims)
{
	double m = 0;
	long i, j;

	for (i = 0; i < dims[2]; i++)
		for (j = 0; j < dims[3]; j++) {
			long idx[4] = { c[0], c[1], i, j };
			double v = fabs(pane_value(tn, p, idx));

			if (v > m)
				m = v;
		}
	return m;
}

/* One cell: value or shade between its markers. */
static void
draw_cell(const tutor_t *t, tutor_pane_t p, const tensor_t *tn,
    const long idx[4], double scale, bool values, bool used, int y, int x)
{
	int cw = values ? CELL_VALUES : CELL_SHADED;
	bool pad = pane_pad(tn, p, idx);
	double v = pad ? 0 : pane_value(tn, p, idx);
	char num[32], cell[48];
	const char *l, *r;
	ui_role_t role;
	unsigned m;

	if (pad)        /* zero padding: a dot, its value 0 */
		snprintf(num, sizeof num, values ? "    %s" : " %s",
		    ui_glyphs()->dot);
	else if (values)
		format_value(v, num, sizeof num);
	else
		format_shaded(v, scale, num, sizeof num);
	m = used ? tutor_mark(t, p, idx) : 0;

	/* The weight's cursor set to the tap pairing the other two cursors
	 * shows as that pair, { }, unless the weight pane is the one moved. */
	if ((m & MARK_PARTNER) && t->focus != p)
		m &= ~(unsigned)MARK_CURSOR;
	cell_style(m, v, &role, &l, &r);
	if (!used || (pad && m == 0))
		role = ROLE_DIM;
	snprintf(cell, sizeof cell, "%s%s%s", l, num, r);
	ui_put(y, x + cell_spacing / 2, cw, ui_attr(role), cell);
}

/* The column labels (each index over its cell) and the markers of what is
 * scrolled off: ▴ rows above, ◂ columns left, ▸ columns right (▾ rows
 * below is drawn in the bottom border). */
static void
draw_labels(int y, int x, int gw, int cw, const extent_t *e, long r0,
    long c0, long vc, bool one_column)
{
	const ui_glyphs_t *g = ui_glyphs();
	attr_t dim = ui_attr(ROLE_DIM), key = ui_attr(ROLE_KEY);
	char lab[24];
	long j;

	for (j = 0; j < vc && !one_column; j++) {  /* bias: rows only */
		long c = c0 + j;
		int lw = cw / 2 + (digits(c < 0 ? -c : c) + (c < 0)) / 2 + 1;

		snprintf(lab, sizeof lab, "%*ld", lw > 12 ? 12 : lw < 1 ? 1 : lw,
		    c % 1000000);
		ui_put(y, x + gw + (int)j * cw, cw, dim, lab);
	}
	if (r0 > e->r_lo)
		ui_put(y, x, 1, key, g->clip_up);
	if (c0 > e->c_lo)
		ui_put(y, x + gw - 1, 1, key, g->clip_l);
	if (c0 + vc < e->c_lo + e->nc)
		ui_put(y, x + gw + (int)vc * cw, 1, key, g->clip_r);
}

static void
draw_grid(const tutor_t *t, tutor_pane_t p, const tensor_t *tn, int y,
    int x, int h, int w, bool values, bool used)
{
	int cw = cell_width(values), gw;
	long dims[4], idx[4], r0, c0, vr, vc, i, j, mr[2], mc[2];
	const long *cur = t->cur[p];
	double scale;
	char lab[24];

	extent_t e = pane_extent(t, p);

	tutor_pane_dims(t, p, dims);
	gw = gutter_width(&e);
	vr = h - 1 < e.nr ? h - 1 : e.nr;               /* a row of labels */
	vc = (w - gw - 1) / cw < e.nc ? (w - gw - 1) / cw : e.nc;
	if (vr < 1 || vc < 1)
		return;
	marked_range(t, p, &e, mr, mc);
	/* view_start counts from 0: shift by the extent's start. */
	r0 = e.r_lo + view_start(cur[2] - e.r_lo, mr[0] - e.r_lo,
	    mr[1] - e.r_lo, e.nr, vr, t->focus == p);
	c0 = e.c_lo + view_start(cur[3] - e.c_lo, mc[0] - e.c_lo,
	    mc[1] - e.c_lo, e.nc, vc, t->focus == p);
	scale = values ? 0 : slice_scale(tn, p, cur, dims);
	draw_labels(y, x, gw, cw, &e, r0, c0, vc, p == PANE_BIAS);
	idx[0] = cur[0], idx[1] = cur[1];
	for (i = 0; i < vr; i++) {
		snprintf(lab, sizeof lab, "%*ld", gw > 12 ? 11 : gw - 1,
		    (r0 + i) % 1000000);
		ui_put(y + 1 + (int)i, x, gw, ui_attr(ROLE_DIM), lab);
		for (j = 0; j < vc; j++) {
			idx[2] = r0 + i, idx[3] = c0 + j;
			draw_cell(t, p, tn, idx, scale, values, used, y + 1 + (int)i,
			    x + gw + (int)j * cw);
		}
	}
	if (r0 + vr < e.r_lo + e.nr)    /* rows below: in the bottom border */
		ui_put(y + h, x, 1, ui_attr(ROLE_KEY), ui_glyphs()->clip_down);
}

/* The first of the candidate texts that fits in w columns, or "". */
static const char *
fit(const char *a, const char *b, const char *c, int w)
{
	if (ui_width(a) <= w)
		return a;
	if (ui_width(b) <= w)
		return b;
	return ui_width(c) <= w ? c : "";
}

/* The bottom border: the chosen element and its value, shorter forms
 * when the pane is narrow ("c_out=1: 0.23" for bias). */
/* The first of n forms that fits in w columns, drawn; then each freed. */
static void
put_first_fit(int y, int x, int w, attr_t a, char **f, int n)
{
	int i;
	bool done = false;

	for (i = 0; i < n; i++) {
		if (!done && ui_width(f[i]) <= w) {
			ui_put(y, x, w, a, f[i]);
			done = true;
		}
		free(f[i]);
	}
}

/* The input pane's bottom border while an im2col pane's cursor reads it:
 * " cols[0, r=5, p=3] reads input[0, c_in=0, h=1, w=2] ", or that the
 * entry reads the padding; shorter forms when the pane is narrow. */
static void
draw_read_footer(const tutor_t *t, int y, int x, int w, attr_t a)
{
	const tutor_col_read_t *rd = &t->lets.read;
	const char *name = pane_tensor(t, rd->pane), *pad = rd->px.inside ?
	    "" : "padding: ";
	const char *ri = index_name(t, rd->pane, 2), *pi = index_name(t,
	    rd->pane, 3);
	long b = rd->b, h = rd->px.h_in, wi = rd->px.w_in;
	char *f[4];

	f[0] = xasprintf(" %s[%ld, %s=%ld, %s=%ld] reads %sinput[%ld, c_in=%ld, "
	    "h=%ld, w=%ld]%s ", name, b, ri, rd->r, pi, rd->p, pad, b,
	    rd->px.c_in, h, wi, rd->px.inside ? "" : " = 0");
	f[1] = xasprintf(" %s[%ld,%ld,%ld] reads %sinput[%ld,%ld,%ld,%ld] ",
	    name, b, rd->r, rd->p, pad, b, rd->px.c_in, h, wi);
	f[2] = xasprintf(" reads %sinput[%ld,%ld,%ld,%ld] ", pad, b,
	    rd->px.c_in, h, wi);
	f[3] = xasprintf(" %s(%ld,%ld) ", rd->px.inside ? "reads " : "padding ",
	    h, wi);
	put_first_fit(y, x, w, a, f, 4);
}

static void
draw_footer(const tutor_t *t, tutor_pane_t p, const tensor_t *tn, int y,
    int x, int w, attr_t a)
{
	const char *n2 = index_name(t, p, 2), *n3 = index_name(t, p, 3);
	const long *c = t->cur[p];
	char num[32], *f[3];

	if (p == PANE_INPUT && t->lets.read.valid) {
		draw_read_footer(t, y, x, w, a);
		return;
	}
	format_value(pane_value(tn, p, c), num, sizeof num);
	if (p == PANE_BIAS) {
		f[0] = xasprintf(" %s=%ld:%s ", n2, c[2], num);
		f[1] = xasprintf(" %ld:%s ", c[2], num);
	} else {
		f[0] = xasprintf(" %s=%ld %s=%ld:%s ", n2, c[2], n3, c[3], num);
		f[1] = xasprintf(" (%ld,%ld)%s ", c[2], c[3], num);
	}
	f[2] = xstrdup("");
	put_first_fit(y, x, w, a, f, 3);
}

/* The title: tensor[slice], and in the bottom border the chosen element;
 * shorter forms when the pane is narrow. */
static void
draw_frame(const tutor_t *t, tutor_pane_t p, const tensor_t *tn, int y,
    int x, int h, int w, bool used)
{
	const char *const *nm = pane_index_names[p];
	const long *c = t->cur[p];
	bool focus = t->focus == p && !t->var_focus;
	attr_t a = ui_attr(focus ? ROLE_FOCUS : ROLE_DIM);
	char *full, *brief, *least;
	const char *name = pane_tensor(t, p) != NULL ? pane_tensor(t, p) : "";

	if (tutor_let_pane(t, p) != NULL) {
		char *f[LET_TITLES];

		ui_box(y, x, h, w, NULL, a);
		let_titles(t, p, focus, f);
		put_first_fit(y, x + 1, w - 2, a, f, LET_TITLES);
		if (tn != NULL)
			draw_footer(t, p, tn, y + h - 1, x + 2, w - 3, a);
		return;
	}
	/* One form whether focused or not: the focus is the "*" and the
	 * border's colour. */
	if (p == PANE_BIAS)     /* all of it: no slice to name */
		full = xasprintf(" %sbias ", focus ? "*" : "");
	else
		full = xasprintf(" %s%s[%s=%ld,%s=%ld]%s ", focus ? "*" : "",
		    name, nm[0], c[0], nm[1], c[1], used ? "" : " unused");
	if (p == PANE_BIAS)
		brief = xstrdup(full);
	else if (used)
		brief = xasprintf(" %s%s[%ld,%ld] ", focus ? "*" : "", name, c[0],
		    c[1]);
	else
		brief = xasprintf(" %s%s unused ", focus ? "*" : "", name);
	least = xasprintf(" %s%s ", focus ? "*" : "", name); /* dimmed: unused */
	ui_box(y, x, h, w, NULL, a);
	ui_put(y, x + 1, w - 2, a, fit(full, brief, least, w - 2));
	free(least);
	if (tn != NULL && used)
		draw_footer(t, p, tn, y + h - 1, x + 2, w - 3, a);
	free(full);
	free(brief);
}

void
ui_pane_draw(const tutor_t *t, tutor_pane_t p, int y, int x, int h, int w,
    bool values)
{
	const tensor_t *tn = NULL;
	bool used = tutor_pane_used(t, p);

	if (h < 3 || w < 6)
		return;
	if (t->vc != NULL)
		tn = verify_ctx_tensor(t->vc, pane_tensor(t, p));
	draw_frame(t, p, tn, y, x, h, w, used);
	if (tn == NULL) {
		ui_put(y + 1, x + 1, w - 2, ui_attr(ROLE_DIM), "(no data)");
		return;
	}
	draw_grid(t, p, tn, y + 1, x + 1, h - 2, w - 2, values, used);
}
