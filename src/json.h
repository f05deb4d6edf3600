/*
 * json.h: JSON values written to a stdio stream, for the reports of
 * `convgrad verify --format json` and `convgrad gradcheck --format json`.
 * Objects and arrays are written by the callers; these two write the
 * values that need care.
 */
#ifndef CONVGRAD_JSON_H
#define CONVGRAD_JSON_H

#include <stdio.h>

/* s as a JSON string: '"' and '\' escaped, newline and tab as \n and \t,
 * the other control characters as \u00XX, valid UTF-8 as it is, and each
 * byte of an invalid UTF-8 sequence as \uFFFD (the replacement character),
 * so the output is always valid JSON. NULL is written as null. */
void json_str(FILE *f, const char *s);

/* v as a JSON number that reads back as exactly v: the shortest of %.15g,
 * %.16g and %.17g that does. NaN and the infinities are not JSON numbers:
 * written as null. */
void json_num(FILE *f, double v);

#endif
