/*
 * tok-diff.c: changed tokens of two texts by a longest common subsequence
 * (tok-diff.h). The texts are a claim and its correction, a few dozen
 * tokens each: the quadratic table is small, and bounded by TOK_DIFF_MAX.
 */
#include "tok-diff.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct tok {
	size_t off, len;
} tok_t;

/* The length of the token at s (not a blank). */
static size_t
tok_len(const char *s)
{
	static const char *const two[] = { "..", "==", "!=", "<=", ">=" };
	size_t i, n = 0;

	if (isalnum((unsigned char)*s) || *s == '_' || (*s & 0x80)) {
		while (isalnum((unsigned char)s[n]) || s[n] == '_' ||
		    (s[n] & 0x80))
			n++;
		return n;
	}
	for (i = 0; i < sizeof two / sizeof two[0]; i++)
		if (strncmp(s, two[i], 2) == 0)
			return 2;
	return 1;
}

/* s's tokens (malloc'd, *n set), or NULL past TOK_DIFF_MAX. */
static tok_t *
tokens(const char *s, size_t *n)
{
	tok_t *t = xcalloc(TOK_DIFF_MAX + 1, sizeof *t);
	size_t off = 0;

	*n = 0;
	while (s[off] != '\0') {
		if (isspace((unsigned char)s[off])) {
			off++;
			continue;
		}
		if (*n == TOK_DIFF_MAX) {
			free(t);
			return NULL;
		}
		t[*n].off = off;
		t[*n].len = tok_len(s + off);
		off += t[(*n)++].len;
	}
	return t;
}

static bool
tok_eq(const char *a, const tok_t *x, const char *b, const tok_t *y)
{
	return x->len == y->len && memcmp(a + x->off, b + y->off, x->len) == 0;
}

bool
tok_diff(const char *a, const char *b, unsigned char *ma, unsigned char *mb)
{
	size_t na, nb, i, j, w;
	tok_t *ta, *tb;
	unsigned *L;

	memset(ma, 0, strlen(a));
	memset(mb, 0, strlen(b));
	ta = tokens(a, &na);
	tb = tokens(b, &nb);
	if (ta == NULL || tb == NULL) {
		free(ta);
		free(tb);
		return false;
	}
	/* L[i][j]: the common subsequence of a's tokens i.. and b's j.. */
	w = nb + 1;
	L = xcalloc((na + 1) * w, sizeof *L);
	for (i = na; i-- > 0;)
		for (j = nb; j-- > 0;)
			L[i * w + j] = tok_eq(a, &ta[i], b, &tb[j]) ?
			    L[(i + 1) * w + j + 1] + 1 :
			    L[(i + 1) * w + j] > L[i * w + j + 1] ?
			    L[(i + 1) * w + j] : L[i * w + j + 1];
	for (i = j = 0; i < na || j < nb;) {
		if (i < na && j < nb && tok_eq(a, &ta[i], b, &tb[j])) {
			i++, j++;
		} else if (j == nb || (i < na &&
		    L[(i + 1) * w + j] >= L[i * w + j + 1])) {
			memset(ma + ta[i].off, 1, ta[i].len);
			i++;
		} else {
			memset(mb + tb[j].off, 1, tb[j].len);
			j++;
		}
	}
	free(L);
	free(ta);
	free(tb);
	return true;
}
