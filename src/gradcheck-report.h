/*
 * gradcheck-report.h: print the result of gradcheck_run() (gradcheck.h).
 *
 *   text  aligned, for people: every quantity's entries checked, largest
 *         errors, tolerance and why, and each failure's first entry with
 *         every index written out and both values;
 *   json  one object, for machines;
 *   tap   a plan and one test point per quantity.
 */
#ifndef CONVGRAD_GRADCHECK_REPORT_H
#define CONVGRAD_GRADCHECK_REPORT_H

#include <stdio.h>

#include "gradcheck.h"

void gradcheck_report_text(FILE *f, const gradcheck_t *g);
void gradcheck_report_json(FILE *f, const gradcheck_t *g);
void gradcheck_report_tap(FILE *f, const gradcheck_t *g);

#endif
