/*
 * ui-draw.c: drawing primitives for the tutor. Every string on screen goes
 * through ui_put(), which measures by display width (never bytes), clips to
 * the space given, and in ASCII mode transliterates what is not ASCII (the
 * lessons' ∂, ·, ≠, subscripts) so that --ascii puts no byte above 127 on
 * the screen.
 */
#include "ui-curses.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* One UTF-8 character at s: its code point and byte length (invalid bytes
 * are one byte, U+FFFD). */
static int
next_char(const char *s, unsigned long *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	int extra, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xf0 && p[0] < 0xf8)
		*cp = p[0] & 0x07, extra = 3;
	else if (p[0] >= 0xe0)
		*cp = p[0] & 0x0f, extra = 2;
	else if (p[0] >= 0xc0)
		*cp = p[0] & 0x1f, extra = 1;
	else {
		*cp = 0xfffd;
		return 1;
	}
	for (i = 1; i <= extra; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		*cp = (*cp << 6) | (p[i] & 0x3f);
	}
	return 1 + extra;
}

static const struct translit {
	unsigned long cp;
	const char *ascii;
} translits[] = {
	{ 0x00b7, "*" }, { 0x00d7, "x" }, { 0x2202, "d" }, { 0x2260, "!=" },
	{ 0x2212, "-" }, { 0x2264, "<=" }, { 0x2265, ">=" }, { 0x2208, "in" },
	{ 0x2209, "!in" }, { 0x03a3, "sum" }, { 0x2211, "sum" }, { 0x2713, "ok" },
	{ 0x2717, "X" }, { 0x2014, "--" }, { 0x2013, "-" }, { 0x2018, "'" },
	{ 0x2019, "'" }, { 0x201c, "\"" }, { 0x201d, "\"" }, { 0x2026, "..." },
	{ 0x2192, "->" }, { 0x2190, "<-" }, { 0x2500, "-" }, { 0x2502, "|" },
	{ 0x250c, "+" }, { 0x2510, "+" }, { 0x2514, "+" }, { 0x2518, "+" },
	{ 0x2039, "<" }, { 0x203a, ">" }, { 0x2591, "." }, { 0x2592, ":" },
	{ 0x2593, "o" }, { 0x2588, "#" }, { 0x00a0, " " }, { 0x22c5, "*" },
	{ 0x2032, "'" }, { 0x2248, "~" }, { 0x00b1, "+-" }, { 0x221e, "inf" },
	{ 0x2113, "l" }, { 0x03b5, "eps" }, { 0x2207, "grad" },
};

/* The ASCII stand-in for code point cp (static or in buf). */
static const char *
ascii_for(unsigned long cp, char buf[2])
{
	size_t i;

	if (cp >= 0x2080 && cp <= 0x2089) {         /* subscript digits */
		buf[0] = (char)('0' + (cp - 0x2080));
		buf[1] = '\0';
		return buf;
	}
	if (cp >= 0x20 && cp < 0x7f) {
		buf[0] = (char)cp;
		buf[1] = '\0';
		return buf;
	}
	for (i = 0; i < sizeof translits / sizeof translits[0]; i++)
		if (translits[i].cp == cp)
			return translits[i].ascii;
	return "?";
}

/* The next character of s as drawn: bytes to draw (in out) and width.
 * Returns the source bytes consumed. */
static int
glyph_at(const char *s, char out[8], int *width)
{
	unsigned long cp;
	int n = next_char(s, &cp);

	if (cp < 0x20 || cp == 0x7f || cp == 0xfffd) {
		strcpy(out, cp == 0xfffd ? "?" : " ");
		*width = 1;
	} else if (ui_ascii()) {
		char buf[2];
		const char *a = ascii_for(cp, buf);

		strcpy(out, a);
		*width = (int)strlen(a);
	} else {
		memcpy(out, s, (size_t)n);
		out[n] = '\0';
		*width = utf8_width(out);
	}
	return n;
}

int
ui_width(const char *s)
{
	int w = 0, cw;
	char g[8];

	while (*s != '\0') {
		s += glyph_at(s, g, &cw);
		w += cw;
	}
	return w;
}

int
ui_put(int y, int x, int maxw, attr_t attr, const char *s)
{
	int used = 0, cw;
	char g[8];

	if (maxw <= 0 || s == NULL)
		return 0;
	move(y, x);
	attrset(attr);
	while (*s != '\0') {
		int n = glyph_at(s, g, &cw);

		if (used + cw > maxw)
			break;
		addstr(g);
		used += cw;
		s += n;
	}
	attrset(A_NORMAL);
	return used;
}

const char *
ui_skip(const char *s, int cols)
{
	int cw;
	char g[8];

	while (*s != '\0' && cols > 0) {
		int n = glyph_at(s, g, &cw);

		cols -= cw;
		s += n;
	}
	return s;
}

void
ui_put_fill(int y, int x, int maxw, attr_t attr, const char *s)
{
	int used = ui_put(y, x, maxw, attr, s);

	if (used < maxw) {
		attrset(attr);
		mvhline(y, x + used, ' ', maxw - used);
		attrset(A_NORMAL);
	}
}

void
ui_clear(int y, int x, int h, int w)
{
	int i;

	if (w <= 0)
		return;
	attrset(A_NORMAL);
	for (i = 0; i < h; i++)
		mvhline(y + i, x, ' ', w);
}

void
ui_box(int y, int x, int h, int w, const char *title, attr_t attr)
{
	const ui_glyphs_t *g = ui_glyphs();
	int i;

	if (h < 2 || w < 2)
		return;
	for (i = 1; i < w - 1; i++) {
		ui_put(y, x + i, 1, attr, g->h);
		ui_put(y + h - 1, x + i, 1, attr, g->h);
	}
	for (i = 1; i < h - 1; i++) {
		ui_put(y + i, x, 1, attr, g->v);
		ui_put(y + i, x + w - 1, 1, attr, g->v);
	}
	ui_put(y, x, 1, attr, g->tl);
	ui_put(y, x + w - 1, 1, attr, g->tr);
	ui_put(y + h - 1, x, 1, attr, g->bl);
	ui_put(y + h - 1, x + w - 1, 1, attr, g->br);
	if (title != NULL && w > 6) {
		char *t = xasprintf(" %s ", title);

		ui_put(y, x + 2, w - 4, attr, t);
		free(t);
	}
}

/* ---- wrapping ---- */

typedef struct wrap {
	char **lines;
	int n, cap;
	sbuf_t cur;
	int curw, width;
} wrap_t;

static void
wrap_flush(wrap_t *w)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->lines = xreallocarray(w->lines, (size_t)w->cap, sizeof *w->lines);
	}
	w->lines[w->n++] = sbuf_take(&w->cur);
	w->curw = 0;
}

/* A word wider than the line: cut it character by character. */
static void
wrap_cut(wrap_t *w, const char *word, size_t len)
{
	size_t i = 0;

	while (i < len) {
		char g[8], one[8];
		int cw, n = glyph_at(word + i, g, &cw);

		if (w->curw + cw > w->width && w->curw > 0)
			wrap_flush(w);
		memcpy(one, word + i, (size_t)n);
		one[n] = '\0';
		sbuf_add(&w->cur, one);
		w->curw += cw;
		i += (size_t)n;
	}
}

static void
wrap_word(wrap_t *w, const char *word, size_t len)
{
	char *s = xstrndup(word, len);
	int ww = ui_width(s);

	if (w->curw > 0 && w->curw + 1 + ww > w->width)
		wrap_flush(w);
	if (w->curw > 0) {
		sbuf_add(&w->cur, " ");
		w->curw++;
	}
	if (ww > w->width - w->curw)
		wrap_cut(w, s, len);
	else {
		sbuf_add(&w->cur, s);
		w->curw += ww;
	}
	free(s);
}

char **
ui_wrap(const char *text, int width, int *n)
{
	wrap_t w;
	const char *p = text != NULL ? text : "";

	memset(&w, 0, sizeof w);
	sbuf_init(&w.cur);
	w.width = width < 1 ? 1 : width;
	while (*p != '\0') {
		size_t len;

		if (p[0] == '\n' && p[1] == '\n') {     /* paragraph break */
			while (*p == '\n')
				p++;
			if (w.curw > 0)
				wrap_flush(&w);
			if (w.n > 0)
				wrap_flush(&w);         /* the blank line */
			continue;
		}
		if (*p == ' ' || *p == '\n' || *p == '\t') {
			p++;
			continue;
		}
		len = strcspn(p, " \n\t");
		wrap_word(&w, p, len);
		p += len;
	}
	if (w.curw > 0)
		wrap_flush(&w);
	sbuf_free(&w.cur);
	*n = w.n;
	return w.lines;
}

void
ui_lines_free(char **lines, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}
