/*
 * check_tutor_edit.c: learning by doing in the tutor's state (tutor-edit.h),
 * without a terminal: the keys (e and : edit, x explores, w t r bound), the
 * editor taking every key while it types (q typed, not quitting; ^U ^W
 * Delete Home End; a UTF-8 character arriving byte by byte), a syntax error
 * (message, caret column, the text kept), a typed let refused without
 * touching the lesson's scope, a claim that holds and one that fails
 * verified by the editor's worker, c moving the cursors to the typed
 * claim's counterexample and shrinking it, Esc cancelling a verification
 * and a shrinking that would run for minutes, a line at its longest, the
 * history kept from one tutor to the next,
 * w writing mine.md (created, appended to, a failed write, a file that does
 * not load left alone), the lets a written step carries, and an exercise
 * step (hints in order, hidden until answered or revealed, judged).
 *
 * Worker results are polled for with a deadline of 3 s (each is a few
 * milliseconds at these shapes: the fixture is N=2 C_in=2 H_in=6 W_in=7).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check-util.h"
#include "tutor-edit.h"
#include "util.h"

static tutor_t *T;
static char tmpdir[64];

static void
setup_dirs(void)
{
	char *st, *da;

	snprintf(tmpdir, sizeof tmpdir, "/tmp/check_tutor_edit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	st = xasprintf("%s/state", tmpdir);
	da = xasprintf("%s/data", tmpdir);
	setenv("XDG_STATE_HOME", st, 1);
	setenv("XDG_DATA_HOME", da, 1);
	free(st);
	free(da);
}

static tutor_t *
open_fixture(const char *name)
{
	char *path = test_data_path(name);
	tutor_t *t = tutor_create(&path, 1);

	free(path);
	ck_assert_msg(t->lessons[0].lesson != NULL, "fixture did not load: %s",
	    t->lessons[0].load_error);
	ck_assert_int_eq(tutor_key(t, TK_ENTER), ACT_OPEN);
	return t;
}

static void
setup(void)
{
	setup_dirs();
	T = open_fixture("tutor-lesson.md");
}

static void
rm_rf(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static void
teardown(void)
{
	tutor_free(T);
	T = NULL;
	rm_rf(tmpdir);
	unsetenv("CONVGRAD_TEST_BG_PACE");
}

/* Keys one after another: a string's bytes. */
static void
type(tutor_t *t, const char *s)
{
	for (; *s != '\0'; s++)
		tutor_key(t, (unsigned char)*s);
}

static const char *
line(tutor_t *t)
{
	return lineedit_text(tutor_ed(t)->le);
}

/* Poll the worker until cond() or 3 s. */
static bool
wait_until(tutor_t *t, bool (*cond)(tutor_t *))
{
	struct timespec ms = { 0, 5000000 };
	double until = util_now() + 3.0;

	while (!cond(t) && util_now() < until) {
		tutor_poll(t);
		nanosleep(&ms, NULL);
	}
	tutor_poll(t);
	return cond(t);
}

static bool
mine_done(tutor_t *t)
{
	return tutor_ed(t)->mine.run != EDR_RUNNING;
}

static bool
shrink_done(tutor_t *t)
{
	return tutor_ed(t)->shrink.run != EDR_RUNNING;
}

static bool
worker_idle(tutor_t *t)
{
	return !tutor_ed_busy(t, NULL, NULL);
}

#define FWD "output[b,c_out,h_out,w_out] = bias[c_out] + sum(c_in, di, dj) " \
	"input[b, c_in, strh*h_out + di, strw*w_out + dj] * " \
	"weight[c_out, c_in, di, dj]"
#define NOBIAS "output[b,c_out,h_out,w_out] = sum(c_in, di, dj) " \
	"input[b, c_in, strh*h_out + di, strw*w_out + dj] * " \
	"weight[c_out, c_in, di, dj]"

/* Type text into a fresh editor line and press Enter. */
static void
enter_claim(tutor_t *t, const char *text)
{
	if (!tutor_ed_shown(t) || !tutor_ed(t)->typing)
		tutor_key(t, 'e');
	tutor_key(t, TK_END);
	tutor_key(t, 21);               /* ^U */
	type(t, text);
	tutor_key(t, TK_ENTER);
}

START_TEST(test_keys)
{
	ck_assert_int_eq(tutor_key_lookup('e', SCR_LESSON)->action, ACT_EDIT);
	ck_assert_int_eq(tutor_key_lookup(':', SCR_LESSON)->action, ACT_EDIT);
	ck_assert_int_eq(tutor_key_lookup('x', SCR_LESSON)->action, ACT_LAYOUT);
	ck_assert_int_eq(tutor_key_lookup('w', SCR_LESSON)->action, ACT_WRITE);
	ck_assert_int_eq(tutor_key_lookup('t', SCR_LESSON)->action, ACT_HINT);
	ck_assert_int_eq(tutor_key_lookup('r', SCR_LESSON)->action, ACT_REVEAL);
	ck_assert_ptr_null(tutor_key_lookup('e', SCR_LIST));
	/* x toggles the layout, as e did */
	ck_assert_int_eq(T->layout, LAYOUT_READ);
	tutor_key(T, 'x');
	ck_assert_int_eq(T->layout, LAYOUT_EXPLORE);
	tutor_key(T, 'x');
	ck_assert_int_eq(T->layout, LAYOUT_READ);
}
END_TEST

START_TEST(test_typing)
{
	ck_assert(!tutor_ed_shown(T));
	ck_assert_int_eq(tutor_key(T, 'e'), ACT_EDIT);
	ck_assert(tutor_ed_shown(T) && tutor_ed(T)->typing);
	ck_assert_int_eq(tutor_key(T, 'q'), ACT_EDIT);  /* typed, not quit */
	ck_assert(!T->quit);
	type(T, "xn");                  /* nor explore, nor next step */
	ck_assert_int_eq(T->layout, LAYOUT_READ);
	ck_assert_int_eq(T->step, 0);
	ck_assert_str_eq(line(T), "qxn");
	tutor_key(T, TK_HOME);
	type(T, "(");
	tutor_key(T, TK_END);
	type(T, ")");
	ck_assert_str_eq(line(T), "(qxn)");
	tutor_key(T, TK_LEFT);
	tutor_key(T, TK_BACKSPACE);
	ck_assert_str_eq(line(T), "(qx)");
	tutor_key(T, TK_HOME);
	tutor_key(T, TK_DELETE);
	ck_assert_str_eq(line(T), "qx)");
	tutor_key(T, TK_END);
	type(T, " ab");
	tutor_key(T, 23);               /* ^W */
	ck_assert_str_eq(line(T), "qx) ");
	tutor_key(T, 1);                /* ^A, ^E */
	ck_assert_uint_eq(lineedit_cursor(tutor_ed(T)->le), 0);
	tutor_key(T, 5);
	tutor_key(T, 21);               /* ^U */
	ck_assert_str_eq(line(T), "");
	/* ∂ (e2 88 82) arrives as three keys, is inserted whole */
	tutor_key(T, 0xe2);
	ck_assert_str_eq(line(T), "");
	tutor_key(T, 0x88);
	tutor_key(T, 0x82);
	ck_assert_str_eq(line(T), "\xe2\x88\x82");
	tutor_key(T, TK_BACKSPACE);
	ck_assert_str_eq(line(T), "");
	type(T, "wei");
	tutor_key(T, TK_TAB);
	ck_assert_str_eq(line(T), "weight");
	ck_assert_int_eq(tutor_key(T, TK_ESC), ACT_EDIT);
	ck_assert(!tutor_ed_shown(T));
	ck_assert_int_eq(T->screen, SCR_LESSON);     /* Esc closed it only */
}
END_TEST

START_TEST(test_syntax)
{
	const char *bad = "output[b, c_out, h_out, w_out] = bias[c_out] +";
	tutor_ed_t *ed;

	tutor_key(T, 'e');
	type(T, bad);
	tutor_key(T, TK_ENTER);
	ed = tutor_ed(T);
	ck_assert_ptr_nonnull(ed->syntax);
	ck_assert_msg(strstr(ed->syntax, "expression expected") != NULL, "%s",
	    ed->syntax);
	ck_assert_int_eq(ed->syntax_at, (long)strlen(bad));
	ck_assert_str_eq(line(T), bad);             /* the text stays */
	ck_assert(ed->typing);
	ck_assert_ptr_null(ed->mine.claim);
	/* a bracket never closed: the caret at its column, the message says
	 * what was expected */
	enter_claim(T, "output[b, c_out = 1");
	ck_assert_ptr_nonnull(ed->syntax);
	ck_assert_msg(strstr(ed->syntax, "expected") != NULL, "%s", ed->syntax);
	ck_assert_int_ge(ed->syntax_at, 0);
	ck_assert_int_le(ed->syntax_at, (long)strlen("output[b, c_out = 1"));
	/* a let would add a tensor: refused, the lesson's scope untouched */
	enter_claim(T, "let zz[i < N] = 1");
	ck_assert_msg(strstr(ed->syntax, "a let defines a tensor") != NULL, "%s",
	    ed->syntax);
	ck_assert_int_eq(expr_scope_rank(T->lessons[0].lesson->scope, "zz"), 0);
}
END_TEST

START_TEST(test_holds_fails_cex)
{
	tutor_ed_t *ed;
	long vals[8];
	int i;

	enter_claim(T, FWD);
	ed = tutor_ed(T);
	ck_assert_ptr_null(ed->syntax);
	ck_assert_ptr_nonnull(ed->mine.claim);
	ck_assert(!ed->typing);                     /* the keys are the tutor's */
	ck_assert(ed->mine.live_valid && ed->mine.live_rc == 0);
	ck_assert(ed->mine.live.ok);
	ck_assert(wait_until(T, mine_done));
	ck_assert_int_eq(ed->mine.run, EDR_DONE);
	ck_assert_int_eq(ed->mine.result.verdict, VERDICT_HOLDS);
	ck_assert_uint_eq(ed->mine.result.checked, 2 * 2 * 2 * 2);
	enter_claim(T, NOBIAS);
	ck_assert(wait_until(T, mine_done));
	ck_assert_int_eq(ed->mine.result.verdict, VERDICT_FAILS);
	ck_assert(ed->mine.result.has_cex);
	/* move off the counterexample, then c brings the cursors back */
	T->cur[PANE_OUTPUT][0] = 1;
	T->cur[PANE_OUTPUT][1] = 1;
	tutor_key(T, 'c');
	tutor_claim_values(T, ed->mine.claim, vals);
	for (i = 0; i < ed->mine.claim->nfree; i++)
		ck_assert_int_eq(vals[i], ed->mine.result.cex[i]);
	ck_assert(!ed->mine.live.ok);               /* the live check there */
	ck_assert(ed->shrink.typed);
	ck_assert(wait_until(T, shrink_done));
	ck_assert_int_eq(ed->shrink.run, EDR_DONE);
	ck_assert_msg(strncmp(ed->shrink.text, "fails already at N=1 C_in=1 ",
	    28) == 0, "%s", ed->shrink.text);
}
END_TEST

/* c on the lesson's own erratum: the cursors, then its smallest shape. */
START_TEST(test_cex_lesson)
{
	tutor_ed_t *ed;

	tutor_goto_step(T, 2);          /* the erratum */
	tutor_verify_step(T, true);
	tutor_key(T, 'c');
	ed = tutor_ed(T);
	ck_assert(!ed->shrink.typed);
	ck_assert(wait_until(T, shrink_done));
	ck_assert_msg(ed->shrink.text != NULL &&
	    strncmp(ed->shrink.text, "fails already at ", 17) == 0, "%s",
	    ed->shrink.text);
	/* Esc with nothing running and no panel: back to the list */
	tutor_key(T, TK_ESC);
	ck_assert_int_eq(T->screen, SCR_LIST);
}
END_TEST

START_TEST(test_cancel)
{
	double t0;

	setenv("CONVGRAD_TEST_BG_PACE", "600000", 1);     /* ten minutes */
	enter_claim(T, FWD);
	ck_assert_int_eq(tutor_ed(T)->mine.run, EDR_RUNNING);
	ck_assert(tutor_ed_busy(T, NULL, NULL));
	t0 = util_now();
	tutor_key(T, TK_ESC);
	ck_assert(!tutor_ed_shown(T));
	ck_assert(wait_until(T, worker_idle));
	ck_assert_msg(util_now() - t0 < 2.0, "the cancel took %.2f s",
	    util_now() - t0);
	ck_assert(tutor_ed_stop(T->ed, 1000));      /* it ends when told */
}
END_TEST

/* c's shrinking runs in the background and Esc cancels it (the pace
 * makes it run for minutes otherwise). */
START_TEST(test_shrink_cancel)
{
	tutor_ed_t *ed;
	double t0;

	tutor_goto_step(T, 2);          /* the erratum, verified at once */
	tutor_verify_step(T, true);
	setenv("CONVGRAD_TEST_BG_PACE", "600000", 1);
	tutor_key(T, 'c');
	ed = tutor_ed(T);
	ck_assert_int_eq(ed->shrink.run, EDR_RUNNING);
	t0 = util_now();
	tutor_key(T, TK_ESC);
	ck_assert_int_eq(ed->shrink.run, EDR_CANCELLED);
	ck_assert_int_eq(T->screen, SCR_LESSON);    /* Esc cancelled only */
	ck_assert_msg(strstr(T->message, "shrinking cancelled") != NULL, "%s",
	    T->message);
	ck_assert(tutor_ed_stop(T->ed, 1000));      /* it ends when told */
	ck_assert_msg(util_now() - t0 < 2.0, "the cancel took %.2f s",
	    util_now() - t0);
}
END_TEST

/* A line at LINEEDIT_MAX takes no more and says so. */
START_TEST(test_longest_line)
{
	char *big = xcalloc(LINEEDIT_MAX + 1, 1);

	memset(big, '0', LINEEDIT_MAX);
	tutor_key(T, 'e');
	lineedit_set(tutor_ed(T)->le, big);
	ck_assert_uint_eq(strlen(line(T)), LINEEDIT_MAX);
	tutor_key(T, '1');
	ck_assert_uint_eq(strlen(line(T)), LINEEDIT_MAX);
	ck_assert_msg(strstr(T->message, "at its longest") != NULL, "%s",
	    T->message);
	free(big);
}
END_TEST

START_TEST(test_history)
{
	char *path = tutor_ed_history_path(), *data = NULL, *err = NULL;
	size_t len;
	tutor_t *t2;

	enter_claim(T, FWD);
	enter_claim(T, "output[b,c_out,h_out,w_out] = 0");
	ck_assert_int_eq(read_file(path, &data, &len, &err), 0);
	ck_assert_str_eq(data, FWD "\noutput[b,c_out,h_out,w_out] = 0\n");
	free(data);
	t2 = open_fixture("tutor-lesson.md");
	tutor_key(t2, ':');
	tutor_key(t2, TK_UP);
	ck_assert_str_eq(line(t2), "output[b,c_out,h_out,w_out] = 0");
	tutor_key(t2, TK_UP);
	ck_assert_str_eq(line(t2), FWD);
	tutor_key(t2, TK_DOWN);
	tutor_key(t2, TK_DOWN);
	ck_assert_str_eq(line(t2), "");
	tutor_free(t2);
	free(path);
}
END_TEST

static int
file_steps(const char *path)
{
	char *err = NULL;
	lesson_t *l = lesson_load(path, &err);
	int n;

	ck_assert_msg(l != NULL, "%s", err);
	n = l->nsteps;
	lesson_free(l);
	return n;
}

START_TEST(test_write)
{
	char *path = tutor_ed_mine_path(), *data = NULL, *err = NULL;
	size_t len;
	FILE *f;

	tutor_key(T, 'w');
	ck_assert_msg(strstr(T->message, "no claim to write") != NULL, "%s",
	    T->message);
	enter_claim(T, NOBIAS);
	tutor_key(T, 'w');
	ck_assert_msg(strncmp(T->message, "step 1 written to ", 18) == 0, "%s",
	    T->message);
	ck_assert_int_eq(file_steps(path), 1);
	tutor_key(T, 'e');
	enter_claim(T, FWD);
	tutor_key(T, 'w');
	ck_assert_int_eq(file_steps(path), 2);
	ck_assert_int_eq(read_file(path, &data, &len, &err), 0);
	ck_assert(strstr(data, "# My own claims") == data);
	ck_assert(strstr(data, "```shape\nN=2 C_in=2 H_in=6 W_in=7 C_out=2 R=3 "
	    "S=2 strh=2 strw=3\n```") != NULL);
	ck_assert(strstr(data, NOBIAS) != NULL && strstr(data, FWD) != NULL);
	free(data);
	/* a file that does not load is left alone */
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("# broken\n\n```check\noutput[ = \n```\n", f);
	ck_assert_int_eq(fclose(f), 0);
	tutor_key(T, 'w');
	ck_assert_msg(strstr(T->message, "does not load, so w leaves it alone")
	    != NULL, "%s", T->message);
	ck_assert_int_eq(read_file(path, &data, &len, &err), 0);
	ck_assert_str_eq(data, "# broken\n\n```check\noutput[ = \n```\n");
	free(data);
	free(path);
	/* a place that cannot be written (a file where a directory would
	 * be): said, naming it */
	free(tutor_ed(T)->mine_path);
	tutor_ed(T)->mine_path = xasprintf("%s/data/convgrad/mine.md/sub/mine.md",
	    tmpdir);
	tutor_key(T, 'w');
	ck_assert_msg(strstr(T->message, "mine.md/sub/mine.md") != NULL &&
	    strstr(T->message, "written") == NULL, "%s", T->message);
}
END_TEST

/* The lets a written step carries: those the claim uses, through the
 * lets they use, not those the file has already. */
static const char let_lesson[] =
	"# Lets\n\n```shape\nN=1 C_in=1 H_in=4 W_in=4 C_out=1 R=2 S=2\n```\n\n"
	"## One\n\n```check\nlet aa[b < N] = 2\n\nlet bb[b < N] = aa[b] + 1\n\n"
	"let cc[b < N] = 5\n```\n";

START_TEST(test_step_lets)
{
	char *err = NULL, *s;
	lesson_t *l = lesson_parse(let_lesson, sizeof let_lesson - 1, "l.md",
	    &err), *have;

	ck_assert_msg(l != NULL, "%s", err);
	s = tutor_ed_step_text(l, 0, "bb[b] = 3", NULL);
	ck_assert(strstr(s, "let aa[b < N] = 2\n\nlet bb[b < N] = aa[b] + 1\n\n")
	    != NULL);
	ck_assert(strstr(s, "let cc") == NULL);
	ck_assert(strstr(s, "# typed in the tutor\nbb[b] = 3\n```\n") != NULL);
	free(s);
	have = lesson_parse(let_lesson, sizeof let_lesson - 1, "h.md", &err);
	s = tutor_ed_step_text(l, 0, "bb[b] = 3", have);
	ck_assert(strstr(s, "let aa") == NULL && strstr(s, "let bb") == NULL);
	free(s);
	lesson_free(have);
	lesson_free(l);
}
END_TEST

START_TEST(test_exercise)
{
	tutor_t *t = open_fixture("tutor-exercise.md");
	tutor_ed_t *ed;

	ck_assert_int_eq(tutor_ed_nexercises(t), 1);
	ck_assert_int_eq(tutor_ed_exercise(t), 0);
	ck_assert(tutor_ed_hidden(t));
	tutor_key(t, 't');
	ck_assert_int_eq(tutor_ed_hints_shown(t), 1);
	tutor_key(t, 't');
	tutor_key(t, 't');
	ck_assert_int_eq(tutor_ed_hints_shown(t), 3);
	tutor_key(t, 't');
	ck_assert_int_eq(tutor_ed_hints_shown(t), 3);
	ck_assert_msg(strstr(t->message, "no more hints") != NULL, "%s",
	    t->message);
	/* a wrong answer: refused, still hidden */
	enter_claim(t, "d f / d bias[c_out] = sum(b) df[b, c_out, 0, 0]");
	ed = tutor_ed(t);
	ck_assert_int_eq(ed->mine.exercise, 0);
	ck_assert(wait_until(t, mine_done));
	ck_assert(ed->mine.judged);
	ck_assert_int_eq(ed->mine.verdict.outcome, EXERCISE_REFUSED);
	ck_assert(tutor_ed_hidden(t));
	ck_assert(!tutor_ed_solved(t, 0));
	/* the answer's form: accepted, solved, revealed */
	enter_claim(t, "d f / d bias[c_out] = sum(b, h_out, w_out) "
	    "df[b, c_out, h_out, w_out]");
	ck_assert(wait_until(t, mine_done));
	ck_assert_int_eq(ed->mine.verdict.outcome, EXERCISE_ACCEPTED);
	ck_assert(ed->mine.verdict.same_form);
	ck_assert(tutor_ed_solved(t, 0));
	ck_assert(!tutor_ed_hidden(t));
	ck_assert_int_eq(tutor_ed_exercise(t), -1);
	/* the next step: hidden until r */
	tutor_key(t, TK_ESC);
	tutor_key(t, 'n');
	ck_assert(tutor_ed_hidden(t));
	tutor_key(t, 'r');
	ck_assert(!tutor_ed_hidden(t));
	tutor_key(t, 'n');
	ck_assert_int_eq(tutor_ed_nexercises(t), 0);
	ck_assert(!tutor_ed_hidden(t));
	tutor_free(t);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("tutor-edit");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_typing);
	tcase_add_test(tc, test_syntax);
	tcase_add_test(tc, test_holds_fails_cex);
	tcase_add_test(tc, test_cex_lesson);
	tcase_add_test(tc, test_cancel);
	tcase_add_test(tc, test_shrink_cancel);
	tcase_add_test(tc, test_longest_line);
	tcase_add_test(tc, test_history);
	tcase_add_test(tc, test_write);
	tcase_add_test(tc, test_step_lets);
	tcase_add_test(tc, test_exercise);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
