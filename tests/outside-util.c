/*
 * outside-util.c: shared setup of the outside checks (outside-util.h).
 */
#include "outside-util.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

const long world_shapes[][14] = {
	{ 2, 2, 7, 8, 3, 3, 2, 2, 3, 0, 0, 1, 1, 1 },
	{ 2, 3, 6, 7, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1 },
	{ 2, 2, 9, 8, 2, 2, 3, 2, 1, 1, 2, 2, 1, 1 },
	{ 3, 2, 8, 8, 2, 3, 3, 3, 2, 2, 1, 2, 2, 1 },
	{ 2, 4, 7, 6, 6, 3, 3, 2, 1, 1, 1, 1, 2, 2 },     /* grouped */
	{ 1, 3, 6, 6, 3, 2, 2, 1, 2, 1, 0, 1, 1, 3 },     /* depthwise */
};
const int world_nshapes = (int)(sizeof(world_shapes) /
    sizeof(world_shapes[0]));

static void
round_f32(tensor_t *t)
{
	size_t i;

	for (i = 0; i < t->size; i++)
		t->data[i] = (double)(float)t->data[i];
}

void
world_init(world_t *w, int i, uint64_t seed, bool f32)
{
	const long *v = world_shapes[i];
	char *err = NULL;
	rng_t r;

	conv_shape_init(&w->s, v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
	w->s.strh = v[7], w->s.strw = v[8], w->s.pad_h = v[9];
	w->s.pad_w = v[10], w->s.dil_h = v[11], w->s.dil_w = v[12];
	w->s.groups = v[13];
	ck_assert_msg(conv_shape_validate(&w->s, 0, &err) == 0, "%s", err);
	rng_seed(&r, seed);
	w->input = tensor_create4((size_t)v[0], (size_t)v[1], (size_t)v[2],
	    (size_t)v[3]);
	w->weight = tensor_create4((size_t)v[4], (size_t)(v[1] / v[13]),
	    (size_t)v[5], (size_t)v[6]);
	w->bias = tensor_create1((size_t)v[4]);
	w->df = tensor_create4((size_t)v[0], (size_t)v[4], (size_t)w->s.H_out,
	    (size_t)w->s.W_out);
	tensor_fill_uniform(w->input, &r, -1, 1);
	tensor_fill_uniform(w->weight, &r, -1, 1);
	tensor_fill_uniform(w->bias, &r, -1, 1);
	tensor_fill_uniform(w->df, &r, -1, 1);
	if (f32) {
		round_f32(w->input);
		round_f32(w->weight);
		round_f32(w->bias);
		round_f32(w->df);
	}
	w->p = (zoo_problem_t){ &w->s, w->input, w->weight, w->bias, w->df };
}

void
world_free(world_t *w)
{
	tensor_free(w->input);
	tensor_free(w->weight);
	tensor_free(w->bias);
	tensor_free(w->df);
}

tensor_t *
world_qty(const world_t *w, zoo_qty_t q)
{
	size_t d[4];
	int n = zoo_qty_dims(q, &w->s, d);

	return tensor_create(n, d);
}

double
world_terms(const world_t *w, zoo_qty_t q)
{
	const conv_shape_t *s = &w->s;

	return q == ZOO_OUTPUT ? (double)(s->C_in / s->groups * s->R * s->S + 1) :
	    q == ZOO_DINPUT ? (double)(s->C_out / s->groups * s->R * s->S) :
	    (double)(s->N * s->H_out * s->W_out);
}

char *
temp_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/convgrad-outside-XXXXXX", tmp ? tmp : "/tmp");

	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

void
rm_dir(char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		char *p;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		unlink(p);
		free(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
	free(dir);
}

void
put_npy(const char *dir, const char *name, const tensor_t *t,
    npy_dtype_t dtype)
{
	char *p = xasprintf("%s/%s.npy", dir, name), *err = NULL;

	ck_assert_msg(npy_write_dtype(p, t, dtype, &err) == 0, "%s", err);
	free(p);
}

void
put_file(const char *dir, const char *name, const void *data, size_t len)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	free(p);
}

void
put_world(const char *dir, const world_t *w)
{
	put_npy(dir, "input", w->input, NPY_F8);
	put_npy(dir, "weight", w->weight, NPY_F8);
	put_npy(dir, "bias", w->bias, NPY_F8);
	put_npy(dir, "df", w->df, NPY_F8);
}
