/*
 * bench-gradcheck.c: the figures of `convgrad gradcheck` (issue 8). Not a
 * test: it prints them, in one run:
 *   - the layer N=2 C_in=8 16x16 C_out=8 3x3 stride 1, every entry: each
 *     kernel form alone and the whole default run (every form), medians;
 *   - torch.autograd.gradcheck, full and fast mode, on the same layer (when
 *     `python3 -c 'import torch'` works; Debian's python3-torch, installed
 *     by scripts/install-deps.sh --bench) and the ratios;
 *   - the scheme's floor there: the engine's forward and backward calls
 *     (gradcheck_engine_plan) times one measured pass of the matrix form
 *     under BLAS, on 2 cores: the least an every-entry check by this
 *     scheme costs before any overhead of its own, against fast mode;
 *   - peak RSS against the layer's tensors;
 *   - the fitted exponent of time against N*H*W over four sizes;
 *   - a ResNet layer (1,64,56,56,64,3,3, padding 1), matrix form under
 *     BLAS: --budget 30 and the share compared; every entry with the
 *     estimate against the time taken when CONVGRAD_BENCH_RESNET=1 (it
 *     takes minutes);
 *   - with CONVGRAD_BENCH_PLUGIN=LIB (make bench builds the example
 *     plugin, examples/plugin/conv.c, with $(CC) -O2 and passes it), the
 *     plugin path on the same layer: `convgrad gradcheck --plugin LIB`'s
 *     check, CPU time with its child processes';
 *   - which BLAS and OpenBLAS core it ran on, and the load average;
 *   - CPU time (user + system, every thread) beside every wall time.
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
#include "conv-matrix.h"
#include "gradcheck.h"
#include "gradcheck-int.h"
#include "plugin-check.h"
#include "util.h"
#include "parallel.h"

static void
shape_of(conv_shape_t *s, long N, long C_in, long H, long C_out, long pad)
{
	conv_shape_init(s, N, C_in, H, H, C_out, 3, 3);
	s->pad_h = s->pad_w = pad;
}

/* CPU seconds of this process so far, user + system (every thread). */
static double
cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
	    (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

/* The CPU seconds of the last run_once. */
static double last_cpu;

/* One run of gradcheck over forms; its wall time, or -1 if refused or
 * failed (said on stdout); its CPU time in last_cpu. est receives the
 * first timing's estimate, share[3] the shares of the three Jacobians
 * compared. */
static double
run_once(const conv_shape_t *s, unsigned forms, double budget, double *est,
    double *share)
{
	gradcheck_opts_t o;
	gradcheck_t *g;
	char *err = NULL;
	double t, c;
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
	c = cpu_now();
	failed = gradcheck_run(g);
	t = util_now() - t;
	last_cpu = cpu_now() - c;
	if (failed > 0)
		printf("  (%zu checks FAILED)\n", failed);
	if (est != NULL)
		*est = gradcheck_timing_count(g) ? gradcheck_timing(g, 0)->estimate :
		    0;
	if (share != NULL) {
		int i;

		for (i = 0; i < 3; i++) {
			const gradcheck_item_t *a = gradcheck_item(g, (size_t)i);

			share[i] = (double)a->checked / (double)a->total;
		}
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

/* Median wall time of n runs; *cpu the median CPU time. */
static double
median_run(const conv_shape_t *s, unsigned forms, int n, double *cpu)
{
	double t[9], c[9];
	int i;

	for (i = 0; i < n && i < 9; i++) {
		if ((t[i] = run_once(s, forms, 0, NULL, NULL)) < 0)
			return -1;
		c[i] = last_cpu;
	}
	qsort(t, (size_t)i, sizeof(double), cmp_double);
	qsort(c, (size_t)i, sizeof(double), cmp_double);
	if (cpu != NULL)
		*cpu = c[i / 2];
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

/* torch.autograd.gradcheck through the script: its median wall seconds,
 * or -1; *cpu its median CPU seconds. */
static double
torch_time(const char *script, const conv_shape_t *s, const char *mode,
    int reps, long *rss_kb, double *cpu)
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
		if (sscanf(line, "torch %15s %lf %lf %15s %ld %63s %d", m, &t, cpu,
		    ok, rss_kb, ver, &threads) == 7) {
			printf("  torch %s, %d threads: %-4s mode %8.4f s, CPU %7.4f s "
			    "(medians of %d), passed %s, peak RSS %.0f MB\n", ver,
			    threads, m, t, *cpu, reps, ok, (double)*rss_kb / 1024);
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

/* The first lines: BLAS, core, load. false if the core asked for cannot
 * run here. */
static bool
header(void)
{
	const char *core = gemm_blas_core(), *env = getenv("OPENBLAS_CORETYPE");
	const char *conf = gemm_blas_config();
	double la[3] = { 0, 0, 0 };
	FILE *f = fopen("/proc/loadavg", "r");

	if (f != NULL) {
		if (fscanf(f, "%lf %lf %lf", &la[0], &la[1], &la[2]) != 3)
			la[0] = la[1] = la[2] = 0;
		fclose(f);
	}
	if (!gemm_blas_core_runnable()) {
		printf("bench-gradcheck: OPENBLAS_CORETYPE=%s not run: this CPU "
		    "has no AVX-512, which those kernels need (OpenBLAS would stop "
		    "on an illegal instruction); unset it and OpenBLAS picks its "
		    "own core\n", env);
		return false;
	}
	gemm_set_backend(GEMM_BLAS);
	printf("bench-gradcheck: BLAS %s, OpenBLAS core %s (OPENBLAS_CORETYPE "
	    "%s), %s, OpenMP threads %d\n", gemm_backend_name(),
	    core != NULL ? core : "-", env != NULL ? env : "unset",
	    conf != NULL ? conf : "no OpenBLAS", parallel_max_threads());
	printf("  figures are noisy: the 2 cores are shared with other work "
	    "(load average now %.1f %.1f %.1f);\n  CPU is user + system "
	    "seconds of every thread, beside the wall time\n", la[0], la[1],
	    la[2]);
	return true;
}

/* Median seconds of one call of the matrix form's forward (backward
 * false) or backward-input pass on layer s, under the current GEMM. */
static double
pass_time(const conv_shape_t *s, bool backward)
{
	tensor_t *x = tensor_create4((size_t)s->N, (size_t)s->C_in,
	    (size_t)s->H_in, (size_t)s->W_in);
	tensor_t *w = tensor_create4((size_t)s->C_out,
	    (size_t)conv_group_cin(s), (size_t)s->R, (size_t)s->S);
	tensor_t *b = tensor_create1((size_t)s->C_out);
	tensor_t *y = tensor_create4((size_t)s->N, (size_t)s->C_out,
	    (size_t)s->H_out, (size_t)s->W_out);
	double t[51];
	int i, j;

	for (i = 0; i < 51; i++) {
		double t0 = util_now();

		for (j = 0; j < 20; j++) {
			if (backward)
				conv2d_backward_input_matrix(x, y, w, s);
			else
				conv2d_forward_matrix(y, x, w, b, s);
		}
		t[i] = (util_now() - t0) / 20;
	}
	qsort(t, 51, sizeof(double), cmp_double);
	tensor_free(x);
	tensor_free(w);
	tensor_free(b);
	tensor_free(y);
	return t[25];
}

/* What an every-entry check by this scheme must spend on the layer, at
 * the least: the engine's calls (gradcheck_engine_plan: the column
 * groups' forwards, the row groups' backwards, weight rows on crops), in
 * passes over the whole layer, times one pass of the matrix form under
 * BLAS, on the 2 cores; against torch's fast mode (tfast, or 0). */
static void
scheme_bound(const conv_shape_t *s, double tb, double tfast)
{
	double fw, bw, passes, tf, tbk, bound;
	conv_shape_t v = *s;
	char *err = NULL;

	if (conv_shape_validate(&v, 0, &err) != 0) {
		printf("  the scheme's floor: %s\n", err);
		free(err);
		return;
	}
	s = &v;
	gradcheck_engine_plan(s, true, true, &fw, &bw, &passes);
	tf = pass_time(s, false);
	tbk = pass_time(s, true);
	bound = (fw * tf + (passes - fw) * tbk) / 2;
	printf("  the scheme's floor: %.0f forward and %.0f backward calls "
	    "(%.0f passes of the\n      whole layer, crops counted by "
	    "size); one pass of the matrix form, BLAS:\n      forward %.4f ms, "
	    "backward input %.4f ms, so the passes alone take\n      %.4f s on "
	    "2 cores = %.0f%% of the matrix/BLAS run", fw, bw, passes,
	    1e3 * tf, 1e3 * tbk, bound, 100 * bound / tb);
	if (tfast > 0)
		printf(", %.2fx torch fast's time", bound / tfast);
	printf("\n");
}

/* The issue's layer: each form, the whole run, torch, ratios, RSS. */
static void
issue_layer(const char *script)
{
	conv_shape_t s;
	double te, tb, tn, tall, tfull, tfast, ce = 0, cb = 0, cn = 0, call = 0;
	double cfull = 0, cfast = 0;
	long rss_full = 0, rss_fast = 0;
	struct rusage ru;

	shape_of(&s, 2, 8, 16, 8, 0);
	printf("\nLayer N=2 C_in=8 16x16 C_out=8 3x3 stride 1, every entry of "
	    "every Jacobian and gradient (medians of 5):\n");
	te = median_run(&s, GRADCHECK_ELEM, 5, &ce);
	tb = gemm_have_blas() ? median_run(&s, GRADCHECK_MATRIX_BLAS, 5, &cb) :
	    -1;
	tn = median_run(&s, GRADCHECK_MATRIX_BUILTIN, 5, &cn);
	tall = median_run(&s, GRADCHECK_ALL, 5, &call);
	printf("  element form             %8.3f s, CPU %7.3f s\n", te, ce);
	if (gemm_have_blas())
		printf("  matrix form, BLAS        %8.3f s, CPU %7.3f s\n", tb, cb);
	printf("  matrix form, built-in    %8.3f s, CPU %7.3f s\n", tn, cn);
	printf("  whole default run        %8.3f s, CPU %7.3f s (every form, "
	    "NHWC)\n", tall, call);
	getrusage(RUSAGE_SELF, &ru);
	printf("  peak RSS of this bench   %8.1f MB (the layer's tensors: %.2f "
	    "MB)\n", (double)ru.ru_maxrss / 1024,
	    (double)conv_shape_bytes(&s) / (1 << 20));
	tfull = tfast = 0;
	if (script != NULL) {
		tfull = torch_time(script, &s, "full", 3, &rss_full, &cfull);
		tfast = torch_time(script, &s, "fast", 5, &rss_fast, &cfast);
	}
	if (gemm_have_blas()) {
		gemm_set_backend(GEMM_BLAS);
		scheme_bound(&s, tb, tfast);
		gemm_reset_backend();
	}
	if (tfull <= 0 || tfast <= 0)
		return;
	printf("  ratios, wall (CPU): matrix/BLAS = 1/%.0f (1/%.0f) of torch "
	    "full (goal >= 100),\n      %.2fx (%.2fx) torch fast's time (goal "
	    "< 1)\n", tfull / tb, cfull / cb, tb / tfast, cb / cfast);
	printf("    whole default run = 1/%.1f (1/%.1f) of torch full (goal >= "
	    "10)\n", tfull / tall, cfull / call);
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
	static const long sizes[4][2] = { { 1, 16 }, { 2, 16 }, { 2, 24 },
	    { 2, 32 } };
	double x[4], t[4], c[4];
	unsigned form = gemm_have_blas() ? GRADCHECK_MATRIX_BLAS :
	    GRADCHECK_MATRIX_BUILTIN;
	int i;

	printf("\nTime against N*H*W (C_in = C_out = 8, 3x3, stride 1, matrix "
	    "form, medians of 3):\n");
	for (i = 0; i < 4; i++) {
		conv_shape_t s;

		shape_of(&s, sizes[i][0], 8, sizes[i][1], 8, 0);
		x[i] = (double)(sizes[i][0] * sizes[i][1] * sizes[i][1]);
		t[i] = median_run(&s, form, 3, &c[i]);
		printf("  N=%ld H=W=%-3ld N*H*W=%-6.0f %8.4f s, CPU %8.4f s\n",
		    sizes[i][0], sizes[i][1], x[i], t[i], c[i]);
	}
	printf("  fitted exponent %.2f wall, %.2f CPU (goal <= 1.2)\n",
	    slope(x, t, 4), slope(x, c, 4));
}

static void
resnet(void)
{
	conv_shape_t s;
	double est = 0, t, sh[3] = { 0, 0, 0 };
	unsigned form = gemm_have_blas() ? GRADCHECK_MATRIX_BLAS :
	    GRADCHECK_MATRIX_BUILTIN;

	shape_of(&s, 1, 64, 56, 64, 1);
	printf("\nResNet layer 1,64,56,56,64,3,3 padding 1, matrix form:\n");
	if (getenv("CONVGRAD_BENCH_QUICK") == NULL) {
		t = run_once(&s, form, 30, NULL, sh);
		printf("  --budget 30: %.1f s, CPU %.1f s; compared %.2f%% of d "
		    "output/d input,\n    %.2f%% of d output/d weight, %.2f%% of "
		    "d output/d bias (goal >= 10%%;\n    share = rows read x "
		    "columns read)\n", t, last_cpu, 100 * sh[0], 100 * sh[1],
		    100 * sh[2]);
	} else {
		printf("  --budget 30: skipped (CONVGRAD_BENCH_QUICK)\n");
	}
	if (getenv("CONVGRAD_BENCH_RESNET") == NULL) {
		printf("  every entry: run with CONVGRAD_BENCH_RESNET=1 make bench "
		    "(minutes)\n");
		return;
	}
	t = run_once(&s, form, 0, &est, NULL);
	printf("  every entry: %.1f s, CPU %.1f s, estimated %.1f s after the "
	    "first passes\n    (ratio %.2f, goal within 2x; goal <= 300 s)\n",
	    t, last_cpu, est, t / est);
}

/* CPU seconds of this process and of its children that ended, user +
 * system (a plugin's calls run in child processes, ended by plugin_free). */
static double
cpu_with_children(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return cpu_now() + (double)ru.ru_utime.tv_sec + 1e-6 *
	    (double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_sec + 1e-6 *
	    (double)ru.ru_stime.tv_usec;
}

/* The plugin path (issue 8): the whole check of CONVGRAD_BENCH_PLUGIN's
 * library at the issue's layer, as `convgrad gradcheck --plugin LIB
 * --shape 2,8,16,16,8,3,3 --stride 1` runs it, medians of 5. */
static void
plugin_layer(void)
{
	const char *lib = getenv("CONVGRAD_BENCH_PLUGIN");
	plugin_check_opts_t o;
	double t[5], c[5];
	size_t failed = 0;
	int i;

	if (lib == NULL || *lib == '\0')
		return;
	o.path = lib;
	o.timeout = 10;
	o.sweep = false;
	gradcheck_opts_default(&o.base);
	shape_of(&o.base.shape, 2, 8, 16, 8, 0);
	printf("\nPlugin %s, the same layer, every entry (its own forward and "
	    "backward\n  in child processes; medians of 5):\n", lib);
	for (i = 0; i < 5; i++) {
		double t0 = util_now(), c0 = cpu_with_children();
		char *err = NULL;
		rcheck_report_t *r = plugin_check(&o, &err);

		if (r == NULL) {
			printf("  not checked: %s\n", err != NULL ? err : "?");
			free(err);
			return;
		}
		failed += rcheck_failed(r);
		rcheck_report_free(r);
		t[i] = util_now() - t0;
		c[i] = cpu_with_children() - c0;
	}
	qsort(t, 5, sizeof(double), cmp_double);
	qsort(c, 5, sizeof(double), cmp_double);
	printf("  plugin check             %8.3f s, CPU %7.3f s (goal well under "
	    "1 s)%s\n", t[2], c[2], failed > 0 ? "; FAILED" : "");
}

int
main(int argc, char **argv)
{
	if (!header())
		return 0;
	issue_layer(argc > 1 ? argv[1] : NULL);
	plugin_layer();
	exponent();
	resnet();
	return 0;
}
