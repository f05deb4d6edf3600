/*
 * ui-tutor.c: `convgrad [tutor] [OPTIONS] [LESSON]`, the interactive tutor.
 *
 * Options are parsed, the lessons loaded and the place asked for (--lesson,
 * --step) checked before the terminal is: a bad option is reported with
 * its range and exit 2 wherever it runs; without a terminal the tutor then
 * says so, points to `convgrad verify` and `convgrad show`, and exits 2.
 *
 * The student's progress (tutor-progress.h) is loaded first: the tutor
 * opens where the student left off (unless --no-resume, --lesson), notes
 * what each drawn screen shows, saves when idle and on the way out. The main loop draws the state (tutor.h),
 * waits for a key (a signal ends the wait at once), and hands the
 * key to tutor_key(), which dispatches through the key table.
 *
 * Verification never runs here: a worker thread (tutor-bg.c) verifies
 * whole claims while the loop goes on taking keys; the loop polls for its
 * results every tick while it works and draws its progress. Esc cancels
 * it; q and the signals quit whatever it is doing.
 */
#include "ui-curses.h"

#include <getopt.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli-common.h"
#include "cmd.h"
#include "tutor-progress.h"
#include "util.h"

#define PROG "convgrad tutor"

typedef struct tutor_args {
	ui_opts_t ui;
	bool keys;              /* --keys: print the key table, exit */
	bool no_resume;         /* --no-resume: not at the last place */
	int lesson, step;       /* --lesson N, --step K (from 1), 0: none */
	cli_common_t common;    /* the shape options, --help, --version */
	char **lessons;
	int nlessons;
} tutor_args_t;

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
	    "  --lesson N           open lesson N of the list (from 1)\n"
	    "  --step K             ... at step K (from 1; alone: of the\n"
	    "                       LESSON given)\n"
	    "  --no-resume          open at the start, not where you left off\n"
	    "  --present            presenter mode, for a projector: no dim\n"
	    "                       text, high contrast, wider cells; Space\n"
	    "                       reveals a step part by part (paragraphs,\n"
	    "                       the claim, the verdict), then pages\n"
	    "  --keys               print the key table (screen, key, what it\n"
	    "                       does; tab-separated, one key a line), exit\n"
	    "  -h, --help           show this help and exit\n"
	    "  -V, --version        show the version and exit\n\n"
	    "Claims are verified in the background: keys act at once meanwhile,\n"
	    "Esc cancels a verification, q and signals quit at once.\n\n"
	    "Progress (the steps seen, the exercises solved, the last place)\n"
	    "is kept in $XDG_STATE_HOME/convgrad/progress (by default\n"
	    "~/.local/state/convgrad/progress); the tutor opens where you\n"
	    "left off. A corrupt progress file is set aside, never fatal.\n\n"
	    "Keys: ? or F1 in the tutor lists them all. The terminal must be at\n"
	    "least %dx%d. Without a terminal, use 'convgrad verify' to check the\n"
	    "lessons and 'convgrad show LESSON' to read one.\n\n"
	    "Exit status: 0 after q, 2 bad usage or no terminal, 3 internal\n"
	    "error (out of memory; the terminal is restored first), 128+N on\n"
	    "signal N. See convgrad(1).\n", UI_MIN_COLS, UI_MIN_ROWS);
}

enum {
	OPT_ASCII = CLI_OPT_NEXT, OPT_NO_COLOR, OPT_KEYS, OPT_LESSON, OPT_STEP,
	OPT_NO_RESUME, OPT_PRESENT,
};

static const struct option long_options[] = {
	{ "ascii", no_argument, NULL, OPT_ASCII },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "no-colour", no_argument, NULL, OPT_NO_COLOR },
	{ "keys", no_argument, NULL, OPT_KEYS },
	{ "lesson", required_argument, NULL, OPT_LESSON },
	{ "step", required_argument, NULL, OPT_STEP },
	{ "no-resume", no_argument, NULL, OPT_NO_RESUME },
	{ "present", no_argument, NULL, OPT_PRESENT },
	CLI_SHAPE_LONG_OPTIONS,
	CLI_HELP_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* --lesson N, --step K: a whole number from 1 (the upper bound is checked
 * once the lessons are loaded, place_check). */
static int
parse_place(const char *opt, const char *arg, int *v, char **err)
{
	unsigned long long n;

	if (!cli_parse_ull(arg, 1, &n) || n > 1000000)
		return set_error(err, "%s: expected a %s number from 1, got '%s'",
		    opt, strcmp(opt, "--lesson") == 0 ? "lesson" : "step", arg);
	*v = (int)n;
	return 0;
}

/* One of the tutor's own options (a cli_option_fn). */
static int
parse_option(void *ctx, int opt, const char *arg, char **err)
{
	tutor_args_t *a = ctx;

	switch (opt) {
	case OPT_ASCII: a->ui.ascii = true; break;
	case OPT_NO_COLOR: a->ui.color = false; break;
	case OPT_KEYS: a->keys = true; break;
	case OPT_NO_RESUME: a->no_resume = true; break;
	case OPT_PRESENT: a->ui.present = true; break;
	case OPT_LESSON: return parse_place("--lesson", arg, &a->lesson, err);
	case OPT_STEP: return parse_place("--step", arg, &a->step, err);
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
	t->defer_verify = true;
	t->present = a->ui.present;
	if (a->nlessons == 1 && is_file(a->lessons[0]) &&
	    t->lessons[0].lesson == NULL) {
		set_error(err, "%s", t->lessons[0].load_error);
		tutor_free(t);
		return NULL;
	}
	return t;
}

/* --lesson N --step K against the lessons loaded: 0, or -1 with *err
 * naming the option and the range. --step alone means the one lesson the
 * tutor was given. */
static int
place_check(tutor_args_t *a, const tutor_t *t, char **err)
{
	const tutor_lesson_t *tl;

	if (a->step > 0 && a->lesson == 0) {
		if (t->nlessons != 1)
			return set_error(err, "--step %d: which lesson? give --lesson "
			    "N (1 to %d) or one LESSON file", a->step, t->nlessons);
		a->lesson = 1;
	}
	if (a->lesson == 0)
		return 0;
	if (a->lesson > t->nlessons)
		return set_error(err, "--lesson %d: out of range: there %s %d "
		    "lesson%s (1 to %d)", a->lesson, t->nlessons == 1 ? "is" : "are",
		    t->nlessons, t->nlessons == 1 ? "" : "s", t->nlessons);
	tl = &t->lessons[a->lesson - 1];
	if (tl->lesson == NULL)
		return set_error(err, "--lesson %d: %s", a->lesson, tl->load_error);
	if (a->step > tl->lesson->nsteps)
		return set_error(err, "--step %d: out of range: lesson %d (%s) has "
		    "%d step%s (1 to %d)", a->step, a->lesson, tl->path,
		    tl->lesson->nsteps, tl->lesson->nsteps == 1 ? "" : "s",
		    tl->lesson->nsteps);
	return 0;
}

/* Where the tutor opens: the place asked for; else where the student left
 * off (a LESSON file: only if that was in it); else a LESSON file's first
 * step, or the list. warn: what loading the progress said, shown last. */
static void
open_place(tutor_t *t, const tutor_args_t *a, char *warn)
{
	bool one_file = a->nlessons == 1 && is_file(a->lessons[0]);

	if (a->lesson > 0) {
		tutor_open(t, a->lesson - 1);
		tutor_goto_step(t, a->step > 0 ? a->step - 1 : 0);
	} else if (!a->no_resume && tutor_progress_resume(t)) {
		if (one_file && t->screen == SCR_LIST)
			tutor_open(t, 0);
	} else if (one_file)
		tutor_open(t, 0);
	if (warn != NULL)
		tutor_message(t, "%s", warn);
	tutor_live_update(t);
}

/* Unbounded recursion, for CONVGRAD_TEST_FATAL=stack: the volatile
 * array and the use after the call keep it from becoming a loop. */
static volatile int overflow_stop;     /* never set: the compiler cannot
                                        * prove the recursion infinite */
static int
overflow(int depth)
{
	volatile char pad[4096];

	pad[0] = (char)depth;
	if (overflow_stop)
		return pad[0];
	return overflow(depth + 1) + pad[0];
}

/* CONVGRAD_TEST_FATAL=1: a fatal error once the first screen is drawn, so
 * that tests/tutor.sh can see fatal() restore the terminal before it
 * prints; =stack: a stack overflow (SIGSEGV), to see the fault handler
 * restore it from its alternate stack. Read here only. */
static void
test_fatal(void)
{
	const char *v = getenv("CONVGRAD_TEST_FATAL");

	if (v != NULL && strcmp(v, "1") == 0)
		fatal("CONVGRAD_TEST_FATAL is set: a test of the fatal path");
	if (v != NULL && strcmp(v, "stack") == 0)
		(void)overflow(0);
}

/* How long a wait for a key lasts: short while the worker verifies, so
 * that its results and progress show within a tick; a signal or a key
 * ends the wait at once either way. */
#define TICK_BUSY_MS 40
#define TICK_IDLE_MS 250

/* CONVGRAD_TUTOR_KEYLOG=FILE: after each key is handled and the screen
 * refreshed, a line "KEY NS BUSY" (the key code, CLOCK_MONOTONIC in ns,
 * 1 if a verification was running): bench/bench-tutor.c sends keys and
 * measures from its own clock to these. Opened here only; a file that
 * cannot be opened is ignored (it is a measuring aid). */
static FILE *keylog;

static void
keylog_open(void)
{
	const char *path = getenv("CONVGRAD_TUTOR_KEYLOG");

	if (path != NULL && path[0] != '\0')
		keylog = fopen(path, "w");
}

static void
keylog_key(int key, bool busy)
{
	struct timespec ts;

	if (keylog == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fprintf(keylog, "%d %lld %d\n", key,
	    (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, busy ? 1 : 0);
	fflush(keylog);
}

/* Save the progress while nothing else happens; a failure is said once,
 * and the session goes on without saving (it is said again at exit). */
static void
save_idle(tutor_t *t, bool *failed)
{
	char *err = NULL;

	if (*failed || !tutor_progress_dirty(t))
		return;
	if (tutor_progress_save(t, &err) != 0) {
		tutor_message(t, "%s", err);
		free(err);
		*failed = true;
		ui_draw(t);
	}
}

static void
main_loop(tutor_t *t)
{
	bool save_failed = false;

	keylog_open();
	ui_layout(t);
	ui_draw(t);
	tutor_progress_note(t);
	test_fatal();
	while (!t->quit && !ui_term_quit_requested()) {
		bool busy;
		int key;

		if (t->verify_pending)          /* after the step is drawn */
			tutor_run_pending(t);
		busy = tutor_busy(t, NULL);
		key = ui_term_getkey(busy || tutor_lets_waiting(t) ?
		    TICK_BUSY_MS : TICK_IDLE_MS);
		if (tutor_poll(t) || busy || key >= 0) {
			if (key >= 0 && key != TK_RESIZE)
				tutor_key(t, key);
			ui_layout(t);   /* the state's scroll positions, then */
			ui_draw(t);     /* the screen, which only draws */
			tutor_progress_note(t);
			if (key >= 0)
				keylog_key(key, busy);
		}
		if (key < 0)
			save_idle(t, &save_failed);
	}
	if (keylog != NULL)
		fclose(keylog);
}

/* The worker is told to stop and given a moment; a claim that does not
 * poll for cancel is not waited for: the process ends at once (_exit,
 * after flushing), since exit() would free and tear down what the worker
 * still uses. The terminal is restored already. */
#define STOP_WAIT_MS 30

static int
finish(tutor_t *t, int status)
{
	char *err = NULL;

	if (tutor_progress_save(t, &err) != 0) {     /* the terminal is back */
		fprintf(stderr, PROG ": %s\n", err);
		free(err);
	}
	if (!tutor_bg_stop(t, STOP_WAIT_MS)) {
		fflush(stdout);
		fflush(stderr);
		_exit(status);
	}
	tutor_free(t);
	return status;
}

int
cmd_tutor(int argc, char **argv)
{
	tutor_args_t a;
	tutor_t *t;
	char *err = NULL, *warn = NULL;
	int sig;

	if (parse_args(argc, argv, &a, &err) != 0)
		return cli_usage_error(PROG, err);
	if (cli_help_or_version(&a.common, usage))
		return 0;
	if (a.keys) {
		tutor_keys_print(stdout);
		return 0;
	}
	t = load_tutor(&a, &err);
	if (t == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		free(err);
		return 2;
	}
	if (place_check(&a, t, &err) != 0) {
		tutor_free(t);
		return cli_usage_error(PROG, err);
	}
	if (ui_term_check(&err) != 0) {
		fprintf(stderr, "convgrad: the tutor needs a terminal: %s.\n"
		    "  To check the lessons without one:  convgrad verify [LESSON...]\n"
		    "  To read a lesson as text:          convgrad show LESSON\n", err);
		free(err);
		tutor_free(t);
		return 2;
	}
	if (ui_term_init(&a.ui, &err) != 0) {
		fprintf(stderr, "convgrad: %s\n", err);
		free(err);
		tutor_free(t);
		return 2;
	}
	if (tutor_bg_start(t, &err) != 0) {     /* then in the foreground */
		tutor_message(t, "%s", err);
		free(err);
	}
	tutor_progress_open(t, NULL, &warn);
	open_place(t, &a, warn);
	free(warn);
	main_loop(t);
	ui_term_done();
	sig = ui_term_signal();
	return finish(t, sig != 0 ? 128 + sig : 0);
}
