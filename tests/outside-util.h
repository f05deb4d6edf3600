/*
 * outside-util.h: what the suites of the outside checks share
 * (check_zoo, check_load, check_plugin): a seeded problem on one of a
 * few shapes that between them let every zoo mistake show, temporary
 * directories, and writing a DIR as --load reads it.
 */
#ifndef CONVGRAD_OUTSIDE_UTIL_H
#define CONVGRAD_OUTSIDE_UTIL_H

#include "conv-shape.h"
#include "npy.h"
#include "tensor.h"
#include "zoo.h"

/* N, C_in, H_in, W_in, C_out, R, S, strh, strw, pad_h, pad_w, dil_h,
 * dil_w, groups. */
extern const long world_shapes[][14];
extern const int world_nshapes;

typedef struct world {
	conv_shape_t s;
	tensor_t *input, *weight, *bias, *df;
	zoo_problem_t p;
} world_t;

/* Shape i, tensors uniform in [-1, 1) from seed; with f32 every value is
 * rounded to float32 (as a float32 user's inputs are). */
void world_init(world_t *w, int i, uint64_t seed, bool f32);
void world_free(world_t *w);
/* A tensor of quantity q's shape (zero). */
tensor_t *world_qty(const world_t *w, zoo_qty_t q);
/* Terms of one entry of q, as load-dir.c counts them. */
double world_terms(const world_t *w, zoo_qty_t q);

/* A new empty directory under $TMPDIR (malloc'd); rm_dir removes it and
 * the files in it, and frees the path. */
char *temp_dir(void);
void rm_dir(char *dir);
/* Write t as dir/name.npy in dtype; fails the test on error. */
void put_npy(const char *dir, const char *name, const tensor_t *t,
    npy_dtype_t dtype);
/* Write raw bytes as dir/name. */
void put_file(const char *dir, const char *name, const void *data,
    size_t len);
/* Write w's input, weight, bias, df (float64) to dir. */
void put_world(const char *dir, const world_t *w);

#endif
