/*
 * check_tutor.c: the tutor's state and transitions, without a terminal.
 *
 * The key table (no key bound twice on a screen, every binding explained),
 * moving cursors (clamped at the edges), Tab, n/p at the first and last
 * step, slices, the shape panel (refusals with their reason), the command
 * line's shape options over the lesson's default, binding a claim's free
 * variables to the pane cursors, the highlighted window, the live check
 * with its case, and the jump to a counterexample. The lesson is
 * tests/data/tutor-lesson.md, at N=2 C_in=2 H_in=6 W_in=7 C_out=2 R=3 S=2
 * strh=2 strw=3 (so H_out = W_out = 2).
 */
#include <math.h>
#include <limits.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "check-util.h"
#include "tok-diff.h"
#include "tutor.h"
#include "tutor-lab.h"
#include "util.h"

static tutor_t *T;

static void
setup(void)
{
	char *path = test_data_path("tutor-lesson.md");

	T = tutor_create(&path, 1);
	free(path);
	ck_assert_msg(T->lessons[0].lesson != NULL, "fixture did not load: %s",
	    T->lessons[0].load_error);
}

static void
teardown(void)
{
	tutor_free(T);
	T = NULL;
}

/* Open the fixture and go to step s (0-based). */
static void
open_at(int s)
{
	ck_assert_int_eq(tutor_key(T, TK_ENTER), ACT_OPEN);
	ck_assert_int_eq(T->screen, SCR_LESSON);
	tutor_goto_step(T, s);
	ck_assert_int_eq(T->step, s);
}

static void
press(const char *keys)
{
	for (; *keys != '\0'; keys++)
		tutor_key(T, *keys);
}

static void
pressn(int key, int n)
{
	while (n-- > 0)
		tutor_key(T, key);
}

static void
pressn_t(tutor_t *t, int key, int n)
{
	while (n-- > 0)
		tutor_key(t, key);
}

/* Index of free variable name in claim c, or -1. */
static int
free_index(const claim_t *c, const char *name)
{
	int i;

	for (i = 0; i < c->nfree; i++)
		if (strcmp(c->free[i].name, name) == 0)
			return i;
	return -1;
}

/* ---- the key table ---- */

START_TEST(test_keys_unique)
{
	size_t i, j;
	int a, b, s;

	for (s = 0; s < SCR_COUNT; s++)
		for (i = 0; i < tutor_nkeys; i++)
			for (j = i; j < tutor_nkeys; j++) {
				if (!(tutor_keys[i].screens & tutor_keys[j].screens &
				    SCR_BIT(s)))
					continue;
				for (a = 0; a < TUTOR_KEYS_MAX && tutor_keys[i].keys[a]; a++)
					for (b = 0; b < TUTOR_KEYS_MAX && tutor_keys[j].keys[b]; b++)
						ck_assert_msg((i == j && a == b) ||
						    tutor_keys[i].keys[a] != tutor_keys[j].keys[b],
						    "key %d bound twice on screen %d (%s, %s)",
						    tutor_keys[i].keys[a], s, tutor_keys[i].name,
						    tutor_keys[j].name);
			}
}
END_TEST

START_TEST(test_keys_documented)
{
	size_t i;
	int a;

	for (i = 0; i < tutor_nkeys; i++) {
		ck_assert_msg(tutor_keys[i].help != NULL && tutor_keys[i].help[0],
		    "binding %zu has no help", i);
		ck_assert_msg(tutor_keys[i].name != NULL && tutor_keys[i].name[0],
		    "binding %zu has no name", i);
		ck_assert_int_ne(tutor_keys[i].keys[0], 0);
		ck_assert_uint_ne(tutor_keys[i].screens, 0);
	}
	/* Every action but ACT_NONE is reachable from some key. */
	for (a = ACT_NONE + 1; a < ACT_COUNT; a++) {
		bool found = false;

		for (i = 0; i < tutor_nkeys; i++)
			found = found || tutor_keys[i].action == (tutor_action_t)a;
		ck_assert_msg(found, "action %d has no key", a);
	}
	/* Every key has a name for --keys (and the man page). */
	for (i = 0; i < tutor_nkeys; i++)
		for (a = 0; a < TUTOR_KEYS_MAX && tutor_keys[i].keys[a]; a++) {
			char buf[2];
			int k = tutor_keys[i].keys[a];

			ck_assert_msg(tutor_key_label(k, buf) != NULL || k == '\r',
			    "key %d of '%s' has no label", k, tutor_keys[i].name);
		}
	ck_assert_str_eq(tutor_key_label(TK_BTAB, (char[2]){ 0 }), "Shift-Tab");
	ck_assert_str_eq(tutor_screen_name(SCR_SHAPE), "shape");
	ck_assert_ptr_nonnull(tutor_key_lookup('q', SCR_LESSON));
	ck_assert_int_eq(tutor_key_lookup(TK_F1, SCR_LESSON)->action, ACT_HELP);
	ck_assert_ptr_null(tutor_key_lookup('Z', SCR_LESSON));
}
END_TEST

START_TEST(test_help_and_quit)
{
	open_at(0);
	ck_assert_int_eq(tutor_key(T, '?'), ACT_HELP);
	ck_assert_int_eq(T->screen, SCR_HELP);
	tutor_key(T, 'x');                  /* any key closes help */
	ck_assert_int_eq(T->screen, SCR_LESSON);
	tutor_key(T, TK_ESC);
	ck_assert_int_eq(T->screen, SCR_LIST);
	ck_assert(!T->quit);
	tutor_key(T, 'q');
	ck_assert(T->quit);
}
END_TEST

/* ---- moving ---- */

START_TEST(test_cursor_clamps)
{
	open_at(1);
	T->focus = PANE_INPUT;
	pressn('k', 3);
	pressn('h', 3);
	ck_assert_int_eq(T->cur[PANE_INPUT][2], 0);
	ck_assert_int_eq(T->cur[PANE_INPUT][3], 0);
	pressn('j', 2);
	ck_assert_int_eq(T->cur[PANE_INPUT][2], 2);
	pressn(TK_DOWN, 20);
	pressn(TK_RIGHT, 20);
	ck_assert_int_eq(T->cur[PANE_INPUT][2], 5);      /* H_in - 1 */
	ck_assert_int_eq(T->cur[PANE_INPUT][3], 6);      /* W_in - 1 */
	T->focus = PANE_WEIGHT;
	pressn('j', 9);
	pressn('l', 9);
	ck_assert_int_eq(T->cur[PANE_WEIGHT][2], 2);     /* R - 1 */
	ck_assert_int_eq(T->cur[PANE_WEIGHT][3], 1);     /* S - 1 */
	T->focus = PANE_OUTPUT;
	pressn('j', 9);
	ck_assert_int_eq(T->cur[PANE_OUTPUT][2], 1);     /* H_out - 1 */
	/* The other panes did not move. */
	ck_assert_int_eq(T->cur[PANE_INPUT][2], 5);
}
END_TEST

START_TEST(test_tab_cycles)
{
	open_at(0);
	T->focus = PANE_TEXT;
	tutor_key(T, TK_TAB);
	ck_assert_int_eq(T->focus, PANE_INPUT);
	tutor_key(T, TK_TAB);
	ck_assert_int_eq(T->focus, PANE_WEIGHT);
	tutor_key(T, TK_TAB);
	ck_assert_int_eq(T->focus, PANE_OUTPUT);
	tutor_key(T, TK_TAB);           /* the forward adds bias: its pane */
	ck_assert_int_eq(T->focus, PANE_BIAS);
	tutor_key(T, TK_TAB);
	ck_assert_int_eq(T->focus, PANE_TEXT);
	tutor_key(T, TK_BTAB);
	ck_assert_int_eq(T->focus, PANE_BIAS);
}
END_TEST

START_TEST(test_steps_at_ends)
{
	int last;

	open_at(0);
	last = T->lessons[0].lesson->nsteps - 1;
	ck_assert_int_eq(last, 3);
	tutor_key(T, 'p');
	ck_assert_int_eq(T->step, 0);
	ck_assert_ptr_nonnull(T->message);
	ck_assert(strstr(T->message, "first step") != NULL);
	press("nnnnnn");
	ck_assert_int_eq(T->step, last);
	ck_assert(strstr(T->message, "last step") != NULL);
	tutor_key(T, 'p');
	ck_assert_int_eq(T->step, last - 1);
	tutor_key(T, 'n');
	ck_assert_int_eq(T->step, last);
}
END_TEST

START_TEST(test_claims_in_step)
{
	open_at(1);
	ck_assert_int_eq(T->claim, 0);
	tutor_key(T, '>');
	ck_assert_int_eq(T->claim, 1);
	tutor_key(T, '>');
	ck_assert_int_eq(T->claim, 1);          /* two claims in the step */
	tutor_key(T, ',');
	ck_assert_int_eq(T->claim, 0);
	tutor_key(T, '<');
	ck_assert_int_eq(T->claim, 0);
	T->focus = PANE_TEXT;
	tutor_key(T, 'l');                      /* text pane: scroll the claim */
	ck_assert_int_gt(T->text.claim_scroll, 0);
	tutor_key(T, 'h');
	ck_assert_int_eq(T->text.claim_scroll, 0);
	tutor_key(T, 'j');                      /* text pane: scroll */
	ck_assert_int_eq(T->text.scroll, 1);
	tutor_key(T, 'k');
	tutor_key(T, 'k');
	ck_assert_int_eq(T->text.scroll, 0);
}
END_TEST

START_TEST(test_slices_clamp)
{
	open_at(1);
	T->focus = PANE_INPUT;
	tutor_key(T, ']');
	ck_assert_int_eq(T->cur[PANE_INPUT][0], 0);
	ck_assert_int_eq(T->cur[PANE_INPUT][1], 1);
	tutor_key(T, ']');
	ck_assert_int_eq(T->cur[PANE_INPUT][0], 1);
	ck_assert_int_eq(T->cur[PANE_INPUT][1], 0);
	pressn(']', 10);
	ck_assert_int_eq(T->cur[PANE_INPUT][0], 1);      /* N - 1 */
	ck_assert_int_eq(T->cur[PANE_INPUT][1], 1);      /* C_in - 1 */
	pressn('[', 10);
	ck_assert_int_eq(T->cur[PANE_INPUT][0], 0);
	ck_assert_int_eq(T->cur[PANE_INPUT][1], 0);
	T->focus = PANE_WEIGHT;                          /* (c_out, c_in) */
	pressn(']', 3);
	ck_assert_int_eq(T->cur[PANE_WEIGHT][0], 1);
	ck_assert_int_eq(T->cur[PANE_WEIGHT][1], 1);
	/* The panes sharing an index show the same slice of it. */
	ck_assert_int_eq(T->cur[PANE_OUTPUT][1], 1);     /* c_out */
	ck_assert_int_eq(T->cur[PANE_INPUT][1], 1);      /* c_in */
	T->focus = PANE_OUTPUT;
	tutor_key(T, '[');                              /* (b, c_out) = (0, 0) */
	ck_assert_int_eq(T->cur[PANE_WEIGHT][0], 0);
	ck_assert_int_eq(T->cur[PANE_INPUT][0], 0);      /* b */
}
END_TEST

/* ---- the shape panel ---- */

/* Select field name in the open shape panel. */
static void
select_field(const char *name)
{
	int i;

	for (i = 0; i < tutor_nshape_fields; i++)
		if (strcmp(tutor_shape_fields[i], name) == 0)
			break;
	ck_assert_int_lt(i, tutor_nshape_fields);
	while (T->field != i)
		tutor_key(T, TK_DOWN);
}

START_TEST(test_shape_refused)
{
	open_at(1);
	tutor_key(T, 's');
	ck_assert_int_eq(T->screen, SCR_SHAPE);
	select_field("strh");
	press("0");
	tutor_key(T, TK_ENTER);
	ck_assert_int_eq(T->screen, SCR_SHAPE);          /* refused */
	ck_assert_ptr_nonnull(T->shape_error);
	ck_assert_msg(strstr(T->shape_error, "str") != NULL, "reason: %s",
	    T->shape_error);
	ck_assert_int_eq(tutor_shape(T)->strh, 2);       /* unchanged */
	/* A kernel larger than the input. */
	tutor_key(T, 'r');
	select_field("R");
	press("12");
	ck_assert_int_eq(T->edit.R, 12);
	tutor_key(T, TK_ENTER);
	ck_assert_int_eq(T->screen, SCR_SHAPE);
	ck_assert_ptr_nonnull(T->shape_error);
	ck_assert_int_eq(tutor_shape(T)->R, 3);
	tutor_key(T, TK_ESC);
	ck_assert_int_eq(T->screen, SCR_LESSON);
	ck_assert_int_eq(tutor_shape(T)->R, 3);
}
END_TEST

START_TEST(test_shape_applied)
{
	open_at(1);
	T->focus = PANE_INPUT;
	pressn('j', 9);
	ck_assert_int_eq(T->cur[PANE_INPUT][2], 5);
	tutor_key(T, 's');
	select_field("H_in");
	tutor_key(T, TK_LEFT);                           /* 6 -> 5 */
	tutor_key(T, TK_LEFT);                           /* 5 -> 4 */
	ck_assert_int_eq(T->edit.H_in, 4);
	select_field("strw");
	tutor_key(T, '+');
	tutor_key(T, TK_ENTER);
	ck_assert_msg(T->shape_error == NULL, "%s", T->shape_error);
	ck_assert_int_eq(T->screen, SCR_LESSON);
	ck_assert_int_eq(tutor_shape(T)->H_in, 4);
	ck_assert_int_eq(tutor_shape(T)->strw, 4);
	ck_assert_int_eq(tutor_shape(T)->H_out, 1);      /* (4-3)/2+1 */
	ck_assert_int_eq(tutor_shape(T)->W_out, 2);      /* (7-2)/4+1 */
	ck_assert_int_eq(T->cur[PANE_INPUT][2], 3);      /* clamped */
	/* Verified again at the new shape. */
	ck_assert(tutor_cur_check(T)->valid);
	ck_assert_int_eq(tutor_cur_check(T)->shape.H_in, 4);
}
END_TEST

/* The command line's shape options over the lesson's default. */
START_TEST(test_override)
{
	conv_shape_opts_t o = { 0 };
	const tutor_lesson_t *tl = &T->lessons[0];
	char *err = NULL;

	ck_assert_int_eq(conv_shape_opts_read(&o, CONV_OPT_STRIDE, "1", &err),
	    0);
	ck_assert_msg(tutor_override(T, &o, &err) == 0, "%s", err);
	ck_assert(tl->start.strh == 1 && tl->start.strw == 1);
	ck_assert(tl->shape.strh == 1 && tl->shape.H_in == 6); /* rest kept */
	ck_assert_int_eq(tl->shape.H_out, 4);                  /* (6-3)/1+1 */
	/* Refused with the lesson and the options: the kernel is too large. */
	ck_assert_int_eq(conv_shape_opts_read(&o, CONV_OPT_SHAPE,
	    "1,1,2,2,1,3,3", &err), 0);
	ck_assert_int_eq(tutor_override(T, &o, &err), -1);
	ck_assert_msg(strstr(err, "tutor-lesson.md: --shape 1,1,2,2,1,3,3 "
	    "--stride 1 --padding 0,0 --dilation 1,1: ") != NULL, "%s", err);
	free(err);
	ck_assert_int_eq(tl->shape.strh, 1);                   /* unchanged */
}
END_TEST

/* ---- claims and cursors ---- */

START_TEST(test_binding)
{
	claim_t *c;
	long vals[16];
	tutor_binding_t *b;

	open_at(1);
	c = tutor_cur_claim(T);
	ck_assert_int_eq(c->nfree, 8);
	b = tutor_bind(c);
	ck_assert_int_eq(b[free_index(c, "h_out1")].pane, PANE_OUTPUT);
	ck_assert_int_eq(b[free_index(c, "h_out1")].dim, 2);
	ck_assert_int_eq(b[free_index(c, "c_in")].pane, PANE_INPUT);
	ck_assert_int_eq(b[free_index(c, "c_in")].dim, 1);
	free(b);
	T->cur[PANE_OUTPUT][0] = 1, T->cur[PANE_OUTPUT][1] = 1;
	T->cur[PANE_OUTPUT][2] = 0, T->cur[PANE_OUTPUT][3] = 1;
	T->cur[PANE_INPUT][0] = 0, T->cur[PANE_INPUT][1] = 1;
	T->cur[PANE_INPUT][2] = 4, T->cur[PANE_INPUT][3] = 5;
	tutor_claim_values(T, c, vals);
	ck_assert_int_eq(vals[free_index(c, "b1")], 1);
	ck_assert_int_eq(vals[free_index(c, "c_out1")], 1);
	ck_assert_int_eq(vals[free_index(c, "h_out1")], 0);
	ck_assert_int_eq(vals[free_index(c, "w_out1")], 1);
	ck_assert_int_eq(vals[free_index(c, "b")], 0);
	ck_assert_int_eq(vals[free_index(c, "c_in")], 1);
	ck_assert_int_eq(vals[free_index(c, "h_in")], 4);
	ck_assert_int_eq(vals[free_index(c, "w_in")], 5);
	/* And back: values move the cursors. */
	vals[free_index(c, "w_in")] = 2;
	tutor_set_values(T, c, vals);
	ck_assert_int_eq(T->cur[PANE_INPUT][3], 2);
	/* The chain rule for the weight binds the weight pane. */
	tutor_goto_step(T, 3);
	c = tutor_cur_claim(T);
	b = tutor_bind(c);
	ck_assert_int_eq(b[free_index(c, "dj")].pane, PANE_WEIGHT);
	ck_assert_int_eq(b[free_index(c, "dj")].dim, 3);
	free(b);
	ck_assert(tutor_shows_df(T));
}
END_TEST

START_TEST(test_window_marks)
{
	long idx[4];
	int h, w, n = 0;

	open_at(1);
	ck_assert_int_eq(tutor_claim_view(tutor_cur_claim(T)), VIEW_WINDOW);
	/* output (b=0, c_out=0, h_out=1, w_out=1): rows 2..4, cols 3..4. */
	T->cur[PANE_OUTPUT][2] = 1, T->cur[PANE_OUTPUT][3] = 1;
	idx[0] = 0, idx[1] = 1;
	for (h = 0; h < 6; h++)
		for (w = 0; w < 7; w++) {
			bool inside = h >= 2 && h <= 4 && w >= 3 && w <= 4;

			idx[2] = h, idx[3] = w;
			ck_assert_msg(!!(tutor_mark(T, PANE_INPUT, idx) & MARK_SET) ==
			    inside, "input (%d,%d)", h, w);
			n += inside;
		}
	ck_assert_int_eq(n, 6);
	/* Another image is outside every window of b1 = 0. */
	idx[0] = 1, idx[2] = 3, idx[3] = 3;
	ck_assert(!(tutor_mark(T, PANE_INPUT, idx) & MARK_SET));
	/* The tap pairing input (0,0,3,4) with that output: di=1, dj=1; but
	 * "outside the window: 0" reads no weight, so that pane is unused and
	 * unmarked; the next claim reads it. */
	T->cur[PANE_INPUT][2] = 3, T->cur[PANE_INPUT][3] = 4;
	idx[0] = 0, idx[1] = 0, idx[2] = 1, idx[3] = 1;
	ck_assert(!tutor_pane_used(T, PANE_WEIGHT));
	ck_assert_uint_eq(tutor_mark(T, PANE_WEIGHT, idx), 0);
	ck_assert(tutor_pane_used(T, PANE_INPUT) &&
	    tutor_pane_used(T, PANE_OUTPUT));
	tutor_key(T, '>');
	ck_assert(tutor_pane_used(T, PANE_WEIGHT));
	T->cur[PANE_OUTPUT][2] = 1, T->cur[PANE_OUTPUT][3] = 1;
	T->cur[PANE_INPUT][2] = 3, T->cur[PANE_INPUT][3] = 4;
	ck_assert(tutor_mark(T, PANE_WEIGHT, idx) & MARK_PARTNER);
	idx[3] = 0;
	ck_assert(!(tutor_mark(T, PANE_WEIGHT, idx) & MARK_PARTNER));
	/* The cursor itself. */
	idx[0] = 0, idx[1] = 0, idx[2] = 3, idx[3] = 4;
	ck_assert(tutor_mark(T, PANE_INPUT, idx) & MARK_CURSOR);
}
END_TEST

START_TEST(test_tap_marks)
{
	long idx[4];

	open_at(3);                 /* d f / d weight */
	ck_assert_int_eq(tutor_claim_view(tutor_cur_claim(T)), VIEW_TAP);
	/* Tap (c_out 0, c_in 0, di 1, dj 0) multiplies input rows 1, 3 and
	 * columns 0, 3 of channel 0 (h_out, w_out in 0..1). */
	T->cur[PANE_WEIGHT][2] = 1, T->cur[PANE_WEIGHT][3] = 0;
	idx[0] = 1, idx[1] = 0, idx[2] = 3, idx[3] = 3;
	ck_assert(tutor_mark(T, PANE_INPUT, idx) & MARK_SET);
	idx[2] = 2;
	ck_assert(!(tutor_mark(T, PANE_INPUT, idx) & MARK_SET));
	idx[2] = 1, idx[3] = 4;
	ck_assert(!(tutor_mark(T, PANE_INPUT, idx) & MARK_SET));
	idx[1] = 1, idx[3] = 0;                          /* other channel */
	ck_assert(!(tutor_mark(T, PANE_INPUT, idx) & MARK_SET));
}
END_TEST

/* Groups (shape panel field "groups"): output channel c_out reads only the
 * input channels of its group, and the weight's channel is the index
 * within the group. At groups = 2 over C_in = C_out = 2 each output
 * channel reads the input channel of its own number. */
START_TEST(test_groups_marks)
{
	long idx[4];

	open_at(1);
	tutor_key(T, '>');                  /* inside the window: reads weight */
	tutor_key(T, 's');
	select_field("groups");
	press("2");
	tutor_key(T, TK_ENTER);
	ck_assert_msg(T->shape_error == NULL, "%s", T->shape_error);
	ck_assert_int_eq(tutor_shape(T)->groups, 2);
	T->focus = PANE_OUTPUT;
	tutor_key(T, ']');                  /* the slice (b 0, c_out 1) */
	ck_assert_int_eq(T->cur[PANE_OUTPUT][1], 1);
	T->cur[PANE_OUTPUT][2] = 1, T->cur[PANE_OUTPUT][3] = 1;
	idx[0] = 0, idx[2] = 2, idx[3] = 3; /* in the window's rows, cols */
	idx[1] = 1;
	ck_assert(tutor_mark(T, PANE_INPUT, idx) & MARK_SET);
	idx[1] = 0;                         /* the other group's channel */
	ck_assert(!(tutor_mark(T, PANE_INPUT, idx) & MARK_SET));
	/* The input leads to channel 0: c_out moves into its group, and the
	 * weight's channel is 0 within it. */
	T->focus = PANE_INPUT;
	T->cur[PANE_INPUT][1] = 1;
	tutor_key(T, '[');
	ck_assert_int_eq(T->cur[PANE_INPUT][1], 0);
	ck_assert_int_eq(T->cur[PANE_OUTPUT][1], 0);
	ck_assert_int_eq(T->cur[PANE_WEIGHT][0], 0);
	ck_assert_int_eq(T->cur[PANE_WEIGHT][1], 0);
	/* The weight leads: its (c_out 1, ci 0) is input channel 1. */
	T->focus = PANE_WEIGHT;
	T->cur[PANE_WEIGHT][0] = 1;
	tutor_key(T, TK_LEFT);
	ck_assert_int_eq(T->cur[PANE_INPUT][1], 1);
	/* The tap pairing input (0,1,3,4) with output (0,1,1,1): c_out 1,
	 * ci 0, di 1, dj 1. */
	T->focus = PANE_OUTPUT;
	T->cur[PANE_INPUT][2] = 3, T->cur[PANE_INPUT][3] = 4;
	idx[0] = 1, idx[1] = 0, idx[2] = 1, idx[3] = 1;
	ck_assert(tutor_mark(T, PANE_WEIGHT, idx) & MARK_PARTNER);
	/* d f / d weight: tap (c_out 1, ci 0) multiplies input channel 1. */
	tutor_goto_step(T, 3);
	T->cur[PANE_WEIGHT][0] = 1, T->cur[PANE_WEIGHT][1] = 0;
	T->cur[PANE_WEIGHT][2] = 1, T->cur[PANE_WEIGHT][3] = 0;
	idx[0] = 1, idx[1] = 1, idx[2] = 3, idx[3] = 3;
	ck_assert(tutor_mark(T, PANE_INPUT, idx) & MARK_SET);
	idx[1] = 0;
	ck_assert(!(tutor_mark(T, PANE_INPUT, idx) & MARK_SET));
}
END_TEST

START_TEST(test_live_cases)
{
	verify_point_t pt;
	const char *label = NULL;
	char *err = NULL;

	open_at(1);
	/* Inside: output (0,0,1,1) reads input rows 2..4, cols 3..4. */
	T->cur[PANE_OUTPUT][2] = 1, T->cur[PANE_OUTPUT][3] = 1;
	T->cur[PANE_INPUT][2] = 3, T->cur[PANE_INPUT][3] = 4;
	ck_assert_msg(tutor_live(T, &pt, &label, &err) == 0, "%s", err);
	ck_assert_ptr_nonnull(label);
	ck_assert_str_eq(label, "inside the window: a weight");
	ck_assert(!pt.applies);     /* claim 0 is the "outside" case */
	free(pt.finding);
	/* Outside. */
	T->cur[PANE_INPUT][2] = 0;
	ck_assert(tutor_live(T, &pt, &label, &err) == 0);
	ck_assert_str_eq(label, "outside the window: 0");
	ck_assert(pt.applies && pt.ok);
	ck_assert(fabs(pt.formula - pt.numeric) < 1e-6);
	ck_assert(fabs(pt.numeric) < 1e-6);
	free(pt.finding);
	/* The inside claim at an inside tuple: the weight, numerically. */
	tutor_key(T, '>');
	T->cur[PANE_INPUT][2] = 3;
	ck_assert(tutor_live(T, &pt, &label, &err) == 0);
	ck_assert(pt.applies && pt.ok);
	ck_assert(fabs(pt.numeric) > 1e-9);
	ck_assert(fabs(pt.formula - pt.numeric) < 1e-6);
	free(pt.finding);
}
END_TEST

START_TEST(test_erratum_cex)
{
	tutor_check_t *ck;
	claim_t *c;
	long vals[16];
	int i;

	open_at(2);
	ck = tutor_cur_check(T);
	ck_assert(ck->valid);
	ck_assert_int_eq(ck->result.verdict, VERDICT_REFUTED);
	ck_assert(ck->result.has_cex);
	tutor_key(T, 'c');
	c = tutor_cur_claim(T);
	tutor_claim_values(T, c, vals);
	for (i = 0; i < c->nfree; i++)
		ck_assert_int_eq(vals[i], ck->result.cex[i]);
	/* The lesson is not fully checked yet; verify it all. */
	ck_assert_int_eq(tutor_lesson_state(T, 0), LS_PARTIAL);
	tutor_key(T, 'V');
	ck_assert_int_eq(tutor_lesson_state(T, 0), LS_ERRATUM);
}
END_TEST

START_TEST(test_list_states)
{
	ck_assert_int_eq(T->screen, SCR_LIST);
	ck_assert_int_eq(tutor_lesson_state(T, 0), LS_NOT_VISITED);
	open_at(0);
	ck_assert_int_eq(tutor_lesson_state(T, 0), LS_PARTIAL);
	tutor_key(T, TK_BACKSPACE);
	ck_assert_int_eq(T->screen, SCR_LIST);
}
END_TEST

START_TEST(test_bad_lesson_listed)
{
	char *paths[2];
	tutor_t *t;

	paths[0] = test_data_path("tutor-lesson.md");
	paths[1] = xstrdup("/nonexistent/lesson.md");
	t = tutor_create(paths, 2);
	ck_assert_int_eq(tutor_lesson_state(t, 1), LS_ERROR);
	ck_assert_ptr_nonnull(t->lessons[1].load_error);
	t->list_cursor = 1;
	tutor_key(t, TK_ENTER);
	ck_assert_int_eq(t->screen, SCR_LIST);           /* refused */
	ck_assert_ptr_nonnull(t->message);
	tutor_key(t, 'k');
	ck_assert_int_eq(t->list_cursor, 0);
	tutor_key(t, 'k');
	ck_assert_int_eq(t->list_cursor, 0);
	tutor_free(t);
	free(paths[0]);
	free(paths[1]);
}
END_TEST


/* ---- variables no pane gives: Tab reaches them, arrows set them ---- */

/* A let of one dimension is no pane: its indices are set by hand. */
static const char vec_lesson[] =
    "# Lets\n\n```shape\nN=2 C_in=2 H_in=4 W_in=4 C_out=1 R=2 S=2\n```\n\n"
    "## A vector\n\n```check\n"
    "let v[r < C_in*R*S] = input[0, r // (R*S), (r // S) % R, r % S]\n\n"
    "v[r] = input[0, r // (R*S), (r // S) % R, r % S] + 0 * v[q]\n"
    "```\n";

START_TEST(test_unbound_variables)
{
	char *err = NULL;
	lesson_t *l = lesson_parse(vec_lesson, sizeof vec_lesson - 1, "vec.md",
	    &err);
	tutor_t *t;
	verify_point_t pt;
	const tensor_t *in;
	const char *label;
	int idx[3], r;

	ck_assert_msg(l != NULL, "%s", err);
	t = tutor_create_lessons(&l, 1);
	tutor_key(t, TK_ENTER);
	ck_assert_int_eq(tutor_extras(t, idx), 1);       /* the let's r */
	ck_assert(!tutor_pane_exists(t, PANE_LET0));     /* a vector: no pane */
	tutor_do(t, ACT_NEXT_CLAIM, 0);
	ck_assert_int_eq(tutor_extras(t, idx), 2);       /* r, q */
	ck_assert_str_eq(t->lessons[0].claims[1]->free[idx[0]].name, "r");
	r = idx[0];
	tutor_key(t, 'x');                              /* explore */
	t->focus = PANE_OUTPUT;
	tutor_key(t, TK_TAB);
	ck_assert(t->var_focus);
	tutor_key(t, TK_RIGHT);                         /* choose q */
	ck_assert_int_eq(t->var_sel, 1);
	tutor_key(t, TK_LEFT);                          /* and r again */
	ck_assert_int_eq(t->var_sel, 0);
	pressn_t(t, TK_UP, 100);                        /* raise it: clamped */
	ck_assert_int_eq(t->extra[r], 2 * 2 * 2 - 1);
	tutor_key(t, TK_DOWN);
	ck_assert_int_eq(t->extra[r], 6);
	ck_assert_int_eq(t->cur[PANE_OUTPUT][2], 0);     /* no pane moved */
	/* The live value at r = 6: input[0, 1, 1, 0] (c_in = 6 // 4, di =
	 * 6 // 2 % 2, dj = 6 % 2), plus 0 * v[q]. */
	ck_assert_int_eq(tutor_live(t, &pt, &label, &err), 0);
	in = verify_ctx_tensor(t->vc, "input");
	ck_assert_double_eq(pt.formula, T4(in, 0, 1, 1, 0));
	free(pt.finding);
	tutor_key(t, TK_TAB);                           /* on to the text */
	ck_assert(!t->var_focus);
	ck_assert_int_eq(t->focus, PANE_TEXT);
	tutor_key(t, TK_BTAB);                          /* and back */
	ck_assert(t->var_focus);
	tutor_free(t);
}
END_TEST

/* ---- lets as panes: cols, and the input pixel it reads ---- */

static const char let_lesson[] =
    "# Lets\n\n```shape\nN=2 C_in=2 H_in=4 W_in=4 C_out=1 R=2 S=2 strh=1 "
    "strw=1\n```\n\n"
    "## A let\n\n```check\n"
    "let cols[b < N, r < C_in*R*S, p < H_out*W_out] =\n"
    "    input[b, r // (R*S), p // W_out + (r // S) % R, p % W_out + r % S]\n\n"
    "let twice[b < N, r < C_in*R*S, p < H_out*W_out] = 2 * cols[b, r, p]\n"
    "```\n";

static tutor_t *
let_tutor(const char *text, size_t len)
{
	char *err = NULL;
	lesson_t *l = lesson_parse(text, len, "let.md", &err);
	tutor_t *t;

	ck_assert_msg(l != NULL, "%s", err);
	t = tutor_create_lessons(&l, 1);
	tutor_key(t, TK_ENTER);
	ck_assert_int_eq(t->screen, SCR_LESSON);
	return t;
}

/* cols[b, r, p] as the verifier evaluated it. */
static double
cols_at(tutor_t *t, const char *name, long b, long r, long p)
{
	const tensor_t *c = verify_ctx_tensor(t->vc, name);

	ck_assert_ptr_nonnull(c);
	return T3(c, b, r, p);
}

START_TEST(test_let_panes)
{
	tutor_t *t = let_tutor(let_lesson, sizeof let_lesson - 1);
	const tutor_let_pane_t *lp = tutor_let_pane(t, PANE_LET0);
	const tutor_col_read_t *rd = &t->lets.read;
	const tensor_t *in;
	verify_point_t pt;
	const char *label;
	char *err = NULL;
	long px[4];

	/* Its own pane, (N, C_in*R*S, H_out*W_out) = (2, 8, 9) at the
	 * cursor (0, b, r, p); its indices are that cursor's, none by hand. */
	ck_assert_ptr_nonnull(lp);
	ck_assert_str_eq(lp->name, "cols");
	ck_assert(lp->dims[0] == 1 && lp->dims[1] == 2 && lp->dims[2] == 8 &&
	    lp->dims[3] == 9);
	ck_assert(lp->im2col);
	ck_assert_int_eq(tutor_extras(t, NULL), 0);
	ck_assert(!tutor_pane_exists(t, PANE_LET1));
	tutor_key(t, 'x');
	ck_assert_int_eq(t->focus, PANE_LET0);          /* the let's own */
	pressn_t(t, TK_DOWN, 5);
	pressn_t(t, TK_RIGHT, 3);
	tutor_key(t, ']');                              /* the next image */
	ck_assert(t->cur[PANE_LET0][1] == 1 && t->cur[PANE_LET0][2] == 5 &&
	    t->cur[PANE_LET0][3] == 3);
	/* r = 5: c_in = 5 // 4 = 1, di = 5 // 2 % 2 = 0, dj = 1; p = 3 (W_out
	 * = 3): h_out = 1, w_out = 0; stride 1: the pixel (1, 1). */
	ck_assert(rd->valid && rd->pane == PANE_LET0);
	ck_assert(rd->b == 1 && rd->r == 5 && rd->p == 3);
	ck_assert(rd->px.inside && rd->px.c_in == 1 && rd->px.h_in == 1 &&
	    rd->px.w_in == 1);
	ck_assert(t->cur[PANE_INPUT][0] == 1 && t->cur[PANE_INPUT][1] == 1 &&
	    t->cur[PANE_INPUT][2] == 1 && t->cur[PANE_INPUT][3] == 1);
	/* The let's value there is that pixel's, and the live check's. */
	in = verify_ctx_tensor(t->vc, "input");
	ck_assert_double_eq(cols_at(t, "cols", 1, 5, 3), T4(in, 1, 1, 1, 1));
	ck_assert_int_eq(tutor_live(t, &pt, &label, &err), 0);
	ck_assert_double_eq(pt.formula, T4(in, 1, 1, 1, 1));
	free(pt.finding);
	/* The input marks it { } in the window ‹ › of output (1, 0): rows
	 * 1..2, columns 0..1; cols marks column p. */
	memcpy(px, (long[4]){ 1, 1, 1, 1 }, sizeof px);
	ck_assert(tutor_mark(t, PANE_INPUT, px) & MARK_PARTNER);
	ck_assert(tutor_mark(t, PANE_INPUT, (long[4]){ 1, 1, 2, 0 }) & MARK_SET);
	ck_assert(!tutor_mark(t, PANE_INPUT, (long[4]){ 1, 1, 0, 0 }));
	ck_assert(!tutor_mark(t, PANE_INPUT, (long[4]){ 1, 0, 1, 1 }));
	ck_assert(tutor_mark(t, PANE_LET0, (long[4]){ 0, 1, 0, 3 }) & MARK_SET);
	ck_assert(!tutor_mark(t, PANE_LET0, (long[4]){ 0, 1, 0, 2 }));
	/* Tab: input, weight, output, cols, then the text. */
	tutor_key(t, TK_TAB);
	ck_assert_int_eq(t->focus, PANE_TEXT);
	tutor_key(t, TK_BTAB);
	ck_assert_int_eq(t->focus, PANE_LET0);
	/* twice = 2 cols: its own pane first, then cols at the same (b, p),
	 * and the twice entries are no input pixels. */
	tutor_do(t, ACT_NEXT_CLAIM, 0);
	ck_assert_str_eq(tutor_let_pane(t, PANE_LET0)->name, "twice");
	ck_assert_str_eq(tutor_let_pane(t, PANE_LET1)->name, "cols");
	ck_assert(!tutor_let_pane(t, PANE_LET0)->im2col);
	ck_assert(tutor_let_pane(t, PANE_LET1)->im2col);
	t->focus = PANE_LET0;
	pressn_t(t, TK_DOWN, 2);
	pressn_t(t, TK_RIGHT, 4);
	ck_assert(t->cur[PANE_LET1][1] == t->cur[PANE_LET0][1] &&
	    t->cur[PANE_LET1][2] == 2 && t->cur[PANE_LET1][3] == 4);
	ck_assert(rd->valid && rd->pane == PANE_LET1 && rd->r == 2 &&
	    rd->p == 4);
	ck_assert_double_eq(cols_at(t, "twice", 0, 2, 4),
	    2 * cols_at(t, "cols", 0, 2, 4));
	tutor_free(t);
}
END_TEST

/* Lesson 7 itself: its cols is im2col at its shape; at a padding it does
 * not cover (its cols reads no padding) it is not, and no pixel is
 * marked. */
START_TEST(test_let_pane_lesson7)
{
	char *path = test_data_path("../../lessons/07-matrix-form.md");
	tutor_t *t = tutor_create(&path, 1);
	conv_shape_t s;
	char *err = NULL;

	free(path);
	ck_assert_ptr_nonnull(t->lessons[0].lesson);
	tutor_key(t, TK_ENTER);
	ck_assert_str_eq(tutor_let_pane(t, PANE_LET0)->name, "cols");
	ck_assert(t->lets.read.valid);
	/* Step 2's Y: Y, then Wm and cols in the order it reads them. */
	tutor_key(t, 'n');
	ck_assert_str_eq(tutor_let_pane(t, PANE_LET0)->name, "Y");
	ck_assert_str_eq(tutor_let_pane(t, PANE_LET1)->name, "Wm");
	ck_assert_str_eq(tutor_let_pane(t, PANE_LET2)->name, "cols");
	tutor_key(t, 'p');
	s = t->lessons[0].shape;
	s.pad_h = s.pad_w = 1;
	ck_assert_msg(tutor_set_shape(t, &s, &err) == 0, "%s", err);
	ck_assert_ptr_nonnull(tutor_let_pane(t, PANE_LET0));
	ck_assert(!tutor_let_pane(t, PANE_LET0)->im2col);
	ck_assert(!t->lets.read.valid);
	tutor_free(t);
}
END_TEST

/* cols over zero padding, written with an if: an entry in the padding
 * reads no pixel, and the input's cursor stays where it was. */
static const char pad_lesson[] =
    "# Lets\n\n```shape\nN=1 C_in=1 H_in=3 W_in=3 C_out=1 R=2 S=2 "
    "strh=1 strw=1 pad_h=1 pad_w=1 covers=padding\n```\n\n"
    "## Padded\n\n```check\n"
    "let cols[b < N, r < C_in*R*S, p < H_out*W_out] =\n"
    "    if 0 <= p // W_out + (r // S) % R - pad_h < H_in\n"
    "       and 0 <= p % W_out + r % S - pad_w < W_in\n"
    "    then input[b, r // (R*S), p // W_out + (r // S) % R - pad_h,\n"
    "               p % W_out + r % S - pad_w]\n"
    "    else 0\n"
    "```\n";

START_TEST(test_let_pane_padding)
{
	tutor_t *t = let_tutor(pad_lesson, sizeof pad_lesson - 1);
	const tutor_col_read_t *rd = &t->lets.read;
	const tutor_let_pane_t *lp = tutor_let_pane(t, PANE_LET0);

	/* H_out = W_out = 3 + 2 - 1 - 1 + 1 = 4: cols is 4 x 16 */
	ck_assert_ptr_nonnull(lp);
	ck_assert(lp->dims[2] == 4 && lp->dims[3] == 16);
	ck_assert(lp->im2col);
	/* (r, p) = (0, 0): pixel (-1, -1), the padding's corner */
	ck_assert(rd->valid && !rd->px.inside);
	ck_assert(rd->px.h_in == -1 && rd->px.w_in == -1);
	ck_assert(tutor_mark(t, PANE_INPUT, (long[4]){ 0, 0, -1, -1 }) &
	    MARK_PARTNER);
	tutor_key(t, 'x');
	pressn_t(t, TK_DOWN, 3);        /* r = 3: di = dj = 1, the pixel (0, 0) */
	ck_assert(rd->px.inside && rd->px.h_in == 0 && rd->px.w_in == 0);
	/* p = 15 (3, 3): (3, 3), past the edge; the input's cursor stays on
	 * the last pixel read inside, p = 10 (2, 2): (2, 2). */
	pressn_t(t, TK_RIGHT, 15);
	ck_assert(!rd->px.inside && rd->px.h_in == 3 && rd->px.w_in == 3);
	ck_assert(t->cur[PANE_INPUT][2] == 2 && t->cur[PANE_INPUT][3] == 2);
	ck_assert_double_eq(cols_at(t, "cols", 0, 3, 15), 0);
	tutor_free(t);
}
END_TEST

/* ---- reading and exploring ---- */

START_TEST(test_layouts)
{
	open_at(0);
	ck_assert_int_eq(T->layout, LAYOUT_READ);       /* prose first */
	ck_assert_int_eq(T->focus, PANE_TEXT);
	tutor_text_measure(T, &(tutor_measure_t){ .page = 10, .rows = 35 });
	tutor_key(T, ' ');
	ck_assert_int_eq(T->text.scroll, 9);           /* a page, less a line */
	tutor_key(T, TK_PGDN);
	ck_assert_int_eq(T->text.scroll, 18);
	tutor_key(T, TK_PGUP);
	ck_assert_int_eq(T->text.scroll, 9);
	pressn(' ', 5);
	ck_assert_int_eq(T->text.scroll, 25);          /* the last page */
	ck_assert_ptr_nonnull(strstr(T->message, "n goes on"));
	tutor_key(T, 'j');
	ck_assert_int_eq(T->text.scroll, 25);          /* clamped */
	tutor_key(T, 'x');
	ck_assert_int_eq(T->layout, LAYOUT_EXPLORE);
	ck_assert_int_eq(T->focus, PANE_INPUT);
	tutor_key(T, 'x');
	ck_assert_int_eq(T->layout, LAYOUT_READ);
	ck_assert_int_eq(T->focus, PANE_TEXT);
	tutor_key(T, TK_BTAB);                          /* a pane: explore */
	ck_assert_int_eq(T->layout, LAYOUT_EXPLORE);
	ck_assert_int_eq(T->focus, PANE_OUTPUT);
	press("nnnnn");                                 /* one lesson only */
	ck_assert_ptr_nonnull(strstr(T->message, "last step of the last lesson"));
}
END_TEST

/* The scroll positions are the state's, kept within what the UI last
 * measured (tutor_text_measure); the screen only draws them. */
START_TEST(test_measure_scrolls)
{
	tutor_measure_t m = { .page = 6, .rows = 20, .claim_from = 12,
	    .claim_n = 8, .claim_over = 10 };

	open_at(1);
	tutor_do(T, ACT_LAYOUT, 0);                     /* exploring */
	ck_assert(T->text.show_claim);                  /* the claim in view */
	tutor_text_measure(T, &m);
	ck_assert_int_eq(T->text.scroll, 12);           /* its first rows */
	ck_assert(!T->text.show_claim);
	tutor_text_measure(T, &m);                      /* once only */
	ck_assert_int_eq(T->text.scroll, 12);
	T->focus = PANE_TEXT;
	pressn('j', 5);                                 /* past the end */
	ck_assert_int_eq(T->text.scroll, 14);           /* rows - page */
	pressn('l', 5);
	tutor_text_measure(T, &m);
	ck_assert_int_eq(T->text.claim_scroll, 10);     /* claim_over */
	tutor_key(T, '>');                              /* a new claim */
	ck_assert_int_eq(T->text.claim_scroll, 0);
	tutor_key(T, '?');
	pressn('j', 50);
	m.help_page = 10, m.help_rows = 30;
	tutor_text_measure(T, &m);
	ck_assert_int_eq(T->text.help_scroll, 20);
	pressn('j', 3);
	ck_assert_int_eq(T->text.help_scroll, 20);
}
END_TEST

/* L opens the step-size lab (lab_print_text's report, default g tanh);
 * g cycles g and recomputes; the keys scroll within the measure; Esc and
 * q go back to where L was pressed. */
START_TEST(test_lab_screen)
{
	tutor_measure_t m = { 0 };
	char *first;

	ck_assert_int_eq(tutor_key(T, 'L'), ACT_LAB);   /* from the list */
	ck_assert_int_eq(T->screen, SCR_LAB);
	ck_assert_str_eq(tutor_screen_name(SCR_LAB), "lab");
	ck_assert_str_eq(tutor_lab_g_name(T), "tanh");
	ck_assert_ptr_nonnull(T->lab_text);
	ck_assert_ptr_nonnull(strstr(T->lab_text, "sum of tanh(output)"));
	ck_assert_ptr_nonnull(strstr(T->lab_text, "float64 (eps"));
	ck_assert_ptr_nonnull(strstr(T->lab_text, "float32 (eps"));
	first = xstrdup(T->lab_text);
	ck_assert_int_eq(tutor_key(T, 'g'), ACT_LAB_G);
	ck_assert_str_eq(tutor_lab_g_name(T), "square");
	ck_assert_ptr_nonnull(strstr(T->lab_text, "sum of square(output)"));
	ck_assert_str_ne(T->lab_text, first);
	pressn('g', 3);                                 /* exp, relu, linear */
	ck_assert_str_eq(tutor_lab_g_name(T), "linear");
	tutor_key(T, 'g');
	ck_assert_str_eq(tutor_lab_g_name(T), "tanh");
	ck_assert_str_eq(T->lab_text, first);           /* deterministic */
	free(first);

	m.lab_page = 10;
	m.lab_rows = tutor_lab_count_lines(T->lab_text);
	ck_assert_int_gt(m.lab_rows, 40);
	tutor_text_measure(T, &m);
	tutor_key(T, 'j');
	ck_assert_int_eq(T->text.lab_scroll, 1);
	tutor_key(T, ' ');                              /* a page less a line */
	ck_assert_int_eq(T->text.lab_scroll, 10);
	tutor_key(T, TK_PGUP);
	ck_assert_int_eq(T->text.lab_scroll, 1);
	pressn(TK_PGDN, 50);
	ck_assert_int_eq(T->text.lab_scroll, m.lab_rows - 10);
	tutor_key(T, 'g');                              /* back to the top */
	ck_assert_int_eq(T->text.lab_scroll, 0);
	ck_assert_str_eq(tutor_lab_g_name(T), "square");

	ck_assert_int_eq(tutor_key(T, TK_ESC), ACT_BACK);
	ck_assert_int_eq(T->screen, SCR_LIST);
	open_at(0);
	tutor_key(T, 'L');                              /* from the lesson */
	ck_assert_int_eq(T->screen, SCR_LAB);
	ck_assert_str_eq(tutor_lab_g_name(T), "square");  /* kept */
	tutor_key(T, 'q');                              /* q: back, not quit */
	ck_assert(!T->quit);
	ck_assert_int_eq(T->screen, SCR_LESSON);
	tutor_key(T, 'L');
	tutor_key(T, TK_BACKSPACE);
	ck_assert_int_eq(T->screen, SCR_LESSON);
	ck_assert_ptr_null(tutor_key_lookup('g', SCR_LESSON));
}
END_TEST

/* n on a lesson's last step opens the next lesson, reading. */
START_TEST(test_next_lesson)
{
	char *path = test_data_path("tutor-lesson.md");
	char *paths[2] = { path, path };
	tutor_t *t = tutor_create(paths, 2);

	free(path);
	tutor_key(t, TK_ENTER);
	tutor_key(t, 'x');
	pressn_t(t, 'n', t->lessons[0].lesson->nsteps - 1);
	ck_assert_int_eq(t->lesson, 0);
	tutor_key(t, 'n');
	ck_assert_int_eq(t->lesson, 1);
	ck_assert_int_eq(t->step, 0);
	ck_assert_int_eq(t->layout, LAYOUT_READ);
	ck_assert_ptr_nonnull(strstr(t->message, "next lesson (2 of 2)"));
	tutor_free(t);
}
END_TEST

/* ---- verification beside the interface (tutor-bg.c) ---- */

/* Poll t until nothing runs, for up to 3 s (a generous bound for the
 * fixture: it verifies in milliseconds). */
static void
poll_idle(tutor_t *t)
{
	struct timespec ts = { 0, 2000000 };
	int i;

	for (i = 0; i < 1500 && tutor_busy(t, NULL); i++) {
		tutor_poll(t);
		nanosleep(&ts, NULL);
	}
	tutor_poll(t);
	ck_assert_msg(!tutor_busy(t, NULL), "still verifying after 3 s");
}

/* A tutor on the fixture with its worker, the lesson open and verified,
 * then set to a shape where a claim takes long enough to cancel. */
static tutor_t *
big_bg_tutor(void)
{
	char *path = test_data_path("tutor-lesson.md"), *err = NULL;
	tutor_t *t = tutor_create(&path, 1);
	conv_shape_t big;

	free(path);
	ck_assert_int_eq(tutor_bg_start(t, &err), 0);
	tutor_key(t, TK_ENTER);
	poll_idle(t);
	big = t->lessons[0].shape;
	big.H_in = big.W_in = 40;
	big.C_in = 3;
	ck_assert_int_eq(tutor_set_shape(t, &big, &err), 0);
	return t;
}

/* V in the background gives the very results the foreground gives, claim
 * by claim, and says so when it is done. */
START_TEST(test_bg_matches_foreground)
{
	char *path = test_data_path("tutor-lesson.md"), *err = NULL;
	tutor_t *fg = tutor_create(&path, 1), *bg = tutor_create(&path, 1);
	int k;

	free(path);
	ck_assert_int_eq(tutor_bg_start(bg, &err), 0);
	tutor_key(fg, TK_ENTER);
	tutor_key(bg, TK_ENTER);
	tutor_key(fg, 'V');
	tutor_key(bg, 'V');
	poll_idle(bg);
	ck_assert_ptr_nonnull(bg->message);
	ck_assert_msg(strstr(bg->message, "lesson verified: ") == bg->message,
	    "message: %s", bg->message);
	for (k = 0; k < fg->lessons[0].nclaims; k++) {
		const tutor_check_t *a = &fg->lessons[0].checks[k];
		const tutor_check_t *b = &bg->lessons[0].checks[k];

		ck_assert(a->valid && b->valid);
		ck_assert_int_eq(a->result.verdict, b->result.verdict);
		ck_assert_uint_eq(a->result.checked, b->result.checked);
		ck_assert_uint_eq(a->result.failures, b->result.failures);
		ck_assert_double_eq(a->result.max_abs, b->result.max_abs);
	}
	tutor_free(fg);
	tutor_free(bg);
}
END_TEST

/* Esc while verifying cancels (and stays in the lesson); nothing
 * cancelled is kept as a result; v then verifies the claim again and
 * says what it came to. */
START_TEST(test_bg_cancel)
{
	tutor_t *t = big_bg_tutor();
	int k;

	tutor_key(t, 'V');
	tutor_key(t, TK_ESC);
	ck_assert_int_eq(t->screen, SCR_LESSON);
	ck_assert_ptr_nonnull(strstr(t->message, "cancelled"));
	/* At once, before the worker reaches its next poll: */
	ck_assert_msg(!tutor_busy(t, NULL), "still shown as verifying");
	ck_assert(!tutor_claim_pending(t, 0));
	poll_idle(t);
	for (k = 0; k < t->lessons[0].nclaims; k++) {
		const tutor_check_t *ck = &t->lessons[0].checks[k];

		ck_assert(!ck->valid || ck->result.verdict != VERDICT_CANCELLED);
	}
	tutor_key(t, 'v');
	/* pending, unless the worker has already done it (a fast machine):
	 * either way nothing else runs */
	ck_assert(tutor_claim_pending(t, 0) || !tutor_busy(t, NULL));
	poll_idle(t);
	ck_assert(!tutor_claim_pending(t, 0));
	ck_assert(t->lessons[0].checks[0].valid);
	ck_assert_ptr_nonnull(strstr(t->message, "claim verified again: "));
	ck_assert_int_eq(t->screen, SCR_LESSON);
	tutor_key(t, TK_ESC);                   /* nothing runs: back */
	ck_assert_int_eq(t->screen, SCR_LIST);
	tutor_free(t);
}
END_TEST

/* v at once after Esc, while the cancelled claim may still be running in
 * the worker: it is queued anew (not taken for the one running, which is
 * dropped), shown as next, and verified. */
START_TEST(test_bg_cancel_then_v)
{
	tutor_t *t = big_bg_tutor();
	tutor_progress_t pr;

	tutor_key(t, 'v');
	ck_assert(tutor_claim_pending(t, 0) || !tutor_busy(t, NULL));
	tutor_key(t, TK_ESC);
	ck_assert(!tutor_claim_pending(t, 0));
	tutor_key(t, 'v');
	/* queued or running, shown as the claim to come (the worker may not
	 * have taken it), unless the worker has already done it */
	if (tutor_busy(t, &pr))
		ck_assert(pr.k == 0 || (pr.k == -1 && pr.queued == 1));
	else
		ck_assert(!tutor_claim_pending(t, 0));
	poll_idle(t);
	ck_assert(t->lessons[0].checks[0].valid);
	ck_assert_int_ne(t->lessons[0].checks[0].result.verdict,
	    VERDICT_CANCELLED);
	ck_assert_ptr_nonnull(strstr(t->message, "claim verified again: "));
	tutor_free(t);
}
END_TEST

/* Poll t until its lets are in, for up to 3 s (lesson 7's default shape
 * evaluates them in milliseconds). */
static void
poll_lets(tutor_t *t)
{
	struct timespec ts = { 0, 2000000 };
	int i;

	for (i = 0; i < 1500 && tutor_lets_waiting(t); i++) {
		tutor_poll(t);
		nanosleep(&ts, NULL);
	}
	tutor_poll(t);
	ck_assert_msg(!tutor_lets_waiting(t), "lets still evaluated after 3 s");
}

/* The same tensor of two tutors' worlds, bit for bit. */
static void
same_let(tutor_t *a, tutor_t *b, const char *name)
{
	const tensor_t *x = verify_ctx_tensor(a->vc, name);
	const tensor_t *y = verify_ctx_tensor(b->vc, name);

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(y);
	ck_assert_uint_eq(x->size, y->size);
	ck_assert(memcmp(x->data, y->data, x->size * sizeof *x->data) == 0);
}

/* Lets that take long are evaluated by the editor's worker (sync_ms 0
 * sends every one there, whatever the machine's speed): meanwhile the
 * step's live line says so and the let panes wait, the keys do not; then
 * its world replaces the tutor's, with the very values the foreground
 * evaluates, every let of the lesson at once. A shape changed meanwhile
 * drops the old request: the world taken is the new shape's. */
START_TEST(test_lets_background)
{
	char *path = test_data_path("../../lessons/07-matrix-form.md");
	tutor_t *fg = tutor_create(&path, 1), *t = tutor_create(&path, 1);
	conv_shape_t s;
	char *err = NULL;
	const tensor_t *cols;

	free(path);
	ck_assert_int_eq(tutor_bg_start(t, &err), 0);
	t->lets_wait.sync_ms = 0;
	tutor_key(fg, TK_ENTER);
	tutor_key(t, TK_ENTER);
	ck_assert(tutor_lets_waiting(t));
	ck_assert_ptr_null(tutor_let_pane(t, PANE_LET0));
	tutor_key(t, 'x');                      /* keys act meanwhile */
	ck_assert_int_eq(t->layout, LAYOUT_EXPLORE);
	poll_lets(t);
	ck_assert_str_eq(tutor_let_pane(t, PANE_LET0)->name, "cols");
	ck_assert(tutor_let_pane(t, PANE_LET0)->im2col);
	ck_assert(t->lets.read.valid);
	ck_assert(t->live.valid && t->live.rc == 0);
	same_let(t, fg, "cols");
	same_let(t, fg, "Wm");
	tutor_key(t, 'n');                      /* Y is in already */
	ck_assert(!tutor_lets_waiting(t));
	ck_assert_str_eq(tutor_let_pane(t, PANE_LET0)->name, "Y");
	tutor_key(fg, 'n');
	same_let(t, fg, "Y");
	s = t->lessons[0].shape;
	s.H_in += 1;
	ck_assert_msg(tutor_set_shape(t, &s, &err) == 0, "%s", err);
	ck_assert(tutor_lets_waiting(t));
	tutor_key(t, 'j');                      /* Y reads Wm and cols */
	ck_assert(t->live.valid && t->live.rc != 0);
	ck_assert_ptr_nonnull(strstr(t->live.err, "evaluating the lesson's lets"));
	poll_lets(t);
	ck_assert(conv_shape_equal(verify_ctx_shape(t->vc), &s));
	cols = verify_ctx_tensor(t->vc, "cols");
	ck_assert_ptr_nonnull(cols);
	conv_shape_validate(&s, 0, NULL);
	ck_assert_uint_eq(cols->shape[2], (size_t)(s.H_out * s.W_out));
	ck_assert_str_eq(tutor_let_pane(t, PANE_LET0)->name, "Y");
	tutor_free(fg);
	tutor_free(t);
}
END_TEST

/* The marked box by visiting every cell of the slice, as the panes did
 * before tutor_mark_box: the reference. */
static void
box_by_cells(const tutor_t *t, tutor_pane_t p, const long ext[4],
    long rows[2], long cols[2])
{
	long idx[4], i, j;

	rows[0] = cols[0] = LONG_MAX;
	rows[1] = cols[1] = LONG_MIN;
	idx[0] = t->cur[p][0], idx[1] = t->cur[p][1];
	for (i = ext[0]; i <= ext[1]; i++)
		for (j = ext[2]; j <= ext[3]; j++) {
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

/* Every pane but the weight's, box against cells (with the padded border
 * of the input, as the panes draw it). */
static void
boxes_agree(const tutor_t *t, const char *where)
{
	const conv_shape_t *s = tutor_shape(t);
	tutor_pane_t p;

	for (p = PANE_INPUT; p < PANE_COUNT; p++) {
		long dims[4], ext[4], a[2], b[2], c[2], d[2];

		if (p == PANE_WEIGHT || !tutor_pane_exists(t, p))
			continue;
		tutor_pane_dims(t, p, dims);
		ext[0] = ext[2] = 0, ext[1] = dims[2] - 1, ext[3] = dims[3] - 1;
		if (p == PANE_INPUT) {
			ext[0] -= s->pad_h, ext[1] += s->pad_h;
			ext[2] -= s->pad_w, ext[3] += s->pad_w;
		}
		tutor_mark_box(t, p, ext, a, c);
		box_by_cells(t, p, ext, b, d);
		if (b[0] > b[1])        /* none: both say none */
			ck_assert_msg(a[0] > a[1] || c[0] > c[1],
			    "%s pane %d: a box where no cell is marked", where, p);
		else
			ck_assert_msg(a[0] == b[0] && a[1] == b[1] && c[0] == d[0] &&
			    c[1] == d[1], "%s pane %d: box rows %ld..%ld cols "
			    "%ld..%ld, cells rows %ld..%ld cols %ld..%ld", where, p,
			    a[0], a[1], c[0], c[1], b[0], b[1], d[0], d[1]);
	}
}

/* tutor_mark_box gives the box that visiting the cells gives, in every
 * step and claim of the bundled lessons (every view: window, feeds, tap,
 * bias, the im2col read, an erratum's interval), at their shapes and with
 * padding and dilation, the cursors moved about in every pane. */
START_TEST(test_mark_box)
{
	static const char *const lessons[] = {
		"03-input.md", "04-weight.md", "05-bias.md", "06-chain-rule.md",
		"07-matrix-form.md", "08-errata.md", "09-padding-dilation.md",
		"11-groups.md",
	};
	size_t li;

	for (li = 0; li < sizeof lessons / sizeof lessons[0]; li++) {
		char rel[64], *path, *err = NULL;
		tutor_t *t;
		int pass;

		snprintf(rel, sizeof rel, "../../lessons/%s", lessons[li]);
		path = test_data_path(rel);
		t = tutor_create(&path, 1);
		free(path);
		ck_assert_ptr_nonnull(t->lessons[0].lesson);
		tutor_key(t, TK_ENTER);
		tutor_key(t, 'x');
		for (pass = 0; pass < 2; pass++) {
			int st, k, m;

			if (pass == 1) {        /* padded and dilated, if it can */
				conv_shape_t sh = t->lessons[0].shape;

				sh.pad_h = sh.pad_w = 1;
				sh.dil_h = 2;
				sh.H_in += 2;
				if (tutor_set_shape(t, &sh, &err) != 0) {
					free(err);
					err = NULL;
					continue;
				}
				while (t->step > 0)
					tutor_key(t, 'p');
			}
			for (st = 0; st < t->lessons[0].lesson->nsteps; st++) {
				for (k = 0; k < 4; k++) {
					char where[96];

					snprintf(where, sizeof where, "%s pass %d step %d "
					    "claim %d", lessons[li], pass, st + 1, t->claim);
					for (m = 0; m < 6; m++) {
						boxes_agree(t, where);
						tutor_key(t, m % 2 ? 'l' : 'j');
						if (m == 2)
							tutor_key(t, TK_TAB);
					}
					tutor_key(t, '>');
				}
				tutor_key(t, 'n');
			}
		}
		tutor_free(t);
	}
}
END_TEST

/* ---- the window's geometry (conv-shape.c, shared with the panes) ---- */

/* Against the definition h = str*ho + dil*d - pad, 0 <= d < R, by
 * enumeration, over strides, dilations and paddings. */
START_TEST(test_window_geometry)
{
	long str, dil, pad, ho, h, d, R = 3;

	for (str = 1; str <= 3; str++)
		for (dil = 1; dil <= 2; dil++)
			for (pad = 0; pad <= 2; pad++)
				for (ho = 0; ho < 4; ho++)
					for (h = -3; h < 16; h++) {
						long want = -1, got = -1;

						for (d = 0; d < R; d++)
							if (h == str * ho + dil * d - pad)
								want = d;
						if (!conv_axis_tap(h, ho, str, dil, pad, R, &got))
							got = -1;
						ck_assert_int_eq(got, want);
						for (d = 0; d < R; d++) {
							long o;
							bool any = false;

							for (o = 0; o < 4; o++)
								any |= h == str * o + dil * d - pad;
							ck_assert(conv_axis_tapped(h, d, str, dil, pad,
							    4) == any);
						}
					}
}
END_TEST

START_TEST(test_shape_equal)
{
	conv_shape_t a, b;

	conv_shape_init(&a, 2, 2, 7, 8, 3, 3, 2);
	ck_assert_int_eq(conv_shape_validate(&a, 0, NULL), 0);
	b = a;
	ck_assert(conv_shape_equal(&a, &b));
	b.pad_w = 1;
	ck_assert(!conv_shape_equal(&a, &b));
	b = a;
	b.dil_h = 2;
	ck_assert(!conv_shape_equal(&a, &b));
}
END_TEST

/* ---- the bias pane ---- */

/* Lesson 5 differentiates by bias[c_out]: the bias pane shows, c_out is
 * its cursor (apart from the output's c_out1), Tab reaches it, and the
 * outputs that bias[c_out] adds to are marked. */
START_TEST(test_bias_pane)
{
	char *path = test_data_path("../../lessons/05-bias.md");
	tutor_t *t = tutor_create(&path, 1);
	tutor_binding_t *b;
	long d[4], idx[4] = { 0, 1, 0, 0 };
	claim_t *c;

	free(path);
	tutor_key(t, TK_ENTER);
	c = tutor_cur_claim(t);
	ck_assert(tutor_shows_bias(t));
	tutor_pane_dims(t, PANE_BIAS, d);
	ck_assert_int_eq(d[2], tutor_shape(t)->C_out);
	ck_assert_int_eq(d[3], 1);
	b = tutor_bind(c);
	ck_assert_int_eq(b[free_index(c, "c_out")].pane, PANE_BIAS);
	ck_assert_int_eq(b[free_index(c, "c_out")].dim, 2);
	free(b);
	pressn_t(t, TK_TAB, 4);                 /* text, input, weight, output */
	ck_assert_int_eq(t->focus, PANE_BIAS);
	tutor_key(t, 'j');
	ck_assert_int_eq(t->cur[PANE_BIAS][2], 1);
	ck_assert_int_eq(t->cur[PANE_OUTPUT][1], 0);    /* c_out1 its own */
	ck_assert_int_eq(tutor_claim_view(c), VIEW_BIAS);
	ck_assert(tutor_mark(t, PANE_OUTPUT, idx) & MARK_SET);
	idx[1] = 0;
	ck_assert(!(tutor_mark(t, PANE_OUTPUT, idx) & MARK_SET));
	tutor_key(t, TK_TAB);
	ck_assert_int_eq(t->focus, PANE_TEXT);
	tutor_free(t);
}
END_TEST

/* A forward claim adds bias[c_out] at the output's c_out: the pane
 * follows it; a claim without bias has no bias pane, and Tab skips it. */
START_TEST(test_bias_follows)
{
	open_at(0);
	ck_assert(tutor_shows_bias(T));
	T->focus = PANE_OUTPUT;
	tutor_key(T, ']');
	ck_assert_int_eq(T->cur[PANE_OUTPUT][1], 1);
	ck_assert_int_eq(T->cur[PANE_BIAS][2], 1);
	tutor_goto_step(T, 1);
	ck_assert(!tutor_shows_bias(T));
	T->layout = LAYOUT_EXPLORE;
	T->focus = PANE_OUTPUT;
	tutor_key(T, TK_TAB);
	ck_assert_int_eq(T->focus, PANE_TEXT);
	tutor_key(T, TK_BTAB);
	ck_assert_int_eq(T->focus, PANE_OUTPUT);
}
END_TEST

/* ---- the erratum made visible ---- */

/* The fixture's erratum bounds the columns by strw*h_out1 + S - 1: at
 * output (h_out1 1, w_out1 0) its window takes in columns 0..4 where the
 * true window is 0..1; at (0, 1) it takes in no column at all. */
START_TEST(test_source_interval)
{
	long idx[4] = { 0, 0, 3, 3 };

	open_at(2);
	T->cur[PANE_OUTPUT][2] = 1, T->cur[PANE_OUTPUT][3] = 0;
	tutor_live_update(T);
	ck_assert(T->srcset.valid);
	ck_assert_int_eq(T->srcset.src_r[0], 2);
	ck_assert_int_eq(T->srcset.src_r[1], 4);
	ck_assert_int_eq(T->srcset.src_c[0], 0);
	ck_assert_int_eq(T->srcset.src_c[1], 4);
	ck_assert_int_eq(T->srcset.win_c[0], 0);
	ck_assert_int_eq(T->srcset.win_c[1], 1);
	ck_assert(tutor_mark(T, PANE_INPUT, idx) & MARK_SOURCE);
	idx[3] = 1;                             /* in the window: ‹ › */
	ck_assert(tutor_mark(T, PANE_INPUT, idx) & MARK_SET);
	ck_assert(!(tutor_mark(T, PANE_INPUT, idx) & MARK_SOURCE));
	idx[3] = 5;                             /* past both */
	ck_assert_uint_eq(tutor_mark(T, PANE_INPUT, idx) &
	    (MARK_SET | MARK_SOURCE), 0);
	T->cur[PANE_OUTPUT][2] = 0, T->cur[PANE_OUTPUT][3] = 1;
	tutor_live_update(T);
	ck_assert(T->srcset.src_c[0] > T->srcset.src_c[1]);    /* none */
	ck_assert_int_eq(T->srcset.win_c[0], 3);
	tutor_goto_step(T, 1);                  /* not an erratum */
	tutor_live_update(T);
	ck_assert(!T->srcset.valid);
}
END_TEST

/* Lesson 8's "+R - 1, not +R": the erratum and its correction paired,
 * "- 1" marked in the correction and "R" in neither. */
START_TEST(test_erratum_pair)
{
	char *path = test_data_path("../../lessons/08-errata.md");
	tutor_t *t = tutor_create(&path, 1);
	const char *txt, *at;
	size_t off;
	int s;

	free(path);
	tutor_key(t, TK_ENTER);
	for (s = 0; s < t->lessons[0].lesson->nsteps; s++) {
		tutor_goto_step(t, s);
		if (strstr(t->lessons[0].lesson->steps[s].title, "+R") != NULL)
			break;
	}
	ck_assert_ptr_nonnull(t->pair.src);
	ck_assert(t->pair.src->expect_fail && !t->pair.fix->expect_fail);
	ck_assert_ptr_eq(t->pair.src, tutor_cur_claim(t));
	txt = t->pair.fix->text;
	at = strstr(txt, "strh*h_out1 + R - 1");
	ck_assert_ptr_nonnull(at);
	off = (size_t)(at - txt) + strlen("strh*h_out1 + ");
	ck_assert_int_eq(t->pair.mfix[off], 0);         /* R */
	ck_assert_int_eq(t->pair.mfix[off + 2], 1);     /* - */
	ck_assert_int_eq(t->pair.mfix[off + 4], 1);     /* 1 */
	tutor_key(t, '>');                              /* the correction */
	ck_assert_ptr_eq(t->pair.fix, tutor_cur_claim(t));
	tutor_free(t);
}
END_TEST

static const struct diff_case {
	const char *a, *b, *ma, *mb;    /* marks: ^ on changed bytes */
} diff_cases[] = {
	{ "x + R", "x + R - 1", "     ", "      ^ ^" },
	{ "strw*h_out1 + S", "strw*w_out1 + S", "     ^^^^^^    ",
	  "     ^^^^^^    " },
	{ "a == b", "a == b", "      ", "      " },
	{ "sum(b1) df", "sum(b1, h) df", "          ", "      ^ ^    " },
	{ "", "x", "", "^" },
};

START_TEST(test_tok_diff)
{
	const struct diff_case *c = &diff_cases[_i];
	size_t na = strlen(c->a), nb = strlen(c->b), i;
	unsigned char ma[64], mb[64];

	ck_assert(tok_diff(c->a, c->b, ma, mb));
	for (i = 0; i < na; i++)
		ck_assert_msg(ma[i] == (c->ma[i] == '^'), "'%s' byte %zu", c->a, i);
	for (i = 0; i < nb; i++)
		ck_assert_msg(mb[i] == (c->mb[i] == '^'), "'%s' byte %zu", c->b, i);
}
END_TEST

/* Past TOK_DIFF_MAX tokens: no diff, nothing marked. */
START_TEST(test_tok_diff_bound)
{
	size_t n = 2 * TOK_DIFF_MAX + 4, i;
	char *a = xcalloc(2 * n + 1, 1);
	unsigned char *ma = xcalloc(2 * n + 1, 1), mb[2];

	for (i = 0; i < n; i++)
		a[2 * i] = 'x', a[2 * i + 1] = ' ';
	ck_assert(!tok_diff(a, "y", ma, mb));
	ck_assert_int_eq(mb[0], 0);
	free(a);
	free(ma);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("tutor");
	TCase *tc = tcase_create("keys");

	tcase_add_test(tc, test_keys_unique);
	tcase_add_test(tc, test_keys_documented);
	tcase_add_test(tc, test_bad_lesson_listed);
	suite_add_tcase(s, tc);

	tc = tcase_create("unbound");
	tcase_add_test(tc, test_unbound_variables);
	tcase_add_test(tc, test_let_panes);
	tcase_add_test(tc, test_let_pane_padding);
	tcase_add_test(tc, test_let_pane_lesson7);
	suite_add_tcase(s, tc);

	tc = tcase_create("geometry");
	tcase_add_test(tc, test_window_geometry);
	tcase_add_test(tc, test_shape_equal);
	suite_add_tcase(s, tc);

	tc = tcase_create("lessons");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bias_pane);
	tcase_add_test(tc, test_erratum_pair);
	tcase_add_loop_test(tc, test_tok_diff, 0,
	    (int)(sizeof diff_cases / sizeof diff_cases[0]));
	tcase_add_test(tc, test_tok_diff_bound);
	suite_add_tcase(s, tc);

	tc = tcase_create("background");
	tcase_add_test(tc, test_bg_matches_foreground);
	tcase_add_test(tc, test_bg_cancel);
	tcase_add_test(tc, test_bg_cancel_then_v);
	tcase_add_test(tc, test_lets_background);
	suite_add_tcase(s, tc);

	tc = tcase_create("state");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_mark_box);  /* every lesson: long under ASan */
	tcase_add_test(tc, test_help_and_quit);
	tcase_add_test(tc, test_cursor_clamps);
	tcase_add_test(tc, test_tab_cycles);
	tcase_add_test(tc, test_steps_at_ends);
	tcase_add_test(tc, test_claims_in_step);
	tcase_add_test(tc, test_slices_clamp);
	tcase_add_test(tc, test_shape_refused);
	tcase_add_test(tc, test_shape_applied);
	tcase_add_test(tc, test_override);
	tcase_add_test(tc, test_binding);
	tcase_add_test(tc, test_window_marks);
	tcase_add_test(tc, test_tap_marks);
	tcase_add_test(tc, test_groups_marks);
	tcase_add_test(tc, test_bias_follows);
	tcase_add_test(tc, test_source_interval);
	tcase_add_test(tc, test_live_cases);
	tcase_add_test(tc, test_erratum_cex);
	tcase_add_test(tc, test_list_states);
	tcase_add_test(tc, test_layouts);
	tcase_add_test(tc, test_measure_scrolls);
	tcase_add_test(tc, test_next_lesson);
	tcase_add_test(tc, test_lab_screen);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
