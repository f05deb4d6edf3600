/*
 * shrink.h: the smallest counterexample. Given a claim of a lesson that
 * fails (or an erratum, `expect fail`, that is refuted) at some shape,
 * search for a smaller shape, within what the lesson covers, at which it
 * still fails, and give the counterexample there:
 *
 *   fails already at N=1 C_in=1 H_in=3 W_in=3 C_out=1 R=2 S=2 stride 1:
 *   at h_in=2 ...: formula 0, numeric 0.53
 *
 * Generic shrinkers (Hypothesis) know nothing of conv's validity rules; this
 * one only visits valid shapes (conv_shape_validate) that the lesson covers
 * (lesson_covers: padding, dilation, groups only if it says so), and
 * measures a shape by its input + weight + output entries, then by its
 * strides, padding and dilation.
 *
 * The search is best-first greedy: from the current failing shape, every
 * neighbour (one field lowered to any smaller value, with or without
 * H_in/W_in lowered to keep H_out/W_out, since a smaller stride or kernel
 * otherwise grows the output) is sorted by that measure, and the first
 * that still fails becomes the current shape; it ends when no smaller
 * neighbour fails. So the result is a local minimum: no single lowered
 * field (refitted) fails at a smaller measure. Each shape tried is a new
 * world (verify_ctx) built with the caller's options (seed, eps, tuple
 * sample), with the lesson's lets before the claim evaluated again there.
 *
 * No curses, no output: the CLI (`convgrad verify --shrink`), the tutor's
 * `c` (shrink_claim) and the plugin checks (shrink_shape, with a callback
 * that runs the plugin) all use it.
 */
#ifndef CONVGRAD_SHRINK_H
#define CONVGRAD_SHRINK_H

#include <stdbool.h>

#include "conv-shape.h"
#include "lesson.h"
#include "verify.h"

/* The most shapes one search verifies (the bound on its work, beside the
 * verifier's own --max-tuples per shape). */
#define SHRINK_MAX_TRIES_DEFAULT 400

typedef struct shrink_result {
	conv_shape_t shape;     /* the smallest failing shape found */
	verify_result_t r;      /* the claim's verdict and counterexample there */
	int tries;              /* shapes verified, the start included */
	bool exhausted;         /* stopped at max_tries: maybe not a minimum */
	bool shrunk;            /* shape is smaller than the start */
} shrink_result_t;

/* Which of padding, dilation and groups a search may leave non-default
 * (it only ever lowers them; a field not allowed must be default at the
 * start for the start to be in the space). */
typedef struct shrink_space {
	bool padding, dilation, groups;
} shrink_space_t;

/* Does the thing searched for fail at shape s (valid)? 1 it fails, 0 it
 * does not, -1 skip s (it cannot be checked there: not a counterexample),
 * -2 stop the search (cancelled). */
typedef int (*shrink_fails_fn)(void *ctx, const conv_shape_t *s);

typedef struct shrink_found {
	conv_shape_t shape;     /* the smallest failing shape found */
	int tries;              /* shapes tried, the start included */
	bool exhausted;         /* stopped at max_tries: maybe not a minimum */
	bool shrunk;            /* shape is smaller than the start */
} shrink_found_t;

/*
 * The generic search (the walk described above): from start, which the
 * caller found failing (it counts as one try), over valid shapes in space
 * sp, with fails(ctx, s) deciding each. Every shape at which fails returns
 * 1 becomes the current one, so the last such call was at f->shape.
 * max_tries: the most shapes tried (0: SHRINK_MAX_TRIES_DEFAULT).
 * Returns 0 with *f filled (f->shape = *start if nothing smaller fails),
 * or -2 when fails returned -2 (*f then holds the search so far).
 */
int shrink_shape(const conv_shape_t *start, const shrink_space_t *sp,
    shrink_fails_fn fails, void *ctx, int max_tries, shrink_found_t *f);

/* Frees what the result owns; the result may be cleared twice. */
void shrink_result_clear(shrink_result_t *sr);

/*
 * Search, from shape start, for the smallest shape at which claim c of
 * lesson l still fails (verdict FAILS, or REFUTED for an erratum). c must
 * be one of l's claims (the lets before it are evaluated at each shape).
 * max_tries: the most shapes verified (0: SHRINK_MAX_TRIES_DEFAULT).
 * o->cancel and o->cancelled are honoured between shapes and inside each.
 * Returns 0 with *sr filled (the start shape if nothing smaller fails),
 * 1 if c does not fail at start (nothing to shrink; *sr cleared), or -1
 * with *err: start invalid or not covered by l, the claim cannot be
 * checked at start, or "cancelled".
 */
int shrink_claim(const lesson_t *l, const claim_t *c,
    const conv_shape_t *start, const verify_opts_t *o, int max_tries,
    shrink_result_t *sr, char **err);

/* Verify claim c at shape s (validated here) in a new world, with l's lets
 * before c evaluated first (all of l's lets when c is not one of its
 * claims, e.g. a student's claim). 0 with *r filled, whatever the verdict
 * (VERDICT_CANCELLED included), or -1 with *err. */
int shrink_verify_at(const lesson_t *l, const claim_t *c,
    const conv_shape_t *s, const verify_opts_t *o, verify_result_t *r,
    char **err);

/* The entries a shape is measured by: input + weight + output (after
 * conv_shape_validate). */
size_t shrink_measure(const conv_shape_t *s);

/* "N=1 C_in=1 H_in=3 W_in=3 C_out=1 R=2 S=2 stride 1" (then "stride 2,3",
 * and padding, dilation, groups when not 0, 1, 1) into buf; returns buf. */
char *shrink_shape_str(const conv_shape_t *s, char *buf, size_t len);

/* "fails already at SHAPE: at b=0 h_in=2 ...: formula X, numeric Y" (and
 * "; FINDING"), malloc'd. */
char *shrink_str(const claim_t *c, const shrink_result_t *sr);

#endif
