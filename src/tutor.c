/*
 * tutor.c: the tutor's state and transitions (see tutor.h). No curses here:
 * ui-*.c draw this state and feed it keys; tests/check_tutor.c drives it
 * without a terminal.
 */
#include "tutor.h"

#include <assert.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "exercise.h"
#include "tok-diff.h"
#include "tutor-bg.h"
#include "tutor-edit.h"
#include "tutor-lab.h"
#include "tutor-present.h"
#include "tutor-progress.h"
#include "tutor-source.h"
#include "util.h"

#define LI SCR_BIT(SCR_LIST)
#define LV SCR_BIT(SCR_LESSON)
#define SH SCR_BIT(SCR_SHAPE)
#define HE SCR_BIT(SCR_HELP)
#define LA SCR_BIT(SCR_LAB)
#define SO SCR_BIT(SCR_SOURCE)
#define ALL (LI | LV | SH | HE)

/*
 * The key table. The dispatcher, the help screen and the hint line are all
 * generated from it. A key may appear once per screen (check_tutor tests
 * this). On the help screen any key that is not bound closes help.
 */
const tutor_key_t tutor_keys[] = {
	{ .keys = { 'q' }, .name = "q", .hint = "quit",
	  .help = "quit (the terminal is restored)",
	  .action = ACT_QUIT, .screens = ALL },
	{ .keys = { '?', TK_F1 }, .name = "? F1", .hint_name = "?",
	  .hint = "help",
	  .help = "this help, generated from the key table",
	  .action = ACT_HELP, .screens = LI | LV | SH | LA | SO },
	{ .keys = { TK_ESC, TK_BACKSPACE }, .name = "Esc Bksp",
	  .hint_name = "Esc", .hint = "back",
	  .help = "go back: to the lesson list, or close a panel (while a "
	    "verification runs: cancel it)",
	  .action = ACT_BACK, .screens = LV | HE },
	{ .keys = { TK_ENTER, '\r', TK_RIGHT, 'l' }, .name = "Enter Right l",
	  .hint_name = "Enter",
	  .hint = "open", .help = "open the chosen lesson",
	  .action = ACT_OPEN, .screens = LI },
	/* Up and Down do one thing per screen; each screen says its own. */
	{ .keys = { TK_UP, 'k' }, .name = "Up k", .hint_name = "j/k",
	  .hint = "choose", .help = "the previous lesson",
	  .action = ACT_UP, .screens = LI },
	{ .keys = { TK_DOWN, 'j' }, .name = "Down j", .hint = NULL,
	  .help = "the next lesson",
	  .action = ACT_DOWN, .screens = LI },
	{ .keys = { TK_UP, 'k' }, .name = "Up k", .hint_name = "hjkl",
	  .hint = "move",
	  .help = "move up: the chosen element of the focused pane (text pane: "
	    "scroll the prose; unbound variables: raise the chosen one)",
	  .action = ACT_UP, .screens = LV },
	{ .keys = { TK_DOWN, 'j' }, .name = "Down j", .hint = NULL,
	  .help = "move down: the chosen element of the focused pane (text "
	    "pane: scroll the prose; unbound variables: lower the chosen one)",
	  .action = ACT_DOWN, .screens = LV },
	{ .keys = { TK_UP, 'k' }, .name = "Up k", .hint_name = "j/k",
	  .hint = "scroll", .help = "scroll the help up",
	  .action = ACT_UP, .screens = HE },
	{ .keys = { TK_DOWN, 'j' }, .name = "Down j", .hint = NULL,
	  .help = "scroll the help down",
	  .action = ACT_DOWN, .screens = HE },
	{ .keys = { TK_LEFT, 'h' }, .name = "Left h", .hint = NULL,
	  .help = "move left (text pane: scroll a wide formula; unbound "
	    "variables: the previous one)",
	  .action = ACT_LEFT, .screens = LV },
	{ .keys = { TK_RIGHT, 'l' }, .name = "Right l", .hint = NULL,
	  .help = "move right (text pane: scroll a wide formula; unbound "
	    "variables: the next one)",
	  .action = ACT_RIGHT, .screens = LV },
	{ .keys = { TK_TAB }, .name = "Tab", .hint = "pane",
	  .help = "focus the next pane: text, input, weight, output, then "
	    "the claim's unbound variables if it has some",
	  .action = ACT_NEXT_PANE, .screens = LV },
	{ .keys = { TK_BTAB }, .name = "S-Tab", .hint = NULL,
	  .help = "focus the previous pane (or the unbound variables)",
	  .action = ACT_PREV_PANE, .screens = LV },
	{ .keys = { 'x' }, .name = "x", .hint = "explore",
	  .help = "switch between reading (the prose and the claim take the "
	    "screen) and exploring (the tensor panes)",
	  .action = ACT_LAYOUT, .screens = LV },
	{ .keys = { 'e', ':' }, .name = "e :", .hint_name = "e", .hint = "edit",
	  .help = "type a claim of your own at the bottom (an exercise step: "
	    "your answer); Enter checks it over every tuple, Esc closes; "
	    "Left/Right Home/End Bksp Delete ^U ^W edit, Up/Down history, Tab "
	    "completes a tensor or constant",
	  .action = ACT_EDIT, .screens = LV },
	{ .keys = { 'w' }, .name = "w", .hint = NULL,
	  .help = "write your claim to your own lesson file, "
	    "$XDG_DATA_HOME/convgrad/mine.md, as a step convgrad verify checks",
	  .action = ACT_WRITE, .screens = LV },
	{ .keys = { 't' }, .name = "t", .hint = NULL,
	  .help = "exercise step: the next hint (one tier per press)",
	  .action = ACT_HINT, .screens = LV },
	{ .keys = { 'r' }, .name = "r", .hint = NULL,
	  .help = "exercise step: reveal the verdicts, values and cases kept "
	    "hidden until you answer",
	  .action = ACT_REVEAL, .screens = LV },
	{ .keys = { ' ', TK_PGDN }, .name = "Space PgDn", .hint_name = "Space",
	  .hint = "page",
	  .help = "scroll the prose a page down (--present: first reveal the "
	    "step's next part: a paragraph, the claim, the verdict)",
	  .action = ACT_PAGE_DOWN, .screens = LV },
	{ .keys = { TK_PGUP }, .name = "PgUp", .hint = NULL,
	  .help = "scroll the prose a page up",
	  .action = ACT_PAGE_UP, .screens = LV },
	{ .keys = { 'n' }, .name = "n", .hint_name = "n/p",
	  .hint = "step",
	  .help = "next step of the lesson (from the last step: the next lesson)",
	  .action = ACT_NEXT_STEP, .screens = LV },
	{ .keys = { 'p' }, .name = "p", .hint = NULL,
	  .help = "previous step of the lesson",
	  .action = ACT_PREV_STEP, .screens = LV },
	{ .keys = { '>', '.' }, .name = "> .", .hint_name = "</>",
	  .hint = "claim",
	  .help = "next claim of the step",
	  .action = ACT_NEXT_CLAIM, .screens = LV },
	{ .keys = { '<', ',' }, .name = "< ,", .hint = NULL,
	  .help = "previous claim of the step",
	  .action = ACT_PREV_CLAIM, .screens = LV },
	{ .keys = { '[' }, .name = "[", .hint = NULL,
	  .help = "previous batch/channel slice of the focused tensor pane",
	  .action = ACT_SLICE_PREV, .screens = LV },
	{ .keys = { ']' }, .name = "]", .hint_name = "[/]", .hint = "slice",
	  .help = "next batch/channel slice of the focused tensor pane",
	  .action = ACT_SLICE_NEXT, .screens = LV },
	{ .keys = { 'c' }, .name = "c", .hint = "cex",
	  .help = "move the cursors to the claim's first counterexample (your "
	    "claim's when it is shown), then find the smallest shape at which "
	    "it still fails (in the background; Esc cancels)",
	  .action = ACT_CEX, .screens = LV },
	{ .keys = { 'v' }, .name = "v", .hint = "verify",
	  .help = "verify the claim again over every tuple (Esc cancels)",
	  .action = ACT_VERIFY, .screens = LV },
	{ .keys = { 'V' }, .name = "V", .hint = NULL,
	  .help = "verify every claim of the lesson",
	  .action = ACT_VERIFY_LESSON, .screens = LV },
	{ .keys = { 'o' }, .name = "o", .hint = "source",
	  .help = "the whole source derivation, its formulas drawn in 2-D, "
	    "opened at the part this step quotes (marked); v there shows it "
	    "as written",
	  .action = ACT_SOURCE, .screens = LV },
	{ .keys = { 's' }, .name = "s", .hint = "shape",
	  .help = "open the shape panel: sizes, stride, padding, dilation",
	  .action = ACT_SHAPE, .screens = LV },
	/* The shape panel. */
	{ .keys = { TK_UP, 'k' }, .name = "Up k", .hint = NULL,
	  .help = "shape panel: previous field",
	  .action = ACT_FIELD_UP, .screens = SH },
	{ .keys = { TK_DOWN, 'j', TK_TAB }, .name = "Down j Tab",
	  .hint_name = "Up/Down", .hint = "field", .help = "shape panel: next field",
	  .action = ACT_FIELD_DOWN, .screens = SH },
	{ .keys = { TK_LEFT, 'h', '-' }, .name = "Left h -", .hint = NULL,
	  .help = "shape panel: decrease the field",
	  .action = ACT_FIELD_DEC, .screens = SH },
	{ .keys = { TK_RIGHT, 'l', '+', '=' }, .name = "Right l +",
	  .hint_name = "-/+", .hint = "change", .help = "shape panel: increase the field",
	  .action = ACT_FIELD_INC, .screens = SH },
	{ .keys = { '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' },
	  .name = "0-9", .hint = NULL, .help = "shape panel: type the field's value",
	  .action = ACT_FIELD_DIGIT, .screens = SH },
	{ .keys = { TK_BACKSPACE }, .name = "Bksp", .hint = NULL,
	  .help = "shape panel: erase the last digit",
	  .action = ACT_FIELD_ERASE, .screens = SH },
	{ .keys = { TK_ENTER, '\r' }, .name = "Enter", .hint = "apply",
	  .help = "shape panel: apply (an invalid shape is refused, with why)",
	  .action = ACT_SHAPE_APPLY, .screens = SH },
	{ .keys = { 'r' }, .name = "r", .hint = "reset",
	  .help = "shape panel: back to the lesson's default shape",
	  .action = ACT_SHAPE_RESET, .screens = SH },
	{ .keys = { TK_ESC }, .name = "Esc", .hint = "cancel",
	  .help = "shape panel: close without changing the shape",
	  .action = ACT_SHAPE_CANCEL, .screens = SH },
	/* The step-size lab (tutor-lab.h). */
	{ .keys = { 'L' }, .name = "L", .hint = "lab",
	  .help = "the step-size lab: the error of central and forward "
	    "differences against the step h, float64 and float32 (as "
	    "`convgrad lab step-size` prints it)",
	  .action = ACT_LAB, .screens = LI | LV },
	{ .keys = { TK_ESC, TK_BACKSPACE, 'q' }, .name = "Esc Bksp q",
	  .hint_name = "Esc", .hint = "back",
	  .help = "back to where the lab was opened",
	  .action = ACT_BACK, .screens = LA },
	{ .keys = { TK_UP, 'k' }, .name = "Up k", .hint_name = "j/k",
	  .hint = "scroll", .help = "scroll the lab's report up",
	  .action = ACT_UP, .screens = LA },
	{ .keys = { TK_DOWN, 'j' }, .name = "Down j", .hint = NULL,
	  .help = "scroll the lab's report down",
	  .action = ACT_DOWN, .screens = LA },
	{ .keys = { ' ', TK_PGDN }, .name = "Space PgDn", .hint_name = "Space",
	  .hint = "page", .help = "scroll the lab's report a page down",
	  .action = ACT_PAGE_DOWN, .screens = LA },
	{ .keys = { TK_PGUP }, .name = "PgUp", .hint = NULL,
	  .help = "scroll the lab's report a page up",
	  .action = ACT_PAGE_UP, .screens = LA },
	{ .keys = { 'g' }, .name = "g", .hint = "next g",
	  .help = "the next function g of f = sum g(output): linear, tanh, "
	    "square, exp, relu (recomputed)",
	  .action = ACT_LAB_G, .screens = LA },
	/* The source screen (tutor-source.h). */
	{ .keys = { TK_ESC, TK_BACKSPACE, 'o', 'q' }, .name = "Esc Bksp o q",
	  .hint_name = "Esc", .hint = "back",
	  .help = "back to the lesson",
	  .action = ACT_BACK, .screens = SO },
	{ .keys = { 'v' }, .name = "v", .hint = "verbatim",
	  .help = "the source as written (its LaTeX, lines numbered), or "
	    "rendered again",
	  .action = ACT_SRC_VERBATIM, .screens = SO },
	{ .keys = { TK_UP, 'k' }, .name = "Up k", .hint_name = "j/k",
	  .hint = "scroll", .help = "scroll the source up a row",
	  .action = ACT_UP, .screens = SO },
	{ .keys = { TK_DOWN, 'j' }, .name = "Down j", .hint = NULL,
	  .help = "scroll the source down a row",
	  .action = ACT_DOWN, .screens = SO },
	{ .keys = { ' ', TK_PGDN }, .name = "Space PgDn", .hint_name = "Space",
	  .hint = "page", .help = "scroll the source a page down",
	  .action = ACT_PAGE_DOWN, .screens = SO },
	{ .keys = { TK_PGUP, 'b' }, .name = "PgUp b", .hint = NULL,
	  .help = "scroll the source a page up",
	  .action = ACT_PAGE_UP, .screens = SO },
	{ .keys = { 'g', TK_HOME }, .name = "g Home", .hint_name = "g/G",
	  .hint = "top/end", .help = "the top of the source",
	  .action = ACT_SRC_TOP, .screens = SO },
	{ .keys = { 'G', TK_END }, .name = "G End", .hint = NULL,
	  .help = "the end of the source",
	  .action = ACT_SRC_END, .screens = SO },
	{ .keys = { TK_LEFT, 'h' }, .name = "Left h", .hint_name = "h/l",
	  .hint = "sideways",
	  .help = "scroll the formulas left (a row cut at an edge is marked "
	    "there)",
	  .action = ACT_LEFT, .screens = SO },
	{ .keys = { TK_RIGHT, 'l' }, .name = "Right l", .hint = NULL,
	  .help = "scroll the formulas right, to see a wide formula's rest",
	  .action = ACT_RIGHT, .screens = SO },
};
const size_t tutor_nkeys = sizeof tutor_keys / sizeof tutor_keys[0];

const char *const tutor_shape_fields[] = {
	"N", "C_in", "C_out", "H_in", "W_in", "R", "S",
	"strh", "strw", "pad_h", "pad_w", "dil_h", "dil_w", "groups",
};
const int tutor_nshape_fields =
    (int)(sizeof tutor_shape_fields / sizeof tutor_shape_fields[0]);

static const char *const screen_names[SCR_COUNT] = {
	[SCR_LIST] = "list", [SCR_LESSON] = "lesson", [SCR_SHAPE] = "shape",
	[SCR_HELP] = "help", [SCR_LAB] = "lab", [SCR_SOURCE] = "source",
};

const char *
tutor_screen_name(tutor_screen_t s)
{
	assert(s < SCR_COUNT);
	return screen_names[s];
}

const char *
tutor_key_label(int key, char buf[2])
{
	switch (key) {
	case TK_UP: return "Up";
	case TK_DOWN: return "Down";
	case TK_LEFT: return "Left";
	case TK_RIGHT: return "Right";
	case TK_PGUP: return "PgUp";
	case TK_PGDN: return "PgDn";
	case TK_HOME: return "Home";
	case TK_END: return "End";
	case TK_BACKSPACE: return "Backspace";
	case TK_F1: return "F1";
	case TK_BTAB: return "Shift-Tab";
	case TK_ESC: return "Esc";
	case TK_ENTER: return "Enter";
	case TK_TAB: return "Tab";
	case ' ': return "Space";
	case '\r': return NULL;         /* Enter too */
	default: break;
	}
	assert(key > ' ' && key < 0x7f);
	buf[0] = (char)key;
	buf[1] = '\0';
	return buf;
}

void
tutor_keys_print(FILE *f)
{
	size_t i;
	int s, j;

	for (s = 0; s < SCR_COUNT; s++)
		for (i = 0; i < tutor_nkeys; i++) {
			const tutor_key_t *k = &tutor_keys[i];

			if (!(k->screens & SCR_BIT(s)))
				continue;
			if (k->action == ACT_FIELD_DIGIT) {     /* "0-9" */
				fprintf(f, "%s\t%s\t%s\n", screen_names[s],
				    k->name, k->help);
				continue;
			}
			for (j = 0; j < TUTOR_KEYS_MAX && k->keys[j] != 0; j++) {
				char buf[2];
				const char *label = tutor_key_label(k->keys[j], buf);

				if (label != NULL)
					fprintf(f, "%s\t%s\t%s\n", screen_names[s],
					    label, k->help);
			}
		}
}

const tutor_key_t *
tutor_key_lookup(int key, tutor_screen_t screen)
{
	size_t i;
	int j;

	for (i = 0; i < tutor_nkeys; i++) {
		if (!(tutor_keys[i].screens & SCR_BIT(screen)))
			continue;
		for (j = 0; j < TUTOR_KEYS_MAX && tutor_keys[i].keys[j] != 0; j++)
			if (tutor_keys[i].keys[j] == key)
				return &tutor_keys[i];
	}
	return NULL;
}

void
tutor_message(tutor_t *t, const char *fmt, ...)
{
	va_list ap;

	free(t->message);
	t->message = NULL;
	if (fmt == NULL)
		return;
	va_start(ap, fmt);
	t->message = xvasprintf(fmt, ap);
	va_end(ap);
}

/* ---- creation ---- */


/* Count the lesson's claims and note where each step's claims start. */
static void
lesson_index(tutor_lesson_t *tl)
{
	lesson_t *l = tl->lesson;
	int s, n = 0;

	tl->step_first = xcalloc((size_t)l->nsteps + 1, sizeof *tl->step_first);
	for (s = 0; s < l->nsteps; s++) {
		tl->step_first[s] = n;
		n += l->steps[s].nclaims;
	}
	tl->step_first[l->nsteps] = n;
	tl->nclaims = n;
	tl->checks = xcalloc((size_t)n + 1, sizeof *tl->checks);
	tl->claims = xcalloc((size_t)n + 1, sizeof *tl->claims);
	for (s = 0, n = 0; s < l->nsteps; s++) {
		int k;

		for (k = 0; k < l->steps[s].nclaims; k++)
			tl->claims[n++] = l->steps[s].claims[k];
	}
}

static void
lesson_adopt(tutor_lesson_t *tl, lesson_t *l)
{
	tl->lesson = l;
	tl->start = tl->shape = l->shape;
	lesson_index(tl);
}

static tutor_t *
tutor_alloc(int n)
{
	tutor_t *t = xcalloc(1, sizeof *t);

	t->nlessons = n;
	t->lessons = xcalloc((size_t)n + 1, sizeof *t->lessons);
	t->screen = SCR_LIST;
	t->lesson = -1;
	t->focus = PANE_TEXT;
	t->layout = LAYOUT_READ;
	t->vc_lesson = -1;
	t->lets_wait.sync_ms = TUTOR_LETS_SYNC_MS;
	t->verify_one = -1;
	t->auto_verify = true;
	verify_opts_default(&t->opts);
	return t;
}

tutor_t *
tutor_create(char **paths, int npaths)
{
	tutor_t *t = tutor_alloc(npaths);
	int i;

	for (i = 0; i < npaths; i++) {
		tutor_lesson_t *tl = &t->lessons[i];
		lesson_t *l;

		tl->path = xstrdup(paths[i]);
		l = lesson_load(paths[i], &tl->load_error);
		/* a lesson cannot ship a wrong exercise answer (exercise.h) */
		if (l != NULL && exercise_check_lesson(l, &t->opts,
		    &tl->load_error) != 0) {
			lesson_free(l);
			l = NULL;
		}
		if (l != NULL)
			lesson_adopt(tl, l);
	}
	return t;
}

tutor_t *
tutor_create_lessons(lesson_t **lessons, int n)
{
	tutor_t *t = tutor_alloc(n);
	int i;

	for (i = 0; i < n; i++) {
		t->lessons[i].path = xstrdup(lessons[i]->path != NULL ?
		    lessons[i]->path : "(lesson)");
		lesson_adopt(&t->lessons[i], lessons[i]);
	}
	return t;
}

static void
check_clear(tutor_check_t *ck)
{
	if (ck->valid)
		verify_result_clear(&ck->result);
	free(ck->error);
	memset(ck, 0, sizeof *ck);
}

static void live_clear(tutor_t *t);
static void pair_clear(tutor_erratum_pair_t *p);

void
tutor_free(tutor_t *t)
{
	int i, k;

	if (t == NULL)
		return;
	if (!tutor_bg_stop(t, 2000))
		return;         /* still reading the lessons: left to exit */
	pair_clear(&t->pair);
	free(t->srcset.in);
	tutor_ed_free(t->ed);
	tutor_lab_clear(t);
	tutor_source_free(t);
	for (i = 0; i < t->nlessons; i++) {
		tutor_lesson_t *tl = &t->lessons[i];

		for (k = 0; k < tl->nclaims; k++)
			check_clear(&tl->checks[k]);
		free(tl->checks);
		free(tl->claims);
		free(tl->step_first);
		lesson_free(tl->lesson);
		free(tl->load_error);
		free(tl->skip_title);
		free(tl->path);
	}
	free(t->lessons);
	tutor_progress_close(t);
	live_clear(t);
	verify_ctx_free(t->vc);
	free(t->let_ready);
	free(t->lets_wait.error);
	free(t->extra);
	free(t->shape_error);
	free(t->message);
	free(t);
}

int
tutor_override(tutor_t *t, const conv_shape_opts_t *o, char **err)
{
	int i;

	for (i = 0; i < t->nlessons; i++) {
		tutor_lesson_t *tl = &t->lessons[i];
		conv_shape_t s;
		char *why = NULL;

		if (tl->lesson == NULL)
			continue;
		if ((why = conv_shape_opts_groups_skip(o,
		    &tl->lesson->shape)) != NULL) {
			/* left out, as verify leaves it out: listed, saying why */
			tl->load_error = xasprintf("not at this shape: %s", why);
			tl->skip_title = xstrdup(tl->lesson->title);
			free(why);
			lesson_free(tl->lesson);
			tl->lesson = NULL;
			continue;
		}
		s = conv_shape_opts_over(o, &tl->lesson->shape);
		if (conv_shape_opts_validate(o, &s, &why) != 0) {
			set_error(err, "%s: %s", tl->path, why);
			free(why);
			return -1;
		}
		tl->start = tl->shape = s;
	}
	return 0;
}

/* ---- where we are ---- */

tutor_lesson_t *
tutor_cur_lesson(const tutor_t *t)
{
	if (t->lesson < 0 || t->lesson >= t->nlessons)
		return NULL;
	return t->lessons[t->lesson].lesson != NULL ? &t->lessons[t->lesson] : NULL;
}

lesson_step_t *
tutor_cur_step(const tutor_t *t)
{
	tutor_lesson_t *tl = tutor_cur_lesson(t);

	if (tl == NULL || t->step < 0 || t->step >= tl->lesson->nsteps)
		return NULL;
	return &tl->lesson->steps[t->step];
}

claim_t *
tutor_cur_claim(const tutor_t *t)
{
	lesson_step_t *st = tutor_cur_step(t);

	if (st == NULL || t->claim < 0 || t->claim >= st->nclaims)
		return NULL;
	return st->claims[t->claim];
}

static int
cur_flat(const tutor_t *t)
{
	tutor_lesson_t *tl = tutor_cur_lesson(t);

	assert(tl != NULL);
	return tl->step_first[t->step] + t->claim;
}

tutor_check_t *
tutor_cur_check(const tutor_t *t)
{
	if (tutor_cur_claim(t) == NULL)
		return NULL;
	return &tutor_cur_lesson(t)->checks[cur_flat(t)];
}

const conv_shape_t *
tutor_shape(const tutor_t *t)
{
	tutor_lesson_t *tl = tutor_cur_lesson(t);

	return tl != NULL ? &tl->shape : NULL;
}

/* The claim with flat index k of lesson tl. */
static claim_t *
lesson_claim(const tutor_lesson_t *tl, int k)
{
	assert(k >= 0 && k < tl->nclaims);
	return tl->claims[k];
}

/* ---- panes ---- */

void
tutor_pane_dims(const tutor_t *t, tutor_pane_t p, long dims[4])
{
	const conv_shape_t *s = tutor_shape(t);
	int i;

	for (i = 0; i < 4; i++)
		dims[i] = 1;
	if (s == NULL)
		return;
	switch (p) {
	case PANE_INPUT:
		dims[0] = s->N, dims[1] = s->C_in, dims[2] = s->H_in, dims[3] = s->W_in;
		break;
	case PANE_WEIGHT:
		dims[0] = s->C_out, dims[1] = conv_group_cin(s), dims[2] = s->R, dims[3] = s->S;
		break;
	case PANE_OUTPUT:
		dims[0] = s->N, dims[1] = s->C_out, dims[2] = s->H_out, dims[3] = s->W_out;
		break;
	case PANE_BIAS:
		dims[2] = s->C_out;
		break;
	default:
		if (tutor_let_pane(t, p) != NULL)
			memcpy(dims, tutor_let_pane(t, p)->dims, 4 * sizeof *dims);
		break;
	}
}

static long
clampl(long v, long lo, long hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void
tutor_clamp(tutor_t *t)
{
	int p, i;

	for (p = PANE_INPUT; p < PANE_COUNT; p++) {
		long dims[4];

		tutor_pane_dims(t, (tutor_pane_t)p, dims);
		for (i = 0; i < 4; i++)
			t->cur[p][i] = clampl(t->cur[p][i], 0, dims[i] - 1);
	}
}

static void
move_cursor(tutor_t *t, int dim, long delta)
{
	t->cur[t->focus][dim] += delta;
	tutor_clamp(t);
}

static void
move_slice(tutor_t *t, long delta)
{
	tutor_pane_t p = t->focus == PANE_TEXT ? PANE_INPUT : t->focus;
	long dims[4], lin;

	tutor_pane_dims(t, p, dims);
	lin = t->cur[p][0] * dims[1] + t->cur[p][1] + delta;
	lin = clampl(lin, 0, dims[0] * dims[1] - 1);
	t->cur[p][0] = lin / dims[1];
	t->cur[p][1] = lin % dims[1];
}

/* ---- binding free variables to cursors ---- */

/* Pane and NCHW-order dimension for position pos of tensor name. */
static bool
tensor_pane(const char *name, int pos, tutor_binding_t *b)
{
	static const int nhwc[4] = { 0, 2, 3, 1 }, hwio[4] = { 2, 3, 1, 0 };

	if (name == NULL || pos < 0 || pos > 3)
		return false;
	if (strcmp(name, "input") == 0 || strcmp(name, "input_nhwc") == 0) {
		b->pane = PANE_INPUT;
		b->dim = name[5] == '\0' ? pos : nhwc[pos];
	} else if (strcmp(name, "weight") == 0) {
		b->pane = PANE_WEIGHT, b->dim = pos;
	} else if (strcmp(name, "filter_hwio") == 0) {
		b->pane = PANE_WEIGHT, b->dim = hwio[pos];
	} else if (strcmp(name, "bias") == 0 && pos == 0) {
		b->pane = PANE_BIAS, b->dim = 2;
	} else if (strcmp(name, "output") == 0 || strcmp(name, "df") == 0) {
		b->pane = PANE_OUTPUT, b->dim = pos;
	} else if (strcmp(name, "output_nhwc") == 0) {
		b->pane = PANE_OUTPUT, b->dim = nhwc[pos];
	} else
		return false;
	return true;
}

/* Is a let of this rank drawn as a pane (a matrix, or a stack of them)? */
static bool
let_pane_rank(int rank)
{
	return rank >= 2 && rank <= 4;
}

/* Does claim c define a let drawn as a pane? Then it is in PANE_LET0. */
static bool
defines_let_pane(const claim_t *c)
{
	return c != NULL && c->kind == CLAIM_LET && c->lhs != NULL &&
	    c->lhs->kind == EX_ACCESS && let_pane_rank(c->lhs->u.access.nargs);
}

/* A let's indices, in the order its left side lists them, to its pane's
 * cursor, right-aligned (cols[b, r, p]: b the slice, r the row, p the
 * column). */
static void
bind_let(const claim_t *c, tutor_binding_t *b)
{
	const expr_t *lhs = c->lhs;
	int nargs = lhs->u.access.nargs, k, i;

	for (k = 0; k < nargs; k++)
		for (i = 0; i < c->nfree; i++)
			if (c->free[i].slot == lhs->u.access.args[k]->u.name.slot) {
				b[i].pane = PANE_LET0;
				b[i].dim = 4 - nargs + k;
			}
}

tutor_binding_t *
tutor_bind(const claim_t *c)
{
	tutor_binding_t *b = xcalloc((size_t)c->nfree + 1, sizeof *b);
	int i, j;

	if (defines_let_pane(c)) {
		bind_let(c, b);
		return b;
	}

	for (i = 0; i < c->nfree; i++) {
		const expr_range_t *r = &c->free[i].range;

		b[i].pane = PANE_TEXT;
		if (r->lo != NULL || !tensor_pane(r->tensor, r->pos, &b[i]))
			continue;
		for (j = 0; j < i; j++) {   /* two variables, one cursor: no */
			if (b[j].pane == b[i].pane && b[j].dim == b[i].dim) {
				b[i].pane = PANE_TEXT;
				break;
			}
		}
	}
	return b;
}

void
tutor_claim_values(const tutor_t *t, const claim_t *c, long *vals)
{
	tutor_binding_t *b = tutor_bind(c);
	int i;

	for (i = 0; i < c->nfree; i++) {
		if (b[i].pane != PANE_TEXT)
			vals[i] = t->cur[b[i].pane][b[i].dim];
		else
			vals[i] = i < t->nextra ? t->extra[i] : 0;
	}
	free(b);
}

void
tutor_set_values(tutor_t *t, const claim_t *c, const long *vals)
{
	tutor_binding_t *b = tutor_bind(c);
	int i;

	for (i = 0; i < c->nfree; i++) {
		if (b[i].pane != PANE_TEXT)
			t->cur[b[i].pane][b[i].dim] = vals[i];
		else if (i < t->nextra)
			t->extra[i] = vals[i];
	}
	free(b);
	tutor_clamp(t);
}

/* Unbound free variables start at the low end of their range. */
static void
reset_extras(tutor_t *t)
{
	claim_t *c = tutor_cur_claim(t);
	int i;

	free(t->extra);
	t->extra = NULL;
	t->nextra = 0;
	if (c == NULL || c->nfree == 0)
		return;
	t->nextra = c->nfree;
	t->extra = xcalloc((size_t)c->nfree, sizeof *t->extra);
	if (t->vc == NULL)
		return;
	for (i = 0; i < c->nfree; i++) {
		long *slots = xcalloc((size_t)c->nslots + 1, sizeof *slots);
		long lo = 0, hi = 0;
		char *err = NULL;

		if (expr_range_eval(&c->free[i].range, verify_ctx_env(t->vc),
		    slots, &lo, &hi, &err) == 0)
			t->extra[i] = lo;
		free(err);
		free(slots);
	}
}

int
tutor_extras(const tutor_t *t, int *idx)
{
	claim_t *c = tutor_cur_claim(t);
	tutor_binding_t *b;
	int i, n = 0;

	if (c == NULL || c->kind == CLAIM_KERNEL)
		return 0;
	b = tutor_bind(c);
	for (i = 0; i < c->nfree; i++)
		if (b[i].pane == PANE_TEXT) {
			if (idx != NULL)
				idx[n] = i;
			n++;
		}
	free(b);
	return n;
}

/* Change the chosen unbound variable by delta, within its range at the
 * other variables' current values. */
static void
extra_change(tutor_t *t, long delta)
{
	claim_t *c = tutor_cur_claim(t);
	int *idx, n, i;
	long *slots, lo = 0, hi = 0;
	char *err = NULL;

	if (c == NULL || t->vc == NULL || t->nextra < c->nfree)
		return;
	idx = xcalloc((size_t)c->nfree + 1, sizeof *idx);
	n = tutor_extras(t, idx);
	if (n == 0) {
		free(idx);
		return;
	}
	i = idx[t->var_sel < n ? t->var_sel : n - 1];
	slots = xcalloc((size_t)c->nslots + 1, sizeof *slots);
	tutor_claim_values(t, c, slots);
	if (expr_range_eval(&c->free[i].range, verify_ctx_env(t->vc), slots,
	    &lo, &hi, &err) == 0 && lo <= hi)
		t->extra[i] = clampl(t->extra[i] + delta, lo, hi);
	else
		tutor_message(t, "%s: %s", c->free[i].name,
		    err != NULL ? err : "empty range");
	free(err);
	free(slots);
	free(idx);
}

/* Tab: text, input, weight, output, (bias, where it shows), (the let
 * panes, where they show), (unbound variables), text. */
static void
next_pane(tutor_t *t, int delta)
{
	bool vars = tutor_extras(t, NULL) > 0;
	tutor_pane_t last = PANE_COUNT - 1;

	while (!tutor_pane_exists(t, last))     /* the last pane drawn */
		last--;

	if (t->var_focus) {
		t->var_focus = false;
		t->focus = delta > 0 ? PANE_TEXT : last;
		return;
	}
	if (vars && ((delta > 0 && t->focus == last) ||
	    (delta < 0 && t->focus == PANE_TEXT))) {
		t->var_focus = true;
		return;
	}
	do
		t->focus = (tutor_pane_t)((t->focus + PANE_COUNT + delta) %
		    PANE_COUNT);
	while (!tutor_pane_exists(t, t->focus));
}

/* ---- what the panes highlight ---- */

static const char *
deriv_wrt(const claim_t *c)
{
	const expr_t *den;

	if (c->lhs == NULL || c->lhs->kind != EX_DERIV)
		return NULL;
	den = c->lhs->u.deriv.den;
	if (den == NULL)
		return NULL;
	if (den->kind == EX_ACCESS)
		return den->u.access.tensor;
	if (den->kind == EX_NAME)
		return den->u.name.name;
	return NULL;
}

tutor_view_t
tutor_claim_view(const claim_t *c)
{
	const char *wrt;
	bool chain;

	if (c == NULL)
		return VIEW_NONE;
	if (c->kind == CLAIM_IDENTITY) {
		if (c->lhs != NULL && c->lhs->kind == EX_ACCESS &&
		    strncmp(c->lhs->u.access.tensor, "output", 6) == 0)
			return VIEW_WINDOW;
		return VIEW_NONE;
	}
	if (c->kind == CLAIM_LET || (wrt = deriv_wrt(c)) == NULL)
		return VIEW_NONE;
	chain = c->kind != CLAIM_PARTIAL;
	if (strcmp(wrt, "input") == 0)
		return chain ? VIEW_FEEDS : VIEW_WINDOW;
	if (strcmp(wrt, "weight") == 0)
		return VIEW_TAP;
	if (strcmp(wrt, "bias") == 0)
		return VIEW_BIAS;
	return VIEW_NONE;
}

bool
tutor_shows_bias(const tutor_t *t)
{
	return tutor_pane_used(t, PANE_BIAS);
}

bool
tutor_shows_df(const tutor_t *t)
{
	claim_t *c = tutor_cur_claim(t);

	return c != NULL && (c->kind == CLAIM_CHAIN || c->kind == CLAIM_KERNEL);
}

/* Is input pixel in (NCHW cursor) in the window of output out? The taps
 * to *di, *dj. Rows and columns only (conv-shape.c's geometry). */
static bool
in_window(const conv_shape_t *s, const long *out, const long *in, long *di,
    long *dj)
{
	return conv_in_window(s, out[2], out[3], in[2], in[3], di, dj);
}

/* The weight tap pairing the input cursor with the output cursor: the
 * output's channel, the input channel's index within its group (groups:
 * conv-shape.h), the tap of the window. */
static bool
is_partner_tap(const tutor_t *t, const conv_shape_t *s, const long *idx)
{
	const long *in = t->cur[PANE_INPUT], *out = t->cur[PANE_OUTPUT];
	long di, dj, ci;

	return in[0] == out[0] && idx[0] == out[1] &&
	    conv_channel_reads(s, out[1], in[1], &ci) && idx[1] == ci &&
	    in_window(s, out, in, &di, &dj) && idx[2] == di && idx[3] == dj;
}

static unsigned
mark_view(const tutor_t *t, const conv_shape_t *s, tutor_view_t v,
    tutor_pane_t p, const long *idx)
{
	const long *in = t->cur[PANE_INPUT], *w = t->cur[PANE_WEIGHT];
	const long *out = t->cur[PANE_OUTPUT];

	switch (v) {
	case VIEW_WINDOW:
		if (p == PANE_INPUT && idx[0] == out[0] &&
		    conv_channel_reads(s, out[1], idx[1], NULL) &&
		    in_window(s, out, idx, NULL, NULL))
			return MARK_SET;
		if (p == PANE_WEIGHT && is_partner_tap(t, s, idx))
			return MARK_PARTNER;
		break;
	case VIEW_FEEDS:
		if (p == PANE_OUTPUT && idx[0] == in[0] &&
		    conv_channel_reads(s, idx[1], in[1], NULL) &&
		    in_window(s, idx, in, NULL, NULL))
			return MARK_SET;
		if (p == PANE_WEIGHT && is_partner_tap(t, s, idx))
			return MARK_PARTNER;
		break;
	case VIEW_TAP:
		if (p == PANE_INPUT &&
		    idx[1] == conv_group_input_channel(s, w[0], w[1]) &&
		    conv_axis_tapped(idx[2], w[2], s->strh, s->dil_h, s->pad_h,
		    s->H_out) &&
		    conv_axis_tapped(idx[3], w[3], s->strw, s->dil_w, s->pad_w,
		    s->W_out))
			return idx[0] == out[0] &&
			    idx[2] == s->strh * out[2] + s->dil_h * w[2] - s->pad_h &&
			    idx[3] == s->strw * out[3] + s->dil_w * w[3] - s->pad_w ?
			    MARK_SET | MARK_PARTNER : MARK_SET;
		if (p == PANE_OUTPUT && idx[1] == w[0])
			return MARK_SET;
		break;
	case VIEW_BIAS:         /* the outputs bias[c_out] adds to */
		if (p == PANE_OUTPUT && idx[1] == t->cur[PANE_BIAS][2])
			return MARK_SET;
		break;
	default:
		break;
	}
	return 0;
}

/* The marks of what the im2col pane's cursor reads: in the input, the
 * pixel { } inside the window ‹ › of output position p (column p of cols
 * is that window); in the cols pane, column p. */
static unsigned
col_read_mark(const tutor_t *t, const conv_shape_t *s, tutor_pane_t p,
    const long *idx)
{
	const tutor_col_read_t *rd = &t->lets.read;

	if (!rd->valid)
		return 0;
	if (p == rd->pane)      /* cursor (0, b, r, p) */
		return idx[1] == rd->b && idx[3] == rd->p ? MARK_SET : 0;
	if (p != PANE_INPUT || idx[0] != rd->b || idx[1] != rd->px.c_in)
		return 0;
	if (idx[2] == rd->px.h_in && idx[3] == rd->px.w_in)
		return MARK_SET | MARK_PARTNER;
	return conv_in_window(s, rd->px.h_out, rd->px.w_out, idx[2], idx[3],
	    NULL, NULL) ? MARK_SET : 0;
}

unsigned
tutor_mark(const tutor_t *t, tutor_pane_t p, const long idx[4])
{
	const conv_shape_t *s = tutor_shape(t);
	unsigned m = 0;

	tutor_view_t v = tutor_claim_view(tutor_cur_claim(t));

	if (s == NULL || p == PANE_TEXT || !tutor_pane_used(t, p))
		return 0;       /* a pane the claim does not read: no marks */
	if (memcmp(idx, t->cur[p], sizeof t->cur[p]) == 0)
		m |= MARK_CURSOR;
	/* A case drawn from a pane the claim does not read is no case. */
	if ((v == VIEW_WINDOW && !tutor_pane_used(t, PANE_OUTPUT)) ||
	    (v == VIEW_FEEDS && !tutor_pane_used(t, PANE_INPUT)))
		v = VIEW_NONE;
	m |= mark_view(t, s, v, p, idx);
	m |= col_read_mark(t, s, p, idx);
	if (p == PANE_INPUT && t->srcset.valid && !(m & MARK_SET) &&
	    idx[0] == t->cur[PANE_OUTPUT][0] && idx[2] >= 0 &&
	    idx[2] < t->srcset.rows && idx[3] >= 0 && idx[3] < t->srcset.cols &&
	    t->srcset.in[idx[2] * t->srcset.cols + idx[3]])
		m |= MARK_SOURCE;
	return m;
}

/* ---- the box of a pane's marks, without visiting its cells ---- */

static void span_add(long span[2], long v);

/* Grow box by the first and the last x in [a, b] that pred holds for. */
typedef bool (*axis_pred_t)(const void *ud, long x);

static void
axis_add(long box[2], long a, long b, axis_pred_t pred, const void *ud)
{
	long x;

	for (x = a; x <= b; x++)
		if (pred(ud, x)) {
			span_add(box, x);
			break;
		}
	for (x = b; x >= a; x--)
		if (pred(ud, x)) {
			span_add(box, x);
			break;
		}
}

/* One axis of the window: output row `fixed` reads row x (window), or
 * input row `fixed` is read by output row x (feeds), or tap `fixed` reads
 * row x for some output row (tapped). */
typedef struct axis_q {
	long str, dil, pad, k, n_out;   /* k: taps along the axis */
	long fixed;
} axis_q_t;

static bool
q_window(const void *ud, long x)
{
	const axis_q_t *q = ud;

	return conv_axis_tap(x, q->fixed, q->str, q->dil, q->pad, q->k, NULL);
}

static bool
q_feeds(const void *ud, long x)
{
	const axis_q_t *q = ud;

	return x >= 0 && x < q->n_out &&
	    conv_axis_tap(q->fixed, x, q->str, q->dil, q->pad, q->k, NULL);
}

static bool
q_tapped(const void *ud, long x)
{
	const axis_q_t *q = ud;

	return conv_axis_tapped(x, q->fixed, q->str, q->dil, q->pad, q->n_out);
}

/* Add to rows/cols the box of the cells of rows ext[0..1], columns
 * ext[2..3] that pred holds for along each axis (a product set). */
static void
box_add(long rows[2], long cols[2], const long ext[4], axis_pred_t pred,
    const axis_q_t *qr, const axis_q_t *qc)
{
	long r[2] = { LONG_MAX, LONG_MIN }, c[2] = { LONG_MAX, LONG_MIN };

	axis_add(r, ext[0], ext[1], pred, qr);
	axis_add(c, ext[2], ext[3], pred, qc);
	if (r[0] > r[1] || c[0] > c[1])
		return;         /* empty along an axis: no cell */
	span_add(rows, r[0]), span_add(rows, r[1]);
	span_add(cols, c[0]), span_add(cols, c[1]);
}

static void
axis_qs(const conv_shape_t *s, long fr, long fc, axis_q_t *qr, axis_q_t *qc)
{
	*qr = (axis_q_t){ s->strh, s->dil_h, s->pad_h, s->R, s->H_out, fr };
	*qc = (axis_q_t){ s->strw, s->dil_w, s->pad_w, s->S, s->W_out, fc };
}

static void
box_all(long rows[2], long cols[2], const long ext[4])
{
	span_add(rows, ext[0]), span_add(rows, ext[1]);
	span_add(cols, ext[2]), span_add(cols, ext[3]);
}

void
tutor_mark_box(const tutor_t *t, tutor_pane_t p, const long ext[4],
    long rows[2], long cols[2])
{
	const conv_shape_t *s = tutor_shape(t);
	const long *cur = t->cur[p], *in = t->cur[PANE_INPUT];
	const long *w = t->cur[PANE_WEIGHT], *out = t->cur[PANE_OUTPUT];
	const tutor_col_read_t *rd = &t->lets.read;
	tutor_view_t v = tutor_claim_view(tutor_cur_claim(t));
	axis_q_t qr, qc;

	rows[0] = cols[0] = LONG_MAX;
	rows[1] = cols[1] = LONG_MIN;
	if (s == NULL || p == PANE_TEXT || p == PANE_WEIGHT ||
	    !tutor_pane_used(t, p))
		return;
	if ((v == VIEW_WINDOW && !tutor_pane_used(t, PANE_OUTPUT)) ||
	    (v == VIEW_FEEDS && !tutor_pane_used(t, PANE_INPUT)))
		v = VIEW_NONE;
	/* mark_view's, case by case */
	if (v == VIEW_WINDOW && p == PANE_INPUT && cur[0] == out[0] &&
	    conv_channel_reads(s, out[1], cur[1], NULL)) {
		axis_qs(s, out[2], out[3], &qr, &qc);
		box_add(rows, cols, ext, q_window, &qr, &qc);
	}
	if (v == VIEW_FEEDS && p == PANE_OUTPUT && cur[0] == in[0] &&
	    conv_channel_reads(s, cur[1], in[1], NULL)) {
		axis_qs(s, in[2], in[3], &qr, &qc);
		box_add(rows, cols, ext, q_feeds, &qr, &qc);
	}
	if (v == VIEW_TAP && p == PANE_INPUT &&
	    cur[1] == conv_group_input_channel(s, w[0], w[1])) {
		axis_qs(s, w[2], w[3], &qr, &qc);
		box_add(rows, cols, ext, q_tapped, &qr, &qc);
	}
	if ((v == VIEW_TAP && p == PANE_OUTPUT && cur[1] == w[0]) ||
	    (v == VIEW_BIAS && p == PANE_OUTPUT &&
	    cur[1] == t->cur[PANE_BIAS][2]))
		box_all(rows, cols, ext);
	/* col_read_mark's */
	if (rd->valid && p == rd->pane && cur[1] == rd->b &&
	    rd->p >= ext[2] && rd->p <= ext[3]) {
		span_add(rows, ext[0]), span_add(rows, ext[1]);
		span_add(cols, rd->p);
	}
	if (rd->valid && p == PANE_INPUT && cur[0] == rd->b &&
	    cur[1] == rd->px.c_in) {
		axis_qs(s, rd->px.h_out, rd->px.w_out, &qr, &qc);
		box_add(rows, cols, ext, q_window, &qr, &qc);
		if (rd->px.h_in >= ext[0] && rd->px.h_in <= ext[1] &&
		    rd->px.w_in >= ext[2] && rd->px.w_in <= ext[3]) {
			span_add(rows, rd->px.h_in);
			span_add(cols, rd->px.w_in);
		}
	}
	/* the erratum's interval */
	if (p == PANE_INPUT && t->srcset.valid && cur[0] == out[0] &&
	    t->srcset.src_r[0] <= t->srcset.src_r[1]) {
		span_add(rows, t->srcset.src_r[0]), span_add(rows, t->srcset.src_r[1]);
		span_add(cols, t->srcset.src_c[0]), span_add(cols, t->srcset.src_c[1]);
	}
}

/* ---- which panes a claim uses, and the slices they show ---- */

/* The pane that shows tensor name. */
static tutor_pane_t
tensor_name_pane(const char *name)
{
	static const struct { const char *name; tutor_pane_t p; } map[] = {
		{ "input", PANE_INPUT }, { "input_nhwc", PANE_INPUT },
		{ "weight", PANE_WEIGHT }, { "filter_hwio", PANE_WEIGHT },
		{ "bias", PANE_BIAS },
		{ "output", PANE_OUTPUT }, { "output_nhwc", PANE_OUTPUT },
		{ "df", PANE_OUTPUT },
	};
	size_t i;

	for (i = 0; name != NULL && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(name, map[i].name) == 0)
			return map[i].p;
	return PANE_TEXT;
}

/* Call visit on every node of e (a claim can be a very long chain: a walk
 * with a stack of its own, not recursion). */
static void
expr_walk(const expr_t *e, void (*visit)(const expr_t *x, void *ud), void *ud)
{
	const expr_t **stack;
	size_t n = 0, cap = 64;
	int i;

	if (e == NULL)
		return;
	stack = xcalloc(cap, sizeof *stack);
	stack[n++] = e;
	while (n > 0) {
		const expr_t *x = stack[--n];
		const expr_t *kids[4] = { NULL, NULL, NULL, NULL };
		expr_t *const *args = NULL;
		int nargs = 0;

		visit(x, ud);
		switch (x->kind) {
		case EX_ACCESS:
			args = x->u.access.args, nargs = x->u.access.nargs;
			break;
		case EX_NEG: case EX_NOT: case EX_ADD: case EX_SUB: case EX_MUL:
		case EX_DIV: case EX_IDIV: case EX_MOD: case EX_AND: case EX_OR:
		case EX_IN: case EX_IF:
			kids[0] = x->u.op.a, kids[1] = x->u.op.b, kids[2] = x->u.op.c;
			break;
		case EX_CMP: args = x->u.cmp.args, nargs = x->u.cmp.n; break;
		case EX_CALL: args = x->u.call.args, nargs = x->u.call.nargs; break;
		case EX_SUM:
			kids[0] = x->u.sum.where, kids[1] = x->u.sum.body;
			break;
		case EX_DERIV:
			kids[0] = x->u.deriv.num, kids[1] = x->u.deriv.den;
			break;
		default:
			break;
		}
		if (n + 4 + (size_t)nargs > cap) {
			cap = 2 * (n + 4 + (size_t)nargs);
			stack = xrealloc(stack, cap * sizeof *stack);
		}
		/* Pushed last to first, so that they are visited in the order
		 * written (the let panes come in the order a claim reads them). */
		for (i = 3; i >= 0; i--)
			if (kids[i] != NULL)
				stack[n++] = kids[i];
		for (i = nargs - 1; i >= 0; i--)
			stack[n++] = args[i];
	}
	free(stack);
}

/* expr_walk's visit for expr_panes: the pane of a tensor read. */
static void
pane_visit(const expr_t *x, void *ud)
{
	unsigned *used = ud;

	if (x->kind == EX_ACCESS)
		*used |= 1u << tensor_name_pane(x->u.access.tensor);
	else if (x->kind == EX_NAME)
		*used |= 1u << tensor_name_pane(x->u.name.name);
	else if (x->kind == EX_DERIV && x->u.deriv.num == NULL)
		*used |= 1u << PANE_OUTPUT;     /* f: its gradient is df */
}

/* Mark in *used the panes whose tensors e reads. */
static void
expr_panes(const expr_t *e, unsigned *used)
{
	expr_walk(e, pane_visit, used);
}

/* The panes claim c reads, as bits (1 << pane). */
static unsigned
claim_panes(const claim_t *c)
{
	unsigned used = 1u << PANE_TEXT;

	if (c == NULL)
		return used;
	expr_panes(c->lhs, &used);
	expr_panes(c->rhs, &used);
	expr_panes(c->where, &used);
	if (c->kind == CLAIM_KERNEL)
		used |= 1u << PANE_OUTPUT;      /* the df it is driven by */
	return used;
}

bool
tutor_pane_used(const tutor_t *t, tutor_pane_t p)
{
	return (t->panes_used >> p) & 1u;
}

/* The indices two panes share: b (input, output), c_in (input, weight:
 * under groups the weight's channel within its group, sync_channel), c_out
 * (weight, output). */
static const struct shared_index {
	tutor_pane_t a;
	int da;
	tutor_pane_t b;
	int db;
} shared_indices[] = {
	{ PANE_INPUT, 0, PANE_OUTPUT, 0 },
	{ PANE_INPUT, 1, PANE_WEIGHT, 1 },
	{ PANE_WEIGHT, 0, PANE_OUTPUT, 1 },
};

/* Which of the pair x leads: +1 a (its value goes to b), -1 b, 0 neither
 * (the focused pane leads, its [ ] moved it; then the one the claim binds). */
static int
lead_of(const tutor_t *t, bool bound[PANE_COUNT][4],
    const struct shared_index *x)
{
	if (t->focus == x->a ||
	    (t->focus != x->b && bound[x->a][x->da] && !bound[x->b][x->db]))
		return 1;
	if (t->focus == x->b || (bound[x->b][x->db] && !bound[x->a][x->da]))
		return -1;
	return 0;
}

/* The input's channel and the weight's (lead: lead_of's). Under groups the
 * weight's second index is the channel within the group of its c_out
 * (conv-shape.h): when the input leads into another group, c_out (weight
 * and output) moves to the same place within that group. When neither
 * leads, the input's channel is made one that c_out reads, if it is not. */
static void
sync_channel(tutor_t *t, const conv_shape_t *s, int lead)
{
	long *in = t->cur[PANE_INPUT], *w = t->cur[PANE_WEIGHT];
	long cog = conv_group_cout(s), ci;

	if (lead > 0) {
		if (!conv_channel_reads(s, w[0], in[1], &ci)) {
			w[0] = in[1] / conv_group_cin(s) * cog + w[0] % cog;
			t->cur[PANE_OUTPUT][1] = w[0];
			ci = in[1] % conv_group_cin(s);
		}
		w[1] = ci;
	} else if (lead < 0 || !conv_channel_reads(s, w[0], in[1], NULL))
		in[1] = conv_group_input_channel(s, w[0], w[1]);
}

/*
 * Every pane shows the slice the claim's indices select. Two panes that
 * share an index (b, c_in, c_out) show the same value of it: the focused
 * pane's (its [ ] moved it), else the one the claim binds (the weight's
 * c_out follows the output's when the claim is about input); the
 * weight's tap, when the claim leaves it free and pairs an input with an
 * output (a window), is the tap that pairs the two cursors. Run after
 * every action, so the screen only draws.
 */
static void
sync_slices(tutor_t *t)
{
	const claim_t *c = tutor_cur_claim(t);
	const conv_shape_t *s = tutor_shape(t);
	bool bound[PANE_COUNT][4];
	tutor_binding_t *b;
	tutor_view_t v;
	long di, dj, ci, *in = t->cur[PANE_INPUT], *w = t->cur[PANE_WEIGHT];
	size_t k;
	int i, lead;

	if (c == NULL || s == NULL)
		return;
	memset(bound, 0, sizeof bound);
	b = tutor_bind(c);
	for (i = 0; i < c->nfree; i++)
		if (b[i].pane != PANE_TEXT)
			bound[b[i].pane][b[i].dim] = true;
	free(b);
	/* bias[c_out] of a claim that does not bind it (the forward's) is the
	 * output's c_out: moved in the bias pane, the output follows. */
	if (t->focus == PANE_BIAS && !bound[PANE_BIAS][2])
		t->cur[PANE_OUTPUT][1] = t->cur[PANE_BIAS][2];
	for (k = 0; k < sizeof shared_indices / sizeof shared_indices[0]; k++) {
		const struct shared_index *x = &shared_indices[k];

		if (x->a == PANE_INPUT && x->b == PANE_WEIGHT) {
			sync_channel(t, s, lead_of(t, bound, x));
			continue;
		}
		lead = lead_of(t, bound, x);
		if (lead > 0)
			t->cur[x->b][x->db] = t->cur[x->a][x->da];
		else if (lead < 0)
			t->cur[x->a][x->da] = t->cur[x->b][x->db];
	}
	if (!bound[PANE_BIAS][2])
		t->cur[PANE_BIAS][2] = t->cur[PANE_OUTPUT][1];
	v = tutor_claim_view(c);
	if ((v == VIEW_WINDOW || v == VIEW_FEEDS) && !bound[PANE_WEIGHT][2] &&
	    !bound[PANE_WEIGHT][3] && t->focus != PANE_WEIGHT &&
	    in[0] == t->cur[PANE_OUTPUT][0] &&
	    conv_channel_reads(s, t->cur[PANE_OUTPUT][1], in[1], &ci) &&
	    in_window(s, t->cur[PANE_OUTPUT], in, &di, &dj)) {
		w[0] = t->cur[PANE_OUTPUT][1];
		w[1] = ci;
		w[2] = di, w[3] = dj;
	}
	tutor_clamp(t);
}

/* ---- the verify context and the cache ---- */

/* Is t->lets_wait about the current lesson at its shape? */
static bool
lets_wait_current(const tutor_t *t, const tutor_lesson_t *tl)
{
	const struct tutor_lets_wait *lw = &t->lets_wait;

	return lw->lesson == t->lesson && conv_shape_equal(&lw->shape, &tl->shape);
}

/* Forget a wait (and cancel its evaluation) that is about another lesson
 * or shape than the current ones: its world would not be taken. */
static void
lets_wait_check(tutor_t *t, const tutor_lesson_t *tl)
{
	struct tutor_lets_wait *lw = &t->lets_wait;

	if ((!lw->pending && lw->error == NULL) || lets_wait_current(t, tl))
		return;
	if (lw->pending)
		tutor_ed_lets_cancel(t);
	lw->pending = false;
	free(lw->error);
	lw->error = NULL;
}

/* Make t->vc the world of the current lesson at its shape. 0, or -1 with
 * *err. */
static int
ensure_ctx(tutor_t *t, char **err)
{
	tutor_lesson_t *tl = tutor_cur_lesson(t);

	assert(tl != NULL);
	if (t->vc != NULL && !conv_shape_equal(verify_ctx_shape(t->vc), &tl->shape)) {
		verify_ctx_free(t->vc);
		t->vc = NULL;
	}
	if (t->vc == NULL) {
		t->vc = verify_ctx_create(&tl->shape, &t->opts, err);
		if (t->vc == NULL)
			return -1;
		t->vc_lesson = -1;
	}
	if (t->vc_lesson != t->lesson) {
		verify_ctx_clear_lets(t->vc);
		free(t->let_ready);
		t->let_ready = xcalloc((size_t)tl->nclaims + 1, sizeof *t->let_ready);
		t->vc_lesson = t->lesson;
	}
	lets_wait_check(t, tl);
	return 0;
}

/* Run claim k of the current lesson into its cache slot. */
static void
run_check(tutor_t *t, tutor_lesson_t *tl, int k)
{
	tutor_check_t *ck = &tl->checks[k];
	claim_t *c = lesson_claim(tl, k);
	char *err = NULL;

	check_clear(ck);
	if (verify_claim(t->vc, c, &ck->result, &err) != 0) {
		verify_result_clear(&ck->result);
		memset(&ck->result, 0, sizeof ck->result);
		ck->error = err != NULL ? err : xstrdup("cannot be checked");
	}
	ck->valid = true;
	ck->shape = tl->shape;
	if (c->kind == CLAIM_LET && ck->error == NULL &&
	    ck->result.verdict != VERDICT_CANCELLED)
		t->let_ready[k] = true;
}

/* Does vc hold every let before claim k? */
static bool
lets_ready(const tutor_t *t, const tutor_lesson_t *tl, int k)
{
	int j;

	for (j = 0; j < k; j++)
		if (!t->let_ready[j] && lesson_claim(tl, j)->kind == CLAIM_LET)
			return false;
	return true;
}

static bool
past_deadline(void *ud)
{
	return util_now() >= *(const double *)ud;
}

/* Evaluate the lets before claim k that vc does not hold yet, here, until
 * a let fails or the deadline (util_now()'s seconds; 0: none) passes. */
static void
lets_here(tutor_t *t, tutor_lesson_t *tl, int k, double deadline)
{
	verify_opts_t o = t->opts;
	int j;

	if (deadline > 0) {
		o.cancelled = past_deadline;
		o.ud = &deadline;
		verify_ctx_set_hooks(t->vc, &o);
	}
	for (j = 0; j < k; j++)
		if (!t->let_ready[j] && lesson_claim(tl, j)->kind == CLAIM_LET) {
			run_check(t, tl, j);
			if (t->let_ready[j])
				continue;
			if (tl->checks[j].error == NULL)    /* the clock's: no */
				check_clear(&tl->checks[j]);  /* result to show */
			break;
		}
	if (deadline > 0)
		verify_ctx_set_hooks(t->vc, &t->opts);
}

/* Make vc hold the lets before claim k (vc is the current lesson's).
 * true when it does. With a background (t->bg), lets that take longer
 * than TUTOR_LETS_SYNC_MS here are evaluated by the editor's worker
 * instead, all the lesson's at once (the world it makes has none), and
 * this is false until tutor_lets_take has them; false too when a let
 * cannot be evaluated (its check says why). */
static bool
ensure_lets(tutor_t *t, tutor_lesson_t *tl, int k)
{
	struct tutor_lets_wait *lw = &t->lets_wait;
	int j;

	if (lets_ready(t, tl, k))
		return true;
	if (lets_wait_current(t, tl) && (lw->error != NULL || lw->pending))
		return false;           /* the request holds all the lesson's */
	if (t->bg == NULL) {            /* no background: here, whole */
		lets_here(t, tl, k, 0);
		return lets_ready(t, tl, k);
	}
	lets_here(t, tl, k, util_now() + 1e-3 * (double)lw->sync_ms);
	if (lets_ready(t, tl, k))
		return true;
	for (j = 0; j < k; j++)         /* a let in error: not the clock's */
		if (!t->let_ready[j] && tl->checks[j].valid &&
		    tl->checks[j].error != NULL)
			return false;
	lw->lesson = t->lesson;
	lw->shape = tl->shape;
	lw->pending = tutor_ed_lets_submit(t, tl->nclaims);
	return false;
}

/* Why the lets a step reads are not there yet (for its live line). */
static const char *
lets_wait_why(const tutor_t *t)
{
	const struct tutor_lets_wait *lw = &t->lets_wait;

	if (lw->error != NULL)
		return lw->error;
	if (lw->pending)
		return "evaluating the lesson's lets at this shape...";
	return "a let it reads cannot be evaluated";
}

void
tutor_lets_done_clear(tutor_lets_done_t *d)
{
	int k;

	verify_ctx_free(d->vc);
	for (k = 0; d->r != NULL && k < d->upto; k++) {
		if (d->have[k])
			verify_result_clear(&d->r[k]);
		free(d->err[k]);
	}
	free(d->r);
	free(d->err);
	free(d->have);
	free(d->error);
	memset(d, 0, sizeof *d);
}

/* Take the let results of d into the lesson's checks and let_ready (vc is
 * d's world already). The first let in error, if any, becomes the wait's
 * error. */
static void
lets_take_results(tutor_t *t, tutor_lesson_t *tl, tutor_lets_done_t *d)
{
	int k;

	memset(t->let_ready, 0, ((size_t)tl->nclaims + 1) * sizeof *t->let_ready);
	for (k = 0; k < d->upto; k++) {
		tutor_check_t *ck = &tl->checks[k];
		claim_t *c = lesson_claim(tl, k);

		if (c->kind != CLAIM_LET || (!d->have[k] && d->err[k] == NULL))
			continue;
		check_clear(ck);
		if (d->have[k]) {
			ck->result = d->r[k];
			d->have[k] = false;
			t->let_ready[k] = ck->result.verdict != VERDICT_CANCELLED;
		} else {
			ck->error = d->err[k];
			d->err[k] = NULL;
			if (t->lets_wait.error == NULL)
				t->lets_wait.error = xasprintf("the let %s cannot be "
				    "evaluated: %s", c->lhs->u.access.tensor,
				    ck->error);
		}
		ck->valid = true;
		ck->shape = tl->shape;
	}
}

void
tutor_lets_take(tutor_t *t, tutor_lets_done_t *d)
{
	struct tutor_lets_wait *lw = &t->lets_wait;
	tutor_lesson_t *tl = tutor_cur_lesson(t);

	if (!lw->pending || tl == NULL || d->lesson != t->lesson ||
	    !conv_shape_equal(&d->shape, &tl->shape) || !lets_wait_current(t, tl) ||
	    t->vc_lesson != t->lesson)
		return;                 /* stale: freed with the job */
	lw->pending = false;
	if (d->cancelled)               /* asked again when wanted */
		return;
	if (d->vc == NULL) {
		lw->error = d->error != NULL ? d->error :
		    xstrdup("the lets' world cannot be made");
		d->error = NULL;
		return;
	}
	verify_ctx_free(t->vc);
	t->vc = d->vc;
	d->vc = NULL;
	verify_ctx_set_hooks(t->vc, &t->opts);
	lets_take_results(t, tl, d);
	tutor_lets_update(t);
	tutor_live_update(t);
	tutor_ed_update(t);
}

bool
tutor_lets_waiting(const tutor_t *t)
{
	return t->lets_wait.pending;
}

tutor_check_t *
tutor_verify(tutor_t *t, int lesson, int k, bool force)
{
	tutor_lesson_t *tl;
	tutor_check_t *ck;
	char *err = NULL;

	assert(lesson == t->lesson);
	tl = tutor_cur_lesson(t);
	assert(tl != NULL && k >= 0 && k < tl->nclaims);
	ck = &tl->checks[k];
	if (!force && ck->valid && conv_shape_equal(&ck->shape, &tl->shape) &&
	    ck->result.verdict != VERDICT_CANCELLED &&
	    (lesson_claim(tl, k)->kind != CLAIM_LET || t->let_ready[k]))
		return ck;
	if (ensure_ctx(t, &err) != 0) {
		tutor_message(t, "%s", err);
		free(err);
		return ck;
	}
	(void)ensure_lets(t, tl, k);    /* a let in error: k says so too */
	run_check(t, tl, k);
	return ck;
}

/* ---- lets as panes (lesson 7's cols, Wm, dY, dcols) ---- */

bool
tutor_pane_exists(const tutor_t *t, tutor_pane_t p)
{
	if (p == PANE_BIAS)
		return tutor_shows_bias(t);
	if (p >= PANE_LET0 && p < PANE_COUNT)
		return tutor_let_pane(t, p) != NULL;
	return true;
}

const tutor_let_pane_t *
tutor_let_pane(const tutor_t *t, tutor_pane_t p)
{
	const tutor_let_pane_t *lp;

	if (p < PANE_LET0 || p >= PANE_COUNT)
		return NULL;
	lp = &t->lets.pane[p - PANE_LET0];
	/* Hidden with the step's claims until its exercise is answered: the
	 * lets a claim uses say much of how it is written. */
	if (lp->name == NULL || !lp->ready || tutor_ed_hidden(t))
		return NULL;
	return lp;
}

/* The lesson's let claim before flat index upto that defines name, or
 * -1 (a name that is no let: a tensor of the world). */
static int
let_def(const tutor_lesson_t *tl, const char *name, int upto)
{
	int k;

	for (k = upto - 1; k >= 0; k--) {
		const claim_t *c = tl->claims[k];

		if (c->kind == CLAIM_LET && strcmp(c->lhs->u.access.tensor,
		    name) == 0)
			return k;
	}
	return -1;
}

/* The lets a claim uses, as they come: the one it defines, then those it
 * reads (expr_walk visits them in the order written). */
typedef struct let_names {
	const tutor_lesson_t *tl;
	int upto;
	const char *name[TUTOR_LET_PANES];
	int def[TUTOR_LET_PANES], n;
} let_names_t;

static void
let_name_add(let_names_t *ln, const char *name, int rank)
{
	int i, k;

	if (ln->n == TUTOR_LET_PANES || !let_pane_rank(rank))
		return;
	for (i = 0; i < ln->n; i++)
		if (strcmp(ln->name[i], name) == 0)
			return;
	k = let_def(ln->tl, name, ln->upto);
	if (k < 0 || ln->tl->claims[k]->lhs->u.access.nargs != rank)
		return;
	ln->name[ln->n] = name;
	ln->def[ln->n++] = k;
}

static void
let_visit(const expr_t *x, void *ud)
{
	if (x->kind == EX_ACCESS)
		let_name_add(ud, x->u.access.tensor, x->u.access.nargs);
}

/* Which lets the current claim's panes show (with the claim): a slot
 * that keeps its let keeps its cursor, one that changes starts at 0. */
static void
lets_set(tutor_t *t)
{
	tutor_lesson_t *tl = tutor_cur_lesson(t);
	const claim_t *c = tutor_cur_claim(t);
	tutor_let_pane_t old[TUTOR_LET_PANES];
	let_names_t ln;
	int i;

	memcpy(old, t->lets.pane, sizeof old);
	memset(&t->lets, 0, sizeof t->lets);
	memset(&ln, 0, sizeof ln);
	if (tl == NULL || c == NULL)
		return;
	ln.tl = tl;
	ln.upto = cur_flat(t) + 1;
	expr_walk(c->lhs, let_visit, &ln);
	expr_walk(c->rhs, let_visit, &ln);
	expr_walk(c->where, let_visit, &ln);
	for (i = 0; i < ln.n; i++) {
		tutor_let_pane_t *lp = &t->lets.pane[i];

		lp->name = ln.name[i];
		lp->def_flat = ln.def[i];
		lp->def = tl->claims[ln.def[i]];
		lp->rank = lp->def->lhs->u.access.nargs;
		if (old[i].name == NULL || strcmp(old[i].name, lp->name) != 0)
			memset(t->cur[PANE_LET0 + i], 0, sizeof t->cur[0]);
	}
}

/* The let's tensor as the verifier evaluated it, or NULL. */
static const tensor_t *
let_tensor(const tutor_t *t, const tutor_let_pane_t *lp)
{
	const tensor_t *tn;

	if (t->vc == NULL || lp->name == NULL)
		return NULL;
	tn = verify_ctx_tensor(t->vc, lp->name);
	return tn != NULL && tn->ndim == lp->rank ? tn : NULL;
}

/* Is let pane lp (its slice b) an im2col matrix at shape s: (N, C_in*R*S,
 * H_out*W_out), every entry the input pixel conv_col_pixel names, 0 where
 * that is padding? Read from the let's values, not its name: lesson 7's
 * dcols has the same shape, and a cols whose definition ignores the
 * padding (a lesson that does not cover it) is not. Exact: an entry is a
 * copy of its pixel. */
static bool
let_is_im2col(const tutor_t *t, const tutor_let_pane_t *lp, long b)
{
	const conv_shape_t *s = tutor_shape(t);
	const tensor_t *tn = let_tensor(t, lp), *in;
	conv_col_pixel_t px;
	long r, p, nr, np;

	if (tn == NULL || s == NULL || lp->rank != 3)
		return false;
	nr = s->C_in * s->R * s->S, np = s->H_out * s->W_out;
	in = verify_ctx_tensor(t->vc, "input");
	if (in == NULL || (long)tn->shape[0] != s->N ||
	    (long)tn->shape[1] != nr || (long)tn->shape[2] != np)
		return false;
	for (r = 0; r < nr; r++)
		for (p = 0; p < np; p++) {
			double want = conv_col_pixel(s, r, p, &px) ?
			    T4(in, b, px.c_in, px.h_in, px.w_in) : 0;

			if (!(T3(tn, b, r, p) == want))
				return false;
		}
	return true;
}

/* expr_walk's visit for lets_follow: an access of the let, its indices
 * that are the claim's free variables. */
typedef struct let_follow {
	tutor_t *t;
	const claim_t *c;
	const char *name;
	int rank;
	tutor_pane_t pane;
	const long *vals;
} let_follow_t;

static void
follow_visit(const expr_t *x, void *ud)
{
	let_follow_t *f = ud;
	int k, i, nargs;

	if (x->kind != EX_ACCESS || strcmp(x->u.access.tensor, f->name) != 0 ||
	    x->u.access.nargs != f->rank)
		return;
	nargs = x->u.access.nargs;
	for (k = 0; k < nargs; k++) {
		const expr_t *a = x->u.access.args[k];
		int d = f->pane == PANE_BIAS ? 2 : 4 - nargs + k;

		for (i = 0; a->kind == EX_NAME && i < f->c->nfree; i++)
			if (f->c->free[i].slot == a->u.name.slot)
				f->t->cur[f->pane][d] = f->vals[i];
	}
}

/* Pane p (of tensor name, rank) follows the claim's free variables. */
static void
follow_pane(tutor_t *t, const claim_t *c, const long *vals, tutor_pane_t p,
    const char *name, int rank)
{
	let_follow_t f = { t, c, name, rank, p, vals };

	if (t->focus == p)      /* the pane the student moves leads */
		return;
	expr_walk(c->lhs, follow_visit, &f);
	expr_walk(c->rhs, follow_visit, &f);
	expr_walk(c->where, follow_visit, &f);
}

/* A let pane the claim reads (not the one it defines: that one's cursor
 * is its indices) shows the entry its free variables pick: Y's (b, p) in
 * cols[b, r, p] summed over r; and so does the bias pane in a let's
 * definition (Y's bias[c_out]), whose c_out no other pane gives. */
static void
lets_follow(tutor_t *t)
{
	const claim_t *c = tutor_cur_claim(t);
	long *vals;
	int i;

	if (c == NULL || c->nfree == 0)
		return;
	vals = xcalloc((size_t)c->nfree, sizeof *vals);
	tutor_claim_values(t, c, vals);
	for (i = defines_let_pane(c) ? 1 : 0; i < TUTOR_LET_PANES; i++)
		if (tutor_let_pane(t, PANE_LET0 + i) != NULL)
			follow_pane(t, c, vals, PANE_LET0 + i, t->lets.pane[i].name,
			    t->lets.pane[i].rank);
	if (defines_let_pane(c))
		follow_pane(t, c, vals, PANE_BIAS, "bias", 1);
	free(vals);
	tutor_clamp(t);
}

/* What the first im2col pane's cursor reads; the input pane shows that
 * image and channel, its cursor on the pixel (when inside the image and
 * the input pane is not the one being moved). */
static void
col_read_update(tutor_t *t)
{
	tutor_col_read_t *rd = &t->lets.read;
	long *in = t->cur[PANE_INPUT];
	int i;

	memset(rd, 0, sizeof *rd);
	for (i = 0; i < TUTOR_LET_PANES; i++) {
		tutor_let_pane_t *lp = &t->lets.pane[i];
		const long *c = t->cur[PANE_LET0 + i];

		lp->im2col = lp->ready && let_is_im2col(t, lp, c[1]);
		if (!lp->im2col || rd->valid)
			continue;
		rd->valid = true;
		rd->pane = PANE_LET0 + i;
		rd->b = c[1], rd->r = c[2], rd->p = c[3];  /* (0, b, r, p) */
		conv_col_pixel(tutor_shape(t), rd->r, rd->p, &rd->px);
	}
	if (!rd->valid || t->focus == PANE_INPUT)
		return;
	in[0] = rd->b, in[1] = rd->px.c_in;
	if (rd->px.inside)
		in[2] = rd->px.h_in, in[3] = rd->px.w_in;
}

void
tutor_lets_update(tutor_t *t)
{
	tutor_lesson_t *tl = tutor_cur_lesson(t);
	char *err = NULL;
	int i, upto = 0;

	t->panes_used = claim_panes(tutor_cur_claim(t));
	memset(&t->lets.read, 0, sizeof t->lets.read);
	for (i = 0; i < TUTOR_LET_PANES; i++) {
		t->lets.pane[i].ready = false;
		if (t->lets.pane[i].name != NULL && t->lets.pane[i].def_flat >= upto)
			upto = t->lets.pane[i].def_flat + 1;
	}
	if (tl == NULL || upto == 0)
		return;
	if (ensure_ctx(t, &err) != 0) {
		free(err);
		return;
	}
	if (!ensure_lets(t, tl, upto)) {   /* from their definitions, once */
		tutor_clamp(t);
		return;
	}
	for (i = 0; i < TUTOR_LET_PANES; i++) {
		tutor_let_pane_t *lp = &t->lets.pane[i];
		const tensor_t *tn = let_tensor(t, lp);
		int d;

		if (tn == NULL)
			continue;
		for (d = 0; d < 4; d++)         /* right-aligned: the grid last */
			lp->dims[d] = d < 4 - lp->rank ? 1 :
			    (long)tn->shape[d - (4 - lp->rank)];
		lp->ready = true;
		t->panes_used |= 1u << (PANE_LET0 + i);
	}
	tutor_clamp(t);
	lets_follow(t);
	col_read_update(t);
}

static bool
check_current(const tutor_lesson_t *tl, int k)
{
	const tutor_check_t *ck = &tl->checks[k];

	return ck->valid && conv_shape_equal(&ck->shape, &tl->shape);
}

/* Is claim k's cached result current and whole (not cancelled)? */
static bool
check_done(const tutor_lesson_t *tl, int k)
{
	return check_current(tl, k) &&
	    tl->checks[k].result.verdict != VERDICT_CANCELLED;
}

/* Add k to want[*n] unless it is there already. */
static void
want_add(int *want, int *n, int k)
{
	int i;

	for (i = 0; i < *n; i++)
		if (want[i] == k)
			return;
	want[(*n)++] = k;
}

/* Hand the worker what the current lesson needs, in the order a student
 * wants it: the claim v asked for, the step's claims not verified at this
 * shape, then (after V) the rest of the lesson. */
static void
bg_submit(tutor_t *t)
{
	tutor_lesson_t *tl = tutor_cur_lesson(t);
	int *want, n = 0, k;

	if (tl == NULL || tl->nclaims == 0 || tutor_uncovered(t) != NULL)
		return;         /* as verify, which skips such a lesson */
	want = xcalloc((size_t)tl->nclaims + 1, sizeof *want);
	if (t->verify_one >= 0)
		want_add(want, &n, t->verify_one);
	if (tutor_cur_step(t) != NULL)
		for (k = tl->step_first[t->step]; k < tl->step_first[t->step + 1];
		    k++)
			if (!check_done(tl, k))
				want_add(want, &n, k);
	for (k = 0; t->verify_all && k < tl->nclaims; k++)
		if (!check_done(tl, k))
			want_add(want, &n, k);
	tutor_bg_submit(t->bg, t->lesson, tl->claims, tl->nclaims, &tl->shape,
	    want, n);
	free(want);
}

void
tutor_verify_step(tutor_t *t, bool force)
{
	tutor_lesson_t *tl = tutor_cur_lesson(t);
	lesson_step_t *st = tutor_cur_step(t);
	int k;

	if (st == NULL)
		return;
	if (t->bg != NULL || tutor_uncovered(t) != NULL) {
		if (t->bg != NULL)
			bg_submit(t);
		return;
	}
	for (k = 0; k < st->nclaims; k++) {
		int flat = tl->step_first[t->step] + k;

		if (force || !check_current(tl, flat))
			tutor_verify(t, t->lesson, flat, force);
		if (tl->checks[flat].valid &&
		    tl->checks[flat].result.verdict == VERDICT_CANCELLED)
			break;
	}
}

void
tutor_verify_lesson(tutor_t *t)
{
	tutor_lesson_t *tl = tutor_cur_lesson(t);
	int k;

	if (tl == NULL)
		return;
	if (t->bg != NULL) {
		t->verify_all = true;
		bg_submit(t);
		return;
	}
	for (k = 0; k < tl->nclaims; k++) {
		tutor_check_t *ck = tutor_verify(t, t->lesson, k, false);

		if (ck->valid && ck->result.verdict == VERDICT_CANCELLED) {
			tutor_message(t, "verification cancelled");
			return;
		}
	}
}

/* ---- verification beside the interface ---- */

static void count_range(const tutor_lesson_t *tl, int from, int to,
    int *checked, int *bad, int *errata);

int
tutor_bg_start(tutor_t *t, char **err)
{
	if (t->bg != NULL)
		return 0;
	t->bg = tutor_bg_create(&t->opts, err);
	return t->bg != NULL ? 0 : -1;
}

bool
tutor_bg_stop(tutor_t *t, int wait_ms)
{
	if (!tutor_ed_stop(t->ed, wait_ms))     /* the editor's worker too */
		return false;
	if (t->bg == NULL)
		return true;
	if (!tutor_bg_free(t->bg, wait_ms))
		return false;
	t->bg = NULL;
	return true;
}

/* v's claim or V's lesson is done: say what it came to. */
static void
report_done(tutor_t *t, tutor_lesson_t *tl, int k)
{
	int checked, bad, errata;

	if (k == t->verify_one) {
		const tutor_check_t *ck = &tl->checks[k];

		t->verify_one = -1;
		if (ck->error != NULL)
			tutor_message(t, "claim cannot be checked: %s", ck->error);
		else
			tutor_message(t, "claim verified again: %s (%zu tuples)",
			    verdict_name(ck->result.verdict), ck->result.checked);
	}
	if (!t->verify_all)
		return;
	count_range(tl, 0, tl->nclaims, &checked, &bad, &errata);
	if (checked < tl->nclaims)
		return;
	t->verify_all = false;
	if (bad > 0)
		tutor_message(t, "lesson verified: %d claim%s, %d fail%s",
		    tl->nclaims, tl->nclaims == 1 ? "" : "s", bad,
		    bad == 1 ? "s" : "");
	else
		tutor_message(t, "lesson verified: %d claim%s, each as the lesson "
		    "says%s", tl->nclaims, tl->nclaims == 1 ? "" : "s",
		    errata > 0 ? " (its false formulas are false)" : "");
}

bool
tutor_poll(tutor_t *t)
{
	tutor_bg_done_t d;
	bool changed = tutor_ed_poll(t);

	while (t->bg != NULL && tutor_bg_take(t->bg, &d)) {
		tutor_lesson_t *tl = &t->lessons[d.lesson];
		tutor_check_t *ck;

		/* A cancelled claim is not a result: it is asked for again
		 * when it is wanted. */
		if (d.error == NULL && d.result.verdict == VERDICT_CANCELLED) {
			verify_result_clear(&d.result);
			continue;
		}
		assert(d.k >= 0 && d.k < tl->nclaims);
		ck = &tl->checks[d.k];
		check_clear(ck);
		ck->result = d.result;
		ck->error = d.error;
		ck->valid = true;
		ck->shape = d.shape;
		changed = true;
		if (d.lesson == t->lesson && conv_shape_equal(&d.shape, &tl->shape))
			report_done(t, tl, d.k);
	}
	return changed;
}

bool
tutor_busy(const tutor_t *t, tutor_progress_t *prog)
{
	tutor_bg_status_t st;

	if (t->bg == NULL)
		return false;
	tutor_bg_status(t->bg, &st);
	if (prog != NULL) {
		prog->k = st.k >= 0 && st.lesson == t->lesson ? st.k : -1;
		prog->done = st.done;
		prog->total = st.total;
		prog->queued = st.queued;
	}
	return st.k >= 0 || st.queued > 0;
}

bool
tutor_claim_pending(const tutor_t *t, int k)
{
	const tutor_lesson_t *tl = tutor_cur_lesson(t);

	return t->bg != NULL && tl != NULL &&
	    tutor_bg_pending(t->bg, t->lesson, k, &tl->shape);
}

void
tutor_cancel(tutor_t *t)
{
	if (t->bg != NULL)
		tutor_bg_cancel(t->bg);
	t->verify_all = false;
	t->verify_one = -1;
	tutor_message(t, "verification cancelled: v verifies the claim, V the "
	    "lesson");
}

/* ---- the live check ---- */

/* Does claim c's where hold at the cursors? Only the condition is
 * evaluated (no finite differences): the case label is looked up for every
 * claim of the step on every key. */
static bool where_at(tutor_t *t, const claim_t *c, const long *vals,
    long *slots);

static bool
where_applies(tutor_t *t, const claim_t *c)
{
	long *vals = xcalloc((size_t)c->nfree + 1, sizeof *vals);
	long *slots = xcalloc((size_t)c->nslots + 1, sizeof *slots);
	bool applies;

	tutor_claim_values(t, c, vals);
	applies = where_at(t, c, vals, slots);
	free(slots);
	free(vals);
	return applies;
}

/* Are a and b written with the same left side? */
static bool
same_lhs(const claim_t *a, const claim_t *b)
{
	char *x = expr_text(a->lhs), *y = expr_text(b->lhs);
	bool same = strcmp(x, y) == 0;

	free(x);
	free(y);
	return same;
}

/* The case at the cursors: the label of the claim whose where holds here,
 * among the current claim and the step's other cases of it (claims with a
 * where, the same left side and the same expectation). A claim without a
 * where is no case split: no label (lesson 1's corrected formula is not
 * "the source's stride subscripts", whose where holds at stride 2). */
static const char *
case_label(tutor_t *t, const claim_t *cur)
{
	lesson_step_t *st = tutor_cur_step(t);
	int k;

	if (cur->where == NULL)
		return NULL;
	if (cur->label != NULL && where_applies(t, cur))
		return cur->label;
	for (k = 0; k < st->nclaims; k++) {
		const claim_t *c = st->claims[k];

		if (c != cur && c->where != NULL && c->label != NULL &&
		    c->kind == cur->kind && c->expect_fail == cur->expect_fail &&
		    same_lhs(c, cur) && where_applies(t, c))
			return c->label;
	}
	return NULL;
}

/* A let is evaluated at its indices in the order its left side lists
 * them: reorder vals (free-variable order) so. */
static void
let_order(const claim_t *c, long *vals)
{
	long *by_arg = xcalloc((size_t)c->nfree + 1, sizeof *by_arg);
	int k, i;

	for (k = 0; k < c->lhs->u.access.nargs && k < c->nfree; k++)
		for (i = 0; i < c->nfree; i++)
			if (c->free[i].slot ==
			    c->lhs->u.access.args[k]->u.name.slot)
				by_arg[k] = vals[i];
	memcpy(vals, by_arg, (size_t)c->nfree * sizeof *vals);
	free(by_arg);
}

int
tutor_live(tutor_t *t, verify_point_t *pt, const char **label, char **err)
{
	tutor_lesson_t *tl = tutor_cur_lesson(t);
	claim_t *c = tutor_cur_claim(t);
	long *vals;
	int rc;

	memset(pt, 0, sizeof *pt);
	*label = NULL;
	if (c == NULL)
		return set_error(err, "no claim in this step");
	if (c->kind == CLAIM_KERNEL)
		return set_error(err,
		    "a kernel claim: checked entry by entry as a whole");
	if (ensure_ctx(t, err) != 0)
		return -1;
	if (!ensure_lets(t, tl, cur_flat(t)))
		return set_error(err, "%s", lets_wait_why(t));
	vals = xcalloc((size_t)c->nfree + 1, sizeof *vals);
	tutor_claim_values(t, c, vals);
	if (c->kind == CLAIM_LET)       /* its value at the indices chosen */
		let_order(c, vals);
	rc = verify_claim_at(t->vc, c, vals, pt, err);
	free(vals);
	if (rc == 0)
		*label = case_label(t, c);
	return rc;
}

int
tutor_live_claim(tutor_t *t, const claim_t *c, int step, verify_point_t *pt,
    char **err)
{
	tutor_lesson_t *tl = tutor_cur_lesson(t);
	long *vals;
	int rc;

	memset(pt, 0, sizeof *pt);
	if (tl == NULL || step < 0 || step >= tl->lesson->nsteps)
		return set_error(err, "no lesson step is open");
	if (c->kind == CLAIM_KERNEL)
		return set_error(err,
		    "a kernel claim: checked entry by entry as a whole");
	if (ensure_ctx(t, err) != 0)
		return -1;
	if (!ensure_lets(t, tl, tl->step_first[step + 1]))
		return set_error(err, "%s", lets_wait_why(t));
	vals = xcalloc((size_t)c->nfree + 1, sizeof *vals);
	tutor_claim_values(t, c, vals);
	rc = verify_claim_at(t->vc, c, vals, pt, err);
	free(vals);
	return rc;
}

static void
live_clear(tutor_t *t)
{
	free(t->live.pt.finding);
	free(t->live.err);
	memset(&t->live, 0, sizeof t->live);
}

/* ---- the source's interval beside the window (lesson 8) ---- */

#define SOURCE_SET_MAX 65536    /* cells evaluated per event, at most */

static void
span_add(long span[2], long v)
{
	if (v < span[0])
		span[0] = v;
	if (v > span[1])
		span[1] = v;
}

/* The input pane's free variables of c: *ih, *iw (h_in, w_in), -1 none. */
static void
input_rowcol(const claim_t *c, int *ih, int *iw)
{
	tutor_binding_t *b = tutor_bind(c);
	int i;

	*ih = *iw = -1;
	for (i = 0; i < c->nfree; i++)
		if (b[i].pane == PANE_INPUT && b[i].dim == 2)
			*ih = i;
		else if (b[i].pane == PANE_INPUT && b[i].dim == 3)
			*iw = i;
	free(b);
}

/* Does c's where hold with its free variables at vals? */
static bool
where_at(tutor_t *t, const claim_t *c, const long *vals, long *slots)
{
	char *finding = NULL;
	value_t w;
	bool holds = false;
	int i;

	for (i = 0; i < c->nfree; i++)
		slots[c->free[i].slot] = vals[i];
	if (expr_eval(c->where, verify_ctx_env(t->vc), slots, &w, &finding) == 0)
		holds = w.kind == VAL_BOOL ? w.b : value_real(w) != 0;
	free(finding);
	return holds;
}

/*
 * The source's interval of an erratum about a window: each input cell of
 * the slice where the erratum's case holds, by its bounds, the other
 * variables at the cursors. A case whose right side is 0 is the outside
 * of the window, so the source's window is where it does not hold. The
 * true window (conv-shape.c) is beside it, so that the screen can say
 * both: "source rows 0..3, window rows 0..2".
 */
static void
source_set_update(tutor_t *t)
{
	tutor_source_set_t *x = &t->srcset;
	const claim_t *c = tutor_cur_claim(t);
	const conv_shape_t *s = tutor_shape(t);
	const long *out = t->cur[PANE_OUTPUT];
	long *vals, *slots, h, w;
	bool zero;
	int ih, iw;

	free(x->in);
	memset(x, 0, sizeof *x);
	if (c == NULL || s == NULL || t->vc == NULL || !c->expect_fail ||
	    c->where == NULL || !tutor_claim_is_erratum(c) ||
	    tutor_claim_view(c) != VIEW_WINDOW ||
	    s->H_in * s->W_in > SOURCE_SET_MAX)
		return;
	input_rowcol(c, &ih, &iw);
	if (ih < 0 || iw < 0)
		return;
	zero = c->rhs != NULL && ((c->rhs->kind == EX_INT && c->rhs->u.ival == 0) ||
	    (c->rhs->kind == EX_REAL && c->rhs->u.rval == 0));
	x->valid = true;
	x->rows = s->H_in, x->cols = s->W_in;
	x->in = xcalloc((size_t)(x->rows * x->cols), 1);
	x->src_r[0] = x->src_c[0] = x->win_r[0] = x->win_c[0] = LONG_MAX;
	x->src_r[1] = x->src_c[1] = x->win_r[1] = x->win_c[1] = LONG_MIN;
	vals = xcalloc((size_t)c->nfree + 1, sizeof *vals);
	slots = xcalloc((size_t)c->nslots + 1, sizeof *slots);
	tutor_claim_values(t, c, vals);
	for (h = 0; h < x->rows; h++)
		for (w = 0; w < x->cols; w++) {
			vals[ih] = h, vals[iw] = w;
			if (where_at(t, c, vals, slots) != zero) {
				x->in[h * x->cols + w] = 1;
				span_add(x->src_r, h), span_add(x->src_c, w);
			}
			if (conv_in_window(s, out[2], out[3], h, w, NULL, NULL)) {
				span_add(x->win_r, h);
				span_add(x->win_c, w);
			}
		}
	free(slots);
	free(vals);
}

void
tutor_live_update(tutor_t *t)
{
	live_clear(t);
	source_set_update(t);
	if (tutor_cur_claim(t) == NULL)
		return;
	t->live.rc = tutor_live(t, &t->live.pt, &t->live.label, &t->live.err);
	t->live.valid = true;
}

/* ---- lesson and step states ---- */

const char *
tutor_uncovered(const tutor_t *t)
{
	const tutor_lesson_t *tl = tutor_cur_lesson(t);
	const char *why = NULL;

	if (tl == NULL || lesson_covers(tl->lesson, &tl->shape, &why))
		return NULL;
	return why;
}

bool
tutor_claim_is_erratum(const claim_t *c)
{
	return c != NULL && c->expect_fail && c->label != NULL &&
	    (strstr(c->label, "erratum") != NULL ||
	    strncmp(c->label, "source", 6) == 0);
}

static void
count_range(const tutor_lesson_t *tl, int from, int to, int *checked,
    int *bad, int *errata)
{
	int k;

	*checked = *bad = *errata = 0;
	for (k = from; k < to; k++) {
		const tutor_check_t *ck = &tl->checks[k];

		if (!check_current(tl, k) || ck->result.verdict == VERDICT_CANCELLED)
			continue;
		(*checked)++;
		if (ck->error != NULL || !verdict_ok(ck->result.verdict))
			(*bad)++;
		else if (ck->result.verdict == VERDICT_REFUTED)
			(*errata)++;
	}
}

tutor_lesson_state_t
tutor_lesson_state(const tutor_t *t, int i)
{
	const tutor_lesson_t *tl = &t->lessons[i];
	int checked, bad, errata;

	if (tl->lesson == NULL)
		return LS_ERROR;
	if (!tl->visited)
		return LS_NOT_VISITED;
	count_range(tl, 0, tl->nclaims, &checked, &bad, &errata);
	if (bad > 0)
		return LS_FAILED;
	if (checked < tl->nclaims)
		return LS_PARTIAL;
	return errata > 0 ? LS_ERRATUM : LS_VERIFIED;
}

int
tutor_lesson_checked(const tutor_t *t, int i)
{
	const tutor_lesson_t *tl = &t->lessons[i];
	int checked, bad, errata;

	if (tl->lesson == NULL)
		return 0;
	count_range(tl, 0, tl->nclaims, &checked, &bad, &errata);
	return checked;
}

void
tutor_step_counts(const tutor_t *t, int step, int *checked, int *bad,
    int *errata)
{
	const tutor_lesson_t *tl = tutor_cur_lesson(t);

	*checked = *bad = *errata = 0;
	if (tl == NULL || step < 0 || step >= tl->lesson->nsteps)
		return;
	count_range(tl, tl->step_first[step], tl->step_first[step + 1],
	    checked, bad, errata);
}

/* ---- moving between lessons, steps and claims ---- */

int
tutor_open(tutor_t *t, int i)
{
	tutor_lesson_t *tl;
	char *err = NULL;

	if (i < 0 || i >= t->nlessons)
		return -1;
	tl = &t->lessons[i];
	if (tl->lesson == NULL && tl->skip_title != NULL) {
		/* the whole reason is under the list; one line says so */
		tutor_message(t, "lesson %d is left out at this shape (why: "
		    "below the list)", i + 1);
		return -1;
	}
	if (tl->lesson == NULL) {
		tutor_message(t, "%s", tl->load_error != NULL ? tl->load_error :
		    "this lesson did not load");
		return -1;
	}
	t->lesson = i;
	t->list_cursor = i;
	tl->visited = true;
	if (ensure_ctx(t, &err) != 0) {
		tutor_message(t, "%s", err);
		free(err);
		t->lesson = -1;
		return -1;
	}
	t->screen = SCR_LESSON;
	t->show_source = false;
	t->layout = LAYOUT_READ;        /* a lesson starts with its prose */
	t->focus = PANE_TEXT;
	t->var_focus = false;
	tutor_clamp(t);
	tutor_message(t, NULL);
	tutor_goto_step(t, 0);
	return 0;
}

static bool same_lhs(const claim_t *a, const claim_t *b);

static void
pair_clear(tutor_erratum_pair_t *p)
{
	free(p->msrc);
	free(p->mfix);
	memset(p, 0, sizeof *p);
}

/* The erratum and its correction around the current claim: an erratum of
 * the step and the claim of the step with the same left side that is
 * expected to hold (lesson 8 writes each pair so). */
static void
pair_update(tutor_t *t)
{
	lesson_step_t *st = tutor_cur_step(t);
	const claim_t *c = tutor_cur_claim(t), *o;
	tutor_erratum_pair_t *p = &t->pair;
	int k;

	pair_clear(p);
	if (st == NULL || c == NULL || c->text == NULL)
		return;
	for (k = 0; k < st->nclaims && p->src == NULL; k++) {
		o = st->claims[k];
		if (o == c || o->text == NULL || o->expect_fail == c->expect_fail ||
		    !same_lhs(o, c))
			continue;
		p->src = c->expect_fail ? c : o;
		p->fix = c->expect_fail ? o : c;
	}
	if (p->src == NULL || !tutor_claim_is_erratum(p->src)) {
		memset(p, 0, sizeof *p);
		return;
	}
	p->msrc = xcalloc(strlen(p->src->text) + 1, 1);
	p->mfix = xcalloc(strlen(p->fix->text) + 1, 1);
	if (!tok_diff(p->src->text, p->fix->text, p->msrc, p->mfix))
		pair_clear(p);
}

static void
goto_claim(tutor_t *t, int k)
{
	lesson_step_t *st = tutor_cur_step(t);

	t->claim = st == NULL ? 0 : (int)clampl(k, 0, st->nclaims - 1);
	if (t->claim < 0)
		t->claim = 0;
	t->text.claim_scroll = 0;
	t->panes_used = claim_panes(tutor_cur_claim(t));
	pair_update(t);
	lets_set(t);
	tutor_lets_update(t);
	if (!tutor_pane_exists(t, t->focus))
		t->focus = PANE_OUTPUT;         /* bias or a let: not shown */
	reset_extras(t);
	t->var_sel = 0;
	if (tutor_extras(t, NULL) == 0)
		t->var_focus = false;
}

void
tutor_goto_step(tutor_t *t, int s)
{
	tutor_lesson_t *tl = tutor_cur_lesson(t);

	if (tl == NULL)
		return;
	t->step = (int)clampl(s, 0, tl->lesson->nsteps - 1);
	if (t->step < 0)
		t->step = 0;
	t->text.scroll = 0;
	/* Exploring, the claim is what the panes are about: in view. */
	t->text.show_claim = t->layout == LAYOUT_EXPLORE;
	tutor_present_reset(t);
	goto_claim(t, 0);
	if (t->auto_verify && t->defer_verify)
		t->verify_pending = true;
	else if (t->auto_verify)
		tutor_verify_step(t, false);
}

void
tutor_run_pending(tutor_t *t)
{
	if (!t->verify_pending)
		return;
	t->verify_pending = false;
	if (t->screen == SCR_LESSON || t->screen == SCR_SHAPE)
		tutor_verify_step(t, false);
}

/* n on the last step: open the next lesson that loaded. true if one did. */
static bool
next_lesson(tutor_t *t)
{
	int i;

	for (i = t->lesson + 1; i < t->nlessons; i++)
		if (t->lessons[i].lesson != NULL && tutor_open(t, i) == 0) {
			tutor_message(t, "on to the next lesson (%d of %d)", i + 1,
			    t->nlessons);
			return true;
		}
	return false;
}

static void
clamp_scroll(int *v, int max)
{
	if (*v > max)
		*v = max;
	if (*v < 0)
		*v = 0;
}

void
tutor_text_measure(tutor_t *t, const tutor_measure_t *m)
{
	tutor_text_t *x = &t->text;

	x->m = *m;
	if (x->m.page < 1)
		x->m.page = 1;
	if (x->show_claim) {
		x->show_claim = false;
		if (m->claim_n > 0 &&
		    m->claim_from + m->claim_n > x->scroll + x->m.page)
			x->scroll = m->claim_from + m->claim_n - x->m.page;
		if (m->claim_n > 0 && m->claim_from < x->scroll)
			x->scroll = m->claim_from;
	}
	if (x->to_source && m->source_from > 0) {
		x->to_source = false;
		x->scroll = m->source_from;
	}
	clamp_scroll(&x->scroll, x->m.rows - x->m.page);
	clamp_scroll(&x->claim_scroll, m->claim_over);
	clamp_scroll(&x->help_scroll, m->help_rows - m->help_page);
	clamp_scroll(&x->lab_scroll, m->lab_rows - m->lab_page);
	tutor_source_measure(t, m->src_page, m->src_width, m->src_ascii);
}

/* Space/PgDn, PgUp: a page, less a line kept for context. */
static void
page(tutor_t *t, int dir)
{
	const tutor_measure_t *m = &t->text.m;
	int step = m->page > 2 ? m->page - 1 : 1;

	if (dir > 0 && t->text.scroll >= m->rows - m->page) {
		tutor_message(t, "end of the step: n goes on");
		return;
	}
	t->text.scroll += dir * step;
	clamp_scroll(&t->text.scroll, m->rows - m->page);
}

/* e: reading (text focused) or exploring (a pane focused). */
static void
toggle_layout(tutor_t *t, tutor_pane_t focus)
{
	if (t->layout == LAYOUT_READ) {
		t->layout = LAYOUT_EXPLORE;
		t->focus = focus;
		/* A let's definition: its own pane is what the cursor moves. */
		if (focus == PANE_INPUT && defines_let_pane(tutor_cur_claim(t)) &&
		    tutor_pane_exists(t, PANE_LET0))
			t->focus = PANE_LET0;
	} else {
		t->layout = LAYOUT_READ;
		t->focus = PANE_TEXT;
		t->var_focus = false;
	}
	t->text.scroll = 0;
	t->text.show_claim = t->layout == LAYOUT_EXPLORE;
}

static void
next_step(tutor_t *t, int delta)
{
	tutor_lesson_t *tl = tutor_cur_lesson(t);
	int s = t->step + delta;

	if (tl == NULL)
		return;
	if (s >= tl->lesson->nsteps && next_lesson(t))
		return;
	if (s < 0 || s >= tl->lesson->nsteps) {
		tutor_message(t, delta > 0 ? "this is the last step of the last "
		    "lesson" : "this is the first step");
		return;
	}
	tutor_message(t, NULL);
	tutor_goto_step(t, s);
}

static void
next_claim(tutor_t *t, int delta)
{
	lesson_step_t *st = tutor_cur_step(t);
	int k = t->claim + delta;

	if (st == NULL || k < 0 || k >= st->nclaims) {
		tutor_message(t, "no %s claim in this step",
		    delta > 0 ? "further" : "earlier");
		return;
	}
	tutor_message(t, NULL);
	goto_claim(t, k);
	t->text.show_claim = true;
}

/* The lab's report: delta lines, kept within the last measure. */
static void
lab_scroll(tutor_t *t, long delta)
{
	const tutor_measure_t *m = &t->text.m;

	t->text.lab_scroll = (int)clampl(t->text.lab_scroll + delta, 0, 1L << 20);
	if (m->lab_rows > 0)
		clamp_scroll(&t->text.lab_scroll, m->lab_rows - m->lab_page);
}

static void
move(tutor_t *t, int dim, long delta)
{
	if (t->screen == SCR_LAB) {
		if (dim == 2)
			lab_scroll(t, delta);
		return;
	}
	if (t->screen == SCR_HELP) {
		t->text.help_scroll = (int)clampl(t->text.help_scroll + delta, 0,
		    1L << 20);
		if (t->text.m.help_rows > 0)
			clamp_scroll(&t->text.help_scroll, t->text.m.help_rows -
			    t->text.m.help_page);
		return;
	}
	if (t->screen == SCR_LIST) {
		if (dim == 2)
			t->list_cursor = (int)clampl(t->list_cursor + delta, 0,
			    t->nlessons - 1);
		return;
	}
	if (t->var_focus) {
		int n = tutor_extras(t, NULL);

		if (dim == 3)
			t->var_sel = (int)clampl(t->var_sel + delta, 0, n - 1);
		else
			extra_change(t, -delta);        /* Up raises */
		return;
	}
	if (t->focus != PANE_TEXT) {
		move_cursor(t, dim, delta);
		return;
	}
	if (dim == 2) {
		t->text.scroll = (int)clampl(t->text.scroll + delta, 0, 1L << 20);
		if (t->text.m.rows > 0)
			clamp_scroll(&t->text.scroll, t->text.m.rows - t->text.m.page);
	} else
		t->text.claim_scroll = (int)clampl(t->text.claim_scroll + 8 * delta, 0,
		    1L << 20);
}

static void
jump_cex(tutor_t *t)
{
	tutor_check_t *ck = tutor_cur_check(t);
	claim_t *c = tutor_cur_claim(t);

	if (ck == NULL || !ck->valid || !ck->result.has_cex) {
		tutor_message(t, "no counterexample: %s",
		    ck == NULL || !ck->valid ? "the claim is not verified yet (v)" :
		    "every tuple checked holds");
		return;
	}
	tutor_set_values(t, c, ck->result.cex);
	tutor_message(t, "cursors at the first counterexample");
	tutor_ed_shrink_lesson(t, cur_flat(t));     /* then the smallest shape */
}

/* ---- the shape panel ---- */

static void
shape_open(tutor_t *t)
{
	const conv_shape_t *s = tutor_shape(t);

	if (s == NULL)
		return;
	t->edit = *s;
	t->field = 0;
	t->typing = false;
	free(t->shape_error);
	t->shape_error = NULL;
	t->screen = SCR_SHAPE;
}

static void
field_change(tutor_t *t, long delta, int digit)
{
	const char *key = tutor_shape_fields[t->field];
	long v = 0;

	conv_shape_get(&t->edit, key, &v);
	if (digit >= 0)
		v = t->typing ? v * 10 + digit : digit;
	else if (delta == 0)
		v /= 10;
	else
		v += delta;
	v = clampl(v, 0, 99999);
	t->typing = digit >= 0 || delta == 0;
	conv_shape_set(&t->edit, key, v);
	free(t->shape_error);
	t->shape_error = NULL;
}

static void
shape_apply(tutor_t *t)
{
	char *err = NULL;

	free(t->shape_error);
	t->shape_error = NULL;
	if (tutor_set_shape(t, &t->edit, &err) != 0) {
		t->shape_error = err;
		return;
	}
	t->screen = SCR_LESSON;
}

int
tutor_set_shape(tutor_t *t, const conv_shape_t *s, char **err)
{
	tutor_lesson_t *tl = tutor_cur_lesson(t);
	conv_shape_t v = *s;
	const char *why = NULL;
	char buf[256];

	if (tl == NULL)
		return set_error(err, "no lesson is open");
	if (conv_shape_validate(&v, 0, err) != 0)
		return -1;
	tl->shape = v;
	if (ensure_ctx(t, err) != 0)
		return -1;
	tutor_clamp(t);
	goto_claim(t, t->claim);
	(void)buf;
	if (!lesson_covers(tl->lesson, &v, &why))
		tutor_message(t, "%s: its claims are not checked at this shape",
		    why);
	else
		tutor_message(t, NULL);     /* the shape line shows it, → H_out */
	if (t->auto_verify && t->defer_verify)
		t->verify_pending = true;
	else if (t->auto_verify)
		tutor_verify_step(t, false);
	return 0;
}

/* ---- dispatch ---- */

static void
go_back(tutor_t *t)
{
	switch (t->screen) {
	case SCR_LESSON:
		if (tutor_ed_back(t))           /* shrinking, your claim */
			break;
		if (tutor_busy(t, NULL)) {      /* Esc cancels first */
			tutor_cancel(t);
			break;
		}
		t->screen = SCR_LIST;
		tutor_message(t, NULL);
		break;
	case SCR_HELP:
		t->screen = t->help_return;
		break;
	case SCR_LAB:
		t->screen = t->lab_return;
		break;
	case SCR_SHAPE:
		t->screen = SCR_LESSON;
		break;
	default:
		break;
	}
}

/* v: the current claim again, over every tuple. */
static void
verify_current(tutor_t *t)
{
	if (tutor_cur_claim(t) == NULL)
		return;
	if (tutor_uncovered(t) != NULL) {
		tutor_message(t, "not checked: %s", tutor_uncovered(t));
		return;
	}
	if (t->bg != NULL) {
		t->verify_one = cur_flat(t);
		bg_submit(t);
		tutor_message(t, "verifying claim %d/%d...", t->claim + 1,
		    tutor_cur_step(t)->nclaims);
		return;
	}
	tutor_verify(t, t->lesson, cur_flat(t), true);
}

static void
do_lesson_action(tutor_t *t, tutor_action_t a)
{
	switch (a) {
	case ACT_NEXT_PANE:
	case ACT_PREV_PANE:
		if (t->layout == LAYOUT_READ)  /* a pane: explore it */
			toggle_layout(t, a == ACT_NEXT_PANE ? PANE_INPUT : PANE_OUTPUT);
		else
			next_pane(t, a == ACT_NEXT_PANE ? 1 : -1);
		break;
	case ACT_LAYOUT: toggle_layout(t, PANE_INPUT); break;
	case ACT_PAGE_DOWN:     /* presenter mode: reveal first */
		if (!tutor_present_next(t))
			page(t, 1);
		break;
	case ACT_PAGE_UP: page(t, -1); break;
	case ACT_NEXT_STEP: next_step(t, 1); break;
	case ACT_PREV_STEP: next_step(t, -1); break;
	case ACT_NEXT_CLAIM: next_claim(t, 1); break;
	case ACT_PREV_CLAIM: next_claim(t, -1); break;
	case ACT_SLICE_PREV: move_slice(t, -1); break;
	case ACT_SLICE_NEXT: move_slice(t, 1); break;
	case ACT_SHAPE: shape_open(t); break;
	case ACT_SOURCE: tutor_source_open(t); break;
	case ACT_CEX:
		if (!tutor_ed_cex(t))
			jump_cex(t);
		break;
	case ACT_EDIT: tutor_ed_open(t); break;
	case ACT_WRITE: tutor_ed_write(t); break;
	case ACT_HINT: tutor_ed_hint(t); break;
	case ACT_REVEAL: tutor_ed_reveal(t); break;
	case ACT_VERIFY: verify_current(t); break;
	case ACT_VERIFY_LESSON: tutor_verify_lesson(t); break;
	default: break;
	}
}

/* After every action on the lesson view: the slices the claim selects,
 * the live checks (the lesson's claim, your claim). */
static void
after_action(tutor_t *t)
{
	if (t->screen == SCR_LESSON || t->screen == SCR_SHAPE) {
		sync_slices(t);
		tutor_lets_update(t);
		tutor_live_update(t);
		tutor_ed_update(t);
	}
}

void
tutor_do(tutor_t *t, tutor_action_t a, int key)
{
	if (tutor_source_action(t, a))  /* the source screen's own */
		return;
	switch (a) {
	case ACT_NONE: break;
	case ACT_QUIT: t->quit = true; break;
	case ACT_HELP:
		t->help_return = t->screen;
		t->text.help_scroll = 0;
		t->screen = SCR_HELP;
		break;
	case ACT_BACK: go_back(t); break;
	case ACT_OPEN: tutor_open(t, t->list_cursor); break;
	case ACT_UP: move(t, 2, -1); break;
	case ACT_DOWN: move(t, 2, 1); break;
	case ACT_LEFT: move(t, 3, -1); break;
	case ACT_RIGHT: move(t, 3, 1); break;
	case ACT_FIELD_UP:
		t->field = (t->field + tutor_nshape_fields - 1) % tutor_nshape_fields;
		t->typing = false;
		break;
	case ACT_FIELD_DOWN:
		t->field = (t->field + 1) % tutor_nshape_fields;
		t->typing = false;
		break;
	case ACT_FIELD_DEC: field_change(t, -1, -1); break;
	case ACT_FIELD_INC: field_change(t, 1, -1); break;
	case ACT_FIELD_DIGIT: field_change(t, 1, key - '0'); break;
	case ACT_FIELD_ERASE: field_change(t, 0, -1); break;
	case ACT_SHAPE_APPLY: shape_apply(t); break;
	case ACT_SHAPE_RESET:
		if (tutor_cur_lesson(t) != NULL)
			t->edit = tutor_cur_lesson(t)->start;
		break;
	case ACT_SHAPE_CANCEL: go_back(t); break;
	case ACT_LAB: tutor_lab_open(t); break;
	case ACT_LAB_G: tutor_lab_next_g(t); break;
	case ACT_PAGE_DOWN:
	case ACT_PAGE_UP:
		if (t->screen == SCR_LAB) {     /* a page less a line */
			int pg = t->text.m.lab_page > 2 ? t->text.m.lab_page - 1 : 1;

			lab_scroll(t, a == ACT_PAGE_DOWN ? pg : -pg);
			break;
		}
		do_lesson_action(t, a);
		break;
	default: do_lesson_action(t, a); break;
	}
	after_action(t);
}

tutor_action_t
tutor_key(tutor_t *t, int key)
{
	const tutor_key_t *k;

	if (tutor_ed_wants(t, key)) {   /* the claim editor is typing */
		tutor_ed_key(t, key);
		after_action(t);
		return ACT_EDIT;
	}
	k = tutor_key_lookup(key, t->screen);

	if (k == NULL) {
		if (t->screen == SCR_HELP && key != TK_RESIZE) {
			go_back(t);
			return ACT_BACK;
		}
		return ACT_NONE;
	}
	tutor_do(t, k->action, key);
	return k->action;
}
