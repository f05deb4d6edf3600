/*
 * check_exercise.c: the judge of a student's claim. A right answer is
 * accepted at three shapes; a right answer of another form is accepted and
 * the answer given after; an answer fitted to the default shape (the
 * stride written as a number) is refused at the shape where it fails, and
 * really fails there; a wrong one is refused at the default; a syntax error
 * keeps the parser's caret; a let and an erratum are no answers; the
 * cancel flag stops the judge; the shapes are valid, covered and differ.
 * Through a lesson's parsed exercise blocks (tests/data/lessons/exercise*.md):
 * the same four verdicts, hints in order, a hidden answer that is wrong at
 * the default shape refused at load with file:line:col, one fitted to the
 * default shape loading but refused at another judging shape. A claim that
 * holds but answers something else (another left side, the derivative
 * restated, a where that leaves out a case) is refused. Every exercise of
 * lessons 3 to 7 is accepted in its own form.
 */
#include <stdlib.h>
#include <string.h>

#include "check-util.h"
#include "learn-util.h"
#include "exercise.h"
#include "shrink.h"
#include "util.h"

/* Lesson 3's window case, as the lesson writes it. */
static const char tap_answer[] =
    "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in]\n"
    "    = weight[c_out1, c_in, h_in - strh*h_out1, w_in - strw*w_out1]\n"
    "    where b == b1 and h_in in strh*h_out1 .. strh*h_out1 + R - 1\n"
    "          and w_in in strw*w_out1 .. strw*w_out1 + S - 1";

static exercise_verdict_t
judge(const char *lesson, const char *answer, const char *text)
{
	lesson_t *l = learn_lesson_load(lesson);
	exercise_verdict_t v;
	verify_opts_t o;
	char *err = NULL;

	verify_opts_default(&o);
	ck_assert_msg(exercise_judge(l, answer, text, &o, &v, &err) == 0, "%s",
	    err ? err : "?");
	ck_assert_ptr_nonnull(v.message);
	lesson_free(l);
	return v;
}

START_TEST(test_right_answer)
{
	/* the same claim, laid out on one line */
	exercise_verdict_t v = judge("03-input.md", tap_answer,
	    "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] = "
	    "weight[c_out1, c_in, h_in - strh*h_out1, w_in - strw*w_out1] "
	    "where b == b1 and h_in in strh*h_out1 .. strh*h_out1 + R - 1 "
	    "and w_in in strw*w_out1 .. strw*w_out1 + S - 1");

	ck_assert_int_eq(v.outcome, EXERCISE_ACCEPTED);
	ck_assert(v.same_form);
	ck_assert_msg(strncmp(v.message, "holds at 3 shapes (N=2 C_in=2 H_in=7 "
	    "W_in=8 C_out=3 R=3 S=2 stride 2,3; ", 60) == 0, "%s", v.message);
	ck_assert_ptr_null(strstr(v.message, "the answer"));
	exercise_verdict_clear(&v);
}
END_TEST

/* The bias gradient with the sum's indices in another order, and the
 * tap written with the window's start subtracted the other way round. */
START_TEST(test_other_form)
{
	static const char bias_answer[] = "d f / d bias[c_out] = "
	    "sum(b1, h_out1, w_out1) df[b1,c_out,h_out1,w_out1]";
	exercise_verdict_t v = judge("05-bias.md", bias_answer,
	    "d f / d bias[c_out] = sum(h_out1, w_out1) sum(b1) "
	    "df[b1, c_out, h_out1, w_out1]");

	ck_assert_int_eq(v.outcome, EXERCISE_ACCEPTED);
	ck_assert(!v.same_form);
	ck_assert_msg(strstr(v.message, "; the answer: d f / d bias[c_out] = "
	    "sum(b1, h_out1, w_out1)") != NULL, "%s", v.message);
	exercise_verdict_clear(&v);

	v = judge("03-input.md", tap_answer,
	    "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] = "
	    "weight[c_out1, c_in, h_in - h_out1*strh, -(strw*w_out1 - w_in)] "
	    "where b1 == b and h_in - strh*h_out1 in 0 .. R - 1 "
	    "and w_in - strw*w_out1 in 0 .. S - 1");
	ck_assert_msg(v.outcome == EXERCISE_ACCEPTED, "%s", v.message);
	ck_assert(!v.same_form);
	exercise_verdict_clear(&v);
}
END_TEST

/* The stride written as the default's number (2, 3): right at the lesson's
 * shape, refused at the first other shape (another stride), and it really
 * fails there. */
START_TEST(test_one_shape_only)
{
	static const char fitted[] =
	    "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] = "
	    "weight[c_out1, c_in, h_in - 2*h_out1, w_in - 3*w_out1] "
	    "where b == b1 and h_in in 2*h_out1 .. 2*h_out1 + R - 1 "
	    "and w_in in 3*w_out1 .. 3*w_out1 + S - 1";
	lesson_t *l = learn_lesson_load("03-input.md");
	exercise_verdict_t v = judge("03-input.md", tap_answer, fitted);
	verify_result_t r;
	verify_opts_t o;
	claim_t *c;
	char *err = NULL;

	ck_assert_int_eq(v.outcome, EXERCISE_REFUSED);
	ck_assert_int_ge(v.shape_index, 1);
	ck_assert(v.shape.strh != 2 || v.shape.strw != 3);
	ck_assert_msg(strncmp(v.message, "fails at N=", 11) == 0 &&
	    strstr(v.message, ": at b1=") != NULL, "%s", v.message);
	/* really refuted there */
	c = claim_parse(fitted, "t", 1, 1, l->scope, &err);
	ck_assert_ptr_nonnull(c);
	verify_opts_default(&o);
	ck_assert_int_eq(shrink_verify_at(l, c, &v.shape, &o, &r, &err), 0);
	ck_assert_int_eq(r.verdict, VERDICT_FAILS);
	verify_result_clear(&r);
	claim_free(c);
	exercise_verdict_clear(&v);
	lesson_free(l);
}
END_TEST

START_TEST(test_wrong)
{
	/* the zero case claimed to be 1 */
	exercise_verdict_t v = judge("03-input.md", tap_answer,
	    "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] = 1 "
	    "where b != b1");

	ck_assert_int_eq(v.outcome, EXERCISE_REFUSED);
	ck_assert_int_eq(v.shape_index, 0);
	ck_assert_msg(strstr(v.message, "formula 1, numeric 0") != NULL, "%s",
	    v.message);
	exercise_verdict_clear(&v);
}
END_TEST

START_TEST(test_syntax_and_no_answers)
{
	exercise_verdict_t v = judge("03-input.md", tap_answer,
	    "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] = "
	    "weight[c_out1, c_in, (h_in");

	ck_assert_int_eq(v.outcome, EXERCISE_SYNTAX);
	ck_assert_msg(strncmp(v.message, "answer:1:", 9) == 0 &&
	    strchr(v.message, '^') != NULL, "%s", v.message);
	exercise_verdict_clear(&v);

	v = judge("05-bias.md", "x", "let z[i < 2] = 0");
	ck_assert_int_eq(v.outcome, EXERCISE_REFUSED);
	ck_assert_int_eq(v.shape_index, -1);
	exercise_verdict_clear(&v);

	v = judge("05-bias.md", "x", "d f / d bias[c_out] = "
	    "sum(b1) df[b1,c_out,h_out1,w_out1]\n    expect fail");
	ck_assert_int_eq(v.outcome, EXERCISE_REFUSED);
	ck_assert_msg(strstr(v.message, "erratum") != NULL, "%s", v.message);
	exercise_verdict_clear(&v);
}
END_TEST

/* A claim of lesson 7 reads its lets: they are evaluated at every shape. */
START_TEST(test_lets)
{
	exercise_verdict_t v = judge("07-matrix-form.md", "x",
	    "d f / d weight[c_out, c_in, di, dj] = "
	    "dWm[c_out, c_in*R*S + di*S + dj]");

	ck_assert_msg(v.outcome == EXERCISE_ACCEPTED, "%s", v.message);
	exercise_verdict_clear(&v);
	/* the column read without the tap's row: refused */
	v = judge("07-matrix-form.md", "x", "d f / d weight[c_out, c_in, di, dj] = "
	    "dWm[c_out, c_in*R*S + dj]");
	ck_assert_int_eq(v.outcome, EXERCISE_REFUSED);
	exercise_verdict_clear(&v);
}
END_TEST

START_TEST(test_cancel)
{
	static volatile sig_atomic_t flag = 1;
	lesson_t *l = learn_lesson_load("05-bias.md");
	exercise_verdict_t v;
	verify_opts_t o;
	char *err = NULL;

	verify_opts_default(&o);
	o.cancel = &flag;
	ck_assert_int_eq(exercise_judge(l, "x", "d f / d bias[c_out] = "
	    "sum(b1, h_out1, w_out1) df[b1,c_out,h_out1,w_out1]", &o, &v, &err),
	    0);
	ck_assert_int_eq(v.outcome, EXERCISE_CANCELLED);
	exercise_verdict_clear(&v);
	lesson_free(l);
}
END_TEST

/* Every bundled lesson gets three shapes: valid, covered, all different,
 * the others' strides unlike the default's. */
START_TEST(test_shapes)
{
	static const char *const names[] = { "01-forward.md",
	    "02-general-rule.md", "03-input.md", "04-weight.md", "05-bias.md",
	    "06-chain-rule.md", "07-matrix-form.md", "08-errata.md" };
	lesson_t *l = learn_lesson_load(names[_i]);
	conv_shape_t sh[EXERCISE_NSHAPES];
	const char *why;
	int k;

	ck_assert_int_eq(exercise_shapes(l, sh), EXERCISE_NSHAPES);
	ck_assert(memcmp(&sh[0], &l->shape, sizeof sh[0]) == 0);
	for (k = 1; k < EXERCISE_NSHAPES; k++) {
		conv_shape_t s = sh[k];

		ck_assert_int_eq(conv_shape_validate(&s, 0, NULL), 0);
		ck_assert(lesson_covers(l, &s, &why));
		ck_assert(s.strh != l->shape.strh && s.strw != l->shape.strw);
		ck_assert(s.strh != 1 || s.strw != 1);
	}
	ck_assert(memcmp(&sh[1], &sh[2], sizeof sh[1]) != 0);
	lesson_free(l);
}
END_TEST

/* ---- through the parsed exercise blocks ---- */

static lesson_t *
fixture(const char *name)
{
	char *path = test_data_path(name), *err = NULL;
	lesson_t *l = lesson_load(path, &err);

	ck_assert_msg(l != NULL, "%s: %s", name, err ? err : "?");
	free(path);
	return l;
}

/* Judge text against exercise ex of lesson l (its parsed block). */
static exercise_verdict_t
judge_on(const lesson_t *l, const lesson_exercise_t *ex, const char *text)
{
	exercise_verdict_t v;
	verify_opts_t o;
	char *err = NULL;

	verify_opts_default(&o);
	ck_assert_msg(exercise_judge_exercise(l, ex, text, &o, &v, &err) == 0,
	    "%s", err ? err : "?");
	ck_assert_ptr_nonnull(v.message);
	return v;
}

/* The fixture's answers hold at load; the four verdicts through them. */
START_TEST(test_fixture_verdicts)
{
	lesson_t *l = fixture("lessons/exercise.md");
	const lesson_exercise_t *tap = &l->steps[1].exercises[0];
	const lesson_exercise_t *bias = &l->steps[0].exercises[0];
	exercise_verdict_t v;
	char *err = NULL;

	ck_assert_msg(exercise_check_lesson(l, NULL, &err) == 0, "%s", err);
	/* right, as the answer writes it (the block's own text) */
	v = judge_on(l, tap, tap->answer);
	ck_assert_int_eq(v.outcome, EXERCISE_ACCEPTED);
	ck_assert(v.same_form);
	exercise_verdict_clear(&v);
	/* right, another form: the tap's rows as an offset in 0..R-1 */
	v = judge_on(l, tap, "d output[b1,c_out1,h_out1,w_out1] / "
	    "d input[b,c_in,h_in,w_in] = if b == b1 and h_in - strh*h_out1 in "
	    "0 .. R - 1 and w_in - strw*w_out1 in 0 .. S - 1 then weight[c_out1, "
	    "c_in, h_in - strh*h_out1, w_in - strw*w_out1] else 0");
	ck_assert_msg(v.outcome == EXERCISE_ACCEPTED, "%s", v.message);
	ck_assert(!v.same_form);
	ck_assert_msg(strstr(v.message, "; the answer: d output[b1") != NULL,
	    "%s", v.message);
	exercise_verdict_clear(&v);
	/* right at the default shape only: the stride forgotten as 2, 3 */
	v = judge_on(l, tap, "d output[b1,c_out1,h_out1,w_out1] / "
	    "d input[b,c_in,h_in,w_in] = weight[c_out1, c_in, h_in - 2*h_out1, "
	    "w_in - 3*w_out1] where b == b1 and h_in in 2*h_out1 .. 2*h_out1 + "
	    "R - 1 and w_in in 3*w_out1 .. 3*w_out1 + S - 1");
	ck_assert_int_eq(v.outcome, EXERCISE_REFUSED);
	ck_assert_int_ge(v.shape_index, 1);
	ck_assert(v.shape.strh != 2 && v.shape.strw != 3);
	ck_assert_msg(strncmp(v.message, "fails at N=", 11) == 0, "%s",
	    v.message);
	exercise_verdict_clear(&v);
	/* wrong: the bias gradient without the batch, refused at once */
	v = judge_on(l, bias, "d f / d bias[c_out] = sum(h_out, w_out) "
	    "df[0, c_out, h_out, w_out]");
	ck_assert_int_eq(v.outcome, EXERCISE_REFUSED);
	ck_assert_int_eq(v.shape_index, 0);
	ck_assert_msg(strstr(v.message, "at c_out=") != NULL, "%s", v.message);
	exercise_verdict_clear(&v);
	lesson_free(l);
}
END_TEST

/* Hints come in the order written, tier 1 first, and stop after the last;
 * a continued hint is one tier. */
START_TEST(test_fixture_hints)
{
	lesson_t *l = fixture("lessons/exercise.md");
	const lesson_exercise_t *bias = &l->steps[0].exercises[0];

	ck_assert_int_eq(bias->nhints, 3);
	ck_assert_str_eq(exercise_hint(bias, 1), "bias[c_out] is added to "
	    "every output of channel c_out.");
	ck_assert_str_eq(exercise_hint(bias, 2), "Sum df over the batch b and "
	    "every position h_out, w_out.");
	ck_assert_str_eq(exercise_hint(bias, 3), "d f / d bias[c_out] = "
	    "sum(b, h_out, w_out) df[...]");
	ck_assert_ptr_null(exercise_hint(bias, 4));
	ck_assert_ptr_null(exercise_hint(bias, 0));
	ck_assert_int_eq(l->steps[1].exercises[0].nhints, 2);
	lesson_free(l);
}
END_TEST

/* A hidden answer that does not hold at the default shape: the lesson
 * parses, and the check every front end runs refuses it at the answer's
 * line and column, with the counterexample. */
START_TEST(test_wrong_hidden_answer)
{
	lesson_t *l = fixture("lessons/exercise-wrong.md");
	char *path = test_data_path("lessons/exercise-wrong.md");
	char *want = xasprintf("%s:18:9: error: the exercise's answer (the "
	    "exercise block at line 16) does not hold at the lesson's default "
	    "shape: fails at N=2 C_in=1 H_in=4 W_in=4 C_out=2 R=2 S=2 stride "
	    "1: at c_out=", path);
	char *err = NULL;

	ck_assert_int_eq(exercise_check_lesson(l, NULL, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
	ck_assert_ptr_nonnull(strstr(err, ": formula "));
	free(err);
	free(want);
	free(path);
	lesson_free(l);
}
END_TEST

/* An answer fitted to the default shape loads (it holds there), but is
 * refused at another of the judging shapes, as verify reports it. */
START_TEST(test_fitted_hidden_answer)
{
	lesson_t *l = fixture("lessons/exercise-fitted.md");
	const lesson_exercise_t *ex = &l->steps[0].exercises[0];
	exercise_verdict_t v;
	verify_opts_t o;
	char *err = NULL;

	verify_opts_default(&o);
	ck_assert_msg(exercise_check_lesson(l, &o, &err) == 0, "%s", err);
	ck_assert_int_eq(exercise_judge_claim(l, &l->shape, ex->answer_claim,
	    ex->answer_claim, &o, &v, &err), 0);
	ck_assert_int_eq(v.outcome, EXERCISE_REFUSED);
	ck_assert_int_eq(v.shape_index, 1);
	exercise_verdict_clear(&v);
	lesson_free(l);
}
END_TEST

/* The load check stops on the cancel flag. */
START_TEST(test_check_cancel)
{
	static volatile sig_atomic_t flag = 1;
	lesson_t *l = fixture("lessons/exercise.md");
	verify_opts_t o;
	char *err = NULL;

	verify_opts_default(&o);
	o.cancel = &flag;
	ck_assert_int_eq(exercise_check_lesson(l, &o, &err), -1);
	ck_assert_str_eq(err, "cancelled");
	free(err);
	lesson_free(l);
}
END_TEST

/* Lessons 3 to 7 each have exercises, each with two or three hint tiers,
 * whose answers are accepted as a student's claim would be: at the three
 * judging shapes, in the answer's own form. */
START_TEST(test_bundled_exercises)
{
	static const char *const names[] = { "03-input.md", "04-weight.md",
	    "05-bias.md", "06-chain-rule.md", "07-matrix-form.md" };
	lesson_t *l = learn_lesson_load(names[_i]);
	exercise_verdict_t v;
	verify_opts_t o;
	char *err = NULL;
	int i, k, n = 0;

	verify_opts_default(&o);
	for (i = 0; i < l->nsteps; i++)
		for (k = 0; k < l->steps[i].nexercises; k++) {
			const lesson_exercise_t *ex = &l->steps[i].exercises[k];

			n++;
			ck_assert_msg(ex->nhints >= 2 && ex->nhints <= 3,
			    "%s:%d: %d hints", names[_i], ex->line, ex->nhints);
			ck_assert_int_eq(exercise_judge_claim(l, &l->shape,
			    ex->answer_claim, ex->answer_claim, &o, &v, &err), 0);
			ck_assert_msg(v.outcome == EXERCISE_ACCEPTED && v.same_form,
			    "%s:%d: %s", names[_i], ex->line, v.message);
			exercise_verdict_clear(&v);
		}
	ck_assert_int_ge(n, 1);
	lesson_free(l);
}
END_TEST

/* The k-th exercise of lesson l, counting from 0 over all its steps. */
static const lesson_exercise_t *
nth_exercise(const lesson_t *l, int k)
{
	int i;

	for (i = 0; i < l->nsteps; i++) {
		if (k < l->steps[i].nexercises)
			return &l->steps[i].exercises[k];
		k -= l->steps[i].nexercises;
	}
	ck_abort_msg("no exercise %d", k);
	return NULL;
}

/* A claim that holds is not yet an answer: about another quantity, with
 * the derivative restated on the right, or with a where that leaves out a
 * case, it is refused (each holds: verify would pass it). */
START_TEST(test_holds_but_no_answer)
{
	lesson_t *l = learn_lesson_load("03-input.md");
	const lesson_exercise_t *zero = nth_exercise(l, 0);
	exercise_verdict_t v;

	/* the forward pass holds, but the exercise asks for a derivative */
	v = judge_on(l, zero, "output[b, c_out, h_out, w_out] = bias[c_out] + "
	    "sum(c_in, di, dj) input[b, c_in, strh*h_out + di, strw*w_out + dj]"
	    " * weight[c_out, c_in, di, dj]");
	ck_assert_int_eq(v.outcome, EXERCISE_REFUSED);
	ck_assert_int_eq(v.shape_index, -1);
	ck_assert_msg(strstr(v.message, "this claim is about output[b, c_out, "
	    "h_out, w_out]; the exercise asks for d output[b1, c_out1, h_out1, "
	    "w_out1] / d input[b, c_in, h_in, w_in]") != NULL, "%s", v.message);
	exercise_verdict_clear(&v);
	/* the left side restated as d (the sum) / d input: true, derives
	 * nothing */
	v = judge_on(l, zero, "d output[b1,c_out1,h_out1,w_out1] / "
	    "d input[b,c_in,h_in,w_in] = d (sum(c_in1, di, dj) input[b1, c_in1, "
	    "strh*h_out1 + di, strw*w_out1 + dj] * weight[c_out1, c_in1, di, dj])"
	    " / d input[b,c_in,h_in,w_in] where b != b1");
	ck_assert_int_eq(v.outcome, EXERCISE_REFUSED);
	ck_assert_msg(strstr(v.message, "a derivative is left on the right") !=
	    NULL, "%s", v.message);
	exercise_verdict_clear(&v);
	/* zero in another image only: true, but the window's cases are left
	 * out */
	v = judge_on(l, zero, "d output[b1,c_out1,h_out1,w_out1] / "
	    "d input[b,c_in,h_in,w_in] = 0 where b != b1");
	ck_assert_int_eq(v.outcome, EXERCISE_REFUSED);
	ck_assert_int_eq(v.shape_index, 0);
	ck_assert_msg(strstr(v.message, "holds at N=2 C_in=2 H_in=7 W_in=8 "
	    "C_out=3 R=3 S=2 stride 2,3, but at ") != NULL &&
	    strstr(v.message, "its where leaves out a case") != NULL, "%s",
	    v.message);
	exercise_verdict_clear(&v);
	/* the zero case as the lesson writes it, and with the cases in
	 * another order: accepted */
	v = judge_on(l, zero, "d output[b1,c_out1,h_out1,w_out1] / "
	    "d input[b,c_in,h_in,w_in] = 0 where not (w_in in strw*w_out1 .. "
	    "strw*w_out1 + S - 1) or b1 != b or not (h_in - strh*h_out1 in "
	    "0 .. R - 1)");
	ck_assert_msg(v.outcome == EXERCISE_ACCEPTED, "%s", v.message);
	ck_assert(!v.same_form);
	exercise_verdict_clear(&v);
	lesson_free(l);
}
END_TEST

static Suite *
exercise_suite(void)
{
	Suite *s = suite_create("exercise");
	TCase *tc = tcase_create("exercise");

	tcase_add_test(tc, test_right_answer);
	tcase_add_test(tc, test_other_form);
	tcase_add_test(tc, test_one_shape_only);
	tcase_add_test(tc, test_wrong);
	tcase_add_test(tc, test_syntax_and_no_answers);
	tcase_add_test(tc, test_lets);
	tcase_add_test(tc, test_cancel);
	tcase_add_loop_test(tc, test_shapes, 0, 8);
	tcase_add_test(tc, test_fixture_verdicts);
	tcase_add_test(tc, test_fixture_hints);
	tcase_add_test(tc, test_wrong_hidden_answer);
	tcase_add_test(tc, test_fitted_hidden_answer);
	tcase_add_test(tc, test_check_cancel);
	tcase_add_loop_test(tc, test_bundled_exercises, 0, 5);
	tcase_add_test(tc, test_holds_but_no_answer);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(exercise_suite());
}
