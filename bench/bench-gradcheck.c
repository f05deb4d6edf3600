/*
 * bench-gradcheck.c: the figures of `convgrad gradcheck` (issue 8). Not a
 * test: it prints them, in one run:
 *   - the layer N=2 C_in=8 16x16 C_out=8 3x3 stride 1, every entry: each
 *     kernel form alone and the whole default run (every form), medians;
 *   - torch.autograd.gradcheck, full and fast mode, on the same layer (when
 *     `python3 -c 'import torch'` works; Debian's python3-torch, installed
 *     by scripts/install-deps.sh --bench) and the ratios;
 *   - peak RSS against the layer's tensors;
 *   - the fitted exponent of time against N*H*W over four sizes;
 *   - a ResNet layer (1,64,56,56,64,3,3, padding 1), matrix form under
 *     BLAS: --budget 30 and the share compared; every entry with the
 *     estimate against the time taken when CONVGRAD_BENCH_RESNET=1 (it
 *     takes minutes);
 *   - which BLAS and OpenBLAS core it ran on.
 *
 * Usage: bench-gradcheck [TORCH_SCRIPT]   (make bench passes
 * bench/bench-gradcheck-torch.py). CONVGRAD_BENCH_QUICK=1 skips the 30 s
 * budget run. The cores are shared with other work when this runs on a
 * busy machine: the figures are noisy, and say so.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "gemm.h"
#include "gradcheck.h"
#include "util.h"
#include "parallel.h"

static void
shape_of(conv_shape_t *s, long N, long C_in, long H, long C_out, long pad)
{
	conv_shape_init(s, N, C_in, H, H, C_out, 3, 3);
	s->pad_h = s->pad_w = pad;
}

/* One run of gradcheck over forms; its wall time, or -1 if refused or
 * failed (said on stdout). est receives the first timing's estimate. */
static double
run_once(const conv_shape_t *s, unsigned forms, double budget, double *est,
    double *share_in, double *share_w)
{
	gradcheck_opts_t o;
	gradcheck_t *g;
	char *err = NULL;
	double t;
	size_t failed;

	gradcheck_opts_default(&o);
	o.shape = *s;
	o.forms = forms;
	o.budget = budget;
	o.max_work = 0;
	if ((g = gradcheck_create(&o, &err)) == NULL) {
		printf("  refused: %s\n", err);
		free(err);
		return -1;
	}
	t = util_now();
	failed = gradcheck_run(g);
	t = util_now() - t;
	if (failed > 0)
		printf("  (%zu checks FAILED)\n", failed);
	if (est != NULL)
		*est = gradcheck_timing_count(g) ? gradcheck_timing(g, 0)->estimate :
		    0;
	if (share_in != NULL) {
		const gradcheck_item_t *a = gradcheck_item(g, 0), *b =
		    gradcheck_item(g, 1);

		*share_in = (double)a->checked / (double)a->total;
		*share_w = (double)b->checked / (double)b->total;
	}
	gradcheck_free(g);
	return failed > 0 ? -1 : t;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of n runs. */
static double
median_run(const conv_shape_t *s, unsigned forms, int n)
{
	double t[9];
	int i;

	for (i = 0; i < n && i < 9; i++) {
		if ((t[i] = run_once(s, forms, 0, NULL, NULL, NULL)) < 0)
			return -1;
	}
	qsort(t, (size_t)i, sizeof(double), cmp_double);
	return t[i / 2];
}

/* The first python3 that imports torch (the one on PATH may be another
 * than the system's, which has Debian's python3-torch), or NULL. */
static const char *
torch_python(void)
{
	static const char *const pys[] = { "python3", "/usr/bin/python3" };
	char cmd[256];
	size_t i;

	for (i = 0; i < sizeof(pys) / sizeof(pys[0]); i++) {
		snprintf(cmd, sizeof(cmd), "%s -c 'import torch' >/dev/null 2>&1",
		    pys[i]);
		if (system(cmd) == 0)
			return pys[i];
	}
	return NULL;
}

/* torch.autograd.gradcheck through the script: its seconds, or -1. */
static double
torch_time(const char *script, const conv_shape_t *s, const char *mode,
    int reps, long *rss_kb)
{
	char cmd[1024], line[512], m[16], ok[16], ver[64];
	double t = -1;
	int threads = 0;
	FILE *p;

	const char *py = torch_python();

	if (py == NULL) {
		printf("  torch.autograd.gradcheck: skipped, PyTorch is not "
		    "installed (scripts/install-deps.sh --bench installs "
		    "python3-torch)\n");
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "%s '%s' %ld %ld %ld %ld %ld %ld %ld "
	    "%ld %ld %s %d 2>&1", py, script, s->N, s->C_in, s->H_in, s->W_in,
	    s->C_out, s->R, s->S, s->strh, s->pad_h, mode, reps);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), p) != NULL) {
		if (sscanf(line, "torch %15s %lf %15s %ld %63s %d", m, &t, ok,
		    rss_kb, ver, &threads) == 6) {
			printf("  torch %s, %d threads: %s mode %.3f s (median of %d), "
			    "passed %s, peak RSS %.0f MB\n", ver, threads, m, t, reps, ok,
			    (double)*rss_kb / 1024);
		} else if (strncmp(line, "torch absent", 12) == 0) {
			printf("  torch.autograd.gradcheck: skipped, PyTorch is not "
			    "installed (scripts/install-deps.sh --bench installs "
			    "python3-torch)\n");
		} else {
			printf("  torch: %s", line);
		}
	}
	pclose(p);
	return t;
}

static void
header(void)
{
	const char *core = gemm_blas_core(), *env = getenv("OPENBLAS_CORETYPE");

	gemm_set_backend(GEMM_BLAS);
	printf("bench-gradcheck: BLAS %s, OpenBLAS core %s (OPENBLAS_CORETYPE "
	    "%s), OpenMP threads %d\n", gemm_backend_name(),
	    core != NULL ? core : "-", env != NULL ? env : "unset",
	    parallel_max_threads());
	printf("  figures are noisy: the 2 cores are shared with other work "
	    "(load now: see uptime)\n");
}

/* The issue's layer: each form, the whole run, torch, ratios, RSS. */
static void
issue_layer(const char *script)
{
	conv_shape_t s;
	double te, tb, tn, tall, tfull, tfast;
	long rss_full = 0, rss_fast = 0;
	struct rusage ru;

	shape_of(&s, 2, 8, 16, 8, 0);
	printf("\nLayer N=2 C_in=8 16x16 C_out=8 3x3 stride 1, every entry of "
	    "every Jacobian and gradient (median of 3):\n");
	te = median_run(&s, GRADCHECK_ELEM, 3);
	tb = gemm_have_blas() ? median_run(&s, GRADCHECK_MATRIX_BLAS, 3) : -1;
	tn = median_run(&s, GRADCHECK_MATRIX_BUILTIN, 3);
	tall = median_run(&s, GRADCHECK_ALL, 3);
	printf("  element form             %8.3f s\n", te);
	if (gemm_have_blas())
		printf("  matrix form, BLAS        %8.3f s\n", tb);
	printf("  matrix form, built-in    %8.3f s\n", tn);
	printf("  whole default run        %8.3f s (every form, NHWC)\n", tall);
	getrusage(RUSAGE_SELF, &ru);
	printf("  peak RSS of this bench   %8.1f MB (the layer's tensors: %.2f "
	    "MB)\n", (double)ru.ru_maxrss / 1024,
	    (double)conv_shape_bytes(&s) / (1 << 20));
	if (script == NULL)
		return;
	tfull = torch_time(script, &s, "full", 3, &rss_full);
	tfast = torch_time(script, &s, "fast", 5, &rss_fast);
	if (tfull <= 0 || tfast <= 0)
		return;
	printf("  ratios: matrix/BLAS = 1/%.0f of torch full (goal >= 100), "
	    "%.2fx torch fast's time (goal < 1)\n", tfull / tb, tb / tfast);
	printf("          whole default run = 1/%.1f of torch full (goal >= "
	    "10)\n", tfull / tall);
}

/* Least-squares slope of log t against log x. */
static double
slope(const double *x, const double *t, int n)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	int i;

	for (i = 0; i < n; i++) {
		double a = log(x[i]), b = log(t[i]);

		sx += a;
		sy += b;
		sxx += a * a;
		sxy += a * b;
	}
	return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

static void
exponent(void)
{
	static const long sizes[4][2] = { { 1, 8 }, { 1, 12 }, { 2, 12 },
	    { 2, 16 } };
	double x[4], t[4];
	unsigned form = gemm_have_blas() ? GRADCHECK_MATRIX_BLAS :
	    GRADCHECK_MATRIX_BUILTIN;
	int i;

	printf("\nTime against N*H*W (C_in = C_out = 8, 3x3, stride 1, matrix "
	    "form):\n");
	for (i = 0; i < 4; i++) {
		conv_shape_t s;

		shape_of(&s, sizes[i][0], 8, sizes[i][1], 8, 0);
		x[i] = (double)(sizes[i][0] * sizes[i][1] * sizes[i][1]);
		t[i] = median_run(&s, form, 3);
		printf("  N=%ld H=W=%-3ld N*H*W=%-6.0f %8.4f s\n", sizes[i][0],
		    sizes[i][1], x[i], t[i]);
	}
	printf("  fitted exponent %.2f (goal <= 1.2)\n", slope(x, t, 4));
	printf("  (at these sizes the per-pass cost is mostly fixed; in the limit "
	    "the rows of\n  d output/d weight take N*H_out*W_out backward passes "
	    "over the whole layer,\n  so that part grows as (N*H*W)^2: reading "
	    "a black-box backward's rows\n  exactly needs one pass per output "
	    "position)\n");
}

static void
resnet(void)
{
	conv_shape_t s;
	double est = 0, t, si = 0, sw = 0;
	unsigned form = gemm_have_blas() ? GRADCHECK_MATRIX_BLAS :
	    GRADCHECK_MATRIX_BUILTIN;

	shape_of(&s, 1, 64, 56, 64, 1);
	printf("\nResNet layer 1,64,56,56,64,3,3 padding 1, matrix form:\n");
	if (getenv("CONVGRAD_BENCH_QUICK") == NULL) {
		t = run_once(&s, form, 30, NULL, &si, &sw);
		printf("  --budget 30: %.1f s, compared %.2f%% of d output/d input, "
		    "%.2f%% of d output/d weight (goal >= 10%%)\n", t, 100 * si,
		    100 * sw);
	} else {
		printf("  --budget 30: skipped (CONVGRAD_BENCH_QUICK)\n");
	}
	if (getenv("CONVGRAD_BENCH_RESNET") == NULL) {
		printf("  every entry: run with CONVGRAD_BENCH_RESNET=1 make bench "
		    "(minutes)\n");
		return;
	}
	t = run_once(&s, form, 0, &est, NULL, NULL);
	printf("  every entry: %.1f s, estimated %.1f s after the first "
	    "passes (ratio %.2f, goal within 2x; goal <= 300 s)\n", t, est,
	    t / est);
}

int
main(int argc, char **argv)
{
	header();
	issue_layer(argc > 1 ? argv[1] : NULL);
	exponent();
	resnet();
	return 0;
}
