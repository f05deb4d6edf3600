/*
 * exercise.c: judging a student's claim (exercise.h): parsed with the
 * lesson's lets in scope, verified at three covered shapes, each in a
 * world of its own (shrink_verify_at); and the check, when a lesson
 * loads, that each exercise's hidden answer holds at its default shape.
 */
#include "config.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "exercise.h"
#include "shrink.h"
#include "util.h"

void
exercise_verdict_clear(exercise_verdict_t *v)
{
	free(v->message);
	memset(v, 0, sizeof *v);
}

/* Is s valid, covered by l, and unlike the n shapes in have? */
static bool
shape_usable(const lesson_t *l, conv_shape_t *s, const conv_shape_t *have,
    int n)
{
	const char *why;
	char *err = NULL;
	int k;

	if (conv_shape_validate(s, 0, &err) != 0) {
		free(err);
		return false;
	}
	if (!lesson_covers(l, s, &why))
		return false;
	for (k = 0; k < n; k++)
		if (memcmp(s, &have[k], sizeof *s) == 0)
			return false;
	return true;
}

/* The other shapes: strides moved (1 <-> 2, 3), sizes grown, R and S
 * swapped in the second; channel counts grown only with one group (a
 * grouped lesson keeps its channels, which groups must divide). */
static conv_shape_t
other_shape(const conv_shape_t *d, int which)
{
	conv_shape_t s = *d;
	bool one = d->groups == 1;

	if (which == 1) {
		s.strh = d->strh == 1 ? 2 : 1;
		s.strw = d->strw == 3 ? 2 : 3;
		s.H_in = d->H_in + 1;
		s.W_in = d->W_in + 2;
		s.C_out = one ? d->C_out % 3 + 1 : d->C_out;
		s.N = d->N % 2 + 1;
	} else {
		s.strh = d->strh == 3 ? 1 : 3;
		s.strw = d->strw == 1 ? 2 : 1;
		s.H_in = d->H_in + 3;
		s.W_in = d->W_in + 1;
		s.C_in = one ? d->C_in % 3 + 1 : d->C_in;
		s.R = d->S;
		s.S = d->R;
	}
	return s;
}

int
exercise_shapes(const lesson_t *l, conv_shape_t out[EXERCISE_NSHAPES])
{
	return exercise_shapes_at(l, &l->shape, out);
}

int
exercise_shapes_at(const lesson_t *l, const conv_shape_t *base,
    conv_shape_t out[EXERCISE_NSHAPES])
{
	int n = 1, k;

	out[0] = *base;
	for (k = 1; k < EXERCISE_NSHAPES; k++) {
		conv_shape_t s = other_shape(base, k);

		if (!shape_usable(l, &s, out, n)) {
			/* sizes as the base's, strides moved only */
			s = *base;
			s.strh = other_shape(base, k).strh;
			s.strw = other_shape(base, k).strw;
			s.H_in += 2 * s.strh;
			s.W_in += 2 * s.strw;
			if (!shape_usable(l, &s, out, n))
				continue;
		}
		out[n++] = s;
	}
	return n;
}

/* Do a and b read the same, white space aside? */
static bool
same_text(const char *a, const char *b)
{
	for (;;) {
		while (isspace((unsigned char)*a))
			a++;
		while (isspace((unsigned char)*b))
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		if (*a++ != *b++)
			return false;
	}
}

static bool
is_let(const char *text)
{
	while (isspace((unsigned char)*text))
		text++;
	return strncmp(text, "let", 3) == 0 &&
	    (text[3] == '\0' || isspace((unsigned char)text[3]));
}

/* Refused before any shape: a let, an erratum. */
static int
refuse(exercise_verdict_t *v, const char *why)
{
	v->outcome = EXERCISE_REFUSED;
	v->shape_index = -1;
	v->message = xstrdup(why);
	return 0;
}

/* "fails at SHAPE: at b=0 ...: formula X, numeric Y", malloc'd: shrink's
 * wording without its "already" (no search ran). */
static char *
fails_at_str(const claim_t *c, const conv_shape_t *s, const verify_result_t *r)
{
	shrink_result_t sr;
	char *m;

	memset(&sr, 0, sizeof sr);
	sr.shape = *s;
	sr.r = *r;
	m = shrink_str(c, &sr);            /* "fails already at ..." */
	memmove(m + strlen("fails "), m + strlen("fails already "),
	    strlen(m + strlen("fails already ")) + 1);
	return m;
}

/* The verdict at shape k was not "holds": refused there, or cancelled. */
static void
refused_at(exercise_verdict_t *v, const claim_t *c, const conv_shape_t *s,
    int k, verify_result_t *r)
{
	if (r->verdict == VERDICT_CANCELLED) {
		v->outcome = EXERCISE_CANCELLED;
		v->message = xstrdup("cancelled");
		return;
	}
	v->outcome = EXERCISE_REFUSED;
	v->shape_index = k;
	v->shape = *s;
	v->message = fails_at_str(c, s, r);
}

/* Accepted: the shapes, and the answer when the form differs. */
static void
accepted(exercise_verdict_t *v, const conv_shape_t *sh, int n,
    const char *answer, const char *text)
{
	char buf[256];
	sbuf_t b;
	int k;

	v->outcome = EXERCISE_ACCEPTED;
	v->same_form = same_text(answer, text);
	sbuf_init(&b);
	sbuf_addf(&b, "holds at %d shapes (", n);
	for (k = 0; k < n; k++)
		sbuf_addf(&b, "%s%s", k ? "; " : "",
		    shrink_shape_str(&sh[k], buf, sizeof buf));
	sbuf_add(&b, ")");
	if (!v->same_form)
		sbuf_addf(&b, "; the answer: %s", answer);
	v->message = sbuf_take(&b);
}

int
exercise_judge_claim(const lesson_t *l, const conv_shape_t *base,
    const claim_t *c, const char *answer, const verify_opts_t *o,
    exercise_verdict_t *v, char **err)
{
	conv_shape_t sh[EXERCISE_NSHAPES];
	verify_result_t r;
	int n, k;

	assert(l != NULL && base != NULL && c != NULL && answer != NULL &&
	    o != NULL);
	memset(v, 0, sizeof *v);
	if (c->kind == CLAIM_LET)
		return refuse(v, "a let names a tensor; an answer is a claim "
		    "(FORMULA = FORMULA, or d ... / d ... = ...)");
	if (c->expect_fail)
		return refuse(v, "'expect fail' marks an erratum; an answer "
		    "must hold");
	n = exercise_shapes_at(l, base, sh);
	for (k = 0; k < n; k++) {
		if (shrink_verify_at(l, c, &sh[k], o, &r, err) != 0)
			return -1;
		if (r.verdict != VERDICT_HOLDS) {
			refused_at(v, c, &sh[k], k, &r);
			verify_result_clear(&r);
			return 0;
		}
		verify_result_clear(&r);
	}
	accepted(v, sh, n, answer, c->text);
	return 0;
}

int
exercise_judge(const lesson_t *l, const char *answer, const char *text,
    const verify_opts_t *o, exercise_verdict_t *v, char **err)
{
	claim_t *c;
	int rc;

	assert(l != NULL && answer != NULL && text != NULL && o != NULL);
	memset(v, 0, sizeof *v);
	if (is_let(text))   /* it would add to the lesson's lets */
		return refuse(v, "a let names a tensor; an answer is a claim "
		    "(FORMULA = FORMULA, or d ... / d ... = ...)");
	if ((c = claim_parse(text, "answer", 1, 1, l->scope, &v->message)) ==
	    NULL) {
		v->outcome = EXERCISE_SYNTAX;
		return 0;
	}
	rc = exercise_judge_claim(l, &l->shape, c, answer, o, v, err);
	claim_free(c);
	return rc;
}

int
exercise_judge_exercise(const lesson_t *l, const lesson_exercise_t *ex,
    const char *text, const verify_opts_t *o, exercise_verdict_t *v,
    char **err)
{
	assert(ex != NULL && ex->answer != NULL);
	return exercise_judge(l, ex->answer, text, o, v, err);
}

const char *
exercise_hint(const lesson_exercise_t *ex, int tier)
{
	assert(ex != NULL);
	return tier >= 1 && tier <= ex->nhints ? ex->hints[tier - 1] : NULL;
}

/* The answer of ex did not hold at the default shape s: the error. */
static int
answer_fails(const lesson_exercise_t *ex, const conv_shape_t *s,
    const verify_result_t *r, char **err)
{
	const claim_t *c = ex->answer_claim;
	char *m;
	int rc;

	if (r->verdict == VERDICT_CANCELLED)
		return set_error(err, "cancelled");
	m = fails_at_str(c, s, r);
	rc = set_error(err, "%s:%d:%d: error: the exercise's answer (the "
	    "exercise block at line %d) does not hold at the lesson's default "
	    "shape: %s", c->file, c->line, c->col, ex->line, m);
	free(m);
	return rc;
}

int
exercise_answer_check(const lesson_t *l, const lesson_exercise_t *ex,
    const verify_opts_t *o, char **err)
{
	verify_opts_t def;
	verify_result_t r;
	int rc = 0;

	assert(l != NULL && ex != NULL && ex->answer_claim != NULL);
	if (o == NULL) {
		verify_opts_default(&def);
		o = &def;
	}
	if (shrink_verify_at(l, ex->answer_claim, &l->shape, o, &r, err) != 0)
		return -1;
	if (r.verdict != VERDICT_HOLDS)
		rc = answer_fails(ex, &l->shape, &r, err);
	verify_result_clear(&r);
	return rc;
}

int
exercise_check_lesson(const lesson_t *l, const verify_opts_t *o, char **err)
{
	int i, k;

	assert(l != NULL);
	for (i = 0; i < l->nsteps; i++)
		for (k = 0; k < l->steps[i].nexercises; k++)
			if (exercise_answer_check(l, &l->steps[i].exercises[k], o,
			    err) != 0)
				return -1;
	return 0;
}
