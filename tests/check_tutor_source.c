/*
 * check_tutor_source.c: the source's formulas drawn in 2-D (tex-layout.c)
 * and the tutor's source screen (tutor-source.c): the layout of the whole
 * bundled source at the widths of 80 and 60 columns, the subset's pieces
 * one by one, LaTeX outside the subset refused with where and why (and
 * shown as written by the screen, never a crash), and the screen's state:
 * opened at the step's quote, scrolled to the end, verbatim.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check-util.h"
#include "lesson.h"
#include "tex-layout.h"
#include "tutor-source.h"
#include "tutor.h"
#include "util.h"

/* ---- tex_layout: the pieces ---- */

static pp_box_t *
lay(const char *tex)
{
	char *err = NULL;
	pp_box_t *b = tex_layout(tex, PP_UNICODE, &err);

	ck_assert_msg(b != NULL, "%s: refused: %s", tex, err);
	return b;
}

/* Row r of b without its padding. */
static char *
row(const pp_box_t *b, int r)
{
	size_t n = strlen(b->rows[r]);

	while (n > 0 && b->rows[r][n - 1] == ' ')
		n--;
	return xstrndup(b->rows[r], n);
}

static void
assert_rows(const char *tex, int baseline, const char *const *want, int n)
{
	pp_box_t *b = lay(tex);
	int i;

	ck_assert_msg(b->height == n, "%s: %d rows, want %d", tex, b->height, n);
	ck_assert_int_eq(b->baseline, baseline);
	for (i = 0; i < n; i++) {
		char *got = row(b, i);

		ck_assert_msg(strcmp(got, want[i]) == 0, "%s: row %d is '%s', "
		    "want '%s'", tex, i, got, want[i]);
		free(got);
	}
	pp_box_free(b);
}

START_TEST(test_frac_three_rows)
{
	static const char *const want[] = { " ∂ax", "───── = a", " ∂x" };

	assert_rows("\\frac{\\partial ax}{\\partial x} = a", 1, want, 3);
}
END_TEST

START_TEST(test_sum_limits)
{
	static const char *const below[] = { "  Σ   x[i,j]", "di,dj" };
	static const char *const both[] = { "  n", "  Σ   x_i", "i = 1" };

	assert_rows("\\sum_{di, dj} x_{i,j}", 0, below, 2);
	assert_rows("\\sum_{i=1}^{n} x_i", 1, both, 3);
}
END_TEST

/* Before a fraction the sign is three rows tall, as a claim draws it; two
 * sums in a row both take the fraction's height. */
START_TEST(test_sum_before_frac)
{
	pp_box_t *b = lay("=\\sum_{N_p}\\sum_{q}\\frac{a}{b}");
	char *all = xstrdup("");
	int i;

	ck_assert_int_eq(b->height, 4);
	ck_assert_int_eq(b->baseline, 1);
	for (i = 0; i < b->height; i++) {
		char *s = xasprintf("%s%s\n", all, b->rows[i]);

		free(all);
		all = s;
	}
	ck_assert_msg(strstr(all, "Σ") == NULL, "a one-row Σ beside a "
	    "fraction:\n%s", all);
	ck_assert_ptr_nonnull(strstr(b->rows[1], "╲ "));
	ck_assert_ptr_nonnull(strstr(b->rows[1], "╲   ╲"));
	free(all);
	pp_box_free(b);
}
END_TEST

static const struct flat_case {
	const char *tex, *want;
} flat_cases[] = {
	/* A tensor's indices, the names' digits as subscripts (as claims). */
	{ "output_{b1,c_{out1},h_{out1},w_{out1}}",
	  "output[b₁,c_out₁,h_out₁,w_out₁]" },
	{ "x_1 + x^{2}", "x₁ + x²" },
	{ "h_{in} \\notin [strh*h_{out1},strh*h_{out1}+R]",
	  "h_in ∉ [strh · h_out₁, strh · h_out₁ + R]" },
	{ "b \\neq b1", "b ≠ b₁" },
	{ "c_{out_1} = c_{out}, c_{in_1} = c_{in}", "c_out₁ = c_out, c_in₁ = c_in" },
	{ "=  input_{b1}", "= input_b₁" },     /* one index: a name */
	{ "a \\cdot b \\times c \\le d \\geq e", "a · b × c ≤ d ≥ e" },
	/* The source forgot an _: the braces stay, as written. */
	{ "\\partial weight{c_{out},d_{i}}", "∂weight{c_out, d_i}" },
	{ "strides[0] * i", "strides[0] · i" },
	{ "\\text{if } a\\,b", "if a b" },
	{ "\\mathrm{sum}(x)", "sum(x)" },
	{ "-x + y", "-x + y" },
	{ "", "" },
};

START_TEST(test_flat)
{
	const struct flat_case *c = &flat_cases[_i];
	pp_box_t *b = lay(c->tex);
	char *got = row(b, 0);

	ck_assert_msg(b->height == 1, "%s: %d rows", c->tex, b->height);
	ck_assert_msg(strcmp(got, c->want) == 0, "%s: '%s', want '%s'", c->tex,
	    got, c->want);
	free(got);
	pp_box_free(b);
}
END_TEST

/* What is neither digits nor a name nor an index list is lowered (or
 * raised) one row: the 2-D sub- and superscript. */
START_TEST(test_scripts_2d)
{
	static const char *const sub[] = { "z", " a + b" };
	static const char *const sup[] = { " n", "y" };
	static const char *const par[] = { "f(x)", "    (N_k,C_out_l)" };

	assert_rows("z_{a+b}", 0, sub, 2);
	assert_rows("y^{n}", 1, sup, 2);
	assert_rows("f(x)_{(N_k, C_{out_l})}", 0, par, 2);
}
END_TEST

START_TEST(test_left_right)
{
	static const char *const want[] = { "⎛ a ⎞", "⎜───⎟", "⎝ b ⎠" };

	assert_rows("\\left( \\frac{a}{b} \\right)", 1, want, 3);
}
END_TEST

/* ASCII: the same shapes, no byte above 0x7f. */
START_TEST(test_ascii)
{
	pp_box_t *b = tex_layout("\\frac{\\partial x_{1}}{\\partial y} = "
	    "\\sum_{i} a_{i} \\cdot b \\neq c", PP_ASCII, NULL);
	int r;

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(b->height, 3);
	for (r = 0; r < b->height; r++) {
		const unsigned char *p = (const unsigned char *)b->rows[r];

		for (; *p != '\0'; p++)
			ck_assert_msg(*p < 0x80, "row %d: '%s'", r, b->rows[r]);
	}
	ck_assert_ptr_nonnull(strstr(b->rows[0], "dx_1"));
	ck_assert_ptr_nonnull(strstr(b->rows[1], "--- = sum a_i * b != c"));
	pp_box_free(b);
}
END_TEST

static const struct bad_case {
	const char *tex, *want;
} bad_cases[] = {
	{ "\\frac{a}{b", "column 11: missing } for the { at column 9" },
	{ "a } b", "column 3: a } without its {" },
	{ "\\unknown x", "column 1: unknown command \\unknown" },
	{ "\\begin{cases} a & b \\end{cases}", "environments are not read" },
	{ "x_", "an argument is missing" },
	{ "\\frac{a}", "an argument is missing" },
	{ "\\left( a", "\\left without its \\right" },
	{ "a \\right)", "\\right without its \\left" },
	{ "{a \\right)}", "\\right without its \\left" },
	{ "\\left< a \\right)", "a delimiter" },
	{ "a & b", "& (an alignment)" },
	{ "a \\\\ b", "a line break" },
	{ "\\text x", "\\text wants {...}" },
	{ "\\text{x", "missing } of \\text" },
	{ "\\", "unknown command" },
};

START_TEST(test_refused)
{
	const struct bad_case *c = &bad_cases[_i];
	char *err = NULL;
	pp_box_t *b = tex_layout(c->tex, PP_UNICODE, &err);

	ck_assert_msg(b == NULL, "%s: laid out, should be refused", c->tex);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, c->want) != NULL, "%s: '%s', want '%s'",
	    c->tex, err, c->want);
	free(err);
}
END_TEST

/* Deep nesting is refused at the guard, in braces, scripts and \left. */
START_TEST(test_deep)
{
	static const char *const open[] = { "{", "x_{", "\\left(" };
	static const char *const close[] = { "}", "}", "\\right)" };
	int k;

	for (k = 0; k < 3; k++) {
		sbuf_t s;
		char *src, *err = NULL;
		int i;

		sbuf_init(&s);
		for (i = 0; i < 20000; i++)
			sbuf_add(&s, open[k]);
		for (i = 0; i < 20000; i++)
			sbuf_add(&s, close[k]);
		src = sbuf_take(&s);
		ck_assert_ptr_null(tex_layout(src, PP_UNICODE, &err));
		ck_assert_msg(strstr(err, "nested deeper than 64") != NULL, "%s",
		    err);
		free(err);
		free(src);
	}
	{
		pp_box_t *b = tex_layout(NULL, PP_UNICODE, NULL);

		ck_assert_ptr_nonnull(b);
		pp_box_free(b);
	}
}
END_TEST

/* ---- the source laid out ---- */

static char *
read_source(void)
{
	char *path = test_data_path("../../lessons/source/conv2d-derivation.md");
	char *text = NULL, *err = NULL;
	size_t len;

	ck_assert_msg(read_file(path, &text, &len, &err) == 0, "%s", err);
	free(path);
	return text;
}

static char *
rows_text(const tsrc_row_t *rows, int n)
{
	sbuf_t b;
	int i;

	sbuf_init(&b);
	for (i = 0; i < n; i++)
		sbuf_addf(&b, "%s\n", rows[i].text);
	return sbuf_take(&b);
}

/* The whole source at the text widths of 80 and 60 columns: every
 * formula in the subset, no text row wider than the screen, the fraction
 * on three rows, the last line there. */
START_TEST(test_source_layout)
{
	static const int widths[] = { 77, 57 };
	char *src = read_source(), *all;
	int n, bad, i, last = 0;
	tsrc_row_t *rows = tsrc_layout(src, widths[_i], PP_UNICODE, false, &n,
	    &bad);

	ck_assert_int_eq(bad, 0);
	for (i = 0; i < n; i++) {
		if (rows[i].kind != TSRC_FORMULA)
			ck_assert_msg(rows[i].width <= widths[_i], "row %d (line %d) "
			    "is %d wide: %s", i, rows[i].line, rows[i].width,
			    rows[i].text);
		if (rows[i].kind != TSRC_BLANK)
			last = rows[i].line;
		if (rows[i].kind != TSRC_NOTE)  /* the comment: as written */
			ck_assert_msg(strstr(rows[i].text, "\\frac") == NULL &&
			    strstr(rows[i].text, "_{") == NULL, "row %d (line %d) "
			    "is LaTeX: %s", i, rows[i].line, rows[i].text);
	}
	ck_assert_int_eq(last, 132);
	all = rows_text(rows, n);
	ck_assert_ptr_nonnull(strstr(all, "   ∂output[b₁,c_out₁,h_out₁,w_out₁]\n"
	    "  ──────────────────────────────────\n"
	    "       ∂input[b,c_in,h_in,w_in]\n"));
	ck_assert_ptr_nonnull(strstr(all, "= sum(df, (dim(N_p)...))"));
	ck_assert_ptr_nonnull(strstr(all, "input求导"));
	ck_assert_ptr_nonnull(strstr(all, "(a comment in the source"));
	ck_assert_ptr_null(strstr(all, "<p>"));
	free(all);
	tsrc_rows_free(rows, n);
	free(src);
}
END_TEST

/* A formula outside the subset is shown as written, with why; the rest
 * is drawn. */
START_TEST(test_source_fallback)
{
	const char *src = "# t\n\n$\\frac{a}{b}$\n\n$\\foo{x} + \\frac{1}{2}$\n"
	    "text $\\bar x$ and $y_1$\n";
	int n, bad;
	tsrc_row_t *rows = tsrc_layout(src, 70, PP_UNICODE, false, &n, &bad);
	char *all = rows_text(rows, n);

	ck_assert_int_eq(bad, 2);
	ck_assert_msg(strstr(all, "(not drawn: column 1: unknown command \\foo; "
	    "as written:)") != NULL, "%s", all);
	ck_assert_ptr_nonnull(strstr(all, "  \\foo{x} + \\frac{1}{2}\n"));
	ck_assert_ptr_nonnull(strstr(all, "text $\\bar x$ and y₁\n"));
	ck_assert_ptr_nonnull(strstr(all, "  ───\n"));
	free(all);
	tsrc_rows_free(rows, n);
}
END_TEST

/* Verbatim: every line as written, numbered, wrapped to the width. */
START_TEST(test_source_verbatim)
{
	char *src = read_source(), *all;
	int n, i;
	tsrc_row_t *rows = tsrc_layout(src, 57, PP_UNICODE, true, &n, NULL);

	for (i = 0; i < n; i++)
		ck_assert_msg(rows[i].width <= 57, "row %d: %s", i, rows[i].text);
	ck_assert_int_eq(rows[n - 1].line, 133);
	all = rows_text(rows, n);
	ck_assert_ptr_nonnull(strstr(all, "   1 # forward\n"));
	ck_assert_ptr_nonnull(strstr(all, "  14 $\\frac{\\partial ax}{\\partial "
	    "x} = a$\n"));
	free(all);
	tsrc_rows_free(rows, n);
	free(src);
}
END_TEST

/* Prose without spaces (CJK) is broken between characters. */
START_TEST(test_wrap_cjk)
{
	int n, i;
	tsrc_row_t *rows = tsrc_layout("求导求导求导求导求导求导求导求导求导求导\n",
	    10, PP_UNICODE, false, &n, NULL);

	ck_assert_int_eq(n, 4);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(rows[i].width, 10);
	tsrc_rows_free(rows, n);
}
END_TEST

START_TEST(test_find_quote)
{
	const char *src = "a\n\n$x$\nb\n$x$\nc\n";
	bool marks[8] = { false };
	int from, to;

	ck_assert_int_eq(tsrc_find_quote(src, "  $x$ \n\nc\n", &from, &to,
	    marks), 2);
	ck_assert_int_eq(from, 3);
	ck_assert_int_eq(to, 6);
	ck_assert(marks[3] && marks[6] && !marks[5] && !marks[4]);
	memset(marks, 0, sizeof marks);
	ck_assert_int_eq(tsrc_find_quote(src, "nowhere\n", &from, &to, marks), 0);
	ck_assert_int_eq(from, 0);
}
END_TEST

/* Every bundled lesson's quotes are in the source, line for line, so that
 * o opens at them and marks them all. */
START_TEST(test_lessons_quote_source)
{
	char *src = read_source(), **paths = NULL, *err = NULL;
	bool *marks = xcalloc(4096, sizeof *marks);
	int np, i, s, from, to, steps = 0;

	ck_assert_msg(lesson_collect(NULL, 0, &paths, &np, &err) == 0, "%s", err);
	for (i = 0; i < np; i++) {
		lesson_t *l = lesson_load(paths[i], &err);

		ck_assert_msg(l != NULL, "%s", err);
		for (s = 0; s < l->nsteps; s++) {
			const char *q = l->steps[s].source, *p;
			int lines = 0;

			if (q == NULL)
				continue;
			for (p = q; *p != '\0';) {     /* its non-blank lines */
				size_t len = strcspn(p, "\n"), k = 0;

				while (k < len && (p[k] == ' ' || p[k] == '\t'))
					k++;
				lines += k < len;
				p += len + (p[len] == '\n');
			}
			ck_assert_msg(tsrc_find_quote(src, q, &from, &to, marks) ==
			    lines, "%s step %d: a quoted line is not in the source",
			    paths[i], s + 1);
			ck_assert_int_gt(from, 0);
			steps++;
		}
		lesson_free(l);
	}
	ck_assert_int_ge(steps, 20);
	lesson_paths_free(paths, np);
	free(marks);
	free(src);
}
END_TEST

/* ---- the screen's state ---- */

static void
measure(tutor_t *t, int page, int width)
{
	tutor_measure_t m;

	memset(&m, 0, sizeof m);
	m.src_page = page;
	m.src_width = width;
	tutor_text_measure(t, &m);
}

/* o on lesson 3's first step opens the source at the lines it quotes;
 * G reaches the last line, v shows it as written, Esc goes back. */
START_TEST(test_screen)
{
	char *path = test_data_path("../../lessons/03-input.md");
	char *src = test_data_path("../../lessons/source/conv2d-derivation.md");
	tutor_t *t;
	tutor_src_t *x;
	int i;

	setenv("CONVGRAD_SOURCE", src, 1);
	t = tutor_create(&path, 1);
	tutor_key(t, TK_ENTER);
	ck_assert_int_eq(t->screen, SCR_LESSON);
	tutor_key(t, 'o');
	ck_assert_int_eq(t->screen, SCR_SOURCE);
	x = t->src;
	ck_assert_ptr_nonnull(x->path);
	ck_assert_int_eq(x->quote_from, 18);
	measure(t, 17, 77);
	ck_assert_int_eq(x->rows[x->scroll].line, 18);
	ck_assert(x->quoted[18] && x->quoted[21] && !x->quoted[24]);
	tutor_key(t, 'G');
	ck_assert_int_eq(x->scroll, x->nrows - 17);
	tutor_key(t, ' ');
	ck_assert_str_eq(t->message, "the end of the source");
	tutor_key(t, 'g');
	ck_assert_int_eq(x->scroll, 0);
	for (i = 0; i < 5; i++)
		tutor_key(t, TK_RIGHT);
	ck_assert_int_gt(x->hscroll, 0);
	ck_assert_int_le(x->hscroll, x->max_width - 77);
	tutor_key(t, 'v');
	measure(t, 17, 77);
	ck_assert(x->verbatim && x->laid_verbatim);
	ck_assert_int_eq(x->hscroll, 0);
	ck_assert_ptr_nonnull(strstr(x->rows[0].text, "# forward"));
	measure(t, 17, 57);                     /* narrower: the top line kept */
	ck_assert_int_eq(x->rows[x->scroll].line, 1);
	tutor_key(t, TK_ESC);
	ck_assert_int_eq(t->screen, SCR_LESSON);
	tutor_key(t, 'o');                      /* verbatim, as it was left */
	ck_assert(t->src->verbatim);
	tutor_key(t, 'q');
	ck_assert_int_eq(t->screen, SCR_LESSON);
	tutor_free(t);
	free(path);
	unsetenv("CONVGRAD_SOURCE");
	free(src);
}
END_TEST

/* No source file: the step's own quote, and why. */
START_TEST(test_screen_no_file)
{
	char *path = test_data_path("../../lessons/03-input.md");
	tutor_t *t;

	setenv("CONVGRAD_SOURCE", "/nonexistent/source.md", 1);
	t = tutor_create(&path, 1);
	tutor_key(t, TK_ENTER);
	tutor_key(t, 'o');
	ck_assert_int_eq(t->screen, SCR_SOURCE);
	ck_assert_ptr_null(t->src->path);
	ck_assert_ptr_nonnull(strstr(t->message, "/nonexistent/source.md"));
	ck_assert_ptr_nonnull(strstr(t->message, "this step's quote only"));
	ck_assert_ptr_nonnull(strstr(t->src->text, "\\frac"));
	measure(t, 10, 57);
	ck_assert_int_gt(t->src->nrows, 3);
	tutor_free(t);
	free(path);
	unsetenv("CONVGRAD_SOURCE");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("tutor_source");
	TCase *tc = tcase_create("tex");

	tcase_add_test(tc, test_frac_three_rows);
	tcase_add_test(tc, test_sum_limits);
	tcase_add_test(tc, test_sum_before_frac);
	tcase_add_loop_test(tc, test_flat, 0,
	    sizeof flat_cases / sizeof flat_cases[0]);
	tcase_add_test(tc, test_scripts_2d);
	tcase_add_test(tc, test_left_right);
	tcase_add_test(tc, test_ascii);
	tcase_add_loop_test(tc, test_refused, 0,
	    sizeof bad_cases / sizeof bad_cases[0]);
	tcase_add_test(tc, test_deep);
	suite_add_tcase(s, tc);
	tc = tcase_create("source");
	tcase_add_loop_test(tc, test_source_layout, 0, 2);
	tcase_add_test(tc, test_source_fallback);
	tcase_add_test(tc, test_source_verbatim);
	tcase_add_test(tc, test_wrap_cjk);
	tcase_add_test(tc, test_find_quote);
	tcase_add_test(tc, test_lessons_quote_source);
	tcase_add_test(tc, test_screen);
	tcase_add_test(tc, test_screen_no_file);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
