/*
 * cli-outside.h: the parts of `convgrad gradcheck` that check someone
 * else's conv2d: --load DIR (results saved as .npy files, load-dir.h) and
 * --plugin LIB (a shared library with the ABI of <convgrad/plugin.h>,
 * plugin-check.h). cli-gradcheck.c parses the options through
 * gc_outside_option() and, when one of them was given, hands the run to
 * gc_outside_run().
 */
#ifndef CONVGRAD_CLI_OUTSIDE_H
#define CONVGRAD_CLI_OUTSIDE_H

#include <getopt.h>
#include <stdbool.h>

#include "cli-common.h"
#include "gradcheck.h"

typedef struct gc_outside {
	const char *load;          /* --load DIR */
	const char *plugin;        /* --plugin LIB */
	int layout;                /* --layout: -1 not given, 0 nchw, 1 nhwc */
	bool numeric;              /* --numeric */
	double timeout;            /* --timeout SECONDS (plugin calls) */
	bool timeout_given;
} gc_outside_t;

/* Option values, from base up (cli-gradcheck.c's own end before it). */
#define GC_OUTSIDE_OPT_BASE 600
enum { GC_OPT_LOAD = GC_OUTSIDE_OPT_BASE, GC_OPT_LAYOUT, GC_OPT_NUMERIC,
	GC_OPT_PLUGIN, GC_OPT_TIMEOUT, GC_OPT_END };
#define GC_OUTSIDE_LONG_OPTIONS \
	{ "load", required_argument, NULL, GC_OPT_LOAD }, \
	{ "layout", required_argument, NULL, GC_OPT_LAYOUT }, \
	{ "numeric", no_argument, NULL, GC_OPT_NUMERIC }, \
	{ "plugin", required_argument, NULL, GC_OPT_PLUGIN }, \
	{ "timeout", required_argument, NULL, GC_OPT_TIMEOUT }

/* The help text for these options. */
extern const char gc_outside_usage[];

void gc_outside_init(gc_outside_t *g);
/* One of the options above: 0, or -1 with *err naming it. */
int gc_outside_option(gc_outside_t *g, int opt, const char *arg, char **err);
/* Was --load, --plugin or one of their options given (then
 * gc_outside_run does the work, or refuses the combination)? */
bool gc_outside_wanted(const gc_outside_t *g);
/* Run the check and print the report in format (0 text, 1 json, 2 tap)
 * on stdout; errors on stderr. Returns the exit status: 0 all pass, 1 a
 * check failed, 2 bad usage or input. */
int gc_outside_run(const gc_outside_t *g, const cli_common_t *common,
    const gradcheck_opts_t *o, int format);

#endif
