/*
 * check_json.c: JSON strings and numbers (json.h) and the UTF-8 validation
 * under them (escape.h). Strings: quotes, backslashes and control
 * characters escaped, valid UTF-8 kept, each invalid byte (stray
 * continuation, overlong, surrogate, past U+10FFFF, cut short, bytes that
 * are never UTF-8) replaced by \ufffd. Numbers: read back exactly, as
 * short as that allows, null for NaN and the infinities, '.' whatever the
 * locale.
 */
#include <locale.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-util.h"
#include "escape.h"
#include "json.h"
#include "tensor.h"
#include "util.h"

/* What json_str(s) writes (num false) or json_num(v) (num true), as a
 * malloc'd string. */
static char *
written(bool num, const char *s, double v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	if (num)
		json_num(f, v);
	else
		json_str(f, s);
	fclose(f);
	return buf;
}
#define written_str(s) written(false, (s), 0.0)
#define written_num(v) written(true, NULL, (v))

static const struct str_case {
	const char *in, *out;
} str_cases[] = {
	{ "", "\"\"" },
	{ "plain ascii", "\"plain ascii\"" },
	{ "a\"b\\c/d", "\"a\\\"b\\\\c/d\"" },
	{ "line\nnext\ttab", "\"line\\nnext\\ttab\"" },
	{ "\x01\x1b[31m\x1f\r", "\"\\u0001\\u001b[31m\\u001f\\u000d\"" },
	/* valid UTF-8 as it is: 2, 3 and 4 bytes, the ends of the ranges */
	{ "∂f/∂x Σ 中 😀", "\"∂f/∂x Σ 中 😀\"" },
	{ "\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
	  "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
	  "\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
	  "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"" },
	/* DEL and C1 controls are valid JSON as they are */
	{ "\x7f\xc2\x9b", "\"\x7f\xc2\x9b\"" },
	/* never UTF-8 */
	{ "\xff\xfe", "\"\\ufffd\\ufffd\"" },
	{ "a\xc0\xaf" "b", "\"a\\ufffd\\ufffdb\"" },              /* overlong / */
	{ "\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"" },          /* overlong */
	{ "\xf0\x80\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },          /* surrogate */
	{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" }, /* > 10FFFF */
	{ "\xf5\x80", "\"\\ufffd\\ufffd\"" },
	{ "\x80x", "\"\\ufffdx\"" },                              /* stray */
	{ "x\xe2\x88", "\"x\\ufffd\\ufffd\"" },                   /* cut short */
	{ "\xe2\x88" "a\xe2\x88\x82", "\"\\ufffd\\ufffda∂\"" },
};

START_TEST(test_str)
{
	const struct str_case *t = &str_cases[_i];
	char *got = written_str(t->in);

	ck_assert_str_eq(got, t->out);
	free(got);
}
END_TEST

START_TEST(test_str_null)
{
	char *got = written_str(NULL);

	ck_assert_str_eq(got, "null");
	free(got);
}
END_TEST

/* Is got[0..n) one valid JSON string as json_str writes it: quoted, valid
 * UTF-8, no raw control byte, no bare quote inside? */
static bool
json_string_ok(const char *got, size_t n)
{
	size_t i, len;

	if (n < 2 || got[0] != '"' || got[n - 1] != '"')
		return false;
	for (i = 1; i + 1 < n; i += len) {
		len = escape_utf8_len(got + i, n - 1 - i);
		if (len == 0 || (unsigned char)got[i] < 0x20)
			return false;
		if (got[i] == '\\')
			len = 2;      /* skip the escaped character */
		else if (got[i] == '"')
			return false;
	}
	return true;
}

/* Every string of every byte value, one or two bytes long, is written as
 * a valid JSON string (json_string_ok). All 65,280 strings go through one
 * memory stream, one a line (json_str escapes a newline, so a raw one
 * only separates them), and are checked without an assertion each: a
 * passing ck_assert costs Check a write(2), and the test ran near Check's
 * 4 s timeout on a loaded machine with 65,280 streams and 1.3 million
 * assertions. */
START_TEST(test_str_every_byte_pair)
{
	unsigned a, b, count = 0, bad = 0, first_bad = 0;
	char in[3], *buf = NULL, *got, *nl;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);

	ck_assert_ptr_nonnull(f);
	for (a = 1; a < 256; a++) {
		for (b = 0; b < 256; b++) {
			in[0] = (char)a;
			in[1] = (char)b;
			in[2] = '\0';
			json_str(f, in);
			fputc('\n', f);
		}
	}
	ck_assert_int_eq(fclose(f), 0);
	for (got = buf; (nl = strchr(got, '\n')) != NULL; got = nl + 1) {
		if (!json_string_ok(got, (size_t)(nl - got)) && bad++ == 0)
			first_bad = count;
		count++;
	}
	ck_assert_msg(bad == 0, "%u bad strings, the first for bytes %02x %02x",
	    bad, 1 + first_bad / 256, first_bad % 256);
	ck_assert_uint_eq(count, 255 * 256);
	free(buf);
}
END_TEST

static const struct num_case {
	double v;
	const char *out;
} num_cases[] = {
	{ 0.0, "0" },
	{ -0.0, "-0" },
	{ 1.0, "1" },
	{ 1e-6, "1e-06" },
	{ 0.1, "0.1" },
	{ 1.0 / 3.0, "0.3333333333333333" },
	{ 2.0 / 3.0, "0.6666666666666666" },
	{ 0.1 + 0.2, "0.30000000000000004" },
	{ 1e300, "1e+300" },
	{ 5e-324, "4.94065645841247e-324" },   /* 15 digits read back */
	{ 123456789012345678.0, "1.2345678901234568e+17" },
};

START_TEST(test_num)
{
	char *got = written_num(num_cases[_i].v);

	ck_assert_str_eq(got, num_cases[_i].out);
	free(got);
}
END_TEST

/* NaN and the infinities are not JSON numbers. */
START_TEST(test_num_not_finite)
{
	const double v[] = { NAN, -NAN, INFINITY, -INFINITY };
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		char *got = written_num(v[i]);

		ck_assert_str_eq(got, "null");
		free(got);
	}
}
END_TEST

/* Random doubles of every magnitude read back to the same bits. The
 * numbers are written to one memory stream, one a line, and read back in
 * the same order, asserted once (see test_str_every_byte_pair). */
START_TEST(test_num_round_trip)
{
	enum { COUNT = 20000 };
	rng_t r;
	int i, k = 0;
	double *v = xcalloc(COUNT, sizeof *v);
	char *buf = NULL, *got, *nl;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);

	ck_assert_ptr_nonnull(f);
	rng_seed(&r, 99);
	for (i = 0; i < COUNT; i++) {
		uint64_t bits = rng_next(&r);

		memcpy(&v[k], &bits, sizeof v[k]);
		if (!isfinite(v[k]))
			continue;
		json_num(f, v[k++]);
		fputc('\n', f);
	}
	ck_assert_int_eq(fclose(f), 0);
	for (i = 0, got = buf; (nl = strchr(got, '\n')) != NULL && i < k;
	    got = nl + 1, i++) {
		double back = strtod(got, NULL);

		if (memcmp(&v[i], &back, sizeof back) != 0 || nl - got > 24)
			break;          /* asserted below, once */
	}
	ck_assert_msg(i == k, "%.17g -> %.*s", i < k ? v[i] : 0.0,
	    nl != NULL ? (int)(nl - got) : 0, nl != NULL ? got : "");
	ck_assert_int_gt(k, COUNT / 2);
	free(buf);
	free(v);
}
END_TEST

/* A locale with a decimal comma (when one is installed) still gives '.'. */
START_TEST(test_num_locale)
{
	static const char *const names[] = { "de_DE.UTF-8", "fr_FR.UTF-8",
	    "de_DE.utf8", "ru_RU.UTF-8" };
	size_t i;
	char *got;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (setlocale(LC_NUMERIC, names[i]) != NULL)
			break;
	}
	got = written_num(2.5);
	ck_assert_str_eq(got, "2.5");
	free(got);
	got = written_num(-1.0 / 3.0);
	ck_assert_str_eq(got, "-0.3333333333333333");
	free(got);
	setlocale(LC_NUMERIC, "C");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("json");

	tcase_add_loop_test(tc, test_str, 0,
	    (int)(sizeof str_cases / sizeof str_cases[0]));
	tcase_add_test(tc, test_str_null);
	tcase_add_test(tc, test_str_every_byte_pair);
	tcase_add_loop_test(tc, test_num, 0,
	    (int)(sizeof num_cases / sizeof num_cases[0]));
	tcase_add_test(tc, test_num_not_finite);
	tcase_add_test(tc, test_num_round_trip);
	tcase_add_test(tc, test_num_locale);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
