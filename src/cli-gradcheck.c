/*
 * cli-gradcheck.c: `convgrad gradcheck`, the command-line front end of the
 * engine in gradcheck.c: parse the options (every bad one named, with its
 * value, exit 2), build the check, optionally dump the tensors, run, print
 * the report in the chosen format. Exit 0 all pass, 1 a check failed,
 * 2 bad usage or input.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "gemm.h"
#include "gradcheck.h"
#include "util.h"

#define PROG "convgrad gradcheck"

/* Warn on stderr before a run of more multiply-adds than this. */
#define NOTICE_WORK 1e8

enum format { FORMAT_TEXT, FORMAT_JSON, FORMAT_TAP };

typedef struct gc_cli {
	gradcheck_opts_t o;
	enum format format;
	const char *dump;
	/* the arguments as given, to name them in a shape error */
	const char *shape_arg, *stride_arg, *padding_arg, *dilation_arg;
	bool help, version;
} gc_cli_t;

enum {
	OPT_SHAPE = 256, OPT_STRIDE, OPT_PADDING, OPT_DILATION, OPT_SEED,
	OPT_EPS, OPT_METHOD, OPT_SAMPLE, OPT_DUMP, OPT_FORMAT, OPT_GEMM,
	OPT_MAX_COST, OPT_MAX_MEMORY,
};

static const struct option long_options[] = {
	{ "shape", required_argument, NULL, OPT_SHAPE },
	{ "stride", required_argument, NULL, OPT_STRIDE },
	{ "padding", required_argument, NULL, OPT_PADDING },
	{ "dilation", required_argument, NULL, OPT_DILATION },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "eps", required_argument, NULL, OPT_EPS },
	{ "method", required_argument, NULL, OPT_METHOD },
	{ "sample", required_argument, NULL, OPT_SAMPLE },
	{ "dump", required_argument, NULL, OPT_DUMP },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "gemm", required_argument, NULL, OPT_GEMM },
	{ "max-cost", required_argument, NULL, OPT_MAX_COST },
	{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
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
	    "kernels against each other.\n\n");
	fprintf(f, "Options:\n"
	    "  --shape N,C_in,H_in,W_in,C_out,R,S\n"
	    "                      the layer (default 2,2,7,8,3,3,2)\n"
	    "  --stride SH,SW      strides (default 2,3; one number sets both)\n"
	    "  --padding PH,PW     zero padding on each side (default 0,0)\n"
	    "  --dilation DH,DW    kernel dilation (default 1,1)\n"
	    "  --seed N            seed of the random tensors, uniform in "
	    "[-1, 1) (default 1)\n"
	    "  --eps H             finite-difference step (default 1e-6; "
	    "1e-12 to 1)\n"
	    "  --method M          central (default) or forward differences\n"
	    "  --sample K          check K random entries of each Jacobian and "
	    "gradient\n"
	    "                      instead of all; the report states the chance "
	    "of\n"
	    "                      missing a single bad entry, 1 - K/total\n"
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
	    "(default %.0e; 0: no limit)\n"
	    "  --max-memory MIB    refuse runs whose Jacobian needs more than "
	    "MIB MiB\n"
	    "                      (default %zu; 0: no limit)\n"
	    "  -h, --help          show this help and exit\n"
	    "  -V, --version       show the version and exit\n\n",
	    gemm_have_blas() ? "BLAS and built-in" : "built-in only",
	    GRADCHECK_MAX_WORK_DEFAULT, GRADCHECK_MAX_MEMORY_DEFAULT >> 20);
	fprintf(f, "Tolerances are rounding bounds: conv2d is linear in each "
	    "argument, so finite\ndifferences have no truncation error; the "
	    "report prints each tolerance\nand its formula.\n\n"
	    "Exit status: 0 every check passed, 1 a check failed, 2 bad usage "
	    "or input.\n");
}

/* A whole decimal number >= min, into *v. */
static bool
parse_ull(const char *arg, unsigned long long min, unsigned long long *v)
{
	char *end;

	if (arg[0] < '0' || arg[0] > '9')
		return false;
	errno = 0;
	*v = strtoull(arg, &end, 10);
	return errno == 0 && *end == '\0' && *v >= min;
}

/* A finite floating-point number in [lo, hi], into *v. */
static bool
parse_double(const char *arg, double lo, double hi, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(arg, &end);
	return end != arg && *end == '\0' && errno == 0 && isfinite(*v) &&
	    *v >= lo && *v <= hi;
}

static int
opt_pair(const char *opt, const char *arg, long min, long *a, long *b,
    char **err)
{
	if (conv_parse_pair(opt, arg, a, b, err) != 0)
		return -1;
	if (*a < min || *b < min)
		return set_error(err, "%s: expected %s integers like %s, got '%s'",
		    opt, min > 0 ? "positive" : "non-negative",
		    min > 0 ? "2,3" : "1,1", arg);
	return 0;
}

static int
opt_shape(gc_cli_t *c, const char *arg, char **err)
{
	static const char *const names[] = { "N", "C_in", "H_in", "W_in",
	    "C_out", "R", "S" };
	size_t i;
	long v;

	if (conv_shape_parse(&c->o.shape, arg, err) != 0)
		return -1;
	for (i = 0; i < 7; i++) {
		conv_shape_get(&c->o.shape, names[i], &v);
		if (v < 1)
			return set_error(err, "--shape: %s must be at least 1, got "
			    "%ld (in '%s')", names[i], v, arg);
	}
	c->shape_arg = arg;
	return 0;
}

static int
opt_choice(const char *opt, const char *arg, const char *const *choices,
    int *v, char **err)
{
	int i;

	for (i = 0; choices[i] != NULL; i++) {
		if (strcmp(arg, choices[i]) == 0) {
			*v = i;
			return 0;
		}
	}
	return set_error(err, "%s: expected %s, got '%s'", opt,
	    choices[2] ? "text, json or tap" : "central or forward", arg);
}

static int
opt_gemm(gc_cli_t *c, const char *arg, char **err)
{
	if (strcmp(arg, "both") == 0)
		c->o.forms = GRADCHECK_ALL;
	else if (strcmp(arg, "builtin") == 0)
		c->o.forms = GRADCHECK_ELEM | GRADCHECK_MATRIX_BUILTIN;
	else if (strcmp(arg, "blas") == 0 && gemm_have_blas())
		c->o.forms = GRADCHECK_ELEM | GRADCHECK_MATRIX_BLAS;
	else if (strcmp(arg, "blas") == 0)
		return set_error(err, "--gemm: this build has no BLAS (configured "
		    "--with-blas=none), got 'blas'; use builtin");
	else
		return set_error(err, "--gemm: expected both, blas or builtin, "
		    "got '%s'", arg);
	return 0;
}

static int
opt_number(gc_cli_t *c, int opt, const char *arg, char **err)
{
	unsigned long long u;
	double d;

	switch (opt) {
	case OPT_SEED:
		if (!parse_ull(arg, 0, &u))
			return set_error(err, "--seed: expected a non-negative "
			    "integer, got '%s'", arg);
		c->o.seed = u;
		return 0;
	case OPT_EPS:
		if (!parse_double(arg, 1e-12, 1, &d))
			return set_error(err, "--eps: expected a step between 1e-12 "
			    "and 1 like 1e-6, got '%s'", arg);
		c->o.fd.eps = d;
		return 0;
	case OPT_SAMPLE:
		if (!parse_ull(arg, 1, &u) || u > SIZE_MAX / 2)
			return set_error(err, "--sample: expected a positive integer "
			    "like 1000, got '%s'", arg);
		c->o.sample = (size_t)u;
		return 0;
	case OPT_MAX_COST:
		if (!parse_double(arg, 0, HUGE_VAL, &d))
			return set_error(err, "--max-cost: expected a non-negative "
			    "number of multiply-adds like 1e10, got '%s'", arg);
		c->o.max_work = d;
		return 0;
	case OPT_MAX_MEMORY:
		if (!parse_ull(arg, 0, &u) || u > SIZE_MAX >> 20)
			return set_error(err, "--max-memory: expected a whole number "
			    "of MiB like 4096, got '%s'", arg);
		c->o.max_memory = (size_t)u << 20;
		return 0;
	}
	assert(!"not a numeric option");
	return -1;
}

/* One option; 0, or -1 with *err naming it. */
static int
parse_option(gc_cli_t *c, int opt, const char *arg, char **err)
{
	static const char *const methods[] = { "central", "forward", NULL };
	static const char *const formats[] = { "text", "json", "tap", NULL };
	conv_shape_t *s = &c->o.shape;
	int v;

	switch (opt) {
	case OPT_SHAPE:
		return opt_shape(c, arg, err);
	case OPT_STRIDE:
		c->stride_arg = arg;
		return opt_pair("--stride", arg, 1, &s->strh, &s->strw, err);
	case OPT_PADDING:
		c->padding_arg = arg;
		return opt_pair("--padding", arg, 0, &s->pad_h, &s->pad_w, err);
	case OPT_DILATION:
		c->dilation_arg = arg;
		return opt_pair("--dilation", arg, 1, &s->dil_h, &s->dil_w, err);
	case OPT_METHOD:
		if (opt_choice("--method", arg, methods, &v, err) != 0)
			return -1;
		c->o.fd.method = v == 0 ? FD_CENTRAL : FD_FORWARD;
		return 0;
	case OPT_FORMAT:
		if (opt_choice("--format", arg, formats, &v, err) != 0)
			return -1;
		c->format = (enum format)v;
		return 0;
	case OPT_DUMP:
		c->dump = arg;
		return 0;
	case OPT_GEMM:
		return opt_gemm(c, arg, err);
	case 'h':
		c->help = true;
		return 0;
	case 'V':
		c->version = true;
		return 0;
	}
	return opt_number(c, opt, arg, err);
}

/* getopt's complaint about argv[optind - 1], in our words. */
static int
getopt_error(int opt, char **argv, char **err)
{
	const char *bad = argv[optind - 1];

	if (opt == ':')
		return set_error(err, "%s: option requires an argument", bad);
	if (optopt != 0 && strncmp(bad, "--", 2) != 0)
		return set_error(err, "unknown option '-%c'", optopt);
	return set_error(err, "unknown option '%s'", bad);
}

static int
parse_args(gc_cli_t *c, int argc, char **argv, char **err)
{
	int opt;

	gradcheck_opts_default(&c->o);
	c->shape_arg = "2,2,7,8,3,3,2";
	c->stride_arg = "2,3";
	c->padding_arg = "0,0";
	c->dilation_arg = "1,1";
	optind = 0;          /* GNU: full reset, in case of an earlier parse */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":hV", long_options, NULL)) != -1) {
		if (opt == '?' || opt == ':')
			return getopt_error(opt, argv, err);
		if (parse_option(c, opt, optarg, err) != 0)
			return -1;
	}
	if (optind < argc)
		return set_error(err, "unexpected argument '%s' (gradcheck takes "
		    "only options)", argv[optind]);
	return 0;
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

	if (conv_shape_validate(&s, 0, &err) != 0) {
		fprintf(stderr, PROG ": --shape %s --stride %s --padding %s "
		    "--dilation %s: %s\n", c->shape_arg, c->stride_arg,
		    c->padding_arg, c->dilation_arg, err);
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
	gc_cli_t c = { .format = FORMAT_TEXT };
	char *err = NULL;
	gradcheck_t *g;
	size_t failed;

	if (parse_args(&c, argc, argv, &err) != 0) {
		fprintf(stderr, PROG ": %s\nTry 'convgrad gradcheck --help'.\n",
		    err);
		free(err);
		return 2;
	}
	if (c.help || c.version) {
		if (c.help)
			usage(stdout);
		else
			printf("convgrad %s\n", PACKAGE_VERSION);
		return 0;
	}
	if ((g = build(&c)) == NULL)
		return 2;
	if (c.dump != NULL && gradcheck_dump(g, c.dump, &err) != 0) {
		fprintf(stderr, PROG ": --dump %s: %s\n", c.dump, err);
		free(err);
		gradcheck_free(g);
		return 2;
	}
	failed = gradcheck_run(g);
	report(&c, g);
	gradcheck_free(g);
	return failed > 0 ? 1 : 0;
}
