/*
 * bench-kernels.c: how close does the matrix form (im2col + GEMM) come to
 * the BLAS it runs on? Not a test: it prints figures (`make bench` runs it
 * three times: with OpenBLAS's own choice of core, with its generic
 * OPENBLAS_CORETYPE=Prescott kernels, and with SkylakeX's AVX-512 kernels,
 * which it declines to run, saying so, on a CPU without AVX-512).
 *
 * It prints the BLAS and the core OpenBLAS chose, then, in the same run:
 *   - for each bench layer, the BLAS's own DGEMM on a square n^3 product
 *     (its peak here), timed in the same rounds as the layer's passes;
 *   - for each pass (forward, backward input, backward weight): the matrix
 *     form's time and GF/s under BLAS, that as a fraction of the peak (the
 *     issue's goal: >= 50%), the DGEMM of the pass's one whole-batch
 *     product alone (M, N, K printed) and the matrix form as a fraction of
 *     it (what im2col, col2im and the copies cost), and the element form
 *     (the reference kernel).
 * FLOPs: 2 * N * C_out * H_out * W_out * (C_in/groups) * R * S per pass (one
 * multiply and one add per term, padding terms included), for every form.
 * Each figure is the best of several interleaved rounds. The machine's
 * cores are shared with other work, so figures are noisy: compare figures
 * of one layer.
 *
 * Usage: bench-kernels [--quick]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conv-elem.h"
#include "conv-matrix.h"
#include "gemm.h"
#include "parallel.h"
#include "util.h"

typedef struct layer {
	const char *what;
	conv_shape_t s;
	tensor_t *input, *weight, *bias, *output, *df, *dinput, *dweight;
} layer_t;

typedef enum pass { PASS_FORWARD, PASS_DINPUT, PASS_DWEIGHT, NPASS } pass_t;
static const char *const pass_names[] = { "forward", "backward input",
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
	default:
		(matrix ? conv2d_backward_weight_matrix :
		    conv2d_backward_weight_elem)(l->dweight, l->df, l->input, &l->s);
		break;
	}
}

/* Best of up to `runs` runs, stopping once `budget` seconds are spent. */
static double
best_time(layer_t *l, pass_t p, bool matrix, int runs, double budget)
{
	double best = 1e30, spent = 0;
	int r;

	for (r = 0; r < runs && spent < budget; r++) {
		double t0 = util_now(), dt;

		run_pass(l, p, matrix);
		dt = util_now() - t0;
		spent += dt;
		if (dt < best)
			best = dt;
	}
	return best;
}

static tensor_t *
random4(size_t a, size_t b, size_t c, size_t d, rng_t *r)
{
	tensor_t *t = tensor_create4(a, b, c, d);

	tensor_fill_uniform(t, r, -1, 1);
	return t;
}

static void
layer_init(layer_t *l, const char *what, long N, long C_in, long H, long W,
    long C_out, long R, long str, long pad, long groups)
{
	char *err = NULL;
	size_t wd[4];
	rng_t r;

	l->what = what;
	conv_shape_init(&l->s, N, C_in, H, W, C_out, R, R);
	l->s.strh = l->s.strw = str;
	l->s.pad_h = l->s.pad_w = pad;
	l->s.groups = groups;
	if (conv_shape_validate(&l->s, 0, &err) != 0)
		fatal("bench shape: %s", err);
	conv_weight_dims(&l->s, wd);
	rng_seed(&r, 1);
	l->input = random4((size_t)N, (size_t)C_in, (size_t)H, (size_t)W, &r);
	l->weight = random4(wd[0], wd[1], wd[2], wd[3], &r);
	l->bias = tensor_create1((size_t)C_out);
	tensor_fill_uniform(l->bias, &r, -1, 1);
	l->df = random4((size_t)N, (size_t)C_out, (size_t)l->s.H_out,
	    (size_t)l->s.W_out, &r);
	l->output = tensor_create4((size_t)N, (size_t)C_out,
	    (size_t)l->s.H_out, (size_t)l->s.W_out);
	l->dinput = tensor_create4((size_t)N, (size_t)C_in, (size_t)H,
	    (size_t)W);
	l->dweight = tensor_create4(wd[0], wd[1], wd[2], wd[3]);
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

/* Best time of one BLAS C = op(A) op(B), C M x N, over `runs` runs. */
static double
dgemm_time(bool ta, bool tb, int M, int N, int K, int runs)
{
	size_t na = (size_t)M * K, nb = (size_t)K * N, nc = (size_t)M * N, i;
	double *A = xmalloc(na * sizeof(double)), *B = xmalloc(nb * sizeof(double));
	double *C = xmalloc(nc * sizeof(double)), best = 1e30;
	rng_t r;
	int k;

	rng_seed(&r, 2);
	for (i = 0; i < na; i++)
		A[i] = rng_uniform(&r);
	for (i = 0; i < nb; i++)
		B[i] = rng_uniform(&r);
	for (k = 0; k < runs; k++) {
		double t0 = util_now(), dt;

		gemm(ta, tb, M, N, K, 1.0, A, ta ? M : K, B, tb ? K : N, 0.0, C,
		    N);
		dt = util_now() - t0;
		if (dt < best)
			best = dt;
	}
	free(A);
	free(B);
	free(C);
	return best;
}

/* The pass as one product over the whole batch and one group, as the
 * matrix form would run it with unbounded memory: forward M = C_out/groups,
 * N = N*H_out*W_out, K = C_in/groups*R*S; backward input M = K_f, N the same,
 * K = C_out/groups (A transposed); backward weight M = C_out/groups,
 * N = K_f, K = N*H_out*W_out (B transposed). */
static void
pass_gemm(const conv_shape_t *s, pass_t p, bool *ta, bool *tb, int *M,
    int *N, int *K)
{
	int co = (int)conv_group_cout(s), kf = (int)(conv_group_cin(s) * s->R *
	    s->S), cols = (int)(s->N * s->H_out * s->W_out);

	*ta = p == PASS_DINPUT;
	*tb = p == PASS_DWEIGHT;
	if (p == PASS_FORWARD)
		*M = co, *N = cols, *K = kf;
	else if (p == PASS_DINPUT)
		*M = kf, *N = cols, *K = co;
	else
		*M = co, *N = kf, *K = cols;
}

/* Best times of one layer's figures, sampled round by round. */
typedef struct layer_times {
	double peak, pass[NPASS], alone[NPASS], elem[NPASS];
} layer_times_t;

static void
keep_best(double *best, double t)
{
	if (t < *best)
		*best = t;
}

/*
 * The figures of one layer, interleaved: each round times the square
 * DGEMM (the peak), then for each pass the matrix form and its GEMM alone,
 * so that all of them are sampled under the same load (each pass twice in
 * a row, the second with its operands in cache); the best of each
 * over the rounds is kept (at least 2 rounds, then until 5 or `budget`
 * seconds). The element form is timed after, best of 2.
 */
static void
time_layer(layer_t *l, int n, double budget, layer_times_t *t)
{
	double t0 = util_now();
	int r, p;

	t->peak = 1e30;
	for (p = 0; p < NPASS; p++)
		t->pass[p] = t->alone[p] = t->elem[p] = 1e30;
	gemm_set_backend(GEMM_BLAS);
	for (r = 0; r < 5 && (r < 2 || util_now() - t0 < budget); r++) {
		keep_best(&t->peak, dgemm_time(false, false, n, n, n, 1));
		for (p = 0; p < NPASS; p++) {
			bool ta, tb;
			int M, N, K;

			/* twice: the peak's operands have just evicted the
			 * layer's from the caches */
			keep_best(&t->pass[p], best_time(l, (pass_t)p, true, 2, 1e9));
			pass_gemm(&l->s, (pass_t)p, &ta, &tb, &M, &N, &K);
			keep_best(&t->alone[p], dgemm_time(ta, tb, M, N, K, 1) *
			    (double)l->s.groups);
		}
	}
	for (p = 0; p < NPASS; p++)
		t->elem[p] = best_time(l, (pass_t)p, false, 2, 0.5);
}

/* One layer: the peak of its rounds, a line per pass. Returns the worst
 * pass's fraction of the peak. */
static double
bench_layer(layer_t *l, int n, double budget)
{
	double flops = 2.0 * (double)conv_output_size(&l->s) *
	    (double)(conv_group_cin(&l->s) * l->s.R * l->s.S), worst = 1e30;
	double peak;
	layer_times_t t;
	char buf[256];
	int p;

	time_layer(l, n, budget, &t);
	peak = 2.0 * n * n * (double)n / t.peak / 1e9;
	printf("\n%s: %s\n  %.4g MFLOP per pass; DGEMM %d^3 in the same "
	    "rounds (the peak): %.1f GF/s\n", l->what,
	    conv_shape_str(&l->s, buf, sizeof buf), flops / 1e6, n, peak);
	printf("  %-16s %19s %8s %26s %7s %18s\n", "pass", "matrix/BLAS",
	    "of peak", "its GEMM alone (M N K)", "of it", "element");
	for (p = 0; p < NPASS; p++) {
		double gm, ga;
		bool ta, tb;
		int M, N, K;

		pass_gemm(&l->s, (pass_t)p, &ta, &tb, &M, &N, &K);
		gm = flops / t.pass[p] / 1e9;
		ga = 2.0 * M * (double)N * K * (double)l->s.groups / t.alone[p] /
		    1e9;
		printf("  %-16s %8.2f ms %5.1f G %7.0f%% %5.1f G (%d %d %d) %6.0f%% "
		    "%9.1f ms %4.2f G\n", pass_names[p], t.pass[p] * 1e3, gm,
		    100 * gm / peak, ga, M, N, K, 100 * gm / ga, t.elem[p] * 1e3,
		    flops / t.elem[p] / 1e9);
		if (gm / peak < worst)
			worst = gm / peak;
	}
	return worst;
}

static double
lower(double a, double b)
{
	return a < b ? a : b;
}

int
main(int argc, char **argv)
{
	bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
	const char *core, *env = getenv("OPENBLAS_CORETYPE");
	int n = quick ? 512 : 1024;
	double worst = 1e30, budget = quick ? 3.0 : 8.0;
	layer_t l;

	if (!gemm_blas_core_runnable()) {
		printf("bench-kernels: OPENBLAS_CORETYPE=%s not run: this CPU has "
		    "no AVX-512, which those kernels need (OpenBLAS would stop on "
		    "an illegal instruction)\n", env);
		return 0;
	}
	gemm_set_backend(GEMM_BLAS);
	core = gemm_blas_core();
	printf("bench-kernels: BLAS %s, OpenBLAS core %s (OPENBLAS_CORETYPE %s), "
	    "BLAS threads %d, OpenMP threads %d\n", gemm_backend_name(),
	    core != NULL ? core : "-", env != NULL ? env : "unset",
	    gemm_blas_threads(), parallel_max_threads());
	if (gemm_blas_config() != NULL)
		printf("  OpenBLAS config: %s\n", gemm_blas_config());
	printf("  figures are noisy: the cores are shared with other work\n");
	dgemm_time(false, false, 256, 256, 256, 2);   /* start BLAS's threads */
	layer_init(&l, "issue 8's layer", 2, 8, 16, 16, 8, 3, 1, 0, 1);
	worst = lower(worst, bench_layer(&l, n, budget));
	layer_free(&l);
	layer_init(&l, "mid layer", 8, 64, 28, 28, 128, 3, 1, 1, 1);
	worst = lower(worst, bench_layer(&l, n, budget));
	layer_free(&l);
	layer_init(&l, "depthwise", 8, 64, 28, 28, 64, 3, 1, 1, 64);
	bench_layer(&l, n, budget);
	layer_free(&l);
	if (!quick) {
		layer_init(&l, "ResNet layer", 1, 64, 56, 56, 64, 3, 1, 1, 1);
		worst = lower(worst, bench_layer(&l, n, budget));
		layer_free(&l);
		layer_init(&l, "late layer", 8, 256, 14, 14, 256, 3, 1, 1, 1);
		worst = lower(worst, bench_layer(&l, n, budget));
		layer_free(&l);
	}
	printf("\nmatrix form, worst pass of the ungrouped layers: %.0f%% of "
	    "the DGEMM peak (goal >= 50%%)\n", 100 * worst);
	return 0;
}
