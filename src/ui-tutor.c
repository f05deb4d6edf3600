/*
 * ui-tutor.c: `convgrad [tutor] [OPTIONS] [LESSON]`, the interactive tutor.
 *
 * Options are parsed and the terminal checked before anything is drawn:
 * without a terminal the tutor says so, points to `convgrad verify` and
 * `convgrad show`, and exits 2. The main loop draws the state (tutor.h),
 * waits for a key (waking every 100 ms to notice signals), and hands the
 * key to tutor_key(), which dispatches through the key table.
 *
 * Verification runs inside a key's action; the verifier calls back with
 * progress, which draws a progress line and polls the keyboard without
 * blocking: Esc (or x, q) cancels.
 */
#include "ui-curses.h"

#include <getopt.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli-common.h"
#include "cmd.h"
#include "util.h"

#define PROG "convgrad tutor"

typedef struct tutor_args {
	ui_opts_t ui;
	bool keys;              /* --keys: print the key table, exit */
	cli_common_t common;    /* the shape options, --help, --version */
	char **lessons;
	int nlessons;
} tutor_args_t;

static bool cancel_requested;

/* Keys typed while a verification ran, handled once it is done. */
#define KEYQ_MAX 32
static int keyq[KEYQ_MAX];
static int keyq_n;

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: convgrad [tutor] [OPTIONS] [LESSON|DIR]\n"
	    "Walk through the derivation of conv2d's gradients, one step at a\n"
	    "time, every formula checked against finite differences.\n\n"
	    "With no LESSON the tutor opens on the list of bundled lessons; a\n"
	    "lesson file opens that lesson, a directory lists its lessons.\n\n"
	    "  --ascii              pure ASCII: formulas, grids and borders\n"
	    "                       (the default when the locale is not UTF-8)\n"
	    "  --no-color           monochrome (also when NO_COLOR is set)\n"
	    "  --shape N,C_in,H_in,W_in,C_out,R,S\n"
	    "                       show every lesson at these sizes\n"
	    "  --stride SH,SW       ... with this stride\n"
	    "  --padding PH,PW      ... with this padding\n"
	    "  --dilation DH,DW     ... with this dilation\n"
	    "  --groups G           ... with G channel groups\n"
	    "  --keys               print the key table (screen, key, what it\n"
	    "                       does; tab-separated, one key a line), exit\n"
	    "  -h, --help           show this help and exit\n"
	    "  -V, --version        show the version and exit\n\n"
	    "Keys: ? or F1 in the tutor lists them all. The terminal must be at\n"
	    "least %dx%d. Without a terminal, use 'convgrad verify' to check the\n"
	    "lessons and 'convgrad show LESSON' to read one.\n\n"
	    "Exit status: 0 after q, 2 bad usage or no terminal, 3 internal\n"
	    "error (out of memory; the terminal is restored first), 128+N on\n"
	    "signal N. See convgrad(1).\n", UI_MIN_COLS, UI_MIN_ROWS);
}

enum { OPT_ASCII = CLI_OPT_NEXT, OPT_NO_COLOR, OPT_KEYS };

static const struct option long_options[] = {
	{ "ascii", no_argument, NULL, OPT_ASCII },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "no-colour", no_argument, NULL, OPT_NO_COLOR },
	{ "keys", no_argument, NULL, OPT_KEYS },
	CLI_SHAPE_LONG_OPTIONS,
	CLI_HELP_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* One of the tutor's own options (a cli_option_fn). */
static int
parse_option(void *ctx, int opt, const char *arg, char **err)
{
	tutor_args_t *a = ctx;

	(void)arg, (void)err;
	switch (opt) {
	case OPT_ASCII: a->ui.ascii = true; break;
	case OPT_NO_COLOR: a->ui.color = false; break;
	case OPT_KEYS: a->keys = true; break;
	}
	return 0;
}

/* 0, or -1 with *err on bad usage. */
static int
parse_args(int argc, char **argv, tutor_args_t *a, char **err)
{
	const char *nc = getenv("NO_COLOR");

	memset(a, 0, sizeof *a);
	a->ui.color = nc == NULL || nc[0] == '\0';
	a->ui.ascii = strcmp(nl_langinfo(CODESET), "UTF-8") != 0;
	a->common.shape.check_ranges = true;    /* blame the option itself */
	if (cli_parse_options(argc, argv, ":hV", long_options, &a->common,
	    parse_option, a, err) != 0)
		return -1;
	if (argc - optind > 1)
		return set_error(err, "one LESSON or directory at most, not %d",
		    argc - optind);
	a->lessons = argv + optind;
	a->nlessons = argc - optind;
	return 0;
}

static void
on_progress(void *ud, size_t done, size_t total)
{
	int k;

	(void)ud;
	ui_draw_progress(done, total);
	while ((k = ui_term_getkey(0)) >= 0) {
		if (k == TK_ESC || k == 'x' || k == 'q')
			cancel_requested = true;
		else if (keyq_n < KEYQ_MAX)
			keyq[keyq_n++] = k;
	}
	if (ui_term_quit_requested())
		cancel_requested = true;
}

static bool
on_cancelled(void *ud)
{
	(void)ud;
	return cancel_requested;
}

static bool
is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Load the lessons and apply the shape options. NULL with *err. */
static tutor_t *
load_tutor(const tutor_args_t *a, char **err)
{
	char **paths = NULL;
	int n = 0;
	tutor_t *t;

	if (lesson_collect(a->lessons, a->nlessons, &paths, &n, err) != 0)
		return NULL;
	t = tutor_create(paths, n);
	lesson_paths_free(paths, n);
	if (tutor_override(t, &a->common.shape, err) != 0) {
		tutor_free(t);
		return NULL;
	}
	t->opts.progress = on_progress;
	t->opts.cancelled = on_cancelled;
	t->defer_verify = true;
	if (a->nlessons == 1 && is_file(a->lessons[0]) &&
	    t->lessons[0].lesson == NULL) {
		set_error(err, "%s", t->lessons[0].load_error);
		tutor_free(t);
		return NULL;
	}
	return t;
}

/* CONVGRAD_TEST_FATAL=1: a fatal error once the first screen is drawn, so
 * that tests/tutor.sh can see fatal() restore the terminal before it
 * prints. Read here only. */
static void
test_fatal(void)
{
	const char *v = getenv("CONVGRAD_TEST_FATAL");

	if (v != NULL && strcmp(v, "1") == 0)
		fatal("CONVGRAD_TEST_FATAL is set: a test of the fatal path");
}

static void
main_loop(tutor_t *t)
{
	ui_draw(t);
	test_fatal();
	if (t->verify_pending) {
		tutor_run_pending(t);
		ui_draw(t);
	}
	while (!t->quit && !ui_term_quit_requested()) {
		int key;

		if (keyq_n > 0) {
			key = keyq[0];
			memmove(keyq, keyq + 1, (size_t)--keyq_n * sizeof *keyq);
		} else
			key = ui_term_getkey(100);

		if (key < 0)
			continue;
		cancel_requested = false;
		if (key != TK_RESIZE)
			tutor_key(t, key);
		ui_draw(t);
		if (t->verify_pending) {      /* drawn first, then verified */
			tutor_run_pending(t);
			ui_draw(t);
		}
	}
}

int
cmd_tutor(int argc, char **argv)
{
	tutor_args_t a;
	tutor_t *t;
	char *err = NULL;
	int sig;

	if (parse_args(argc, argv, &a, &err) != 0)
		return cli_usage_error(PROG, err);
	if (cli_help_or_version(&a.common, usage))
		return 0;
	if (a.keys) {
		tutor_keys_print(stdout);
		return 0;
	}
	if (ui_term_check(&err) != 0) {
		fprintf(stderr, "convgrad: the tutor needs a terminal: %s.\n"
		    "  To check the lessons without one:  convgrad verify [LESSON...]\n"
		    "  To read a lesson as text:          convgrad show LESSON\n", err);
		free(err);
		return 2;
	}
	t = load_tutor(&a, &err);
	if (t == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		free(err);
		return 2;
	}
	if (ui_term_init(&a.ui, &err) != 0) {
		fprintf(stderr, "convgrad: %s\n", err);
		free(err);
		tutor_free(t);
		return 2;
	}
	if (a.nlessons == 1 && is_file(a.lessons[0]))
		tutor_open(t, 0);
	main_loop(t);
	ui_term_done();
	sig = ui_term_signal();
	tutor_free(t);
	return sig != 0 ? 128 + sig : 0;
}
