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

/* Does e hold a derivative d ... / d ... anywhere (a sum's bounds and
 * where included)? */
static bool
has_deriv(const expr_t *e)
{
	int i;

	if (e == NULL)
		return false;
	switch (e->kind) {
	case EX_DERIV:
		return true;
	case EX_ACCESS:
		for (i = 0; i < e->u.access.nargs; i++)
			if (has_deriv(e->u.access.args[i]))
				return true;
		return false;
	case EX_CALL:
		for (i = 0; i < e->u.call.nargs; i++)
			if (has_deriv(e->u.call.args[i]))
				return true;
		return false;
	case EX_CMP:
		for (i = 0; i < e->u.cmp.n; i++)
			if (has_deriv(e->u.cmp.args[i]))
				return true;
		return false;
	case EX_SUM:
		for (i = 0; i < e->u.sum.n; i++)
			if (has_deriv(e->u.sum.idx[i].range.lo) ||
			    has_deriv(e->u.sum.idx[i].range.hi))
				return true;
		return has_deriv(e->u.sum.where) || has_deriv(e->u.sum.body);
	case EX_INT: case EX_REAL: case EX_NAME:
		return false;
	default:   /* unary, binary, in, if: u.op */
		return has_deriv(e->u.op.a) || has_deriv(e->u.op.b) ||
		    has_deriv(e->u.op.c);
	}
}

/*
 * Is c a claim about what the answer is about? A claim that holds is not
 * yet an answer: the forward pass holds too. Refused before any shape:
 * another left side ("d f / d bias[c_out]" for "d f / d weight[...]",
 * index names included, as the prompt writes them), and a derivative kept
 * on the right when the answer has none (the left side restated as
 * d (the sum) / d input holds, but derives nothing). true with *why set.
 */
static bool
not_about(const claim_t *c, const claim_t *answer, char **why)
{
	char *lc, *la;
	bool differ;

	if (answer == NULL)
		return false;
	lc = expr_text(c->lhs);
	la = expr_text(answer->lhs);
	differ = strcmp(lc, la) != 0 || c->kind != answer->kind;
	if (differ)
		*why = xasprintf("this claim is about %s; the exercise asks for "
		    "%s", lc, la);
	else if (has_deriv(c->rhs) && !has_deriv(answer->rhs)) {
		*why = xstrdup("a derivative is left on the right side: write "
		    "the formula it equals");
		differ = true;
	}
	free(lc);
	free(la);
	return differ;
}

/* c held at shape s (result r): does it cover every tuple the answer
 * covers there? A where narrower than the answer's ("= 0 where b != b1"
 * for the whole zero case) holds but says less. Counted on every tuple
 * (not comparable when either was sampled). 0 with *short_of set to the
 * answer's count when c covers fewer (0 when it does not), or -1 with
 * *err. */
static int
covers_answer(const lesson_t *l, const claim_t *answer, const claim_t *c,
    const conv_shape_t *s, const verify_opts_t *o,
    const verify_result_t *r, size_t *short_of, char **err)
{
	verify_result_t ra;

	*short_of = 0;
	if (answer == NULL || answer == c || c->where == NULL || r->sampled)
		return 0;
	if (shrink_verify_at(l, answer, s, o, &ra, err) != 0)
		return -1;
	if (ra.verdict == VERDICT_HOLDS && !ra.sampled && r->checked < ra.checked)
		*short_of = ra.checked;
	verify_result_clear(&ra);
	return 0;
}

/* Refused at shape k: c holds there, but at n of the m tuples only. */
static void
says_less(exercise_verdict_t *v, const conv_shape_t *s, int k, size_t n,
    size_t m)
{
	char buf[256];

	v->outcome = EXERCISE_REFUSED;
	v->shape_index = k;
	v->shape = *s;
	v->message = xasprintf("holds at %s, but at %zu tuples only, where the "
	    "answer covers %zu: its where leaves out a case",
	    shrink_shape_str(s, buf, sizeof buf), n, m);
}

/* The judge: c against the answer (its claim, NULL when it does not
 * parse: then c alone is checked; its text as written), around base. */
static int
judge(const lesson_t *l, const conv_shape_t *base, const claim_t *c,
    const claim_t *answer, const char *answer_text, const verify_opts_t *o,
    exercise_verdict_t *v, char **err)
{
	conv_shape_t sh[EXERCISE_NSHAPES];
	verify_result_t r;
	size_t short_of;
	int n, k;

	assert(l != NULL && base != NULL && c != NULL && answer_text != NULL &&
	    o != NULL);
	memset(v, 0, sizeof *v);
	if (c->kind == CLAIM_LET)
		return refuse(v, "a let names a tensor; an answer is a claim "
		    "(FORMULA = FORMULA, or d ... / d ... = ...)");
	if (c->expect_fail)
		return refuse(v, "'expect fail' marks an erratum; an answer "
		    "must hold");
	if (not_about(c, answer, &v->message)) {
		v->outcome = EXERCISE_REFUSED;
		v->shape_index = -1;
		return 0;
	}
	n = exercise_shapes_at(l, base, sh);
	for (k = 0; k < n; k++) {
		if (shrink_verify_at(l, c, &sh[k], o, &r, err) != 0)
			return -1;
		if (r.verdict != VERDICT_HOLDS) {
			refused_at(v, c, &sh[k], k, &r);
			verify_result_clear(&r);
			return 0;
		}
		if (covers_answer(l, answer, c, &sh[k], o, &r, &short_of,
		    err) != 0) {
			verify_result_clear(&r);
			return -1;
		}
		if (short_of > 0) {
			says_less(v, &sh[k], k, r.checked, short_of);
			verify_result_clear(&r);
			return 0;
		}
		verify_result_clear(&r);
	}
	accepted(v, sh, n, answer_text, c->text);
	return 0;
}

int
exercise_judge_claim(const lesson_t *l, const conv_shape_t *base,
    const claim_t *c, const claim_t *answer, const verify_opts_t *o,
    exercise_verdict_t *v, char **err)
{
	assert(answer != NULL && answer->text != NULL);
	return judge(l, base, c, answer, answer->text, o, v, err);
}

int
exercise_judge(const lesson_t *l, const char *answer, const char *text,
    const verify_opts_t *o, exercise_verdict_t *v, char **err)
{
	claim_t *c, *ans;
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
	/* the answer as a claim, to compare with (NULL: it does not parse,
	 * and only the student's claim is checked) */
	ans = is_let(answer) ? NULL : claim_parse(answer, "the answer", 1, 1,
	    l->scope, NULL);
	rc = judge(l, &l->shape, c, ans, answer, o, v, err);
	claim_free(ans);
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
