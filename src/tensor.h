/*
 * tensor.h: dense tensors of double, up to 4-D, and a seeded RNG.
 *
 * A tensor is one allocation: the struct and its data together, so
 * tensor_free() is a single free(). Shapes and strides are in elements; the
 * data is C order (row-major) as created, so stride[ndim-1] == 1.
 * Index with T1/T2/T3/T4 (no bounds checks: the kernels are hot loops; the
 * check language does its own range checks and reports them as findings).
 */
#ifndef CONVGRAD_TENSOR_H
#define CONVGRAD_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TENSOR_MAX_DIMS 4

typedef struct tensor {
	int ndim;                         /* 1..4 */
	size_t shape[TENSOR_MAX_DIMS];    /* unused dims are 1 */
	size_t stride[TENSOR_MAX_DIMS];   /* in elements */
	size_t size;                      /* product of shape */
	double *data;                     /* points just after the struct */
} tensor_t;

#define T1(t, a)          ((t)->data[(size_t)(a)])
#define T2(t, a, b)       ((t)->data[(size_t)(a) * (t)->stride[0] + (size_t)(b)])
#define T3(t, a, b, c)    ((t)->data[(size_t)(a) * (t)->stride[0] + \
                           (size_t)(b) * (t)->stride[1] + (size_t)(c)])
#define T4(t, a, b, c, d) ((t)->data[(size_t)(a) * (t)->stride[0] + \
                           (size_t)(b) * (t)->stride[1] + \
                           (size_t)(c) * (t)->stride[2] + (size_t)(d)])

/* A zero-filled tensor of the given shape. Sizes are validated by the caller
 * (conv_shape_validate); an overflowing size here is a programmer error, and
 * out of memory is fatal. Free with tensor_free(). */
tensor_t *tensor_create(int ndim, const size_t *shape);
tensor_t *tensor_create1(size_t d0);
tensor_t *tensor_create2(size_t d0, size_t d1);
tensor_t *tensor_create4(size_t d0, size_t d1, size_t d2, size_t d3);
/* A deep copy. */
tensor_t *tensor_clone(const tensor_t *t);
/* Free; NULL is a no-op. */
void tensor_free(tensor_t *t);

/* Flat offset of a full index tuple (ndim entries). */
size_t tensor_offset(const tensor_t *t, const size_t *idx);
/* Unravel a flat C-order offset into ndim indices. */
void tensor_unravel(const tensor_t *t, size_t off, size_t *idx);
/* Same ndim and shape. */
bool tensor_same_shape(const tensor_t *a, const tensor_t *b);
void tensor_zero(tensor_t *t);
void tensor_copy(tensor_t *dst, const tensor_t *src);   /* same shape */
/* "(2, 3, 7, 8)" into buf; returns buf. */
char *tensor_shape_str(const tensor_t *t, char *buf, size_t len);

/* Layout conversions (dst must already have the target shape):
 *   NCHW (N, C, H, W)  <-> NHWC (N, H, W, C)
 *   OIHW (O, I, H, W)  <-> HWIO (H, W, I, O)   (TensorFlow's filter layout) */
void tensor_nchw_to_nhwc(tensor_t *dst, const tensor_t *src);
void tensor_nhwc_to_nchw(tensor_t *dst, const tensor_t *src);
void tensor_oihw_to_hwio(tensor_t *dst, const tensor_t *src);
void tensor_hwio_to_oihw(tensor_t *dst, const tensor_t *src);

/* Seeded deterministic RNG (xoshiro256**, seeded through splitmix64): the
 * same seed gives the same numbers on every machine. */
typedef struct rng {
	uint64_t s[4];
} rng_t;
void rng_seed(rng_t *r, uint64_t seed);
uint64_t rng_next(rng_t *r);
double rng_uniform(rng_t *r);                 /* [0, 1), 53 bits */
uint64_t rng_below(rng_t *r, uint64_t n);     /* [0, n), unbiased; n > 0 */
/* Fill with uniform values in [lo, hi). */
void tensor_fill_uniform(tensor_t *t, rng_t *r, double lo, double hi);

#endif
