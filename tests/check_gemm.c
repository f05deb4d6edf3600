/*
 * check_gemm.c: both GEMM back ends against a naive triple loop, over
 * random sizes (1, odd, and across the built-in's block edges), all four
 * transpose combinations, several alpha/beta, padded leading dimensions;
 * beta == 0 must not read C; back-end selection.
 *
 * Tolerance: each C entry is a sum of K products of values in [-1, 1),
 * scaled by alpha, plus beta * C. Two summation orders differ by at most
 * about 2 K * eps * sum|terms| <= 2 K^2 eps |alpha|, plus a few eps for the
 * beta term: 4 (K^2 |alpha| + |beta| + 1) eps covers it (at K = 300 about
 * 8e-11; a wrong transpose or a dropped block errs by O(1)).
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check-util.h"
#include "gemm.h"

/* C = alpha op(A) op(B) + beta C, the textbook way (beta 0: C not read). */
static void
gemm_naive(bool ta, bool tb, int M, int N, int K, double alpha,
    const double *A, int lda, const double *B, int ldb, double beta,
    double *C, int ldc)
{
	int i, j, k;

	for (i = 0; i < M; i++)
		for (j = 0; j < N; j++) {
			double sum = 0.0;

			for (k = 0; k < K; k++)
				sum += (ta ? A[k * lda + i] : A[i * lda + k]) *
				    (tb ? B[j * ldb + k] : B[k * ldb + j]);
			C[i * ldc + j] = alpha * sum +
			    (beta == 0.0 ? 0.0 : beta * C[i * ldc + j]);
		}
}

/* M, N, K: 1, odd, and past the built-in's 64 / 256 / 128 block sizes. */
static const int sizes[][3] = {
	{ 1, 1, 1 }, { 1, 7, 1 }, { 5, 1, 3 }, { 3, 5, 7 }, { 17, 13, 11 },
	{ 64, 256, 128 }, { 65, 257, 129 }, { 130, 31, 300 }, { 2, 300, 2 },
	{ 200, 3, 5 }, { 1, 1, 500 },
};
#define NSIZES ((int)(sizeof(sizes) / sizeof(sizes[0])))

static const double alphas[] = { 1.0, -0.5, 2.5 };
static const double betas[] = { 0.0, 1.0, 0.3 };

typedef void (*gemm_fn)(bool, bool, int, int, int, double, const double *,
    int, const double *, int, double, double *, int);

static double *
random_matrix(rng_t *r, size_t n)
{
	double *m = malloc(n * sizeof(double));
	size_t i;

	for (i = 0; i < n; i++)
		m[i] = 2.0 * rng_uniform(r) - 1.0;
	return m;
}

/* One size, all transposes and alpha/beta, with fn; padded lds (+3) and a
 * sentinel in C's padding that must survive. */
static void
check_sizes(gemm_fn fn, int row)
{
	const int M = sizes[row][0], N = sizes[row][1], K = sizes[row][2];
	rng_t r;
	int t, a, b, i, j;

	rng_seed(&r, 77 + (uint64_t)row);
	for (t = 0; t < 4; t++)
	for (a = 0; a < 3; a++)
	for (b = 0; b < 3; b++) {
		bool ta = t & 1, tb = t & 2;
		int lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 3, ldc = N + 3;
		double *A = random_matrix(&r, (size_t)(ta ? K : M) * lda);
		double *B = random_matrix(&r, (size_t)(tb ? N : K) * ldb);
		double *C = random_matrix(&r, (size_t)M * ldc);
		double *want = malloc((size_t)M * ldc * sizeof(double));
		double tol = 4.0 * ((double)K * K * fabs(alphas[a]) +
		    fabs(betas[b]) + 1.0) * DBL_EPSILON;

		for (i = 0; i < M; i++)
			for (j = N; j < ldc; j++)
				C[i * ldc + j] = 12345.0;
		if (betas[b] == 0.0)
			for (i = 0; i < M * ldc; i++)
				if (i % ldc < N)
					C[i] = NAN;   /* must not be read */
		memcpy(want, C, (size_t)M * ldc * sizeof(double));
		gemm_naive(ta, tb, M, N, K, alphas[a], A, lda, B, ldb, betas[b],
		    want, ldc);
		fn(ta, tb, M, N, K, alphas[a], A, lda, B, ldb, betas[b], C, ldc);
		/* compares the padding too: the sentinels must be intact */
		ck_assert_close_array(C, want, (size_t)M * ldc, tol, 0.0);
		free(A);
		free(B);
		free(C);
		free(want);
	}
}

START_TEST(test_builtin)
{
	check_sizes(gemm_builtin, _i);
}
END_TEST

/* gemm() on the BLAS back end (the built-in one when BLAS is not linked). */
static void
gemm_via_blas(bool ta, bool tb, int M, int N, int K, double alpha,
    const double *A, int lda, const double *B, int ldb, double beta,
    double *C, int ldc)
{
	gemm_set_backend(GEMM_BLAS);
	gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

START_TEST(test_blas)
{
	check_sizes(gemm_via_blas, _i);
}
END_TEST

/* Degenerate sizes: K = 0 leaves beta * C; M or N = 0 touches nothing. */
START_TEST(test_degenerate)
{
	double C[4] = { 1, 2, 3, 4 }, A[1] = { 7 }, B[1] = { 9 };
	const double want[4] = { 0.5, 1, 1.5, 2 };
	int k;

	for (k = 0; k < 2; k++) {
		double c[4];

		memcpy(c, C, sizeof(c));
		gemm_set_backend(k == 0 ? GEMM_BUILTIN : GEMM_BLAS);
		gemm(false, false, 2, 2, 0, 1.0, A, 1, B, 2, 0.5, c, 2);
		ck_assert_close_array(c, want, 4, 0.0, 0.0);
		gemm(false, false, 0, 2, 3, 1.0, A, 3, B, 2, 0.0, c, 2);
		gemm(false, false, 2, 0, 3, 1.0, A, 3, B, 1, 0.0, c, 1);
		ck_assert_close_array(c, want, 4, 0.0, 0.0);
	}
}
END_TEST

START_TEST(test_backend_selection)
{
	gemm_set_backend(GEMM_BUILTIN);
	ck_assert_int_eq(gemm_get_backend(), GEMM_BUILTIN);
	ck_assert_str_eq(gemm_backend_name(), "built-in");
	gemm_set_backend(GEMM_BLAS);
	ck_assert_int_eq(gemm_get_backend(), GEMM_BLAS);
	if (gemm_have_blas())
		ck_assert_str_ne(gemm_backend_name(), "built-in");
	else
		ck_assert_str_eq(gemm_backend_name(), "built-in");

	setenv("CONVGRAD_GEMM", "builtin", 1);
	gemm_reset_backend();
	ck_assert_int_eq(gemm_get_backend(), GEMM_BUILTIN);
	setenv("CONVGRAD_GEMM", "blas", 1);
	gemm_reset_backend();
	ck_assert_int_eq(gemm_get_backend(),
	    gemm_have_blas() ? GEMM_BLAS : GEMM_BUILTIN);
	unsetenv("CONVGRAD_GEMM");
	gemm_reset_backend();
	ck_assert_int_eq(gemm_get_backend(),
	    gemm_have_blas() ? GEMM_BLAS : GEMM_BUILTIN);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("gemm");
	TCase *tc = tcase_create("gemm");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_builtin, 0, NSIZES);
	tcase_add_loop_test(tc, test_blas, 0, NSIZES);
	tcase_add_test(tc, test_degenerate);
	tcase_add_test(tc, test_backend_selection);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
