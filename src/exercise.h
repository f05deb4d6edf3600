/*
 * exercise.h: judging a student's claim against an exercise of a lesson.
 *
 * The student writes a claim (the check language, expr.h) that sees the
 * lesson's lets and shape. It is accepted when it holds at every tuple at
 * three shapes the lesson covers: the lesson's default and two others with
 * other strides and sizes (exercise_shapes), so that a formula fitted to
 * one shape ("forgot the stride", at stride 1) is refused, with the shape
 * where it fails and the counterexample there. A claim that holds but is
 * not written as the exercise's answer (extra cases, another order) is
 * accepted too, and the answer given after it.
 *
 * No curses, no output: the tutor's exercise steps and `convgrad verify`
 * call it. The exercise block of a lesson (prompt, hidden answer, hints)
 * is parsed by lesson.c into lesson_exercise_t.
 */
#ifndef CONVGRAD_EXERCISE_H
#define CONVGRAD_EXERCISE_H

#include <stdbool.h>

#include "conv-shape.h"
#include "lesson.h"
#include "verify.h"

#define EXERCISE_NSHAPES 3

/* The shapes a claim is judged at: [0] the lesson's default, [1] and [2]
 * others it covers, each with strides and sizes of its own (both strides
 * differ from the default's, and one stride is not 1). All validated.
 * Returns how many (1 when the default is too constrained for others,
 * e.g. a memory limit; 3 for every bundled lesson). */
int exercise_shapes(const lesson_t *l, conv_shape_t out[EXERCISE_NSHAPES]);
/* The same around another base shape (out[0] = *base, which must be valid
 * and covered by l): `convgrad verify --shape` judges answers there. */
int exercise_shapes_at(const lesson_t *l, const conv_shape_t *base,
    conv_shape_t out[EXERCISE_NSHAPES]);

typedef enum exercise_outcome {
	EXERCISE_ACCEPTED,      /* holds at every shape */
	EXERCISE_REFUSED,       /* fails at a shape (or is a let, an erratum) */
	EXERCISE_SYNTAX,        /* does not parse */
	EXERCISE_CANCELLED,
} exercise_outcome_t;

typedef struct exercise_verdict {
	exercise_outcome_t outcome;
	bool same_form;         /* accepted, and written as the answer */
	int shape_index;        /* refused: which of exercise_shapes() */
	conv_shape_t shape;     /* refused: the shape where it fails */
	/* malloc'd, for the student:
	 *   accepted: "holds at 3 shapes (N=2 ... stride 2,3; ...)" and,
	 *             when not the answer's form, "; the answer: TEXT"
	 *   refused:  "fails at N=2 ... stride 1,2: at b=0 ...: formula X,
	 *             numeric Y" (or why it cannot be an answer)
	 *   syntax:   the parser's message with its caret (expr.h) */
	char *message;
} exercise_verdict_t;

void exercise_verdict_clear(exercise_verdict_t *v);   /* frees message */

/*
 * Judge the student's text against the exercise whose answer is `answer`
 * (a claim's text, as written in the lesson). text is parsed as file
 * "answer", line 1, with the lesson's lets in scope. A claim that holds is
 * not yet an answer; it is refused, before any shape, when its left side
 * is not the answer's (the same text, index names included: the prompt
 * names it) or when it keeps a derivative on the right where the answer
 * has none; and at a shape where its `where` covers fewer tuples than the
 * answer's ("= 0 where b != b1" for the whole zero case: "holds at SHAPE,
 * but at 6048 tuples only, where the answer covers 11448"). These
 * comparisons need the answer to parse; when it does not, the claim alone
 * is judged. The form is the same when the texts match, white space aside.
 * o: the verifier's options (seed, cancel flag). Returns 0 with *v filled,
 * or -1 with *err when a shape cannot be built or a let cannot be
 * evaluated.
 */
int exercise_judge(const lesson_t *l, const char *answer, const char *text,
    const verify_opts_t *o, exercise_verdict_t *v, char **err);

/* The same for the lesson's exercise ex (its answer, ex->answer). */
int exercise_judge_exercise(const lesson_t *l, const lesson_exercise_t *ex,
    const char *text, const verify_opts_t *o, exercise_verdict_t *v,
    char **err);

/* The same for a claim already parsed (c, with l's lets in scope; the
 * caller keeps it) against the answer's claim, at the shapes
 * exercise_shapes_at(l, base): `convgrad verify` judges each exercise's
 * own answer_claim this way (c == answer). */
int exercise_judge_claim(const lesson_t *l, const conv_shape_t *base,
    const claim_t *c, const claim_t *answer, const verify_opts_t *o,
    exercise_verdict_t *v, char **err);

/* Hint tier `tier` of ex (1 the first, shown first), or NULL past the
 * last: the tutor shows tier k on the k-th press. */
const char *exercise_hint(const lesson_exercise_t *ex, int tier);

/*
 * Does the hidden answer of ex hold at l's default shape (every tuple, as
 * `convgrad verify` checks a claim)? A lesson cannot ship a wrong answer:
 * every front end calls exercise_check_lesson() after loading and refuses
 * the lesson on failure. o: the verifier's options, bounding the work
 * (max_tuples, max_work) and cancelling it (cancel, cancelled); NULL:
 * verify_opts_default(). Returns 0, or -1 with *err:
 *   "FILE:LINE:COL: error: the exercise's answer (the exercise block at
 *   line L) does not hold at the lesson's default shape: fails at SHAPE:
 *   at b=0 ...: formula X, numeric Y"
 * (LINE:COL where the answer is written), "cancelled", or the verifier's
 * message when the claim cannot be checked there.
 */
int exercise_answer_check(const lesson_t *l, const lesson_exercise_t *ex,
    const verify_opts_t *o, char **err);
/* Every exercise of l, in order; the first failure's message. */
int exercise_check_lesson(const lesson_t *l, const verify_opts_t *o,
    char **err);

#endif
