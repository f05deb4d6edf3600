/*
 * html-grid.c: the receptive-window grids of the handouts, inline SVG.
 *
 * A claim's point (its counterexample, or its first tuple) names rows and
 * columns through the variables that index a tensor alone: the output's
 * (ho, wo), an input pixel (h, w), a weight tap (di, dj). The grid is the
 * input's rows and columns (batch and channels are the same for every
 * cell), with the padded border around it when the shape pads; the
 * geometry is the library's (conv_in_window, conv_axis_tapped), the one
 * the kernels and the tutor use, so the picture is the checked one:
 *   h = strh * ho + dil_h * di - pad_h,   w = strw * wo + dil_w * dj - pad_w.
 * Colours are SVG presentation attributes, not the page's CSS, so a grid
 * copied out of the page still draws the same.
 */
#include "html.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"

#define SVG_NS "http://www.w3.org/2000/svg"
#define GRID_MAX 48           /* cells a side; past it, a note instead */
#define GRID_PX 432           /* the largest grid's side in pixels */
#define MARGIN 22             /* room for the row and column numbers */

/* ---- which variables name rows and columns ---- */

/* Where a tensor's row and column indices are, and what they name. */
static const struct grid_tensor {
	const char *name;
	int hpos, wpos;
	enum { ROLE_OUT, ROLE_IN, ROLE_TAP } role;
} grid_tensors[] = {
	{ "output", 2, 3, ROLE_OUT }, { "df", 2, 3, ROLE_OUT },
	{ "output_nhwc", 1, 2, ROLE_OUT },
	{ "input", 2, 3, ROLE_IN }, { "input_nhwc", 1, 2, ROLE_IN },
	{ "weight", 2, 3, ROLE_TAP }, { "filter_hwio", 0, 1, ROLE_TAP },
};

/* The point's value of a, if a is one of c's free variables alone. */
static bool
free_value(const claim_t *c, const long *vals, const expr_t *a, long *v)
{
	int k;

	if (a->kind != EX_NAME || a->u.name.slot < 0)
		return false;
	for (k = 0; k < c->nfree; k++) {
		if (c->free[k].slot == a->u.name.slot) {
			*v = vals[k];
			return true;
		}
	}
	return false;
}

static void
set_role(html_grid_roles_t *g, int role, long h, long w)
{
	switch (role) {
	case ROLE_OUT:
		if (!g->out)
			g->out = true, g->ho = h, g->wo = w;
		break;
	case ROLE_IN:
		if (!g->in)
			g->in = true, g->h = h, g->w = w;
		break;
	default:
		if (!g->tap)
			g->tap = true, g->di = h, g->dj = w;
		break;
	}
}

static void
access_roles(const claim_t *c, const long *vals, const expr_t *e,
    html_grid_roles_t *g)
{
	size_t i;
	long h, w;

	for (i = 0; i < sizeof(grid_tensors) / sizeof(grid_tensors[0]); i++) {
		const struct grid_tensor *t = &grid_tensors[i];

		if (strcmp(e->u.access.tensor, t->name) != 0 ||
		    e->u.access.nargs <= t->wpos)
			continue;
		if (free_value(c, vals, e->u.access.args[t->hpos], &h) &&
		    free_value(c, vals, e->u.access.args[t->wpos], &w))
			set_role(g, t->role, h, w);
	}
}

static void walk(const claim_t *c, const long *vals, const expr_t *e,
    html_grid_roles_t *g);

static void
walk_list(const claim_t *c, const long *vals, expr_t *const *a, int n,
    html_grid_roles_t *g)
{
	int i;

	for (i = 0; i < n; i++)
		walk(c, vals, a[i], g);
}

/* Every access in e, left to right: the first of each role wins. */
static void
walk(const claim_t *c, const long *vals, const expr_t *e,
    html_grid_roles_t *g)
{
	if (e == NULL)
		return;
	switch (e->kind) {
	case EX_ACCESS:
		access_roles(c, vals, e, g);
		walk_list(c, vals, e->u.access.args, e->u.access.nargs, g);
		break;
	case EX_CMP: walk_list(c, vals, e->u.cmp.args, e->u.cmp.n, g); break;
	case EX_CALL: walk_list(c, vals, e->u.call.args, e->u.call.nargs, g); break;
	case EX_SUM:
		walk(c, vals, e->u.sum.where, g);
		walk(c, vals, e->u.sum.body, g);
		break;
	case EX_DERIV:
		walk(c, vals, e->u.deriv.num, g);
		walk(c, vals, e->u.deriv.den, g);
		break;
	case EX_INT: case EX_REAL: case EX_NAME: break;
	default:      /* the operators: u.op.a, b, c */
		walk(c, vals, e->u.op.a, g);
		walk(c, vals, e->u.op.b, g);
		walk(c, vals, e->u.op.c, g);
		break;
	}
}

bool
html_grid_roles(const claim_t *c, const long *vals, html_grid_roles_t *g)
{
	memset(g, 0, sizeof(*g));
	if (c->kind == CLAIM_LET)
		return false;
	if (c->kind == CLAIM_KERNEL) {
		/* the point is the tensor's index: b c_in h_in w_in or
		 * c_out c_in di dj (bias: none) */
		const char *t = c->lhs->u.deriv.den->u.name.name;

		if (strcmp(t, "input") == 0)
			set_role(g, ROLE_IN, vals[2], vals[3]);
		else if (strcmp(t, "weight") == 0)
			set_role(g, ROLE_TAP, vals[2], vals[3]);
	} else {
		walk(c, vals, c->lhs, g);
		walk(c, vals, c->rhs, g);
		walk(c, vals, c->where, g);
	}
	return g->out || g->in || g->tap;
}

/* ---- drawing ---- */

typedef struct grid {
	sbuf_t *b;
	long rows, cols;          /* drawn, the padded border included */
	long r0, c0;              /* the index of the first row and column */
	int px;                   /* a cell's side */
} grid_t;

static void
grid_open(grid_t *gr, const char *label)
{
	long side = gr->rows > gr->cols ? gr->rows : gr->cols;
	int w, h;

	gr->px = side * 18 <= GRID_PX ? 18 : (int)(GRID_PX / side);
	if (gr->px < 8)
		gr->px = 8;
	w = MARGIN + (int)gr->cols * gr->px + 2;
	h = MARGIN + (int)gr->rows * gr->px + 2;
	sbuf_addf(gr->b, "<svg xmlns=\"" SVG_NS "\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", w, h, w, h);
	escape_xml(gr->b, label, strlen(label));
	sbuf_add(gr->b, "\"><title>");
	escape_xml(gr->b, label, strlen(label));
	sbuf_add(gr->b, "</title>\n");
}

/* Row and column numbers: every one when cells are wide, else each 5th. */
static void
grid_numbers(grid_t *gr)
{
	long i, every = gr->px >= 16 ? 1 : 5;

	sbuf_add(gr->b, "<g font-family=\"sans-serif\" font-size=\"9\" "
	    "fill=\"#555\" text-anchor=\"middle\">");
	for (i = 0; i < gr->cols; i++)
		if ((gr->c0 + i) % every == 0)
			sbuf_addf(gr->b, "<text x=\"%ld\" y=\"%d\">%ld</text>",
			    MARGIN + i * gr->px + gr->px / 2, MARGIN - 6,
			    gr->c0 + i);
	for (i = 0; i < gr->rows; i++)
		if ((gr->r0 + i) % every == 0)
			sbuf_addf(gr->b, "<text x=\"%d\" y=\"%ld\">%ld</text>",
			    MARGIN / 2, MARGIN + i * gr->px + gr->px / 2 + 3,
			    gr->r0 + i);
	sbuf_add(gr->b, "</g>\n");
}

/* The cell at row r, column c (indices as the tensor has them). */
static void
grid_cell(grid_t *gr, long r, long c, const char *fill, bool dashed)
{
	sbuf_addf(gr->b, "<rect x=\"%ld\" y=\"%ld\" width=\"%d\" height=\"%d\" "
	    "fill=\"%s\" stroke=\"%s\"%s/>",
	    MARGIN + (c - gr->c0) * gr->px, MARGIN + (r - gr->r0) * gr->px,
	    gr->px, gr->px, fill, dashed ? "#aaa" : "#777",
	    dashed ? " stroke-dasharray=\"2 2\"" : "");
}

static void
grid_ring(grid_t *gr, long r, long c)
{
	if (r < gr->r0 || r >= gr->r0 + gr->rows || c < gr->c0 ||
	    c >= gr->c0 + gr->cols)
		return;
	sbuf_addf(gr->b, "<rect x=\"%ld\" y=\"%ld\" width=\"%d\" height=\"%d\" "
	    "fill=\"none\" stroke=\"#c00\" stroke-width=\"3\"/>",
	    MARGIN + (c - gr->c0) * gr->px + 1, MARGIN + (r - gr->r0) * gr->px + 1,
	    gr->px - 2, gr->px - 2);
}

#define FILL_CELL "#ffffff"
#define FILL_PAD "#e6e6e6"
#define FILL_WINDOW "#7fb3e6"      /* read by the window: blue */
#define FILL_WINDOW_PAD "#f2b866"  /* a tap on the padding: orange, reads 0 */
#define FILL_TAPPED "#a8d98a"      /* read by the tap for some output */

static const char *
input_fill(const conv_shape_t *s, const html_grid_roles_t *g, long h, long w)
{
	bool pad = h < 0 || h >= s->H_in || w < 0 || w >= s->W_in;

	if (g->out && conv_in_window(s, g->ho, g->wo, h, w, NULL, NULL))
		return pad ? FILL_WINDOW_PAD : FILL_WINDOW;
	if (!g->out && g->tap && !pad &&
	    conv_axis_tapped(h, g->di, s->strh, s->dil_h, s->pad_h, s->H_out) &&
	    conv_axis_tapped(w, g->dj, s->strw, s->dil_w, s->pad_w, s->W_out))
		return FILL_TAPPED;
	return pad ? FILL_PAD : FILL_CELL;
}

/* A new line of the caption: a swatch of fill, then its meaning (the
 * caller writes it). */
static void
caption_swatch(sbuf_t *b, const char *fill)
{
	sbuf_addf(b, "<br/><span class=\"sw\" style=\"background:%s\"></span> ",
	    fill);
}

static void
input_caption(sbuf_t *b, const conv_shape_t *s, const html_grid_roles_t *g,
    const char *where)
{
	sbuf_add(b, "<figcaption>The input's rows and columns");
	if (s->pad_h > 0 || s->pad_w > 0)
		sbuf_addf(b, " with the padded border (%ld, %ld; dashed)",
		    s->pad_h, s->pad_w);
	sbuf_add(b, ", at ");
	escape_xml(b, where, strlen(where));
	sbuf_add(b, ":");
	if (g->out) {
		caption_swatch(b, FILL_WINDOW);
		sbuf_addf(b, "the window of output (%ld, %ld)", g->ho, g->wo);
		if (s->pad_h > 0 || s->pad_w > 0) {
			caption_swatch(b, FILL_WINDOW_PAD);
			sbuf_add(b, "its taps on the padding (they read 0)");
		}
	} else if (g->tap) {
		caption_swatch(b, FILL_TAPPED);
		sbuf_addf(b, "the pixels tap (%ld, %ld) reads, for some output",
		    g->di, g->dj);
	}
	if (g->in)
		sbuf_addf(b, "<br/><span class=\"ring\"></span> input (%ld, %ld)",
		    g->h, g->w);
	sbuf_add(b, "</figcaption>");
}

static void
input_grid(sbuf_t *b, const conv_shape_t *s, const html_grid_roles_t *g,
    const char *where)
{
	grid_t gr = { b, s->H_in + 2 * s->pad_h, s->W_in + 2 * s->pad_w,
	    -s->pad_h, -s->pad_w, 0 };
	long h, w;
	char *label = xasprintf("input rows %ld..%ld, columns %ld..%ld",
	    gr.r0, gr.r0 + gr.rows - 1, gr.c0, gr.c0 + gr.cols - 1);

	sbuf_add(b, "<figure class=\"grid\">");
	grid_open(&gr, label);
	free(label);
	grid_numbers(&gr);
	for (h = gr.r0; h < gr.r0 + gr.rows; h++)
		for (w = gr.c0; w < gr.c0 + gr.cols; w++)
			grid_cell(&gr, h, w, input_fill(s, g, h, w),
			    h < 0 || h >= s->H_in || w < 0 || w >= s->W_in);
	if (g->in)
		grid_ring(&gr, g->h, g->w);
	sbuf_add(b, "\n</svg>");
	input_caption(b, s, g, where);
	sbuf_add(b, "</figure>\n");
}

/* The outputs whose window holds input (h, w): the rows of the input
 * gradient's sum. */
static void
output_grid(sbuf_t *b, const conv_shape_t *s, const html_grid_roles_t *g,
    const char *where)
{
	grid_t gr = { b, s->H_out, s->W_out, 0, 0, 0 };
	long ho, wo, n = 0;
	bool in;
	char *label = xasprintf("output rows 0..%ld, columns 0..%ld",
	    s->H_out - 1, s->W_out - 1);

	sbuf_add(b, "<figure class=\"grid\">");
	grid_open(&gr, label);
	free(label);
	grid_numbers(&gr);
	for (ho = 0; ho < s->H_out; ho++)
		for (wo = 0; wo < s->W_out; wo++) {
			in = conv_in_window(s, ho, wo, g->h, g->w, NULL, NULL);
			n += in;
			grid_cell(&gr, ho, wo, in ? FILL_WINDOW : FILL_CELL,
			    false);
		}
	if (g->out)
		grid_ring(&gr, g->ho, g->wo);
	sbuf_add(b, "\n</svg><figcaption>The output's rows and columns, at ");
	escape_xml(b, where, strlen(where));
	sbuf_add(b, ":");
	caption_swatch(b, FILL_WINDOW);
	sbuf_addf(b, "the %ld output%s whose window holds input (%ld, %ld)", n,
	    n == 1 ? "" : "s", g->h, g->w);
	if (g->out)
		sbuf_addf(b, "<br/><span class=\"ring\"></span> output (%ld, %ld)",
		    g->ho, g->wo);
	sbuf_add(b, "</figcaption></figure>\n");
}

int
html_grids(sbuf_t *b, const conv_shape_t *s, const html_grid_roles_t *g,
    const char *where)
{
	int n = 0;

	if (!g->out && !g->in && !g->tap)
		return 0;
	if (s->H_in + 2 * s->pad_h > GRID_MAX ||
	    s->W_in + 2 * s->pad_w > GRID_MAX) {
		sbuf_addf(b, "<p class=\"note\">(The grid is left out: more than "
		    "%d cells a side.)</p>\n", GRID_MAX);
		return 0;
	}
	input_grid(b, s, g, where);
	n++;
	if (g->in) {
		output_grid(b, s, g, where);
		n++;
	}
	return n;
}
