/*
 * ui-lesson.c: the lesson view, one step at a time. Top to bottom:
 *   row 0         title bar: the lesson's title, step i/n
 *   row 1         the step's heading and its verdicts
 *   text area     prose (wrapped by display width, scrollable), then the
 *                 current claim in 2-D, laid out to the width
 *                 (claim_render_fit: stacked and broken over lines when
 *                 wider; its rows come before the panes' and the prose's);
 *                 a claim taller than that, or `o` (the source rendered by
 *                 tex_text, then verbatim), makes it one scrolling column
 *                 as the reading layout is (explore_geom)
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

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tex-text.h"
#include "util.h"

#define STATUS_ROWS 6       /* live 2, verification 2, message 1, hints 1 */
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
	if (st->nclaims == 0)
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
	rw = ui_width(right);
	left = xasprintf("%s%d. %s", t->layout == LAYOUT_EXPLORE &&
	    t->focus == PANE_TEXT && !t->var_focus ? "*" : "",
	    t->step + 1, st->title);
	ui_put(y, 1, COLS - rw - 4, ui_attr(ROLE_HEADING), left);
	ui_put(y, COLS - rw - 1, rw, ui_attr(role), right);
	free(left);
}

/* The step's prose wrapped to the window; the lesson's introduction comes
 * before step 1. */
static char **
prose_lines(const tutor_t *t, int *n)
{
	lesson_step_t *st = tutor_cur_step(t);
	tutor_lesson_t *tl = tutor_cur_lesson(t);
	char *text, **lines;

	if (t->step == 0 && tl->lesson->intro != NULL && tl->lesson->intro[0])
		text = xasprintf("%s\n\n%s", tl->lesson->intro, st->prose);
	else
		text = xstrdup(st->prose != NULL ? st->prose : "");
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

/* "claim 2/3: label" (malloc'd). */
static char *
claim_title(const tutor_t *t)
{
	const claim_t *c = tutor_cur_claim(t);

	return xasprintf("claim %d/%d%s%s", t->claim + 1,
	    tutor_cur_step(t)->nclaims, c->label != NULL ? ": " : "",
	    c->label != NULL ? c->label : "");
}

/* The verdict mark, then text (a line of the claim's title), so that the
 * mark is never the part cut off. Columns of the mark: MARK_COLS. */
#define MARK_COLS 5
static void
draw_claim_header_line(const tutor_t *t, int y, int x, int w, const char *text,
    bool first)
{
	tutor_check_t *ck = tutor_cur_check(t);

	if (first && check_fresh(t, ck))
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
	draw_claim_header(t, y, x, w);
	box = claim_render_fit(c, ui_ascii() ? PP_ASCII : PP_UNICODE, w - 2);
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
	box = claim_render_fit(c, ui_ascii() ? PP_ASCII : PP_UNICODE, COLS - 4);
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

/* Choose values or shaded cells per pane, and widths that fit COLS,
 * shared by need: values while every pane fits, then the widest pane
 * shaded; if still too wide, each pane gets its least, then what it needs
 * up to an equal share of what is left, the rest going to those that need
 * more (so a small weight pane does not sit half empty while the input is
 * cut). */
/* The bias pane shows only where the claim reads bias; a pane the claim
 * does not read (dimmed) gives way when not every pane fits at its least
 * (four panes at 60 columns). */
static bool
pane_shown(const tutor_t *t, int p)
{
	int q, least = -1;

	if (p == PANE_BIAS)
		return tutor_shows_bias(t);
	if (tutor_pane_used(t, (tutor_pane_t)p))
		return true;
	for (q = PANE_INPUT; q < PANE_COUNT; q++)
		if (q != PANE_BIAS || tutor_shows_bias(t))
			least += ui_pane_min_width(t, (tutor_pane_t)q) + 1;
	return least <= COLS;
}

static void
pane_layout(const tutor_t *t, int width[PANE_COUNT], bool values[PANE_COUNT])
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

static void
draw_live(const tutor_t *t, int y)
{
	claim_t *c = tutor_cur_claim(t);
	const ui_glyphs_t *g = ui_glyphs();
	const verify_point_t *pt = &t->live.pt;
	const char *label = t->live.label;
	char *line, *tup;
	int x;

	if (c == NULL || !t->live.valid)
		return;
	if (t->live.rc != 0) {      /* computed in the state, drawn here */
		ui_put(y, 1, COLS - 2, ui_attr(ROLE_DIM), t->live.err);
		return;
	}
	tup = tuple_str(t, c);
	ui_put(y, 1, COLS - 2, A_NORMAL, tup);
	free(tup);
	if (pt->finding != NULL) {
		line = xasprintf("finding: %s", pt->finding);
		ui_put(y + 1, 1, COLS - 2, ui_attr(ROLE_FAIL), line);
	} else if (c->kind == CLAIM_LET) {
		char *v = expr_text(c->lhs);

		line = xasprintf("%s here: % .6g (a definition: later claims "
		    "use it)", v, pt->formula);
		ui_put(y + 1, 1, COLS - 2, A_NORMAL, line);
		free(v);
	} else if (!pt->applies) {
		line = xasprintf("its where does not hold here%s%s",
		    label != NULL ? "; case: " : "", label != NULL ? label : "");
		ui_put(y + 1, 1, COLS - 2, ui_attr(ROLE_DIM), line);
	} else {
		char *cs = label != NULL ? xasprintf("  case: %s", label) : xstrdup("");

		line = xasprintf("formula % .6g  numeric % .6g  diff %.1e ",
		    pt->formula, pt->numeric, fabs(pt->formula - pt->numeric));
		if (ui_width(line) + 2 + ui_width(cs) > COLS - 2) {
			free(line);     /* room for the case: shorter numbers */
			line = xasprintf("formula % .4g numeric % .4g ", pt->formula,
			    pt->numeric);
		}
		x = 1 + ui_put(y + 1, 1, COLS - 2, A_NORMAL, line);
		x += ui_put(y + 1, x, COLS - x, ui_attr(pt->ok ? ROLE_OK :
		    c->expect_fail ? ROLE_ERRATUM : ROLE_FAIL), pt->ok ? g->ok : g->fail);
		if (ui_width(cs) > COLS - x - 1) {      /* cut, and says so */
			ui_put(y + 1, x, COLS - x - 2, ui_attr(ROLE_HEADING), cs);
			ui_put(y + 1, COLS - 2, 1, ui_attr(ROLE_HEADING), g->ellipsis);
		} else
			ui_put(y + 1, x, COLS - x - 1, ui_attr(ROLE_HEADING), cs);
		free(cs);
	}
	free(line);
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
	if (tutor_uncovered(t) != NULL) {
		line = xasprintf("not checked: %s, so its claims need not hold "
		    "here (verify skips it too); s, then r, restores its shape",
		    tutor_uncovered(t));
		if (!put_wrapped(&y, &rows, ROLE_WARN, line))
			put_wrapped(&y, &rows, ROLE_WARN, tutor_uncovered(t));
		free(line);
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
	} else if (ck->result.tol_why != NULL &&
	    !put_wrapped(&y, &rows, ROLE_DIM, ck->result.tol_why) && rows > 0) {
		/* A note, not the verdict: its start, and the reading layout
		 * (e) has room for all of it. */
		ui_put(y, 1, COLS - 3, ui_attr(ROLE_DIM), ck->result.tol_why);
		ui_put(y, COLS - 2, 1, ui_attr(ROLE_DIM), ui_glyphs()->ellipsis);
	}
}

/* ---- the reading layout: prose, claim (and source) in one column ---- */

/* The pieces of the reading column, laid out to the width. */
typedef struct reading {
	char **prose;
	int nprose;
	char **head;            /* the claim's title, wrapped */
	int nhead;
	pp_box_t *box;          /* the claim, or NULL */
	int nerr;               /* rows of the erratum against its correction */
	char **src;             /* the source when o shows it: rendered, */
	int nsrc;
	char **raw;             /* ... and as written (the verbatim LaTeX) */
	int nraw;
} reading_t;

static void
reading_make(const tutor_t *t, reading_t *r)
{
	claim_t *c = tutor_cur_claim(t);
	lesson_step_t *st = tutor_cur_step(t);

	memset(r, 0, sizeof *r);
	r->prose = prose_lines(t, &r->nprose);
	if (c != NULL) {
		char *h = claim_title(t);

		r->box = claim_render_fit(c, ui_ascii() ? PP_ASCII : PP_UNICODE,
		    COLS - 4);
		r->head = ui_wrap(h, COLS - 2 - MARK_COLS, &r->nhead);
		free(h);
		r->nerr = ui_erratum_rows(t, COLS - 4);
	}
	if (t->show_source && st->source != NULL) {
		char *txt = tex_text(st->source);

		r->src = ui_wrap(txt, COLS - 4, &r->nsrc);
		r->raw = ui_wrap(st->source, COLS - 4, &r->nraw);
		free(txt);
	} else if (t->show_source)
		r->src = ui_wrap("(this step quotes no source text)", COLS - 4,
		    &r->nsrc);
}

static void
reading_free(reading_t *r)
{
	ui_lines_free(r->prose, r->nprose);
	if (r->head != NULL)
		ui_lines_free(r->head, r->nhead);
	pp_box_free(r->box);
	if (r->src != NULL)
		ui_lines_free(r->src, r->nsrc);
	if (r->raw != NULL)
		ui_lines_free(r->raw, r->nraw);
}

/* Rows of the column: prose, a blank, the claim's header and rows, then
 * (o) a blank, the source's title and its rendered lines, and a blank, a
 * title and the verbatim lines. */
static int
reading_rows(const reading_t *r)
{
	int n = r->nprose;

	if (r->box != NULL)
		n += 1 + r->nhead + r->box->height + (r->nerr > 0 ? 1 + r->nerr : 0);
	if (r->src != NULL)
		n += 2 + r->nsrc;
	if (r->raw != NULL)
		n += 2 + r->nraw;
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
		if (r->nerr > 0 && i < 1 + r->nerr) {   /* after a blank line */
			if (i >= 1)
				ui_erratum_row(t, COLS - 4, i - 1, y, 3);
			return;
		}
		if (r->nerr > 0)
			i -= 1 + r->nerr;
	}
	if (r->src == NULL)
		return;
	if (i == 1)
		ui_put(y, 1, COLS - 2, ui_attr(ROLE_DIM), r->raw != NULL ?
		    "the source, rendered (o hides):" : "the source (o hides):");
	else if (i >= 2 && i - 2 < r->nsrc)
		ui_put(y, 3, COLS - 4, ui_attr(ROLE_WARN), r->src[i - 2]);
	i -= 2 + r->nsrc;
	if (r->raw == NULL || i < 1)
		return;
	if (i == 1)
		ui_put(y, 1, COLS - 2, ui_attr(ROLE_DIM),
		    "the source, as written (LaTeX):");
	else if (i - 2 < r->nraw)
		ui_put(y, 3, COLS - 4, ui_attr(ROLE_DIM), r->raw[i - 2]);
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

/* ---- the layouts' geometry, shared by the measure and the drawing ---- */

/* Rows of the reading layout's column: all but the bars, the heading and
 * the verdict's four rows. */
#define READ_ROWS (LINES - 6 - 2)

/* The exploring layout: the text area (rows 2 .. 2 + text_rows - 1), the
 * claim's rows in it, the panes' rows under it. The whole claim comes
 * first: the panes give way (down to three grid rows), then the prose
 * (down to one line). A claim taller than that (60x20), or the source
 * shown (o), makes the text area one column of prose, claim and source
 * that scrolls, like the reading layout's. */
typedef struct explore_geom {
	int text_rows, ch, ph;
	bool column;
} explore_geom_t;

static void
explore_geom(const tutor_t *t, explore_geom_t *g)
{
	int avail = LINES - STATUS_ROWS - 2;

	g->ph = pane_rows(t);
	if (g->ph > avail * 3 / 5)
		g->ph = avail * 3 / 5;
	g->ch = claim_rows(t);
	if (g->ch + 1 > avail - g->ph)
		g->ph = avail - g->ch - 1;
	if (g->ph < PANE_MIN_ROWS)
		g->ph = PANE_MIN_ROWS;
	g->text_rows = avail - g->ph;
	g->column = t->show_source || g->ch > g->text_rows - 1 ||
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
		m->page = t->layout == LAYOUT_READ ? READ_ROWS : g.text_rows;
		m->rows = reading_rows(&r);
		if (r.box != NULL) {
			m->claim_from = r.nprose + 1;
			m->claim_n = 1 + r.nhead + r.box->height +
			    (r.nerr > 0 ? 1 + r.nerr : 0);
			m->claim_over = r.box->width - (COLS - 4);
		}
		if (r.src != NULL)      /* its title, after a blank line */
			m->source_from = reading_rows(&r) - r.nsrc - 1 -
			    (r.raw != NULL ? 2 + r.nraw : 0);
		reading_free(&r);
	} else {
		char **lines;
		int n;

		lines = prose_lines(t, &n);
		m->page = prose_room(g.text_rows, g.ch, n);
		m->rows = n;
		ui_lines_free(lines, n);
		if (c != NULL) {
			pp_box_t *box = claim_render_fit(c, ui_ascii() ? PP_ASCII :
			    PP_UNICODE, COLS - 4);

			m->claim_over = box->width - (COLS - 4);
			pp_box_free(box);
		}
	}
}

void
ui_draw_lesson(const tutor_t *t)
{
	tutor_lesson_t *tl = tutor_cur_lesson(t);
	int y_status = LINES - STATUS_ROWS;
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
	ui_title_bar(left, right);
	free(left);
	draw_heading(t, 1);
	if (t->layout == LAYOUT_READ) {
		/* No cursors: the live check's two rows go to the verdict. */
		draw_reading(t, 2, READ_ROWS);
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
	draw_live(t, y_status);
	draw_verify(t, y_status + 2, 2);
	ui_message_line(t, LINES - 2);
	ui_hint_line(t);
}
