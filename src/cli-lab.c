/*
 * cli-lab.c: `convgrad lab step-size [OPTIONS]`: the step-size lab for a
 * terminal without curses (lab.c computes and draws; this reads the
 * options and picks the format). One lab today; the word leaves room for
 * more.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-common.h"
#include "cmd.h"
#include "lab.h"
#include "util.h"

#define PROG "convgrad lab"

enum { OPT_G = CLI_OPT_NEXT, OPT_WRT, OPT_ENTRY, OPT_POINTS, OPT_FORMAT };

typedef struct lcli {
	lab_opts_t lab;
	bool json;
	cli_common_t common;
} lcli_t;

static const struct option long_options[] = {
	CLI_SHAPE_LONG_OPTIONS,
	{ "seed", required_argument, NULL, CLI_OPT_SEED },
	{ "g", required_argument, NULL, OPT_G },
	{ "wrt", required_argument, NULL, OPT_WRT },
	{ "entry", required_argument, NULL, OPT_ENTRY },
	{ "points", required_argument, NULL, OPT_POINTS },
	{ "format", required_argument, NULL, OPT_FORMAT },
	CLI_HELP_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f, "Usage: convgrad lab step-size [OPTIONS]\n"
	    "The error of central and forward differences against the step h, "
	    "from 1e-1 to\n1e-12, in float64 and float32, for f = sum of "
	    "g(output) over the real forward\nkernel's outputs, differentiated "
	    "by one entry: a text chart on a log scale (the\nV, its minimum "
	    "near eps^(1/3) for central and eps^(1/2) for forward "
	    "differences,\nthe rounding floor; relu's kink, where no h works) "
	    "and the errors under it, each\nfrom real evaluations against the "
	    "backward kernel's exact derivative.\n\n"
	    "Options:\n"
	    "  --g G           linear, tanh (default), square, exp or relu\n"
	    "  --wrt T         input (default), weight or bias\n"
	    "  --entry J       the entry of T, flat (default: the first from "
	    "the middle that\n"
	    "                  an output reads)\n"
	    "  --points K      steps per decade of h, 1 to 10 (default 4)\n"
	    "  --shape N,C_in,H_in,W_in,C_out,R,S  (default 2,2,7,8,3,3,2)\n"
	    "  --stride SH,SW  (default 2,3)  --padding PH,PW  --dilation DH,DW"
	    "  --groups G\n"
	    "  --seed N        the random input, weight and bias (default "
	    "20261126)\n"
	    "  --format F      text (default) or json\n"
	    "  -h, --help      show this help and exit\n"
	    "  -V, --version   show the version and exit\n\n"
	    "Exit status: 0 success, 2 bad usage (an unknown lab, a bad "
	    "option or shape).\n");
}

/* A whole number from min to max into *v; what says what it is. */
static int
parse_int(const char *opt, const char *arg, long min, long max,
    const char *what, long *v, char **err)
{
	unsigned long long u;

	if (!cli_parse_ull(arg, 0, &u) || u < (unsigned long long)min ||
	    u > (unsigned long long)max)
		return set_error(err, "%s: expected %s, got '%s'", opt, what, arg);
	*v = (long)u;
	return 0;
}

/* One of the lab's own options (a cli_option_fn). */
static int
parse_option(void *ctx, int opt, const char *arg, char **err)
{
	static const char *const wrts[] = { "input", "weight", "bias", NULL };
	static const char *const formats[] = { "text", "json", NULL };
	lcli_t *c = ctx;
	long n = 0;
	int v;

	switch (opt) {
	case OPT_G:
		if (cli_opt_choice("--g", arg, lab_g_names, &v, err) != 0)
			return -1;
		c->lab.g = (lab_g_t)v;
		return 0;
	case OPT_WRT:
		if (cli_opt_choice("--wrt", arg, wrts, &v, err) != 0)
			return -1;
		c->lab.wrt = (conv_wrt_t)v;
		return 0;
	case OPT_ENTRY:
		return parse_int("--entry", arg, 0, LONG_MAX, "an entry's flat "
		    "index, a whole number from 0", &c->lab.entry, err);
	case OPT_POINTS:
		if (parse_int("--points", arg, 1, 10, "an integer from 1 to 10",
		    &n, err) != 0)
			return -1;
		c->lab.per_decade = (int)n;
		return 0;
	case OPT_FORMAT:
		if (cli_opt_choice("--format", arg, formats, &v, err) != 0)
			return -1;
		c->json = v == 1;
		return 0;
	default:
		return set_error(err, "unknown option");
	}
}

int
cmd_lab(int argc, char **argv)
{
	lcli_t c;
	lab_result_t *r;
	char *err = NULL;

	memset(&c, 0, sizeof c);
	lab_opts_default(&c.lab);
	c.common.seed = &c.lab.seed;
	c.common.shape.check_ranges = true;
	if (cli_parse_options(argc, argv, ":hV", long_options, &c.common,
	    parse_option, &c, &err) != 0)
		return cli_usage_error(PROG, err);
	if (cli_help_or_version(&c.common, usage))
		return 0;
	if (optind >= argc)
		return cli_usage_error(PROG, xstrdup("which lab? (step-size)"));
	if (strcmp(argv[optind], "step-size") != 0)
		return cli_usage_error(PROG, xasprintf("unknown lab '%s' (the "
		    "labs: step-size)", argv[optind]));
	if (optind + 1 < argc)
		return cli_usage_error(PROG, xasprintf("unexpected argument "
		    "'%s'", argv[optind + 1]));
	c.lab.shape = conv_shape_opts_over(&c.common.shape, &c.lab.shape);
	if (conv_shape_opts_validate(&c.common.shape, &c.lab.shape, &err) != 0)
		return cli_usage_error(PROG, err);
	if (lab_step_size(&c.lab, &r, &err) != 0)
		return cli_usage_error(PROG, err);
	if (c.json)
		lab_print_json(stdout, r);
	else
		lab_print_text(stdout, r);
	lab_result_free(r);
	return 0;
}
