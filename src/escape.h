/*
 * escape.h: text from users made safe to show. Lesson files, claims and
 * paths may hold any bytes; what convgrad prints (error messages on a
 * terminal, JSON) is always valid UTF-8 without terminal controls.
 */
#ifndef CONVGRAD_ESCAPE_H
#define CONVGRAD_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* The length in bytes (1 to 4) of the valid UTF-8 character at s, of which
 * at most n bytes may be read; 0 when s does not start one: a stray
 * continuation byte, a byte that is never UTF-8 (C0, C1, F5..FF), an
 * overlong form, a surrogate, past U+10FFFF, or cut short. */
size_t escape_utf8_len(const char *s, size_t n);

/* Append s[0..n) to b (b NULL: only measure) with every byte of an invalid
 * UTF-8 sequence, and every control character other than tab (C0, DEL and
 * C1; newline too unless keep_newlines), written as \xNN: "\377" becomes
 * the four characters \xFF. Returns the display width of what it appends
 * (an escape 4 columns, a tab 1, a wide character 2), for lining up a
 * caret under it. */
int escape_visible(sbuf_t *b, const char *s, size_t n, bool keep_newlines);
/* The same as a new string (malloc'd; s NULL gives ""). */
char *escape_visible_str(const char *s, bool keep_newlines);

/* Append s[0..n) to b as XML character data or an attribute value: & < >
 * " ' as entities ('>' always, so "]]>" never appears), and what XML 1.0
 * may not hold (C0 controls but tab and newline, U+FFFE, U+FFFF), with
 * invalid UTF-8, DEL and C1, written as escape_visible() writes them
 * (\xNN): the text stays readable and the page well-formed. */
void escape_xml(sbuf_t *b, const char *s, size_t n);
/* The same as a new string (malloc'd; s NULL gives ""). */
char *escape_xml_str(const char *s);
/* Append markup s[0..n) (already escaped, e.g. libcmark's HTML) to b
 * with each character XML 1.0 may not hold (C0 but tab, newline and
 * carriage return; U+FFFE, U+FFFF) and each invalid UTF-8 byte replaced
 * by U+FFFD. Returns how many were replaced. */
size_t escape_xml_filter(sbuf_t *b, const char *s, size_t n);

/* s (UTF-8) in ASCII, for a terminal whose locale is not UTF-8 and for
 * --ascii: the mathematical signs the lessons write become their ASCII
 * spelling (∂ d, · *, − -, ≠ !=, ≤ <=, ≥ >=, → ->, Σ sum, ᵀ ^T, subscript
 * and superscript digits their digit, ✓ ok, ✗ X, quotes and dashes their
 * ASCII forms, ε eps, ...); any other character, and each byte of invalid
 * UTF-8, becomes '?', as iconv's //TRANSLIT does. Malloc'd; s NULL: "". */
char *escape_ascii_fold(const char *s);

#endif
