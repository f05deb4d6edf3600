/*
 * check_shrink.c: the smallest counterexample. Every erratum of lesson 8
 * shrinks to a valid shape no larger than the lesson's default, and is
 * really refuted there: verified again in a fresh world at that shape, it
 * gives the same counterexample. A claim that holds has nothing to shrink;
 * a claim using a let is shrunk with the let evaluated at each shape; the
 * cancel flag and the bound on tries stop the search; the report's words.
 */
#include <stdlib.h>
#include <string.h>

#include "check-util.h"
#include "learn-util.h"
#include "shrink.h"
#include "util.h"

/* The k-th claim of l with `expect fail`, or NULL. */
static const claim_t *
erratum(const lesson_t *l, int k)
{
	int i, j;

	for (i = 0; i < l->nsteps; i++)
		for (j = 0; j < l->steps[i].nclaims; j++)
			if (l->steps[i].claims[j]->expect_fail && k-- == 0)
				return l->steps[i].claims[j];
	return NULL;
}

/* Lesson 8 has seven errata. */
#define NERRATA 7

START_TEST(test_errata_shrink)
{
	lesson_t *l = learn_lesson_load("08-errata.md");
	const claim_t *c = erratum(l, _i);
	conv_shape_t def = l->shape, again;
	shrink_result_t sr;
	verify_result_t r;
	verify_opts_t o;
	verify_ctx_t *vc;
	char *err = NULL;
	int k, n;

	ck_assert_ptr_nonnull(c);
	verify_opts_default(&o);
	ck_assert_msg(shrink_claim(l, c, &def, &o, 0, &sr, &err) == 0, "%s:%d: %s",
	    c->file, c->line, err ? err : "nothing to shrink");
	ck_assert_int_eq(sr.r.verdict, VERDICT_REFUTED);
	ck_assert(sr.r.has_cex);
	ck_assert(!sr.exhausted);
	ck_assert_msg(shrink_measure(&sr.shape) <= shrink_measure(&def),
	    "%s:%d: %zu entries > the default's %zu", c->file, c->line,
	    shrink_measure(&sr.shape), shrink_measure(&def));
	/* each erratum of lesson 8 shows at a much smaller shape */
	ck_assert(sr.shrunk);
	ck_assert_msg(shrink_measure(&sr.shape) <= 30, "%zu entries",
	    shrink_measure(&sr.shape));
	/* really refuted there: a fresh world, the same counterexample */
	again = sr.shape;
	ck_assert_int_eq(conv_shape_validate(&again, 0, NULL), 0);
	vc = verify_ctx_create(&again, &o, &err);
	ck_assert_ptr_nonnull(vc);
	ck_assert_int_eq(verify_claim(vc, c, &r, &err), 0);
	ck_assert_int_eq(r.verdict, VERDICT_REFUTED);
	ck_assert(r.has_cex);
	n = verify_point_count(c);
	for (k = 0; k < n; k++)
		ck_assert_int_eq(r.cex[k], sr.r.cex[k]);
	ck_assert(r.cex_formula == sr.r.cex_formula);
	ck_assert(r.cex_numeric == sr.r.cex_numeric);
	verify_result_clear(&r);
	verify_ctx_free(vc);
	shrink_result_clear(&sr);
	lesson_free(l);
}
END_TEST

/* The strides erratum holds at stride 1 (its where says so): its smallest
 * counterexample keeps one stride above 1, and the words say so. */
START_TEST(test_strides_kept)
{
	lesson_t *l = learn_lesson_load("08-errata.md");
	const claim_t *c = erratum(l, 0);
	shrink_result_t sr;
	verify_opts_t o;
	char *s, *err = NULL;

	verify_opts_default(&o);
	ck_assert_int_eq(shrink_claim(l, c, &l->shape, &o, 0, &sr, &err), 0);
	ck_assert(sr.shape.strh != 1 || sr.shape.strw != 1);
	s = shrink_str(c, &sr);
	ck_assert_msg(strncmp(s, "fails already at N=1 C_in=1 ", 28) == 0, "%s", s);
	ck_assert_msg(strstr(s, " stride 2,1: at b=0 ") != NULL ||
	    strstr(s, " stride 1,2: at b=0 ") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "formula ") && strstr(s, "numeric "), "%s", s);
	free(s);
	shrink_result_clear(&sr);
	lesson_free(l);
}
END_TEST

/* A claim that holds has nothing to shrink: 1, and the result cleared. */
START_TEST(test_holds_nothing)
{
	lesson_t *l = learn_lesson_load("08-errata.md");
	const claim_t *c = l->steps[0].claims[1];   /* the corrected strides */
	shrink_result_t sr;
	verify_opts_t o;
	char *err = NULL;

	ck_assert(!c->expect_fail);
	ck_assert_ptr_nonnull(erratum(l, NERRATA - 1));
	ck_assert_ptr_null(erratum(l, NERRATA));
	verify_opts_default(&o);
	ck_assert_int_eq(shrink_claim(l, c, &l->shape, &o, 0, &sr, &err), 1);
	ck_assert_ptr_null(err);
	ck_assert(!sr.r.has_cex);
	lesson_free(l);
}
END_TEST

/* A lesson whose failing claim reads a let: the let is evaluated again at
 * each shape (else the claim could not be checked there). */
static const char let_lesson[] =
    "# lets\n\n```shape\nN=2 C_in=2 H_in=5 W_in=6 C_out=2 R=2 S=3 "
    "strh=1 strw=2\n```\n\n## a let\n\n```check\n"
    "let Y[b < N, c < C_out, h < H_out, w < W_out] = sum(c_in, di, dj)\n"
    "    input[b, c_in, strh*h + di, strw*w + dj] * weight[c, c_in, di, dj]\n"
    "```\n\n## the claim\n\n```check\n"
    "# forgot the bias\n"
    "output[b,c_out,h_out,w_out] = Y[b, c_out, h_out, w_out]\n```\n";

START_TEST(test_let_lesson)
{
	char *err = NULL;
	lesson_t *l = lesson_parse(let_lesson, strlen(let_lesson), "let.md", &err);
	const claim_t *c;
	shrink_result_t sr;
	verify_opts_t o;

	ck_assert_msg(l != NULL, "%s", err ? err : "?");
	c = l->steps[1].claims[0];
	verify_opts_default(&o);
	ck_assert_msg(shrink_claim(l, c, &l->shape, &o, 0, &sr, &err) == 0, "%s",
	    err ? err : "?");
	ck_assert_int_eq(sr.r.verdict, VERDICT_FAILS);
	/* the bias is missing everywhere: one output is enough */
	ck_assert_int_eq(sr.shape.N, 1);
	ck_assert_int_eq(sr.shape.C_out, 1);
	ck_assert_int_eq(sr.shape.H_out * sr.shape.W_out, 1);
	ck_assert_int_eq(sr.shape.R * sr.shape.S, 1);
	shrink_result_clear(&sr);
	lesson_free(l);
}
END_TEST

/* The cancel flag stops the search ("cancelled"); max_tries bounds it,
 * and the result says it stopped at the limit. */
START_TEST(test_cancel_and_bound)
{
	static volatile sig_atomic_t flag = 1;
	lesson_t *l = learn_lesson_load("08-errata.md");
	const claim_t *c = erratum(l, 2);
	shrink_result_t sr;
	verify_opts_t o;
	char *err = NULL;

	verify_opts_default(&o);
	o.cancel = &flag;
	ck_assert_int_eq(shrink_claim(l, c, &l->shape, &o, 0, &sr, &err), -1);
	ck_assert_str_eq(err, "cancelled");
	free(err);
	err = NULL;
	o.cancel = NULL;
	ck_assert_int_eq(shrink_claim(l, c, &l->shape, &o, 3, &sr, &err), 0);
	ck_assert_int_eq(sr.tries, 3);
	ck_assert(sr.exhausted);
	ck_assert(shrink_measure(&sr.shape) <= shrink_measure(&l->shape));
	shrink_result_clear(&sr);
	lesson_free(l);
}
END_TEST

/* A start shape the lesson does not cover, or an invalid one: -1. */
START_TEST(test_bad_start)
{
	lesson_t *l = learn_lesson_load("08-errata.md");
	const claim_t *c = erratum(l, 1);
	conv_shape_t s = l->shape;
	shrink_result_t sr;
	verify_opts_t o;
	char *err = NULL;

	verify_opts_default(&o);
	s.pad_h = 1;
	ck_assert_int_eq(shrink_claim(l, c, &s, &o, 0, &sr, &err), -1);
	ck_assert_msg(strstr(err, "does not cover") != NULL, "%s", err);
	free(err);
	err = NULL;
	s = l->shape;
	s.R = 99;
	ck_assert_int_eq(shrink_claim(l, c, &s, &o, 0, &sr, &err), -1);
	ck_assert_ptr_nonnull(err);
	free(err);
	lesson_free(l);
}
END_TEST

START_TEST(test_shape_str)
{
	conv_shape_t s;
	char buf[256];

	conv_shape_init(&s, 1, 4, 3, 3, 2, 2, 2);
	s.strw = 2;
	s.pad_h = 1;
	s.groups = 2;
	ck_assert_int_eq(conv_shape_validate(&s, 0, NULL), 0);
	ck_assert_str_eq(shrink_shape_str(&s, buf, sizeof buf),
	    "N=1 C_in=4 H_in=3 W_in=3 C_out=2 R=2 S=2 stride 1,2 padding 1,0 "
	    "groups 2");
	/* input 36 + weight 2*2*2*2 + output 2*4*1 */
	ck_assert_uint_eq(shrink_measure(&s), 36 + 16 + 8);
}
END_TEST

static Suite *
shrink_suite(void)
{
	Suite *s = suite_create("shrink");
	TCase *tc = tcase_create("shrink");

	tcase_add_loop_test(tc, test_errata_shrink, 0, NERRATA);
	tcase_add_test(tc, test_strides_kept);
	tcase_add_test(tc, test_holds_nothing);
	tcase_add_test(tc, test_let_lesson);
	tcase_add_test(tc, test_cancel_and_bound);
	tcase_add_test(tc, test_bad_start);
	tcase_add_test(tc, test_shape_str);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(shrink_suite());
}
