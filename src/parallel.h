/*
 * parallel.h: the little OpenMP glue the kernels and finite differences
 * share, so a build without OpenMP compiles the same code serially.
 */
#ifndef CONVGRAD_PARALLEL_H
#define CONVGRAD_PARALLEL_H

#ifdef _OPENMP
#include <omp.h>
#endif

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
