/*
 * parallel.h: the little OpenMP glue the kernels and finite differences
 * share, so a build without OpenMP compiles the same code serially.
 */
#ifndef CONVGRAD_PARALLEL_H
#define CONVGRAD_PARALLEL_H

#ifdef _OPENMP
#include <omp.h>
#endif

/* Multiply-adds below which a kernel runs on one thread: a few ms of work.
 * On a loaded machine a parallel region can wait a whole time slice for
 * its second thread, worse while OpenBLAS's threads still spin after a
 * call (seen: 37 ms instead of 0.2 ms for issue 8's 0.45 M multiply-add
 * layer in the element form, 16 s instead of under 1 s for a gradcheck of
 * it in the matrix form with the built-in GEMM); and the finite
 * differences call the kernels by the thousand, from their own threads. */
#define PARALLEL_MIN_WORK 4194304.0        /* 2^22 */

/* This thread's number inside a parallel region (0 outside, or serial). */
static inline int
parallel_thread_num(void)
{
#ifdef _OPENMP
	return omp_get_thread_num();
#else
	return 0;
#endif
}

/* The threads a parallel region may use (1 without OpenMP). */
static inline int
parallel_max_threads(void)
{
#ifdef _OPENMP
	return omp_get_max_threads();
#else
	return 1;
#endif
}

/* Threads for the next parallel regions of this thread (tests: to run a
 * threaded path whatever the machine's cores; no-op without OpenMP). */
static inline void
parallel_set_threads(int n)
{
#ifdef _OPENMP
	omp_set_num_threads(n);
#else
	(void)n;
#endif
}

#endif
