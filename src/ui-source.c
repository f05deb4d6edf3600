/*
 * ui-source.c: the source screen (o; tutor-source.h). Top to bottom:
 *   row 0           title bar: the source, rendered or as written, and
 *                   which of its lines are in view ("lines 12-30 of 133")
 *   rows 1..        the rows tutor-source.c laid out, from its scroll
 *                   position; column 0 marks the lines the step quotes,
 *                   column 1 and the last column ‹ › where a formula's
 *                   row goes on beyond the edge (h/l scroll sideways)
 *   2 rows          a message, or what the marks on screen mean; the keys
 * The state lays out and scrolls (to the width ui_source_measure gives
 * it); this file only draws.
 */
#include "ui-curses.h"

#include <stdlib.h>
#include <string.h>

#include "tutor-source.h"
#include "util.h"

/* Rows of the source shown: all but the title bar, message and hints. */
#define SRC_ROWS (LINES - 3)
/* Columns: the quote's mark, the left marker, the text, the right one. */
#define SRC_X 2
#define SRC_W (COLS - 3)

void
ui_source_measure(tutor_measure_t *m)
{
	m->src_page = SRC_ROWS;
	m->src_width = SRC_W;
	m->src_ascii = ui_ascii();
}

/* Is anything but spaces in row's first cols columns (scrolled off)? */
static bool
cut_left(const tsrc_row_t *row, int cols)
{
	const char *s = row->text, *e = ui_skip(row->text, cols);

	for (; s < e; s++)
		if (*s != ' ')
			return true;
	return false;
}

static ui_role_t
row_role(const tutor_src_t *x, const tsrc_row_t *row)
{
	switch (row->kind) {
	case TSRC_HEADING: return ROLE_HEADING;
	case TSRC_NOTE: return ROLE_DIM;
	case TSRC_RAW: return x->verbatim ? ROLE_NORMAL : ROLE_WARN;
	default: return ROLE_NORMAL;
	}
}

/* Row i of the layout at screen row y; true if it is cut at an edge. */
static bool
draw_row(const tutor_src_t *x, int i, int y)
{
	const ui_glyphs_t *g = ui_glyphs();
	const tsrc_row_t *row = &x->rows[i];
	bool cut = false;

	if (row->line <= x->nlines && x->quoted[row->line])
		ui_put(y, 0, 1, ui_attr(ROLE_KEY), ui_ascii() ? "|" : "▌");
	if (row->kind != TSRC_FORMULA) {
		ui_put(y, SRC_X, SRC_W, ui_attr(row_role(x, row)), row->text);
		return false;
	}
	ui_put(y, SRC_X, SRC_W, A_NORMAL, ui_skip(row->text, x->hscroll));
	if (x->hscroll > 0 && cut_left(row, x->hscroll)) {
		ui_put(y, 1, 1, ui_attr(ROLE_KEY), g->clip_l);
		cut = true;
	}
	if (row->width - x->hscroll > SRC_W) {
		ui_put(y, COLS - 1, 1, ui_attr(ROLE_KEY), g->clip_r);
		cut = true;
	}
	return cut;
}

/* "lines 12-30 of 133" for the rows in view. */
static char *
position(const tutor_src_t *x)
{
	int last = x->scroll + x->page < x->nrows ? x->scroll + x->page :
	    x->nrows;
	int a = x->rows[x->scroll].line, b = x->rows[last - 1].line;

	if (x->scroll == 0 && last == x->nrows)
		return xasprintf("all %d lines", x->nlines);
	return xasprintf("lines %d-%d of %d", a, b, x->nlines);
}

/* The second row from the bottom: the message, or what the marks mean. */
static void
draw_note(const tutor_t *t, bool cut, bool quoted)
{
	const tutor_src_t *x = t->src;
	const ui_glyphs_t *g = ui_glyphs();
	char *line = NULL;

	if (t->message != NULL) {
		ui_message_line(t, LINES - 2);
		return;
	}
	if (cut)
		line = xasprintf("%s %s a formula goes on: h/l scroll sideways",
		    g->clip_l, g->clip_r);
	else if (quoted)
		line = xasprintf("%s: the lines this step quotes",
		    ui_ascii() ? "|" : "▌");
	else if (x->bad > 0 && !x->verbatim)
		line = xasprintf("%d formula%s not drawn (not in the subset read): "
		    "shown as written", x->bad, x->bad == 1 ? "" : "s");
	if (line != NULL)
		ui_put(LINES - 2, 1, COLS - 2, ui_attr(ROLE_DIM), line);
	free(line);
}

void
ui_draw_source(const tutor_t *t)
{
	const tutor_src_t *x = t->src;
	bool cut = false, quoted = false;
	char *title, *pos;
	int i;

	if (x == NULL || x->rows == NULL) {     /* not measured yet */
		ui_title_bar(" convgrad: the source", NULL);
		ui_hint_line(t);
		return;
	}
	title = xasprintf(" the source, %s", x->verbatim ? "as written" :
	    "rendered");
	pos = position(x);
	ui_title_bar(title, pos);
	free(title);
	free(pos);
	for (i = 0; i < x->page && x->scroll + i < x->nrows; i++) {
		const tsrc_row_t *row = &x->rows[x->scroll + i];

		cut |= draw_row(x, x->scroll + i, 1 + i);
		quoted |= row->line <= x->nlines && x->quoted[row->line];
	}
	draw_note(t, cut, quoted);
	ui_hint_line(t);
}
