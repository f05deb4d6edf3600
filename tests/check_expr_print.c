/*
 * check_expr_print.c: the check language's printers: the Unicode and ASCII
 * 2-D boxes (stacked fractions, Σ with indices beneath, subscripts, every
 * row as wide as the box), LaTeX, canonical text that parses back to the
 * same tree, and the narrow layout of every bundled lesson's claims.
 */
#include <stdlib.h>
#include <string.h>

#include "check-util.h"
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

static claim_t *
parse_ok(const char *text)
{
	char *err = NULL;
	claim_t *c = claim_parse(text, "p.md", 1, 1, scope, &err);

	ck_assert_msg(c != NULL, "'%s':\n%s", text, err);
	return c;
}

/* Every row's display width is the box's width; baseline inside. */
static void
assert_box_shape(const pp_box_t *b)
{
	int r;

	ck_assert_int_ge(b->height, 1);
	ck_assert_int_ge(b->baseline, 0);
	ck_assert_int_lt(b->baseline, b->height);
	for (r = 0; r < b->height; r++)
		ck_assert_msg(utf8_width(b->rows[r]) == b->width,
		    "row %d '%s' is %d wide, the box %d", r, b->rows[r],
		    utf8_width(b->rows[r]), b->width);
}

static bool
has_byte_above_127(const pp_box_t *b)
{
	int r;
	const unsigned char *p;

	for (r = 0; r < b->height; r++)
		for (p = (const unsigned char *)b->rows[r]; *p != '\0'; p++)
			if (*p > 127)
				return true;
	return false;
}

/* Row r with trailing blanks removed, in a static buffer. */
static const char *
row(const pp_box_t *b, int r)
{
	static char buf[1024];
	size_t n;

	ck_assert_int_lt(r, b->height);
	snprintf(buf, sizeof(buf), "%s", b->rows[r]);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
	return buf;
}

#define PARTIAL "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in]"

START_TEST(test_unicode_partial)
{
	claim_t *c = parse_ok(PARTIAL " = 0 where b != b1 expect fail");
	pp_box_t *b = claim_render(c, PP_UNICODE);

	assert_box_shape(b);
	ck_assert_int_eq(b->height, 5);
	ck_assert_int_eq(b->baseline, 1);
	ck_assert_str_eq(row(b, 0), " ∂output[b₁,c_out₁,h_out₁,w_out₁]");
	ck_assert_str_eq(row(b, 1), "────────────────────────────────── = 0");
	ck_assert_str_eq(row(b, 2), "     ∂input[b,c_in,h_in,w_in]");
	ck_assert_str_eq(row(b, 3), "  where b ≠ b₁");
	ck_assert_str_eq(row(b, 4), "  (expect fail)");
	pp_box_free(b);
	pp_box_free(NULL);
	claim_free(c);
}
END_TEST

START_TEST(test_unicode_sum)
{
	claim_t *c = parse_ok("d f / d bias[c_out] = "
	    "sum(b1, h_out1 where h_out1 <= 1) df[b1, c_out, h_out1, 0] + 1");
	pp_box_t *b = claim_render(c, PP_UNICODE);

	assert_box_shape(b);
	ck_assert_int_eq(b->baseline, 1);
	/* Σ binds a term: no parentheses needed before "+ 1". */
	ck_assert_str_eq(row(b, 0), "      ∂f");
	ck_assert_str_eq(row(b, 1), "────────────── =     Σ      df[b₁,c_out,h_out₁,0] + 1");
	ck_assert_str_eq(row(b, 2), " ∂bias[c_out]    b₁,h_out₁");
	ck_assert_str_eq(row(b, 3), "                 h_out₁ ≤ 1");
	pp_box_free(b);
	claim_free(c);
}
END_TEST

/* Before a fraction Σ is three rows tall, its middle row on the baseline;
 * ASCII keeps "sum". */
START_TEST(test_tall_sum)
{
	claim_t *c = parse_ok("d f / d bias[c_out] = "
	    "sum(b1, h_out1) df[b1, c_out, h_out1, 0] / 2 + 1");
	pp_box_t *b = claim_render(c, PP_UNICODE);

	assert_box_shape(b);
	ck_assert_int_eq(b->height, 4);
	ck_assert_int_eq(b->baseline, 1);
	ck_assert_str_eq(row(b, 0), "      ∂f            ▁▁      df[b₁,c_out,h_out₁,0]");
	ck_assert_str_eq(row(b, 1), "────────────── =    ╲      ─────────────────────── + 1");
	ck_assert_str_eq(row(b, 2), " ∂bias[c_out]       ╱▁                2");
	ck_assert_str_eq(row(b, 3), "                 b₁,h_out₁");
	pp_box_free(b);
	b = claim_render(c, PP_ASCII);
	assert_box_shape(b);
	ck_assert_int_eq(b->height, 4);
	ck_assert_int_eq(b->baseline, 1);
	ck_assert_str_eq(row(b, 0), "      d f            __      df[b1,c_out,h_out1,0]");
	ck_assert_str_eq(row(b, 1), "--------------- =    \\      ----------------------- + 1");
	ck_assert_str_eq(row(b, 2), " d bias[c_out]       /_                2");
	ck_assert_str_eq(row(b, 3), "                  b1,h_out1");
	pp_box_free(b);
	claim_free(c);
}
END_TEST

START_TEST(test_unicode_operators)
{
	claim_t *c = parse_ok("bias[c_out] = (c_out + 1) / 2 * abs(-c_out) + "
	    "c_out // 2 + c_out % 3 where c_out in 0..1 and c_out >= 0");
	pp_box_t *b = claim_render(c, PP_UNICODE);

	assert_box_shape(b);
	ck_assert_str_eq(row(b, 0), "               c_out + 1");
	ck_assert_str_eq(row(b, 1), "bias[c_out] = ─────────── · |-c_out| + "
	    "⌊c_out / 2⌋ + c_out mod 3");
	ck_assert_str_eq(row(b, 2), "                   2");
	ck_assert_str_eq(row(b, 3), "  where c_out ∈ [0, 1] and c_out ≥ 0");
	pp_box_free(b);
	claim_free(c);
}
END_TEST

/* The functions of a lab: square as a power, in parentheses unless its
 * argument is one unit, its ² on the top row of a tall argument; the
 * others as written. ASCII keeps square(...). */
START_TEST(test_functions)
{
	claim_t *c = parse_ok("bias[c_out] = 1 - square(tanh(bias[c_out])) + "
	    "square(1 - c_out) * exp(-c_out) + relu(log(2)) + square(c_out / 2)");
	pp_box_t *b = expr_render(c->rhs, PP_UNICODE), *a;

	assert_box_shape(b);
	ck_assert_int_eq(b->height, 3);
	ck_assert_str_eq(row(b, 0), "                                                                     ⎛ c_out ⎞²");
	ck_assert_str_eq(row(b, 1), "1 - tanh(bias[c_out])² + (1 - c_out)² · exp(-c_out) + "
	    "relu(log(2)) + ⎜───────⎟");
	ck_assert_str_eq(row(b, 2), "                                                                     ⎝   2   ⎠");
	a = expr_render(c->rhs, PP_ASCII);
	assert_box_shape(a);
	ck_assert(!has_byte_above_127(a));
	ck_assert_str_eq(row(a, 1), "1 - square(tanh(bias[c_out])) + square(1 - c_out) * "
	    "exp(-c_out) + relu(log(2)) + square(-------)");
	pp_box_free(a);
	pp_box_free(b);
	claim_free(c);
	c = parse_ok("bias[c_out] = square(square(c_out)) + square(-c_out)");
	b = expr_render(c->rhs, PP_UNICODE);
	ck_assert_str_eq(row(b, 0), "(c_out²)² + (-c_out)²");
	pp_box_free(b);
	claim_free(c);
}
END_TEST

/* A tall parenthesis around a multi-row box. */
START_TEST(test_tall_paren)
{
	claim_t *c = parse_ok("bias[c_out] = -(1 / 2 + c_out)");
	pp_box_t *b = expr_render(c->rhs, PP_UNICODE), *a;

	assert_box_shape(b);
	ck_assert_int_eq(b->height, 3);
	ck_assert_str_eq(row(b, 0), " ⎛ 1         ⎞");
	ck_assert_str_eq(row(b, 1), "-⎜─── + c_out⎟");
	ck_assert_str_eq(row(b, 2), " ⎝ 2         ⎠");
	a = expr_render(c->rhs, PP_ASCII);
	assert_box_shape(a);
	ck_assert(!has_byte_above_127(a));
	ck_assert_str_eq(row(a, 0), " / 1         \\");
	ck_assert_str_eq(row(a, 1), "-|--- + c_out|");
	ck_assert_str_eq(row(a, 2), " \\ 2         /");
	pp_box_free(a);
	pp_box_free(b);
	claim_free(c);
}
END_TEST

static const char *const claims[] = {
	"output[b, c_out, h_out, w_out] = bias[c_out] + sum(c_in, di, dj) "
	    "input[b, c_in, strh * h_out + di, strw * w_out + dj] * "
	    "weight[c_out, c_in, di, dj]",
	PARTIAL " = weight[c_out1, c_in, h_in - strh * h_out1, "
	    "w_in - strw * w_out1] where b == b1 and h_in in strh * h_out1.."
	    "strh * h_out1 + R - 1 and not w_in < 0 expect fail",
	"d f / d input[b, c_in, h_in, w_in] = sum(b1, c_out1, h_out1, w_out1) "
	    "df[b1, c_out1, h_out1, w_out1] * " PARTIAL,
	"d (weight[c_out, c_in, di, dj] * input[b, c_in, h_in, w_in]) / "
	    "d input[b, c_in, h_in, w_in] = if c_out == 0 then 1.5 else -2.5e-07",
	"d f / d weight = kernel matrix",
	"let cols[b < N, r < C_in * R * S, p < H_out * W_out] = "
	    "input[b, r // (R * S), strh * (p // W_out) + r // S % R, "
	    "strw * (p % W_out) + r % S]",
	"bias[c_out] = sum(k in 0..c_out, j in k..2 where 0 <= k < j) "
	    "(k - j) * (2 - (1 - k)) / (3 * (4 // 2)) - -1",
	"bias[c_out] = (sum(i) bias[i]) * 2 + min(1, max(2, 3), abs(-4)) + "
	    "(if c_out > 0 then 1 else 2) * strides[1]",
	"bias[c_out] = sum(i) sum(j in 0..i) bias[i] * (sum(k) bias[k]) + "
	    "(1 < 2) == (c_out != 0) where (c_out in 0..2) == not 1 > 2 or "
	    "c_out == 0 and c_out == 1",
	"d f / d output[b, c_out, h_out, w_out] = 0.1 + 1e+100 % 2 "
	    "where 1 < 2 <= 3 == 3",
	"d f / d output[b, c_out, h_out, w_out] = 1 - square(tanh(output[b, "
	    "c_out, h_out, w_out])) + exp(-log(2)) * relu(1 / 2 - c_out) + "
	    "square(square(-b) / 2)",
};

/* claim_text parses back to a claim whose text is the same: the tree
 * survived the trip (a changed tree would print differently). */
START_TEST(test_text_round_trip)
{
	claim_t *c = parse_ok(claims[_i]), *c2;
	char *t = claim_text(c), *t2, *err = NULL;

	c2 = claim_parse(t, "p.md", 1, 1, scope, &err);
	if (c2 == NULL && c->kind == CLAIM_LET) {   /* the let is now defined */
		free(err);
		err = NULL;
		expr_scope_free(scope);
		scope = expr_scope_create();
		c2 = claim_parse(t, "p.md", 1, 1, scope, &err);
	}
	ck_assert_msg(c2 != NULL, "'%s' does not parse back:\n%s", t, err);
	t2 = claim_text(c2);
	ck_assert_str_eq(t2, t);
	ck_assert_int_eq(c2->kind, c->kind);
	ck_assert_int_eq(c2->nfree, c->nfree);
	ck_assert_int_eq(c2->nslots, c->nslots);
	ck_assert_int_eq(c2->expect_fail, c->expect_fail);
	free(t);
	free(t2);
	claim_free(c);
	claim_free(c2);
}
END_TEST

/* The canonical text keeps only the parentheses the tree needs. */
START_TEST(test_text_exact)
{
	static const struct { const char *in, *out; } t[] = {
		{ "bias[c_out]=((1+2))*3-(4-5)", "bias[c_out] = (1 + 2) * 3 - (4 - 5)" },
		{ "bias[c_out]=sum(i)bias[i]*2+1", "bias[c_out] = sum(i) bias[i] * 2 + 1" },
		{ "bias[c_out]=2*(sum(i)bias[i])", "bias[c_out] = 2 * sum(i) bias[i]" },
		{ "bias[c_out]=(sum(i)bias[i])*2", "bias[c_out] = (sum(i) bias[i]) * 2" },
		{ "bias[c_out]=-(sum(i)bias[i])*2", "bias[c_out] = -(sum(i) bias[i]) * 2" },
		{ "bias[c_out]=1+(if 1<2 then 1 else 2)", "bias[c_out] = 1 + (if 1 < 2 then 1 else 2)" },
		{ "bias[c_out]=-(-c_out)", "bias[c_out] = --c_out" },
		{ "bias[c_out]=0.5+2.0+1e-3", "bias[c_out] = 0.5 + 2.0 + 0.001" },
		{ "bias[c_out] = 1 where not (c_out < 1 and c_out > 2)",
		  "bias[c_out] = 1 where not (c_out < 1 and c_out > 2)" },
	};
	claim_t *c = parse_ok(t[_i].in);
	char *s = claim_text(c);

	ck_assert_str_eq(s, t[_i].out);
	free(s);
	claim_free(c);
}
END_TEST

/* Every claim of the table renders in both styles with consistent rows;
 * ASCII has no byte above 127. */
START_TEST(test_render_shapes)
{
	claim_t *c = parse_ok(claims[_i]);
	pp_box_t *u = claim_render(c, PP_UNICODE), *a = claim_render(c, PP_ASCII);

	assert_box_shape(u);
	assert_box_shape(a);
	ck_assert_msg(!has_byte_above_127(a), "ASCII render of '%s'", claims[_i]);
	ck_assert_int_eq(u->height, a->height);
	ck_assert_int_eq(u->baseline, a->baseline);
	pp_box_free(u);
	pp_box_free(a);
	claim_free(c);
}
END_TEST

START_TEST(test_ascii_partial)
{
	claim_t *c = parse_ok("d f / d input[b, c_in, h_in, w_in] = "
	    "sum(c_out1, h_out1) df[b, c_out1, h_out1, 0] * " PARTIAL);
	pp_box_t *b = claim_render(c, PP_ASCII);

	assert_box_shape(b);
	ck_assert(!has_byte_above_127(b));
	ck_assert_str_eq(row(b, 0), "            d f                    __        "
	    "                        d output[b1,c_out1,h_out1,w_out1]");
	ck_assert_str_eq(row(b, 1), "--------------------------- =      \\        "
	    "df[b,c_out1,h_out1,0] * -----------------------------------");
	ck_assert_str_eq(row(b, 2), " d input[b,c_in,h_in,w_in]         /_        "
	    "                            d input[b,c_in,h_in,w_in]");
	ck_assert_str_eq(row(b, 3), "                              c_out1,h_out1");
	pp_box_free(b);
	claim_free(c);
}
END_TEST

START_TEST(test_latex)
{
	static const struct { const char *in, *out; } t[] = {
		{ PARTIAL " = weight[c_out1, c_in, di, dj]",
		  "\\frac{\\partial output_{b_1,c_{out_1},h_{out_1},w_{out_1}}}"
		  "{\\partial input_{b,c_{in},h_{in},w_{in}}} = "
		  "weight_{c_{out_1},c_{in},di,dj}" },
		{ "d f / d bias[c_out] = sum(b1, h_out1 where h_out1 <= 1) "
		  "df[b1, c_out, h_out1, 0]",
		  "\\frac{\\partial f}{\\partial bias_{c_{out}}} = "
		  "\\sum_{\\substack{b_1,h_{out_1} \\\\ h_{out_1} \\le 1}} "
		  "df_{b_1,c_{out},h_{out_1},0}" },
		{ "output_nhwc[b, i, j, k] = sum(di, dj, q) input_nhwc[b, "
		  "strides[1] * i + di, strides[2] * j + dj, q] * filter_hwio[di, dj, q, k]",
		  "output\\_nhwc_{b,i,j,k} = \\sum_{di,dj,q} input\\_nhwc_{b,"
		  "strides_{1} \\cdot i + di,strides_{2} \\cdot j + dj,q} \\cdot "
		  "filter\\_hwio_{di,dj,q,k}" },
		{ "bias[c_out] = (c_out + 1) / 2 - c_out // 2 % 3 + abs(-1) "
		  "where c_out != 0 and c_out in 0..C_out - 1 expect fail",
		  "bias_{c_{out}} = \\frac{c_{out} + 1}{2} - "
		  "\\left\\lfloor\\frac{c_{out}}{2}\\right\\rfloor \\bmod 3 + "
		  "\\left|-1\\right| \\quad \\text{where } c_{out} \\ne 0 "
		  "\\text{ and } c_{out} \\in [0, C_{out} - 1] \\quad "
		  "(\\text{expect fail})" },
		{ "d f / d input = kernel element",
		  "\\frac{\\partial f}{\\partial input} = \\text{kernel element}" },
		{ "bias[c_out] = 1 - square(tanh(bias[c_out])) + square(c_out) + "
		  "square(bias[c_out]) * relu(exp(log(2))) + min(1, max(2, 3))",
		  "bias_{c_{out}} = 1 - {\\tanh(bias_{c_{out}})}^{2} + {c_{out}}^{2} + "
		  "\\left(bias_{c_{out}}\\right)^{2} \\cdot "
		  "\\operatorname{relu}(\\exp(\\log(2))) + \\min(1, \\max(2, 3))" },
	};
	claim_t *c = parse_ok(t[_i].in);
	char *s = claim_latex(c);

	ck_assert_str_eq(s, t[_i].out);
	free(s);
	claim_free(c);
}
END_TEST

/* A long chain, mixed operators and contexts included, is drawn in one
 * row exactly as its canonical text writes it (the chain is drawn in one
 * piece now, not node by node: the same parentheses, in linear time). */
START_TEST(test_long_chain_render)
{
	static const char *const term[] = { "0", "a[i] * 2", "(1 - 2)", "3 % 2",
	    "-(1 + 2)" };
	claim_t *c;
	pp_box_t *b;
	sbuf_t t;
	char *text, *p, *q;
	int i;

	sbuf_init(&t);
	sbuf_add(&t, "let a[i < 3] = 1");
	c = parse_ok(t.s);
	claim_free(c);
	sbuf_free(&t);
	sbuf_init(&t);
	sbuf_add(&t, "output[b, c_out, h_out, w_out] = ");
	for (i = 0; i < 1900; i++)
		sbuf_addf(&t, "%s%s", i > 0 ? (i % 3 ? " + " : " - ") : "",
		    term[i % 5]);
	c = parse_ok(t.s);
	text = claim_text(c);
	ck_assert_msg(strcmp(text, t.s) == 0, "text != the claim as written");
	b = claim_render(c, PP_ASCII);
	ck_assert_int_eq(b->height, 1);
	/* the drawing writes an access's indices without spaces; strcmp:
	 * Check cannot print strings this long in a message */
	for (p = q = text; *p != '\0'; p++)
		if (!(p[0] == ' ' && p > text && p[-1] == ','))
			*q++ = *p;
	*q = '\0';
	ck_assert_msg(strcmp(b->rows[0], text) == 0, "rendering != text");

	pp_box_free(b);
	free(text);
	claim_free(c);
	sbuf_free(&t);
}
END_TEST

/* ---- laying claims out narrower (claim_render_fit) ---- */

static bool
is_alnum_ascii(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* How many times each ASCII letter, digit and '_' of a name occurs in the
 * box. A name starts with a letter or digit and goes on with those and '_'
 * (c_out1). The sigma is not a name: in ASCII a one-row sigma is the word
 * "sum" and a tall one is drawn with '_' strokes, and a stacked layout may
 * draw a sigma of another height than the one-line rendering. */
static void
alnum_counts(const pp_box_t *b, int counts[128])
{
	int r;
	const char *p, *q;

	memset(counts, 0, 128 * sizeof *counts);
	for (r = 0; r < b->height; r++)
		for (p = b->rows[r]; *p != '\0'; p = q) {
			q = p + 1;
			if (!is_alnum_ascii(*p))
				continue;
			while (is_alnum_ascii(*q) || *q == '_')
				q++;
			if (q - p == 3 && strncmp(p, "sum", 3) == 0)
				continue;
			for (; p < q; p++)
				counts[(int)*p]++;
		}
}

/* Every claim of the bundled lessons: at 76 columns (80x24) and 56 (the
 * left half at 120 columns with the source beside: the tutor's claim
 * widths) the layout fits, says every name the one-line rendering says, no
 * more; when the width is enough it is exactly claim_render's. */
START_TEST(test_claim_layout)
{
	static const int widths[] = { 76, 56 };
	static const pp_style_t styles[] = { PP_UNICODE, PP_ASCII };
	char *dir = test_data_path("../../lessons"), **paths = NULL, *err = NULL;
	int npaths = 0, i, s, k, w, st, r, nclaims = 0;

	ck_assert_msg(lesson_collect(&dir, 1, &paths, &npaths, &err) == 0,
	    "%s", err);
	for (i = 0; i < npaths; i++) {
		lesson_t *l = lesson_load(paths[i], &err);

		ck_assert_msg(l != NULL, "%s", err);
		for (s = 0; s < l->nsteps; s++)
			for (k = 0; k < l->steps[s].nclaims; k++) {
				const claim_t *c = l->steps[s].claims[k];

				nclaims++;
				for (st = 0; st < 2; st++) {
					pp_box_t *whole = claim_render(c, styles[st]);
					pp_box_t *b = claim_render_fit(c, styles[st], 10000);
					int cw[128], cb[128];

					ck_assert_int_eq(b->height, whole->height);
					for (r = 0; r < b->height; r++)
						ck_assert_str_eq(b->rows[r], whole->rows[r]);
					pp_box_free(b);
					alnum_counts(whole, cw);
					for (w = 0; w < 2; w++) {
						b = claim_render_fit(c, styles[st], widths[w]);
						assert_box_shape(b);
						ck_assert(styles[st] != PP_ASCII ||
						    !has_byte_above_127(b));
						ck_assert_msg(b->width <= widths[w],
						    "%s:%d: %d columns wide at %d", c->file,
						    c->line, b->width, widths[w]);
						alnum_counts(b, cb);
						ck_assert_msg(memcmp(cw, cb, sizeof cw) == 0,
						    "%s:%d: the layout at %d says other names",
						    c->file, c->line, widths[w]);
						pp_box_free(b);
					}
					pp_box_free(whole);
				}
			}
		lesson_free(l);
	}
	ck_assert_int_gt(nclaims, 50);
	lesson_paths_free(paths, npaths);
	free(dir);
}
END_TEST

/* Broken over lines, a part keeps the parentheses the one-line rendering
 * gives it: -(Σ x) · w must not read as -Σ (x · w); and a negation breaks
 * under its sign. */
START_TEST(test_fit_parens)
{
	claim_t *c = parse_ok("output[b, c_out, h_out, w_out] = "
	    "(-sum(c_in) input[b, c_in, h_out, w_out]) * weight[c_out, 0, 0, 0]"
	    " * weight[c_out, 1, 0, 0] + -sum(c_in) input[b, c_in, h_out, w_out]"
	    " * weight[c_out, 0, 0, 0] * weight[c_out, 1, 0, 0]");
	pp_box_t *b = claim_render_fit(c, PP_UNICODE, 40);

	assert_box_shape(b);
	ck_assert_int_le(b->width, 40);
	ck_assert_str_eq(row(b, 0), "output[b,c_out,h_out,w_out]");
	ck_assert_str_eq(row(b, 1), "  = -⎛ Σ   input[b,c_in,h_out,w_out]⎞");
	ck_assert_str_eq(row(b, 2), "     ⎝c_in                          ⎠");
	ck_assert_str_eq(row(b, 3), "      · weight[c_out,0,0,0]");
	ck_assert_str_eq(row(b, 4), "      · weight[c_out,1,0,0]");
	ck_assert_str_eq(row(b, 5), "      + - Σ   input[b,c_in,h_out,w_out]");
	ck_assert_str_eq(row(b, 6), "         c_in");
	ck_assert_str_eq(row(b, 7), "                · weight[c_out,0,0,0]");
	ck_assert_str_eq(row(b, 8), "                · weight[c_out,1,0,0]");
	ck_assert_int_eq(b->height, 9);
	pp_box_free(b);
	claim_free(c);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("expr_print");
	TCase *tc = tcase_create("print");
	int n = (int)(sizeof(claims) / sizeof(claims[0]));

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_unicode_partial);
	tcase_add_test(tc, test_unicode_sum);
	tcase_add_test(tc, test_tall_sum);
	tcase_add_test(tc, test_unicode_operators);
	tcase_add_test(tc, test_long_chain_render);
	tcase_add_test(tc, test_tall_paren);
	tcase_add_test(tc, test_functions);
	tcase_add_test(tc, test_ascii_partial);
	tcase_add_loop_test(tc, test_text_round_trip, 0, n);
	tcase_add_loop_test(tc, test_text_exact, 0, 9);
	tcase_add_loop_test(tc, test_render_shapes, 0, n);
	tcase_add_loop_test(tc, test_latex, 0, 6);
	tcase_add_test(tc, test_fit_parens);
	suite_add_tcase(s, tc);

	tc = tcase_create("layout");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_claim_layout);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
