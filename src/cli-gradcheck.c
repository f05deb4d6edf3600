/*
 * cli-gradcheck.c: `convgrad gradcheck`, the command-line front end of the
 * engine in gradcheck.c: parse the options (every bad one named, with its
 * value, exit 2), build the check, optionally dump the tensors, run, print
 * the report in the chosen format. Exit 0 all pass, 1 a check failed,
 * 2 bad usage or input.
 */
#include "config.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli-common.h"
#include "cli-outside.h"
#include "cmd.h"
#include "gemm.h"
#include "gradcheck.h"
#include "gradcheck-report.h"
#include "util.h"

#define PROG "convgrad gradcheck"

/* Warn on stderr before a run of more multiply-adds than this. */
#define NOTICE_WORK 1e8

enum format { FORMAT_TEXT, FORMAT_JSON, FORMAT_TAP };

typedef struct gc_cli {
	gradcheck_opts_t o;
	cli_common_t common;      /* its shape goes over o.shape at the end */
	enum format format;
	const char *dump;
	unsigned form_mask, gemm_mask;   /* --form, --gemm */
	bool progress_shown;             /* a progress line is on stderr */
	gc_outside_t outside;     /* --load, --plugin (cli-outside.c) */
} gc_cli_t;

enum {
	OPT_SAMPLE = CLI_OPT_NEXT, OPT_DUMP, OPT_FORMAT, OPT_GEMM,
	OPT_MAX_COST, OPT_MAX_MEMORY, OPT_FORM, OPT_BUDGET,
};

static const struct option long_options[] = {
	CLI_SHAPE_LONG_OPTIONS,
	CLI_FD_LONG_OPTIONS,
	{ "sample", required_argument, NULL, OPT_SAMPLE },
	{ "dump", required_argument, NULL, OPT_DUMP },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "gemm", required_argument, NULL, OPT_GEMM },
	{ "max-cost", required_argument, NULL, OPT_MAX_COST },
	{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
	{ "form", required_argument, NULL, OPT_FORM },
	{ "budget", required_argument, NULL, OPT_BUDGET },
	GC_OUTSIDE_LONG_OPTIONS,
	CLI_HELP_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f, "Usage: convgrad gradcheck [OPTIONS]\n"
	    "Check a conv2d layer's backward kernels against finite differences"
	    ",\nas torch.autograd.gradcheck does, for the element form and the "
	    "matrix form\n(im2col + GEMM, under each GEMM back end): every entry "
	    "of the Jacobians\nd output/d input, d output/d weight, d output/d "
	    "bias; the chain-rule\ngradients dinput, dweight, dbias for a random "
	    "upstream gradient df; and\nthe NCHW, NHWC and matrix forward "
	    "kernels against each other. The Jacobians\nare compared in groups "
	    "of entries that conv2d's sparsity keeps apart (many\ncolumns per "
	    "forward pass, many rows per backward pass), and every output\n"
	    "outside a group's windows must not change at all.\n\n");
	fprintf(f, "Options:\n"
	    "  --shape N,C_in,H_in,W_in,C_out,R,S\n"
	    "                      the layer (default 2,2,7,8,3,3,2)\n"
	    "  --stride SH,SW      strides (default 2,3; one number sets both)\n"
	    "  --padding PH,PW     zero padding on each side (default 0,0)\n"
	    "  --dilation DH,DW    kernel dilation (default 1,1)\n"
	    "  --groups G          channel groups: C_in and C_out divisible by "
	    "G, weight\n"
	    "                      C_out x C_in/G x R x S (default 1; G = C_in "
	    "= C_out:\n"
	    "                      depthwise)\n"
	    "  --seed N            seed of the random tensors, uniform in "
	    "[-1, 1) (default 1)\n"
	    "  --eps H             finite-difference step (default 1e-6; "
	    "1e-12 to 1)\n"
	    "  --method M          central (default) or forward differences\n"
	    "  --form F            the kernel forms to check: element, matrix or "
	    "all (default)\n"
	    "  --budget SECONDS    per form, compare random whole groups of "
	    "entries until the\n"
	    "                      time is spent; the report gives the share of "
	    "each Jacobian\n"
	    "                      (its rows read times its columns read)\n"
	    "  --sample K          check K random entries of each Jacobian and "
	    "gradient\n"
	    "                      instead of all, one at a time; the report "
	    "states the\n"
	    "                      chance of missing a single bad entry, "
	    "1 - K/total\n"
	    "  --dump DIR          write input, weight, bias, df, output, "
	    "dinput, dweight,\n"
	    "                      dbias as DIR/NAME.npy (float64, NCHW/OIHW); "
	    "DIR and\n"
	    "                      its parents are created if missing\n"
	    "  --format F          text (default), json (one object) or tap\n"
	    "  --gemm G            GEMM back ends for the matrix form: both "
	    "(default),\n"
	    "                      blas or builtin (this build: %s)\n"
	    "  --max-cost W        refuse runs over W multiply-adds "
	    "(default %.0e; 0: no limit;\n"
	    "                      a --budget run is bounded by its time "
	    "instead)\n"
	    "  --max-memory MIB    refuse runs that hold more than MIB MiB "
	    "beyond the layer's\n"
	    "                      tensors (default %zu; 0: no limit)\n"
	    "  -h, --help          show this help and exit\n"
	    "  -V, --version       show the version and exit\n\n",
	    gemm_have_blas() ? "BLAS and built-in" : "built-in only",
	    GRADCHECK_MAX_WORK_DEFAULT, GRADCHECK_MAX_MEMORY_DEFAULT >> 20);
	fputs(gc_outside_usage, f);
	fprintf(f, "\nTolerances are rounding bounds: conv2d is linear in each "
	    "argument, so finite\ndifferences have no truncation error; the "
	    "report prints each tolerance\nand its formula. On a terminal a "
	    "progress line with the estimated time goes\nto stderr.\n\n"
	    "Exit status: 0 every check passed, 1 a check failed, 2 bad usage "
	    "or input.\n");
}

static int
opt_gemm(gc_cli_t *c, const char *arg, char **err)
{
	static const char *const gemms[] = { "both", "blas", "builtin", NULL };
	static const unsigned forms[] = { GRADCHECK_ALL,
	    GRADCHECK_ELEM | GRADCHECK_MATRIX_BLAS,
	    GRADCHECK_ELEM | GRADCHECK_MATRIX_BUILTIN };
	int v;

	if (cli_opt_choice("--gemm", arg, gemms, &v, err) != 0)
		return -1;
	if (v == 1 && !gemm_have_blas())
		return set_error(err, "--gemm: this build has no BLAS (configured "
		    "--with-blas=none), got 'blas'; use builtin");
	c->gemm_mask = forms[v];
	return 0;
}

static int
opt_form(gc_cli_t *c, const char *arg, char **err)
{
	static const char *const names[] = { "element", "matrix", "all", NULL };
	static const unsigned forms[] = { GRADCHECK_ELEM,
	    GRADCHECK_MATRIX_BLAS | GRADCHECK_MATRIX_BUILTIN, GRADCHECK_ALL };
	int v;

	if (cli_opt_choice("--form", arg, names, &v, err) != 0)
		return -1;
	c->form_mask = forms[v];
	return 0;
}

/* The numbers only gradcheck takes: --sample, --max-cost, --max-memory. */
static int
opt_number(gc_cli_t *c, int opt, const char *arg, char **err)
{
	unsigned long long u;
	double d;

	switch (opt) {
	case OPT_SAMPLE:
		if (!cli_parse_ull(arg, 1, &u) || u > SIZE_MAX / 2)
			return set_error(err, "--sample: expected a positive integer "
			    "like 1000, got '%s'", arg);
		c->o.sample = (size_t)u;
		return 0;
	case OPT_MAX_COST:
		if (!cli_parse_double(arg, 0, HUGE_VAL, &d))
			return set_error(err, "--max-cost: expected a non-negative "
			    "number of multiply-adds like 1e10, got '%s'", arg);
		c->o.max_work = d;
		return 0;
	case OPT_BUDGET:
		if (!cli_parse_double(arg, 1e-3, 1e9, &d))
			return set_error(err, "--budget: expected a number of seconds "
			    "like 30, got '%s'", arg);
		c->o.budget = d;
		return 0;
	case OPT_MAX_MEMORY:
		if (!cli_parse_ull(arg, 0, &u) || u > SIZE_MAX >> 20)
			return set_error(err, "--max-memory: expected a whole number "
			    "of MiB like 4096, got '%s'", arg);
		c->o.max_memory = (size_t)u << 20;
		return 0;
	}
	assert(!"not a numeric option");
	return -1;
}

/* One of gradcheck's own options (a cli_option_fn); 0, or -1 with *err
 * naming it. */
static int
parse_option(void *ctx, int opt, const char *arg, char **err)
{
	static const char *const formats[] = { "text", "json", "tap", NULL };
	gc_cli_t *c = ctx;
	int v;

	if (opt >= GC_OUTSIDE_OPT_BASE && opt < GC_OPT_END)
		return gc_outside_option(&c->outside, opt, arg, err);
	switch (opt) {
	case OPT_FORMAT:
		if (cli_opt_choice("--format", arg, formats, &v, err) != 0)
			return -1;
		c->format = (enum format)v;
		return 0;
	case OPT_DUMP:
		c->dump = arg;
		return 0;
	case OPT_GEMM:
		return opt_gemm(c, arg, err);
	case OPT_FORM:
		return opt_form(c, arg, err);
	}
	return opt_number(c, opt, arg, err);
}

static int
parse_args(gc_cli_t *c, int argc, char **argv, char **err)
{
	gradcheck_opts_default(&c->o);
	gc_outside_init(&c->outside);
	c->common.seed = &c->o.seed;
	c->common.fd = &c->o.fd;
	c->common.shape.check_ranges = true;
	if (cli_parse_options(argc, argv, ":hV", long_options, &c->common,
	    parse_option, c, err) != 0)
		return -1;
	if (optind < argc)
		return set_error(err, "unexpected argument '%s' (gradcheck takes "
		    "only options)", argv[optind]);
	c->o.shape = conv_shape_opts_over(&c->common.shape, &c->o.shape);
	c->o.forms = c->form_mask & c->gemm_mask;
	if (c->o.budget > 0 && c->o.sample > 0)
		return set_error(err, "--budget and --sample: give one of them "
		    "(--budget compares whole groups for a time, --sample K "
		    "entries)");
	return 0;
}

/* The progress line, rewritten in place on a terminal. */
static bool
show_progress(void *ctx, const gradcheck_progress_t *p)
{
	gc_cli_t *c = ctx;
	char est[32] = "";

	if (p->estimate > 0)
		snprintf(est, sizeof(est), " of about %.0f s", p->estimate);
	fprintf(stderr, "\r" PROG ": %s: %3.0f%% (%.0f of %.0f passes), "
	    "%.1f s%s\033[K", p->source, p->total > 0 ? 100 * p->calls /
	    p->total : 0, p->calls, p->total, p->elapsed, est);
	c->progress_shown = true;
	return true;
}

static void
report(const gc_cli_t *c, const gradcheck_t *g)
{
	switch (c->format) {
	case FORMAT_TEXT:
		gradcheck_report_text(stdout, g);
		break;
	case FORMAT_JSON:
		gradcheck_report_json(stdout, g);
		break;
	case FORMAT_TAP:
		gradcheck_report_tap(stdout, g);
		break;
	}
}

/* Build the check. A shape error names every option that shapes it;
 * a run over the cost limits is refused with its cost and a --sample
 * suggestion; a large run is announced on stderr before it starts. */
static gradcheck_t *
build(const gc_cli_t *c)
{
	conv_shape_t s = c->o.shape;
	char *err = NULL, *cost;
	gradcheck_t *g;

	if (conv_shape_opts_validate(&c->common.shape, &s, &err) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		free(err);
		return NULL;
	}
	if ((g = gradcheck_create(&c->o, &err)) == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		free(err);
		return NULL;
	}
	if (gradcheck_cost(g)->work > NOTICE_WORK) {
		cost = gradcheck_cost_str(gradcheck_cost(g));
		fprintf(stderr, PROG ": this run takes %s\n", cost);
		free(cost);
	}
	return g;
}

int
cmd_gradcheck(int argc, char **argv)
{
	gc_cli_t c = { .format = FORMAT_TEXT, .form_mask = GRADCHECK_ALL,
	    .gemm_mask = GRADCHECK_ALL };
	char *err = NULL;
	gradcheck_t *g;
	size_t failed;

	if (parse_args(&c, argc, argv, &err) != 0)
		return cli_usage_error(PROG, err);
	if (cli_help_or_version(&c.common, usage))
		return 0;
	if (isatty(STDERR_FILENO)) {
		c.o.progress = show_progress;
		c.o.progress_ctx = &c;
	}
	if (gc_outside_wanted(&c.outside))
		return gc_outside_run(&c.outside, &c.common, &c.o, (int)c.format);
	if ((g = build(&c)) == NULL)
		return 2;
	if (c.dump != NULL && gradcheck_dump(g, c.dump, &err) != 0) {
		size_t n = strlen(c.dump);

		/* The library's message names the path already: once. */
		if (strncmp(err, c.dump, n) == 0 && err[n] == ':')
			fprintf(stderr, PROG ": --dump %s\n", err);
		else
			fprintf(stderr, PROG ": --dump %s: %s\n", c.dump, err);
		free(err);
		gradcheck_free(g);
		return 2;
	}
	failed = gradcheck_run(g);
	if (c.progress_shown)
		fputs("\n", stderr);
	report(&c, g);
	gradcheck_free(g);
	return failed > 0 ? 1 : 0;
}
