/*
 * gemm.c: C = alpha * op(A) * op(B) + beta * C (row-major, double) through
 * CBLAS when configured, or a built-in cache-blocked GEMM that is always
 * compiled so the tests can compare the two in one build.
 *
 * The built-in GEMM packs a block of op(A) (MB x KB, alpha folded in) and a
 * block of op(B) (KB x NB) into contiguous buffers, whatever the transposes,
 * then multiplies them in 4 x 8 tiles of C held in registers (the edges that
 * do not fill a tile run as a plain i-k-j loop). The blocks are sized so the
 * packed B block stays in L2 and the packed A block in L1/L2.
 *
 * beta == 0 means C is write-only: it is cleared, never read, so whatever
 * garbage (NaN included) it held cannot leak into the result, as BLAS
 * specifies.
 */
#include "config.h"

#include "gemm.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifdef HAVE_CBLAS
#include <cblas.h>
#endif

#include "util.h"

#define GEMM_MB 64
#define GEMM_KB 128
#define GEMM_NB 256

/* C (M x N) = beta * C; beta == 0 clears without reading. */
static void
scale_c(int M, int N, double beta, double *C, int ldc)
{
	int i, j;

	if (beta == 1.0)
		return;
	for (i = 0; i < M; i++) {
		double *c = C + (size_t)i * ldc;

		if (beta == 0.0)
			memset(c, 0, (size_t)N * sizeof(double));
		else
			for (j = 0; j < N; j++)
				c[j] *= beta;
	}
}

/* Ap (mb x kb, row-major) = alpha * op(A)[i0.., k0..]. */
static void
pack_a(double *Ap, bool trans_a, const double *A, int lda, int i0, int k0,
    int mb, int kb, double alpha)
{
	int i, k;

	for (i = 0; i < mb; i++)
		for (k = 0; k < kb; k++)
			Ap[(size_t)i * kb + k] = alpha * (trans_a ?
			    A[(size_t)(k0 + k) * lda + i0 + i] :
			    A[(size_t)(i0 + i) * lda + k0 + k]);
}

/* Bp (kb x nb, row-major) = op(B)[k0.., j0..]. */
static void
pack_b(double *Bp, bool trans_b, const double *B, int ldb, int k0, int j0,
    int kb, int nb)
{
	int k, j;

	for (k = 0; k < kb; k++)
		for (j = 0; j < nb; j++)
			Bp[(size_t)k * nb + j] = trans_b ?
			    B[(size_t)(j0 + j) * ldb + k0 + k] :
			    B[(size_t)(k0 + k) * ldb + j0 + j];
}

/* One 4 x 8 tile of C += Ap[4 rows] * Bp[, 8 columns], kept in registers
 * across the whole kb loop (32 accumulators: each loaded b is used four
 * times, each a eight times). */
static void
tile_4x8(double *C, int ldc, const double *Ap, const double *Bp, int kb,
    int nb)
{
	double acc[4][8] = { { 0 } };
	int k, r, j;

	for (k = 0; k < kb; k++) {
		const double *b = Bp + (size_t)k * nb;

		for (r = 0; r < 4; r++) {
			const double a = Ap[(size_t)r * kb + k];

			for (j = 0; j < 8; j++)
				acc[r][j] += a * b[j];
		}
	}
	for (r = 0; r < 4; r++)
		for (j = 0; j < 8; j++)
			C[(size_t)r * ldc + j] += acc[r][j];
}

/* C[i0.., j0..] (mb x nb) += Ap (mb x kb) * Bp (kb x nb): 4 x 8 register
 * tiles, then the ragged right and bottom edges one element at a time. */
static void
block_kernel(double *C, int ldc, int i0, int j0, const double *Ap,
    const double *Bp, int mb, int nb, int kb)
{
	int i, k, j, mt = mb / 4 * 4, nt = nb / 8 * 8;

	for (i = 0; i < mt; i += 4)
		for (j = 0; j < nt; j += 8)
			tile_4x8(C + (size_t)(i0 + i) * ldc + j0 + j, ldc,
			    Ap + (size_t)i * kb, Bp + j, kb, nb);
	for (i = 0; i < mb; i++) {
		double *c = C + (size_t)(i0 + i) * ldc + j0;
		int jstart = i < mt ? nt : 0;

		for (k = 0; k < kb; k++) {
			const double a = Ap[(size_t)i * kb + k];
			const double *b = Bp + (size_t)k * nb;

			for (j = jstart; j < nb; j++)
				c[j] += a * b[j];
		}
	}
}

static int
min_int(int a, int b)
{
	return a < b ? a : b;
}

void
gemm_builtin(bool trans_a, bool trans_b, int M, int N, int K, double alpha,
    const double *A, int lda, const double *B, int ldb, double beta,
    double *C, int ldc)
{
	double *Ap, *Bp;
	int i0, j0, k0;

	assert(M >= 0 && N >= 0 && K >= 0);
	assert(ldc >= N);
	if (M == 0 || N == 0)
		return;
	scale_c(M, N, beta, C, ldc);
	if (K == 0 || alpha == 0.0)
		return;
	assert(lda >= (trans_a ? M : K) && ldb >= (trans_b ? K : N));
	/* sized to the problem: a small product (the gradcheck engine makes
	 * hundreds of them) then stays under malloc's mmap threshold instead
	 * of faulting in 256 KiB of fresh pages per call */
	Ap = xmalloc((size_t)min_int(GEMM_MB, M) * min_int(GEMM_KB, K) *
	    sizeof(double));
	Bp = xmalloc((size_t)min_int(GEMM_KB, K) * min_int(GEMM_NB, N) *
	    sizeof(double));
	for (j0 = 0; j0 < N; j0 += GEMM_NB) {
		int nb = min_int(GEMM_NB, N - j0);

		for (k0 = 0; k0 < K; k0 += GEMM_KB) {
			int kb = min_int(GEMM_KB, K - k0);

			pack_b(Bp, trans_b, B, ldb, k0, j0, kb, nb);
			for (i0 = 0; i0 < M; i0 += GEMM_MB) {
				int mb = min_int(GEMM_MB, M - i0);

				pack_a(Ap, trans_a, A, lda, i0, k0, mb, kb, alpha);
				block_kernel(C, ldc, i0, j0, Ap, Bp, mb, nb, kb);
			}
		}
	}
	free(Bp);
	free(Ap);
}

/*
 * The process-wide back end: -1 until first use, when CONVGRAD_GEMM
 * (builtin | blas) is read; otherwise BLAS when linked. Atomic because the
 * first use may come from several OpenMP threads at once (they all store
 * the same value).
 */
static _Atomic int gemm_backend = -1;

static gemm_backend_t
backend_from_env(void)
{
	const char *e = getenv("CONVGRAD_GEMM");

	if (e != NULL && strcmp(e, "builtin") == 0)
		return GEMM_BUILTIN;
	if (e != NULL && strcmp(e, "built-in") == 0)
		return GEMM_BUILTIN;
	return gemm_have_blas() ? GEMM_BLAS : GEMM_BUILTIN;
}

bool
gemm_have_blas(void)
{
#ifdef HAVE_CBLAS
	return true;
#else
	return false;
#endif
}

void
gemm_set_backend(gemm_backend_t b)
{
	assert(b == GEMM_BLAS || b == GEMM_BUILTIN);
	atomic_store(&gemm_backend, (int)b);
}

void
gemm_reset_backend(void)
{
	atomic_store(&gemm_backend, -1);
}

gemm_backend_t
gemm_get_backend(void)
{
	int b = atomic_load(&gemm_backend);

	if (b < 0) {
		b = (int)backend_from_env();
		atomic_store(&gemm_backend, b);
	}
	return (gemm_backend_t)b;
}

/* Does gemm() run BLAS right now (selected and linked)? */
static bool
use_blas(void)
{
	return gemm_have_blas() && gemm_get_backend() == GEMM_BLAS;
}

const char *
gemm_backend_name(void)
{
	if (!use_blas())
		return "built-in";
#ifdef OPENBLAS_VERSION
	return "openblas";
#else
	return "cblas";
#endif
}

const char *
gemm_blas_core(void)
{
#ifdef OPENBLAS_VERSION
	return openblas_get_corename();
#else
	return NULL;
#endif
}

const char *
gemm_blas_config(void)
{
#ifdef OPENBLAS_VERSION
	return openblas_get_config();
#else
	return NULL;
#endif
}

int
gemm_blas_threads(void)
{
#ifdef OPENBLAS_VERSION
	return openblas_get_num_threads();
#else
	return 0;
#endif
}

bool
gemm_blas_core_runnable(void)
{
	static const char *const avx512[] = { "SkylakeX", "CooperLake",
	    "SapphireRapids" };
	const char *env = getenv("OPENBLAS_CORETYPE");
	size_t i;

	if (env == NULL)
		return true;
	for (i = 0; i < sizeof avx512 / sizeof avx512[0]; i++)
		if (strcasecmp(env, avx512[i]) == 0)
			return __builtin_cpu_supports("avx512f");
	return true;
}

int
gemm_blas_set_threads(int n)
{
	assert(n >= 1);
#ifdef OPENBLAS_VERSION
	int old = openblas_get_num_threads();

	openblas_set_num_threads(n);
	return old;
#else
	(void)n;
	return 0;
#endif
}

void
gemm(bool trans_a, bool trans_b, int M, int N, int K, double alpha,
    const double *A, int lda, const double *B, int ldb, double beta,
    double *C, int ldc)
{
	if (!use_blas()) {
		gemm_builtin(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb,
		    beta, C, ldc);
		return;
	}
#ifdef HAVE_CBLAS
	assert(M >= 0 && N >= 0 && K >= 0);
	if (M == 0 || N == 0)
		return;
	if (K == 0 || alpha == 0.0) {
		/* Degenerate: CBLAS would refuse lda == 0; nothing to multiply. */
		scale_c(M, N, beta, C, ldc);
		return;
	}
	cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
	    trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B, ldb,
	    beta, C, ldc);
#endif
}
