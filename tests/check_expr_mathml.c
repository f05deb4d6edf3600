/*
 * check_expr_mathml.c: claims as MathML (expr-mathml.c): each construct's
 * element (mfrac for ∂a/∂b and a/b, ⌊⌋ around //, munderover or munder
 * for Σ, msub for subscripts, cases for if/else), parentheses where the
 * priorities need them and nowhere else, '<' and '&' escaped, and every
 * claim of every bundled lesson well-formed: tags balanced, each '&' an
 * entity, the alttext the claim's canonical text.
 */
#include <stdlib.h>
#include <string.h>

#include "check-util.h"
#include "escape.h"
#include "expr.h"
#include "lesson.h"
#include "util.h"

static expr_scope_t *scope;

static void
setup(void)
{
	scope = expr_scope_create();
}

static void
teardown(void)
{
	expr_scope_free(scope);
}

static char *
mathml_of(const char *text)
{
	char *err = NULL, *m;
	claim_t *c = claim_parse(text, "p.md", 1, 1, scope, &err);

	ck_assert_msg(c != NULL, "'%s':\n%s", text, err);
	m = claim_mathml(c);
	claim_free(c);
	return m;
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* A claim, and what its MathML must contain (and, if not NULL, must
 * not). */
static const struct {
	const char *claim, *has, *hasnt;
} cases[] = {
	/* ∂a/∂b as a fraction, h_out1 as h with out₁ */
	{ "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] = 0",
	  "<mfrac><mrow><mo>∂</mo><msub><mi>output</mi><mrow><msub><mi>b</mi>"
	  "<mn>1</mn></msub><mo>,</mo><msub><mi>c</mi><msub><mi>out</mi>"
	  "<mn>1</mn></msub></msub>", NULL },
	/* d f / d T and an inferred range: the indices under Σ */
	{ "d f / d bias[c_out] = sum(b, h_out, w_out) df[b, c_out, h_out, w_out]",
	  "<mfrac><mrow><mo>∂</mo><mi>f</mi></mrow><mrow><mo>∂</mo><msub>"
	  "<mi>bias</mi><mrow><msub><mi>c</mi><mi>out</mi></msub></mrow>"
	  "</msub></mrow></mfrac><mo>=</mo><mrow><munder><mo>∑</mo><mrow>"
	  "<mi>b</mi><mo>,</mo><msub><mi>h</mi><mi>out</mi></msub>",
	  "munderover" },
	/* explicit ranges: one Σ per index, from lo to hi */
	{ "d f / d bias[c_out] = sum(b in 0..N-1, i in 0..H_out-1) "
	  "df[b, c_out, i, 0]",
	  "<munderover><mo>∑</mo><mrow><mi>b</mi><mo>=</mo><mn>0</mn></mrow>"
	  "<mrow><mi>N</mi><mo>−</mo><mn>1</mn></mrow></munderover>"
	  "<munderover><mo>∑</mo><mrow><mi>i</mi><mo>=</mo>", NULL },
	/* a sum's where stacked under its indices */
	{ "d f / d bias[c_out] = sum(b, h_out, w_out where h_out < 2) "
	  "df[b, c_out, h_out, w_out]",
	  "</mrow></mtd></mtr><mtr><mtd><mrow><msub><mi>h</mi><mi>out</mi>"
	  "</msub><mo>&lt;</mo><mn>2</mn></mrow></mtd></mtr></mtable></munder>",
	  NULL },
	/* a / b: a fraction, its operands bare */
	{ "output[b,c_out,h_out,w_out] = (h_out + 1) / 2.5",
	  "<mfrac><mrow><msub><mi>h</mi><mi>out</mi></msub><mo>+</mo><mn>1</mn>"
	  "</mrow><mn>2.5</mn></mfrac>", "<mo>(</mo>" },
	/* a // b: the floor of a fraction */
	{ "output[b,c_out,h_out,w_out] = h_out // 2",
	  "<mrow><mo>⌊</mo><mfrac><msub><mi>h</mi><mi>out</mi></msub><mn>2</mn>"
	  "</mfrac><mo>⌋</mo></mrow>", NULL },
	/* parentheses where the priorities need them */
	{ "output[b,c_out,h_out,w_out] = (h_out + 1) * 2 - (w_out - 1)",
	  "<mrow><mrow><mo>(</mo><mrow><msub><mi>h</mi><mi>out</mi></msub>"
	  "<mo>+</mo><mn>1</mn></mrow><mo>)</mo></mrow><mo>⋅</mo><mn>2</mn>"
	  "</mrow><mo>−</mo><mrow><mo>(</mo>", NULL },
	/* if / else if / else: a brace, three rows, the last "otherwise" */
	{ "output[b,c_out,h_out,w_out] = if h_out == 0 then 1 else if "
	  "h_out >= 1 and not w_out != 2 then 2 else 3",
	  "<mrow><mo stretchy=\"true\">{</mo><mtable class=\"cases\" "
	  "columnalign=\"left\" columnspacing=\"1em\"><mtr><mtd><mn>1</mn></mtd><mtd><mrow><mtext>"
	  "if</mtext>", NULL },
	/* the claim's where on a second row; comparisons escaped */
	{ "output[b,c_out,h_out,w_out] = abs(h_out - 1) where h_out < 3 and "
	  "w_out in 0..1 expect fail",
	  "<mtext>where</mtext><mspace width=\"0.4em\"/><mrow><mrow><msub>"
	  "<mi>h</mi><mi>out</mi></msub><mo>&lt;</mo><mn>3</mn></mrow><mo>and"
	  "</mo><mrow><msub><mi>w</mi><mi>out</mi></msub><mo>∈</mo><mrow><mo>["
	  "</mo><mn>0</mn><mo>,</mo><mn>1</mn><mo>]</mo></mrow></mrow></mrow>"
	  "<mspace width=\"1em\"/><mtext>(expect fail)</mtext>", NULL },
	{ "output[b,c_out,h_out,w_out] = abs(h_out - 1) + max(h_out, 2)",
	  "<mrow><mo>|</mo><mrow><msub><mi>h</mi><mi>out</mi></msub><mo>−</mo>"
	  "<mn>1</mn></mrow><mo>|</mo></mrow><mo>+</mo><mrow><mi>max</mi>"
	  "<mo>\xe2\x81\xa1</mo><mrow><mo>(</mo>", NULL },
	/* square: x² bare for a name, in parentheses for an access or a
	 * sum; the other functions by name */
	{ "output[b,c_out,h_out,w_out] = square(h_out) + tanh(square(w_out + 1))",
	  "<msup><msub><mi>h</mi><mi>out</mi></msub><mn>2</mn></msup><mo>+</mo>"
	  "<mrow><mi>tanh</mi><mo>\xe2\x81\xa1</mo><mrow><mo>(</mo><mrow>"
	  "<msup><mrow><mo>(</mo><mrow>", NULL },
	{ "d f / d bias[c_out] = square(bias[c_out])",
	  "<msup><mrow><mo>(</mo><msub><mi>bias</mi><mrow><msub><mi>c</mi>"
	  "<mi>out</mi></msub></mrow></msub><mo>)</mo></mrow><mn>2</mn></msup>",
	  NULL },
	/* a long claim broken into rows: before a + of the right side's
	 * chain, and a − keeps the parentheses of its right operand */
	{ "output[b,c_out,h_out,w_out] = bias[c_out] - (input[b, c_in, h_out, "
	  "w_out] * weight[c_out, c_in, 0, 0] + input[b, c_in, h_out, w_out] * "
	  "weight[c_out, c_in, 1, 1])",
	  "</msub></mrow></mtd></mtr><mtr><mtd><mrow displaystyle=\"true\">"
	  "<mspace width=\"2em\"/>"
	  "<mo>−</mo><mrow><mo>(</mo>", NULL },
	/* a long right side that is no chain goes under the left side */
	{ "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] = "
	  "if b == b1 and h_in - strh*h_out1 in 0..R-1 and w_in - strw*w_out1 "
	  "in 0..S-1 then weight[c_out1, c_in, h_in - strh*h_out1, w_in - "
	  "strw*w_out1] else 0",
	  "</mfrac></mrow></mtd></mtr><mtr><mtd><mrow displaystyle=\"true\">"
	  "<mspace width=\"2em\"/>"
	  "<mo>=</mo><mrow><mo stretchy=\"true\">{</mo>", NULL },
	{ "d f / d input = kernel matrix",
	  "<mo>∂</mo><mi>input</mi></mrow></mfrac><mo>=</mo><mtext>kernel "
	  "matrix</mtext>", NULL },
	{ "let Wm[c_out < C_out, r < C_in*R*S] = "
	  "weight[c_out, r // (R*S), (r // S) % R, r % S]",
	  "<mtext>let</mtext><mspace width=\"0.4em\"/><msub><mi>Wm</mi><mrow>"
	  "<msub><mi>c</mi><mi>out</mi></msub><mo>&lt;</mo><msub><mi>C</mi>"
	  "<mi>out</mi></msub><mo>,</mo><mi>r</mi><mo>&lt;</mo>", NULL },
	/* the source's indexing: strides[k], a name with no subscript part */
	{ "output_nhwc[b,i,j,k] = input_nhwc[b, strides[1]*i, strh*j, k]",
	  "<msub><mi>input_nhwc</mi><mrow><mi>b</mi><mo>,</mo><mrow><msub>"
	  "<mi>strides</mi><mrow><mn>1</mn></mrow></msub><mo>⋅</mo><mi>i</mi>"
	  "</mrow><mo>,</mo><mrow><mi>strh</mi>", NULL },
};

START_TEST(test_construct)
{
	char *m = mathml_of(cases[_i].claim);

	ck_assert_msg(strstr(m, cases[_i].has) != NULL,
	    "'%s'\n  gives %s\n  without %s", cases[_i].claim, m,
	    cases[_i].has);
	ck_assert_msg(cases[_i].hasnt == NULL ||
	    strstr(m, cases[_i].hasnt) == NULL, "'%s'\n  gives %s\n  with %s",
	    cases[_i].claim, m, cases[_i].hasnt);
	free(m);
}
END_TEST

/* The forward claim's rows: "output = bias" and "+ Σ ...". */
START_TEST(test_long_rows)
{
	char *m = mathml_of("output[b,c_out,h_out,w_out] = bias[c_out] + "
	    "sum(c_in, di, dj) input[b, c_in, strh*h_out + di, strw*w_out + "
	    "dj] * weight[c_out, c_in, di, dj]");

	ck_assert_int_eq(count(m, "<mtr>"), 2);
	ck_assert_msg(strstr(m, "<mtr><mtd><mrow displaystyle=\"true\">"
	    "<mspace width=\"2em\"/><mo>+"
	    "</mo><mrow><munder><mo>∑</mo>") != NULL, "%s", m);
	free(m);
	/* short: one row */
	m = mathml_of("d f / d bias[c_out] = sum(b, h_out, w_out) df[b, c_out, "
	    "h_out, w_out]");
	ck_assert_int_eq(count(m, "<mtr>"), 1);
	free(m);
}
END_TEST

START_TEST(test_cases_rows)
{
	char *m = mathml_of("d f / d bias[c_out] = if c_out == 0 then 1 "
	    "else if c_out == 1 then 2 else 3");

	ck_assert_int_eq(count(m, "<mtr>"), 3 + 1);   /* the cases, the claim */
	ck_assert_int_eq(count(m, "<mtext>if</mtext>"), 2);
	ck_assert_int_eq(count(m, "<mtext>otherwise</mtext>"), 1);
	free(m);
}
END_TEST

/* ---- well-formedness, for every claim of the bundled lessons ---- */

/* Tags balanced and properly nested, every '&' starting an entity
 * (&name; or &#N;), no '<' but a tag's, no "]]>". NULL when it is
 * well-formed, else what is wrong (static). */
static const char *
xml_problem(const char *s)
{
	const char *stack[256], *p, *end;
	size_t len[256];
	int depth = 0;

	if (strstr(s, "]]>") != NULL)
		return "]]> in the text";
	for (p = s; *p != '\0'; p++) {
		if (*p == '&') {
			end = strchr(p, ';');
			if (end == NULL || end - p < 2 || end - p > 8 ||
			    strcspn(p + 1, " <&\"") < (size_t)(end - p - 1))
				return "an '&' that is not an entity";
			continue;
		}
		if (*p != '<')
			continue;
		if ((end = strchr(p, '>')) == NULL)
			return "a '<' without its '>'";
		if (p[1] == '/') {
			if (depth == 0 || len[depth - 1] != (size_t)(end - p - 2) ||
			    strncmp(stack[depth - 1], p + 2, len[depth - 1]) != 0)
				return "a closing tag that closes nothing open";
			depth--;
		} else if (end[-1] != '/') {
			if (depth == 256)
				return "nested too deep";
			stack[depth] = p + 1;
			len[depth++] = strcspn(p + 1, " >");
		}
		p = end;
	}
	return depth == 0 ? NULL : "a tag never closed";
}

START_TEST(test_xml_checker)
{
	/* the checker itself can fail */
	ck_assert_ptr_null(xml_problem("<a><b/>x &amp; y</a>"));
	ck_assert_ptr_nonnull(xml_problem("<a><b></a></b>"));
	ck_assert_ptr_nonnull(xml_problem("<a>x & y</a>"));
	ck_assert_ptr_nonnull(xml_problem("<a>"));
	ck_assert_ptr_nonnull(xml_problem("<a>]]></a>"));
}
END_TEST

static void
check_lesson_claims(const lesson_t *l, int *nclaims)
{
	int i, k;

	for (i = 0; i < l->nsteps; i++) {
		for (k = 0; k < l->steps[i].nclaims; k++) {
			const claim_t *c = l->steps[i].claims[k];
			char *m = claim_mathml(c), *text = claim_text(c);
			char *alt = escape_xml_str(text);
			char *want = xasprintf("alttext=\"%s\"", alt);
			const char *why = xml_problem(m);

			ck_assert_msg(why == NULL, "%s:%d: %s in %s", c->file,
			    c->line, why, m);
			ck_assert_msg(strncmp(m, "<math xmlns=\"http://www.w3.org"
			    "/1998/Math/MathML\" display=\"block\"", 58) == 0,
			    "%s:%d: %s", c->file, c->line, m);
			ck_assert_msg(strstr(m, want) != NULL, "%s:%d: no %s",
			    c->file, c->line, want);
			free(want);
			free(alt);
			free(text);
			free(m);
			(*nclaims)++;
		}
	}
}

START_TEST(test_bundled_well_formed)
{
	char **paths, *err = NULL;
	int n, i, nclaims = 0;
	lesson_t *l;

	ck_assert_msg(lesson_collect(NULL, 0, &paths, &n, &err) == 0, "%s",
	    err);
	ck_assert_int_ge(n, 8);
	for (i = 0; i < n; i++) {
		l = lesson_load(paths[i], &err);
		ck_assert_msg(l != NULL, "%s", err);
		check_lesson_claims(l, &nclaims);
		lesson_free(l);
	}
	lesson_paths_free(paths, n);
	ck_assert_int_ge(nclaims, 80);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("expr_mathml");
	TCase *tc = tcase_create("mathml");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_construct, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_cases_rows);
	tcase_add_test(tc, test_long_rows);
	tcase_add_test(tc, test_xml_checker);
	tcase_add_test(tc, test_bundled_well_formed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
