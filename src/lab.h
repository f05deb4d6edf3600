/*
 * lab.h: the step-size lab (issue 11 item 4). How the error of a finite
 * difference depends on its step h, measured on the real forward kernel
 * composed with a nonlinear g:
 *
 *   f(x) = sum over every output element o of g(output[o]),
 *   output = conv2d_forward_elem(input, weight, bias)
 *
 * differentiated by one entry x_j of input, weight or bias, with central
 * (f(x+h) - f(x-h)) / 2h and forward (f(x+h) - f(x)) / h differences, at
 * h = 1e-1 down to 1e-12, in float64 (the real kernel) and in float32 (the
 * same element-form loops in float arithmetic throughout, as a float32
 * framework computes). The error is measured against the exact derivative
 * sum_o g'(output[o]) * d output[o] / d x_j, from the real backward kernel
 * (conv2d_backward_*_elem, in double) with g' written out.
 *
 * conv2d is linear, so with g linear the differences have no truncation
 * error and only rounding remains (about eps |f| / h); a nonlinear g adds
 * a truncation term (h^2 f''' / 6 central, h f'' / 2 forward), and the sum
 * of the two is the V whose minimum sits near eps^(1/3) (central) and
 * eps^(1/2) (forward). With g = relu, one output read by x_j is placed
 * exactly on relu's kink: relu has no derivative there, and no h works.
 *
 * No curses here: the text chart and the JSON are written to a stdio
 * stream, for `convgrad lab step-size` (cli-lab.c) and a tutor screen.
 */
#ifndef CONVGRAD_LAB_H
#define CONVGRAD_LAB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conv-shape.h"
#include "fdiff.h"

typedef enum lab_g {
	LAB_G_LINEAR, LAB_G_TANH, LAB_G_SQUARE, LAB_G_EXP, LAB_G_RELU,
} lab_g_t;

/* "linear", "tanh", "square", "exp", "relu", then NULL (for --g). */
extern const char *const lab_g_names[];

typedef enum lab_prec { LAB_F64, LAB_F32 } lab_prec_t;
#define LAB_NPREC 2
/* Indexed by fd_method_t: FD_CENTRAL, FD_FORWARD. */
#define LAB_NMETHOD 2

/* The most multiply-adds one forward pass may take (a sweep runs four per
 * step, about 200 in all): 1e7 keeps the lab under a few seconds. */
#define LAB_MAX_WORK 1e7

typedef struct lab_opts {
	conv_shape_t shape;    /* validated by lab_step_size */
	lab_g_t g;
	conv_wrt_t wrt;
	long entry;            /* flat index into wrt; -1: one chosen in the middle */
	uint64_t seed;
	int per_decade;        /* steps per decade of h, 1..10 */
} lab_opts_t;

/* Defaults: the lessons' shape (N=2 C_in=2 H_in=7 W_in=8 C_out=3 R=3 S=2,
 * stride 2,3), g = tanh, input, entry -1, VERIFY's seed, 4 per decade. */
void lab_opts_default(lab_opts_t *o);

typedef struct lab_point {
	double h;
	double est[LAB_NPREC][LAB_NMETHOD];   /* the finite difference */
	double err[LAB_NPREC][LAB_NMETHOD];   /* |est - exact| / |exact|; inf if
	                                       * est is not finite */
} lab_point_t;

typedef struct lab_min {
	int point;             /* index of the smallest error, -1: none finite */
	double h, err;
} lab_min_t;

typedef struct lab_result {
	lab_opts_t o;          /* as run: shape validated, entry chosen */
	long index[4];         /* the entry's indices (bias: one) */
	int nindex;
	double exact;          /* d f / d x_j, backward kernel, double */
	double f;              /* f at x, double */
	bool kink;             /* g = relu: kink_out[] sits on the kink */
	long kink_out[4];      /* that output's indices */
	double eps[LAB_NPREC]; /* DBL_EPSILON, FLT_EPSILON */
	/* The model's optimum over eps's power, by method (lab.c): the
	 * optimum is eps^(1/3) * scale[FD_CENTRAL], eps^(1/2) *
	 * scale[FD_FORWARD]; infinite when g adds no truncation term. */
	double scale[LAB_NMETHOD];
	int npoints;
	lab_point_t *points;   /* h from 1e-1 down to 1e-12 */
	lab_min_t min[LAB_NPREC][LAB_NMETHOD];
} lab_result_t;

/*
 * Run the sweep. The parameters are drawn uniformly from [-1, 1) by the
 * seeded RNG and rounded to float, so that float64 and float32 evaluate
 * the same point (and the exact derivative is that point's). Returns 0
 * with *r (free with lab_result_free), or -1 with *err: an invalid shape,
 * a shape past LAB_MAX_WORK, an entry out of range or one that no output
 * reads (its derivative is 0: no relative error), per_decade outside
 * 1..10.
 */
int lab_step_size(const lab_opts_t *o, lab_result_t **r, char **err);
void lab_result_free(lab_result_t *r);    /* NULL: no-op */

/* The float32 forward: conv2d_forward_elem's loops in float (the inputs
 * rounded to float, every product and sum in float). output has
 * conv_output_size(s) entries. Exported for the test that holds it to the
 * double kernel. */
void lab_forward_f32(float *output, const float *input, const float *weight,
    const float *bias, const conv_shape_t *s);

/* The chart of one precision: rows of error decades 1e0 (and above) down
 * to 1e-16 (and below, 0 included), one column per step, 'c' central,
 * 'f' forward, '*' both, '!' not finite; the h axis with its decades
 * below, and '^' under eps^(1/3) and eps^(1/2). malloc'd, lines ending
 * in '\n', ASCII only. */
char *lab_chart(const lab_result_t *r, lab_prec_t p);

/* The whole report: what was differentiated, both charts, the minima
 * beside eps^(1/3) and eps^(1/2), the table of every step's errors. */
void lab_print_text(FILE *f, const lab_result_t *r);
/* The same as one JSON object (docs/convgrad.1 names its fields). */
void lab_print_json(FILE *f, const lab_result_t *r);

#endif
