/*
 * json.c: JSON strings and numbers (see json.h), after RFC 8259: a string
 * must escape '"', '\' and U+0000..U+001F and must be valid UTF-8 (section
 * 8.1); a number has no NaN or infinity (section 6), so those are null.
 */
#include "json.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

void
json_str(FILE *f, const char *s)
{
	size_t n, i = 0, len;
	unsigned char c;

	if (s == NULL) {
		fputs("null", f);
		return;
	}
	n = strlen(s);
	fputc('"', f);
	while (i < n) {
		c = (unsigned char)s[i];
		len = escape_utf8_len(s + i, n - i);
		if (len == 0)
			fputs("\\ufffd", f);     /* one invalid byte */
		else if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fwrite(s + i, 1, len, f);
		i += len > 0 ? len : 1;
	}
	fputc('"', f);
}

/* buf with the locale's decimal point (main() sets LC_ALL from the
 * environment, so LC_NUMERIC may make printf write "0,5") as JSON's '.'. */
static char *
c_decimal_point(char *buf)
{
	const char *dp = localeconv()->decimal_point;
	size_t dlen = strlen(dp);
	char *q;

	if (strcmp(dp, ".") == 0 || dlen == 0 || (q = strstr(buf, dp)) == NULL)
		return buf;
	*q = '.';
	memmove(q + 1, q + dlen, strlen(q + dlen) + 1);
	return buf;
}

void
json_num(FILE *f, double v)
{
	char buf[32];
	int prec;

	/* not JSON: NaN and the infinities are written as null */
	if (!isfinite(v)) {
		fputs("null", f);
		return;
	}
	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (prec == 17)
		snprintf(buf, sizeof buf, "%.17g", v);
	fputs(c_decimal_point(buf), f);
}
