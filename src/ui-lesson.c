/*
 * ui-lesson.c: the lesson view, one step at a time. Top to bottom:
 *   row 0         title bar: the lesson's title, step i/n
 *   row 1         the step's heading and its verdicts
 *   text area     prose (wrapped by display width, scrollable), then the
 *                 current claim in 2-D, laid out to the width
 *                 (claim_render_fit: stacked and broken over lines when
 *                 wider; its rows come before the panes' and the prose's);
 *                 a claim taller than that makes it one scrolling column
 *                 as the reading layout is (explore_geom). The source is
 *                 a screen of its own (o, ui-source.c).
 *   panes         input, weight, output (or df for the chain rule)
 *   2 rows        the live check at the cursors: values and the case
 *   2 rows        the claim's whole verification, first counterexample
 *   2 rows        message or shape; key hints
 * Nothing here runs a full verification or changes the state: it draws
 * the cached result, the live check the state computed (tutor_live_update)
 * and the scroll positions the state keeps within ui_lesson_measure's
 * measure (given to it by ui_layout before each draw).
 */
#include "ui-curses.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tutor-edit.h"
#include "tutor-present.h"
#include "util.h"

/* The exploring layout's status rows: the live check's (two, or more for
 * a long case: status_rows), verification 2, message 1, hints 1. */
#define PANE_MIN_ROWS 6     /* borders, labels, three grid rows */

static ui_role_t
verdict_role(const tutor_check_t *ck)
{
	if (ck->error != NULL)
		return ROLE_FAIL;
	switch (ck->result.verdict) {
	case VERDICT_HOLDS: case VERDICT_DEFINED: return ROLE_OK;
	case VERDICT_REFUTED: return ROLE_ERRATUM;
	case VERDICT_CANCELLED: case VERDICT_NOT_REFUTED: return ROLE_WARN;
	default: return ROLE_FAIL;
	}
}

static bool
check_fresh(const tutor_t *t, const tutor_check_t *ck)
{
	const conv_shape_t *s = tutor_shape(t);

	return ck != NULL && ck->valid && s != NULL &&
	    conv_shape_equal(&ck->shape, s);
}

/* The step's heading, and on the right what its claims came to. */
static void
draw_heading(const tutor_t *t, int y)
{
	const ui_glyphs_t *g = ui_glyphs();
	lesson_step_t *st = tutor_cur_step(t);
	int checked, bad, errata, rw;
	char right[96], *left;
	ui_role_t role = ROLE_DIM;

	if (st == NULL) {
		ui_put(y, 1, COLS - 2, ui_attr(ROLE_DIM), "(this lesson has no steps)");
		return;
	}
	tutor_step_counts(t, t->step, &checked, &bad, &errata);
	if (tutor_ed_hidden(t))         /* predict, then reveal */
		snprintf(right, sizeof right, "exercise: e answers");
	else if (!tutor_present_shows_verdict(t))  /* presenter mode: not yet */
		snprintf(right, sizeof right, "%d claim%s", st->nclaims,
		    st->nclaims == 1 ? "" : "s");
	else if (st->nclaims == 0)
		snprintf(right, sizeof right, "no claims");
	else if (bad > 0)
		role = ROLE_FAIL, snprintf(right, sizeof right, "%s %d of %d not "
		    "as expected", g->fail, bad, st->nclaims);
	else if (checked < st->nclaims)
		snprintf(right, sizeof right, "%d/%d checked", checked, st->nclaims);
	else if (errata > 0)    /* a mark says whether a formula is true */
		role = ROLE_ERRATUM, snprintf(right, sizeof right, "%d true, %d "
		    "false as expected", st->nclaims - errata, errata);
	else if (st->nclaims == 1)
		role = ROLE_OK, snprintf(right, sizeof right, "%s it holds", g->ok);
	else
		role = ROLE_OK, snprintf(right, sizeof right, "%s all %d hold",
		    g->ok, st->nclaims);
	left = xasprintf("%s%d. %s", t->layout == LAYOUT_EXPLORE &&
	    t->focus == PANE_TEXT && !t->var_focus ? "*" : "",
	    t->step + 1, st->title);
	if (role == ROLE_ERRATUM &&     /* narrow: the title keeps more */
	    ui_width(left) > COLS - ui_width(right) - 4)
		snprintf(right, sizeof right, "%d true, %d errat%s",
		    st->nclaims - errata, errata, errata == 1 ? "um" : "a");
	rw = ui_width(right);
	ui_put(y, 1, COLS - rw - 5, ui_attr(ROLE_HEADING), left);
	if (ui_width(left) > COLS - rw - 5)     /* cut, and said so */
		ui_put(y, COLS - rw - 4, 1, ui_attr(ROLE_HEADING),
		    ui_glyphs()->ellipsis);
	ui_put(y, COLS - rw - 1, rw, ui_attr(role), right);
	free(left);
}

/* An exercise step's block, after the prose: each exercise's prompt (the
 * one answered next marked), the hints asked for so far, the keys.
 * NULL when the step has none. */
static char *
exercise_text(const tutor_t *t)
{
	const lesson_step_t *st = tutor_cur_step(t);
	int i, h, cur = tutor_ed_exercise(t), n = tutor_ed_nexercises(t);
	sbuf_t b;

	if (n == 0)
		return NULL;
	sbuf_init(&b);
	for (i = 0; i < n; i++) {
		const lesson_exercise_t *ex = &st->exercises[i];

		sbuf_addf(&b, "%sExercise %d of %d%s: %s", i ? "\n\n" : "", i + 1,
		    n, tutor_ed_solved(t, i) ? " (solved)" : "", ex->prompt);
		if (i != cur)
			continue;
		for (h = 0; h < tutor_ed_hints_shown(t) && h < ex->nhints; h++)
			sbuf_addf(&b, "\n\nHint %d of %d: %s", h + 1, ex->nhints,
			    ex->hints[h]);
		sbuf_addf(&b, "\n\n(e answers");
		if (tutor_ed_hints_shown(t) < ex->nhints)
			sbuf_addf(&b, "; t a hint, %d of %d", tutor_ed_hints_shown(t) +
			    1, ex->nhints);
		sbuf_addf(&b, "%s)", tutor_ed_hidden(t) ? "; r reveals the "
		    "verdicts" : "");
	}
	return sbuf_take(&b);
}

/* The step's prose wrapped to the window; the lesson's introduction comes
 * before step 1, the exercises after it. In presenter mode, the paragraphs
 * revealed so far, and the exercises with the claim. */
static char **
prose_lines(const tutor_t *t, int *n)
{
	char *text = tutor_present_prose(t), **lines, *ex;

	if (tutor_present_shows_claim(t) && (ex = exercise_text(t)) != NULL) {
		char *both = xasprintf("%s\n\n%s", text, ex);

		free(text);
		free(ex);
		text = both;
	}
	lines = ui_wrap(text, COLS - 3, n);
	free(text);
	return lines;
}

/* Up to rows lines of prose from the scroll position, with arrows when
 * there is more above or below. */
static void
draw_prose(const tutor_t *t, char **lines, int n, int y, int rows)
{
	int i;

	int top = t->text.scroll;

	if (rows <= 0)
		return;
	for (i = 0; i < rows && top + i < n; i++)
		ui_put(y + i, 1, COLS - 3, A_NORMAL, lines[top + i]);
	if (top + rows < n)
		ui_put(y + rows - 1, COLS - 1, 1, ui_attr(ROLE_KEY),
		    ui_ascii() ? "v" : "↓");
	if (top > 0)
		ui_put(y, COLS - 1, 1, ui_attr(ROLE_KEY), ui_ascii() ? "^" : "↑");
}

/* Whether the formula is true: ✓ holds (or held though expected false),
 * ✗ false (whether expected or not); the colour says if it was expected. */
static const char *
claim_mark(const tutor_check_t *ck, const ui_glyphs_t *g)
{
	if (ck->error != NULL)
		return g->fail;
	switch (ck->result.verdict) {
	case VERDICT_HOLDS: case VERDICT_DEFINED: case VERDICT_NOT_REFUTED:
		return g->ok;
	case VERDICT_CANCELLED:
		return "?";
	default:
		return g->fail;
	}
}

/* "claim 2/3: label" (malloc'd); in an exercise step not answered yet,
 * the label (a case's name) is hidden with the formula. */
static char *
claim_title(const tutor_t *t)
{
	const claim_t *c = tutor_cur_claim(t);

	if (tutor_ed_hidden(t))
		return xasprintf("claim %d/%d: hidden until you answer (e), or r "
		    "reveals it", t->claim + 1, tutor_cur_step(t)->nclaims);
	return xasprintf("claim %d/%d%s%s", t->claim + 1,
	    tutor_cur_step(t)->nclaims, c->label != NULL ? ": " : "",
	    c->label != NULL ? c->label : "");
}

/* The claim laid out in width columns, or (predict, then reveal) an
 * empty box while the exercise is not answered. */
static pp_box_t *
claim_box(const tutor_t *t, const claim_t *c, int width)
{
	if (tutor_ed_hidden(t))
		return xcalloc(1, sizeof(pp_box_t));
	return claim_render_fit(c, ui_ascii() ? PP_ASCII : PP_UNICODE, width);
}

/* The verdict mark, then text (a line of the claim's title), so that the
 * mark is never the part cut off. Columns of the mark: MARK_COLS. */
#define MARK_COLS 5
static void
draw_claim_header_line(const tutor_t *t, int y, int x, int w, const char *text,
    bool first)
{
	tutor_check_t *ck = tutor_cur_check(t);

	if (first && check_fresh(t, ck) && !tutor_ed_hidden(t) &&
	    tutor_present_shows_verdict(t))
		ui_put(y, x, MARK_COLS, ui_attr(verdict_role(ck)),
		    claim_mark(ck, ui_glyphs()));
	ui_put(y, x + MARK_COLS, w - MARK_COLS, ui_attr(ROLE_DIM), text);
}

static void
draw_claim_header(const tutor_t *t, int y, int x, int w)
{
	char *h = claim_title(t);

	draw_claim_header_line(t, y, x, w, h, true);
	free(h);
}

static void
draw_claim(const tutor_t *t, int y, int x, int h, int w)
{
	claim_t *c = tutor_cur_claim(t);
	pp_box_t *box;
	int i;

	if (c == NULL || h <= 0)
		return;
	if (!tutor_present_shows_claim(t)) {    /* presenter mode: not yet */
		ui_put(y, x + MARK_COLS, w - MARK_COLS, ui_attr(ROLE_KEY),
		    "Space reveals the claim");
		return;
	}
	draw_claim_header(t, y, x, w);
	box = claim_box(t, c, w - 2);
	/* Laid out to fit where it can; only a piece that cannot be broken
	 * leaves it wider, and then it scrolls (Tab to the text pane, then
	 * Left/Right; the state keeps claim_scroll within the measure). */
	for (i = 0; i < box->height && i + 1 < h; i++)
		ui_put(y + 1 + i, x + 2, w - 2, A_NORMAL,
		    ui_skip(box->rows[i], t->text.claim_scroll));
	if (t->text.claim_scroll > 0)
		ui_put(y + 1 + box->baseline, x + 1, 1, ui_attr(ROLE_KEY),
		    ui_ascii() ? "<" : "◂");
	if (box->width - t->text.claim_scroll > w - 2)
		ui_put(y + 1 + (box->baseline < h - 1 ? box->baseline : 0),
		    x + w - 1, 1, ui_attr(ROLE_KEY), ui_ascii() ? ">" : "▸");
	if (box->height + 1 > h)
		ui_put(y + h - 1, x + w - 1, 1, ui_attr(ROLE_KEY), "+");
	pp_box_free(box);
}

/* Rows the claim needs: its header and its laid-out box. */
static int
claim_rows(const tutor_t *t)
{
	claim_t *c = tutor_cur_claim(t);
	pp_box_t *box;
	int h;

	if (c == NULL)
		return 0;
	if (!tutor_present_shows_claim(t))
		return 1;               /* "Space reveals the claim" */
	box = claim_box(t, c, COLS - 4);
	h = 1 + box->height;
	pp_box_free(box);
	return h;
}

/* The rows of prose shown above a claim of ch rows in rows rows: at least
 * one, a blank line before the claim when there is room, no more than
 * there are (n). */
static int
prose_room(int rows, int ch, int n)
{
	int pr = rows - ch;

	if (pr > 3 && ch > 0)
		pr--;
	return n < pr ? n : pr;
}

/* Prose first, then (after a blank line when there is room) the claim,
 * which fits here (explore_geom: else the text is one column). */
static void
draw_text_area(const tutor_t *t, int y, int rows, int ch)
{
	int pr, n;
	char **lines;

	if (tutor_cur_step(t) == NULL)
		return;
	lines = prose_lines(t, &n);
	pr = prose_room(rows, ch, n);
	draw_prose(t, lines, n, y, pr);
	ui_lines_free(lines, n);
	y += rows - ch;
	if (pr + 1 + ch <= rows && pr < rows - ch)
		y = 2 + pr + 1;                 /* the claim right under the prose */
	draw_claim(t, y, 1, ch, COLS - 2);
}

/* ---- the panes ---- */

static void pane_fit(const tutor_t *t, int width[PANE_COUNT],
    bool values[PANE_COUNT]);

/* Presenter mode: cells two columns wider, or one, when every pane's
 * values still fit that way; else as usual. */
static void
pane_layout(const tutor_t *t, int width[PANE_COUNT], bool values[PANE_COUNT])
{
	int sp, p, total;

	for (sp = ui_present() ? 2 : 0; sp > 0; sp--) {
		ui_pane_set_spacing(sp);
		total = 2;
		for (p = PANE_INPUT; p < PANE_COUNT; p++)
			total += ui_pane_width(t, (tutor_pane_t)p, true);
		if (total <= COLS)
			break;
	}
	ui_pane_set_spacing(sp);
	pane_fit(t, width, values);
}

/* Choose values or shaded cells per pane, and widths that fit COLS,
 * shared by need: values while every pane fits, then the widest pane
 * shaded; if still too wide, each pane gets its least, then what it needs
 * up to an equal share of what is left, the rest going to those that need
 * more (so a small weight pane does not sit half empty while the input is
 * cut). */
/* The bias pane shows only where the claim reads bias, a let's where it
 * uses the let (tutor_pane_exists); a pane the claim does not read
 * (dimmed) gives way when not every pane fits at its least (four panes at
 * 60 columns), and wherever lets are shown (they are what the claim is
 * about, and want the width: cols is 9 columns at lesson 7's shape). */
static bool
pane_shown(const tutor_t *t, int p)
{
	int q, least = -1;

	if (!tutor_pane_exists(t, (tutor_pane_t)p))
		return false;
	if (p == PANE_BIAS || tutor_pane_used(t, (tutor_pane_t)p))
		return true;
	if (tutor_pane_exists(t, PANE_LET0))
		return false;
	for (q = PANE_INPUT; q < PANE_COUNT; q++)
		if (tutor_pane_exists(t, (tutor_pane_t)q))
			least += ui_pane_min_width(t, (tutor_pane_t)q) + 1;
	return least <= COLS;
}

static void
pane_fit(const tutor_t *t, int width[PANE_COUNT], bool values[PANE_COUNT])
{
	int need[PANE_COUNT], p, total, widest, left, open = 0;

	for (p = PANE_INPUT; p < PANE_COUNT; p++) {
		values[p] = true;
		need[p] = pane_shown(t, p) ? ui_pane_width(t, (tutor_pane_t)p,
		    true) : 0;
		open += pane_shown(t, p);
	}
	for (;;) {
		total = open - 1;       /* the gaps */
		widest = -1;
		for (p = PANE_INPUT; p < PANE_COUNT; p++) {
			total += need[p];
			if (values[p] && need[p] > 0 &&
			    (widest < 0 || need[p] > need[widest]))
				widest = p;
		}
		if (total <= COLS || widest < 0)
			break;
		values[widest] = false;
		need[widest] = ui_pane_width(t, (tutor_pane_t)widest, false);
	}
	/* Each its least first, then what is left shared by need. */
	left = COLS - (open - 1);
	for (p = PANE_INPUT; p < PANE_COUNT; p++) {
		width[p] = pane_shown(t, p) ? ui_pane_min_width(t, (tutor_pane_t)p) :
		    0;
		if (width[p] > need[p])
			need[p] = width[p];
		left -= width[p];
		open -= pane_shown(t, p) && width[p] >= need[p];
	}
	while (open > 0 && left > 0) {       /* water-filling */
		int share = left / open, given = 0;

		for (p = PANE_INPUT; p < PANE_COUNT; p++) {
			int want = need[p] - width[p], add;

			if (want <= 0)
				continue;
			add = want < share ? want : share;
			width[p] += add, given += add;
			if (width[p] >= need[p])
				open--;
		}
		left -= given;
		if (given == 0)
			break;
	}
}

static int
pane_rows(const tutor_t *t)
{
	long d[4];
	int p, m = 1;

	for (p = PANE_INPUT; p < PANE_COUNT; p++) {
		if (!pane_shown(t, p))
			continue;
		tutor_pane_dims(t, (tutor_pane_t)p, d);
		if (d[2] > m)
			m = (int)d[2];
	}
	return m + 3;           /* borders and the column labels */
}

static void
draw_panes(const tutor_t *t, int y, int h)
{
	int width[PANE_COUNT], x = 0, p, gap, n = 0;
	bool values[PANE_COUNT];

	pane_layout(t, width, values);
	gap = COLS;
	for (p = PANE_INPUT; p < PANE_COUNT; p++)
		gap -= width[p], n += pane_shown(t, p);
	gap = n > 1 && gap >= n - 1 ? (gap > 4 * (n - 1) ? 4 : gap / (n - 1)) : 0;
	for (p = PANE_INPUT; p < PANE_COUNT; p++) {
		if (!pane_shown(t, p))
			continue;
		ui_pane_draw(t, (tutor_pane_t)p, y, x, h, width[p], values[p]);
		x += width[p] + gap;
	}
}

/* ---- the live check and the verification ---- */

/* "at b=0 c_in=1 ...". The variables no pane cursor gives (a let's
 * indices) are set here: Tab reaches them after the output pane; then
 * "*at", and the chosen one in [ ]. */
static char *
tuple_sep(const tutor_t *t, const claim_t *c, const char *at, const char *sep)
{
	long *vals = xcalloc((size_t)c->nfree + 1, sizeof *vals);
	int *extra = xcalloc((size_t)c->nfree + 1, sizeof *extra);
	int i, k = 0, nextra = tutor_extras(t, extra);
	sbuf_t b;

	tutor_claim_values(t, c, vals);
	sbuf_init(&b);
	sbuf_add(&b, at);
	for (i = 0; i < c->nfree; i++) {
		bool chosen = false;

		if (k < nextra && extra[k] == i) {
			chosen = t->var_focus && k == t->var_sel;
			k++;
		}
		sbuf_addf(&b, "%s%s%s=%ld%s", i ? sep : "", chosen ? "[" : "",
		    c->free[i].name, vals[i], chosen ? "]" : "");
	}
	if (nextra > 0 && !t->var_focus)
		sbuf_addf(&b, "  (Tab to set %s)", c->free[extra[0]].name);
	free(extra);
	free(vals);
	return sbuf_take(&b);
}

/* The tuple spaced out when it fits the line, else packed with commas
 * (at 60 columns a four-index pair is 61 columns spaced). */
static char *
tuple_str(const tutor_t *t, const claim_t *c)
{
	char *s = tuple_sep(t, c, t->var_focus ? "*at " : "at ", " ");

	if (ui_width(s) <= COLS - 2)
		return s;
	free(s);
	return tuple_sep(t, c, t->var_focus ? "*" : "", ",");
}

/* The live check's rows: the tuple, then what the claim gives there and
 * the case, each wrapped to the width; the case goes beside the values
 * when it fits, else on rows of its own (the layout gives them: a label
 * is never cut). Row kinds: text in a role, or the values with the ✓/✗
 * mark after them. */
#define LIVE_MAX_ROWS 5

typedef struct live_row {
	char *text;
	ui_role_t role;
	const char *mark;       /* the values' ✓/✗ after text, or NULL */
	ui_role_t mark_role;
	char *after;            /* then the case, beside them, or NULL */
} live_row_t;

typedef struct live_rows {
	live_row_t r[LIVE_MAX_ROWS];
	int n;
} live_rows_t;

/* text wrapped to the width, in role, as rows (as many as there is room
 * for; the status area is sized by live_rows_n, which counts them all). */
static void
live_add(live_rows_t *lr, ui_role_t role, const char *text)
{
	char **lines;
	int n, i;

	lines = ui_wrap(text, COLS - 2, &n);
	for (i = 0; i < n; i++) {
		if (lr->n < LIVE_MAX_ROWS) {
			live_row_t *r = &lr->r[lr->n++];

			memset(r, 0, sizeof *r);
			r->text = lines[i];
			r->role = role;
		} else
			free(lines[i]);
	}
	free(lines);
}

/* The values at the cursors and the mark; the case beside them if it fits
 * on the row (shorter numbers first), else on its own rows below. */
static void
live_values(const tutor_t *t, live_rows_t *lr, const char *label)
{
	const verify_point_t *pt = &t->live.pt;
	const claim_t *c = tutor_cur_claim(t);
	const ui_glyphs_t *g = ui_glyphs();
	char *cs, *line;
	live_row_t *r;

	if (lr->n >= LIVE_MAX_ROWS)
		return;
	r = &lr->r[lr->n++];
	cs = label != NULL ? xasprintf("case: %s", label) : NULL;

	line = xasprintf("formula % .6g  numeric % .6g  diff %.1e ",
	    pt->formula, pt->numeric, fabs(pt->formula - pt->numeric));
	if (cs != NULL && ui_width(line) + 3 + ui_width(cs) > COLS - 2) {
		char *shorter = xasprintf("formula % .4g numeric % .4g ",
		    pt->formula, pt->numeric);

		if (ui_width(shorter) + 3 + ui_width(cs) <= COLS - 2)
			free(line), line = shorter;
		else
			free(shorter);
	}
	memset(r, 0, sizeof *r);
	r->text = line;
	r->role = ROLE_NORMAL;
	r->mark = pt->ok ? g->ok : g->fail;
	r->mark_role = pt->ok ? ROLE_OK : c->expect_fail ? ROLE_ERRATUM :
	    ROLE_FAIL;
	if (cs != NULL && ui_width(line) + 3 + ui_width(cs) <= COLS - 2)
		r->after = cs;
	else if (cs != NULL) {
		live_add(lr, ROLE_HEADING, cs);
		free(cs);
	}
}

/* Every row of the live check (none when there is no claim). */
static void
live_make(const tutor_t *t, live_rows_t *lr)
{
	claim_t *c = tutor_cur_claim(t);
	const verify_point_t *pt = &t->live.pt;
	const char *label = t->live.label;
	char *line, *tup;

	memset(lr, 0, sizeof *lr);
	if (c == NULL || !t->live.valid)
		return;
	if (t->live.rc != 0) {      /* computed in the state, drawn here */
		live_add(lr, ROLE_DIM, t->live.err);
		return;
	}
	tup = tuple_str(t, c);
	live_add(lr, ROLE_NORMAL, tup);
	free(tup);
	if (tutor_ed_hidden(t)) {       /* predict, then reveal */
		live_add(lr, ROLE_DIM, "values and case hidden: answer first "
		    "(e), or r reveals");
		return;
	}
	if (!tutor_present_shows_verdict(t))    /* the values tell it */
		return;
	if (pt->finding != NULL) {
		line = xasprintf("finding: %s", pt->finding);
		live_add(lr, ROLE_FAIL, line);
	} else if (c->kind == CLAIM_LET) {
		char *v = expr_text(c->lhs);

		line = xasprintf("%s here: % .6g (a definition: later claims "
		    "use it)", v, pt->formula);
		live_add(lr, ROLE_NORMAL, line);
		free(v);
	} else if (!pt->applies) {
		line = xasprintf("its where does not hold here%s%s",
		    label != NULL ? "; case: " : "", label != NULL ? label : "");
		if (label != NULL && ui_width(line) > COLS - 2) {
			free(line);     /* the case whole, on rows of its own */
			live_add(lr, ROLE_DIM, "its where does not hold here;");
			line = xasprintf("case: %s", label);
		}
		live_add(lr, ROLE_DIM, line);
	} else {
		live_values(t, lr, label);
		return;
	}
	free(line);
}

static void
live_free(live_rows_t *lr)
{
	int i;

	for (i = 0; i < lr->n; i++) {
		free(lr->r[i].text);
		free(lr->r[i].after);
	}
}

/* Rows the live check takes in the exploring layout: two at least (the
 * layout keeps them steady as the cursor moves), more for a long case. */
static int
live_rows_n(const tutor_t *t)
{
	live_rows_t lr;
	int n;

	live_make(t, &lr);
	n = lr.n < 2 ? 2 : lr.n;
	live_free(&lr);
	return n;
}

/* The values row: the values, the mark, then the case when it is there. */
static void
live_draw_values(const live_row_t *r, int y)
{
	int x;

	x = 1 + ui_put(y, 1, COLS - 2, A_NORMAL, r->text);
	x += ui_put(y, x, COLS - x, ui_attr(r->mark_role), r->mark);
	if (r->after != NULL)
		ui_put(y, x + 2, COLS - x - 3, ui_attr(ROLE_HEADING), r->after);
}

static void
draw_live(const tutor_t *t, int y, int rows)
{
	live_rows_t lr;
	int i;

	live_make(t, &lr);
	for (i = 0; i < lr.n && i < rows; i++) {
		if (lr.r[i].mark != NULL)
			live_draw_values(&lr.r[i], y + i);
		else
			ui_put(y + i, 1, COLS - 2, ui_attr(lr.r[i].role),
			    lr.r[i].text);
	}
	live_free(&lr);
}

static char *
verdict_line(const tutor_check_t *ck, bool erratum)
{
	const verify_result_t *r = &ck->result;
	const ui_glyphs_t *g = ui_glyphs();

	switch (r->verdict) {
	case VERDICT_HOLDS:
		if (r->sampled)
			return xasprintf("%s holds at %zu sampled of %zu tuples; "
			    "largest error %.1e, tolerance %.0e", g->ok, r->checked,
			    r->total, r->max_abs, r->tol_abs);
		if (r->checked == 0)
			return xasprintf("%s holds vacuously at this shape: none of "
			    "its %zu tuples meets its conditions", g->ok, r->total);
		return xasprintf("%s holds at all %zu tuples; largest error "
		    "%.1e, tolerance %.0e", g->ok, r->checked, r->max_abs,
		    r->tol_abs);
	case VERDICT_FAILS:
		return xasprintf("%s fails at %zu of %zu tuples, largest error "
		    "%.2g, tolerance %.0e", g->fail, r->failures, r->checked,
		    r->max_abs, r->tol_abs);
	case VERDICT_REFUTED:
		if (erratum)
			return xasprintf("%s false: the source is wrong here, as "
			    "expected (fails at %zu of %zu tuples)", g->fail,
			    r->failures, r->checked);
		return xasprintf("%s false, as the lesson means it to be (fails at "
		    "%zu of %zu tuples)", g->fail, r->failures, r->checked);
	case VERDICT_NOT_REFUTED:
		return xasprintf("%s true at all %zu tuples, though the lesson "
		    "expected it false", g->ok, r->checked);
	case VERDICT_DEFINED:
		return xasprintf("%s defined (%zu entries)", g->ok, r->checked);
	case VERDICT_CANCELLED:
	default:
		return xasprintf("verification cancelled: v runs it again");
	}
}

static int
cur_flat_of(const tutor_t *t)
{
	return tutor_cur_lesson(t)->step_first[t->step] + t->claim;
}

/* The claim has no result at this shape yet, or is being verified again:
 * say which, and how far the verification is. */
static void
draw_unverified(const tutor_t *t, int y, bool again)
{
	tutor_progress_t pr;
	char *line;

	if (!tutor_claim_pending(t, cur_flat_of(t))) {
		ui_put(y, 1, COLS - 2, ui_attr(ROLE_DIM),
		    "not verified at this shape yet: v verifies");
		return;
	}
	tutor_busy(t, &pr);
	if (pr.k == cur_flat_of(t) && pr.total > 0)
		line = xasprintf("verifying%s: %zu of %zu tuples so far "
		    "(Esc cancels)", again ? " again" : "", pr.done, pr.total);
	else if (pr.k == cur_flat_of(t))
		line = xasprintf("verifying%s: starting (Esc cancels)",
		    again ? " again" : "");
	else
		line = xstrdup("queued: verified after what runs now "
		    "(Esc cancels)");
	ui_put(y, 1, COLS - 2, ui_attr(ROLE_WARN), line);
	free(line);
}

/* Put text wrapped to the width from row *y, at most *rows rows; false
 * (and nothing drawn) when it needs more rows than are left, so that a
 * line is shown whole or not at all. */
static bool
put_wrapped(int *y, int *rows, ui_role_t role, const char *text)
{
	char **lines;
	int n, i;

	lines = ui_wrap(text, COLS - 2, &n);
	if (n > *rows) {
		ui_lines_free(lines, n);
		return false;
	}
	for (i = 0; i < n; i++)
		ui_put(*y + i, 1, COLS - 2, ui_attr(role), lines[i]);
	*y += n, *rows -= n;
	ui_lines_free(lines, n);
	return true;
}

/* One row of text, cut with an ellipsis when longer. */
static void
put_cut(int y, ui_role_t role, const char *text)
{
	ui_put(y, 1, COLS - 3, ui_attr(role), text);
	if (ui_width(text) > COLS - 3)
		ui_put(y, COLS - 2, 1, ui_attr(role), ui_glyphs()->ellipsis);
}

/* c's shrinking, of your claim (typed) or of the lesson's current claim at
 * this shape: "smallest: fails already at ...", or its progress; NULL
 * when there is none (malloc'd). */
static char *
shrink_line(const tutor_t *t, bool typed)
{
	const tutor_ed_shrink_t *sh = t->ed != NULL ? &t->ed->shrink : NULL;
	const tutor_lesson_t *tl = tutor_cur_lesson(t);

	if (sh == NULL || sh->run == EDR_NONE || sh->typed != typed ||
	    tl == NULL || sh->lesson != t->lesson ||
	    !conv_shape_equal(&sh->from, &tl->shape))
		return NULL;
	if (!typed && sh->k != cur_flat_of(t))
		return NULL;
	switch (sh->run) {
	case EDR_RUNNING:
		return xstrdup("shrinking: looking for the smallest shape that "
		    "still fails (Esc cancels)");
	case EDR_CANCELLED:
		return xstrdup("shrinking cancelled: c starts it again");
	default:
		return xasprintf("smallest: %s", sh->text);
	}
}

/* The verdict's rows at the screen's width. */
static int
wrapped_rows(const char *text)
{
	char **lines;
	int n;

	lines = ui_wrap(text, COLS - 2, &n);
	ui_lines_free(lines, n);
	return n;
}

static int panel_room(const tutor_t *t);

/* The reading layout's verdict rows (draw_verify's 4) hold the verdict and
 * why the tolerance is what it is, when both fit; else the note goes into
 * the scrolling column after the claim, whole: its text then, else NULL. */
static const char *
tol_in_column(const tutor_t *t)
{
	claim_t *c = tutor_cur_claim(t);
	tutor_check_t *ck = tutor_cur_check(t);
	const char *why;
	char *v;
	int n;

	if (t->layout != LAYOUT_READ || c == NULL || panel_room(t) > 0 ||
	    tutor_present_next_name(t) != NULL || tutor_uncovered(t) != NULL ||
	    tutor_ed_hidden(t) || !check_fresh(t, ck) ||
	    tutor_claim_pending(t, cur_flat_of(t)) || ck->error != NULL ||
	    ck->result.has_cex || (why = ck->result.tol_why) == NULL)
		return NULL;
	v = verdict_line(ck, tutor_claim_is_erratum(c));
	n = wrapped_rows(v) + wrapped_rows(why);
	free(v);
	return n > 4 ? why : NULL;
}

/* The claim's whole verification in rows rows: the verdict, then the
 * first counterexample, then why the tolerance is what it is, each
 * wrapped, as many as fit. */
static void
draw_verify(const tutor_t *t, int y, int rows)
{
	claim_t *c = tutor_cur_claim(t);
	tutor_check_t *ck = tutor_cur_check(t);
	char *line, *cex;

	if (c == NULL)
		return;
	if (tutor_present_next_name(t) != NULL) {       /* presenter mode */
		line = xasprintf("Space reveals %s", tutor_present_next_name(t));
		put_wrapped(&y, &rows, ROLE_KEY, line);
		free(line);
		return;
	}
	if (tutor_uncovered(t) != NULL) {
		line = xasprintf("not checked: %s, so its claims need not hold "
		    "here (verify skips it too); s, then r, restores its shape",
		    tutor_uncovered(t));
		if (!put_wrapped(&y, &rows, ROLE_WARN, line))
			put_wrapped(&y, &rows, ROLE_WARN, tutor_uncovered(t));
		free(line);
		return;
	}
	if (tutor_ed_hidden(t)) {
		put_wrapped(&y, &rows, ROLE_DIM, "the verdict is hidden until you "
		    "answer the exercise (e), or r reveals it");
		return;
	}
	if (!check_fresh(t, ck) || tutor_claim_pending(t, cur_flat_of(t))) {
		draw_unverified(t, y, check_fresh(t, ck));
		return;
	}
	if (ck->error != NULL) {
		line = xasprintf("cannot be checked: %s", ck->error);
		put_wrapped(&y, &rows, ROLE_FAIL, line);
		free(line);
		return;
	}
	line = verdict_line(ck, tutor_claim_is_erratum(c));
	put_wrapped(&y, &rows, verdict_role(ck), line);
	free(line);
	if (ck->result.has_cex) {
		cex = verify_cex_str(c, &ck->result);
		if (ck->result.cex_finding != NULL)
			line = xasprintf("counterexample (c): %s: %s",
			    cex, ck->result.cex_finding);
		else
			line = xasprintf("counterexample (c): %s: formula %.4g, "
			    "numeric %.4g", cex, ck->result.cex_formula,
			    ck->result.cex_numeric);
		if (!put_wrapped(&y, &rows, ROLE_WARN, line)) {
			free(line);         /* the values at least, on one row */
			line = xasprintf("counterexample (c): formula %.4g, numeric "
			    "%.4g", ck->result.cex_formula, ck->result.cex_numeric);
			put_wrapped(&y, &rows, ROLE_WARN, line);
		}
		free(line);
		free(cex);
		if ((line = shrink_line(t, false)) != NULL) {
			if (!put_wrapped(&y, &rows, ROLE_WARN, line) && rows > 0)
				put_cut(y, ROLE_WARN, line);
			free(line);
		}
	} else if (ck->result.tol_why != NULL && tol_in_column(t) == NULL &&
	    !put_wrapped(&y, &rows, ROLE_DIM, ck->result.tol_why) && rows > 0) {
		/* A note, not the verdict: never cut; the reading layout
		 * shows it whole. */
		put_wrapped(&y, &rows, ROLE_DIM, t->layout == LAYOUT_READ ?
		    "why this tolerance: after the claim" :
		    "why this tolerance: x, the reading layout");
	}
}

/* ---- the reading layout: prose and claim in one column ---- */

/* The pieces of the reading column, laid out to the width. */
typedef struct reading {
	char **prose;
	int nprose;
	char **head;            /* the claim's title, wrapped */
	int nhead;
	pp_box_t *box;          /* the claim, or NULL */
	int nerr;               /* rows of the erratum against its correction */
	char **tol;             /* why the tolerance, when the verdict's rows
	                         * have no room for it (tol_in_column) */
	int ntol;
} reading_t;

static void
reading_make(const tutor_t *t, reading_t *r)
{
	claim_t *c = tutor_cur_claim(t);

	memset(r, 0, sizeof *r);
	r->prose = prose_lines(t, &r->nprose);
	if (c != NULL && tutor_present_shows_claim(t)) {
		char *h = claim_title(t);

		r->box = claim_box(t, c, COLS - 4);
		r->head = ui_wrap(h, COLS - 2 - MARK_COLS, &r->nhead);
		free(h);
		r->nerr = ui_erratum_rows(t, COLS - 4);
	}
	if (tol_in_column(t) != NULL) {
		char *why = xasprintf("why this tolerance: %s", tol_in_column(t));

		r->tol = ui_wrap(why, COLS - 4, &r->ntol);
		free(why);
	}
}

static void
reading_free(reading_t *r)
{
	ui_lines_free(r->prose, r->nprose);
	if (r->head != NULL)
		ui_lines_free(r->head, r->nhead);
	pp_box_free(r->box);
	if (r->tol != NULL)
		ui_lines_free(r->tol, r->ntol);
}

/* Rows of the column: prose, a blank, the claim's header and rows, then
 * the erratum against its correction after a blank. */
static int
reading_rows(const reading_t *r)
{
	int n = r->nprose;

	if (r->box != NULL)
		n += 1 + r->nhead + r->box->height + (r->nerr > 0 ? 1 + r->nerr : 0);
	if (r->tol != NULL)
		n += 1 + r->ntol;
	return n;
}

/* Row i of the column at screen row y. */
static void
reading_row(const tutor_t *t, const reading_t *r, int i, int y)
{
	if (i < r->nprose) {
		ui_put(y, 1, COLS - 3, A_NORMAL, r->prose[i]);
		return;
	}
	i -= r->nprose;
	if (r->box != NULL) {
		int h = 1 + r->nhead;

		if (i >= 1 && i < h)
			draw_claim_header_line(t, y, 1, COLS - 2, r->head[i - 1],
			    i == 1);
		else if (i >= h && i - h < r->box->height)
			ui_put(y, 3, COLS - 4, A_NORMAL,
			    ui_skip(r->box->rows[i - h], t->text.claim_scroll));
		if (i < h + r->box->height)
			return;
		i -= h + r->box->height;
		if (r->nerr > 0 && i >= 1 && i < 1 + r->nerr)   /* after a blank */
			ui_erratum_row(t, COLS - 4, i - 1, y, 3);
		i -= r->nerr > 0 ? 1 + r->nerr : 0;
	}
	if (r->tol != NULL && i >= 1 && i < 1 + r->ntol)        /* a blank */
		ui_put(y, 3, COLS - 4, ui_attr(ROLE_DIM), r->tol[i - 1]);
}

/* The column from the scroll position, ↑ ↓ where there is more. */
static void
draw_reading(const tutor_t *t, int y, int rows)
{
	reading_t r;
	int i, total, top = t->text.scroll;

	reading_make(t, &r);
	total = reading_rows(&r);
	for (i = 0; i < rows && top + i < total; i++)
		reading_row(t, &r, top + i, y + i);
	if (top + rows < total)
		ui_put(y + rows - 1, COLS - 1, 1, ui_attr(ROLE_KEY),
		    ui_ascii() ? "v" : "↓");
	if (top > 0)
		ui_put(y, COLS - 1, 1, ui_attr(ROLE_KEY), ui_ascii() ? "^" : "↑");
	reading_free(&r);
}

/* ---- the claim editor's panel (e, :) ---- */

/* One piece of the panel: wrapped text, the claim's 2-D box, the edit
 * line, the caret. Pieces of a higher prio number give way first when the
 * panel has fewer rows than it needs. */
typedef enum ed_piece_kind { EP_TEXT, EP_BOX, EP_LINE, EP_CARET } ed_piece_kind_t;

typedef struct ed_piece {
	ed_piece_kind_t kind;
	int prio, rows;
	ui_role_t role;
	char **lines;           /* EP_TEXT */
	pp_box_t *box;          /* EP_BOX */
	bool shown;
} ed_piece_t;

#define ED_MAX_PIECES 10

typedef struct ed_panel {
	ed_piece_t p[ED_MAX_PIECES];
	int n;
} ed_panel_t;

static ed_piece_t *
panel_piece(ed_panel_t *pn, ed_piece_kind_t kind, int prio, int rows)
{
	ed_piece_t *e = &pn->p[pn->n++];

	assert(pn->n <= ED_MAX_PIECES);
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->prio = prio;
	e->rows = rows;
	return e;
}

/* Text wrapped to the width, at most max rows (cut with an ellipsis);
 * takes text. */
static void
panel_text(ed_panel_t *pn, int prio, ui_role_t role, char *text, int max)
{
	ed_piece_t *e = panel_piece(pn, EP_TEXT, prio, 0);

	e->role = role;
	e->lines = ui_wrap(text, COLS - 2, &e->rows);
	if (e->rows > max) {    /* the rest is cut: say so on the last row */
		char *last = e->lines[max - 1];

		e->lines[max - 1] = xasprintf("%s%s", last, ui_glyphs()->ellipsis);
		free(last);
		while (e->rows > max)
			free(e->lines[--e->rows]);
	}
	free(text);
}

/* "your claim: ..." : what its verification or judging came to. */
static char *
mine_verdict(const tutor_t *t, ui_role_t *role)
{
	const tutor_ed_claim_t *m = &t->ed->mine;
	const char *who = m->exercise >= 0 ? "your answer" : "your claim";
	size_t done = 0, total = 0;
	tutor_check_t ck;

	*role = ROLE_WARN;
	switch (m->run) {
	case EDR_RUNNING:
		if (m->exercise >= 0)
			return xasprintf("%s: being judged at three shapes the "
			    "lesson covers (Esc cancels)", who);
		if (tutor_ed_busy(t, &done, &total) && total > 0)
			return xasprintf("%s: verifying, %zu of %zu tuples so far "
			    "(Esc cancels)", who, done, total);
		return xasprintf("%s: verifying over every tuple (Esc cancels)",
		    who);
	case EDR_CANCELLED:
		return xasprintf("%s: verification cancelled (e, then Enter, "
		    "checks it again)", who);
	case EDR_NONE:
		return xasprintf("%s", who);
	default:
		break;
	}
	if (m->run_rc != 0) {
		*role = ROLE_FAIL;
		return xasprintf("%s cannot be checked: %s", who, m->run_err != NULL ?
		    m->run_err : "?");
	}
	if (m->judged) {
		*role = m->verdict.outcome == EXERCISE_ACCEPTED ? ROLE_OK : ROLE_FAIL;
		if (m->verdict.outcome == EXERCISE_ACCEPTED) {
			const char *ans = strstr(m->verdict.message, "; the answer: ");

			if (ans != NULL)        /* the shapes come below */
				return xasprintf("%s accepted, in another form than the "
				    "lesson's, whose answer is: %s", ui_glyphs()->ok,
				    ans + strlen("; the answer: "));
			return xasprintf("%s accepted: %s", ui_glyphs()->ok,
			    m->verdict.message);
		}
		return xasprintf("%s refused: %s", ui_glyphs()->fail,
		    m->verdict.message);
	}
	memset(&ck, 0, sizeof ck);
	ck.valid = true;
	ck.result = m->result;
	*role = verdict_role(&ck);
	{
		char *v = verdict_line(&ck, false), *line;

		line = xasprintf("%s: %s", who, v);
		free(v);
		return line;
	}
}

/* The live check of your claim at the cursors (NULL: none). */
static char *
mine_live(const tutor_t *t, ui_role_t *role)
{
	const tutor_ed_claim_t *m = &t->ed->mine;
	const claim_t *c = m->claim;
	long *vals;
	sbuf_t b;
	int i;

	*role = ROLE_NORMAL;
	if (c == NULL || !m->live_valid)
		return NULL;
	if (m->live_rc != 0) {
		*role = ROLE_DIM;
		return xasprintf("here: %s", m->live_err != NULL ? m->live_err :
		    "cannot be checked");
	}
	vals = xcalloc((size_t)c->nfree + 1, sizeof *vals);
	tutor_claim_values(t, c, vals);
	sbuf_init(&b);
	sbuf_add(&b, "at");
	for (i = 0; i < c->nfree; i++)
		sbuf_addf(&b, " %s=%ld", c->free[i].name, vals[i]);
	free(vals);
	if (m->live.finding != NULL) {
		*role = ROLE_FAIL;
		sbuf_addf(&b, ": %s", m->live.finding);
	} else if (!m->live.applies)
		sbuf_add(&b, ": its where does not hold here");
	else {
		sbuf_addf(&b, ": formula % .6g numeric % .6g %s", m->live.formula,
		    m->live.numeric, m->live.ok ? ui_glyphs()->ok :
		    ui_glyphs()->fail);
		*role = m->live.ok ? ROLE_NORMAL : ROLE_FAIL;
	}
	return sbuf_take(&b);
}

/* The first counterexample of your claim (NULL: none). */
static char *
mine_cex(const tutor_t *t)
{
	const tutor_ed_claim_t *m = &t->ed->mine;
	char *at, *line;

	if (m->run != EDR_DONE || !m->has_result || !m->result.has_cex)
		return NULL;
	at = verify_cex_str(m->claim, &m->result);
	if (m->result.cex_finding != NULL)
		line = xasprintf("counterexample (c): %s: %s", at,
		    m->result.cex_finding);
	else
		line = xasprintf("counterexample (c): %s: formula %.4g, numeric "
		    "%.4g", at, m->result.cex_formula, m->result.cex_numeric);
	free(at);
	return line;
}

/* The pieces, top to bottom: the verdict, the claim in 2-D, the live
 * check, the counterexample and the smallest shape, then the line (or,
 * not typing, the keys) and a syntax error's caret and message. */
static void
panel_make(const tutor_t *t, ed_panel_t *pn)
{
	const tutor_ed_t *ed = t->ed;
	const tutor_ed_claim_t *m = &ed->mine;
	const char *ans;
	pp_box_t *box;
	ui_role_t role;
	char *s;

	memset(pn, 0, sizeof *pn);
	if (m->claim != NULL) {
		s = mine_verdict(t, &role);
		panel_text(pn, 1, role, s, 4);
		if (m->judged && m->run == EDR_DONE && m->run_rc == 0 &&
		    m->verdict.outcome == EXERCISE_ACCEPTED &&
		    (ans = strstr(m->verdict.message, "; the answer: ")) != NULL)
			panel_text(pn, 3, ROLE_DIM, xstrndup(m->verdict.message,
			    (size_t)(ans - m->verdict.message)), 3);
		box = claim_render_fit(m->claim, ui_ascii() ? PP_ASCII :
		    PP_UNICODE, COLS - 4);
		panel_piece(pn, EP_BOX, 4, box->height)->box = box;
		if ((s = mine_live(t, &role)) != NULL)
			panel_text(pn, 2, role, s, 2);
		/* After c the live check is at the counterexample: the
		 * smallest shape comes before its line. */
		if ((s = mine_cex(t)) != NULL)
			panel_text(pn, 3, ROLE_WARN, s, 2);
		if ((s = shrink_line(t, true)) != NULL)
			panel_text(pn, 2, ROLE_WARN, s, 3);
	} else if (ed->syntax == NULL)
		panel_text(pn, 5, ROLE_DIM, xstrdup("type a claim, such as "
		    "output[b, c_out, h_out, w_out] = ...; Enter checks it, Esc "
		    "closes, Tab completes a name, Up/Down the history"), 2);
	if (ed->typing)
		panel_piece(pn, EP_LINE, 0, 1);
	else
		panel_text(pn, 0, ROLE_DIM, xstrdup("e edit, c "
		    "counterexample, w write to mine.md, Esc close"), 1);
	if (ed->syntax != NULL && ed->typing) {
		panel_piece(pn, EP_CARET, 0, 1);
		panel_text(pn, 0, ROLE_FAIL, xstrdup(ed->syntax), 2);
	}
}

static void
panel_free(ed_panel_t *pn)
{
	int i;

	for (i = 0; i < pn->n; i++) {
		if (pn->p[i].lines != NULL)
			ui_lines_free(pn->p[i].lines, pn->p[i].rows);
		pp_box_free(pn->p[i].box);
	}
}

/* Choose the pieces that fit max rows: all, less those of the highest
 * prio number first. Returns the rows used. */
static int
panel_fit(ed_panel_t *pn, int max)
{
	int i, used = 0, prio;

	for (i = 0; i < pn->n; i++) {
		pn->p[i].shown = true;
		used += pn->p[i].rows;
	}
	for (prio = 5; prio > 0 && used > max; prio--)
		for (i = pn->n - 1; i >= 0 && used > max; i--)
			if (pn->p[i].prio == prio && pn->p[i].shown) {
				pn->p[i].shown = false;
				used -= pn->p[i].rows;
			}
	return used;
}

/* Display columns of the first n bytes of s. */
static int
width_n(const char *s, size_t n)
{
	char *p = xstrndup(s, n);
	int w = ui_width(p);

	free(p);
	return w;
}

/* The first column of the line shown: so that the cursor is in view. */
static int
line_scroll(const tutor_ed_t *ed, int w)
{
	int cw = width_n(lineedit_text(ed->le), lineedit_cursor(ed->le));

	return cw > w - 1 ? cw - (w - 1) : 0;
}

/* "> text" with the cursor's character in reverse video, ◂ ▸ where the
 * line goes on beyond the screen. */
static void
draw_edit_line(const tutor_ed_t *ed, int y)
{
	const char *text = lineedit_text(ed->le);
	size_t cur = lineedit_cursor(ed->le), next = cur;
	int w = COLS - 4, start = line_scroll(ed, w), cx;
	char *ch;

	ui_put(y, 1, 2, ui_attr(ROLE_KEY), start > 0 ?
	    (ui_ascii() ? "<" : "◂") : ">");
	ui_put(y, 3, w, A_NORMAL, ui_skip(text, start));
	if (ui_width(text) - start > w)
		ui_put(y, COLS - 1, 1, ui_attr(ROLE_KEY), ui_ascii() ? ">" : "▸");
	if (text[next] != '\0')
		for (next++; ((unsigned char)text[next] & 0xc0) == 0x80; next++)
			;
	ch = cur < next ? xstrndup(text + cur, next - cur) : xstrdup(" ");
	cx = 3 + width_n(text, cur) - start;
	ui_put(y, cx, 1, A_REVERSE, ch);
	free(ch);
}

/* The caret under the column the parser names. */
static void
draw_caret(const tutor_ed_t *ed, int y)
{
	const char *text = lineedit_text(ed->le);
	size_t at = ed->syntax_at < 0 ? strlen(text) : (size_t)ed->syntax_at;
	int w = COLS - 4, start = line_scroll(ed, w), cx;

	if (at > strlen(text))
		at = strlen(text);
	cx = 3 + width_n(text, at) - start;
	if (cx < 3)
		cx = 3;
	if (cx > COLS - 2)
		cx = COLS - 2;
	ui_put(y, cx, 1, ui_attr(ROLE_FAIL), "^");
}

/* The panel's rows for at most max rows of the screen (0: closed). */
static int
panel_rows(const tutor_t *t, int max)
{
	ed_panel_t pn;
	int n;

	if (!tutor_ed_shown(t))
		return 0;
	panel_make(t, &pn);
	n = panel_fit(&pn, max);
	panel_free(&pn);
	return n;
}

/* Draw the panel in rows rows from y. */
static void
draw_panel(const tutor_t *t, int y, int rows)
{
	const tutor_ed_t *ed = t->ed;
	ed_panel_t pn;
	int i, k;

	panel_make(t, &pn);
	panel_fit(&pn, rows);
	ui_clear(y, 0, rows, COLS);
	for (i = 0; i < pn.n; i++) {
		const ed_piece_t *e = &pn.p[i];

		if (!e->shown)
			continue;
		for (k = 0; k < e->rows; k++) {
			if (e->kind == EP_TEXT)     /* to the last column: a cut
			                             * row's ellipsis */
				ui_put(y + k, 1, COLS - 1, ui_attr(e->role), e->lines[k]);
			else if (e->kind == EP_BOX)
				ui_put(y + k, 3, COLS - 4, A_NORMAL, e->box->rows[k]);
			else if (e->kind == EP_LINE)
				draw_edit_line(ed, y + k);
			else
				draw_caret(ed, y + k);
		}
		y += e->rows;
	}
	panel_free(&pn);
}

/* ---- the layouts' geometry, shared by the measure and the drawing ---- */

/* The claim editor's panel, when shown, takes the verdict's rows (and the
 * live check's), and more as it needs: at most half of the reading
 * layout's rows, a row less exploring (the panes keep their least). */
static int
panel_room(const tutor_t *t)
{
	return panel_rows(t, t->layout == LAYOUT_READ ? (LINES - 4) / 2 :
	    (LINES - 4) / 2 - 1);
}

/* Rows of the reading layout's column: all but the bars, the heading and
 * the verdict's four rows (or the editor's panel). */
static int
read_rows(const tutor_t *t)
{
	int ed = panel_room(t);

	return LINES - 4 - (ed > 0 ? ed : 4);
}

/* The exploring layout: the text area (rows 2 .. 2 + text_rows - 1), the
 * claim's rows in it, the panes' rows under it. The whole claim comes
 * first: the panes give way (down to three grid rows), then the prose
 * (down to one line). A claim taller than that (60x20), or an erratum
 * beside its correction, makes the text area one column of prose and
 * claim that scrolls, like the reading layout's. */
typedef struct explore_geom {
	int text_rows, ch, ph;
	bool column;
} explore_geom_t;

/* The exploring layout's status rows: the live check's, the
 * verification's two, the message and the hints. */
static int
status_rows(const tutor_t *t)
{
	return live_rows_n(t) + 4;
}

static void
explore_geom(const tutor_t *t, explore_geom_t *g)
{
	int ed = panel_room(t);
	int avail = LINES - (ed > 0 ? ed + 2 : status_rows(t)) - 2;

	g->ph = pane_rows(t);
	if (g->ph > avail * 3 / 5)
		g->ph = avail * 3 / 5;
	g->ch = claim_rows(t);
	if (g->ch + 1 > avail - g->ph)
		g->ph = avail - g->ch - 1;
	if (g->ph < PANE_MIN_ROWS)
		g->ph = PANE_MIN_ROWS;
	g->text_rows = avail - g->ph;
	g->column = g->ch > g->text_rows - 1 ||
	    ui_erratum_rows(t, COLS - 4) > 0;
}

void
ui_lesson_measure(const tutor_t *t, tutor_measure_t *m)
{
	explore_geom_t g;
	claim_t *c = tutor_cur_claim(t);

	memset(m, 0, sizeof *m);
	if (tutor_cur_lesson(t) == NULL || tutor_cur_step(t) == NULL)
		return;
	explore_geom(t, &g);
	if (t->layout == LAYOUT_READ || g.column) {
		reading_t r;

		reading_make(t, &r);
		m->page = t->layout == LAYOUT_READ ? read_rows(t) : g.text_rows;
		m->rows = reading_rows(&r);
		if (r.box != NULL) {
			m->claim_from = r.nprose + 1;
			m->claim_n = 1 + r.nhead + r.box->height +
			    (r.nerr > 0 ? 1 + r.nerr : 0);
			m->claim_over = r.box->width - (COLS - 4);
		}
		reading_free(&r);
	} else {
		char **lines;
		int n;

		lines = prose_lines(t, &n);
		m->page = prose_room(g.text_rows, g.ch, n);
		m->rows = n;
		ui_lines_free(lines, n);
		if (c != NULL) {
			pp_box_t *box = claim_box(t, c, COLS - 4);

			m->claim_over = box->width - (COLS - 4);
			pp_box_free(box);
		}
	}
}

void
ui_draw_lesson(const tutor_t *t)
{
	tutor_lesson_t *tl = tutor_cur_lesson(t);
	int y_status = LINES - status_rows(t), ed = panel_room(t);
	explore_geom_t g;
	char right[64], *left;

	if (tl == NULL) {
		ui_title_bar(" convgrad", NULL);
		ui_hint_line(t);
		return;
	}
	snprintf(right, sizeof right, "step %d/%d", t->step + 1,
	    tl->lesson->nsteps);
	left = xasprintf(" %s", tl->lesson->title);
	if (ui_width(left) > COLS - ui_width(right) - 2 &&
	    strstr(left, ": ") != NULL)
		/* "The bug zoo: thirteen classic mistakes and their ...": the
		 * title before its colon, whole, rather than the rest cut (the
		 * list shows all of it) */
		*strstr(left, ": ") = '\0';
	ui_title_bar(left, right);
	free(left);
	draw_heading(t, 1);
	if (t->layout == LAYOUT_READ) {
		/* No cursors: the live check's two rows go to the verdict; the
		 * editor's panel, when shown, takes the verdict's place. */
		draw_reading(t, 2, read_rows(t));
		if (ed > 0)
			draw_panel(t, LINES - 2 - ed, ed);
		else
			draw_verify(t, LINES - 6, 4);
		ui_message_line(t, LINES - 2);
		ui_hint_line(t);
		return;
	}
	explore_geom(t, &g);
	if (g.column)
		draw_reading(t, 2, g.text_rows);
	else
		draw_text_area(t, 2, g.text_rows, g.ch);
	draw_panes(t, 2 + g.text_rows, g.ph);
	if (ed > 0)
		draw_panel(t, LINES - 2 - ed, ed);
	else {
		draw_live(t, y_status, status_rows(t) - 4);
		draw_verify(t, y_status + status_rows(t) - 4, 2);
	}
	ui_message_line(t, LINES - 2);
	ui_hint_line(t);
}
