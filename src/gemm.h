/*
 * gemm.h: C = alpha * op(A) * op(B) + beta * C, row-major, double.
 *
 * Two back ends: CBLAS (OpenBLAS or another, when configured) and a built-in
 * cache-blocked GEMM that is always compiled, so both are tested in one
 * build. The back end is process-wide; the default is BLAS when linked.
 */
#ifndef CONVGRAD_GEMM_H
#define CONVGRAD_GEMM_H

#include <stdbool.h>

typedef enum gemm_backend {
	GEMM_BLAS,      /* CBLAS dgemm (falls back to built-in if not linked) */
	GEMM_BUILTIN,
} gemm_backend_t;

/* op(A) is M x K, op(B) is K x N, C is M x N; lda/ldb/ldc are row strides of
 * A, B, C as stored. */
void gemm(bool trans_a, bool trans_b, int M, int N, int K, double alpha,
    const double *A, int lda, const double *B, int ldb, double beta,
    double *C, int ldc);
/* The built-in one, callable directly (tests compare the two). */
void gemm_builtin(bool trans_a, bool trans_b, int M, int N, int K,
    double alpha, const double *A, int lda, const double *B, int ldb,
    double beta, double *C, int ldc);

bool gemm_have_blas(void);
/* The back end is chosen at first use: CONVGRAD_GEMM=builtin|blas in the
 * environment, else BLAS when linked. gemm_set_backend overrides it. */
void gemm_set_backend(gemm_backend_t b);
gemm_backend_t gemm_get_backend(void);
/* Forget the choice: the next use reads CONVGRAD_GEMM again (for tests). */
void gemm_reset_backend(void);
/* "openblas", "cblas" or "built-in": what gemm() actually runs. */
const char *gemm_backend_name(void);
/* What the linked BLAS says of itself, for benchmarks: OpenBLAS's core
 * (the kernels it chose for this CPU, "Prescott", "SkylakeX", ...; it
 * honours OPENBLAS_CORETYPE), its build configuration, and its threads.
 * NULL / 0 when no OpenBLAS is linked. Static strings. */
const char *gemm_blas_core(void);
const char *gemm_blas_config(void);
int gemm_blas_threads(void);
/* Set the linked OpenBLAS's threads per call (n >= 1) and return the
 * number it had, so a caller that runs many GEMMs from threads of its own
 * (the gradcheck engine's workers) can make each one single-threaded and
 * put the old number back: two callers sharing OpenBLAS's thread pool
 * otherwise wait on it and its idle threads spin in sched_yield. 0 and no
 * effect when no OpenBLAS is linked. */
int gemm_blas_set_threads(int n);
/* false when OPENBLAS_CORETYPE names AVX-512 kernels (SkylakeX,
 * CooperLake, SapphireRapids) that this CPU cannot run: OpenBLAS would
 * stop on an illegal instruction at the first DGEMM (benchmarks check
 * first and say so). */
bool gemm_blas_core_runnable(void);

#endif
