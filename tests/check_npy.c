/*
 * check_npy.c: .npy files. Files written by NumPy (tests/data/np-*.npy,
 * made once with numpy 1.24 np.save / numpy.lib.format.write_array) are
 * read with the right values; what we write is byte-identical to NumPy's
 * np.save of the same array; writes read back bit for bit; every malformed
 * header or length is refused with a message naming the file and the fault,
 * and every truncation of a good file is refused without a crash.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check-util.h"
#include "npy.h"
#include "util.h"

/* Read tests/data/<name>; fails the test on error. */
static tensor_t *
read_fixture(const char *name)
{
	char *path = test_data_path(name), *err = NULL;
	tensor_t *t = NULL;

	ck_assert_msg(npy_read(path, &t, &err) == 0, "%s", err);
	free(path);
	return t;
}

START_TEST(test_numpy_f8_v1)
{
	/* np.arange(24).reshape(2, 3, 4) * 0.1 - 1: the same IEEE operations
	 * in C give the same bits, so the comparison is exact. */
	tensor_t *t = read_fixture("np-f8-v1.npy");
	size_t i;

	ck_assert_int_eq(t->ndim, 3);
	ck_assert(t->shape[0] == 2 && t->shape[1] == 3 && t->shape[2] == 4);
	for (i = 0; i < 24; i++)
		ck_assert_msg(t->data[i] == (double)i * 0.1 - 1.0, "[%zu] %.17g", i,
		    t->data[i]);
	tensor_free(t);
}
END_TEST

START_TEST(test_numpy_f4_v1)
{
	/* np.arange(6, dtype='<f4').reshape(2, 3) / 3: float32 quotients,
	 * widened exactly to double. */
	tensor_t *t = read_fixture("np-f4-v1.npy");
	size_t i;

	ck_assert(t->ndim == 2 && t->shape[0] == 2 && t->shape[1] == 3);
	for (i = 0; i < 6; i++)
		ck_assert(t->data[i] == (double)((float)i / 3.0f));
	ck_assert(t->data[1] != 1.0 / 3.0);     /* really float32 precision */
	tensor_free(t);
}
END_TEST

START_TEST(test_numpy_v2_v3_0d)
{
	static const char *names[] = { "np-f8-v2.npy", "np-f8-v3.npy" };
	tensor_t *t;
	size_t k, i;

	for (k = 0; k < 2; k++) {
		t = read_fixture(names[k]);     /* np.arange(4.0).reshape(2, 2) */
		ck_assert(t->ndim == 2 && t->shape[0] == 2 && t->shape[1] == 2);
		for (i = 0; i < 4; i++)
			ck_assert(t->data[i] == (double)i);
		tensor_free(t);
	}
	t = read_fixture("np-0d.npy");          /* np.float64(2.5): shape () */
	ck_assert(t->ndim == 1 && t->shape[0] == 1 && t->data[0] == 2.5);
	tensor_free(t);
}
END_TEST

/* NumPy's Fortran-order and big-endian files are read as NumPy reads
 * them: np-fortran.npy is np.asfortranarray([[0., 1.], [2., 3.]]) (stored
 * 0, 2, 1, 3), np-bigendian.npy is np.arange(4.0).astype('>f8'). */
START_TEST(test_numpy_fortran_bigendian)
{
	char *path = test_data_path("np-fortran.npy"), *err = NULL;
	tensor_t *t = NULL;
	npy_info_t info;
	size_t i;

	ck_assert_msg(npy_read_info(path, &t, &info, &err) == 0, "%s", err);
	ck_assert(info.fortran_order && !info.big_endian &&
	    info.dtype == NPY_F8);
	ck_assert(t->ndim == 2 && t->shape[0] == 2 && t->shape[1] == 2);
	for (i = 0; i < 4; i++)
		ck_assert_msg(t->data[i] == (double)i, "[%zu] %g", i, t->data[i]);
	tensor_free(t);
	free(path);
	path = test_data_path("np-bigendian.npy");
	ck_assert_msg(npy_read_info(path, &t, &info, &err) == 0, "%s", err);
	ck_assert(info.big_endian && !info.fortran_order);
	ck_assert_str_eq(info.descr, ">f8");
	ck_assert(t->ndim == 1 && t->shape[0] == 4);
	for (i = 0; i < 4; i++)
		ck_assert(t->data[i] == (double)i);
	tensor_free(t);
	free(path);
}
END_TEST

/* The dtype is reported: float32 files say so, so that a tolerance can
 * follow it. */
START_TEST(test_numpy_dtype_info)
{
	char *path = test_data_path("np-f4-v1.npy"), *err = NULL;
	tensor_t *t = NULL;
	npy_info_t info;

	ck_assert_msg(npy_read_info(path, &t, &info, &err) == 0, "%s", err);
	ck_assert(info.dtype == NPY_F4);
	ck_assert_str_eq(info.descr, "<f4");
	tensor_free(t);
	free(path);
}
END_TEST

/* Every dtype but float64 and float32 is refused by name. */
static const struct { const char *descr, *word; } dtypes[] = {
	{ "<i8", "int64" }, { "<i4", "int32" }, { "<f2", "float16" },
	{ "<c16", "complex128" }, { "|b1", "bool" }, { "<U3", "a string type" },
	{ ">i8", "int64" },
};
#define NDTYPE ((int)(sizeof(dtypes) / sizeof(dtypes[0])))

START_TEST(test_dtype_refused)
{
	char *hdr = xasprintf("{'descr': '%s', 'fortran_order': False, "
	    "'shape': (2,), }", dtypes[_i].descr), *err = NULL;
	char *want = xasprintf("x.npy: dtype '%s' (%s) is not supported",
	    dtypes[_i].descr, dtypes[_i].word);
	unsigned char b[256];
	size_t hl = strlen(hdr);
	tensor_t *t = NULL;

	memcpy(b, "\x93NUMPY\x01\x00", 8);
	b[8] = (unsigned char)hl;
	b[9] = 0;
	memcpy(b + 10, hdr, hl);
	memset(b + 10 + hl, 0, 64);
	ck_assert_int_eq(npy_read_mem(b, 10 + hl + 16, "x.npy", &t, &err), -1);
	ck_assert_ptr_null(t);
	ck_assert_msg(strstr(err, want) != NULL, "'%s' lacks '%s'", err, want);
	free(err);
	free(want);
	free(hdr);
}
END_TEST

/* A 3-D big-endian float32 Fortran-order array built by hand: element
 * (i, j, k) of shape (2, 3, 4) holds 100i + 10j + k and sits at Fortran
 * offset i + 2 (j + 3 k). */
START_TEST(test_big_f4_fortran_3d)
{
	static const char hdr[] = "{'descr': '>f4', 'fortran_order': True, "
	    "'shape': (2, 3, 4), }";
	size_t hl = sizeof(hdr) - 1, i, j, k;
	unsigned char *b = xcalloc(10 + hl + 96, 1);
	tensor_t *t = NULL;
	npy_info_t info;
	char *err = NULL;

	memcpy(b, "\x93NUMPY\x01\x00", 8);
	b[8] = (unsigned char)hl;
	memcpy(b + 10, hdr, hl);
	for (i = 0; i < 2; i++)
		for (j = 0; j < 3; j++)
			for (k = 0; k < 4; k++) {
				float f = (float)(100 * i + 10 * j + k);
				uint32_t u;
				unsigned char *p = b + 10 + hl + 4 * (i + 2 * (j + 3 * k));

				memcpy(&u, &f, 4);
				p[0] = (unsigned char)(u >> 24);
				p[1] = (unsigned char)(u >> 16);
				p[2] = (unsigned char)(u >> 8);
				p[3] = (unsigned char)u;
			}
	ck_assert_msg(npy_read_mem_info(b, 10 + hl + 96, "f.npy", &t, &info,
	    &err) == 0, "%s", err);
	ck_assert(info.dtype == NPY_F4 && info.big_endian && info.fortran_order);
	for (i = 0; i < 2; i++)
		for (j = 0; j < 3; j++)
			for (k = 0; k < 4; k++)
				ck_assert_msg(T3(t, i, j, k) == 100.0 * i + 10.0 * j + k,
				    "(%zu,%zu,%zu) %g", i, j, k, T3(t, i, j, k));
	tensor_free(t);
	free(b);
}
END_TEST

/* A temporary file name; the caller unlinks and frees it. */
static char *
temp_path(void)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/convgrad-npy-XXXXXX", dir ? dir : "/tmp");
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	return path;
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	char *data, *err = NULL;

	ck_assert_msg(read_file(path, &data, len, &err) == 0, "%s", err);
	return (unsigned char *)data;
}

/* Our writer produces exactly the bytes of NumPy's np.save. */
START_TEST(test_write_matches_numpy)
{
	size_t shape[3] = { 2, 3, 4 }, i, n1, n2;
	tensor_t *t = tensor_create(3, shape);
	char *ours = temp_path(), *err = NULL, *theirs;
	unsigned char *a, *b;

	for (i = 0; i < 24; i++)
		t->data[i] = (double)i * 0.1 - 1.0;
	ck_assert_msg(npy_write(ours, t, &err) == 0, "%s", err);
	theirs = test_data_path("np-f8-v1.npy");
	a = slurp(ours, &n1);
	b = slurp(theirs, &n2);
	ck_assert_uint_eq(n1, n2);
	ck_assert_mem_eq(a, b, n1);
	unlink(ours);
	free(ours);
	free(theirs);
	free(a);
	free(b);
	tensor_free(t);
}
END_TEST

/* 1- to 4-D, special values: back bit for bit; the header is padded so
 * the data starts at a multiple of 64 and ends in '\n'. */
START_TEST(test_round_trip)
{
	static const double special[] = { -0.0, 4.9e-324, 1.7976931348623157e308,
	    3.141592653589793, -1e-300, 1.0 / 3.0 };
	size_t shape[4] = { 3, 1, 2, 5 }, i, len;
	int ndim = _i + 1;
	tensor_t *t = tensor_create(ndim, shape), *back = NULL;
	char *path = temp_path(), *err = NULL;
	unsigned char *raw;
	rng_t r;

	rng_seed(&r, 9);
	tensor_fill_uniform(t, &r, -1e3, 1e3);
	for (i = 0; i < t->size && i < 6; i++)
		t->data[i] = special[i];
	ck_assert_msg(npy_write(path, t, &err) == 0, "%s", err);
	ck_assert_msg(npy_read(path, &back, &err) == 0, "%s", err);
	ck_assert(tensor_same_shape(back, t));
	ck_assert_mem_eq(back->data, t->data, t->size * sizeof(double));
	raw = slurp(path, &len);
	ck_assert_uint_eq((len - t->size * 8) % 64, 0);
	ck_assert_int_eq(raw[len - t->size * 8 - 1], '\n');
	ck_assert_int_eq(raw[6], 1);
	ck_assert_int_eq(raw[7], 0);
	unlink(path);
	free(path);
	free(raw);
	tensor_free(t);
	tensor_free(back);
}
END_TEST

/* Build a .npy in memory: version major, the header text (padded to
 * hlen_pad if larger), then ndata bytes of data (1.0 doubles, as bytes). */
static unsigned char *
build(int major, const char *header, size_t ndata, size_t *len)
{
	size_t hlen = strlen(header), pre = major == 1 ? 10 : 12, i;
	unsigned char *b = xcalloc(pre + hlen + ndata + 1, 1);

	memcpy(b, "\x93NUMPY", 6);
	b[6] = (unsigned char)major;
	b[7] = 0;
	b[8] = (unsigned char)(hlen & 0xff);
	b[9] = (unsigned char)(hlen >> 8);
	memcpy(b + pre, header, hlen);
	for (i = 0; i < ndata; i++)       /* 1.0 = 0x3ff0000000000000 LE */
		b[pre + hlen + i] = i % 8 == 7 ? 0x3f : i % 8 == 6 ? 0xf0 : 0;
	*len = pre + hlen + ndata;
	return b;
}

#define GOOD_HDR "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n"

static const struct bad_case {
	int major;
	const char *header;
	size_t ndata;
	const char *msg;
} bad[] = {
	{ 4, GOOD_HDR, 16, "format version 4.0 is not supported" },
	{ 1, "{'descr': '<f8', 'shape': (2,), }", 16,
	    "missing the key 'fortran_order'" },
	{ 1, "{'fortran_order': False, 'shape': (2,)}", 16,
	    "missing the key 'descr'" },
	{ 1, "{'descr': '<f8', 'fortran_order': False}", 16,
	    "missing the key 'shape'" },
	{ 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}",
	    16, "header key 'x' is unknown" },
	{ 1, "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, "
	    "'shape': (2,)}", 16, "header key 'descr' is repeated" },
	{ 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,)}", 16,
	    "dtype '<i8' (int64) is not supported" },
	{ 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2,)}", 16,
	    "dtype '|u1' (uint8) is not supported" },
	{ 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (5,)}", 16,
	    "data is truncated: the shape needs 20 bytes of '<f4' data" },
	{ 1, "{'descr': '<f8', 'fortran_order': 0, 'shape': (2,)}", 16,
	    "fortran_order: expected True or False" },
	{ 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-2,)}", 16,
	    "shape: entry is negative" },
	{ 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,1,1,1,2)}",
	    16, "more than 4 dimensions" },
	{ 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2.5,)}", 16,
	    "shape: expected ',' or ')'" },
	{ 1, "{'descr': '<f8', 'fortran_order': False, 'shape': 2}", 16,
	    "shape: expected '('" },
	{ 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (x,)}", 16,
	    "shape: expected an integer" },
	{ 1, "{'descr': '<f8', 'fortran_order': False, 'shape': "
	    "(4294967296, 4294967296, 4294967296)}", 16, "shape is too large" },
	{ 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)} x", 16,
	    "unexpected text after the header dict" },
	{ 1, "['descr', '<f8']", 16, "expected '{' opening the header dict" },
	{ 1, "{'descr': '<f8", 16, "unterminated string" },
	{ 1, "{descr: '<f8'}", 16, "expected a quoted string" },
	{ 1, "{'descr' '<f8'}", 16, "expected ':' after a key" },
	{ 1, "{'descr': '<f8' 'fortran_order': False}", 16,
	    "expected ',' or '}' in the header dict" },
	{ 1, GOOD_HDR, 15, "data is truncated: the shape needs 16 bytes" },
	{ 1, GOOD_HDR, 0, "data is truncated" },
	{ 1, GOOD_HDR, 24, "8 bytes of trailing data" },
	{ 2, GOOD_HDR, 8, "data is truncated" },
};
#define NBAD ((int)(sizeof(bad) / sizeof(bad[0])))

START_TEST(test_bad_header)
{
	size_t len;
	unsigned char *b = build(bad[_i].major, bad[_i].header, bad[_i].ndata,
	    &len);
	tensor_t *t = NULL;
	char *err = NULL;

	ck_assert_int_eq(npy_read_mem(b, len, "bad.npy", &t, &err), -1);
	ck_assert_ptr_null(t);
	ck_assert_msg(strstr(err, bad[_i].msg) != NULL, "'%s' lacks '%s'", err,
	    bad[_i].msg);
	ck_assert_msg(strncmp(err, "bad.npy: ", 9) == 0, "%s", err);
	free(err);
	free(b);
}
END_TEST

/* Preamble faults, which build() cannot express. */
START_TEST(test_bad_preamble)
{
	static const struct { const char *bytes; size_t len; const char *msg; }
	cases[] = {
		{ "", 0, "the file is empty (0 bytes)" },
		{ "\x93NUM", 4, "bad magic" },
		{ "\x93NUMPX\x01\x00\x10\x00", 10, "bad magic" },
		{ "PK\x03\x04 not npy", 14, "not a .npy file" },
		{ "\x93NUMPY\x01\x00\x10", 9, "truncated before the header length" },
		{ "\x93NUMPY\x02\x00\x10\x00\x00", 11,
		    "truncated before the header length" },
		/* header length 0x0100 = 256 but the file ends at 14 */
		{ "\x93NUMPY\x01\x00\x00\x01{}  ", 14, "header length 256 (byte 8) "
		    "runs past the end of the file (14 bytes)" },
		{ "\x93NUMPY\x03\x00\xff\xff\xff\xff{}", 14, "runs past the end" },
	};
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		tensor_t *t = NULL;
		char *err = NULL;

		ck_assert_int_eq(npy_read_mem((const unsigned char *)cases[k].bytes,
		    cases[k].len, "p.npy", &t, &err), -1);
		ck_assert_msg(strstr(err, cases[k].msg) != NULL, "case %zu: %s", k,
		    err);
		ck_assert_msg(strstr(err, "p.npy") != NULL, "%s", err);
		free(err);
	}
}
END_TEST

/* Odd but valid headers: any key order, spaces, double quotes, no
 * trailing comma, Python 2 long suffix, empty and zero-size shapes. */
START_TEST(test_lenient_header)
{
	static const struct { const char *header; size_t n, ndim, d0; } ok[] = {
		{ "{ \"shape\" : ( 2 , ) ,\"fortran_order\":False , 'descr':'<f8' }",
		    2, 1, 2 },
		{ "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2)}     \n",
		    2, 2, 1 },
		{ "{'descr': '<f8', 'fortran_order': False, 'shape': (2L,), }", 2, 1,
		    2 },
		{ "{'descr': '<f8', 'fortran_order': False, 'shape': ()}", 1, 1, 1 },
		{ "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3)}", 0, 2,
		    0 },
	};
	size_t k, len, i;

	for (k = 0; k < sizeof(ok) / sizeof(ok[0]); k++) {
		unsigned char *b = build(2, ok[k].header, 8 * ok[k].n, &len);
		tensor_t *t = NULL;
		char *err = NULL;

		ck_assert_msg(npy_read_mem(b, len, "ok.npy", &t, &err) == 0,
		    "case %zu: %s", k, err);
		ck_assert_uint_eq(t->size, ok[k].n);
		ck_assert_int_eq(t->ndim, (int)ok[k].ndim);
		ck_assert_uint_eq(t->shape[0], ok[k].d0);
		for (i = 0; i < t->size; i++)
			ck_assert(t->data[i] == 1.0);
		tensor_free(t);
		free(b);
	}
}
END_TEST

/* Every proper prefix of a good file is refused with a message (under the
 * sanitizer build this also shows no read goes past the end). */
START_TEST(test_every_truncation)
{
	char *path = test_data_path("np-f4-v1.npy");
	size_t len, cut;
	unsigned char *raw = slurp(path, &len);

	for (cut = 0; cut < len; cut++) {
		unsigned char *copy = xmalloc(cut + 1);
		tensor_t *t = NULL;
		char *err = NULL;

		memcpy(copy, raw, cut);
		ck_assert_msg(npy_read_mem(copy, cut, "cut.npy", &t, &err) == -1,
		    "prefix of %zu bytes accepted", cut);
		ck_assert_ptr_nonnull(err);
		free(err);
		free(copy);
	}
	free(raw);
	free(path);
}
END_TEST

START_TEST(test_io_errors)
{
	tensor_t *t = tensor_create1(2), *back = NULL;
	char *err = NULL;

	ck_assert_int_eq(npy_write("/nonexistent-dir/x.npy", t, &err), -1);
	ck_assert_msg(strstr(err, "/nonexistent-dir/x.npy") != NULL, "%s", err);
	free(err);
	err = NULL;
	ck_assert_int_eq(npy_read("/nonexistent-dir/y.npy", &back, &err), -1);
	ck_assert_msg(strstr(err, "/nonexistent-dir/y.npy") != NULL, "%s", err);
	ck_assert_ptr_null(back);
	free(err);
	tensor_free(t);
}
END_TEST

/* A write that fails part way (here the file size limit, as a full disk
 * would: EFBIG instead of ENOSPC) leaves the old file whole and no
 * temporary beside it. Check forks each test, so the limit stays here. */
START_TEST(test_failed_write_keeps_old_file)
{
	char dir[] = "/tmp/check_npy-XXXXXX", *path, *err = NULL, *ls;
	tensor_t *small = tensor_create1(8), *big = tensor_create1(100000);
	tensor_t *back = NULL;
	size_t i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = xasprintf("%s/dinput.npy", dir);
	for (i = 0; i < small->size; i++)
		small->data[i] = (double)i + 0.5;
	ck_assert_int_eq(npy_write(path, small, &err), 0);
	check_limit_file_size();
	ck_assert_int_eq(npy_write(path, big, &err), -1);
	ck_assert_msg(strstr(err, path) != NULL && strstr(err, "cannot write"),
	    "%s", err);
	ck_assert_int_eq(npy_read(path, &back, &err), 0);
	ck_assert_uint_eq(back->size, 8);
	for (i = 0; i < 8; i++)
		ck_assert(back->data[i] == small->data[i]);
	ls = check_ls(dir);
	ck_assert_str_eq(ls, "dinput.npy");       /* no temporary file left */
	free(ls);
	unlink(path);
	rmdir(dir);
	free(path);
	free(err);
	tensor_free(small);
	tensor_free(big);
	tensor_free(back);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("npy");
	TCase *tc = tcase_create("npy");

	tcase_add_test(tc, test_numpy_f8_v1);
	tcase_add_test(tc, test_numpy_f4_v1);
	tcase_add_test(tc, test_numpy_v2_v3_0d);
	tcase_add_test(tc, test_numpy_fortran_bigendian);
	tcase_add_test(tc, test_numpy_dtype_info);
	tcase_add_loop_test(tc, test_dtype_refused, 0, NDTYPE);
	tcase_add_test(tc, test_big_f4_fortran_3d);
	tcase_add_test(tc, test_write_matches_numpy);
	tcase_add_loop_test(tc, test_round_trip, 0, 4);
	tcase_add_loop_test(tc, test_bad_header, 0, NBAD);
	tcase_add_test(tc, test_bad_preamble);
	tcase_add_test(tc, test_lenient_header);
	tcase_add_test(tc, test_every_truncation);
	tcase_add_test(tc, test_io_errors);
	tcase_add_test(tc, test_failed_write_keeps_old_file);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
