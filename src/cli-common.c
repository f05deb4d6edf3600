/*
 * cli-common.c: the option plumbing that `convgrad gradcheck`, `verify`,
 * `show` and `tutor` share (see cli-common.h). Every message names the
 * option and the value as given, so a user can find the typo.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli-common.h"
#include "exercise.h"
#include "util.h"

/* ---- numbers and words ---- */

bool
cli_parse_ull(const char *arg, unsigned long long min, unsigned long long *v)
{
	char *end;

	if (arg[0] < '0' || arg[0] > '9')
		return false;
	errno = 0;
	*v = strtoull(arg, &end, 10);
	return errno == 0 && *end == '\0' && *v >= min;
}

bool
cli_parse_double(const char *arg, double lo, double hi, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(arg, &end);
	return end != arg && *end == '\0' && errno == 0 && isfinite(*v) &&
	    *v >= lo && *v <= hi;
}

int
cli_opt_seed(const char *arg, uint64_t *seed, char **err)
{
	unsigned long long v;

	if (!cli_parse_ull(arg, 0, &v))
		return set_error(err, "--seed: expected a non-negative integer, "
		    "got '%s'", arg);
	*seed = v;
	return 0;
}

int
cli_opt_eps(const char *arg, double *eps, char **err)
{
	double v;

	if (!cli_parse_double(arg, CLI_EPS_MIN, CLI_EPS_MAX, &v))
		return set_error(err, "--eps: expected a step between 1e-12 and "
		    "1 like 1e-6, got '%s'", arg);
	*eps = v;
	return 0;
}

int
cli_opt_method(const char *arg, fd_method_t *method, char **err)
{
	static const char *const methods[] = { "central", "forward", NULL };
	int v;

	if (cli_opt_choice("--method", arg, methods, &v, err) != 0)
		return -1;
	*method = v == 0 ? FD_CENTRAL : FD_FORWARD;
	return 0;
}

int
cli_opt_choice(const char *opt, const char *arg, const char *const *choices,
    int *v, char **err)
{
	sbuf_t b;
	int i;

	for (i = 0; choices[i] != NULL; i++) {
		if (strcmp(arg, choices[i]) == 0) {
			*v = i;
			return 0;
		}
	}
	sbuf_init(&b);              /* "a, b or c" */
	for (i = 0; choices[i] != NULL; i++)
		sbuf_addf(&b, "%s%s", i == 0 ? "" : choices[i + 1] == NULL ?
		    " or " : ", ", choices[i]);
	set_error(err, "%s: expected %s, got '%s'", opt, b.s, arg);
	sbuf_free(&b);
	return -1;
}

/* ---- the options the commands share, the option loop, the exits ---- */

/* opt is not one of the shared options: the command parses it. */
#define NOT_COMMON 1

/* One of the shared options into c: 0, -1 with *err, or NOT_COMMON. */
static int
common_option(cli_common_t *c, int opt, const char *arg, char **err)
{
	switch (opt) {
	case CLI_OPT_SHAPE: case CLI_OPT_STRIDE:
	case CLI_OPT_PADDING: case CLI_OPT_DILATION: case CLI_OPT_GROUPS:
		return conv_shape_opts_read(&c->shape,
		    (conv_opt_t)(opt - CLI_OPT_SHAPE), arg, err);
	case CLI_OPT_SEED:
		assert(c->seed != NULL);
		return cli_opt_seed(arg, c->seed, err);
	case CLI_OPT_EPS:
		assert(c->fd != NULL);
		return cli_opt_eps(arg, &c->fd->eps, err);
	case CLI_OPT_METHOD:
		assert(c->fd != NULL);
		return cli_opt_method(arg, &c->fd->method, err);
	case 'h':
		c->help = true;
		return 0;
	case 'V':
		c->version = true;
		return 0;
	}
	return NOT_COMMON;
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

int
cli_parse_options(int argc, char **argv, const char *shortopts,
    const struct option *longopts, cli_common_t *common, cli_option_fn *fn,
    void *ctx, char **err)
{
	int opt, rc;

	assert(shortopts[0] == ':');
	optind = 0;          /* GNU: full reset, in case of an earlier parse */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (opt == '?' || opt == ':')
			return getopt_error(opt, argv, err);
		rc = common_option(common, opt, optarg, err);
		if (rc == NOT_COMMON)
			rc = fn(ctx, opt, optarg, err);
		if (rc != 0)
			return -1;
	}
	return 0;
}

int
cli_usage_error(const char *prog, char *err)
{
	fprintf(stderr, "%s: %s\nTry '%s --help'.\n", prog, err, prog);
	free(err);
	return 2;
}

bool
cli_help_or_version(const cli_common_t *c, void (*usage)(FILE *))
{
	if (c->help)
		usage(stdout);
	else if (c->version)
		printf("convgrad %s\n", PACKAGE_VERSION);
	return c->help || c->version;
}

/* ---- lessons ---- */

int
cli_lessons_load(const char *prog, char **args, int nargs, lesson_t ***ls,
    int *n)
{
	char **paths = NULL, *err = NULL;
	int npaths = 0, i, bad = 0;

	*ls = NULL;
	*n = 0;
	if (lesson_collect(args, nargs, &paths, &npaths, &err) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		free(err);
		return -1;
	}
	*ls = xcalloc((size_t)npaths, sizeof **ls);
	*n = npaths;
	for (i = 0; i < npaths; i++) {
		if (((*ls)[i] = lesson_load(paths[i], &err)) == NULL ||
		    exercise_check_lesson((*ls)[i], NULL, &err) != 0) {
			/* a lesson whose hidden answer fails is refused too */
			fprintf(stderr, "%s\n", err);
			free(err);
			err = NULL;
			lesson_free((*ls)[i]);
			(*ls)[i] = NULL;
			bad++;
		}
	}
	lesson_paths_free(paths, npaths);
	return bad > 0 ? -1 : 0;
}

void
cli_lessons_free(lesson_t **ls, int n)
{
	int i;

	for (i = 0; i < n && ls != NULL; i++)
		lesson_free(ls[i]);
	free(ls);
}
