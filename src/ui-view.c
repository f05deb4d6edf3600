/*
 * ui-view.c: the tutor's screens, drawn from the state in tutor.h.
 *
 * The lesson list, the help screen (generated from the key table), the
 * shape panel, the "terminal too small" screen, the progress line, and the
 * lines every screen shares (title bar, message line, key hint line). The
 * lesson view itself is in ui-lesson.c. Below UI_MIN_COLS x UI_MIN_ROWS
 * every screen gives way to "terminal too small".
 */
#include "ui-curses.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tutor-lab.h"
#include "tutor-present.h"
#include "tutor-progress.h"
#include "util.h"

/* ---- shared bits ---- */

void
ui_title_bar(const char *left, const char *right)
{
	int rw = right != NULL ? ui_width(right) : 0;
	int room = right != NULL ? COLS - rw - 2 : COLS;
	attr_t a = ui_attr(ROLE_TITLE);

	ui_put_fill(0, 0, COLS, a, "");
	/* The left side gives way to the right (the step counter), with an
	 * ellipsis where it is cut. */
	if (ui_width(left) > room && room > 1) {
		ui_put(0, 0, room - 1, a, left);
		ui_put(0, room - 1, 1, a, ui_glyphs()->ellipsis);
	} else
		ui_put(0, 0, room, a, left);
	if (right != NULL && rw + 2 < COLS)
		ui_put(0, COLS - rw - 1, rw, a, right);
}

/* The hint line, generated from the key table for this screen. */
/* One hint, "KEY what", at x; returns the columns used. */
static int
hint_put(int y, int x, int w, const tutor_key_t *k)
{
	const char *name = k->hint_name != NULL ? k->hint_name : k->name;
	int used;

	used = ui_put(y, x, w, ui_attr(ROLE_KEY), name);
	used += ui_put(y, x + used, w - used, A_NORMAL, " ");
	used += ui_put(y, x + used, w - used, ui_attr(ROLE_DIM), k->hint);
	return used;
}

static int
hint_width(const tutor_key_t *k)
{
	return ui_width(k->hint_name != NULL ? k->hint_name : k->name) + 1 +
	    ui_width(k->hint) + 2;
}

/* Hints for what the layout shows: no cursor keys while reading, no
 * paging while exploring. */
static bool
hint_applies(const tutor_t *t, const tutor_key_t *k)
{
	if (t->screen != SCR_LESSON)
		return true;
	if (t->layout == LAYOUT_READ)
		return k->action != ACT_UP && k->action != ACT_NEXT_PANE &&
		    k->action != ACT_SLICE_NEXT && k->action != ACT_CEX;
	return k->action != ACT_PAGE_DOWN;
}

/* The hint line, generated from the key table for this screen: help and
 * quit on the right, always; the others from the left while they fit. */
void
ui_hint_line(const tutor_t *t)
{
	int x = 0, y = LINES - 1, right = COLS;
	size_t i;

	ui_clear(y, 0, 1, COLS);
	for (i = tutor_nkeys; i-- > 0;) {
		const tutor_key_t *k = &tutor_keys[i];

		if (k->hint == NULL || !(k->screens & SCR_BIT(t->screen)) ||
		    (k->action != ACT_HELP && k->action != ACT_QUIT))
			continue;
		right -= hint_width(k);
		hint_put(y, right + 1, COLS - right - 1, k);
	}
	for (i = 0; i < tutor_nkeys; i++) {
		const tutor_key_t *k = &tutor_keys[i];
		tutor_key_t cancel;

		if (k->hint == NULL || !(k->screens & SCR_BIT(t->screen)) ||
		    k->action == ACT_HELP || k->action == ACT_QUIT)
			continue;
		if (!hint_applies(t, k))
			continue;
		if (k->action == ACT_BACK && t->screen == SCR_LESSON &&
		    tutor_busy(t, NULL)) {      /* Esc cancels first */
			cancel = *k;
			cancel.hint = "cancel";
			k = &cancel;
		} else if (k->action == ACT_LAYOUT && t->layout == LAYOUT_EXPLORE) {
			cancel = *k;
			cancel.hint = "read";
			k = &cancel;
		} else if (k->action == ACT_PAGE_DOWN &&
		    tutor_present_next_name(t) != NULL) {   /* presenter mode */
			cancel = *k;
			cancel.hint = "reveal";
			k = &cancel;
		}
		if (x + hint_width(k) > right)
			break;
		x += hint_put(y, x, right - x, k) + 2;
	}
}

/* "step.claim" of flat claim k of the current lesson. */
static void
claim_name(const tutor_t *t, int k, char *buf, size_t len)
{
	const tutor_lesson_t *tl = tutor_cur_lesson(t);
	int s;

	snprintf(buf, len, "?");
	for (s = 0; tl != NULL && s < tl->lesson->nsteps; s++)
		if (k >= tl->step_first[s] && k < tl->step_first[s + 1])
			snprintf(buf, len, "%d.%d", s + 1, k - tl->step_first[s] + 1);
}

/* While the worker verifies: which claim (step.claim), a bar, tuples done
 * of total, how many wait, and how to cancel. false if nothing runs. */
static bool
draw_progress(const tutor_t *t, int y)
{
	const ui_glyphs_t *g = ui_glyphs();
	tutor_progress_t pr;
	int bar = COLS >= 80 ? 20 : 10, i, fill, x;
	char name[32], *txt;

	if (!tutor_busy(t, &pr))
		return false;
	ui_clear(y, 0, 1, COLS);
	if (pr.k >= 0)
		claim_name(t, pr.k, name, sizeof name);
	else
		snprintf(name, sizeof name, "%s", pr.queued > 0 ? "next" : "");
	txt = xasprintf("verifying %s ", name);
	x = ui_put(y, 0, COLS, ui_attr(ROLE_WARN), txt);
	free(txt);
	fill = pr.total > 0 ? (int)((double)pr.done / (double)pr.total * bar) : 0;
	for (i = 0; i < bar; i++)
		ui_put(y, x + i, 1, ui_attr(ROLE_WARN), i < fill ? g->bar_done :
		    g->bar_todo);
	x += bar;
	if (pr.total == 0)
		txt = xasprintf(" starting%s; Esc cancels", pr.queued > 0 ?
		    ", more queued" : "");
	else if (pr.queued > 0)
		txt = xasprintf(" %zu/%zu, %d more; Esc cancels", pr.done,
		    pr.total, pr.queued);
	else
		txt = xasprintf(" %zu/%zu tuples; Esc cancels", pr.done, pr.total);
	ui_put(y, x, COLS - x, ui_attr(ROLE_WARN), txt);
	free(txt);
	return true;
}

/* "N,C_in,H_in,W_in,C_out,R,S=2,2,7,8,3,3,2 str 2,3 → 3x3", padding and
 * dilation only where they are not the default. */
static char *
shape_short(const conv_shape_t *s)
{
	sbuf_t b;

	sbuf_init(&b);
	sbuf_addf(&b, "shape %ld,%ld,%ld,%ld,%ld,%ld,%ld stride %ld,%ld", s->N,
	    s->C_in, s->H_in, s->W_in, s->C_out, s->R, s->S, s->strh, s->strw);
	if (s->pad_h != 0 || s->pad_w != 0)
		sbuf_addf(&b, " pad %ld,%ld", s->pad_h, s->pad_w);
	if (s->dil_h != 1 || s->dil_w != 1)
		sbuf_addf(&b, " dil %ld,%ld", s->dil_h, s->dil_w);
	sbuf_addf(&b, " %s H_out=%ld W_out=%ld", ui_glyphs()->arrow, s->H_out,
	    s->W_out);
	return sbuf_take(&b);
}

void
ui_message_line(const tutor_t *t, int y)
{
	const conv_shape_t *s = tutor_shape(t);
	char buf[256], *line;

	if (t->screen == SCR_LIST && t->list_cursor < t->nlessons &&
	    t->lessons[t->list_cursor].lesson != NULL)
		s = &t->lessons[t->list_cursor].shape;

	if (draw_progress(t, y))
		return;
	if (t->message != NULL) {
		ui_put_fill(y, 0, COLS, ui_attr(ROLE_WARN), t->message);
		return;
	}
	if (s == NULL)
		return;
	line = xasprintf("shape %s %s H_out=%ld W_out=%ld", conv_shape_str(s,
	    buf, sizeof buf), ui_glyphs()->arrow, s->H_out, s->W_out);
	if (ui_width(line) > COLS) {    /* the same, packed (60 columns) */
		free(line);
		line = shape_short(s);
	}
	ui_put_fill(y, 0, COLS, ui_attr(ROLE_DIM), line);
	free(line);
}

static void
draw_too_small(void)
{
	char *msg;
	char **lines;
	int n, i, y;

	msg = xasprintf("terminal too small: %d%s%d, need %d%s%d", COLS,
	    ui_glyphs()->times, LINES, UI_MIN_COLS, ui_glyphs()->times, UI_MIN_ROWS);
	lines = ui_wrap(msg, COLS > 2 ? COLS - 2 : 1, &n);
	y = LINES / 2 - n / 2;
	for (i = 0; i < n && y + i < LINES; i++)
		ui_put(y + i < 0 ? 0 : y + i, 1, COLS - 1, ui_attr(ROLE_WARN),
		    lines[i]);
	if (y + n < LINES)
		ui_put(y + n, 1, COLS - 1, ui_attr(ROLE_DIM), "q quits");
	ui_lines_free(lines, n);
	free(msg);
}

/* ---- the lesson list ---- */

/* A lesson the student has seen steps of (in this run or before): its
 * progress, "5/7 steps · 1/2 exercises", with ✓ or ✗ when this run
 * verified it (in the colour of its verdict; the errata lesson's without
 * a mark, as below). NULL when none seen (tutor-progress.h). */
static const char *
progress_text(const tutor_t *t, int i, ui_role_t *role, char *buf, size_t len)
{
	const ui_glyphs_t *g = ui_glyphs();
	tutor_lesson_state_t st = tutor_lesson_state(t, i);
	size_t n;

	if (!tutor_progress_summary(t, i, COLS < 80, buf, len))
		return NULL;
	n = strlen(buf);
	*role = st == LS_VERIFIED ? ROLE_OK : st == LS_ERRATUM ? ROLE_ERRATUM :
	    st == LS_FAILED ? ROLE_FAIL : ROLE_NORMAL;
	if (st == LS_VERIFIED || st == LS_FAILED)    /* an erratum: no ✓ */
		snprintf(buf + n, len - n, " %s", st == LS_FAILED ? g->fail : g->ok);
	return buf;
}

static const char *
state_text(const tutor_t *t, int i, ui_role_t *role, char *buf, size_t len)
{
	const ui_glyphs_t *g = ui_glyphs();
	const tutor_lesson_t *tl = &t->lessons[i];

	if (progress_text(t, i, role, buf, len) != NULL)
		return buf;
	switch (tutor_lesson_state(t, i)) {
	case LS_ERROR:
		if (tl->skip_title != NULL) {
			*role = ROLE_DIM;
			return "not at this shape";
		}
		*role = ROLE_FAIL;
		return "does not load";
	case LS_NOT_VISITED:
		*role = ROLE_DIM;
		return "not visited";
	case LS_PARTIAL:
		*role = ROLE_NORMAL;
		snprintf(buf, len, "visited: %d/%d claims checked",
		    tutor_lesson_checked(t, i), tl->nclaims);
		return buf;
	case LS_VERIFIED:
		*role = ROLE_OK;
		snprintf(buf, len, "verified %s every claim holds", g->ok);
		return buf;
	case LS_ERRATUM:      /* no ✓: some of its formulas are false */
		*role = ROLE_ERRATUM;
		snprintf(buf, len, "verified: the false formulas are false");
		return buf;
	case LS_FAILED:
	default:
		*role = ROLE_FAIL;
		snprintf(buf, len, "failed %s", g->fail);
		return buf;
	}
}

static const char *
list_title(const tutor_t *t, int i)
{
	const tutor_lesson_t *tl = &t->lessons[i];

	return tl->lesson != NULL ? tl->lesson->title :
	    tl->skip_title != NULL ? tl->skip_title : tl->path;
}

/* Does lesson i's row cut its title (beside its state)? */
static bool
list_title_cut(const tutor_t *t, int i)
{
	char buf[64];
	ui_role_t role;
	int sw = ui_width(state_text(t, i, &role, buf, sizeof buf));

	return t->lessons[i].lesson != NULL &&
	    ui_width(list_title(t, i)) > COLS - sw - 8;
}

static void
list_row(const tutor_t *t, int i, int y)
{
	char num[16], buf[64];
	const char *st, *title;
	ui_role_t role;
	int sw;

	st = state_text(t, i, &role, buf, sizeof buf);
	sw = ui_width(st);
	title = list_title(t, i);
	snprintf(num, sizeof num, " %2d. ", i + 1);
	attr_t a = i == t->list_cursor ? ui_attr(ROLE_SELECT) : A_NORMAL;

	if (i == t->list_cursor)
		ui_put_fill(y, 0, COLS, a, "");
	ui_put(y, 0, 5, a, num);
	if (list_title_cut(t, i))       /* said so; the preview has it whole */
		ui_put(y, 5 + ui_put(y, 5, COLS - sw - 9, a, title), 1, a,
		    ui_glyphs()->ellipsis);
	else
		ui_put(y, 5, COLS - sw - 8, a, title);
	ui_put(y, COLS - sw - 1, sw, ui_attr(role), st);
}

/* The preview's rows: the chosen lesson's title when its row cuts it,
 * then its introduction (or why it failed), at most max rows, the last
 * one cut with "…" where more was left out. */
static void
draw_preview(const tutor_t *t, int y, int max)
{
	const tutor_lesson_t *sel = &t->lessons[t->list_cursor];
	attr_t a = ui_attr(sel->lesson != NULL || sel->skip_title != NULL ?
	    ROLE_DIM : ROLE_FAIL);
	char **head = NULL, **lines;
	int nh = 0, n, i, w;

	if (list_title_cut(t, t->list_cursor))
		head = ui_wrap(sel->lesson->title, COLS - 6, &nh);
	lines = ui_wrap(sel->lesson != NULL ? sel->lesson->intro : sel->load_error,
	    COLS - 6, &n);          /* room for a "…" where it is cut */
	int shown = nh + n < max ? nh + n : max;

	/* cut after a paragraph's end: the "…" goes on its last line */
	while (shown < nh + n && shown > 1 && shown > nh &&
	    lines[shown - 1 - nh][0] == '\0')
		shown--;
	for (i = 0, w = 0; i < shown; i++) {
		bool is_head = i < nh;

		w = ui_put(y + i, 2, COLS - 6, is_head ? ui_attr(ROLE_HEADING) : a,
		    is_head ? head[i] : lines[i - nh]);
	}
	if (shown > 0 && shown < nh + n)        /* cut: say so */
		ui_put(y + shown - 1, 3 + w, 1, shown <= nh ?
		    ui_attr(ROLE_HEADING) : a, ui_glyphs()->ellipsis);
	ui_lines_free(head, nh);
	ui_lines_free(lines, n);
}

static void
draw_list(const tutor_t *t)
{
	int rows = LINES - 6, top = 0, i;
	char *hdr;

	hdr = xasprintf(" convgrad %s the gradients of conv2d, step by step",
	    ui_glyphs()->dot);
	ui_title_bar(hdr, "lessons");
	free(hdr);
	if (rows > t->nlessons)
		rows = t->nlessons;
	if (t->list_cursor >= rows)
		top = t->list_cursor - rows + 1;
	for (i = 0; i < rows; i++)
		list_row(t, top + i, 2 + i);
	/* A preview: the chosen lesson's introduction, or why it failed. */
	draw_preview(t, 3 + rows, LINES - 2 - (3 + rows));
	ui_message_line(t, LINES - 2);
	ui_hint_line(t);
}

/* ---- the help screen ---- */

static const char *const help_screen_names[SCR_COUNT] = {
	[SCR_LIST] = "Lesson list", [SCR_LESSON] = "Lesson view",
	[SCR_SHAPE] = "Shape panel", [SCR_HELP] = "Help",
	[SCR_LAB] = "Step-size lab", [SCR_SOURCE] = "Source",
};

/* Add to the help's lines: a heading (text NULL: "KEY:" alone), or a key
 * and its text wrapped to width after a 14-column key column (a longer
 * key on a line of its own). */
static void
help_add(char ***lines, int *n, const char *key, const char *text, int width)
{
	char **w;
	int nw, i;
	bool own = ui_width(key) > 12;

	if (text == NULL) {
		*lines = xreallocarray(*lines, (size_t)*n + 1, sizeof **lines);
		(*lines)[(*n)++] = xasprintf("%s:", key);
		return;
	}
	w = ui_wrap(text, width > 10 ? width : 10, &nw);
	*lines = xreallocarray(*lines, (size_t)*n + (size_t)nw + 2,
	    sizeof **lines);
	if (own)
		(*lines)[(*n)++] = xasprintf("  %s", key);
	for (i = 0; i < nw; i++) {
		const char *k = i == 0 && !own ? key : "";
		int pad = 13 - ui_width(k);     /* padded by display width */

		(*lines)[(*n)++] = xasprintf("  %s%*s%s", k, pad > 0 ? pad : 1, "",
		    w[i]);
	}
	if (nw == 0 && !own)
		(*lines)[(*n)++] = xasprintf("  %s", key);
	ui_lines_free(w, nw);
}

/* The help text as lines, generated from the key table. */
static char **
help_lines(int *n)
{
	const ui_glyphs_t *g = ui_glyphs();
	char **lines = xcalloc(1, sizeof *lines);
	char *legend[7];
	size_t i;
	int s, k, width = COLS - 4 - 14;

	*n = 0;
	for (s = 0; s < SCR_COUNT; s++) {
		if (s)
			help_add(&lines, n, "", "", width);
		help_add(&lines, n, help_screen_names[s], NULL, width);
		for (i = 0; i < tutor_nkeys; i++)
			if (tutor_keys[i].screens & SCR_BIT(s))
				help_add(&lines, n, tutor_keys[i].name,
				    tutor_keys[i].help, width);
	}
	legend[0] = xasprintf("%sx%s", g->cur_l, g->cur_r);
	legend[1] = xasprintf("%sx%s", g->set_l, g->set_r);
	legend[2] = xasprintf("%sx%s", g->par_l, g->par_r);
	legend[3] = xasprintf("+%s -%s", g->shade[1], g->shade[3]);
	legend[4] = xasprintf("%s%s%s%s", g->clip_up, g->clip_down, g->clip_l,
	    g->clip_r);
	legend[5] = xstrdup("unused");
	legend[6] = xstrdup("(x)");
	help_add(&lines, n, "", "", width);
	help_add(&lines, n, "In the panes", NULL, width);
	help_add(&lines, n, legend[0], "the chosen element", width);
	help_add(&lines, n, legend[1], "the case: the window of the chosen "
	    "output, the outputs an input feeds, the inputs a tap multiplies",
	    width);
	help_add(&lines, n, legend[2], "the weight tap pairing them; in the "
	    "input beside an im2col pane, the pixel its cursor reads", width);
	help_add(&lines, n, legend[6], "an erratum's wrong interval: the cells "
	    "its bounds take in besides the window (lesson 8)", width);
	{
		char *shades = xasprintf("a shaded cell (when values do not fit): "
		    "the sign, then %s %s %s %s for |value| up to a quarter, a half, "
		    "three quarters, all of the slice's largest", g->shade[0],
		    g->shade[1], g->shade[2], g->shade[3]);

		help_add(&lines, n, legend[3], shades, width);
		free(shades);
	}
	help_add(&lines, n, legend[4], "rows above, below, columns left, right "
	    "are off the pane (the labels give the indices shown)", width);
	help_add(&lines, n, legend[5], "in a pane's title: the claim does not "
	    "read that tensor (the pane is dimmed)", width);
	help_add(&lines, n, "lets", "a matrix a claim defines or reads (lesson "
	    "7's cols, Wm, dY, dcols) is a pane of its own, titled with its "
	    "shape (C_in·R·S × H_out·W_out, or 12×9); the claim that defines it "
	    "moves its cursor, [ ] its slice. The cursor in cols picks (r, p): "
	    "the input pane's caption says which pixel cols[b, r, p] reads, "
	    "marked { } in the window ‹ › of output position p (column p of "
	    "cols), or that it is padding", width);
	for (k = 0; k < 7; k++)
		free(legend[k]);
	{
		char *min = xasprintf("The tutor needs at least %dx%d.",
		    UI_MIN_COLS, UI_MIN_ROWS);

		help_add(&lines, n, "", "", width);
		help_add(&lines, n, min, "", width);
		free(min);
	}
	return lines;
}

/* The help's rows: all but the title bar, the scroll note and the hints. */
#define HELP_ROWS (LINES - 3)

static void
draw_help(const tutor_t *t)
{
	int n, i, rows = HELP_ROWS, max, top = t->text.help_scroll;
	char **lines = help_lines(&n);

	ui_title_bar(" convgrad: keys", "any other key closes");
	max = n > rows ? n - rows : 0;
	for (i = 0; i < rows && top + i < n; i++) {
		const char *l = lines[top + i];

		ui_put(1 + i, 1, COLS - 2, l[0] != ' ' ? ui_attr(ROLE_HEADING) :
		    A_NORMAL, l);
	}
	ui_lines_free(lines, n);
	ui_hint_line(t);
	if (max > 0)
		ui_put(LINES - 2, 1, COLS - 2, ui_attr(ROLE_DIM),
		    "Up/Down scroll this help");
}

/* ---- the step-size lab ---- */

/* The report's rows: all but the title bar, the message and the hints. */
#define LAB_ROWS (LINES - 3)

/* The lab's report (tutor-lab.h computed it), from lab_scroll; lines
 * wider than the screen are cut (the chart itself is 56 columns). */
static void
draw_lab(const tutor_t *t)
{
	const char *p = t->lab_text != NULL ? t->lab_text : "";
	char *title = xasprintf(" convgrad: step-size lab, g = %s",
	    tutor_lab_g_name(t));
	int i, row = 0;

	ui_title_bar(title, "g: next function");
	free(title);
	for (i = 0; *p != '\0' && row < LAB_ROWS; i++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

		if (i >= t->text.lab_scroll) {
			char *l = xstrndup(p, len);

			bool head = strncmp(l, "float", 5) == 0 ||
			    strncmp(l, "Step-size lab", 13) == 0;

			ui_put(1 + row++, 1, COLS - 2, head ?
			    ui_attr(ROLE_HEADING) : A_NORMAL, l);
			free(l);
		}
		p += len + (nl != NULL);
	}
	ui_message_line(t, LINES - 2);
	ui_hint_line(t);
}

/* ---- the shape panel ---- */

static void
draw_shape_panel(const tutor_t *t)
{
	int w = 48, h = tutor_nshape_fields + 6, y, x, i;
	conv_shape_t probe = t->edit;
	char line[128], *err = NULL;

	if (w > COLS - 2)
		w = COLS - 2;
	y = (LINES - h) / 2, x = (COLS - w) / 2;
	ui_clear(y, x, h, w);
	ui_box(y, x, h, w, "shape", ui_attr(ROLE_FOCUS));
	for (i = 0; i < tutor_nshape_fields; i++) {
		long v = 0;
		bool sel = i == t->field;

		conv_shape_get(&t->edit, tutor_shape_fields[i], &v);
		snprintf(line, sizeof line, "%s %-6s %ld%s", sel ? ">" : " ",
		    tutor_shape_fields[i], v, sel && t->typing ? "_" : "");
		ui_put_fill(y + 1 + i, x + 2, 22, ui_attr(sel ? ROLE_SELECT :
		    ROLE_NORMAL), line);
	}
	if (conv_shape_validate(&probe, 0, &err) == 0)
		snprintf(line, sizeof line, "H_out=%ld W_out=%ld", probe.H_out,
		    probe.W_out);
	else
		snprintf(line, sizeof line, "(invalid)");
	free(err);
	ui_put(y + 1, x + 26, w - 28, ui_attr(ROLE_DIM), line);
	ui_put(y + 3, x + 26, w - 28, ui_attr(ROLE_DIM), "digits type,");
	ui_put(y + 4, x + 26, w - 28, ui_attr(ROLE_DIM), "-/+ change,");
	ui_put(y + 5, x + 26, w - 28, ui_attr(ROLE_DIM), "Enter applies");
	if (t->shape_error != NULL) {
		char *m = xasprintf("refused: %s", t->shape_error);
		int n, k;
		char **lines = ui_wrap(m, w - 4, &n);

		for (k = 0; k < n && k < 3; k++)
			ui_put(y + h - 4 + k, x + 2, w - 4, ui_attr(ROLE_FAIL),
			    lines[k]);
		ui_lines_free(lines, n);
		free(m);
	}
}

/* ---- the whole screen ---- */

void
ui_layout(tutor_t *t)
{
	tutor_measure_t m;
	char **lines;
	int n;

	if (COLS < UI_MIN_COLS || LINES < UI_MIN_ROWS)
		return;                 /* nothing is laid out: keep the last */
	ui_lesson_measure(t, &m);
	if (t->screen == SCR_HELP) {
		lines = help_lines(&n);
		m.help_page = HELP_ROWS;
		m.help_rows = n;
		ui_lines_free(lines, n);
	}
	if (t->screen == SCR_LAB) {
		m.lab_page = LAB_ROWS;
		m.lab_rows = tutor_lab_count_lines(t->lab_text);
	}
	if (t->screen == SCR_SOURCE)
		ui_source_measure(&m);
	tutor_text_measure(t, &m);
}

void
ui_draw(const tutor_t *t)
{
	erase();
	if (COLS < UI_MIN_COLS || LINES < UI_MIN_ROWS) {
		draw_too_small();
		refresh();
		return;
	}
	switch (t->screen) {
	case SCR_LIST:
		draw_list(t);
		break;
	case SCR_HELP:
		draw_help(t);
		break;
	case SCR_LAB:
		draw_lab(t);
		break;
	case SCR_SOURCE:
		ui_draw_source(t);
		break;
	case SCR_SHAPE:
		ui_draw_lesson(t);
		draw_shape_panel(t);
		ui_hint_line(t);
		break;
	default:
		ui_draw_lesson(t);
		break;
	}
	refresh();
}

