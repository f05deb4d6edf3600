/*
 * tex-layout.h: the source's LaTeX formulas drawn in 2-D, the way the
 * claim printer draws claims (pp_box_t, expr.h; the tutor's `o`).
 *
 * Why a parser and not the formulas retyped in the claim language: the
 * source is to be shown as the source wrote it, mistakes included (the
 * window's `+R`, an `h_{out1}` for a `w_{out1}`, a `\partial {\partial`,
 * a `weight{...}` without its `_`). A translation would be a second text
 * to keep in step, and would quietly correct what the lessons point at.
 *
 * The subset read, which is what shared/source/conv2d-derivation.md uses
 * (math mode, without the $ signs):
 *   \frac{a}{b} \dfrac \tfrac     a stacked over b, a rule between
 *   \sum_{lo}^{hi} \prod          the sign with its limits beneath and
 *                                 above (three rows tall before a fraction)
 *   x_{...}                       digits: x₁; a name: x_name (h_out₁, as
 *                                 claims write it); a list with commas:
 *                                 x[a,b] (a tensor's indices); anything
 *                                 else: lowered one row
 *   x^{...}                       digits: x²; else raised one row
 *   \left( ... \right)            brackets as tall as what they hold
 *   \partial \cdot \times \neq \ne \in \notin \le \leq \ge \geq \ldots
 *   \dots \cdots \to \rightarrow \approx \pm \infty \nabla and the Greek
 *   letters; \, \; \: \! \quad \qquad "\ " (spacing); \{ \} \_ \% \#
 *   \text \mathrm \mathit \mathbf \operatorname (their argument)
 *   * = + - < >                   · and the operators spaced as claims
 *   a name's trailing digits      subscripts: b1 -> b₁, di1 -> di₁
 *   weight{...}                   a group right after a name keeps its
 *                                 braces (the source forgot the _)
 * Anything else (an unknown command, \begin, &, \\, an unbalanced brace,
 * nesting deeper than 64) is refused with where and why: the caller shows
 * that formula verbatim instead. Spaces are ignored, as in TeX math.
 */
#ifndef CONVGRAD_TEX_LAYOUT_H
#define CONVGRAD_TEX_LAYOUT_H

#include <stdbool.h>

#include "expr.h"

/* src laid out in style st (PP_UNICODE or PP_ASCII); the caller frees it
 * (pp_box_free). NULL with *err (malloc'd, "column 12: unknown command
 * \foo") when src is not in the subset. src NULL: an empty box. */
pp_box_t *tex_layout(const char *src, pp_style_t st, char **err);

/* The scripts' tests: is s digits only (not
 * empty)? a name (letters, digits, _, subscript digits U+2080..2089; not
 * empty)? */
bool tex_all_digits(const char *s);
bool tex_is_name(const char *s);

#endif
