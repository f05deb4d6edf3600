/*
 * gradcheck-report.c: the reports of a gradcheck run (see
 * gradcheck-report.h), built only from gradcheck.h's accessors.
 *
 *   text  a table for people: one row per quantity, the tolerances'
 *         formulas with their terms, what a sample may miss, and each
 *         failure's first entry with every index named;
 *   json  one object: the shape, the options, the cost, one object per
 *         quantity (numbers that read back exactly; NaN as null);
 *   tap   a plan and one test point per quantity, details as comments.
 */
#include "gradcheck-report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* "weight[c_out=0, c_in=1, di=2, dj=0]" into buf. */
static char *
idx_str(char *buf, size_t len, const char *name, const char *const *names,
    int n, const long *idx)
{
	size_t used;
	int i;

	used = (size_t)snprintf(buf, len, "%s[", name);
	for (i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s=%ld",
		    i ? ", " : "", names[i], idx[i]);
	if (used < len)
		snprintf(buf + used, len - used, "]");
	return buf;
}

/* The first failing entry, named index by index. */
static char *
fail_where(const gradcheck_item_t *it, char *buf, size_t len)
{
	char a[128], b[128], dname[16];
	const char *const *names;
	int n;

	names = gradcheck_wrt_names(it->wrt, &n);
	if (it->kind == GRADCHECK_AGREE)
		return idx_str(buf, len, "output", gradcheck_output_names, 4,
		    it->out_idx);
	if (it->kind == GRADCHECK_GRADIENT) {
		snprintf(dname, sizeof(dname), "d%s", conv_wrt_name(it->wrt));
		return idx_str(buf, len, dname, names, n, it->wrt_idx);
	}
	idx_str(a, sizeof(a), "output", gradcheck_output_names, 4, it->out_idx);
	idx_str(b, sizeof(b), conv_wrt_name(it->wrt), names, n, it->wrt_idx);
	snprintf(buf, len, "d %s / d %s", a, b);
	return buf;
}

/* What got and want are, for people. */
static void
value_names(const gradcheck_item_t *it, const char **got, const char **want)
{
	if (it->kind != GRADCHECK_AGREE) {
		*got = "backward kernel";
		*want = "finite difference";
	} else if (strcmp(it->form, "element") == 0) {
		*got = "NHWC forward";
		*want = "NCHW forward";
	} else {
		*got = "matrix forward";
		*want = "element forward";
	}
}

static const char *
method_name(const gradcheck_opts_t *o)
{
	return o->fd.method == FD_CENTRAL ? "central" : "forward";
}

static void
header_text(FILE *f, const gradcheck_t *g)
{
	const gradcheck_opts_t *o = gradcheck_opts(g);
	const conv_shape_t *s = gradcheck_shape(g);
	char buf[256];
	char *cost = gradcheck_cost_str(gradcheck_cost(g));

	fprintf(f, "convgrad gradcheck: %s -> H_out=%ld W_out=%ld\n",
	    conv_shape_str(s, buf, sizeof(buf)), s->H_out, s->W_out);
	fprintf(f, "seed %llu, %s differences with h = %g, ",
	    (unsigned long long)o->seed, method_name(o), o->fd.eps);
	if (o->sample)
		fprintf(f, "%zu random entries of each quantity\n", o->sample);
	else if (o->budget > 0)
		fprintf(f, "random whole groups of entries for %g s per form\n",
		    o->budget);
	else
		fprintf(f, "every entry of every quantity\n");
	fprintf(f, "cost: %s\n\n", cost);
	free(cost);
}

static void
legend_text(FILE *f, const gradcheck_t *g)
{
	const gradcheck_opts_t *o = gradcheck_opts(g);
	gradcheck_tol_terms_t t = gradcheck_tol_terms(g);

	fprintf(f, "\nTolerances are rounding bounds: conv2d is linear in input, "
	    "weight and bias,\nso finite differences have no truncation error. "
	    "u = 2^-53, c = %g (%s),\nn = C_in*R*S = %g terms per output, "
	    "A = max over outputs of |bias| + sum |input*weight| = %.3g,\n"
	    "D = max over outputs of |df| times that sum = %.3g, h = %g, "
	    "safety factor 4:\n", t.c, method_name(o), t.n, t.A, t.D,
	    o->fd.eps);
	fprintf(f, "  d output/d X  4 c (n+2) u A / h\n"
	    "  dX            4 (c (n+2) u K D / h + 2 (K+1) u K max|df| "
	    "max|d output/d X|),\n"
	    "                K = outputs one entry of X feeds (C_out*R*S for "
	    "input, N*H_out*W_out else)\n"
	    "  forward       4 * 2 (n+2) u A (one sum in two orders)\n");
}

static void
sample_text(FILE *f, const gradcheck_t *g)
{
	size_t i, n = gradcheck_count(g);
	char miss[32];

	if (gradcheck_opts(g)->sample == 0)
		return;
	fprintf(f, "\nSampled: a single bad entry is missed with probability "
	    "1 - K/total:\n");
	for (i = 0; i < n && i < 6; i++) {
		const gradcheck_item_t *it = gradcheck_item(g, i);

		if (it->kind != GRADCHECK_AGREE)
			fprintf(f, "  %-18s %zu of %zu: %s\n", it->quantity,
			    it->checked, it->total, gradcheck_miss_str(
			    (double)it->checked, (double)it->total, miss,
			    sizeof(miss)));
	}
}

/* What "every entry" means in the compressed engine, and what may escape
 * (gradcheck-engine.c's top comment has the reasoning). */
static void
engine_text(FILE *f, const gradcheck_t *g)
{
	const gradcheck_opts_t *o = gradcheck_opts(g);

	if (o->sample > 0 || o->engine != GRADCHECK_ENGINE_COMPRESSED)
		return;
	fprintf(f, "\nEvery entry: column groups (entries whose output sets are "
	    "disjoint) move each\nby its own random step in [h, 2h) and are "
	    "read from one pair of forwards;\nrow groups (outputs whose input "
	    "sets are disjoint) from one backward with df\na sum of one-hot "
	    "rows times random powers of two. Entries a window predicts\nare "
	    "compared one by one; every other entry exactly: outputs outside a "
	    "column\ngroup's windows must not change at all, backward entries "
	    "outside a row\ngroup's inputs must be exactly 0. A group that "
	    "shows anything is redone one\nentry at a time. A single wrong "
	    "entry cannot escape; several escape only by\ncancelling exactly "
	    "within one group: numerically under 2^-40 (52 random bits\nper "
	    "step), analytically at most 1/32 per row group (the powers of "
	    "two).\nd output/d weight's rows come from the same backward run "
	    "on a crop of the layer\naround each output's window (the same N, "
	    "channels, taps, strides, dilation and\npadding there), d output/d "
	    "bias's from the whole layer; dweight, dinput and\ndbias for the "
	    "random df always run on the whole layer.\n");
	if (o->budget > 0)
		fprintf(f, "Under the budget an entry counts as compared when its "
		    "row ran before its\ncolumn (rows run first), so a Jacobian's "
		    "share is the fraction of its rows\nread times the fraction of "
		    "its columns; the groups are planned so that the\nsmallest of "
		    "the three shares is as large as the time allows.\n");
}

/* Time per form, against the estimate; a budget's shares. */
static void
timing_text(FILE *f, const gradcheck_t *g)
{
	size_t i, n = gradcheck_timing_count(g);

	if (n == 0)
		return;
	fprintf(f, "\nTime:\n");
	for (i = 0; i < n; i++) {
		const gradcheck_timing_t *t = gradcheck_timing(g, i);

		fprintf(f, "  %-18s %.3f s (estimated %.3g s), %.0f forward and "
		    "%.0f backward passes%s\n", t->form, t->seconds, t->estimate,
		    t->forward_calls, t->backward_calls, t->every_entry ? "" :
		    "; budget spent before every group ran");
	}
	if (gradcheck_opts(g)->budget <= 0)
		return;
	fprintf(f, "Budget %g s per form: share of each quantity compared:\n",
	    gradcheck_opts(g)->budget);
	for (i = 0; i < gradcheck_count(g); i++) {
		const gradcheck_item_t *it = gradcheck_item(g, i);

		if (it->kind != GRADCHECK_AGREE)
			fprintf(f, "  %-18s %-20s %6.2f%% (%zu of %zu)\n", it->form,
			    it->quantity, it->total ? 100.0 * (double)it->checked /
			    (double)it->total : 0, it->checked, it->total);
	}
}

static void
failure_text(FILE *f, const gradcheck_item_t *it)
{
	char where[320];
	const char *got, *want;

	value_names(it, &got, &want);
	fprintf(f, "\nFAIL %s %s: %zu of %zu entries over the tolerance; the "
	    "first:\n    %s\n    %s %.10g, %s %.10g (|diff| %.3g, tol %.3g)\n",
	    it->form, it->quantity, it->failures, it->checked,
	    fail_where(it, where, sizeof(where)), got, it->got, want, it->want,
	    fabs(it->got - it->want), it->tol);
}

void
gradcheck_report_text(FILE *f, const gradcheck_t *g)
{
	size_t i, n = gradcheck_count(g), failed = 0;

	header_text(f, g);
	fprintf(f, "%-18s %-20s %9s %9s %9s %9s  %s\n", "form", "quantity",
	    "checked", "max abs", "max rel", "tol", "result");
	for (i = 0; i < n; i++) {
		const gradcheck_item_t *it = gradcheck_item(g, i);

		fprintf(f, "%-18s %-20s %9zu %9.2g %9.2g %9.2g  %s\n", it->form,
		    it->quantity, it->checked, it->max_abs, it->max_rel, it->tol,
		    it->pass ? "PASS" : "FAIL");
		failed += !it->pass;
	}
	legend_text(f, g);
	engine_text(f, g);
	sample_text(f, g);
	timing_text(f, g);
	for (i = 0; i < n; i++) {
		if (!gradcheck_item(g, i)->pass)
			failure_text(f, gradcheck_item(g, i));
	}
	if (failed == 0)
		fprintf(f, "\n%zu checks: all passed\n", n);
	else
		fprintf(f, "\n%zu of %zu checks FAILED\n", failed, n);
}

static void
json_index(FILE *f, const char *key, const char *const *names, int n,
    const long *idx)
{
	int i;

	fprintf(f, "\"%s\": {", key);
	for (i = 0; i < n; i++)
		fprintf(f, "%s\"%s\": %ld", i ? ", " : "", names[i], idx[i]);
	fputs("}", f);
}

static void
json_failure(FILE *f, const gradcheck_item_t *it)
{
	const char *const *names;
	int n;

	names = gradcheck_wrt_names(it->wrt, &n);
	fputs(", \"first_failure\": {", f);
	if (it->fail_has_out)
		json_index(f, "output", gradcheck_output_names, 4, it->out_idx);
	if (it->fail_has_wrt) {
		fputs(it->fail_has_out ? ", " : "", f);
		json_index(f, conv_wrt_name(it->wrt), names, n, it->wrt_idx);
	}
	fputs(", \"got\": ", f);
	json_num(f, it->got);
	fputs(", \"want\": ", f);
	json_num(f, it->want);
	fputs("}", f);
}

static void
json_item(FILE *f, const gradcheck_item_t *it)
{
	static const char *const kinds[] = { "jacobian", "gradient", "agree" };

	fputs("    {\"form\": ", f);
	json_str(f, it->form);
	fputs(", \"quantity\": ", f);
	json_str(f, it->quantity);
	fprintf(f, ", \"kind\": \"%s\", \"checked\": %zu, \"total\": %zu, "
	    "\"failures\": %zu, \"max_abs\": ", kinds[it->kind], it->checked,
	    it->total, it->failures);
	json_num(f, it->max_abs);
	fputs(", \"max_rel\": ", f);
	json_num(f, it->max_rel);
	fputs(", \"tol\": ", f);
	json_num(f, it->tol);
	fputs(", \"tol_why\": ", f);
	json_str(f, it->tol_why);
	fprintf(f, ", \"pass\": %s", it->pass ? "true" : "false");
	if (it->failures > 0)
		json_failure(f, it);
	fputs("}", f);
}

static void
json_header(FILE *f, const gradcheck_t *g)
{
	const gradcheck_opts_t *o = gradcheck_opts(g);
	const gradcheck_cost_t *c = gradcheck_cost(g);
	const conv_shape_t *s = gradcheck_shape(g);
	static const char *const keys[] = { "N", "C_in", "H_in", "W_in",
	    "C_out", "R", "S", "strh", "strw", "pad_h", "pad_w", "dil_h",
	    "dil_w", "H_out", "W_out" };
	size_t i;
	long v;

	fputs("{\n  \"shape\": {", f);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i], "H_out") == 0)
			v = s->H_out;
		else if (strcmp(keys[i], "W_out") == 0)
			v = s->W_out;
		else if (conv_shape_get(s, keys[i], &v) != 0)
			continue;
		fprintf(f, "%s\"%s\": %ld", i ? ", " : "", keys[i], v);
	}
	fprintf(f, "},\n  \"seed\": %llu, \"method\": \"%s\", \"eps\": ",
	    (unsigned long long)o->seed, method_name(o));
	json_num(f, o->fd.eps);
	fprintf(f, ", \"sample\": %zu,\n  \"cost\": {\"forms\": %d, "
	    "\"forward_evals\": %.0f, \"backward_evals\": %.0f, "
	    "\"multiply_adds\": %.0f, \"jacobian_bytes\": %.0f},\n",
	    o->sample, c->forms, c->forward_evals, c->backward_evals, c->work,
	    c->jacobian_bytes);
}

void
gradcheck_report_json(FILE *f, const gradcheck_t *g)
{
	size_t i, n = gradcheck_count(g), failed = 0;

	json_header(f, g);
	fputs("  \"checks\": [\n", f);
	for (i = 0; i < n; i++) {
		json_item(f, gradcheck_item(g, i));
		fputs(i + 1 < n ? ",\n" : "\n", f);
		failed += !gradcheck_item(g, i)->pass;
	}
	fputs("  ],\n  \"timings\": [", f);
	for (i = 0; i < gradcheck_timing_count(g); i++) {
		const gradcheck_timing_t *t = gradcheck_timing(g, i);

		fputs(i ? ", " : "", f);
		fputs("{\"form\": ", f);
		json_str(f, t->form);
		fputs(", \"seconds\": ", f);
		json_num(f, t->seconds);
		fputs(", \"estimate\": ", f);
		json_num(f, t->estimate);
		fprintf(f, ", \"forward_calls\": %.0f, \"backward_calls\": %.0f, "
		    "\"every_entry\": %s}", t->forward_calls, t->backward_calls,
		    t->every_entry ? "true" : "false");
	}
	fprintf(f, "],\n  \"passed\": %zu, \"failed\": %zu, \"pass\": %s\n}\n",
	    n - failed, failed, failed == 0 ? "true" : "false");
}

void
gradcheck_report_tap(FILE *f, const gradcheck_t *g)
{
	size_t i, n = gradcheck_count(g);
	char where[320];

	fprintf(f, "1..%zu\n", n);
	for (i = 0; i < n; i++) {
		const gradcheck_item_t *it = gradcheck_item(g, i);
		const char *got, *want;

		fprintf(f, "%sok %zu - %s %s: %zu of %zu entries, max abs %.3g, "
		    "tol %.3g\n", it->pass ? "" : "not ", i + 1, it->form,
		    it->quantity, it->checked, it->total, it->max_abs, it->tol);
		fprintf(f, "# tol %s\n", it->tol_why);
		if (it->failures == 0)
			continue;
		value_names(it, &got, &want);
		fprintf(f, "# %zu entries over the tolerance; the first: %s\n"
		    "# %s %.10g, %s %.10g\n", it->failures,
		    fail_where(it, where, sizeof(where)), got, it->got, want,
		    it->want);
	}
}
