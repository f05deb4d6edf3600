/*
 * lineedit.c: the one-line editor's state machine (lineedit.h).
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lineedit.h"
#include "util.h"

struct lineedit {
	char buf[LINEEDIT_MAX + 1];
	size_t len, cur;
	char **hist;            /* oldest first */
	int nhist;
	int hpos;               /* nhist: the line being written */
	char *saved;            /* that line, while walking the history */
	char **names;
	int nnames;
};

lineedit_t *
lineedit_create(void)
{
	lineedit_t *e = xcalloc(1, sizeof *e);

	return e;
}

static void
free_strv(char **v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
lineedit_free(lineedit_t *e)
{
	if (e == NULL)
		return;
	free_strv(e->hist, e->nhist);
	free_strv(e->names, e->nnames);
	free(e->saved);
	free(e);
}

const char *
lineedit_text(const lineedit_t *e)
{
	return e->buf;
}

size_t
lineedit_cursor(const lineedit_t *e)
{
	return e->cur;
}

void
lineedit_set(lineedit_t *e, const char *s)
{
	e->len = e->cur = 0;
	e->buf[0] = '\0';
	lineedit_insert(e, s);
}

static bool
is_cont(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

void
lineedit_set_cursor(lineedit_t *e, size_t at)
{
	if (at > e->len)
		at = e->len;
	while (at > 0 && at < e->len && is_cont(e->buf[at]))
		at--;
	e->cur = at;
}

/* The start of the character before (after) byte offset at. */
static size_t
prev_char(const lineedit_t *e, size_t at)
{
	while (at > 0 && is_cont(e->buf[--at]))
		;
	return at;
}

static size_t
next_char(const lineedit_t *e, size_t at)
{
	while (at < e->len && is_cont(e->buf[++at]))
		;
	return at;
}

/* Remove bytes [a, b) and put the cursor at a. */
static void
cut(lineedit_t *e, size_t a, size_t b)
{
	memmove(e->buf + a, e->buf + b, e->len - b + 1);
	e->len -= b - a;
	e->cur = a;
}

bool
lineedit_insert(lineedit_t *e, const char *s)
{
	size_t n = 0, i;
	char tmp[LINEEDIT_MAX];

	for (i = 0; s[i] != '\0'; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			continue;   /* control bytes: not part of a claim line */
		if (e->len + n >= LINEEDIT_MAX)
			return false;
		tmp[n++] = s[i];
	}
	memmove(e->buf + e->cur + n, e->buf + e->cur, e->len - e->cur + 1);
	memcpy(e->buf + e->cur, tmp, n);
	e->len += n;
	e->cur += n;
	return n > 0;
}

static bool
is_word(char c)
{
	return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || is_cont(c) || ((unsigned char)c >= 0xc0);
}

/* ^W: white space before the cursor, then the word before that (or one
 * other character, such as a bracket). */
static bool
kill_word(lineedit_t *e)
{
	size_t a = e->cur;

	if (a == 0)
		return false;
	while (a > 0 && e->buf[a - 1] == ' ')
		a--;
	if (a > 0 && !is_word(e->buf[a - 1]))
		a = prev_char(e, a);
	else
		while (a > 0 && is_word(e->buf[a - 1]))
			a--;
	cut(e, a, e->cur);
	return true;
}

/* Up (dir -1) or Down (+1) through the history. */
static bool
walk_history(lineedit_t *e, int dir)
{
	int to = e->hpos + dir;

	if (e->hpos > e->nhist)
		e->hpos = e->nhist;
	if (to < 0 || to > e->nhist)
		return false;
	if (e->hpos == e->nhist) {
		free(e->saved);
		e->saved = xstrdup(e->buf);
	}
	e->hpos = to;
	lineedit_set(e, to == e->nhist ? (e->saved ? e->saved : "") :
	    e->hist[to]);
	return true;
}

/* Tab: complete the word before the cursor to the longest prefix common
 * to the names that start with it. */
static bool
complete(lineedit_t *e)
{
	size_t a = e->cur, wl, common = 0;
	const char *first = NULL;
	char add[LINEEDIT_MAX];
	int i;

	while (a > 0 && is_word(e->buf[a - 1]))
		a--;
	wl = e->cur - a;
	if (wl == 0)
		return false;
	for (i = 0; i < e->nnames; i++) {
		const char *nm = e->names[i];
		size_t k;

		if (strncmp(nm, e->buf + a, wl) != 0)
			continue;
		if (first == NULL) {
			first = nm;
			common = strlen(nm);
			continue;
		}
		for (k = wl; k < common && nm[k] == first[k]; k++)
			;
		common = k;
	}
	if (first == NULL || common <= wl || common - wl >= sizeof add)
		return false;
	memcpy(add, first + wl, common - wl);
	add[common - wl] = '\0';
	return lineedit_insert(e, add);
}

bool
lineedit_key(lineedit_t *e, lineedit_key_t k)
{
	size_t c = e->cur, len = e->len;

	switch (k) {
	case LE_LEFT:
		e->cur = prev_char(e, c);
		break;
	case LE_RIGHT:
		e->cur = next_char(e, c);
		break;
	case LE_HOME:
		e->cur = 0;
		break;
	case LE_END:
		e->cur = e->len;
		break;
	case LE_BACKSPACE:
		cut(e, prev_char(e, c), c);
		break;
	case LE_DELETE:
		cut(e, c, next_char(e, c));
		break;
	case LE_KILL_LINE:
		cut(e, 0, c);
		break;
	case LE_KILL_WORD:
		return kill_word(e);
	case LE_UP:
		return walk_history(e, -1);
	case LE_DOWN:
		return walk_history(e, +1);
	case LE_TAB:
		return complete(e);
	}
	return e->cur != c || e->len != len;
}

void
lineedit_set_names(lineedit_t *e, const char *const *names, int n)
{
	int i;

	free_strv(e->names, e->nnames);
	e->names = n > 0 ? xreallocarray(NULL, (size_t)n, sizeof *e->names) :
	    NULL;
	for (i = 0; i < n; i++)
		e->names[i] = xstrdup(names[i]);
	e->nnames = n;
}

/* Add line to the history (not blank, not the last again), the oldest
 * dropped past LINEEDIT_HISTORY_MAX. */
static void
history_add(lineedit_t *e, const char *line)
{
	if (line[strspn(line, " ")] == '\0' ||
	    (e->nhist > 0 && strcmp(e->hist[e->nhist - 1], line) == 0))
		return;
	if (e->nhist == LINEEDIT_HISTORY_MAX) {
		free(e->hist[0]);
		memmove(e->hist, e->hist + 1, (size_t)(e->nhist - 1) *
		    sizeof *e->hist);
		e->nhist--;
	}
	e->hist = xreallocarray(e->hist, (size_t)e->nhist + 1, sizeof *e->hist);
	e->hist[e->nhist++] = xstrdup(line);
}

char *
lineedit_accept(lineedit_t *e)
{
	char *line = xstrdup(e->buf);

	history_add(e, line);
	e->hpos = e->nhist;
	free(e->saved);
	e->saved = NULL;
	lineedit_set(e, "");
	return line;
}

int
lineedit_history_count(const lineedit_t *e)
{
	return e->nhist;
}

const char *
lineedit_history(const lineedit_t *e, int i)
{
	assert(i >= 0 && i < e->nhist);
	return e->hist[i];
}

int
lineedit_history_load(lineedit_t *e, const char *path, char **err)
{
	char *data, *line, *nl;
	size_t len;

	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 0;
	if (read_file_max(path, (size_t)LINEEDIT_HISTORY_MAX *
	    (LINEEDIT_MAX + 1), &data, &len, err) != 0)
		return -1;
	for (line = data; line < data + len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(data + len - line));
		if (nl == NULL)
			nl = data + len;
		*nl = '\0';
		lineedit_set(e, line);     /* drops control bytes, caps length */
		history_add(e, e->buf);
	}
	free(data);
	lineedit_set(e, "");
	e->hpos = e->nhist;
	return 0;
}

int
lineedit_history_save(const lineedit_t *e, const char *path, char **err)
{
	char *tmp, *why = NULL;
	FILE *f = util_replace_open(path, &tmp, &why);
	bool ok = f != NULL;
	int i;

	for (i = 0; ok && i < e->nhist; i++)
		ok = fprintf(f, "%s\n", e->hist[i]) >= 0;
	if (f == NULL || util_replace_close(f, &tmp, path, ok, &why) != 0) {
		set_error(err, "cannot save the history: %s", why);
		free(why);
		return -1;
	}
	return 0;
}
