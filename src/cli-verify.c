/*
 * cli-verify.c: `convgrad verify [OPTIONS] [FILES|DIRS]`: load lessons,
 * check every claim with the verifier, and report as a table for people
 * (text), one TAP test point per claim, or one JSON object.
 *
 * All lessons are loaded before any is verified, so a parse error (exit 2,
 * the parser's file:line:col message with its caret) is reported at once.
 * Each lesson is verified at its default shape, or at the shape the options
 * make of it (--shape replaces the sizes, --stride/--padding/--dilation
 * their fields); a lesson that does not cover the result is skipped with
 * the reason. After a step's claims come its exercises: each hidden
 * answer judged as a student's claim is (exercise.h), at that shape and
 * two others. Exit 0 when every claim and answer is ok, 1 otherwise, 2 on
 * bad usage or input (a lesson whose answer fails at its default shape is
 * refused when it loads).
 */
#include "config.h"

#include <assert.h>
#include <langinfo.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli-common.h"
#include "cmd.h"
#include "escape.h"
#include "exercise.h"
#include "json.h"
#include "lesson.h"
#include "shrink.h"
#include "util.h"
#include "verify.h"

#define PROG "convgrad verify"

enum format { FORMAT_TEXT, FORMAT_TAP, FORMAT_JSON };

/* The progress line on standard error (a terminal only): which claim is
 * being checked. */
typedef struct progress {
	const claim_t *claim;
	bool shown;               /* a line is on the screen */
} progress_t;

typedef struct vcli {
	verify_opts_t o;
	enum format format;
	bool ascii, quiet, strict_errata;
	bool shrink;              /* --shrink: the smallest failing shape */
	cli_common_t common;      /* its shape goes over each lesson's default */
	progress_t *progress;     /* NULL: standard error is not a terminal */
} vcli_t;

/* What the run has seen so far. */
typedef struct tally {
	int claims, hold, refuted, failed, unrefuted_here, skipped_lessons;
	int errors;               /* claims that could not be checked at all */
	int exercises, answers_hold;
	int tap_n;
	bool first_lesson, first_step, first_claim;   /* JSON commas */
} tally_t;

enum {
	OPT_FORMAT = CLI_OPT_NEXT, OPT_ASCII, OPT_MAX_TUPLES,
	OPT_STRICT_ERRATA, OPT_SHRINK,
};

static const struct option long_options[] = {
	CLI_SHAPE_LONG_OPTIONS,
	CLI_FD_LONG_OPTIONS,
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "ascii", no_argument, NULL, OPT_ASCII },
	{ "max-tuples", required_argument, NULL, OPT_MAX_TUPLES },
	{ "strict-errata", no_argument, NULL, OPT_STRICT_ERRATA },
	{ "shrink", no_argument, NULL, OPT_SHRINK },
	{ "quiet", no_argument, NULL, 'q' },
	CLI_HELP_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f, "Usage: convgrad verify [OPTIONS] [FILES|DIRS]\n"
	    "Verify lessons: check every claim against the real conv2d kernels "
	    "and finite\ndifferences, at every tuple of its free indices. A "
	    "directory stands for its\n*.md files; with no arguments, the "
	    "bundled lessons (%s).\n\n", lesson_default_dir());
	fprintf(f, "Options:\n"
	    "  --shape N,C_in,H_in,W_in,C_out,R,S\n"
	    "                      re-verify at these sizes instead of each "
	    "lesson's default\n"
	    "                      (a lesson whose groups do not divide them "
	    "is skipped)\n"
	    "  --stride SH,SW      ... with these strides (one number sets "
	    "both)\n"
	    "  --padding PH,PW     ... with this zero padding (lessons that do "
	    "not cover\n"
	    "                      padding are skipped, with the reason)\n"
	    "  --dilation DH,DW    ... with this dilation (likewise)\n"
	    "  --groups G          ... with G channel groups (likewise)\n"
	    "  --seed N            seed of the random input, weight, bias and "
	    "df, uniform\n"
	    "                      in [-1, 1) (default %u)\n"
	    "  --eps H             finite-difference step (default %g; 1e-12 "
	    "to 1)\n"
	    "  --method M          central (default) or forward differences\n"
	    "  --max-tuples K      past K tuples, check a seeded random sample "
	    "of K\n"
	    "                      (default %d; the report says when it "
	    "sampled)\n"
	    "  --format F          text (default), tap (one test point per "
	    "claim) or json\n"
	    "                      (one object)\n"
	    "  --ascii             ASCII marks (ok/FAIL), titles and labels in "
	    "ASCII (d for\n"
	    "                      the partial sign), even in a UTF-8 locale\n"
	    "  --strict-errata     at a re-verified shape, also fail an "
	    "erratum (expect\n"
	    "                      fail) that is not refuted there\n"
	    "  --shrink            for a claim that fails and an erratum "
	    "refuted, also search\n"
	    "                      the smallest shape (fewest input, weight "
	    "and output\n"
	    "                      entries, valid and covered by the lesson) "
	    "where it still\n"
	    "                      fails, and give the counterexample there "
	    "(at most %d\n"
	    "                      shapes)\n"
	    "  -q, --quiet         text: print only failures and the summary\n"
	    "  -h, --help          show this help and exit\n"
	    "  -V, --version       show the version and exit\n\n",
	    (unsigned)VERIFY_SEED_DEFAULT, FD_EPS_DEFAULT,
	    VERIFY_MAX_TUPLES_DEFAULT, SHRINK_MAX_TRIES_DEFAULT);
	fprintf(f, "A claim passes when |numeric - formula| <= tol_abs + "
	    "tol_rel*|numeric| at\nevery tuple: 1e-9 for identities (two "
	    "summation orders), 1e-6 + 1e-6*|numeric|\nfor finite differences "
	    "(conv2d is linear: rounding only). A finding (an\nout-of-range "
	    "access, a division by zero), NaN or Inf never passes. An\n"
	    "'expect fail' claim (an erratum) passes when it is refuted; at a "
	    "shape other\nthan the lesson's default an erratum that happens to "
	    "hold is reported but\nnot counted as a failure (an index typo can "
	    "agree with the truth, e.g. at\nstride 1), unless --strict-errata."
	    "\n\nEnvironment: CONVGRAD_LESSONS names the bundled lessons' "
	    "directory.\n\nExercises: each hidden answer is judged as a "
	    "student's claim, at the shape\nand two others (other strides "
	    "and sizes).\n\nExit status: 0 every claim ok, 1 a claim or an "
	    "exercise's answer failed, 2 bad\nusage or input (a lesson that "
	    "does not parse: file:line:col and what was\nexpected; an answer "
	    "that fails at the lesson's default shape).\n");
}

/* ---- options ---- */

/* The options without an argument. */
static void
parse_flag(vcli_t *c, int opt)
{
	switch (opt) {
	case OPT_ASCII:
		c->ascii = true;
		break;
	case OPT_STRICT_ERRATA:
		c->strict_errata = true;
		break;
	case OPT_SHRINK:
		c->shrink = true;
		break;
	case 'q':
		c->quiet = true;
		break;
	default:
		assert(!"not an option of verify");
	}
}

/* One of verify's own options (a cli_option_fn); 0, or -1 with *err
 * naming it. */
static int
parse_option(void *ctx, int opt, const char *arg, char **err)
{
	static const char *const formats[] = { "text", "tap", "json", NULL };
	vcli_t *c = ctx;
	unsigned long long n;
	int v;

	switch (opt) {
	case OPT_FORMAT:
		if (cli_opt_choice("--format", arg, formats, &v, err) != 0)
			return -1;
		c->format = (enum format)v;
		return 0;
	case OPT_MAX_TUPLES:
		if (!cli_parse_ull(arg, 1, &n))
			return set_error(err, "--max-tuples: expected a positive "
			    "integer, got '%s'", arg);
		c->o.max_tuples = (size_t)n;
		return 0;
	}
	parse_flag(c, opt);
	return 0;
}

/* The shape to verify lesson l at: its default with the overrides. */
static conv_shape_t
shape_for(const vcli_t *c, const lesson_t *l)
{
	return conv_shape_opts_over(&c->common.shape, &l->shape);
}

/* Why lesson l is skipped at the shape given, or NULL (its groups). */
static char *
groups_skip(const vcli_t *c, const lesson_t *l)
{
	return conv_shape_opts_groups_skip(&c->common.shape, &l->shape);
}

/* ---- output helpers ---- */

static bool
use_utf8(const vcli_t *c)
{
	const char *cs = nl_langinfo(CODESET);

	return !c->ascii && cs != NULL && strcmp(cs, "UTF-8") == 0;
}

/* Lesson text (a title, a label) as printed: escaped (escape.h), and
 * folded to ASCII where the terminal is not UTF-8 or with --ascii, so
 * that ∂ · − reach an ASCII terminal as d * -. Malloc'd. */
static char *
shown(const vcli_t *c, const char *s)
{
	char *e = escape_visible_str(s, false), *a;

	if (use_utf8(c))
		return e;
	a = escape_ascii_fold(e);
	free(e);
	return a;
}

/* The claim's label, or its text's first line, with control characters
 * and invalid UTF-8 from the lesson escaped (escape.h). malloc'd. */
static char *
claim_title(const claim_t *c)
{
	const char *t = c->label != NULL ? c->label : c->text;
	char *line = xstrndup(t != NULL ? t : "", strcspn(t != NULL ? t : "", "\n"));
	char *safe = escape_visible_str(line, false);

	free(line);
	return safe;
}

static const char *
kind_name(claim_kind_t k)
{
	static const char *const names[] = {
		[CLAIM_IDENTITY] = "identity", [CLAIM_PARTIAL] = "partial",
		[CLAIM_CHAIN] = "chain", [CLAIM_KERNEL] = "kernel",
		[CLAIM_LET] = "let",
	};

	return names[k];
}

/* ---- one claim's outcome ---- */

/* Is this outcome ok for the run? An erratum that holds at an overridden
 * shape is ok unless --strict-errata. */
static bool
outcome_ok(const vcli_t *c, const verify_result_t *r)
{
	if (verdict_ok(r->verdict))
		return true;
	return r->verdict == VERDICT_NOT_REFUTED &&
	    conv_shape_opts_given(&c->common.shape) && !c->strict_errata;
}

static void
tally_claim(const vcli_t *c, tally_t *t, const verify_result_t *r, bool ok)
{
	t->claims++;
	if (r->verdict == VERDICT_HOLDS || r->verdict == VERDICT_DEFINED)
		t->hold++;
	else if (r->verdict == VERDICT_REFUTED)
		t->refuted++;
	else if (ok)
		t->unrefuted_here++;
	else
		t->failed++;
	(void)c;
}

/* Print s with every line indented, escaped as claim_title does. */
static void
print_indented(const char *s, int indent)
{
	const char *nl;

	while (s != NULL && *s != '\0') {
		size_t n;
		sbuf_t line;

		nl = strchr(s, '\n');
		n = nl ? (size_t)(nl - s) : strlen(s);
		sbuf_init(&line);
		escape_visible(&line, s, n, false);
		printf("%*s%s\n", indent, "", line.s != NULL ? line.s : "");
		sbuf_free(&line);
		s = nl ? nl + 1 : NULL;
	}
}

static void
text_cex(FILE *f, const claim_t *cl, const verify_result_t *r)
{
	char *s;

	if (!r->has_cex)
		return;
	s = verify_cex_str(cl, r);
	fprintf(f, "        counterexample: %s\n", *s ? s : "(no indices)");
	free(s);
	fprintf(f, "          formula  %.17g\n          numeric  %.17g\n",
	    r->cex_formula, r->cex_numeric);
	if (r->cex_finding != NULL)
		fprintf(f, "          finding  %s\n", r->cex_finding);
	else
		fprintf(f, "          |diff|   %.3g > tol %.3g + %.3g*|numeric|\n",
		    fabs(r->cex_numeric - r->cex_formula), r->tol_abs, r->tol_rel);
}

/* --shrink's line: the smallest failing shape found and the
 * counterexample there (sr NULL: none was searched). */
static void
text_shrunk(const claim_t *cl, const shrink_result_t *sr)
{
	char *s;

	if (sr == NULL)
		return;
	s = shrink_str(cl, sr);
	print_indented(s, 8);
	free(s);
	printf("          (%d shapes tried%s)\n", sr->tries, sr->exhausted ?
	    ", stopped at the limit" : sr->shrunk ? "" :
	    "; none smaller fails");
}

static void
text_claim(const vcli_t *c, const claim_t *cl, const verify_result_t *r,
    bool ok, const shrink_result_t *sr)
{
	bool u = use_utf8(c), bad = !ok || r->verdict == VERDICT_NOT_REFUTED;
	char *title = claim_title(cl);
	char *outcome;

	if (!u) {                       /* ∂ · − as d * - (shown) */
		char *a = escape_ascii_fold(title);

		free(title);
		title = a;
	}

	if (c->quiet && !bad) {
		free(title);
		return;
	}
	printf("    %s %s\n", ok ? (u ? "✓" : "ok  ") : (u ? "✗" : "FAIL"),
	    title);
	free(title);
	outcome = verify_outcome_text(cl, r, "*", ok);
	printf("        %s\n", outcome);
	free(outcome);
	if (!ok || r->verdict == VERDICT_REFUTED) {
		printf("        at %s:%d:\n", cl->file, cl->line);
		print_indented(cl->text, 10);
		if (!ok && cl->kind != CLAIM_LET)
			printf("        tolerance: %s\n", r->tol_why);
		text_cex(stdout, cl, r);
		text_shrunk(cl, sr);
	}
}

static void
tap_claim(tally_t *t, const claim_t *cl, const verify_result_t *r, bool ok,
    const shrink_result_t *sr)
{
	char *title = claim_title(cl), *s;

	printf("%s %d - %s:%d: %s # %s, %zu tuples%s, max error %.2g\n",
	    ok ? "ok" : "not ok", ++t->tap_n, cl->file, cl->line, title,
	    verdict_name(r->verdict), r->checked,
	    r->sampled ? " (sampled)" : "", r->max_abs);
	free(title);
	if (r->has_cex) {
		s = verify_cex_str(cl, r);
		printf("# counterexample: %s: formula %.17g, numeric %.17g%s%s\n",
		    s, r->cex_formula, r->cex_numeric,
		    r->cex_finding ? "; " : "",
		    r->cex_finding ? r->cex_finding : "");
		free(s);
	}
	if (sr != NULL) {
		s = shrink_str(cl, sr);
		printf("# %s (%d shapes tried)\n", s, sr->tries);
		free(s);
	}
}

static void
json_cex(const claim_t *cl, const verify_result_t *r)
{
	int k, n;

	if (!r->has_cex) {
		printf("null");
		return;
	}
	printf("{\"indices\":{");
	n = verify_point_count(cl);
	for (k = 0; k < n; k++) {
		printf("%s", k ? "," : "");
		json_str(stdout, verify_point_name(cl, k));
		printf(":%ld", r->cex[k]);
	}
	printf("},\"formula\":");
	json_num(stdout, r->cex_formula);
	printf(",\"numeric\":");
	json_num(stdout, r->cex_numeric);
	printf(",\"finding\":");
	json_str(stdout, r->cex_finding);
	printf("}");
}

/* ,"shrunk":{"shape":...,"tries":...,"exhausted":...,"text":...,
 * "counterexample":...} */
static void
json_shrunk(const claim_t *cl, const shrink_result_t *sr)
{
	char buf[256], *s;

	if (sr == NULL)
		return;
	printf(",\"shrunk\":{\"shape\":");
	json_str(stdout, conv_shape_str(&sr->shape, buf, sizeof buf));
	printf(",\"tries\":%d,\"exhausted\":%s,\"text\":", sr->tries,
	    sr->exhausted ? "true" : "false");
	s = shrink_str(cl, sr);
	json_str(stdout, s);
	free(s);
	printf(",\"counterexample\":");
	json_cex(cl, &sr->r);
	printf("}");
}

static void
json_claim(tally_t *t, const claim_t *cl, const verify_result_t *r, bool ok,
    const shrink_result_t *sr)
{
	printf("%s{\"line\":%d,\"kind\":\"%s\",\"label\":", t->first_claim ?
	    "" : ",", cl->line, kind_name(cl->kind));
	t->first_claim = false;
	json_str(stdout, cl->label);
	printf(",\"text\":");
	json_str(stdout, cl->text);
	printf(",\"expect_fail\":%s,\"verdict\":", cl->expect_fail ? "true" :
	    "false");
	json_str(stdout, verdict_name(r->verdict));
	printf(",\"ok\":%s,\"checked\":%zu,\"total\":%zu,\"sampled\":%s,"
	    "\"failures\":%zu,\"max_abs\":", ok ? "true" : "false", r->checked,
	    r->total, r->sampled ? "true" : "false", r->failures);
	json_num(stdout, r->max_abs);
	printf(",\"max_rel\":");
	json_num(stdout, r->max_rel);
	printf(",\"tol_abs\":");
	json_num(stdout, r->tol_abs);
	printf(",\"tol_rel\":");
	json_num(stdout, r->tol_rel);
	printf(",\"tol_why\":");
	json_str(stdout, r->tol_why);
	printf(",\"counterexample\":");
	json_cex(cl, r);
	json_shrunk(cl, sr);
	printf("}");
}

/* A claim that could not be checked at all (a let too large for memory,
 * a range that cannot be evaluated): a failure in the report, and a fault
 * of the lesson, so the message also goes to standard error and the run
 * exits 2. */
static void
report_error(const vcli_t *c, tally_t *t, const claim_t *cl, const char *msg)
{
	char *title = claim_title(cl);

	t->claims++;
	t->failed++;
	t->errors++;
	fprintf(stderr, PROG ": %s\n", msg);
	switch (c->format) {
	case FORMAT_TEXT:
		printf("    %s %s\n        cannot be checked: %s\n",
		    use_utf8(c) ? "✗" : "FAIL", title, msg);
		break;
	case FORMAT_TAP:
		printf("not ok %d - %s:%d: %s # cannot be checked\n# %s\n",
		    ++t->tap_n, cl->file, cl->line, title, msg);
		break;
	case FORMAT_JSON:
		printf("%s{\"line\":%d,\"kind\":\"%s\",\"text\":",
		    t->first_claim ? "" : ",", cl->line, kind_name(cl->kind));
		t->first_claim = false;
		json_str(stdout, cl->text);
		printf(",\"ok\":false,\"error\":");
		json_str(stdout, msg);
		printf("}");
		break;
	}
	free(title);
}

static void
report_claim(const vcli_t *c, tally_t *t, const claim_t *cl,
    const verify_result_t *r, const shrink_result_t *sr)
{
	bool ok = outcome_ok(c, r);

	tally_claim(c, t, r, ok);
	switch (c->format) {
	case FORMAT_TEXT:
		text_claim(c, cl, r, ok, sr);
		break;
	case FORMAT_TAP:
		tap_claim(t, cl, r, ok, sr);
		break;
	case FORMAT_JSON:
		json_claim(t, cl, r, ok, sr);
		break;
	}
}

/* ---- exercises ---- */

/* The exercise's prompt, its first 60 characters on one line, escaped. */
static char *
exercise_title(const lesson_exercise_t *ex)
{
	sbuf_t b;
	size_t n = strcspn(ex->prompt, "\n");
	char *safe;

	sbuf_init(&b);
	sbuf_addn(&b, ex->prompt, n > 60 ? 57 : n);
	if (n > 60)
		sbuf_add(&b, "...");
	safe = escape_visible_str(b.s != NULL ? b.s : "", false);
	sbuf_free(&b);
	return safe;
}

static const char *
exercise_verdict_name(const exercise_verdict_t *v)
{
	switch (v->outcome) {
	case EXERCISE_ACCEPTED:
		return "holds";
	case EXERCISE_CANCELLED:
		return "cancelled";
	default:
		return "fails";
	}
}

static void
text_exercise(const vcli_t *c, const lesson_exercise_t *ex,
    const exercise_verdict_t *v)
{
	bool u = use_utf8(c), ok = v->outcome == EXERCISE_ACCEPTED;
	char *title = exercise_title(ex);

	if (!c->quiet || !ok) {
		printf("    %s exercise: %s\n", ok ? (u ? "✓" : "ok  ") :
		    (u ? "✗" : "FAIL"), title);
		printf("        the answer %s\n", v->message);
	}
	if (!ok) {
		printf("        at %s:%d:\n", ex->answer_claim->file,
		    ex->answer_claim->line);
		print_indented(ex->answer, 10);
	}
	free(title);
}

static void
tap_exercise(tally_t *t, const lesson_exercise_t *ex,
    const exercise_verdict_t *v)
{
	char *title = exercise_title(ex);
	bool ok = v->outcome == EXERCISE_ACCEPTED;

	printf("%s %d - %s:%d: exercise: %s # answer %s", ok ? "ok" : "not ok",
	    ++t->tap_n, ex->answer_claim->file, ex->line, title,
	    exercise_verdict_name(v));
	if (ok)
		printf(" at %s\n", v->message + strlen("holds at "));
	else
		printf("\n# %s\n", v->message);
	free(title);
}

/* {"line":..,"answer_line":..,"prompt":..,"answer":..,"hints":[..],
 *  "verdict":..,"ok":..,"shapes":[..],"failed_shape":..,"message":..} */
static void
json_exercise(tally_t *t, const lesson_t *l, const conv_shape_t *base,
    const lesson_exercise_t *ex, const exercise_verdict_t *v)
{
	conv_shape_t sh[EXERCISE_NSHAPES];
	char buf[256];
	int k, n = exercise_shapes_at(l, base, sh);

	printf("%s{\"line\":%d,\"answer_line\":%d,\"prompt\":",
	    t->first_claim ? "" : ",", ex->line, ex->answer_claim->line);
	t->first_claim = false;
	json_str(stdout, ex->prompt);
	printf(",\"answer\":");
	json_str(stdout, ex->answer);
	printf(",\"hints\":[");
	for (k = 0; k < ex->nhints; k++) {
		printf("%s", k ? "," : "");
		json_str(stdout, ex->hints[k]);
	}
	printf("],\"verdict\":\"%s\",\"ok\":%s,\"shapes\":[",
	    exercise_verdict_name(v),
	    v->outcome == EXERCISE_ACCEPTED ? "true" : "false");
	for (k = 0; k < n; k++) {
		printf("%s", k ? "," : "");
		json_str(stdout, conv_shape_str(&sh[k], buf, sizeof buf));
	}
	printf("],\"failed_shape\":");
	json_str(stdout, v->outcome == EXERCISE_REFUSED && v->shape_index >= 0 ?
	    conv_shape_str(&v->shape, buf, sizeof buf) : NULL);
	printf(",\"message\":");
	json_str(stdout, v->message);
	printf("}");
}

/* Judge the hidden answer of each exercise of st as a student's claim, at
 * shape s (the lesson's, or the options') and the two judging shapes
 * around it. */
static void
verify_exercises(const vcli_t *c, tally_t *t, const lesson_t *l,
    const conv_shape_t *s, const lesson_step_t *st)
{
	exercise_verdict_t v;
	char *err = NULL;
	int k;

	if (c->format == FORMAT_JSON) {
		printf("],\"exercises\":[");
		t->first_claim = true;   /* report_error's comma too */
	}
	for (k = 0; k < st->nexercises; k++) {
		const lesson_exercise_t *ex = &st->exercises[k];

		if (exercise_judge_claim(l, s, ex->answer_claim,
		    ex->answer_claim, &c->o, &v, &err) != 0) {
			report_error(c, t, ex->answer_claim, err);
			free(err);
			err = NULL;
			continue;
		}
		t->exercises++;
		if (v.outcome == EXERCISE_ACCEPTED)
			t->answers_hold++;
		if (c->format == FORMAT_TEXT)
			text_exercise(c, ex, &v);
		else if (c->format == FORMAT_TAP)
			tap_exercise(t, ex, &v);
		else
			json_exercise(t, l, s, ex, &v);
		exercise_verdict_clear(&v);
	}
}

/* ---- lessons and steps ---- */

static void
begin_lesson(const vcli_t *c, tally_t *t, const lesson_t *l,
    const conv_shape_t *s, const char *skip)
{
	char buf[256];
	char *path = escape_visible_str(l->path, false);
	char *title = shown(c, l->title);

	conv_shape_str(s, buf, sizeof buf);
	switch (c->format) {
	case FORMAT_TEXT:
		printf("%s: %s\n  at %s%s%s\n", path, title, buf,
		    skip ? ": skipped, " : "", skip ? skip : "");
		break;
	case FORMAT_TAP:
		printf("# %s: %s (%s)\n", path, title, buf);
		if (skip != NULL)
			printf("ok %d - %s # SKIP %s\n", ++t->tap_n, l->path, skip);
		break;
	case FORMAT_JSON:
		printf("%s{\"path\":", t->first_lesson ? "" : ",");
		t->first_lesson = false;
		json_str(stdout, l->path);
		printf(",\"title\":");
		json_str(stdout, l->title);
		printf(",\"shape\":");
		json_str(stdout, buf);
		printf(",\"skipped\":");
		json_str(stdout, skip);
		printf(",\"steps\":[");
		t->first_step = true;
		break;
	}
	free(path);
	free(title);
}

static void
begin_step(const vcli_t *c, tally_t *t, const lesson_step_t *st)
{
	char *title = shown(c, st->title);

	switch (c->format) {
	case FORMAT_TEXT:
		if (!c->quiet)
			printf("  ## %s\n", title);
		break;
	case FORMAT_TAP:
		printf("# ## %s\n", title);
		break;
	case FORMAT_JSON:
		printf("%s{\"title\":", t->first_step ? "" : ",");
		t->first_step = false;
		json_str(stdout, st->title);
		printf(",\"line\":%d,\"claims\":[", st->line);
		t->first_claim = true;
		break;
	}
	free(title);
}

/* ---- progress ---- */

/* "\r  lessons/03-input.md:12: 1204224 of 2408448 tuples (50%)" on
 * standard error, a terminal; the verifier calls it about every
 * VERIFY_POLL_MS. */
static void
on_progress(void *ud, size_t done, size_t total)
{
	progress_t *p = ud;
	char *file;

	if (p->claim == NULL || total == 0)
		return;
	file = escape_visible_str(p->claim->file, false);
	fprintf(stderr, "\r\033[K  %s:%d: %zu of %zu tuples (%.0f%%)", file,
	    p->claim->line, done, total, 100.0 * (double)done / (double)total);
	fflush(stderr);
	p->shown = true;
	free(file);
}

/* Erase the progress line before the claim's report. */
static void
progress_done(const vcli_t *c)
{
	if (c->progress == NULL || !c->progress->shown)
		return;
	fprintf(stderr, "\r\033[K");
	fflush(stderr);
	c->progress->shown = false;
}

/* --shrink: search the smallest shape at which claim cl, which failed
 * (or an erratum refuted) at shape s, still fails. NULL when not asked,
 * not failing, or the search could not run (then a note on standard
 * error: the claim's own report stands). */
static shrink_result_t *
shrink_for(const vcli_t *c, const lesson_t *l, const conv_shape_t *s,
    const claim_t *cl, const verify_result_t *r, shrink_result_t *sr)
{
	char *err = NULL;

	if (!c->shrink || (r->verdict != VERDICT_FAILS &&
	    r->verdict != VERDICT_REFUTED))
		return NULL;
	if (shrink_claim(l, cl, s, &c->o, 0, sr, &err) == 0)
		return sr;
	if (err != NULL)
		fprintf(stderr, PROG ": %s:%d: --shrink: %s\n", cl->file,
		    cl->line, err);
	free(err);
	return NULL;
}

static void
verify_step(const vcli_t *c, tally_t *t, verify_ctx_t *vc,
    const lesson_t *l, const lesson_step_t *st)
{
	shrink_result_t srb, *sr;
	verify_result_t r;
	char *err = NULL;
	int i, rc;

	begin_step(c, t, st);
	for (i = 0; i < st->nclaims; i++) {
		if (c->progress != NULL)
			c->progress->claim = st->claims[i];
		rc = verify_claim(vc, st->claims[i], &r, &err);
		progress_done(c);
		if (rc != 0) {
			report_error(c, t, st->claims[i], err);
			free(err);
			err = NULL;
			continue;
		}
		sr = shrink_for(c, l, verify_ctx_shape(vc), st->claims[i], &r,
		    &srb);
		progress_done(c);
		report_claim(c, t, st->claims[i], &r, sr);
		if (sr != NULL)
			shrink_result_clear(sr);
		verify_result_clear(&r);
		if (c->format != FORMAT_JSON)
			fflush(stdout);   /* each claim as it is done */
	}
	verify_exercises(c, t, l, verify_ctx_shape(vc), st);
	if (c->format == FORMAT_JSON)
		printf("]}");
}

/* Verify one lesson. -1 when its shape is invalid (a usage error). */
static int
verify_lesson(const vcli_t *c, tally_t *t, const lesson_t *l)
{
	conv_shape_t s = shape_for(c, l);
	const char *why = NULL;
	verify_ctx_t *vc;
	char *err = NULL, *gskip = groups_skip(c, l);
	int i;

	if (gskip != NULL || !lesson_covers(l, &s, &why)) {
		t->skipped_lessons++;
		begin_lesson(c, t, l, &s, gskip != NULL ? gskip : why);
		if (c->format == FORMAT_JSON)
			printf("]}");
		free(gskip);
		return 0;
	}
	if ((vc = verify_ctx_create(&s, &c->o, &err)) == NULL) {
		fprintf(stderr, PROG ": %s: %s\n", l->path, err);
		free(err);
		return -1;
	}
	s = *verify_ctx_shape(vc);
	begin_lesson(c, t, l, &s, NULL);
	for (i = 0; i < l->nsteps; i++)
		verify_step(c, t, vc, l, &l->steps[i]);
	if (c->format == FORMAT_JSON)
		printf("]}");
	verify_ctx_free(vc);
	return 0;
}

/* Every claim ok and every exercise's answer accepted. */
static bool
run_ok(const tally_t *t)
{
	return t->failed == 0 && t->answers_hold == t->exercises;
}

/* "; 6 exercises: 6 answers hold" (nothing when there are none, so a
 * lesson without exercises reads as before). */
static void
summary_exercises(const tally_t *t)
{
	if (t->exercises == 0)
		return;
	printf("; %d exercise%s: %d answer%s", t->exercises,
	    t->exercises == 1 ? "" : "s", t->answers_hold,
	    t->answers_hold == 1 ? " holds" : "s hold");
	if (t->answers_hold < t->exercises)
		printf(", %d fail%s", t->exercises - t->answers_hold,
		    t->exercises - t->answers_hold == 1 ? "s" : "");
}

static void
summary(const vcli_t *c, const tally_t *t)
{
	char *tally = NULL;

	switch (c->format) {
	case FORMAT_TEXT:
		tally = verify_tally_str(t->claims, t->hold, t->refuted,
		    t->failed);
		printf("%s", tally);
		if (t->errors > 0)
			printf(" (%d could not be checked)", t->errors);
		if (t->unrefuted_here > 0)
			printf(", %d errat%s not refuted at this shape",
			    t->unrefuted_here, t->unrefuted_here == 1 ? "um" : "a");
		if (t->skipped_lessons > 0)
			printf(" (%d lesson%s skipped)", t->skipped_lessons,
			    t->skipped_lessons == 1 ? "" : "s");
		summary_exercises(t);
		printf("\n");
		break;
	case FORMAT_TAP:
		tally = verify_tally_str(t->claims, t->hold, t->refuted,
		    t->failed);
		printf("1..%d\n# %s", t->tap_n, tally);
		summary_exercises(t);
		printf("\n");
		break;
	case FORMAT_JSON:
		printf("],\"summary\":{\"claims\":%d,\"hold\":%d,\"refuted\":%d,"
		    "\"failed\":%d,\"unrefuted_here\":%d,\"skipped_lessons\":%d,"
		    "\"exercises\":%d,\"answers_hold\":%d},\"ok\":%s}\n",
		    t->claims, t->hold, t->refuted, t->failed, t->unrefuted_here,
		    t->skipped_lessons, t->exercises, t->answers_hold,
		    run_ok(t) ? "true" : "false");
		break;
	}
	free(tally);
}

/* ---- loading ---- */

/* Every lesson's shape is valid: checked before any output, so a bad
 * --shape is a clean usage error. A lesson that does not cover the shape
 * (padding, dilation) is checked too, before it is skipped: otherwise
 * --padding -1 or --dilation 0 would skip every lesson and exit 0. */
static int
check_shapes(const vcli_t *c, lesson_t **ls, int n)
{
	conv_shape_t s;
	char *err = NULL;
	int i;

	for (i = 0; i < n; i++) {
		char *gskip = groups_skip(c, ls[i]);

		s = shape_for(c, ls[i]);
		if (gskip != NULL)      /* the rest of the shape still checked */
			s.groups = 1;
		free(gskip);
		if (conv_shape_opts_validate(&c->common.shape, &s, &err) != 0) {
			fprintf(stderr, PROG ": %s: %s\n", ls[i]->path, err);
			free(err);
			return -1;
		}
	}
	return 0;
}

static int
run(const vcli_t *c, lesson_t **ls, int n)
{
	tally_t t = { .first_lesson = true };
	int i;

	if (check_shapes(c, ls, n) != 0)
		return 2;

	if (c->format == FORMAT_JSON) {
		printf("{\"seed\":%llu,\"eps\":", (unsigned long long)c->o.seed);
		json_num(stdout, c->o.fd.eps);
		printf(",\"lessons\":[");
	}
	for (i = 0; i < n; i++) {
		if (verify_lesson(c, &t, ls[i]) != 0)
			return 2;
		fflush(stdout);
	}
	summary(c, &t);
	if (t.errors > 0)
		return 2;
	return run_ok(&t) ? 0 : 1;
}

int
cmd_verify(int argc, char **argv)
{
	progress_t progress = { NULL, false };
	vcli_t c;
	char *err = NULL;
	lesson_t **ls = NULL;
	int n = 0, rc;

	memset(&c, 0, sizeof c);
	verify_opts_default(&c.o);
	if (isatty(STDERR_FILENO)) {
		c.progress = &progress;
		c.o.progress = on_progress;
		c.o.ud = &progress;
	}
	c.common.seed = &c.o.seed;
	c.common.fd = &c.o.fd;
	if (cli_parse_options(argc, argv, ":qhV", long_options, &c.common,
	    parse_option, &c, &err) != 0)
		return cli_usage_error(PROG, err);
	if (cli_help_or_version(&c.common, usage))
		return 0;
	if (cli_lessons_load(PROG, argv + optind, argc - optind, &ls, &n) != 0) {
		cli_lessons_free(ls, n);
		return 2;
	}
	rc = run(&c, ls, n);
	cli_lessons_free(ls, n);
	return rc;
}
