/*
 * tex-text.h: the source's LaTeX made readable as plain Unicode text, for
 * the tutor's `o` (the source quoted, rendered beside its verbatim text).
 *
 * The subset the source (shared/source/conv2d-derivation.md) uses, and
 * how each is written:
 *   $...$, $$...$$, leading #'s     dropped (math and heading markers)
 *   \frac{a}{b}                     a/b, or (a)/(b) when a side is not
 *                                   one term
 *   \partial \cdot \times \neq      ∂ · × ≠  (likewise \in ∉ ≤ ≥ … Σ)
 *   \sum_{i,j}^{n}                  Σ_(i,j)^(n) with the limits in ( )
 *   x_{1}, x_1                      x₁ (digits as subscripts)
 *   h_{out1}, c_{out}               h_out₁, c_out (a name's subscript
 *                                   joined with _, its digits lowered)
 *   input_{b,c_{in},h,w}            input[b, c_in, h, w] (a subscript
 *                                   with commas is the tensor's indices)
 *   x^{2}                           x² (digits), else x^(…)
 *   *                               ·
 *   \left \right \, \; \quad        dropped or a space
 *   \text{..} \mathrm{..} {..}      their contents
 *   \\ and line breaks              a new paragraph
 * Any other command is written as its name. Unbalanced braces are read as
 * if closed at the end: the text is a rendering, never refused.
 */
#ifndef CONVGRAD_TEX_TEXT_H
#define CONVGRAD_TEX_TEXT_H

/* src rendered (malloc'd, UTF-8; paragraphs separated by a blank line,
 * as ui_wrap reads them). src NULL: "". */
char *tex_text(const char *src);

#endif
