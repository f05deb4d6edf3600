/*
 * rcheck.c: entry-by-entry comparison of a result with the truth, where
 * its wrong entries lie, and the reports (see rcheck.h).
 *
 * The rounding bound (rcheck_gamma). Every entry of a conv2d result is a
 * sum of at most K products (K = C_in/groups*R*S + 1 for an output, with
 * the bias; C_out/groups*R*S for dinput; N*H_out*W_out for dweight and
 * dbias). Computed in any order in a precision of unit roundoff u (2^-24
 * for float32, 2^-53 for float64), with or without fused multiply-adds,
 * such a sum is within gamma_K = K u / (1 - K u) times the sum of the
 * |terms| of its exact value (Higham, Accuracy and Stability of Numerical
 * Algorithms, 2nd ed., section 3.1); that covers the rounding of the
 * result to its own precision. The truth, in float64, carries its own
 * gamma_K(2^-53). An entry's tolerance is twice the sum of both, times its
 * sum of |terms| (the same kernel run on absolute values): a right result
 * computed in float32 or float64 cannot fail it, whatever its summation
 * order, and an error larger than it is a real one.
 */
#include "rcheck.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"

#define GRID_ROWS 16
#define GRID_COLS 48

double
rcheck_gamma(double K, double u)
{
	double u64 = DBL_EPSILON / 2, g = (K + 1) * u, g64 = (K + 1) * u64;

	assert(g < 0.5);
	return 2 * (g / (1 - g) + g64 / (1 - g64));
}

rcheck_report_t *
rcheck_report_create(const char *title, const char *truth)
{
	rcheck_report_t *r = xcalloc(1, sizeof(*r));

	r->title = xstrdup(title);
	r->truth = xstrdup(truth);
	return r;
}

void
rcheck_report_free(rcheck_report_t *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->items[i].context);
		free(r->items[i].tol_why);
		free(r->items[i].where);
		free(r->items[i].grid);
	}
	for (i = 0; i < r->nfaults; i++)
		free(r->faults[i]);
	free(r->faults);
	free(r->smallest);
	free(r->items);
	free(r->title);
	free(r->truth);
	free(r);
}

size_t
rcheck_failed(const rcheck_report_t *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		n += !r->items[i].pass;
	return n + r->nfaults;
}

void
rcheck_add_fault(rcheck_report_t *r, const char *msg)
{
	r->faults = xreallocarray(r->faults, r->nfaults + 1, sizeof(char *));
	r->faults[r->nfaults++] = xstrdup(msg);
}

/* Unravel flat offset off of dims into idx. */
static void
unravel(const rcheck_item_t *it, size_t off, long *idx)
{
	int k;

	for (k = it->ndim - 1; k >= 0; k--) {
		idx[k] = (long)(off % it->dims[k]);
		off /= it->dims[k];
	}
}

char *
rcheck_index_str(const rcheck_item_t *it, const rcheck_entry_t *e, char *buf,
    size_t len)
{
	size_t n = 0;
	int k;

	n += (size_t)snprintf(buf, len, "(");
	for (k = 0; k < it->ndim && n < len; k++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s=%ld", k ? ", " : "",
		    it->names[k], e->index[k]);
	if (n < len)
		snprintf(buf + n, len - n, ")");
	return buf;
}

/* The size an index runs to, as the source names it ("R" for di). */
static const char *
dim_name(const char *index)
{
	static const char *const map[][2] = { { "b", "N" }, { "c_in", "C_in" },
	    { "c_out", "C_out" }, { "h_in", "H_in" }, { "w_in", "W_in" },
	    { "h_out", "H_out" }, { "w_out", "W_out" }, { "di", "R" },
	    { "dj", "S" } };
	size_t k;

	for (k = 0; k < sizeof(map) / sizeof(map[0]); k++)
		if (strcmp(map[k][0], index) == 0)
			return map[k][1];
	return "n";
}

/* One line on index k: how the wrong entries spread along it, or nothing
 * if they spread over every value. */
static void
where_index(sbuf_t *b, const rcheck_item_t *it, int k, const size_t *count)
{
	size_t n = it->dims[k], v, lo = n, hi = 0, nv = 0, shown = 0;
	const char *nm = it->names[k];

	for (v = 0; v < n; v++)
		if (count[v] > 0) {
			lo = v < lo ? v : lo;
			hi = v;
			nv++;
		}
	if (n < 2 || nv == n)
		return;
	if (nv == 1) {
		sbuf_addf(b, "  all %zu wrong entries have %s = %zu", it->wrong, nm,
		    lo);
		if (lo == n - 1)
			sbuf_addf(b, " (%s-1)", dim_name(nm));
		sbuf_add(b, "\n");
	} else if (hi - lo + 1 == nv && hi == n - 1) {
		sbuf_addf(b, "  only %s >= %zu\n", nm, lo);
	} else if (hi - lo + 1 == nv && lo == 0) {
		sbuf_addf(b, "  only %s <= %zu\n", nm, hi);
	} else if (hi - lo + 1 == nv) {
		sbuf_addf(b, "  only %s in %zu..%zu\n", nm, lo, hi);
	} else {
		sbuf_addf(b, "  only some %s:", nm);
		for (v = 0; v < n && shown < 12; v++)
			if (count[v] > 0) {
				sbuf_addf(b, " %zu (%zu)", v, count[v]);
				shown++;
			}
		sbuf_add(b, nv > shown ? " ...\n" : "\n");
	}
}

/* Does output position (ho, wo) read the padding? */
static bool
window_in_padding(const conv_shape_t *s, long ho, long wo)
{
	long h0 = s->strh * ho - s->pad_h, w0 = s->strw * wo - s->pad_w;

	return h0 < 0 || w0 < 0 || h0 + s->dil_h * (s->R - 1) >= s->H_in ||
	    w0 + s->dil_w * (s->S - 1) >= s->W_in;
}

/* Is input pixel (hi, wi) within the padding's width of the border? */
static bool
input_in_border(const conv_shape_t *s, long hi, long wi)
{
	return hi < s->pad_h || hi >= s->H_in - s->pad_h || wi < s->pad_w ||
	    wi >= s->W_in - s->pad_w;
}

/* When every wrong entry is at the border: for an output-indexed quantity
 * "only where the window reaches into the padded border", for an
 * input-indexed one "only where h_in or w_in is in the padded border"
 * (within the padding's width of the edge). */
static void
where_padding(sbuf_t *b, const rcheck_item_t *it, const rcheck_input_t *in,
    const bool *bad)
{
	size_t i, n = 1, border = 0;
	long idx[RCHECK_MAX_DIMS];
	bool out, inp;
	int k;

	if (in->s == NULL || it->ndim != 4 ||
	    (in->s->pad_h == 0 && in->s->pad_w == 0))
		return;
	out = strcmp(it->names[2], "h_out") == 0;
	inp = strcmp(it->names[2], "h_in") == 0;
	if (!out && !inp)
		return;
	for (k = 0; k < it->ndim; k++)
		n *= it->dims[k];
	for (i = 0; i < n; i++) {
		if (!bad[i])
			continue;
		unravel(it, i, idx);
		if (out ? !window_in_padding(in->s, idx[2], idx[3]) :
		    !input_in_border(in->s, idx[2], idx[3]))
			return;
		border++;
	}
	sbuf_addf(b, "  only where %s (all %zu wrong entries)\n", out ?
	    "the window reaches into the padded border" :
	    "h_in or w_in is in the padded border (within the padding's "
	    "width of the edge)", border);
}

static void
make_where(rcheck_item_t *it, const rcheck_input_t *in, const bool *bad,
    size_t n)
{
	sbuf_t b;
	size_t *count, i;
	long idx[RCHECK_MAX_DIMS];
	int k;

	sbuf_init(&b);
	for (k = 0; k < it->ndim; k++) {
		count = xcalloc(it->dims[k], sizeof(*count));
		for (i = 0; i < n; i++)
			if (bad[i]) {
				unravel(it, i, idx);
				count[idx[k]]++;
			}
		where_index(&b, it, k, count);
		free(count);
	}
	where_padding(&b, it, in, bad);
	if (b.len == 0)
		sbuf_add(&b, "  spread over every index\n");
	it->where = sbuf_take(&b);
}

/* The slice through the worst entry over the last two indices (one row for
 * a vector): 'X' wrong, '.' right, '?' not checked. */
static void
make_grid(rcheck_item_t *it, const bool *bad, const unsigned char *checked)
{
	int nd = it->ndim, k;
	size_t rows = nd >= 2 ? it->dims[nd - 2] : 1, cols = it->dims[nd - 1];
	size_t r, c, base = 0, stride_r = cols;
	sbuf_t b;

	for (k = 0; k < nd - 2; k++)
		base = (base + (size_t)it->worst.index[k]) * it->dims[k + 1];
	if (nd >= 2)
		base *= it->dims[nd - 1];
	sbuf_init(&b);
	sbuf_addf(&b, "  %s[", it->name);
	for (k = 0; k < nd; k++)
		if (k < nd - 2)
			sbuf_addf(&b, "%s=%ld, ", it->names[k], it->worst.index[k]);
		else
			sbuf_addf(&b, "%s%s", it->names[k], k < nd - 1 ? ", " : "");
	sbuf_addf(&b, "]: X wrong, . right\n");
	if (nd >= 2)
		sbuf_addf(&b, "    (rows %s, columns %s)\n", it->names[nd - 2],
		    it->names[nd - 1]);
	for (r = 0; r < rows && r < GRID_ROWS; r++) {
		sbuf_add(&b, "    ");
		for (c = 0; c < cols && c < GRID_COLS; c++) {
			size_t i = base + r * stride_r + c;

			sbuf_add(&b, checked != NULL && !checked[i] ? "?" :
			    bad[i] ? "X" : ".");
		}
		sbuf_add(&b, cols > GRID_COLS ? " ...\n" : "\n");
	}
	if (rows > GRID_ROWS)
		sbuf_add(&b, "    ...\n");
	it->grid = sbuf_take(&b);
}

static rcheck_item_t *
new_item(rcheck_report_t *r, const rcheck_input_t *in)
{
	rcheck_item_t *it;
	int k;

	assert(in->ndim >= 1 && in->ndim <= RCHECK_MAX_DIMS);
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 8;
		r->items = xreallocarray(r->items, r->cap, sizeof(*r->items));
	}
	it = &r->items[r->n++];
	memset(it, 0, sizeof(*it));
	snprintf(it->name, sizeof(it->name), "%s", in->name);
	it->context = xstrdup(in->context != NULL ? in->context : "");
	it->tol_why = xstrdup(in->tol_why != NULL ? in->tol_why : "");
	it->ndim = in->ndim;
	for (k = 0; k < in->ndim; k++) {
		it->names[k] = in->names[k];
		it->dims[k] = in->dims[k];
	}
	return it;
}

/* Entry i is wrong: keep it as the first and, if worse, as the worst. */
static void
note_wrong(rcheck_item_t *it, size_t i, double err, double *worst_err,
    const rcheck_input_t *in)
{
	rcheck_entry_t e;

	double bad = isfinite(err) ? err : INFINITY;   /* NaN: the worst */

	unravel(it, i, e.index);
	e.got = in->got[i];
	e.want = in->want[i];
	if (it->wrong++ == 0) {
		it->first = it->worst = e;
		*worst_err = bad;
	} else if (bad > *worst_err) {
		it->worst = e;
		*worst_err = bad;
	}
}

rcheck_item_t *
rcheck_compare(rcheck_report_t *r, const rcheck_input_t *in)
{
	rcheck_item_t *it = new_item(r, in);
	size_t n = 1, i;
	double worst_err = 0;
	bool *bad;
	int k;

	for (k = 0; k < in->ndim; k++)
		n *= in->dims[k];
	bad = xcalloc(n ? n : 1, sizeof(*bad));
	for (i = 0; i < n; i++) {
		double d;

		if (in->checked != NULL && !in->checked[i])
			continue;
		it->checked++;
		d = fabs(in->got[i] - in->want[i]);
		it->tol = fmax(it->tol, in->tol[i]);
		if (!isfinite(in->got[i]) || !isfinite(d))
			it->max_abs = it->max_rel = NAN;
		else if (!isnan(it->max_abs)) {
			it->max_abs = fmax(it->max_abs, d);
			if (in->want[i] != 0)
				it->max_rel = fmax(it->max_rel, d / fabs(in->want[i]));
		}
		if (!(d <= in->tol[i])) {
			bad[i] = true;
			note_wrong(it, i, d, &worst_err, in);
		}
	}
	it->pass = it->wrong == 0 && it->checked > 0;
	if (it->wrong > 0) {
		make_where(it, in, bad, n);
		make_grid(it, bad, in->checked);
	}
	free(bad);
	return it;
}

rcheck_item_t *
rcheck_add_summary(rcheck_report_t *r, const rcheck_input_t *in,
    size_t checked, size_t wrong, double max_abs, double max_rel, double tol,
    const rcheck_entry_t *first)
{
	rcheck_item_t *it = new_item(r, in);

	it->checked = checked;
	it->wrong = wrong;
	it->max_abs = max_abs;
	it->max_rel = max_rel;
	it->tol = tol;
	it->pass = wrong == 0 && checked > 0 && !isnan(max_abs);
	if (wrong > 0 && first != NULL)
		it->first = it->worst = *first;
	return it;
}

/* ---- writers ---- */

static void
text_entry(FILE *f, const char *label, const rcheck_item_t *it,
    const rcheck_entry_t *e)
{
	char buf[256];

	fprintf(f, "  %s wrong entry %s: got %.17g, want %.17g (off by %.3g)\n",
	    label, rcheck_index_str(it, e, buf, sizeof(buf)), e->got, e->want,
	    fabs(e->got - e->want));
}

static void
text_item(FILE *f, const rcheck_item_t *it)
{
	fprintf(f, "%s %s%s%s: %zu checked, %zu wrong\n", it->pass ? "PASS" :
	    "FAIL", it->name, it->context[0] ? " " : "", it->context,
	    it->checked, it->wrong);
	fprintf(f, "  largest error %.3g abs, %.3g rel; tolerance up to %.3g\n",
	    it->max_abs, it->max_rel, it->tol);
	if (it->tol_why[0])
		fprintf(f, "  tolerance: %s\n", it->tol_why);
	if (it->checked == 0)
		fprintf(f, "  nothing was checked\n");
	if (it->wrong == 0)
		return;
	text_entry(f, "first", it, &it->first);
	if (it->where == NULL)
		return;
	text_entry(f, "worst", it, &it->worst);
	fprintf(f, "  where:\n%s%s", it->where, it->grid);
	if (!it->diagnosed)
		return;
	if (it->diagnosis == NULL)
		fprintf(f, "  diagnosis: matches no known mistake\n");
	else
		fprintf(f, "  diagnosis: %s: %s%s%s%s\n  the right formula: %s\n",
		    it->diagnosis->name, it->diagnosis->mistake,
		    it->diagnosis->when ? " (shown when " : "",
		    it->diagnosis->when ? it->diagnosis->when : "",
		    it->diagnosis->when ? ")" : "", it->diagnosis->lesson);
}

void
rcheck_print_text(FILE *f, const rcheck_report_t *r)
{
	size_t i, failed = rcheck_failed(r);

	fprintf(f, "%s\ntruth: %s\n\n", r->title, r->truth);
	for (i = 0; i < r->n; i++)
		text_item(f, &r->items[i]);
	for (i = 0; i < r->nfaults; i++)
		fprintf(f, "FAIL %s\n", r->faults[i]);
	if (r->smallest != NULL)
		fprintf(f, "smallest: fails already at %s\n", r->smallest);
	fprintf(f, "\n%s: %zu of %zu quantities failed", failed ? "FAIL" :
	    "PASS", failed - r->nfaults, r->n);
	if (r->nfaults > 0)
		fprintf(f, "; %zu plugin fault%s", r->nfaults,
		    r->nfaults == 1 ? "" : "s");
	fputs("\n", f);
}

static void
json_entry(FILE *f, const rcheck_item_t *it, const rcheck_entry_t *e)
{
	int k;

	if (it->wrong == 0) {
		fputs("null", f);
		return;
	}
	fputs("{\"index\": [", f);
	for (k = 0; k < it->ndim; k++)
		fprintf(f, "%s%ld", k ? ", " : "", e->index[k]);
	fputs("], \"got\": ", f);
	json_num(f, e->got);
	fputs(", \"want\": ", f);
	json_num(f, e->want);
	fputs("}", f);
}

static void
json_item(FILE *f, const rcheck_item_t *it)
{
	fputs("    {\"name\": ", f);
	json_str(f, it->name);
	fprintf(f, ", \"checked\": %zu, \"wrong\": %zu, \"max_abs\": ",
	    it->checked, it->wrong);
	json_num(f, it->max_abs);
	fputs(", \"max_rel\": ", f);
	json_num(f, it->max_rel);
	fputs(", \"tol\": ", f);
	json_num(f, it->tol);
	fprintf(f, ", \"result\": \"%s\", \"first\": ", it->pass ? "pass" :
	    "fail");
	json_entry(f, it, &it->first);
	fputs(", \"worst\": ", f);
	json_entry(f, it, &it->worst);
	fputs(", \"diagnosis\": ", f);
	json_str(f, it->diagnosis ? it->diagnosis->name : NULL);
	fputs("}", f);
}

void
rcheck_print_json(FILE *f, const rcheck_report_t *r)
{
	size_t i;

	fputs("{\"title\": ", f);
	json_str(f, r->title);
	fputs(", \"truth\": ", f);
	json_str(f, r->truth);
	fprintf(f, ", \"result\": \"%s\", \"quantities\": [\n",
	    rcheck_failed(r) ? "fail" : "pass");
	for (i = 0; i < r->n; i++) {
		json_item(f, &r->items[i]);
		fputs(i + 1 < r->n ? ",\n" : "\n", f);
	}
	fputs("], \"faults\": [", f);
	for (i = 0; i < r->nfaults; i++) {
		fputs(i ? ", " : "", f);
		json_str(f, r->faults[i]);
	}
	fputs("]", f);
	if (r->smallest != NULL) {
		fputs(", \"smallest\": ", f);
		json_str(f, r->smallest);
	}
	fputs("}\n", f);
}

void
rcheck_set_smallest(rcheck_report_t *r, const char *shape)
{
	free(r->smallest);
	r->smallest = xstrdup(shape);
}

/* A TAP diagnostic: every line of s behind "# ". */
static void
tap_comment(FILE *f, const char *s)
{
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);

		fprintf(f, "# %.*s\n", (int)n, s);
		s += n + (nl != NULL);
	}
}

void
rcheck_print_tap(FILE *f, const rcheck_report_t *r)
{
	size_t i;
	char buf[256];

	fprintf(f, "1..%zu\n", r->n + r->nfaults);
	tap_comment(f, r->title);
	fprintf(f, "# truth: %s\n", r->truth);
	for (i = 0; i < r->n; i++) {
		const rcheck_item_t *it = &r->items[i];

		fprintf(f, "%s %zu - %s%s%s: %zu checked, %zu wrong\n",
		    it->pass ? "ok" : "not ok", i + 1, it->name,
		    it->context[0] ? " " : "", it->context, it->checked, it->wrong);
		if (it->wrong == 0)
			continue;
		fprintf(f, "# worst %s: got %.17g, want %.17g\n",
		    rcheck_index_str(it, &it->worst, buf, sizeof(buf)),
		    it->worst.got, it->worst.want);
		if (it->where != NULL)
			tap_comment(f, it->where);
		if (it->diagnosed)
			fprintf(f, "# diagnosis: %s\n", it->diagnosis ?
			    it->diagnosis->name : "matches no known mistake");
	}
	for (i = 0; i < r->nfaults; i++)
		fprintf(f, "not ok %zu - %s\n", r->n + i + 1, r->faults[i]);
}
