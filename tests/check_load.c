/*
 * check_load.c: `gradcheck --load DIR` (load-dir.c) and conv.json. A right
 * result passes in float64 and, computed in float32 arithmetic from
 * float32 inputs (as PyTorch does), in float32; a float32 result with one
 * entry off by 1e-3 fails at that entry; every zoo mistake planted into a
 * DIR is named; NHWC files are read in --layout nhwc; each malformed DIR
 * is refused with its message (naming the files and shapes).
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check-util.h"
#include "conv-json.h"
#include "load-dir.h"
#include "outside-util.h"
#include "util.h"

/* ---- conv2d in float32 arithmetic, written as a user would (gather
 * form for dinput, a different summation order from the reference) ---- */

static float
f(const tensor_t *t, size_t i)
{
	return (float)t->data[i];
}

static void
forward_f32(tensor_t *out, const world_t *w)
{
	const conv_shape_t *s = &w->s;
	long b, co, ho, wo, ci, di, dj, cin_g = s->C_in / s->groups;

	for (b = 0; b < s->N; b++)
	for (co = 0; co < s->C_out; co++)
	for (ho = 0; ho < s->H_out; ho++)
	for (wo = 0; wo < s->W_out; wo++) {
		float acc = 0;
		long c0 = co / (s->C_out / s->groups) * cin_g;

		for (ci = 0; ci < cin_g; ci++)
		for (di = 0; di < s->R; di++)
		for (dj = 0; dj < s->S; dj++) {
			long hi = s->strh * ho + s->dil_h * di - s->pad_h;
			long wi = s->strw * wo + s->dil_w * dj - s->pad_w;

			if (hi >= 0 && hi < s->H_in && wi >= 0 && wi < s->W_in)
				acc += (float)T4(w->input, b, c0 + ci, hi, wi) *
				    (float)T4(w->weight, co, ci, di, dj);
		}
		T4(out, b, co, ho, wo) = (double)(acc + f(w->bias, (size_t)co));
	}
}

static void
dinput_f32(tensor_t *dx, const world_t *w)
{
	const conv_shape_t *s = &w->s;
	long b, ci, hi, wi, co, di, dj;
	long cin_g = s->C_in / s->groups, cout_g = s->C_out / s->groups;

	for (b = 0; b < s->N; b++)
	for (ci = 0; ci < s->C_in; ci++)
	for (hi = 0; hi < s->H_in; hi++)
	for (wi = 0; wi < s->W_in; wi++) {
		float acc = 0;
		long g = ci / cin_g;

		for (co = (g + 1) * cout_g - 1; co >= g * cout_g; co--)
		for (di = 0; di < s->R; di++)
		for (dj = 0; dj < s->S; dj++) {
			long th = hi + s->pad_h - s->dil_h * di;
			long tw = wi + s->pad_w - s->dil_w * dj;

			if (th < 0 || tw < 0 || th % s->strh || tw % s->strw ||
			    th / s->strh >= s->H_out || tw / s->strw >= s->W_out)
				continue;
			acc += (float)T4(w->df, b, co, th / s->strh, tw / s->strw) *
			    (float)T4(w->weight, co, ci - g * cin_g, di, dj);
		}
		T4(dx, b, ci, hi, wi) = (double)acc;
	}
}

static void
dweight_dbias_f32(tensor_t *dw, tensor_t *db, const world_t *w)
{
	const conv_shape_t *s = &w->s;
	long b, co, ci, di, dj, ho, wo, cin_g = s->C_in / s->groups;

	for (co = 0; co < s->C_out; co++) {
		float sb = 0;
		long c0 = co / (s->C_out / s->groups) * cin_g;

		for (ci = 0; ci < cin_g; ci++)
		for (di = 0; di < s->R; di++)
		for (dj = 0; dj < s->S; dj++) {
			float acc = 0;

			for (b = 0; b < s->N; b++)
			for (ho = 0; ho < s->H_out; ho++)
			for (wo = 0; wo < s->W_out; wo++) {
				long hi = s->strh * ho + s->dil_h * di - s->pad_h;
				long wi = s->strw * wo + s->dil_w * dj - s->pad_w;

				if (hi >= 0 && hi < s->H_in && wi >= 0 && wi < s->W_in)
					acc += (float)T4(w->df, b, co, ho, wo) *
					    (float)T4(w->input, b, c0 + ci, hi, wi);
			}
			T4(dw, co, ci, di, dj) = (double)acc;
		}
		for (b = 0; b < s->N; b++)
		for (ho = 0; ho < s->H_out; ho++)
		for (wo = 0; wo < s->W_out; wo++)
			sb += (float)T4(w->df, b, co, ho, wo);
		T1(db, co) = (double)sb;
	}
}

/* ---- helpers ---- */

static rcheck_report_t *
load(const char *dir, load_layout_t layout, bool numeric, char **err)
{
	load_opts_t o;

	load_opts_default(&o);
	o.dir = dir;
	o.layout = layout;
	o.numeric = numeric;
	return load_dir_check(&o, err);
}

static const rcheck_item_t *
item(const rcheck_report_t *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->items[i].name, name) == 0)
			return &r->items[i];
	ck_abort_msg("no item %s", name);
	return NULL;
}

/* The four right results of w (float64, from the zoo's right loops). */
static void
put_right(const char *dir, const world_t *w)
{
	static const char *const names[] = { "output", "dinput", "dweight",
	    "dbias" };
	int q;

	for (q = 0; q < ZOO_NQTY; q++) {
		tensor_t *t = world_qty(w, (zoo_qty_t)q);

		zoo_compute(t, ZOO_COUNT, (zoo_qty_t)q, &w->p, false);
		put_npy(dir, names[q], t, NPY_F8);
		tensor_free(t);
	}
}

static void
put_conv_json(const char *dir, const world_t *w)
{
	char *p = xasprintf("%s/conv.json", dir), *err = NULL;

	ck_assert_msg(conv_json_write(p, &w->s, "nchw", &err) == 0, "%s",
	    err);
	free(p);
}

/* ---- tests ---- */

START_TEST(test_right_f64_passes)
{
	char *dir = temp_dir(), *err = NULL;
	rcheck_report_t *r;
	world_t w;

	world_init(&w, _i, 7, false);
	put_world(dir, &w);
	put_right(dir, &w);
	put_conv_json(dir, &w);
	r = load(dir, LOAD_LAYOUT_DEFAULT, true, &err);
	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_uint_eq(r->n, 7);        /* 4 results, 3 numeric */
	ck_assert_msg(rcheck_failed(r) == 0, "%s: %s", r->title, err);
	ck_assert_uint_eq(item(r, "dinput")->checked, w.input->size);
	ck_assert(strstr(r->truth, "float64 element reference") != NULL);
	rcheck_report_free(r);
	world_free(&w);
	rm_dir(dir);
}
END_TEST

/* Float32 in, float32 arithmetic, float32 out: passes; then one entry off
 * by 1e-3 fails, at that entry. */
START_TEST(test_f32_passes_and_1e3_fails)
{
	char *dir = temp_dir(), *err = NULL;
	rcheck_report_t *r;
	world_t w;
	tensor_t *out, *dx, *dw, *db;
	const rcheck_item_t *it;

	world_init(&w, _i, 8, true);
	out = world_qty(&w, ZOO_OUTPUT);
	dx = world_qty(&w, ZOO_DINPUT);
	dw = world_qty(&w, ZOO_DWEIGHT);
	db = world_qty(&w, ZOO_DBIAS);
	forward_f32(out, &w);
	dinput_f32(dx, &w);
	dweight_dbias_f32(dw, db, &w);
	put_npy(dir, "input", w.input, NPY_F4);
	put_npy(dir, "weight", w.weight, NPY_F4);
	put_npy(dir, "bias", w.bias, NPY_F4);
	put_npy(dir, "df", w.df, NPY_F4);
	put_npy(dir, "output", out, NPY_F4);
	put_npy(dir, "dinput", dx, NPY_F4);
	put_npy(dir, "dweight", dw, NPY_F4);
	put_npy(dir, "dbias", db, NPY_F4);
	put_conv_json(dir, &w);
	r = load(dir, LOAD_LAYOUT_DEFAULT, false, &err);
	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_uint_eq(rcheck_failed(r), 0);
	ck_assert(strstr(item(r, "dweight")->tol_why, "float32") != NULL);
	ck_assert(item(r, "dweight")->max_abs > 0);     /* really float32 */
	rcheck_report_free(r);
	dw->data[5] = (double)(float)(dw->data[5] + 1e-3);
	put_npy(dir, "dweight", dw, NPY_F4);
	r = load(dir, LOAD_LAYOUT_DEFAULT, false, &err);
	ck_assert_msg(r != NULL, "%s", err);
	it = item(r, "dweight");
	ck_assert(!it->pass);
	ck_assert_uint_eq(it->wrong, 1);
	ck_assert_int_eq(((it->first.index[0] * (long)dw->shape[1] +
	    it->first.index[1]) * w.s.R + it->first.index[2]) * w.s.S +
	    it->first.index[3], 5);
	ck_assert(it->diagnosed && it->diagnosis == NULL);
	ck_assert_uint_eq(rcheck_failed(r), 1);
	rcheck_report_free(r);
	tensor_free(out);
	tensor_free(dx);
	tensor_free(dw);
	tensor_free(db);
	world_free(&w);
	rm_dir(dir);
}
END_TEST

/* Every mistake planted into a DIR as the user's result is named. */
START_TEST(test_zoo_planted_named)
{
	int k, id, q, planted = 0;

	for (k = 0; k < world_nshapes; k++) {
		char *dir = temp_dir(), *err = NULL;
		world_t w;

		world_init(&w, k, 21, false);
		put_world(dir, &w);
		put_conv_json(dir, &w);
		for (id = 0; id < ZOO_NOT_FINITE; id++)
		for (q = 0; q < ZOO_NQTY; q++) {
			tensor_t *t;
			rcheck_report_t *r;
			const rcheck_item_t *it;
			const char *name = zoo_qty_name((zoo_qty_t)q);
			char *path;

			if (!zoo_applies((zoo_id_t)id, (zoo_qty_t)q, &w.p))
				continue;
			t = world_qty(&w, (zoo_qty_t)q);
			zoo_compute(t, (zoo_id_t)id, (zoo_qty_t)q, &w.p, false);
			put_npy(dir, name, t, NPY_F8);
			r = load(dir, LOAD_LAYOUT_DEFAULT, false, &err);
			ck_assert_msg(r != NULL, "%s", err);
			it = item(r, name);
			ck_assert_msg(!it->pass && it->diagnosis != NULL &&
			    it->diagnosis->id == (zoo_id_t)id, "shape %d: %s in %s: %s",
			    k, zoo_entries[id].name, name, it->diagnosis ?
			    it->diagnosis->name : "none");
			ck_assert(it->where != NULL && it->grid != NULL);
			rcheck_report_free(r);
			path = xasprintf("%s/%s.npy", dir, name);
			unlink(path);
			free(path);
			tensor_free(t);
			planted++;
		}
		world_free(&w);
		rm_dir(dir);
	}
	ck_assert_int_ge(planted, 12);
}
END_TEST

/* window-short: the report says where (the last tap row's reach) and
 * the not-finite result is named too. */
START_TEST(test_where_window_short_and_nan)
{
	char *dir = temp_dir(), *err = NULL;
	rcheck_report_t *r;
	world_t w;
	tensor_t *t;
	const rcheck_item_t *it;

	world_init(&w, 0, 4, false);
	put_world(dir, &w);
	put_conv_json(dir, &w);
	t = world_qty(&w, ZOO_DBIAS);
	zoo_compute(t, ZOO_COUNT, ZOO_DBIAS, &w.p, false);
	t->data[1] = NAN;
	put_npy(dir, "dbias", t, NPY_F8);
	r = load(dir, LOAD_LAYOUT_DEFAULT, false, &err);
	ck_assert_msg(r != NULL, "%s", err);
	it = item(r, "dbias");
	ck_assert_str_eq(it->diagnosis->name, "not-finite");
	ck_assert(isnan(it->max_abs));
	ck_assert_int_eq(it->worst.index[0], 1);
	ck_assert_msg(strstr(it->where, "all 1 wrong entries have c_out = 1")
	    != NULL, "%s", it->where);
	rcheck_report_free(r);
	tensor_free(t);
	world_free(&w);
	rm_dir(dir);
}
END_TEST

/* TensorFlow's layout: NHWC input, df, results, HWIO weight. */
START_TEST(test_nhwc)
{
	char *dir = temp_dir(), *err = NULL;
	rcheck_report_t *r;
	world_t w;
	tensor_t *x, *wt, *d, *dx;
	const conv_shape_t *s;

	world_init(&w, 2, 9, false);
	s = &w.s;
	x = tensor_create4((size_t)s->N, (size_t)s->H_in, (size_t)s->W_in,
	    (size_t)s->C_in);
	wt = tensor_create4((size_t)s->R, (size_t)s->S, (size_t)s->C_in,
	    (size_t)s->C_out);
	d = tensor_create4((size_t)s->N, (size_t)s->H_out, (size_t)s->W_out,
	    (size_t)s->C_out);
	dx = world_qty(&w, ZOO_DINPUT);
	zoo_compute(dx, ZOO_COUNT, ZOO_DINPUT, &w.p, false);
	tensor_nchw_to_nhwc(x, w.input);
	tensor_oihw_to_hwio(wt, w.weight);
	tensor_nchw_to_nhwc(d, w.df);
	put_npy(dir, "input", x, NPY_F8);
	put_npy(dir, "weight", wt, NPY_F8);
	put_npy(dir, "df", d, NPY_F8);
	tensor_nchw_to_nhwc(x, dx);
	put_npy(dir, "dinput", x, NPY_F8);
	put_conv_json(dir, &w);                  /* says nchw ... */
	r = load(dir, LOAD_LAYOUT_NHWC, false, &err);   /* ... overridden */
	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_uint_eq(rcheck_failed(r), 0);
	ck_assert(strstr(r->title, "layout nhwc") != NULL);
	rcheck_report_free(r);
	/* read as NCHW the same files do not fit */
	ck_assert_ptr_null(load(dir, LOAD_LAYOUT_NCHW, false, &err));
	ck_assert_msg(strstr(err, "weight.npy has shape") != NULL, "%s", err);
	free(err);
	tensor_free(x);
	tensor_free(wt);
	tensor_free(d);
	tensor_free(dx);
	world_free(&w);
	rm_dir(dir);
}
END_TEST

/* Malformed DIRs: each refused with its message. */
static const struct bad_dir {
	const char *file;       /* replaced (or removed: NULL data) */
	const char *data;       /* NULL: remove; "@int64", "@shape": special */
	size_t len;
	const char *msg;
} bad_dirs[] = {
	{ "df.npy", NULL, 0, "df.npy: missing: --load needs input.npy, "
	    "weight.npy and df.npy" },
	{ "input.npy", NULL, 0, "input.npy: missing" },
	{ "dinput.npy", "", 0, "dinput.npy: the file is empty (0 bytes)" },
	{ "weight.npy", "PK\3\4 a zip", 11, "weight.npy: not a .npy file" },
	{ "df.npy", "@int64", 0, "df.npy: dtype '<i8' (int64) is not "
	    "supported" },
	{ "df.npy", "@shape", 0, "df.npy has shape (2, 3, 3, 2), but " },
	{ "bias.npy", "@bias", 0, "bias.npy has shape (4,), but " },
	{ "dweight.npy", "@3d", 0, "dweight.npy: shape (3, 2, 3) has 3 "
	    "dimensions; dweight must be 4-D" },
	{ "conv.json", "{\"stride\": [2, 3],\n \"pading\": [0, 0]}", 38,
	    "conv.json:2:2: unknown key \"pading\"" },
	{ "conv.json", "{\"stride\": [0, 3]}", 18, "conv.json:1:13: stride: "
	    "0 is below 1" },
	{ "@noresults", NULL, 0, "no result to check: none of output.npy" },
	{ "conv.json", "{\"stride\": [3, 3]}", 18, "df.npy has shape (2, 3, "
	    "3, 3), but " },
};
#define NBAD ((int)(sizeof(bad_dirs) / sizeof(bad_dirs[0])))

static void
plant_bad(const char *dir, const struct bad_dir *b, const world_t *w)
{
	char *p = xasprintf("%s/%s", dir, b->file);
	tensor_t *t;

	if (strcmp(b->file, "@noresults") == 0) {
		static const char *const res[] = { "output", "dinput", "dweight",
		    "dbias" };
		int k;

		for (k = 0; k < 4; k++) {
			char *q = xasprintf("%s/%s.npy", dir, res[k]);

			unlink(q);
			free(q);
		}
	} else if (b->data == NULL) {
		unlink(p);
	} else if (strcmp(b->data, "@int64") == 0) {
		static const char dict[] = "{'descr': '<i8', 'fortran_order': "
		    "False, 'shape': (2,), }\n";
		unsigned char raw[10 + sizeof(dict) - 1 + 16];

		memcpy(raw, "\x93NUMPY\x01\x00", 8);
		raw[8] = (unsigned char)(sizeof(dict) - 1);
		raw[9] = 0;
		memcpy(raw + 10, dict, sizeof(dict) - 1);
		memset(raw + 10 + sizeof(dict) - 1, 0, 16);
		put_file(dir, b->file, raw, sizeof(raw));
	} else if (strcmp(b->data, "@shape") == 0) {
		t = tensor_create4(2, 3, 3, 2);
		put_npy(dir, "df", t, NPY_F8);
		tensor_free(t);
	} else if (strcmp(b->data, "@bias") == 0) {
		t = tensor_create1(4);
		put_npy(dir, "bias", t, NPY_F8);
		tensor_free(t);
	} else if (strcmp(b->data, "@3d") == 0) {
		size_t d[3] = { 3, 2, 3 };

		t = tensor_create(3, d);
		put_npy(dir, "dweight", t, NPY_F8);
		tensor_free(t);
	} else {
		put_file(dir, b->file, b->data, b->len);
	}
	(void)w;
	free(p);
}

START_TEST(test_bad_dir)
{
	char *dir = temp_dir(), *err = NULL;
	world_t w;

	world_init(&w, 0, 2, false);
	put_world(dir, &w);
	put_right(dir, &w);
	put_conv_json(dir, &w);
	plant_bad(dir, &bad_dirs[_i], &w);
	ck_assert_ptr_null(load(dir, LOAD_LAYOUT_DEFAULT, false, &err));
	ck_assert_msg(err != NULL && strstr(err, bad_dirs[_i].msg) != NULL,
	    "case %d: '%s' lacks '%s'", _i, err, bad_dirs[_i].msg);
	free(err);
	world_free(&w);
	rm_dir(dir);
}
END_TEST

/* conv.json is written exactly as the issue gives it, and read back. */
START_TEST(test_conv_json_exact)
{
	char *dir = temp_dir(), *p = xasprintf("%s/conv.json", dir), *err = NULL;
	char *text;
	size_t len;
	conv_shape_t s;
	conv_json_t c;

	conv_shape_init(&s, 1, 1, 5, 5, 1, 1, 1);
	s.strh = 2, s.strw = 3;
	ck_assert(conv_json_write(p, &s, "nchw", &err) == 0);
	ck_assert(read_file(p, &text, &len, &err) == 0);
	ck_assert_str_eq(text, "{\"stride\":[2,3],\"padding\":[0,0],"
	    "\"dilation\":[1,1],\"groups\":1,\"layout\":\"nchw\"}\n");
	ck_assert(conv_json_parse(text, len, "c", &c, &err) == 0);
	ck_assert(c.have_stride && c.stride[0] == 2 && c.stride[1] == 3);
	ck_assert(c.have_groups && c.groups == 1);
	ck_assert_str_eq(c.layout, "nchw");
	ck_assert(conv_json_parse("{ }", 3, "c", &c, &err) == 0);
	ck_assert(!c.have_stride);
	ck_assert(conv_json_parse("{\"layout\": \"nhcw\"}", 18, "c", &c,
	    &err) == -1);
	ck_assert_str_eq(err, "c:1:12: layout: expected \"nchw\" or \"nhwc\"");
	free(err);
	ck_assert(conv_json_parse("{\"groups\": 1, \"groups\": 1}", 26, "c",
	    &c, &err) == -1);
	ck_assert(strstr(err, "repeated key") != NULL);
	free(err);
	ck_assert(conv_json_parse("{} x", 4, "c", &c, &err) == -1);
	ck_assert_str_eq(err, "c:1:4: unexpected text after the object");
	free(err);
	free(text);
	unlink(p);
	free(p);
	rm_dir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("load");
	TCase *tc = tcase_create("load");

	tcase_add_loop_test(tc, test_right_f64_passes, 0, world_nshapes);
	tcase_add_loop_test(tc, test_f32_passes_and_1e3_fails, 0,
	    world_nshapes);
	tcase_add_test(tc, test_zoo_planted_named);
	tcase_add_test(tc, test_where_window_short_and_nan);
	tcase_add_test(tc, test_nhwc);
	tcase_add_loop_test(tc, test_bad_dir, 0, NBAD);
	tcase_add_test(tc, test_conv_json_exact);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
