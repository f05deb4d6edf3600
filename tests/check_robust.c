/*
 * check_robust.c: malformed input never crashes, and every refusal says
 * what and where.
 *
 * Seeded mutation tests (deterministic: the same cases on every machine).
 * Valid inputs -- claims, a check block, a small lesson, .npy files -- are
 * mutated by byte flips, truncations, deletions, duplications and
 * insertions of random bytes and of tokens that parsers trip on (brackets,
 * operators, keywords, numbers too large for a long, UTF-8 fragments, NUL,
 * fence lines), and fed to claim_parse, claims_parse_block, lesson_parse
 * and npy_read_mem. For each case:
 *   - no crash (Check's fork mode turns a crash into a failure; under
 *     --enable-sanitizers ASan and UBSan must stay silent);
 *   - a refusal comes with a non-empty message that gives a location:
 *     "FILE:LINE" (or FILE:LINE:COL) with LINE inside the text for claims
 *     and lessons, the file's name for .npy;
 *   - a success gives a usable object: a claim renders three ways, its
 *     canonical text parses again to the same text, and it can be verified
 *     at a tiny shape; a lesson's claims verify at its shape when small; a
 *     tensor's size matches its shape and every element can be read.
 * Then verify_ctx_create on random shapes (zero, negative, huge, products
 * that overflow): it works, or refuses with a message that names a field.
 *
 * Reproduce one case: ROBUST_SHOW=1 prints every input before it is fed
 * (with CK_FORK=no, the last one printed is the culprit); the loop index
 * and case number appear in every failure message.
 */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check-util.h"
#include "conv-shape.h"
#include "escape.h"
#include "expr.h"
#include "lesson.h"
#include "npy.h"
#include "tensor.h"
#include "util.h"
#include "verify.h"

/* Cases per loop iteration: a crash names its iteration, and a failure
 * message names its case. ROBUST_SCALE=K runs K times as many cases, for
 * a longer hunt (CK_RUN_CASE=mutations to skip the hostile claims). */
static int
cases(void)
{
	const char *s = getenv("ROBUST_SCALE");
	int k = s != NULL ? atoi(s) : 1;

	return 100 * (k >= 1 ? k : 1);
}
#define CASES cases()

/* ---- mutation ---- */

typedef struct buf {
	unsigned char *p;
	size_t n, cap;
} buf_t;

static void
buf_set(buf_t *b, const void *data, size_t n)
{
	b->cap = n + 64;
	b->p = xmalloc(b->cap);
	memcpy(b->p, data, n);
	b->n = n;
}

static void
buf_splice(buf_t *b, size_t at, size_t del, const void *ins, size_t nins)
{
	size_t need = b->n - del + nins + 1;

	if (need > b->cap) {
		b->cap = need * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memmove(b->p + at + nins, b->p + at + del, b->n - at - del);
	memcpy(b->p + at, ins, nins);
	b->n = b->n - del + nins;
}

/* What parsers trip on. */
static const char *const tokens[] = {
	"(", ")", "[", "]", ",", "+", "-", "*", "/", "//", "%", "..", "=",
	"==", "!=", "<", "<=", ">=", "and", "or", "not", "in", "if", "then",
	"else", "where", "expect fail", "expect", "sum(", "sum(i in 0..3) ",
	"min(", "max(", "abs(", "d ", "d f / d ", "/ d ", "d (", "let ",
	"kernel", "kernel matrix", "kernel element", "kernel nope", "f",
	"input[", "weight[", "bias[", "output[", "df[", "strides[",
	"input_nhwc[", "filter_hwio[", "output_nhwc[", "cols[", "#", "# ",
	"## ", "```", "\n```\n", "\n```check\n", "\n```shape\n",
	"\n```source\n", "N=", "R=0", "H_in=-3", "strh=99999999999999999999",
	"covers=padding,dilation", "covers=", "0", "1", "7", "-1", "2.5",
	"1e309", "1e-400", "0x10", ".5", "99999999999999999999",
	"9223372036854775807", "-9223372036854775808", "9223372036854775808",
	"4294967296", "\xe2\x88\x82", "\xe2\x88", "\xe2", "\xc3", "\x80",
	"\xf0\x9f\x98", "\xef\xbb\xbf", "\xce\xa3", "\n", "\n\n", "\t", "\r",
	" ", "    ", "\\", "\"", "'", "`", ":", ";", "{", "}", "h_out1",
	"b1", "c_in", "strh*", "R-1", "H_out", "W_out",
	/* .npy header pieces */
	"'descr':", "'<f8'", "'<f4'", "'>f8'", "'<i8'", "'fortran_order':",
	"True", "False", "'shape':", "(3,)", "(2, 3)", "(1, 1, 1, 1, 1)",
	"(-1,)", "(99999999999999999999,)", "(4294967296, 4294967296)", "()",
	"\x93NUMPY", "\x01\x00", "\x02\x00", "\x03\x00", "\xff\xff",
};
#define NTOKENS (sizeof tokens / sizeof tokens[0])

/* A position: with probability 3/4 inside [0, hot) when hot > 0 (the
 * header of a .npy file), else anywhere. */
static size_t
pick_pos(rng_t *r, size_t n, size_t hot)
{
	if (hot > 0 && hot < n && rng_below(r, 4) != 0)
		return (size_t)rng_below(r, hot + 1);
	return (size_t)rng_below(r, n + 1);
}

static void
mutate_once(buf_t *b, rng_t *r, size_t hot)
{
	size_t at = pick_pos(r, b->n, hot), len;
	unsigned char c;
	const char *tok;

	switch (rng_below(r, 10)) {
	case 0:         /* flip one bit */
		if (at < b->n)
			b->p[at] ^= (unsigned char)(1u << rng_below(r, 8));
		break;
	case 1:         /* overwrite a byte */
		if (at < b->n)
			b->p[at] = (unsigned char)rng_below(r, 256);
		break;
	case 2:         /* truncate */
		b->n = at;
		break;
	case 3:         /* insert a random byte (NUL included) */
		c = (unsigned char)rng_below(r, 256);
		buf_splice(b, at, 0, &c, 1);
		break;
	case 4:         /* insert a token */
	case 5:
		tok = tokens[rng_below(r, NTOKENS)];
		buf_splice(b, at, 0, tok, strlen(tok));
		break;
	case 6:         /* delete a run */
		len = 1 + (size_t)rng_below(r, 12);
		if (at + len > b->n)
			len = b->n - at;
		buf_splice(b, at, len, "", 0);
		break;
	case 7: {       /* duplicate a run */
		unsigned char tmp[32];

		len = 1 + (size_t)rng_below(r, sizeof tmp);
		if (at + len > b->n)
			len = b->n - at;
		memcpy(tmp, b->p + at, len);
		buf_splice(b, at, 0, tmp, len);
		break;
	}
	case 8:         /* replace a run with a token */
		tok = tokens[rng_below(r, NTOKENS)];
		len = 1 + (size_t)rng_below(r, 6);
		if (at + len > b->n)
			len = b->n - at;
		buf_splice(b, at, len, tok, strlen(tok));
		break;
	default:        /* a NUL */
		c = 0;
		buf_splice(b, at, 0, &c, 1);
		break;
	}
}

/* 1 to 3 mutations; case k of a family gets its own seed. */
static void
mutate(buf_t *b, uint64_t family, int k, size_t hot)
{
	rng_t r;
	int i, m;

	rng_seed(&r, family * 1000003u + (uint64_t)k);
	m = 1 + (int)rng_below(&r, 3);
	for (i = 0; i < m; i++)
		mutate_once(b, &r, hot);
	b->p[b->n] = '\0';   /* for the parsers that take C strings */
}

/* Gentle mutations keep a claim well-formed, so the evaluator and the
 * verifier see it: a number (a digit not inside a name) replaced by
 * another value -- huge ones, overflowing ones, divisions by zero -- or
 * an operator by another operator. */
static const char *const gentle_values[] = {
	"0", "1", "-1", "2", "7", "2.5", "0.0", "1e309", "99999999999999999999",
	"9223372036854775807", "(-9223372036854775807 - 1)",
	"4611686018427387904", "N", "R", "S", "strh", "strw", "H_out", "W_out",
	"C_in", "pad_h", "dil_w", "(R - R)", "(0 - 1)",
	"9223372036854775807 * 2", "(9223372036854775807 + 1)",
	"-(-9223372036854775807 - 1)", "(-9223372036854775807 - 1) // -1",
	"(-9223372036854775807 - 1) % -1", "abs(-9223372036854775807 - 1)",
	"(1 // 0)", "(1 % 0)", "(1.0 / 0)", "(0.0 / 0.0)",
	"sum(i in 0..3) i", "sum(i in 5..2) 1",
	"min(9223372036854775807, 1)", "(H_out * 4611686018427387904)",
};
static const char *const gentle_ops[] = {
	"+", "-", "*", "/", "//", "%", "<", "<=", "==", "!=", ">", ">=",
};
#define NVALUES (sizeof gentle_values / sizeof gentle_values[0])
#define NOPS (sizeof gentle_ops / sizeof gentle_ops[0])

static bool
is_name_char(unsigned char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static void
mutate_gentle(buf_t *b, uint64_t family, int k)
{
	rng_t r;
	int i, m;

	rng_seed(&r, family * 1000003u + (uint64_t)k);
	m = 1 + (int)rng_below(&r, 2);
	for (i = 0; i < m && b->n > 0; i++) {
		size_t at = (size_t)rng_below(&r, b->n), tries;
		const char *tok = NULL;

		for (tries = 0; tries < b->n; tries++, at = (at + 1) % b->n) {
			unsigned char c = b->p[at];
			bool alone = (at == 0 || !is_name_char(b->p[at - 1])) &&
			    (at + 1 >= b->n || !is_name_char(b->p[at + 1]));

			if (c >= '0' && c <= '9' && alone) {
				tok = gentle_values[rng_below(&r, NVALUES)];
				break;
			}
			if (strchr("+-*%<>", c) != NULL && c != '\0' && at > 0 &&
			    b->p[at - 1] == ' ' && at + 1 < b->n &&
			    b->p[at + 1] == ' ') {
				tok = gentle_ops[rng_below(&r, NOPS)];
				break;
			}
		}
		if (tok != NULL)
			buf_splice(b, at, 1, tok, strlen(tok));
	}
	b->p[b->n] = '\0';
}

static bool
show_cases(void)
{
	const char *s = getenv("ROBUST_SHOW");

	return s != NULL && *s != '\0' && strcmp(s, "0") != 0;
}

static void
show(const char *what, int k, const buf_t *b)
{
	size_t i;

	if (!show_cases())
		return;
	fprintf(stderr, "--- %s case %d (%zu bytes):\n", what, k, b->n);
	for (i = 0; i < b->n; i++) {
		unsigned char c = b->p[i];

		if (c == '\n' || (c >= 32 && c < 127 && c != '\\'))
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fputs("\n---\n", stderr);
	fflush(stderr);
}

/* With ROBUST_SHOW: the outcome of the case just shown. */
static void
outcome(const char *what, int k, const char *err)
{
	if (show_cases())
		fprintf(stderr, "=== %s case %d: %s%s\n", what, k,
		    err != NULL ? "refused: " : "accepted", err != NULL ? err : "");
}

static int
count_lines(const char *s, size_t n)
{
	int lines = 1;
	size_t i;

	for (i = 0; i < n; i++)
		lines += s[i] == '\n';
	return lines;
}

/* err names file and a line in lo..hi: "FILE:LINE" somewhere in it (and
 * ":COL" >= 1 when a column follows). */
static bool
has_location(const char *err, const char *file, int lo, int hi)
{
	size_t fl = strlen(file);
	const char *p = err;

	while ((p = strstr(p, file)) != NULL) {
		const char *q = p + fl;
		char *end;
		long line, col;

		p = q;
		if (*q != ':' || q[1] < '0' || q[1] > '9')
			continue;
		line = strtol(q + 1, &end, 10);
		if (line < lo || line > hi)
			continue;
		if (*end == ':' && end[1] >= '0' && end[1] <= '9') {
			col = strtol(end + 1, &end, 10);
			if (col < 1)
				continue;
		}
		return true;
	}
	return false;
}

/* ---- a tiny world to verify successes in ---- */

static verify_ctx_t *
tiny_ctx(void)
{
	conv_shape_t s;
	verify_opts_t o;
	char *err = NULL;
	verify_ctx_t *vc;

	conv_shape_init(&s, 1, 2, 4, 5, 2, 2, 3);
	s.strw = 2;
	verify_opts_default(&o);
	o.max_tuples = 400;
	vc = verify_ctx_create(&s, &o, &err);
	ck_assert_msg(vc != NULL, "tiny shape: %s", err ? err : "?");
	return vc;
}

/* Verify c in vc: a result or a message, and a single-point check at the
 * counterexample. */
static void
use_verify(verify_ctx_t *vc, const claim_t *c, const char *where, int k)
{
	verify_result_t r;
	char *err = NULL;

	memset(&r, 0, sizeof r);
	if (verify_claim(vc, c, &r, &err) != 0) {
		ck_assert_msg(err != NULL && *err != '\0',
		    "%s case %d: verify_claim refused without a message", where, k);
		free(err);
		return;
	}
	ck_assert_msg(r.checked <= r.total, "%s case %d: checked %zu of %zu",
	    where, k, r.checked, r.total);
	ck_assert(verdict_name(r.verdict) != NULL);
	if (r.has_cex && c->kind != CLAIM_LET) {
		verify_point_t pt;
		char *s = verify_cex_str(c, &r);

		ck_assert_ptr_nonnull(s);
		free(s);
		memset(&pt, 0, sizeof pt);
		if (verify_claim_at(vc, c, r.cex, &pt, &err) == 0)
			free(pt.finding);
		else {
			ck_assert_msg(err != NULL && *err != '\0', "%s case %d: "
			    "verify_claim_at refused without a message", where, k);
			free(err);
		}
	}
	verify_result_clear(&r);
}

static void
use_render(const claim_t *c, const char *where, int k)
{
	static const pp_style_t styles[] = { PP_UNICODE, PP_ASCII };
	size_t i;
	char *s;

	for (i = 0; i < 2; i++) {
		pp_box_t *bx = claim_render(c, styles[i]);
		int row;

		ck_assert_msg(bx != NULL && bx->height >= 1 && bx->width >= 0,
		    "%s case %d: claim_render gave no box", where, k);
		for (row = 0; row < bx->height; row++)
			ck_assert_ptr_nonnull(bx->rows[row]);
		pp_box_free(bx);
	}
	s = claim_latex(c);
	ck_assert_msg(s != NULL && *s != '\0', "%s case %d: no LaTeX", where, k);
	free(s);
}

/* ---- claims ---- */

static const char *const base_claims[] = {
	"d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] = "
	"if h_in in strh*h_out1..strh*h_out1+R-1 then "
	"weight[c_out1,c_in,h_in-strh*h_out1,w_in-strw*w_out1] else 0 "
	"where b1 == b",
	"output[b,c_out,h_out,w_out] = bias[c_out] + sum(c_in, di, dj)\n"
	"    input[b, c_in, strh*h_out + di, strw*w_out + dj] * "
	"weight[c_out, c_in, di, dj]",
	"d f / d weight[c_out,c_in,di,dj] = sum(b, h_out, w_out where "
	"h_out >= 0)\n    df[b,c_out,h_out,w_out] * input[b, c_in, "
	"strh*h_out + di, strw*w_out + dj]\n    expect fail",
	"let cols[b < N, row < C_in*R*S, col < H_out*W_out] =\n"
	"    input[b, row // (R*S), strh*(col // W_out) + row % (R*S) // S,\n"
	"          strw*(col % W_out) + row % S]",
	"d (input[b,c_in,h_in,w_in] * 3 - -2 / 4) / d input[b,c_in,h_in,w_in]"
	" = max(3, abs(-1), min(2, 5)) + (1 <= 2 < 3) * 0.0",
	"d f / d input = kernel matrix",
	"output_nhwc[b,h,w,c_out] = sum(di, dj, c_in) input_nhwc[b, "
	"strides[1]*h + di, strides[2]*w + dj, c_in] * "
	"filter_hwio[di, dj, c_in, c_out] where not (h < 0 or w > 99)",
	"d f / d bias[c_out] = sum(b, h_out, w_out) df[b,c_out,h_out,w_out]",
};
#define NBASE_CLAIMS ((int)(sizeof base_claims / sizeof base_claims[0]))
#define CLAIM_LINE 12
#define CLAIM_COL 5

/* The canonical text of a parsed claim parses again, to the same text. */
static void
use_roundtrip(const claim_t *c, int k)
{
	char *text = claim_text(c), *err = NULL, *again;
	expr_scope_t *sc = expr_scope_create();
	claim_t *c2;

	ck_assert_msg(text != NULL && *text != '\0', "claim case %d: no "
	    "canonical text", k);
	c2 = claim_parse(text, "canon.chk", 1, 1, sc, &err);
	ck_assert_msg(c2 != NULL, "claim case %d: canonical text does not parse "
	    "again:\n  claim: %s\n  canonical: %s\n  %s", k, c->text, text,
	    err ? err : "?");
	again = claim_text(c2);
	ck_assert_msg(strcmp(text, again) == 0, "claim case %d: canonical text "
	    "not stable:\n  %s\n  %s", k, text, again);
	free(again);
	claim_free(c2);
	expr_scope_free(sc);
	free(text);
}

START_TEST(test_claim_mutations)
{
	verify_ctx_t *vc = tiny_ctx();
	int k;

	for (k = _i * CASES; k < (_i + 1) * CASES; k++) {
		const char *base = base_claims[k % NBASE_CLAIMS];
		expr_scope_t *sc = expr_scope_create();
		char *err = NULL;
		claim_t *c;
		buf_t b;

		buf_set(&b, base, strlen(base));
		if (k % 2)
			mutate_gentle(&b, 1, k);
		else
			mutate(&b, 1, k, 0);
		show("claim", k, &b);
		c = claim_parse((char *)b.p, "robust.chk", CLAIM_LINE, CLAIM_COL,
		    sc, &err);
		outcome("claim", k, err);
		if (c == NULL) {
			ck_assert_msg(err != NULL && *err != '\0', "claim case %d: "
			    "refused without a message:\n%s", k, (char *)b.p);
			ck_assert_msg(has_location(err, "robust.chk", CLAIM_LINE,
			    CLAIM_LINE + count_lines((char *)b.p, strlen((char *)b.p))),
			    "claim case %d: no location in the message:\n%s\n"
			    "for:\n%s", k, err, (char *)b.p);
			free(err);
		} else {
			ck_assert_ptr_nonnull(c->text);
			use_render(c, "claim", k);
			use_roundtrip(c, k);
			use_verify(vc, c, "claim", k);
			verify_ctx_clear_lets(vc);
			claim_free(c);
		}
		expr_scope_free(sc);
		free(b.p);
	}
	verify_ctx_free(vc);
}
END_TEST

/* ---- check blocks ---- */

static const char base_block[] =
    "# a let, then a claim that uses it\n"
    "let cols[b < N, row < C_in*R*S, col < H_out*W_out] =\n"
    "    input[b, row // (R*S), strh*(col // W_out) + row % (R*S) // S,\n"
    "          strw*(col % W_out) + row % S]\n"
    "\n"
    "output[b,c_out,h_out,w_out] = bias[c_out] + sum(k in 0..C_in*R*S-1)\n"
    "    weight[c_out, k // (R*S), k % (R*S) // S, k % S] *\n"
    "    cols[b, k, h_out*W_out + w_out]\n"
    "\n"
    "# an erratum\n"
    "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] = 0\n"
    "    where b != b1 or not (w_in in strw*w_out1 .. strw*h_out1 + S - 1)\n"
    "    expect fail\n"
    "\n"
    "d f / d weight = kernel element\n";
#define BLOCK_LINE 40

START_TEST(test_block_mutations)
{
	verify_ctx_t *vc = tiny_ctx();
	int k;

	for (k = _i * CASES; k < (_i + 1) * CASES; k++) {
		expr_scope_t *sc = expr_scope_create();
		claim_t **claims = NULL;
		char *err = NULL;
		int n = -1, j;
		buf_t b;

		buf_set(&b, base_block, strlen(base_block));
		if (k % 2)
			mutate_gentle(&b, 2, k);
		else
			mutate(&b, 2, k, 0);
		show("block", k, &b);
		j = claims_parse_block((char *)b.p, "robust.md", BLOCK_LINE, sc,
		    &claims, &n, &err);
		outcome("block", k, err);
		if (j != 0) {
			ck_assert_msg(err != NULL && *err != '\0', "block case %d: "
			    "refused without a message:\n%s", k, (char *)b.p);
			ck_assert_msg(has_location(err, "robust.md", BLOCK_LINE,
			    BLOCK_LINE + count_lines((char *)b.p, strlen((char *)b.p))),
			    "block case %d: no location in the message:\n%s\nfor:\n%s",
			    k, err, (char *)b.p);
			free(err);
		} else {
			ck_assert_int_ge(n, 0);
			for (j = 0; j < n; j++) {
				ck_assert_ptr_nonnull(claims[j]);
				ck_assert_int_ge(claims[j]->line, BLOCK_LINE);
				use_render(claims[j], "block", k);
				use_verify(vc, claims[j], "block", k);
			}
			verify_ctx_clear_lets(vc);
			for (j = 0; j < n; j++)
				claim_free(claims[j]);
			free(claims);
		}
		expr_scope_free(sc);
		free(b.p);
	}
	verify_ctx_free(vc);
}
END_TEST

/* ---- lessons ---- */

static const char base_lesson[] =
    "# Robust lesson\n"
    "\n"
    "An introduction with *emphasis* and `code`.\n"
    "\n"
    "```shape\n"
    "N=1 C_in=2 H_in=4 W_in=5 C_out=2 R=2 S=3 strh=1 strw=2\n"
    "```\n"
    "\n"
    "## Forward\n"
    "\n"
    "The forward pass.\n"
    "\n"
    "```check\n"
    "# forward with bias\n"
    "output[b,c_out,h_out,w_out] = bias[c_out] + sum(c_in, di, dj)\n"
    "    input[b, c_in, strh*h_out + di, strw*w_out + dj] *\n"
    "    weight[c_out, c_in, di, dj]\n"
    "```\n"
    "\n"
    "```source\n"
    "$$output = \\sum_{di} input \\cdot weight$$\n"
    "```\n"
    "\n"
    "## Derivatives\n"
    "\n"
    "- a list\n"
    "- of items\n"
    "\n"
    "```check\n"
    "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] =\n"
    "    if h_in in strh*h_out1..strh*h_out1+R-1 then\n"
    "    weight[c_out1,c_in,h_in-strh*h_out1,w_in-strw*w_out1] else 0\n"
    "    where b1 == b and w_in - strw*w_out1 in 0..S-1\n"
    "\n"
    "d f / d bias[c_out] = sum(b, h_out, w_out) df[b,c_out,h_out,w_out]\n"
    "\n"
    "d f / d input = kernel element\n"
    "```\n";

/* Verify a parsed lesson when its shape is small enough to be quick. */
static void
use_lesson(const lesson_t *l, int k)
{
	verify_opts_t o;
	verify_ctx_t *vc;
	char *err = NULL;
	int i, j;

	ck_assert_ptr_nonnull(l->title);
	ck_assert_int_ge(l->nsteps, 0);
	for (i = 0; i < l->nsteps; i++) {
		ck_assert_ptr_nonnull(l->steps[i].title);
		for (j = 0; j < l->steps[i].nclaims; j++)
			use_render(l->steps[i].claims[j], "lesson", k);
	}
	if (conv_input_size(&l->shape) > 64 || conv_output_size(&l->shape) > 64 ||
	    conv_weight_size(&l->shape) > 64)
		return;
	verify_opts_default(&o);
	o.max_tuples = 400;
	vc = verify_ctx_create(&l->shape, &o, &err);
	ck_assert_msg(vc != NULL, "lesson case %d: its validated shape is "
	    "refused: %s", k, err ? err : "?");
	for (i = 0; i < l->nsteps; i++) {
		for (j = 0; j < l->steps[i].nclaims; j++)
			use_verify(vc, l->steps[i].claims[j], "lesson", k);
	}
	verify_ctx_free(vc);
}

START_TEST(test_lesson_mutations)
{
	int k;

	for (k = _i * CASES; k < (_i + 1) * CASES; k++) {
		char *err = NULL;
		lesson_t *l;
		buf_t b;

		buf_set(&b, base_lesson, strlen(base_lesson));
		if (k % 3 == 0)
			mutate_gentle(&b, 3, k);
		else
			mutate(&b, 3, k, 0);
		show("lesson", k, &b);
		l = lesson_parse((char *)b.p, b.n, "robust.md", &err);
		outcome("lesson", k, err);
		if (l == NULL) {
			ck_assert_msg(err != NULL && *err != '\0', "lesson case %d: "
			    "refused without a message:\n%s", k, (char *)b.p);
			ck_assert_msg(has_location(err, "robust.md", 1,
			    count_lines((char *)b.p, b.n) + 1), "lesson case %d: no "
			    "location in the message:\n%s\nfor:\n%s", k, err,
			    (char *)b.p);
			free(err);
		} else {
			use_lesson(l, k);
			lesson_free(l);
		}
		free(b.p);
	}
}
END_TEST

/* ---- .npy ---- */

/* Bytes of a valid .npy file: written by npy_write (k even) or one of the
 * NumPy-written fixtures. */
static const char *const npy_fixtures[] = {
	"np-f8-v1.npy", "np-f4-v1.npy", "np-f8-v2.npy", "np-f8-v3.npy",
	"np-0d.npy",
};
#define NFIXTURES ((int)(sizeof npy_fixtures / sizeof npy_fixtures[0]))

static void
npy_base(int which, buf_t *b)
{
	char *data = NULL, *err = NULL, *path;
	size_t len = 0;

	if (which < NFIXTURES) {
		path = test_data_path(npy_fixtures[which]);
	} else {
		static const size_t shapes[][4] = { { 3, 1, 1, 1 }, { 2, 3, 1, 1 },
		    { 1, 2, 3, 2 }, { 2, 1, 2, 2 } };
		int nd = 1 + (which - NFIXTURES) % 4;
		tensor_t *t = tensor_create(nd, shapes[nd - 1]);
		rng_t r;

		rng_seed(&r, (uint64_t)which);
		tensor_fill_uniform(t, &r, -1, 1);
		path = xasprintf("/tmp/check_robust-%ld-%d.npy", (long)getpid(),
		    which);
		ck_assert_msg(npy_write(path, t, &err) == 0, "npy_write: %s", err);
		tensor_free(t);
	}
	ck_assert_msg(read_file(path, &data, &len, &err) == 0, "%s: %s", path,
	    err ? err : "?");
	if (which >= NFIXTURES)
		unlink(path);
	free(path);
	buf_set(b, data, len);
	free(data);
}

START_TEST(test_npy_mutations)
{
	buf_t bases[NFIXTURES + 4];
	int k, j;

	for (j = 0; j < NFIXTURES + 4; j++)
		npy_base(j, &bases[j]);
	for (k = _i * CASES; k < (_i + 1) * CASES; k++) {
		const buf_t *base = &bases[k % (NFIXTURES + 4)];
		tensor_t *t = NULL;
		char *err = NULL;
		unsigned char *copy;
		buf_t b;

		buf_set(&b, base->p, base->n);
		mutate(&b, 4, k, 128);
		show("npy", k, &b);
		/* an exact-size copy, so ASan sees a read past the end */
		copy = xmalloc(b.n + 1);
		memcpy(copy, b.p, b.n);
		j = npy_read_mem(copy, b.n, "robust.npy", &t, &err);
		outcome("npy", k, err);
		if (j != 0) {
			ck_assert_msg(err != NULL && strstr(err, "robust.npy") != NULL,
			    "npy case %d: message without the file's name: %s", k,
			    err ? err : "(none)");
			free(err);
		} else {
			size_t n = 1, i;
			double sum = 0;
			int d;

			ck_assert_ptr_nonnull(t);
			ck_assert_int_ge(t->ndim, 0);
			ck_assert_int_le(t->ndim, TENSOR_MAX_DIMS);
			for (d = 0; d < t->ndim; d++)
				n *= t->shape[d];
			ck_assert_msg(n == t->size, "npy case %d: size %zu, shape "
			    "product %zu", k, t->size, n);
			for (i = 0; i < t->size; i++)
				sum += isnan(t->data[i]) ? 0 : 1;
			ck_assert(sum <= (double)t->size);
			tensor_free(t);
		}
		free(copy);
		free(b.p);
	}
	for (j = 0; j < NFIXTURES + 4; j++)
		free(bases[j].p);
}
END_TEST

/* ---- shapes ---- */

static long
pick_value(rng_t *r)
{
	static const long values[] = { -1, 0, 1, 1, 2, 2, 3, 5, 7, 65536,
	    2147483647L, 2147483648L, 4294967297L, 1L << 40, LONG_MAX, LONG_MIN,
	    -2147483648L, LONG_MAX / 2 + 1 };

	return values[rng_below(r, sizeof values / sizeof values[0])];
}

/* A field, a tensor, or the memory limit named in the message. */
static bool
names_a_field(const char *err)
{
	static const char *const names[] = { "N", "C_in", "H_in", "W_in",
	    "C_out", "R", "S", "strh", "strw", "pad_h", "pad_w", "dil_h",
	    "dil_w", "H_out", "W_out", "input", "weight", "output", "memory" };
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *p = err;
		size_t n = strlen(names[i]);

		/* as a word: not inside another identifier */
		while ((p = strstr(p, names[i])) != NULL) {
			bool left = p == err || !(p[-1] == '_' ||
			    (p[-1] >= 'a' && p[-1] <= 'z') ||
			    (p[-1] >= 'A' && p[-1] <= 'Z'));
			bool right = !(p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z') ||
			    (p[n] >= 'A' && p[n] <= 'Z'));

			if (left && right)
				return true;
			p += n;
		}
	}
	return false;
}

START_TEST(test_shapes)
{
	int k, made = 0;

	for (k = _i * CASES * 4; k < (_i + 1) * CASES * 4; k++) {
		conv_shape_t s, v;
		rng_t r;
		char *err = NULL, *err2 = NULL;
		verify_ctx_t *vc;
		long *f[] = { &s.N, &s.C_in, &s.H_in, &s.W_in, &s.C_out, &s.R,
		    &s.S, &s.strh, &s.strw, &s.pad_h, &s.pad_w, &s.dil_h, &s.dil_w };
		size_t j;
		int ok;

		rng_seed(&r, 5000000u + (uint64_t)k);
		conv_shape_init(&s, 1 + (long)rng_below(&r, 2), 1 + (long)rng_below(&r, 3),
		    3 + (long)rng_below(&r, 4), 3 + (long)rng_below(&r, 4),
		    1 + (long)rng_below(&r, 3), 1 + (long)rng_below(&r, 3),
		    1 + (long)rng_below(&r, 3));
		/* one to four fields get a hostile value */
		for (j = 0; j < 1 + rng_below(&r, 4); j++)
			*f[rng_below(&r, sizeof f / sizeof f[0])] = pick_value(&r);
		v = s;
		ok = conv_shape_validate(&v, 0, &err);
		if (ok != 0) {
			ck_assert_msg(err != NULL && names_a_field(err), "shape case %d:"
			    " conv_shape_validate's message names no field: %s", k,
			    err ? err : "(none)");
			vc = verify_ctx_create(&s, NULL, &err2);
			ck_assert_msg(vc == NULL, "shape case %d: verify_ctx_create "
			    "accepted a shape conv_shape_validate refuses", k);
			ck_assert_msg(err2 != NULL && names_a_field(err2), "shape case "
			    "%d: verify_ctx_create's message names no field: %s", k,
			    err2 ? err2 : "(none)");
			free(err);
			free(err2);
			continue;
		}
		ck_assert_int_ge(v.H_out, 1);
		ck_assert_int_ge(v.W_out, 1);
		/* valid: build the world only when it is small (a valid shape
		 * may take up to the 4 GiB limit) */
		if (conv_shape_bytes(&v) > ((size_t)1 << 22))
			continue;
		vc = verify_ctx_create(&s, NULL, &err2);
		ck_assert_msg(vc != NULL, "shape case %d: valid shape refused: %s",
		    k, err2 ? err2 : "?");
		ck_assert_int_eq(verify_ctx_shape(vc)->H_out, v.H_out);
		ck_assert_ptr_nonnull(verify_ctx_tensor(vc, "output"));
		verify_ctx_free(vc);
		made++;
	}
	(void)made;
}
END_TEST

/* ---- hostile but well-formed claims ---- */

/* Each must parse or be refused with a location, and, parsed, be verified
 * at the tiny shape within the tcase's timeout: a result or a message,
 * never a hang, an abort or a fatal exit. */
static const char *const hostile_claims[] = {
	/* a sum whose range ends at LONG_MAX: the index must not overflow */
	"d f / d bias[c_out] = sum(i in 9223372036854775806..9223372036854775807) 0",
	"d f / d bias[c_out] = sum(i in 0..9223372036854775807) 0",
	/* a sum of 1e11 terms at one tuple: refused or cancelled, not a hang */
	"d f / d bias[c_out] = sum(i in 0..99999999999) 0",
	"d f / d bias[c_out] = sum(i in -9223372036854775807-1..-9223372036854775807) 0",
	"d f / d bias[c_out] = sum(i in 0..2, j in 0..9223372036854775807 where j < 1) i",
	/* lets with dimensions that are empty, negative or too large */
	"let t[i < 0] = 1",
	"let t[i < -5] = 1",
	"let t[i < 4611686018427387904] = 1",
	"let t[i < 9223372036854775807] = 1",
	"let t[i < 65536, j < 65536, k < 65536] = 1",
	"let t[i < 2, j < 2, k < 2, l < 2, m < 2] = 1",
	"let t[i < 1000000000, j < 1000000000, k < 1000000000] = 1",
	"let t[i < 1000000000] = i",
	/* integer arithmetic at the edges */
	"d f / d bias[c_out] = (-9223372036854775807 - 1) // -1",
	"d f / d bias[c_out] = (-9223372036854775807 - 1) % -1",
	"d f / d bias[c_out] = abs(-9223372036854775807 - 1)",
	"d f / d bias[c_out] = -(-9223372036854775807 - 1)",
	"d f / d bias[c_out] = 9223372036854775807 * 9223372036854775807",
	"d f / d bias[c_out] = 9223372036854775807 + 1",
	"d f / d bias[c_out] = -9223372036854775807 - 2",
	"d f / d bias[c_out] = 1 // 0 + 1 % 0",
	"d f / d bias[c_out] = bias[9223372036854775807]",
	"d f / d bias[c_out] = bias[-9223372036854775807 - 1]",
	"d f / d bias[c_out] = bias[c_out + 4611686018427387904 * 2]",
	"d f / d bias[c_out] = strides[9223372036854775807]",
	"d f / d bias[c_out] = strides[-1]",
	"d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] = 0 "
	    "where b1 * 9223372036854775807 * 9223372036854775807 == b",
	"d (input[b,c_in,h_in,w_in] * 1e308 * 1e308) / d input[b,c_in,h_in,w_in] = 0",
	"d (input[b,c_in,h_in + 9223372036854775807,w_in]) / d input[b,c_in,h_in,w_in] = 0",
	"output[b,c_out,h_out,w_out] = 1e309 - 1e309",
	"output[b,c_out,h_out,w_out] = 0.0 / 0.0",
};
#define NHOSTILE ((int)(sizeof hostile_claims / sizeof hostile_claims[0]))

START_TEST(test_hostile_claims)
{
	verify_ctx_t *vc = tiny_ctx();
	expr_scope_t *sc = expr_scope_create();
	const char *text = hostile_claims[_i];
	char *err = NULL;
	claim_t *c;

	c = claim_parse(text, "robust.chk", CLAIM_LINE, CLAIM_COL, sc, &err);
	if (c == NULL) {
		ck_assert_msg(err != NULL && has_location(err, "robust.chk",
		    CLAIM_LINE, CLAIM_LINE), "hostile claim %d: no location in the "
		    "message: %s\nfor: %s", _i, err ? err : "(none)", text);
		free(err);
	} else {
		use_render(c, "hostile", _i);
		use_verify(vc, c, "hostile", _i);
		claim_free(c);
	}
	expr_scope_free(sc);
	verify_ctx_free(vc);
}
END_TEST

/* The memory limit bounds the lets together with the world's tensors:
 * each let fits alone, the third does not fit beside the first two (three
 * lets of 4 GiB were each allowed). Refused before allocating, with
 * file:line:col and both sizes; a let that alone is over the limit says
 * so. The limit is lowered to 9000 bytes (the world here takes 312) so
 * the lets stay small. */
START_TEST(test_let_total)
{
	conv_shape_t s;
	verify_opts_t o;
	verify_ctx_t *vc;
	expr_scope_t *sc = expr_scope_create();
	static const char *const lets[] = { "let a[i < 400] = 1",
	    "let b[i < 400] = 2", "let c[i < 400] = 3", "let e[i < 2000] = 4" };
	char *err = NULL;
	verify_result_t r;
	size_t k;

	conv_shape_init(&s, 1, 1, 3, 3, 1, 2, 2);
	verify_opts_default(&o);
	o.max_bytes = 9000;
	vc = verify_ctx_create(&s, &o, &err);
	ck_assert_msg(vc != NULL, "%s", err);
	for (k = 0; k < 4; k++) {
		claim_t *c = claim_parse(lets[k], "m.md", 7, 1, sc, &err);
		int rc;

		ck_assert_msg(c != NULL, "%s", err);
		memset(&r, 0, sizeof r);
		rc = verify_claim(vc, c, &r, &err);
		if (k < 2) {
			ck_assert_msg(rc == 0 && r.verdict == VERDICT_DEFINED,
			    "let %zu: %s", k, rc ? err : verdict_name(r.verdict));
		} else {
			ck_assert_int_eq(rc, -1);
			ck_assert_msg(strstr(err, k == 2 ? "m.md:7:1: error: the let 'c' "
			    "(400 entries) needs 3200 bytes; with the " :
			    "m.md:7:1: error: the let 'e' (2000 entries) needs 1.6e+04 "
			    "bytes, over the memory limit of 9000 bytes") != NULL,
			    "%s", err);
			ck_assert(k != 2 || strstr(err, "bytes of the tensors and lets "
			    "before it, that is over the memory limit of 9000 bytes"));
			ck_assert_ptr_null(verify_ctx_tensor(vc, k == 2 ? "c" : "e"));
			free(err);
		}
		verify_result_clear(&r);
		claim_free(c);
	}
	expr_scope_free(sc);
	verify_ctx_free(vc);
}
END_TEST

/* escape_ascii_fold: the lessons' signs by their ASCII spelling, subscript
 * digits as digits, anything else (CJK, invalid bytes) as '?', so the
 * result is always ASCII. */
START_TEST(test_ascii_fold)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "∂output/∂input", "doutput/dinput" },
		{ "strh·h_out1 + R − 1", "strh*h_out1 + R - 1" },
		{ "h_out₁ ≠ w_out₁, a ≤ b ≥ c", "h_out1 != w_out1, a <= b >= c" },
		{ "Σ Wmᵀ → ✓ ✗", "sum Wm^T -> ok X" },
		{ "input求导", "input??" },
		{ "bad \xff byte", "bad ? byte" },
		{ "cut \xe2\x88", "cut ??" },
		{ "", "" },
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = escape_ascii_fold(cases[i].in);
		ck_assert_str_eq(s, cases[i].out);
		free(s);
	}
	s = escape_ascii_fold(NULL);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("robust");
	TCase *tc = tcase_create("mutations");

	/* a sanitizer build is several times slower */
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_claim_mutations, 0, 20);
	tcase_add_loop_test(tc, test_block_mutations, 0, 6);
	tcase_add_loop_test(tc, test_lesson_mutations, 0, 10);
	tcase_add_loop_test(tc, test_npy_mutations, 0, 20);
	tcase_add_loop_test(tc, test_shapes, 0, 5);
	suite_add_tcase(s, tc);
	/* one tuple of a hostile claim must not take long: 5 s is ample even
	 * under the sanitizers (each claim is its own test, so a hang names
	 * its claim) */
	tc = tcase_create("hostile");
	tcase_set_timeout(tc, 5);
	tcase_add_loop_test(tc, test_hostile_claims, 0, NHOSTILE);
	tcase_add_test(tc, test_let_total);
	tcase_add_test(tc, test_ascii_fold);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
