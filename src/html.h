/*
 * html.h: lessons as self-contained XHTML pages, the handouts of
 * `convgrad show --format html`: each lesson's prose (its Markdown by
 * libcmark), its exercises (the prompt, each hint folded in a <details>,
 * the answer only when asked), each claim as MathML (claim_mathml), the
 * verifier's verdict
 * at the lesson's default shape with the counterexample when there is
 * one, and a receptive-window grid as inline SVG. One small inline
 * <style>; no script, nothing loaded from anywhere (an image in a
 * lesson's Markdown becomes a link to it): a teacher can print the page
 * or post it as it is. The page is polyglot markup: well-formed XML
 * (UTF-8, the XHTML, MathML and SVG namespaces) and HTML5, to be served
 * as application/xhtml+xml or text/html.
 */
#ifndef CONVGRAD_HTML_H
#define CONVGRAD_HTML_H

#include <stdbool.h>

#include "conv-shape.h"
#include "expr.h"
#include "lesson.h"
#include "util.h"
#include "verify.h"

typedef struct html_opts {
	verify_opts_t verify;  /* how each claim is checked */
	const char *title;     /* the page's title; NULL: the lesson's own
	                        * (one lesson) or "convgrad: the derivation" */
	const char *generator; /* "convgrad 1.2", in the page's footer */
	bool answers;          /* the exercises' hidden answers too */
} html_opts_t;

/* Set o to the defaults: verify_opts_default(), no title, generator
 * "convgrad" PACKAGE_VERSION. */
void html_opts_default(html_opts_t *o);

/*
 * The page for lessons ls[0..n) (n >= 1, none NULL), as a malloc'd
 * string. Every claim is verified (each lesson in its own verify context
 * at its default shape, its lets in order), so this takes as long as
 * `convgrad verify` of the same lessons. A claim that cannot be checked,
 * or a lesson whose shape cannot be built, is reported in the page, where
 * it happened; nothing is an error for the caller. With n > 1 the page
 * opens with a table of contents.
 */
char *html_page(lesson_t *const *ls, int n, const html_opts_t *o);

/*
 * One page per lesson in directory dir (made if missing; its parent must
 * exist): dir/NAME.html for lesson file NAME.md, and dir/index.html
 * linking them by title. Each file is written whole or not at all (to
 * NAME.html.tmp, then renamed). Refused before anything is written: two
 * lessons of the same NAME, or one called index. 0, or -1 with *err
 * naming the path and why ("out/01-forward.html: cannot write: No space
 * left on device").
 */
int html_write_dir(const char *dir, lesson_t *const *ls, int n,
    const html_opts_t *o, char **err);

/* The receptive-window grids of one claim (html-grid.c) ---- */

/* Which rows and columns a point of a claim names, found from where its
 * point's variables index a tensor alone (output[b, c_out, h_out, w_out]
 * gives h_out, w_out; input_nhwc[b, h, w, c] gives h, w; a kernel claim's
 * point is the tensor's index): an output (ho, wo), an input pixel
 * (h, w), a weight tap (di, dj). */
typedef struct html_grid_roles {
	bool out, in, tap;
	long ho, wo, h, w, di, dj;
} html_grid_roles_t;

/* The roles at point vals of claim c (verify_point_count(c) values, as
 * verify_point_name() names them). False when the point names none. */
bool html_grid_roles(const claim_t *c, const long *vals,
    html_grid_roles_t *g);

/* Append to b one <figure> per grid, each an inline <svg> with a caption,
 * at shape s (validated): the padded input (the border hatched when pad_h
 * or pad_w is on) with the window of output (ho, wo) marked, the taps
 * that read padding apart, and pixel (h, w) ringed; with only a tap, the
 * pixels that tap reads for some output; with a pixel, also the output
 * grid with the outputs whose window holds it. where says which point
 * ("the counterexample", "the first tuple"). Grids past 48 cells a side
 * are left out, with a note. Returns the number of <svg> written. */
int html_grids(sbuf_t *b, const conv_shape_t *s, const html_grid_roles_t *g,
    const char *where);

#endif
