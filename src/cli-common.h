/*
 * cli-common.h: what the command-line front ends (cli-*.c) share.
 *
 *   - the getopt_long loop, with getopt's complaints in our words;
 *   - the two early exits: bad usage (exit 2, "Try ... --help") and
 *     --help/--version (exit 0);
 *   - the options several commands take: --seed, --eps, --method, a choice
 *     among words (--format), and the shape options --shape, --stride,
 *     --padding, --dilation, --groups (read by conv-shape.c, in the
 *     library, so the tutor's state shares them);
 *   - loading every lesson named on the command line.
 *
 * Option parsers return 0, or -1 with *err (malloc'd, the caller frees)
 * naming the option and the value as given: "--eps: expected ..., got 'x'".
 */
#ifndef CONVGRAD_CLI_COMMON_H
#define CONVGRAD_CLI_COMMON_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conv-shape.h"
#include "fdiff.h"
#include "lesson.h"

/* ---- numbers and words ---- */

/* A whole decimal number >= min (no sign, no blanks), into *v. */
bool cli_parse_ull(const char *arg, unsigned long long min,
    unsigned long long *v);
/* A finite floating-point number in [lo, hi], into *v. */
bool cli_parse_double(const char *arg, double lo, double hi, double *v);

/* --seed N: any unsigned 64-bit integer. */
int cli_opt_seed(const char *arg, uint64_t *seed, char **err);
/* --eps H: a finite-difference step from CLI_EPS_MIN to CLI_EPS_MAX (the
 * message states them). */
#define CLI_EPS_MIN 1e-12
#define CLI_EPS_MAX 1.0
int cli_opt_eps(const char *arg, double *eps, char **err);
/* --method central|forward. */
int cli_opt_method(const char *arg, fd_method_t *method, char **err);
/* arg is one of choices (NULL-terminated): its index into *v. Otherwise
 * "OPT: expected a, b or c, got 'arg'". */
int cli_opt_choice(const char *opt, const char *arg,
    const char *const *choices, int *v, char **err);

/* ---- the shape options ---- */

/* The shape options are the library's (conv-shape.h: conv_shape_opts_t
 * and conv_shape_opts_*(), shared with the tutor); cli_parse_options()
 * reads them into cli_common_t.shape. */

/* ---- the options the commands share ---- */

/* Their values in a front end's option table (its own start at
 * CLI_OPT_NEXT), and the table's entries for them:
 *   CLI_SHAPE_LONG_OPTIONS  --shape --stride --padding --dilation --groups
 *   CLI_FD_LONG_OPTIONS     --seed --eps --method
 *   CLI_HELP_LONG_OPTIONS   --help (-h) --version (-V)              */
enum {               /* the shape options: 256 + their conv_opt_t */
	CLI_OPT_SHAPE = 256 + CONV_OPT_SHAPE,
	CLI_OPT_STRIDE = 256 + CONV_OPT_STRIDE,
	CLI_OPT_PADDING = 256 + CONV_OPT_PADDING,
	CLI_OPT_DILATION = 256 + CONV_OPT_DILATION,
	CLI_OPT_GROUPS = 256 + CONV_OPT_GROUPS,
	CLI_OPT_SEED, CLI_OPT_EPS, CLI_OPT_METHOD, CLI_OPT_NEXT,
};
#define CLI_SHAPE_LONG_OPTIONS \
	{ "shape", required_argument, NULL, CLI_OPT_SHAPE }, \
	{ "stride", required_argument, NULL, CLI_OPT_STRIDE }, \
	{ "padding", required_argument, NULL, CLI_OPT_PADDING }, \
	{ "dilation", required_argument, NULL, CLI_OPT_DILATION }, \
	{ "groups", required_argument, NULL, CLI_OPT_GROUPS }
#define CLI_FD_LONG_OPTIONS \
	{ "seed", required_argument, NULL, CLI_OPT_SEED }, \
	{ "eps", required_argument, NULL, CLI_OPT_EPS }, \
	{ "method", required_argument, NULL, CLI_OPT_METHOD }
#define CLI_HELP_LONG_OPTIONS \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }

/* Where the shared options go. seed and fd point into the command's own
 * options (NULL if it takes no --seed, --eps, --method). */
typedef struct cli_common {
	conv_shape_opts_t shape;
	uint64_t *seed;
	fd_opts_t *fd;
	bool help, version;
} cli_common_t;

/* ---- the option loop and the exits ---- */

/* One of a command's own options: opt is its value in the option table,
 * arg its argument (NULL for a flag). 0, or -1 with *err. */
typedef int cli_option_fn(void *ctx, int opt, const char *arg, char **err);

/* Parse the options of argv (argv[0] is the command) with getopt_long,
 * afresh on every call: the shared options into common, the others
 * through fn. shortopts must start with ':'. Returns 0 with optind at the
 * first operand, or -1 with *err: the option's parser's message, or
 * "unknown option '--x'" / "--shape: option requires an argument". */
int cli_parse_options(int argc, char **argv, const char *shortopts,
    const struct option *longopts, cli_common_t *common,
    cli_option_fn *fn, void *ctx, char **err);

/* Bad usage of prog ("convgrad verify"): "prog: err" and "Try 'prog
 * --help'." on stderr. Frees err. Returns 2, the exit status. */
int cli_usage_error(const char *prog, char *err);

/* After parsing: --help prints usage(stdout), --version "convgrad
 * VERSION". True if either was given (the command then exits 0). */
bool cli_help_or_version(const cli_common_t *c, void (*usage)(FILE *));

/* ---- lessons ---- */

/* Load every lesson that args name (lesson_collect(): nargs 0 means the
 * bundled ones). Every error is printed on stderr: "prog: why" for a path
 * that cannot be collected, lesson_load()'s file:line:col message for a
 * file that does not load, exercise_check_lesson()'s for a lesson whose
 * hidden exercise answer does not hold at its default shape. Returns 0, or -1 if any failed; either way *ls
 * (n entries, NULL where a lesson failed) is for cli_lessons_free(). */
int cli_lessons_load(const char *prog, char **args, int nargs,
    lesson_t ***ls, int *n);
void cli_lessons_free(lesson_t **ls, int n);    /* NULL: no-op */

#endif
