/*
 * check-util.c: shared Check helpers (see check-util.h).
 */
#include "check-util.h"

#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "util.h"

int
run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

void
check_close_array(const char *file, int line, const char *na, const char *nb,
    const double *a, const double *b, size_t n, double atol, double rtol)
{
	size_t i, worst = 0;
	double worst_excess = -INFINITY;

	for (i = 0; i < n; i++) {
		double tol = atol + rtol * fabs(b[i]);
		double excess;

		if (!isfinite(a[i]) || !isfinite(b[i])) {
			ck_assert_msg(0, "%s:%d: %s[%zu] = %g, %s[%zu] = %g: not finite",
			    file, line, na, i, a[i], nb, i, b[i]);
		}
		excess = fabs(a[i] - b[i]) - tol;
		if (excess > worst_excess) {
			worst_excess = excess;
			worst = i;
		}
	}
	if (n > 0 && worst_excess > 0) {
		ck_assert_msg(0, "%s:%d: worst element %zu: %s = %.17g, %s = %.17g, "
		    "|diff| = %.3g > tol %.3g (atol %g, rtol %g)", file, line, worst,
		    na, a[worst], nb, b[worst], fabs(a[worst] - b[worst]),
		    atol + rtol * fabs(b[worst]), atol, rtol);
	}
}

char *
test_data_path(const char *name)
{
	const char *top = getenv("top_srcdir");

	return xasprintf("%s/tests/data/%s", top != NULL ? top : CONVGRAD_SRCDIR,
	    name);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *
check_ls(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, *out = xstrdup(""), *next;
	size_t n = 0, i;

	ck_assert_msg(d != NULL, "cannot list %s", dir);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			names = xrealloc(names, (n + 1) * sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	for (i = 0; i < n; i++) {
		next = xasprintf("%s%s%s", out, i ? " " : "", names[i]);
		free(out);
		free(names[i]);
		out = next;
	}
	free(names);
	return out;
}

void
check_limit_file_size(void)
{
	struct rlimit rl = { 4096, 4096 };

	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
}
