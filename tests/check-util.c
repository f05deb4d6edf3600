/*
 * check-util.c: shared Check helpers (see check-util.h).
 */
#include "check-util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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
