/*
 * escape.c: UTF-8 validation and visible escapes (see escape.h).
 *
 * Validity follows RFC 3629 (Table 3-7 of the Unicode standard): the
 * second byte's range depends on the first, which rules out overlong
 * forms (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and code
 * points past U+10FFFF (F4 90..BF, F5..FF). A terminal must not be sent a
 * raw invalid byte (it may swallow the bytes after it) nor a control
 * character (ESC starts an escape sequence, C1 U+009B is CSI), so both are
 * written as \xNN, byte by byte.
 */
#include "escape.h"

#include <string.h>

size_t
escape_utf8_len(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (n == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;                  /* not overlong */
	else if (p[0] == 0xed)
		hi = 0x9f;                  /* not a surrogate */
	else if (p[0] == 0xf0)
		lo = 0x90;                  /* not overlong */
	else if (p[0] == 0xf4)
		hi = 0x8f;                  /* not past U+10FFFF */
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	}
	return len;
}

/* A control character that is not to be shown raw: C0 but tab (and
 * newline when kept), DEL, C1 (U+0080..U+009F, C2 80..C2 9F). */
static bool
is_control(const unsigned char *p, size_t len, bool keep_newlines)
{
	if (len == 1)
		return (p[0] < 0x20 && p[0] != '\t' &&
		    !(keep_newlines && p[0] == '\n')) || p[0] == 0x7f;
	return len == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

int
escape_visible(sbuf_t *b, const char *s, size_t n, bool keep_newlines)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len, k;
	char ch[5];
	int w = 0;

	while (i < n) {
		len = escape_utf8_len(s + i, n - i);
		if (len == 0 || is_control(p + i, len, keep_newlines)) {
			for (k = 0; k < (len > 0 ? len : 1); k++) {
				if (b != NULL)
					sbuf_addf(b, "\\x%02X", p[i + k]);
				w += 4;
			}
			i += len > 0 ? len : 1;
			continue;
		}
		if (b != NULL)
			sbuf_addn(b, s + i, len);
		memcpy(ch, s + i, len);
		ch[len] = '\0';
		w += ch[0] == '\t' || ch[0] == '\n' ? 1 : utf8_width(ch);
		i += len;
	}
	return w;
}

char *
escape_visible_str(const char *s, bool keep_newlines)
{
	sbuf_t b;

	sbuf_init(&b);
	if (s != NULL)
		escape_visible(&b, s, strlen(s), keep_newlines);
	return sbuf_take(&b);
}

/* ---- XML ---- */

/* U+FFFE and U+FFFF (EF BF BE, EF BF BF): UTF-8, but not XML characters. */
static bool
is_xml_nonchar(const unsigned char *p, size_t len)
{
	return len == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe;
}

static const char *
xml_entity(char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";     /* always, so "]]>" cannot appear */
	case '"': return "&quot;";
	case '\'': return "&#39;";
	default: return NULL;
	}
}

void
escape_xml(sbuf_t *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;
	const char *ent;

	while (i < n) {
		len = escape_utf8_len(s + i, n - i);
		if (len == 0 || is_control(p + i, len, true) ||
		    is_xml_nonchar(p + i, len)) {
			/* escape_visible's \xNN, byte by byte */
			escape_visible(b, s + i, len > 0 ? len : 1, true);
			i += len > 0 ? len : 1;
			continue;
		}
		if ((ent = xml_entity(s[i])) != NULL)
			sbuf_add(b, ent);
		else
			sbuf_addn(b, s + i, len);
		i += len;
	}
}

char *
escape_xml_str(const char *s)
{
	sbuf_t b;

	sbuf_init(&b);
	if (s != NULL)
		escape_xml(&b, s, strlen(s));
	return sbuf_take(&b);
}

size_t
escape_xml_filter(sbuf_t *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len, bad = 0;

	while (i < n) {
		len = escape_utf8_len(s + i, n - i);
		if (len == 0 || (len == 1 && p[i] < 0x20 && p[i] != '\t' &&
		    p[i] != '\n' && p[i] != '\r') || is_xml_nonchar(p + i, len)) {
			sbuf_add(b, "\xef\xbf\xbd");      /* U+FFFD */
			bad++;
			i += len > 0 ? len : 1;
			continue;
		}
		sbuf_addn(b, s + i, len);
		i += len;
	}
	return bad;
}

/* What escape_ascii_fold writes for each character it knows. */
static const struct { const char *utf8, *ascii; } ascii_folds[] = {
	{ "∂", "d" }, { "·", "*" }, { "×", "x" }, { "−", "-" }, { "≠", "!=" },
	{ "≤", "<=" }, { "≥", ">=" }, { "→", "->" }, { "←", "<-" },
	{ "⇒", "=>" }, { "↔", "<->" }, { "Σ", "sum" }, { "∑", "sum" },
	{ "ᵀ", "^T" }, { "…", "..." }, { "⋯", "..." }, { "✓", "ok" },
	{ "✗", "X" }, { "‹", "<" }, { "›", ">" }, { "“", "\"" }, { "”", "\"" },
	{ "‘", "'" }, { "’", "'" }, { "–", "-" }, { "—", "--" }, { "≈", "~" },
	{ "±", "+-" }, { "∈", "in" }, { "⌈", "ceil(" }, { "⌉", ")" },
	{ "⌊", "floor(" }, { "⌋", ")" }, { "ε", "eps" }, { "δ", "delta" },
	{ "γ", "gamma" }, { "√", "sqrt" }, { "∞", "inf" }, { "²", "^2" },
	{ "³", "^3" }, { "¹", "^1" }, { "⁰", "^0" }, { "⁻", "^-" },
	{ "│", "|" }, { "─", "-" }, { "•", "*" }, { "\u00a0", " " },
};

char *
escape_ascii_fold(const char *s)
{
	sbuf_t b;
	size_t n = s != NULL ? strlen(s) : 0, i = 0, k, len;

	sbuf_init(&b);
	while (i < n) {
		const unsigned char *p = (const unsigned char *)s + i;

		len = escape_utf8_len(s + i, n - i);
		if (len == 1) {
			sbuf_addn(&b, s + i, 1);
			i++;
			continue;
		}
		if (len == 0) {
			sbuf_add(&b, "?");
			i++;
			continue;
		}
		/* U+2080..2089 subscript digits: e2 82 80..89 */
		if (len == 3 && p[0] == 0xe2 && p[1] == 0x82 && p[2] <= 0x89) {
			char d[2] = { (char)('0' + (p[2] - 0x80)), '\0' };

			sbuf_add(&b, d);
			i += len;
			continue;
		}
		for (k = 0; k < sizeof(ascii_folds) / sizeof(ascii_folds[0]); k++)
			if (strlen(ascii_folds[k].utf8) == len &&
			    memcmp(ascii_folds[k].utf8, s + i, len) == 0)
				break;
		sbuf_add(&b, k < sizeof(ascii_folds) / sizeof(ascii_folds[0]) ?
		    ascii_folds[k].ascii : "?");
		i += len;
	}
	return sbuf_take(&b);
}
