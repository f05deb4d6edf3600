/*
 * conv-json.c: read and write DIR/conv.json (see conv-json.h).
 *
 * The reader is a small recursive descent over exactly the grammar the
 * file needs, not a general JSON parser:
 *   file   = ws object ws
 *   object = "{" [ member { "," member } ] "}"
 *   member = string ":" value      (the key decides the value's kind)
 *   pair   = "[" int "," int "]"   (stride, padding, dilation)
 * with groups an int and layout the string "nchw" or "nhwc".
 */
#include "conv-json.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct cj {
	const char *p, *start, *end, *name;
	char **err;
} cj_t;

/* "name:line:col: what" at the cursor. */
static int
cj_error(const cj_t *j, const char *what)
{
	long line = 1, col = 1;
	const char *q;

	for (q = j->start; q < j->p; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return set_error(j->err, "%s:%ld:%ld: %s", j->name, line, col, what);
}

static void
ws(cj_t *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool
eat(cj_t *j, char c)
{
	ws(j);
	if (j->p < j->end && *j->p == c) {
		j->p++;
		return true;
	}
	return false;
}

/* A string without escapes (none of the keys or values needs one). */
static int
cj_string(cj_t *j, char *buf, size_t len)
{
	size_t n = 0;

	ws(j);
	if (j->p >= j->end || *j->p != '"')
		return cj_error(j, "expected a string in double quotes");
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		if (*j->p == '\\' || (unsigned char)*j->p < 0x20 || n + 1 >= len)
			return cj_error(j, "unexpected character in a string (keys "
			    "and values are short plain words)");
		buf[n++] = *j->p++;
	}
	if (j->p >= j->end)
		return cj_error(j, "unterminated string");
	j->p++;
	buf[n] = '\0';
	return 0;
}

/* An integer >= min. */
static int
cj_int(cj_t *j, long min, const char *key, long *v)
{
	char *endp, buf[32];
	size_t n = 0;

	ws(j);
	while (j->p + n < j->end && n + 1 < sizeof(buf) &&
	    (isdigit((unsigned char)j->p[n]) || (n == 0 && j->p[n] == '-')))
		n++;
	memcpy(buf, j->p, n);
	buf[n] = '\0';
	errno = 0;
	*v = strtol(buf, &endp, 10);
	if (n == 0 || *endp != '\0' || errno != 0)
		return cj_error(j, "expected an integer");
	if (*v < min) {
		char *m = xasprintf("%s: %ld is below %ld", key, *v, min);
		int rc = cj_error(j, m);

		free(m);
		return rc;
	}
	j->p += n;
	return 0;
}

/* pair = "[" int "," int "]" */
static int
cj_pair(cj_t *j, long min, const char *key, long v[2])
{
	if (!eat(j, '['))
		return cj_error(j, "expected '[' opening a pair like [1,1]");
	if (cj_int(j, min, key, &v[0]) != 0)
		return -1;
	if (!eat(j, ','))
		return cj_error(j, "expected ',' between the pair's numbers");
	if (cj_int(j, min, key, &v[1]) != 0)
		return -1;
	if (!eat(j, ']'))
		return cj_error(j, "expected ']' closing the pair (two numbers)");
	return 0;
}

/* member = string ":" value */
static int
cj_member(cj_t *j, conv_json_t *c)
{
	char key[32], *m;
	const char *at, *key_at;
	int rc;

	ws(j);
	key_at = j->p;
	if (cj_string(j, key, sizeof(key)) != 0)
		return -1;
	if (!eat(j, ':'))
		return cj_error(j, "expected ':' after the key");
#define ONCE(flag) do { if (c->flag) { j->p = key_at; \
	return cj_error(j, "repeated key"); } \
	c->flag = true; } while (0)
	if (strcmp(key, "stride") == 0) {
		ONCE(have_stride);
		return cj_pair(j, 1, key, c->stride);
	}
	if (strcmp(key, "padding") == 0) {
		ONCE(have_padding);
		return cj_pair(j, 0, key, c->padding);
	}
	if (strcmp(key, "dilation") == 0) {
		ONCE(have_dilation);
		return cj_pair(j, 1, key, c->dilation);
	}
	if (strcmp(key, "groups") == 0) {
		ONCE(have_groups);
		return cj_int(j, 1, key, &c->groups);
	}
	if (strcmp(key, "layout") == 0) {
		ONCE(have_layout);
		ws(j);
		at = j->p;
		if (cj_string(j, c->layout, sizeof(c->layout)) != 0)
			return -1;
		if (strcmp(c->layout, "nchw") != 0 && strcmp(c->layout, "nhwc") != 0) {
			j->p = at;
			return cj_error(j, "layout: expected \"nchw\" or \"nhwc\"");
		}
		return 0;
	}
#undef ONCE
	j->p = key_at;
	m = xasprintf("unknown key \"%s\" (expected stride, padding, "
	    "dilation, groups or layout)", key);
	rc = cj_error(j, m);
	free(m);
	return rc;
}

int
conv_json_parse(const char *text, size_t len, const char *name,
    conv_json_t *c, char **err)
{
	cj_t j = { text, text, text + len, name, err };
	int n = 0;

	memset(c, 0, sizeof(*c));
	if (!eat(&j, '{'))
		return cj_error(&j, "expected '{' opening the object");
	while (!eat(&j, '}')) {
		if (n > 0 && !eat(&j, ','))
			return cj_error(&j, "expected ',' or '}'");
		if (cj_member(&j, c) != 0)
			return -1;
		n++;
	}
	ws(&j);
	if (j.p != j.end)
		return cj_error(&j, "unexpected text after the object");
	return 0;
}

int
conv_json_read(const char *path, conv_json_t *c, char **err)
{
	char *text;
	size_t len;
	int rc;

	if (read_file(path, &text, &len, err) != 0)
		return -1;
	rc = conv_json_parse(text, len, path, c, err);
	free(text);
	return rc;
}

int
conv_json_write(const char *path, const conv_shape_t *s, const char *layout,
    char **err)
{
	char *tmp;
	FILE *f = util_replace_open(path, &tmp, err);
	bool ok;

	if (f == NULL)
		return -1;
	errno = 0;
	ok = fprintf(f, "{\"stride\":[%ld,%ld],\"padding\":[%ld,%ld],"
	    "\"dilation\":[%ld,%ld],\"groups\":%ld,\"layout\":\"%s\"}\n",
	    s->strh, s->strw, s->pad_h, s->pad_w, s->dil_h, s->dil_w,
	    s->groups, layout) > 0;
	return util_replace_close(f, &tmp, path, ok, err);
}
