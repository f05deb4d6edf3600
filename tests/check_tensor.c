/*
 * check_tensor.c: tensors (one allocation, C-order strides, indexing), the
 * layout conversions, and the seeded RNG.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check-util.h"
#include "tensor.h"

START_TEST(test_create_layout)
{
	tensor_t *t = tensor_create4(2, 3, 5, 7);
	size_t i;

	ck_assert_int_eq(t->ndim, 4);
	ck_assert_uint_eq(t->size, 2 * 3 * 5 * 7);
	ck_assert_uint_eq(t->stride[0], 3 * 5 * 7);
	ck_assert_uint_eq(t->stride[1], 5 * 7);
	ck_assert_uint_eq(t->stride[2], 7);
	ck_assert_uint_eq(t->stride[3], 1);
	/* One allocation: the data lies inside the same block, after the struct. */
	ck_assert_ptr_eq(t->data, (double *)(t + 1));
	for (i = 0; i < t->size; i++)
		ck_assert(t->data[i] == 0.0);     /* zero-filled */
	T4(t, 1, 2, 3, 4) = 42.0;
	ck_assert(t->data[1 * 105 + 2 * 35 + 3 * 7 + 4] == 42.0);
	tensor_free(t);
	tensor_free(NULL);                    /* a no-op */
}
END_TEST

START_TEST(test_small_ranks)
{
	tensor_t *a = tensor_create1(5), *b = tensor_create2(3, 4);
	char buf[64];

	ck_assert_int_eq(a->ndim, 1);
	ck_assert_uint_eq(a->shape[1], 1);   /* unused dims are 1 */
	ck_assert_str_eq(tensor_shape_str(a, buf, sizeof(buf)), "(5,)");
	ck_assert_str_eq(tensor_shape_str(b, buf, sizeof(buf)), "(3, 4)");
	T2(b, 2, 3) = 1.5;
	ck_assert(b->data[11] == 1.5);
	ck_assert(!tensor_same_shape(a, b));
	tensor_free(a);
	tensor_free(b);
}
END_TEST

START_TEST(test_offset_unravel)
{
	tensor_t *t = tensor_create4(2, 3, 4, 5);
	size_t off, idx[4];

	for (off = 0; off < t->size; off++) {
		tensor_unravel(t, off, idx);
		ck_assert_uint_eq(tensor_offset(t, idx), off);
	}
	tensor_unravel(t, 119, idx);
	ck_assert(idx[0] == 1 && idx[1] == 2 && idx[2] == 3 && idx[3] == 4);
	tensor_free(t);
}
END_TEST

START_TEST(test_clone_copy_zero)
{
	tensor_t *t = tensor_create2(2, 3), *c;
	size_t i;

	for (i = 0; i < t->size; i++)
		t->data[i] = (double)i + 0.5;
	c = tensor_clone(t);
	ck_assert(tensor_same_shape(c, t));
	ck_assert_ptr_ne(c->data, t->data);
	ck_assert_mem_eq(c->data, t->data, t->size * sizeof(double));
	t->data[0] = -1.0;                    /* a deep copy */
	ck_assert(c->data[0] == 0.5);
	tensor_copy(t, c);
	ck_assert(t->data[0] == 0.5);
	tensor_zero(t);
	for (i = 0; i < t->size; i++)
		ck_assert(t->data[i] == 0.0);
	tensor_free(t);
	tensor_free(c);
}
END_TEST

/* Distinct value per index so any misplaced element shows. */
static double
code(size_t a, size_t b, size_t c, size_t d)
{
	return (double)(a * 1000 + b * 100 + c * 10 + d);
}

START_TEST(test_nchw_nhwc)
{
	tensor_t *x = tensor_create4(2, 3, 4, 5);
	tensor_t *y = tensor_create4(2, 4, 5, 3);
	tensor_t *z = tensor_create4(2, 3, 4, 5);
	size_t n, c, h, w;

	for (n = 0; n < 2; n++)
	for (c = 0; c < 3; c++)
	for (h = 0; h < 4; h++)
	for (w = 0; w < 5; w++)
		T4(x, n, c, h, w) = code(n, c, h, w);
	tensor_nchw_to_nhwc(y, x);
	for (n = 0; n < 2; n++)
	for (c = 0; c < 3; c++)
	for (h = 0; h < 4; h++)
	for (w = 0; w < 5; w++)
		ck_assert(T4(y, n, h, w, c) == code(n, c, h, w));
	tensor_nhwc_to_nchw(z, y);
	ck_assert_mem_eq(z->data, x->data, x->size * sizeof(double));
	tensor_free(x);
	tensor_free(y);
	tensor_free(z);
}
END_TEST

START_TEST(test_oihw_hwio)
{
	tensor_t *x = tensor_create4(4, 3, 2, 5);     /* O, I, H, W */
	tensor_t *y = tensor_create4(2, 5, 3, 4);     /* H, W, I, O */
	tensor_t *z = tensor_create4(4, 3, 2, 5);
	size_t o, i, h, w;

	for (o = 0; o < 4; o++)
	for (i = 0; i < 3; i++)
	for (h = 0; h < 2; h++)
	for (w = 0; w < 5; w++)
		T4(x, o, i, h, w) = code(o, i, h, w);
	tensor_oihw_to_hwio(y, x);
	for (o = 0; o < 4; o++)
	for (i = 0; i < 3; i++)
	for (h = 0; h < 2; h++)
	for (w = 0; w < 5; w++)
		ck_assert(T4(y, h, w, i, o) == code(o, i, h, w));
	tensor_hwio_to_oihw(z, y);
	ck_assert_mem_eq(z->data, x->data, x->size * sizeof(double));
	tensor_free(x);
	tensor_free(y);
	tensor_free(z);
}
END_TEST

/* Reference values from an independent Python implementation of splitmix64
 * seeding + xoshiro256** (Blackman & Vigna's published algorithm), seed 42. */
START_TEST(test_rng_reference)
{
	rng_t r;

	rng_seed(&r, 42);
	ck_assert_uint_eq(rng_next(&r), UINT64_C(0x15780b2e0c2ec716));
	ck_assert_uint_eq(rng_next(&r), UINT64_C(0x6104d9866d113a7e));
	ck_assert_uint_eq(rng_next(&r), UINT64_C(0xae17533239e499a1));
	rng_seed(&r, 42);
	/* (first >> 11) * 2^-53, exactly */
	ck_assert(rng_uniform(&r) == 0.08386297105988216);
}
END_TEST

START_TEST(test_rng_deterministic)
{
	rng_t a, b, c;
	int i, same = 0;

	rng_seed(&a, 7);
	rng_seed(&b, 7);
	rng_seed(&c, 8);
	for (i = 0; i < 1000; i++) {
		uint64_t x = rng_next(&a);

		ck_assert_uint_eq(x, rng_next(&b));
		same += x == rng_next(&c);
	}
	ck_assert_int_eq(same, 0);            /* another seed, another stream */
}
END_TEST

START_TEST(test_rng_ranges)
{
	rng_t r;
	int counts[6] = { 0 };
	int i;
	tensor_t *t = tensor_create1(10000);

	rng_seed(&r, 1);
	for (i = 0; i < 60000; i++) {
		uint64_t k = rng_below(&r, 6);

		ck_assert_uint_lt(k, 6);
		counts[k]++;
	}
	/* Each count is Binomial(60000, 1/6): mean 10000, sd ~91; 6 sd is a
	 * false alarm once in ~10^9 runs (and the stream is fixed anyway). */
	for (i = 0; i < 6; i++)
		ck_assert_msg(fabs(counts[i] - 10000.0) < 550, "count[%d] = %d", i,
		    counts[i]);
	ck_assert_uint_eq(rng_below(&r, 1), 0);
	tensor_fill_uniform(t, &r, -2.0, 3.0);
	for (i = 0; i < 10000; i++)
		ck_assert(t->data[i] >= -2.0 && t->data[i] < 3.0);
	tensor_free(t);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("tensor");
	TCase *tc = tcase_create("tensor");

	tcase_add_test(tc, test_create_layout);
	tcase_add_test(tc, test_small_ranks);
	tcase_add_test(tc, test_offset_unravel);
	tcase_add_test(tc, test_clone_copy_zero);
	tcase_add_test(tc, test_nchw_nhwc);
	tcase_add_test(tc, test_oihw_hwio);
	tcase_add_test(tc, test_rng_reference);
	tcase_add_test(tc, test_rng_deterministic);
	tcase_add_test(tc, test_rng_ranges);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
