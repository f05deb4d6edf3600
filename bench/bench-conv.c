/*
 * bench-conv.c: how fast are the conv2d kernels? Not a test: it prints
 * figures. For a few layer shapes it times forward, backward input and
 * backward weight in element form and in matrix form (built-in GEMM and
 * BLAS), with GFLOP/s, and the memory the tensors and im2col buffers take;
 * then the bare GEMMs at a few square sizes.
 *
 * Usage: bench-conv [--quick]   (built by `make bench`, which also runs it)
 * FLOPs counted as 2 * N * C_out * H_out * W_out * C_in * R * S per pass
 * (one multiply and one add per term, padding terms included), the same for
 * all three passes; GEMM: 2 M N K. Each figure is the best of several runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "conv-elem.h"
#include "conv-matrix.h"
#include "gemm.h"
#include "util.h"

typedef struct layer {
	conv_shape_t s;
	tensor_t *input, *weight, *bias, *output, *df, *dinput, *dweight;
} layer_t;

/* Which kernel a timing runs. */
typedef enum pass { PASS_FORWARD, PASS_DINPUT, PASS_DWEIGHT } pass_t;
static const char *pass_names[] = { "forward", "backward input",
    "backward weight" };

static void
run_pass(layer_t *l, pass_t p, bool matrix)
{
	switch (p) {
	case PASS_FORWARD:
		(matrix ? conv2d_forward_matrix : conv2d_forward_elem)(l->output,
		    l->input, l->weight, l->bias, &l->s);
		break;
	case PASS_DINPUT:
		(matrix ? conv2d_backward_input_matrix :
		    conv2d_backward_input_elem)(l->dinput, l->df, l->weight, &l->s);
		break;
	case PASS_DWEIGHT:
		(matrix ? conv2d_backward_weight_matrix :
		    conv2d_backward_weight_elem)(l->dweight, l->df, l->input, &l->s);
		break;
	}
}

/* Best time of up to 5 runs, stopping once 0.5 s have been spent. */
static double
best_time(layer_t *l, pass_t p, bool matrix)
{
	double best = 1e30, spent = 0;
	int r;

	for (r = 0; r < 5 && spent < 0.5; r++) {
		double t0 = util_now(), dt;

		run_pass(l, p, matrix);
		dt = util_now() - t0;
		spent += dt;
		if (dt < best)
			best = dt;
	}
	return best;
}

static void
layer_init(layer_t *l, long N, long C_in, long H, long W, long C_out, long R,
    long pad)
{
	char *err = NULL;
	rng_t r;

	conv_shape_init(&l->s, N, C_in, H, W, C_out, R, R);
	l->s.pad_h = l->s.pad_w = pad;
	if (conv_shape_validate(&l->s, 0, &err) != 0)
		fatal("bench shape: %s", err);
	rng_seed(&r, 1);
	l->input = tensor_create4(N, C_in, H, W);
	l->weight = tensor_create4(C_out, C_in, R, R);
	l->bias = tensor_create1(C_out);
	l->output = tensor_create4(N, C_out, l->s.H_out, l->s.W_out);
	l->df = tensor_create4(N, C_out, l->s.H_out, l->s.W_out);
	l->dinput = tensor_create4(N, C_in, H, W);
	l->dweight = tensor_create4(C_out, C_in, R, R);
	tensor_fill_uniform(l->input, &r, -1, 1);
	tensor_fill_uniform(l->weight, &r, -1, 1);
	tensor_fill_uniform(l->bias, &r, -1, 1);
	tensor_fill_uniform(l->df, &r, -1, 1);
}

static void
layer_free(layer_t *l)
{
	tensor_free(l->input);
	tensor_free(l->weight);
	tensor_free(l->bias);
	tensor_free(l->output);
	tensor_free(l->df);
	tensor_free(l->dinput);
	tensor_free(l->dweight);
}

static int
max_threads(void)
{
#ifdef _OPENMP
	return omp_get_max_threads();
#else
	return 1;
#endif
}

static void
bench_layer(long N, long C_in, long H, long W, long C_out, long R, long pad)
{
	layer_t l;
	char buf[256];
	double flops, mib_tensors, mib_cols;
	int p;

	layer_init(&l, N, C_in, H, W, C_out, R, pad);
	flops = 2.0 * (double)conv_output_size(&l.s) * (double)(C_in * R * R);
	/* tensors: input, weight, bias, output, df, dinput, dweight; im2col:
	 * one (C_in*R*S, H_out*W_out) buffer per thread */
	mib_tensors = (double)(conv_shape_bytes(&l.s) + 8 * (conv_input_size(&l.s) +
	    conv_weight_size(&l.s))) / (1 << 20);
	mib_cols = 8.0 * (double)(C_in * R * R) * (double)(l.s.H_out * l.s.W_out) /
	    (1 << 20);
	printf("\n%s  (%.3g MFLOP per pass)\n", conv_shape_str(&l.s, buf,
	    sizeof(buf)), flops / 1e6);
	printf("  memory: tensors %.2f MiB, im2col buffer %.2f MiB per thread "
	    "(x%d threads with the built-in GEMM, x1 with BLAS)\n", mib_tensors,
	    mib_cols, max_threads());
	printf("  %-16s %14s %14s %14s\n", "", "element", "matrix/built-in",
	    "matrix/BLAS");
	for (p = 0; p < 3; p++) {
		double te = best_time(&l, (pass_t)p, false), tb, tl;

		gemm_set_backend(GEMM_BUILTIN);
		tb = best_time(&l, (pass_t)p, true);
		gemm_set_backend(GEMM_BLAS);
		tl = best_time(&l, (pass_t)p, true);
		printf("  %-16s %8.2f ms %4.1fG %8.2f ms %4.1fG %8.2f ms %4.1fG\n",
		    pass_names[p], te * 1e3, flops / te / 1e9, tb * 1e3,
		    flops / tb / 1e9, tl * 1e3, flops / tl / 1e9);
	}
	layer_free(&l);
}

static double
gemm_time(int n, bool blas, const double *A, const double *B, double *C)
{
	double best = 1e30;
	int r;

	for (r = 0; r < 3; r++) {
		double t0 = util_now(), dt;

		if (blas) {
			gemm_set_backend(GEMM_BLAS);
			gemm(false, false, n, n, n, 1.0, A, n, B, n, 0.0, C, n);
		} else {
			gemm_builtin(false, false, n, n, n, 1.0, A, n, B, n, 0.0, C, n);
		}
		dt = util_now() - t0;
		if (dt < best)
			best = dt;
	}
	return best;
}

static void
bench_gemm(int n)
{
	size_t sz = (size_t)n * n;
	double *A = xmalloc(sz * sizeof(double)), *B = xmalloc(sz * sizeof(double));
	double *C = xmalloc(sz * sizeof(double)), flops = 2.0 * n * n * (double)n;
	double tb, tl;
	size_t i;
	rng_t r;

	rng_seed(&r, 2);
	for (i = 0; i < sz; i++) {
		A[i] = rng_uniform(&r);
		B[i] = rng_uniform(&r);
	}
	tb = gemm_time(n, false, A, B, C);
	tl = gemm_time(n, true, A, B, C);
	printf("  %5d^3  built-in %8.2f ms %5.1f GFLOP/s   BLAS %8.2f ms %5.1f "
	    "GFLOP/s\n", n, tb * 1e3, flops / tb / 1e9, tl * 1e3, flops / tl / 1e9);
	free(A);
	free(B);
	free(C);
}

int
main(int argc, char **argv)
{
	bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
	struct rusage ru;

	gemm_set_backend(GEMM_BLAS);
	printf("bench-conv: BLAS back end: %s; OpenMP threads: %d\n",
	    gemm_backend_name(), max_threads());
	bench_layer(4, 8, 32, 32, 16, 3, 1);
	bench_layer(2, 3, 64, 48, 8, 5, 2);
	if (!quick) {
		bench_layer(8, 32, 32, 32, 64, 3, 1);
		bench_layer(8, 64, 28, 28, 128, 3, 1);
	}
	printf("\nGEMM C = A B (square, row-major):\n");
	bench_gemm(128);
	bench_gemm(256);
	if (!quick)
		bench_gemm(1024);
	getrusage(RUSAGE_SELF, &ru);
	printf("\npeak resident set: %.1f MiB\n", (double)ru.ru_maxrss / 1024);
	return 0;
}
