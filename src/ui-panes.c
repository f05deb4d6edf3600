/*
 * ui-panes.c: the tensor panes. Each shows one 2-D slice of a tensor of
 * the verifier's world (input: one (b, c_in); weight: one (c_out, c_in);
 * output or df: one (b, c_out)) as a grid of values, or, when the window is
 * narrow, of shaded cells (a sign and a shade for the magnitude).
 *
 * The marks come from tutor_mark(): the chosen element [ ], the highlighted
 * set ‹ › (the receptive window, the outputs an input feeds, the inputs a
 * tap multiplies), the paired element { }. Colour tells them apart where
 * there is colour; the markers and reverse/bold/underline do where there is
 * not, and the sign of a value is always written.
 */
#include "ui-curses.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CELL_VALUES 7     /* marker, "-0.42", marker */
#define CELL_SHADED 4     /* marker, sign, shade, marker */

static const char *const pane_index_names[PANE_COUNT][4] = {
	[PANE_INPUT] = { "b", "c_in", "h_in", "w_in" },
	[PANE_WEIGHT] = { "c_out", "c_in", "di", "dj" },
	[PANE_OUTPUT] = { "b", "c_out", "h_out", "w_out" },
};

static const char *
pane_tensor(tutor_t *t, tutor_pane_t p)
{
	switch (p) {
	case PANE_INPUT: return "input";
	case PANE_WEIGHT: return "weight";
	case PANE_OUTPUT: return tutor_shows_df(t) ? "df" : "output";
	default: return NULL;
	}
}

int
ui_pane_width(tutor_t *t, tutor_pane_t p, bool values)
{
	long dims[4];

	tutor_pane_dims(t, p, dims);
	return (int)dims[3] * (values ? CELL_VALUES : CELL_SHADED) + 2;
}

/* The first row (or column) to show so that cur is in view. */
static long
view_start(long cur, long n, long vis)
{
	long top;

	if (vis >= n)
		return 0;
	top = cur - vis / 2;
	if (top < 0)
		top = 0;
	if (top > n - vis)
		top = n - vis;
	return top;
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
	if (m & MARK_SET)
		*role = ROLE_SET, *l = g->set_l, *r = g->set_r;
	if (m & MARK_PARTNER)
		*role = ROLE_PARTNER, *l = g->par_l, *r = g->par_r;
	if (m & MARK_CURSOR)
		*role = ROLE_CURSOR, *l = g->cur_l, *r = g->cur_r;
}

/* Largest |value| of the slice, for the shades. */
static double
slice_scale(const tensor_t *tn, const long *c, const long *dims)
{
	double m = 0;
	long i, j;

	for (i = 0; i < dims[2]; i++)
		for (j = 0; j < dims[3]; j++) {
			double v = fabs(T4(tn, c[0], c[1], i, j));

			if (v > m)
				m = v;
		}
	return m;
}

static void
draw_grid(tutor_t *t, tutor_pane_t p, const tensor_t *tn, int y, int x,
    int h, int w, bool values)
{
	int cw = values ? CELL_VALUES : CELL_SHADED;
	long dims[4], idx[4], r0, c0, vr, vc, i, j;
	const long *cur = t->cur[p];
	double scale;

	tutor_pane_dims(t, p, dims);
	vr = h < dims[2] ? h : dims[2];
	vc = w / cw < dims[3] ? w / cw : dims[3];
	r0 = view_start(cur[2], dims[2], vr);
	c0 = view_start(cur[3], dims[3], vc);
	scale = values ? 0 : slice_scale(tn, cur, dims);
	idx[0] = cur[0], idx[1] = cur[1];
	for (i = 0; i < vr; i++)
		for (j = 0; j < vc; j++) {
			double v;
			char num[32], cell[48];
			const char *l, *r;
			ui_role_t role;

			idx[2] = r0 + i, idx[3] = c0 + j;
			v = T4(tn, idx[0], idx[1], idx[2], idx[3]);
			if (values)
				format_value(v, num, sizeof num);
			else
				format_shaded(v, scale, num, sizeof num);
			cell_style(tutor_mark(t, p, idx), v, &role, &l, &r);
			snprintf(cell, sizeof cell, "%s%s%s", l, num, r);
			ui_put(y + (int)i, x + (int)j * cw, cw, ui_attr(role), cell);
		}
}

/* The first of the candidate texts that fits in w columns, or "". */
static const char *
fit(const char *a, const char *b, int w)
{
	if (ui_width(a) <= w)
		return a;
	return ui_width(b) <= w ? b : "";
}

/* The bottom border: the chosen element and its value, shorter forms
 * when the pane is narrow; for a bias claim the weight pane adds
 * bias[c_out] (bias has no pane of its own). */
static void
draw_footer(tutor_t *t, tutor_pane_t p, const tensor_t *tn, int y, int x,
    int w, attr_t a)
{
	const char *const *nm = pane_index_names[p];
	const long *c = t->cur[p];
	const tensor_t *bias = NULL;
	char num[32], bnum[32] = "", *f[3];
	int i;

	format_value(T4(tn, c[0], c[1], c[2], c[3]), num, sizeof num);
	if (p == PANE_WEIGHT && tutor_shows_bias(t) &&
	    (bias = verify_ctx_tensor(t->vc, "bias")) != NULL &&
	    c[0] < (long)bias->size)
		format_value(T1(bias, c[0]), bnum, sizeof bnum);
	if (bnum[0] == '\0') {
		f[0] = xasprintf(" %s=%ld %s=%ld:%s ", nm[2], c[2], nm[3], c[3], num);
		f[1] = xasprintf(" (%ld,%ld)%s ", c[2], c[3], num);
		f[2] = xstrdup("");
	} else {
		f[0] = xasprintf(" (%ld,%ld)%s bias[%ld]=%s ", c[2], c[3], num,
		    c[0], bnum);
		f[1] = xasprintf(" bias[%ld]=%s ", c[0], bnum);
		f[2] = xasprintf(" b=%s ", bnum);
	}
	for (i = 0; i < 3; i++)
		if (ui_width(f[i]) <= w) {
			ui_put(y, x, w, a, f[i]);
			break;
		}
	for (i = 0; i < 3; i++)
		free(f[i]);
}

/* The title: tensor[slice], and in the bottom border the chosen element;
 * shorter forms when the pane is narrow. */
static void
draw_frame(tutor_t *t, tutor_pane_t p, const tensor_t *tn, int y, int x,
    int h, int w)
{
	const char *const *nm = pane_index_names[p];
	const long *c = t->cur[p];
	bool focus = t->focus == p && !t->var_focus;
	attr_t a = ui_attr(focus ? ROLE_FOCUS : ROLE_DIM);
	char *full, *brief;

	const char *name = pane_tensor(t, p) != NULL ? pane_tensor(t, p) : "";

	full = xasprintf(" %s%s[%s=%ld,%s=%ld] ", focus ? "*" : "", name,
	    nm[0], c[0], nm[1], c[1]);
	brief = xasprintf(" %s%s[%ld,%ld] ", focus ? "*" : "", name, c[0], c[1]);
	ui_box(y, x, h, w, NULL, a);
	ui_put(y, x + 1, w - 2, a, fit(full, brief, w - 2));
	if (tn != NULL)
		draw_footer(t, p, tn, y + h - 1, x + 1, w - 2, a);
	free(full);
	free(brief);
}

void
ui_pane_draw(tutor_t *t, tutor_pane_t p, int y, int x, int h, int w,
    bool values)
{
	const tensor_t *tn = NULL;

	if (h < 3 || w < 6)
		return;
	if (t->vc != NULL)
		tn = verify_ctx_tensor(t->vc, pane_tensor(t, p));
	draw_frame(t, p, tn, y, x, h, w);
	if (tn == NULL) {
		ui_put(y + 1, x + 1, w - 2, ui_attr(ROLE_DIM), "(no data)");
		return;
	}
	draw_grid(t, p, tn, y + 1, x + 1, h - 2, w - 2, values);
}
