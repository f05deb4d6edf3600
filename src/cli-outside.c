/*
 * cli-outside.c: --load and --plugin of `convgrad gradcheck` (see
 * cli-outside.h): their options, the run, the report.
 */
#include "config.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-outside.h"
#include "load-dir.h"
#include "plugin-check.h"
#include "rcheck.h"
#include "util.h"

#define PROG "convgrad gradcheck"

const char gc_outside_usage[] =
    "Checking your own conv2d (docs/checking-your-conv.md):\n"
    "  --load DIR          check the results in DIR (output.npy, dinput.npy,"
    "\n"
    "                      dweight.npy, dbias.npy, any of them) computed "
    "from\n"
    "                      DIR/input.npy, weight.npy, bias.npy (optional) "
    "and\n"
    "                      df.npy, against convgrad's float64 reference; "
    "stride,\n"
    "                      padding, dilation, layout from the options, else\n"
    "                      DIR/conv.json; float64 or float32 arrays\n"
    "  --layout L          nchw (default: input NCHW, weight OIHW) or nhwc\n"
    "                      (TensorFlow: input NHWC, weight HWIO)\n"
    "  --numeric           with --load, also compare each gradient with "
    "finite\n"
    "                      differences of the reference forward\n"
    "  --plugin LIB        gradcheck the conv2d of the shared library LIB "
    "(the ABI\n"
    "                      of <convgrad/plugin.h>, docs/plugin.md): its "
    "backward\n"
    "                      against finite differences of its own forward, "
    "and\n"
    "                      every result against the reference, over a sweep "
    "of\n"
    "                      small shapes unless --shape etc. are given; calls "
    "run\n"
    "                      in a child process (crashes, hangs, errors and "
    "writes\n"
    "                      outside the buffers are reported)\n"
    "  --timeout S         seconds each plugin call may take (default 10)\n";

void
gc_outside_init(gc_outside_t *g)
{
	memset(g, 0, sizeof(*g));
	g->layout = -1;
	g->timeout = 10;
}

int
gc_outside_option(gc_outside_t *g, int opt, const char *arg, char **err)
{
	static const char *const layouts[] = { "nchw", "nhwc", NULL };

	switch (opt) {
	case GC_OPT_LOAD:
		g->load = arg;
		return 0;
	case GC_OPT_LAYOUT:
		return cli_opt_choice("--layout", arg, layouts, &g->layout, err);
	case GC_OPT_NUMERIC:
		g->numeric = true;
		return 0;
	case GC_OPT_PLUGIN:
		g->plugin = arg;
		return 0;
	case GC_OPT_TIMEOUT:
		if (!cli_parse_double(arg, 1e-3, 86400, &g->timeout))
			return set_error(err, "--timeout: expected seconds from 0.001 "
			    "to 86400 like 2.5, got '%s'", arg);
		g->timeout_given = true;
		return 0;
	}
	assert(!"not an outside option");
	return -1;
}

bool
gc_outside_wanted(const gc_outside_t *g)
{
	return g->load != NULL || g->plugin != NULL || g->numeric ||
	    g->layout >= 0 || g->timeout_given;
}

static void
print_report(const rcheck_report_t *r, int format)
{
	if (format == 1)
		rcheck_print_json(stdout, r);
	else if (format == 2)
		rcheck_print_tap(stdout, r);
	else
		rcheck_print_text(stdout, r);
}

/* Options that only the other mode or the built-in check take. */
static int
check_combination(const gc_outside_t *g, const gradcheck_opts_t *o)
{
	if (g->load != NULL && g->plugin != NULL) {
		fprintf(stderr, PROG ": --load and --plugin: give one of them\n");
		return -1;
	}
	if (g->load == NULL && (g->numeric || g->layout >= 0)) {
		fprintf(stderr, PROG ": %s: only with --load\n", g->numeric ?
		    "--numeric" : "--layout");
		return -1;
	}
	if (g->plugin == NULL && g->timeout_given) {
		fprintf(stderr, PROG ": --timeout: only with --plugin\n");
		return -1;
	}
	(void)o;
	return 0;
}

static rcheck_report_t *
run_load(const gc_outside_t *g, const cli_common_t *common,
    const gradcheck_opts_t *o, char **err)
{
	load_opts_t lo;

	load_opts_default(&lo);
	lo.dir = g->load;
	lo.shape = &common->shape;
	lo.layout = (load_layout_t)g->layout;
	lo.numeric = g->numeric;
	lo.fd = o->fd;
	return load_dir_check(&lo, err);
}

/* The plugin over the sweep, or over the shape the options give. */
static rcheck_report_t *
run_plugin(const gc_outside_t *g, const cli_common_t *common,
    const gradcheck_opts_t *o, char **err)
{
	plugin_check_opts_t po;
	conv_shape_t s = o->shape;

	po.path = g->plugin;
	po.timeout = g->timeout;
	po.base = *o;
	po.sweep = !conv_shape_opts_given(&common->shape);
	if (!po.sweep && conv_shape_opts_validate(&common->shape, &s, err) != 0)
		return NULL;
	return plugin_check(&po, err);
}

int
gc_outside_run(const gc_outside_t *g, const cli_common_t *common,
    const gradcheck_opts_t *o, int format)
{
	rcheck_report_t *r;
	char *err = NULL;
	int status;

	if (check_combination(g, o) != 0)
		return 2;
	r = g->plugin != NULL ? run_plugin(g, common, o, &err) :
	    run_load(g, common, o, &err);
	if (r == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		free(err);
		return 2;
	}
	print_report(r, format);
	status = rcheck_failed(r) > 0 ? 1 : 0;
	rcheck_report_free(r);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, PROG ": cannot write the report\n");
		return 2;
	}
	return status;
}
