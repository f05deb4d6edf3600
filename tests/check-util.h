/*
 * check-util.h: what every Check suite shares.
 *
 * run_suite() runs a suite and returns the exit status; with
 * CK_TAP_LOG_FILE_NAME=- (set by make check) Check prints TAP, which
 * automake's TAP driver reads. For gdb or valgrind: CK_FORK=no.
 *
 * ck_assert_close_array() compares two arrays and, on failure, reports the
 * worst element, its flat index, both values and the tolerance.
 */
#ifndef CONVGRAD_CHECK_UTIL_H
#define CONVGRAD_CHECK_UTIL_H

#include <check.h>
#include <stddef.h>

#include "tensor.h"

int run_suite(Suite *s);

/* |a[i] - b[i]| <= atol + rtol * |b[i]| for all i, and no NaN or Inf. */
#define ck_assert_close_array(a, b, n, atol, rtol) \
	check_close_array(__FILE__, __LINE__, #a, #b, (a), (b), (n), (atol), (rtol))
#define ck_assert_tensor_close(a, b, atol, rtol) do { \
	ck_assert_msg(tensor_same_shape((a), (b)), "shape mismatch: %s vs %s", #a, #b); \
	ck_assert_close_array((a)->data, (b)->data, (a)->size, (atol), (rtol)); \
} while (0)

void check_close_array(const char *file, int line, const char *na,
    const char *nb, const double *a, const double *b, size_t n, double atol,
    double rtol);

/* The names in directory dir but . and .., sorted, one space between
 * them ("" when empty); malloc'd. For "no temporary file was left". */
char *check_ls(const char *dir);

/* Make every later write of this (forked) test fail past 4096 bytes, as a
 * full disk would: RLIMIT_FSIZE, with SIGXFSZ ignored (writes get EFBIG). */
void check_limit_file_size(void);

/* Path of a file under the source tree's tests/data (works for distcheck). */
char *test_data_path(const char *name);

#endif
