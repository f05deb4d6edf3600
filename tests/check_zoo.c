/*
 * check_zoo.c: the bug zoo. Its loops without a mistake are conv-elem.c's
 * kernels; every mistake, computed on a shape that can show it and
 * planted as a user's result (in float64, and rounded to float32), is
 * named by the diagnosis, and only that one; the right result and an
 * unrelated error match no mistake; NaN is not-finite.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check-util.h"
#include "conv-elem.h"
#include "lesson.h"
#include "rcheck.h"
#include "util.h"
#include "outside-util.h"
#include "zoo.h"

/* No mistake: the same numbers as conv-elem.c, to rounding. */
START_TEST(test_right_is_reference)
{
	world_t w;
	int q;

	world_init(&w, _i, 5, false);
	for (q = 0; q < ZOO_NQTY; q++) {
		tensor_t *a = world_qty(&w, (zoo_qty_t)q);
		tensor_t *b = world_qty(&w, (zoo_qty_t)q);

		zoo_compute(a, ZOO_COUNT, (zoo_qty_t)q, &w.p, false);
		if (q == ZOO_OUTPUT)
			conv2d_forward_elem(b, w.input, w.weight, w.bias, &w.s);
		else if (q == ZOO_DINPUT)
			conv2d_backward_input_elem(b, w.df, w.weight, &w.s);
		else if (q == ZOO_DWEIGHT)
			conv2d_backward_weight_elem(b, w.df, w.input, &w.s);
		else
			conv2d_backward_bias_elem(b, w.df, &w.s);
		ck_assert_tensor_close(a, b, 1e-13, 0);
		tensor_free(a);
		tensor_free(b);
	}
	world_free(&w);
}
END_TEST

/* Each mistake planted, in float64 and rounded to float32, is named. */
START_TEST(test_every_mistake_named)
{
	int id, q, k, named = 0;

	for (k = 0; k < world_nshapes; k++) {
		world_t w;

		world_init(&w, k, 11, false);
		for (id = 0; id < ZOO_NOT_FINITE; id++)
		for (q = 0; q < ZOO_NQTY; q++) {
			tensor_t *got;
			const zoo_entry_t *e;
			double g;
			size_t i;

			if (!zoo_applies((zoo_id_t)id, (zoo_qty_t)q, &w.p))
				continue;
			got = world_qty(&w, (zoo_qty_t)q);
			zoo_compute(got, (zoo_id_t)id, (zoo_qty_t)q, &w.p, false);
			g = rcheck_gamma(world_terms(&w, (zoo_qty_t)q), DBL_EPSILON / 2);
			e = zoo_diagnose((zoo_qty_t)q, got, g, &w.p);
			ck_assert_msg(e != NULL && e->id == (zoo_id_t)id,
			    "shape %d %s planted in %s: diagnosed %s", k,
			    zoo_entries[id].name, zoo_qty_name((zoo_qty_t)q),
			    e ? e->name : "nothing");
			for (i = 0; i < got->size; i++)
				got->data[i] = (double)(float)got->data[i];
			g = rcheck_gamma(world_terms(&w, (zoo_qty_t)q), FLT_EPSILON / 2);
			e = zoo_diagnose((zoo_qty_t)q, got, g, &w.p);
			ck_assert_msg(e != NULL && e->id == (zoo_id_t)id,
			    "float32: shape %d %s in %s: diagnosed %s", k,
			    zoo_entries[id].name, zoo_qty_name((zoo_qty_t)q),
			    e ? e->name : "nothing");
			named++;
			tensor_free(got);
		}
		world_free(&w);
	}
	/* every mistake was planted at least once */
	for (id = 0; id < ZOO_NOT_FINITE; id++) {
		bool tried = false;

		for (k = 0; k < world_nshapes && !tried; k++) {
			world_t w;

			world_init(&w, k, 11, false);
			for (q = 0; q < ZOO_NQTY; q++)
				tried |= zoo_applies((zoo_id_t)id, (zoo_qty_t)q, &w.p);
			world_free(&w);
		}
		ck_assert_msg(tried, "%s never applies", zoo_entries[id].name);
	}
	ck_assert_int_gt(named, ZOO_NOT_FINITE);
}
END_TEST

/* The right result, and a result off at one entry, match no mistake; a
 * NaN is not-finite. */
START_TEST(test_no_mistake_and_not_finite)
{
	world_t w;
	tensor_t *got;
	double g;

	world_init(&w, 1, 3, false);
	got = world_qty(&w, ZOO_DINPUT);
	zoo_compute(got, ZOO_COUNT, ZOO_DINPUT, &w.p, false);
	g = rcheck_gamma(world_terms(&w, ZOO_DINPUT), DBL_EPSILON / 2);
	ck_assert_ptr_null(zoo_diagnose(ZOO_DINPUT, got, g, &w.p));
	got->data[5] += 1e-3;
	ck_assert_ptr_null(zoo_diagnose(ZOO_DINPUT, got, g, &w.p));
	got->data[7] = NAN;
	ck_assert_str_eq(zoo_diagnose(ZOO_DINPUT, got, g, &w.p)->name,
	    "not-finite");
	tensor_free(got);
	world_free(&w);
}
END_TEST

/* The table: the ids, each with its lesson step. */
START_TEST(test_table)
{
	static const char *const ids[] = { "bias-batch-only", "bias-mean",
	    "dweight-first-image", "dweight-mean", "window-short",
	    "taps-swapped", "channels-swapped", "kernel-flipped",
	    "stride-ignored", "padding-ignored", "dilation-ignored",
	    "forward-no-bias", "not-finite" };
	size_t k;

	ck_assert_int_eq(ZOO_COUNT, sizeof(ids) / sizeof(ids[0]));
	for (k = 0; k < ZOO_COUNT; k++) {
		const zoo_entry_t *e = zoo_find(ids[k]);

		ck_assert_msg(e != NULL, "%s", ids[k]);
		ck_assert_int_eq(e->id, (int)k);
		ck_assert(strncmp(e->lesson, "lessons/", 8) == 0);
		ck_assert(e->mistake[0] != '\0');
	}
	ck_assert_ptr_null(zoo_find("no-such-mistake"));
}
END_TEST

/* Every id's lesson pointer, FILE, "STEP", names a step of a bundled
 * lesson whose heading starts with the id, and that step refutes the
 * mistake: it has a claim marked expect fail. */
START_TEST(test_lesson_steps)
{
	const zoo_entry_t *e = &zoo_entries[_i];
	const char *q = strstr(e->lesson, ", \""), *title;
	char *file, *path, *err = NULL;
	size_t n = strlen(e->name), tl;
	lesson_t *l;
	int s, k, found = 0, refuted = 0;

	ck_assert_msg(q != NULL, "%s: %s", e->name, e->lesson);
	title = q + 3;
	tl = strlen(title);
	ck_assert_msg(tl > 1 && title[tl - 1] == '"', "%s: %s", e->name,
	    e->lesson);
	/* the file is named from the source tree's top, as in the lessons'
	 * directory: find it from the test data */
	file = xasprintf("../../%.*s", (int)(q - e->lesson), e->lesson);
	path = test_data_path(file);
	l = lesson_load(path, &err);
	ck_assert_msg(l != NULL, "%s: %s", e->name, err ? err : "?");
	for (s = 0; s < l->nsteps; s++) {
		const lesson_step_t *st = &l->steps[s];

		if (strlen(st->title) != tl - 1 ||
		    strncmp(st->title, title, tl - 1) != 0)
			continue;
		found++;
		ck_assert_msg(strncmp(st->title, e->name, n) == 0 &&
		    st->title[n] == ':', "%s: step '%s'", e->name, st->title);
		for (k = 0; k < st->nclaims; k++)
			refuted += st->claims[k]->expect_fail;
	}
	ck_assert_msg(found == 1, "%s: %d steps '%.*s' in %s", e->name, found,
	    (int)tl - 1, title, path);
	ck_assert_msg(refuted > 0, "%s: its step refutes nothing", e->name);
	lesson_free(l);
	free(path);
	free(file);
}
END_TEST

/* The report says where: window-short's wrong dinput entries, all in rows
 * the last tap row reaches, and a grid. */
START_TEST(test_where_and_grid)
{
	static const char *const names[4] = { "c_out", "c_in", "di", "dj" };
	size_t dims[4] = { 2, 2, 3, 3 }, i;
	double got[36], want[36], tol[36];
	rcheck_report_t *r = rcheck_report_create("t", "truth");
	rcheck_input_t in = { "dweight", "", 4, names, dims, got, want, tol,
	    NULL, "why", NULL };
	rcheck_item_t *it;
	char buf[128];

	for (i = 0; i < 36; i++) {
		want[i] = (double)i;
		tol[i] = 1e-12;
		/* wrong where di = 2 (the last row), for c_in = 1 only */
		got[i] = want[i] + ((i / 3) % 3 == 2 && (i / 9) % 2 == 1 ? 0.5 : 0);
	}
	it = rcheck_compare(r, &in);
	ck_assert_uint_eq(it->wrong, 6);
	ck_assert_uint_eq(it->checked, 36);
	ck_assert(!it->pass);
	ck_assert_msg(strstr(it->where, "all 6 wrong entries have c_in = 1 "
	    "(C_in-1)") != NULL, "%s", it->where);
	ck_assert_msg(strstr(it->where, "all 6 wrong entries have di = 2 "
	    "(R-1)") != NULL, "%s", it->where);
	ck_assert_str_eq(rcheck_index_str(it, &it->first, buf, sizeof(buf)),
	    "(c_out=0, c_in=1, di=2, dj=0)");
	ck_assert_msg(strstr(it->grid, "...\n...\nXXX\n") != NULL ||
	    strstr(it->grid, "    ...\n    ...\n    XXX\n") != NULL, "%s",
	    it->grid);
	got[0] = NAN;
	it = rcheck_compare(r, &in);
	ck_assert(isnan(it->max_abs));
	ck_assert_uint_eq(it->wrong, 7);
	ck_assert_uint_eq(it->worst.index[0], 0);
	ck_assert_uint_eq(it->worst.index[3], 0);
	ck_assert_uint_eq(rcheck_failed(r), 2);
	rcheck_report_free(r);
}
END_TEST

/* Wrong only at the border: said so, for inputs and for outputs. */
START_TEST(test_where_border)
{
	static const char *const in_names[4] = { "b", "c_in", "h_in", "w_in" };
	static const char *const out_names[4] = { "b", "c_out", "h_out",
	    "w_out" };
	size_t dims[4] = { 1, 1, 6, 6 }, i;
	double got[36], want[36], tol[36];
	rcheck_report_t *r = rcheck_report_create("t", "truth");
	rcheck_input_t in = { "dinput", "", 4, in_names, dims, got, want, tol,
	    NULL, "why", NULL };
	conv_shape_t s;
	char *err = NULL;
	rcheck_item_t *it;

	conv_shape_init(&s, 1, 1, 6, 6, 1, 3, 3);
	s.pad_h = s.pad_w = 1;
	ck_assert(conv_shape_validate(&s, 0, &err) == 0);   /* H_out = 6 */
	in.s = &s;
	for (i = 0; i < 36; i++) {
		want[i] = 1;
		tol[i] = 1e-9;
		got[i] = i / 6 == 0 || i % 6 == 5 ? 2 : 1;    /* row 0, column 5 */
	}
	it = rcheck_compare(r, &in);
	ck_assert_msg(strstr(it->where, "only where h_in or w_in is in the "
	    "padded border") != NULL, "%s", it->where);
	in.names = out_names;
	it = rcheck_compare(r, &in);
	ck_assert_msg(strstr(it->where, "only where the window reaches into "
	    "the padded border (all 11 wrong entries)") != NULL, "%s", it->where);
	got[14] = 2;                                      /* (2, 2): inside */
	it = rcheck_compare(r, &in);
	ck_assert(strstr(it->where, "padded border") == NULL);
	rcheck_report_free(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("zoo");
	TCase *tc = tcase_create("zoo");

	tcase_add_loop_test(tc, test_right_is_reference, 0, world_nshapes);
	tcase_add_test(tc, test_every_mistake_named);
	tcase_add_test(tc, test_no_mistake_and_not_finite);
	tcase_add_test(tc, test_table);
	tcase_add_loop_test(tc, test_lesson_steps, 0, ZOO_COUNT);
	tcase_add_test(tc, test_where_and_grid);
	tcase_add_test(tc, test_where_border);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
