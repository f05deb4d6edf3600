/*
 * tensor.c: dense tensors of double (one allocation each), layout
 * conversions between NCHW/NHWC and OIHW/HWIO, and a seeded RNG.
 *
 * The struct and its data share one malloc: the data starts at the first
 * multiple of sizeof(double) after the struct, so tensor_free() is one free()
 * and a tensor can never be half built.
 */
#include "tensor.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Offset of the data from the start of the allocation, rounded up so the
 * doubles are aligned. */
#define TENSOR_DATA_OFFSET \
	((sizeof(tensor_t) + sizeof(double) - 1) / sizeof(double) * sizeof(double))

tensor_t *
tensor_create(int ndim, const size_t *shape)
{
	tensor_t *t;
	size_t size = 1, bytes;
	int i;

	assert(ndim >= 1 && ndim <= TENSOR_MAX_DIMS);
	for (i = 0; i < ndim; i++) {
		if (shape[i] != 0 && size > SIZE_MAX / shape[i])
			fatal("tensor size overflows (dimension %d is %zu)", i,
			    shape[i]);
		size *= shape[i];
	}
	if (size > (SIZE_MAX - TENSOR_DATA_OFFSET) / sizeof(double))
		fatal("tensor of %zu elements is too large", size);
	bytes = TENSOR_DATA_OFFSET + size * sizeof(double);
	t = xcalloc(1, bytes);
	t->ndim = ndim;
	t->size = size;
	t->data = (double *)((char *)t + TENSOR_DATA_OFFSET);
	for (i = 0; i < TENSOR_MAX_DIMS; i++)
		t->shape[i] = i < ndim ? shape[i] : 1;
	/* C order: the last dimension is contiguous. */
	t->stride[ndim - 1] = 1;
	for (i = ndim - 2; i >= 0; i--)
		t->stride[i] = t->stride[i + 1] * t->shape[i + 1];
	for (i = ndim; i < TENSOR_MAX_DIMS; i++)
		t->stride[i] = 1;
	return t;
}

tensor_t *
tensor_create1(size_t d0)
{
	size_t shape[1] = { d0 };

	return tensor_create(1, shape);
}

tensor_t *
tensor_create2(size_t d0, size_t d1)
{
	size_t shape[2] = { d0, d1 };

	return tensor_create(2, shape);
}

tensor_t *
tensor_create4(size_t d0, size_t d1, size_t d2, size_t d3)
{
	size_t shape[4] = { d0, d1, d2, d3 };

	return tensor_create(4, shape);
}

tensor_t *
tensor_clone(const tensor_t *t)
{
	tensor_t *c = tensor_create(t->ndim, t->shape);

	tensor_copy(c, t);
	return c;
}

void
tensor_free(tensor_t *t)
{
	free(t);
}

size_t
tensor_offset(const tensor_t *t, const size_t *idx)
{
	size_t off = 0;
	int i;

	for (i = 0; i < t->ndim; i++) {
		assert(idx[i] < t->shape[i]);
		off += idx[i] * t->stride[i];
	}
	return off;
}

void
tensor_unravel(const tensor_t *t, size_t off, size_t *idx)
{
	int i;

	assert(off < t->size);
	for (i = t->ndim - 1; i >= 0; i--) {
		idx[i] = off % t->shape[i];
		off /= t->shape[i];
	}
}

bool
tensor_same_shape(const tensor_t *a, const tensor_t *b)
{
	int i;

	if (a->ndim != b->ndim)
		return false;
	for (i = 0; i < a->ndim; i++) {
		if (a->shape[i] != b->shape[i])
			return false;
	}
	return true;
}

void
tensor_zero(tensor_t *t)
{
	if (t->size > 0)
		memset(t->data, 0, t->size * sizeof(double));
}

void
tensor_copy(tensor_t *dst, const tensor_t *src)
{
	assert(tensor_same_shape(dst, src));
	if (src->size > 0)
		memcpy(dst->data, src->data, src->size * sizeof(double));
}

char *
tensor_shape_str(const tensor_t *t, char *buf, size_t len)
{
	size_t used = 0;
	int i, n;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < t->ndim && used < len; i++) {
		n = snprintf(buf + used, len - used, "%s%zu", i == 0 ? "(" : ", ",
		    t->shape[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (used < len)
		snprintf(buf + used, len - used, t->ndim == 1 ? ",)" : ")");
	return buf;
}

/* NCHW (N, C, H, W) -> NHWC (N, H, W, C). */
void
tensor_nchw_to_nhwc(tensor_t *dst, const tensor_t *src)
{
	size_t n, c, h, w;
	size_t N = src->shape[0], C = src->shape[1];
	size_t H = src->shape[2], W = src->shape[3];

	assert(src->ndim == 4 && dst->ndim == 4);
	assert(dst->shape[0] == N && dst->shape[1] == H && dst->shape[2] == W &&
	    dst->shape[3] == C);
	for (n = 0; n < N; n++)
		for (c = 0; c < C; c++)
			for (h = 0; h < H; h++)
				for (w = 0; w < W; w++)
					T4(dst, n, h, w, c) = T4(src, n, c, h, w);
}

/* NHWC (N, H, W, C) -> NCHW (N, C, H, W). */
void
tensor_nhwc_to_nchw(tensor_t *dst, const tensor_t *src)
{
	size_t n, c, h, w;
	size_t N = src->shape[0], H = src->shape[1];
	size_t W = src->shape[2], C = src->shape[3];

	assert(src->ndim == 4 && dst->ndim == 4);
	assert(dst->shape[0] == N && dst->shape[1] == C && dst->shape[2] == H &&
	    dst->shape[3] == W);
	for (n = 0; n < N; n++)
		for (c = 0; c < C; c++)
			for (h = 0; h < H; h++)
				for (w = 0; w < W; w++)
					T4(dst, n, c, h, w) = T4(src, n, h, w, c);
}

/* OIHW (O, I, H, W) -> HWIO (H, W, I, O). */
void
tensor_oihw_to_hwio(tensor_t *dst, const tensor_t *src)
{
	size_t o, i, h, w;
	size_t O = src->shape[0], I = src->shape[1];
	size_t H = src->shape[2], W = src->shape[3];

	assert(src->ndim == 4 && dst->ndim == 4);
	assert(dst->shape[0] == H && dst->shape[1] == W && dst->shape[2] == I &&
	    dst->shape[3] == O);
	for (o = 0; o < O; o++)
		for (i = 0; i < I; i++)
			for (h = 0; h < H; h++)
				for (w = 0; w < W; w++)
					T4(dst, h, w, i, o) = T4(src, o, i, h, w);
}

/* HWIO (H, W, I, O) -> OIHW (O, I, H, W). */
void
tensor_hwio_to_oihw(tensor_t *dst, const tensor_t *src)
{
	size_t o, i, h, w;
	size_t H = src->shape[0], W = src->shape[1];
	size_t I = src->shape[2], O = src->shape[3];

	assert(src->ndim == 4 && dst->ndim == 4);
	assert(dst->shape[0] == O && dst->shape[1] == I && dst->shape[2] == H &&
	    dst->shape[3] == W);
	for (o = 0; o < O; o++)
		for (i = 0; i < I; i++)
			for (h = 0; h < H; h++)
				for (w = 0; w < W; w++)
					T4(dst, o, i, h, w) = T4(src, h, w, i, o);
}

/*
 * RNG: xoshiro256** (Blackman and Vigna), seeded by expanding one 64-bit
 * seed through splitmix64 as its authors recommend. Integer arithmetic only,
 * so the stream is the same on every machine.
 */
static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void
rng_seed(rng_t *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

uint64_t
rng_next(rng_t *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
rng_uniform(rng_t *r)
{
	/* The top 53 bits, scaled by 2^-53: exact, in [0, 1). */
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t
rng_below(rng_t *r, uint64_t n)
{
	/* Reject the incomplete last block of 2^64 mod n values: unbiased. */
	uint64_t limit, x;

	assert(n > 0);
	limit = UINT64_MAX - UINT64_MAX % n;
	do
		x = rng_next(r);
	while (x >= limit);
	return x % n;
}

void
tensor_fill_uniform(tensor_t *t, rng_t *r, double lo, double hi)
{
	size_t i;

	for (i = 0; i < t->size; i++)
		t->data[i] = lo + (hi - lo) * rng_uniform(r);
}
