/*
 * html.c: the handout page (html.h). One pass per lesson: verify each
 * claim at the lesson's default shape, then write what the reader needs
 * beside the formula: the verdict in the words `convgrad verify` uses,
 * the counterexample (its point, both sides' values, the finding), and
 * the grid of the point (html-grid.c).
 *
 * Escaping. Every string from a lesson reaches the page through one of
 * two doors: escape_xml() for plain text (titles, labels, claims, source
 * blocks, paths) and, for the Markdown prose, libcmark's HTML renderer in
 * its safe mode (raw HTML dropped, javascript: and similar links
 * dropped) whose output escape_xml_filter() clears of the characters XML
 * 1.0 cannot hold. cmark writes void elements as <br />, so its HTML is
 * XHTML. Images become links: a handout loads nothing.
 */
#include "config.h"

#include "html.h"

#include <assert.h>
#include <cmark.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "escape.h"

#define XHTML_NS "http://www.w3.org/1999/xhtml"

/* No '<' or '&' in it: the page is XML, and the style is character data. */
static const char page_css[] =
    "body{font-family:Georgia,'DejaVu Serif',serif;max-width:48em;"
    "margin:2em auto;padding:0 1em;line-height:1.45;color:#111}\n"
    "h1{border-bottom:2px solid #333;margin-top:2em}"
    "h2{border-bottom:1px solid #aaa;margin-top:1.8em}\n"
    "code,pre{font-family:'DejaVu Sans Mono',monospace;font-size:90%}\n"
    "pre{background:#f5f5f5;padding:.5em;white-space:pre-wrap}\n"
    ".claim{border-left:4px solid #3a3;padding:.2em .8em;margin:1em 0;"
    "background:#f8fbf8;break-inside:avoid}\n"
    ".claim.erratum{border-color:#d80;background:#fffaf2}"
    ".claim.bad{border-color:#c22;background:#fdf4f4}\n"
    ".label{font-style:italic;margin:.3em 0}\n"
    "math[display=block]{margin:.6em 0;overflow-x:auto}\n"
    /* MathML Core has no columnalign: a claim's rows and the cases of an
     * if go flush left by CSS (a sum's where stays centred under Σ) */
    "mtable.rows>mtr>mtd,mtable.cases>mtr>mtd{text-align:left}\n"
    ".verdict,.shape,.note,footer{font-family:sans-serif;font-size:88%}\n"
    "table.cex{border-collapse:collapse;font-family:monospace;"
    "font-size:88%;margin:.3em 0}\n"
    "table.cex td,table.cex th{border:1px solid #bbb;padding:.1em .5em}\n"
    "figure.grid{display:inline-block;vertical-align:top;"
    "margin:.4em 1.2em .4em 0}\n"
    "figcaption{font-family:sans-serif;font-size:78%;max-width:30em}\n"
    ".sw,.ring{display:inline-block;width:.8em;height:.8em;"
    "vertical-align:middle;border:1px solid #777}"
    ".ring{border:2px solid #c00}\n"
    ".source{border-left:3px solid #999;padding-left:.8em;color:#333}\n"
    ".exercise{border:1px dashed #68a;padding:.2em .8em;margin:1em 0}"
    "summary{cursor:pointer;font-family:sans-serif;font-size:88%}\n"
    "@media print{body{max-width:none;margin:0}a{color:inherit}"
    "figure,.claim{break-inside:avoid}}\n";

void
html_opts_default(html_opts_t *o)
{
	memset(o, 0, sizeof(*o));
	verify_opts_default(&o->verify);
	o->generator = "convgrad " PACKAGE_VERSION;
}

static void
add_text(sbuf_t *b, const char *s)
{
	escape_xml(b, s, strlen(s));
}

/* ---- prose: Markdown by libcmark ---- */

/* ![alt](url) -> [image: alt](url), so that the page fetches nothing. */
static void
images_to_links(cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_node **imgs = NULL, *n, *link, *ch;
	size_t nimgs = 0, i;
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_ENTER &&
		    cmark_node_get_type(n) == CMARK_NODE_IMAGE) {
			imgs = xreallocarray(imgs, nimgs + 1, sizeof(*imgs));
			imgs[nimgs++] = n;
		}
	}
	cmark_iter_free(it);
	for (i = 0; i < nimgs; i++) {
		link = cmark_node_new(CMARK_NODE_LINK);
		cmark_node_set_url(link, cmark_node_get_url(imgs[i]));
		cmark_node_set_title(link, cmark_node_get_title(imgs[i]));
		ch = cmark_node_new(CMARK_NODE_TEXT);
		cmark_node_set_literal(ch, "image: ");
		cmark_node_append_child(link, ch);
		while ((ch = cmark_node_first_child(imgs[i])) != NULL) {
			cmark_node_unlink(ch);
			cmark_node_append_child(link, ch);
		}
		cmark_node_replace(imgs[i], link);
		cmark_node_free(imgs[i]);
	}
	free(imgs);
}

static void
add_markdown(sbuf_t *b, const char *md)
{
	cmark_node *doc;
	char *html;

	if (md == NULL || *md == '\0')
		return;
	doc = cmark_parse_document(md, strlen(md), CMARK_OPT_VALIDATE_UTF8);
	if (doc == NULL)
		fatal("out of memory");
	images_to_links(doc);
	/* CMARK_OPT_DEFAULT is the safe mode since cmark 0.29: raw HTML
	 * becomes a comment, unsafe link targets become "" */
	html = cmark_render_html(doc, CMARK_OPT_DEFAULT);
	escape_xml_filter(b, html, strlen(html));
	free(html);
	cmark_node_free(doc);
}

/* ---- one claim ---- */

/* The lesson's tally, for the line under its title. */
typedef struct html_tally {
	int claims, hold, refuted, failed, errors;
} html_tally_t;

static const char *
claim_class(const verify_result_t *r)
{
	if (!verdict_ok(r->verdict))
		return "claim bad";
	return r->verdict == VERDICT_REFUTED ? "claim erratum" : "claim";
}

/* "holds: 96 of 96 tuples, max error 0 (rel 0), tol 1e-12 + 1e-09·|numeric|",
 * worded as `convgrad verify` words it (verify_outcome_text). */
static void
add_verdict(sbuf_t *b, const claim_t *cl, const verify_result_t *r)
{
	bool ok = verdict_ok(r->verdict);
	char *outcome = verify_outcome_text(cl, r, "·", false);

	sbuf_addf(b, "<p class=\"verdict\">%s ", ok ? "✓" : "✗");
	add_text(b, outcome);
	free(outcome);
	sbuf_add(b, "</p>\n");
	if (!ok && cl->kind != CLAIM_LET && r->tol_why != NULL) {
		sbuf_add(b, "<p class=\"note\">Tolerance: ");
		add_text(b, r->tol_why);
		sbuf_add(b, "</p>\n");
	}
}

/* The counterexample: its point as a table, both sides, the finding. */
static void
add_cex(sbuf_t *b, const claim_t *cl, const verify_result_t *r)
{
	int k, n = verify_point_count(cl);

	sbuf_add(b, "<table class=\"cex\"><caption>Counterexample</caption>"
	    "<tbody><tr>");
	for (k = 0; k < n; k++) {
		sbuf_add(b, "<th>");
		add_text(b, verify_point_name(cl, k));
		sbuf_add(b, "</th>");
	}
	sbuf_add(b, "</tr><tr>");
	for (k = 0; k < n; k++)
		sbuf_addf(b, "<td>%ld</td>", r->cex[k]);
	sbuf_addf(b, "</tr></tbody></table>\n<p class=\"verdict\">formula %.17g, "
	    "numeric %.17g", r->cex_formula, r->cex_numeric);
	if (r->cex_finding != NULL) {
		sbuf_add(b, "; finding: ");
		add_text(b, r->cex_finding);
	} else {
		sbuf_addf(b, ", |difference| %.3g", fabs(r->cex_numeric -
		    r->cex_formula));
	}
	sbuf_add(b, "</p>\n");
}

/* The claim's first tuple: each free variable at the low end of its
 * range, in order (a range may use the variables before it). False when
 * a range cannot be evaluated or is empty. */
static bool
first_point(verify_ctx_t *vc, const claim_t *cl, long *vals)
{
	long *slots, lo, hi;
	char *err = NULL;
	bool ok = true;
	int k;

	if (cl->kind == CLAIM_KERNEL) {
		memset(vals, 0, sizeof(long) * (size_t)verify_point_count(cl));
		return true;
	}
	slots = xcalloc((size_t)(cl->nslots > 0 ? cl->nslots : 1), sizeof(long));
	for (k = 0; k < cl->nfree && ok; k++) {
		ok = expr_range_eval(&cl->free[k].range, verify_ctx_env(vc), slots,
		    &lo, &hi, &err) == 0 && lo <= hi;
		free(err);
		err = NULL;
		slots[cl->free[k].slot] = vals[k] = lo;
	}
	free(slots);
	return ok;
}

static void
add_grids(sbuf_t *b, verify_ctx_t *vc, const claim_t *cl,
    const verify_result_t *r)
{
	int n = verify_point_count(cl);
	long *vals = xcalloc((size_t)(n > 0 ? n : 1), sizeof(long));
	html_grid_roles_t g;
	bool at_cex = r->has_cex;

	if (at_cex)
		memcpy(vals, r->cex, sizeof(long) * (size_t)n);
	if ((at_cex || first_point(vc, cl, vals)) &&
	    html_grid_roles(cl, vals, &g))
		html_grids(b, verify_ctx_shape(vc), &g, at_cex ?
		    "the counterexample" : "the first tuple");
	free(vals);
}

static void
tally_add(html_tally_t *t, const verify_result_t *r)
{
	t->claims++;
	if (r->verdict == VERDICT_HOLDS || r->verdict == VERDICT_DEFINED)
		t->hold++;
	else if (r->verdict == VERDICT_REFUTED)
		t->refuted++;
	else
		t->failed++;
}

/* One claim: label, formula, and, when vc is not NULL (the lesson's
 * world could be built), its verdict. */
static void
add_claim(sbuf_t *b, verify_ctx_t *vc, const claim_t *cl, html_tally_t *t)
{
	verify_result_t r;
	char *err = NULL, *mml = claim_mathml(cl);
	int rc = vc != NULL ? verify_claim(vc, cl, &r, &err) :
	    set_error(&err, "the lesson's shape could not be built");

	sbuf_addf(b, "<div class=\"%s\">\n", rc != 0 ? "claim bad" :
	    claim_class(&r));
	if (cl->label != NULL) {
		sbuf_add(b, "<p class=\"label\">");
		add_text(b, cl->label);
		sbuf_add(b, "</p>\n");
	}
	sbuf_add(b, mml);
	sbuf_add(b, "\n");
	free(mml);
	if (rc != 0) {
		t->claims++;
		t->errors++;
		sbuf_add(b, "<p class=\"verdict\">✗ cannot be checked: ");
		add_text(b, err);
		sbuf_add(b, "</p>\n</div>\n");
		free(err);
		return;
	}
	tally_add(t, &r);
	add_verdict(b, cl, &r);
	if (r.has_cex)
		add_cex(b, cl, &r);
	add_grids(b, vc, cl, &r);
	sbuf_add(b, "</div>\n");
	verify_result_clear(&r);
}

/* ---- a lesson ---- */

/* An exercise: the prompt, then each hint and (asked for) the answer
 * folded in a <details>, one tier at a time as the tutor gives them. */
static void
add_exercise(sbuf_t *b, const lesson_exercise_t *ex, const html_opts_t *o)
{
	char *mml;
	int k;

	sbuf_add(b, "<div class=\"exercise\"><p><strong>Exercise.</strong> ");
	add_text(b, ex->prompt);
	sbuf_add(b, "</p>\n");
	for (k = 0; k < ex->nhints; k++) {
		sbuf_addf(b, "<details><summary>Hint %d</summary><p>", k + 1);
		add_text(b, ex->hints[k]);
		sbuf_add(b, "</p></details>\n");
	}
	if (o->answers && ex->answer_claim != NULL) {
		mml = claim_mathml(ex->answer_claim);
		sbuf_addf(b, "<details class=\"answer\"><summary>Answer"
		    "</summary>%s</details>\n", mml);
		free(mml);
	}
	sbuf_add(b, "</div>\n");
}

static void
add_step(sbuf_t *b, verify_ctx_t *vc, const lesson_step_t *st, int li,
    int si, const html_opts_t *o, html_tally_t *t)
{
	int k;

	sbuf_addf(b, "<section class=\"step\" id=\"lesson-%d-step-%d\">\n"
	    "<h2>%d. ", li + 1, si + 1, si + 1);
	add_text(b, st->title);
	sbuf_add(b, "</h2>\n");
	add_markdown(b, st->prose_md);
	for (k = 0; k < st->nexercises; k++)
		add_exercise(b, &st->exercises[k], o);
	for (k = 0; k < st->nclaims; k++) {
		add_claim(b, vc, st->claims[k], t);
	}
	if (st->source != NULL) {
		sbuf_add(b, "<div class=\"source\"><p>The source, as written:</p>"
		    "<pre>");
		add_text(b, st->source);
		sbuf_add(b, "</pre></div>\n");
	}
	sbuf_add(b, "</section>\n");
}

static void
add_tally(sbuf_t *b, const html_tally_t *t)
{
	char *tally = verify_tally_str(t->claims, t->hold, t->refuted,
	    t->failed);

	sbuf_add(b, tally);
	free(tally);
	if (t->errors > 0)
		sbuf_addf(b, ", %d could not be checked", t->errors);
}

/* The line under the lesson's title: where it was checked, and how it
 * went (known only after its steps, so the steps go to their own buffer
 * first). */
static void
add_lesson_head(sbuf_t *b, const lesson_t *l, const conv_shape_t *s,
    const char *shape_err, const html_opts_t *o, const html_tally_t *t)
{
	char buf[256];

	sbuf_add(b, "<h1>");
	add_text(b, l->title);
	sbuf_add(b, "</h1>\n<p class=\"shape\">");
	add_text(b, l->path);
	if (shape_err != NULL) {
		sbuf_add(b, ": not checked: ");
		add_text(b, shape_err);
	} else {
		sbuf_addf(b, ", checked at %s (seed %llu): ",
		    conv_shape_str(s, buf, sizeof(buf)),
		    (unsigned long long)o->verify.seed);
		add_tally(b, t);
	}
	sbuf_add(b, ".</p>\n");
}

static void
add_lesson(sbuf_t *b, const lesson_t *l, int li, const html_opts_t *o)
{
	html_tally_t t = { 0, 0, 0, 0, 0 };
	conv_shape_t s = l->shape;
	char *err = NULL;
	verify_ctx_t *vc = verify_ctx_create(&s, &o->verify, &err);
	sbuf_t body;
	int i;

	if (vc != NULL)
		s = *verify_ctx_shape(vc);
	sbuf_init(&body);
	add_markdown(&body, l->intro_md);
	for (i = 0; i < l->nsteps; i++)
		add_step(&body, vc, &l->steps[i], li, i, o, &t);
	sbuf_addf(b, "<section class=\"lesson\" id=\"lesson-%d\">\n", li + 1);
	add_lesson_head(b, l, &s, err, o, &t);
	sbuf_add(b, body.s != NULL ? body.s : "");
	sbuf_add(b, "</section>\n");
	sbuf_free(&body);
	free(err);
	verify_ctx_free(vc);
}

/* ---- the page ---- */

/* Polyglot markup: the same bytes parse as XML (UTF-8 is XML's default,
 * so no XML declaration, which HTML's parser would not take) and as
 * HTML5 to the same tree (the <tbody> written, void elements closed). */
static void
add_head(sbuf_t *b, const char *title)
{
	sbuf_add(b, "<!DOCTYPE html>\n"
	    "<html xmlns=\"" XHTML_NS "\" lang=\"en\" xml:lang=\"en\">\n"
	    "<head>\n<meta charset=\"UTF-8\"/>\n"
	    "<meta name=\"viewport\" content=\"width=device-width\"/>\n"
	    "<title>");
	add_text(b, title);
	sbuf_addf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n",
	    page_css);
}

static void
add_toc(sbuf_t *b, lesson_t *const *ls, int n)
{
	int i;

	sbuf_add(b, "<nav><h2>Lessons</h2><ol>\n");
	for (i = 0; i < n; i++) {
		sbuf_addf(b, "<li><a href=\"#lesson-%d\">", i + 1);
		add_text(b, ls[i]->title);
		sbuf_add(b, "</a></li>\n");
	}
	sbuf_add(b, "</ol></nav>\n");
}

static void
add_foot(sbuf_t *b, const html_opts_t *o)
{
	sbuf_add(b, "<footer><p>Made by ");
	add_text(b, o->generator != NULL ? o->generator : "convgrad");
	sbuf_add(b, ". Every formula is a claim as the verifier parsed it, "
	    "and every verdict was computed when the page was made: the "
	    "numeric side from the real forward kernel and finite "
	    "differences, the formula interpreted.</p></footer>\n"
	    "</body>\n</html>\n");
}

char *
html_page(lesson_t *const *ls, int n, const html_opts_t *o)
{
	const char *title = o->title;
	sbuf_t b;
	int i;

	assert(n >= 1);
	if (title == NULL)
		title = n == 1 ? ls[0]->title : "convgrad: the derivation";
	sbuf_init(&b);
	add_head(&b, title);
	if (n > 1) {
		sbuf_add(&b, "<header><h1>");
		add_text(&b, title);
		sbuf_add(&b, "</h1></header>\n");
		add_toc(&b, ls, n);
	}
	for (i = 0; i < n; i++)
		add_lesson(&b, ls[i], i, o);
	add_foot(&b, o);
	return sbuf_take(&b);
}

/* ---- one page per lesson, in a directory ---- */

/* "DIR/NAME.html" for lesson path ".../NAME.md" (NAME.html for a name
 * without .md). malloc'd. */
static char *
page_path(const char *dir, const char *lesson_path)
{
	const char *base = strrchr(lesson_path, '/');
	size_t n;

	base = base != NULL ? base + 1 : lesson_path;
	n = strlen(base);
	if (n > 3 && strcmp(base + n - 3, ".md") == 0)
		n -= 3;
	return xasprintf("%s/%.*s.html", dir, (int)n, base);
}

/* Write data to path through path.tmp and a rename, so that a page is
 * either whole or not there. 0, or -1 with *err. */
static int
write_whole(const char *path, const char *data, char **err)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int e = 0;

	if (f == NULL) {
		set_error(err, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if (fputs(data, f) < 0 || fflush(f) != 0)
		e = errno != 0 ? errno : EIO;
	if (fclose(f) != 0 && e == 0)
		e = errno != 0 ? errno : EIO;
	if (e == 0 && rename(tmp, path) != 0)
		e = errno;
	if (e != 0) {
		remove(tmp);
		set_error(err, "%s: cannot write: %s", path, strerror(e));
	}
	free(tmp);
	return e != 0 ? -1 : 0;
}

/* dir, made if it does not exist (its parent must). */
static int
make_dir(const char *dir, char **err)
{
	struct stat st;

	if (mkdir(dir, 0777) == 0)
		return 0;
	if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (errno == EEXIST)
		return set_error(err, "%s: exists and is not a directory", dir);
	return set_error(err, "%s: cannot make the directory: %s", dir,
	    strerror(errno));
}

/* The index: a link to each page, by the lesson's title. */
static char *
index_page(lesson_t *const *ls, char **paths, int n, const html_opts_t *o)
{
	const char *title = o->title != NULL ? o->title :
	    "convgrad: the derivation";
	sbuf_t b;
	int i;

	sbuf_init(&b);
	add_head(&b, title);
	sbuf_add(&b, "<header><h1>");
	add_text(&b, title);
	sbuf_add(&b, "</h1></header>\n<nav><ol>\n");
	for (i = 0; i < n; i++) {
		sbuf_add(&b, "<li><a href=\"");
		add_text(&b, strrchr(paths[i], '/') + 1);
		sbuf_add(&b, "\">");
		add_text(&b, ls[i]->title);
		sbuf_add(&b, "</a></li>\n");
	}
	sbuf_add(&b, "</ol></nav>\n");
	add_foot(&b, o);
	return sbuf_take(&b);
}

/* Two lessons that would share a page, or one called index. */
static int
check_names(lesson_t *const *ls, char **paths, int n, const char *index,
    char **err)
{
	int i, j;

	for (i = 0; i < n; i++) {
		if (strcmp(paths[i], index) == 0)
			return set_error(err, "%s: its page would be the "
			    "index, %s", ls[i]->path, index);
		for (j = 0; j < i; j++)
			if (strcmp(paths[i], paths[j]) == 0)
				return set_error(err, "%s and %s would both "
				    "be %s", ls[j]->path, ls[i]->path,
				    paths[i]);
	}
	return 0;
}

static int
write_pages(lesson_t *const *ls, char **paths, int n, const char *index,
    const html_opts_t *o, char **err)
{
	char *page;
	int i, rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		page = html_page(&ls[i], 1, o);
		rc = write_whole(paths[i], page, err);
		free(page);
	}
	if (rc == 0) {
		page = index_page(ls, paths, n, o);
		rc = write_whole(index, page, err);
		free(page);
	}
	return rc;
}

int
html_write_dir(const char *dir, lesson_t *const *ls, int n,
    const html_opts_t *o, char **err)
{
	char **paths = xcalloc((size_t)n, sizeof(*paths));
	char *index = xasprintf("%s/index.html", dir);
	int i, rc;

	for (i = 0; i < n; i++)
		paths[i] = page_path(dir, ls[i]->path);
	rc = check_names(ls, paths, n, index, err);
	if (rc == 0)
		rc = make_dir(dir, err);
	if (rc == 0)
		rc = write_pages(ls, paths, n, index, o, err);
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(index);
	return rc;
}
