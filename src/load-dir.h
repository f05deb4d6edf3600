/*
 * load-dir.h: `convgrad gradcheck --load DIR`: check a user's conv2d
 * results, saved as .npy files, against convgrad's float64 reference.
 *
 * DIR holds the names --dump writes: input.npy, weight.npy, optional
 * bias.npy, df.npy (the upstream gradient d f/d output), and any of the
 * results output.npy, dinput.npy, dweight.npy, dbias.npy (at least one).
 * Sizes come from the arrays; stride, padding, dilation, groups and the
 * layout from the options, else DIR/conv.json, else the defaults (1, 0,
 * 1, 1, nchw). Layout nchw: input NCHW, weight OIHW, output, df and
 * dinput NCHW; nhwc (TensorFlow): input NHWC, weight HWIO, the others
 * NHWC. Each file has its own dtype (float64 or float32), and each
 * result's tolerance follows its dtype (rcheck.c).
 */
#ifndef CONVGRAD_LOAD_DIR_H
#define CONVGRAD_LOAD_DIR_H

#include <stdbool.h>

#include "conv-shape.h"
#include "fdiff.h"
#include "rcheck.h"
#include "tensor.h"
#include "zoo.h"

typedef enum load_layout { LOAD_LAYOUT_DEFAULT = -1, LOAD_LAYOUT_NCHW,
	LOAD_LAYOUT_NHWC } load_layout_t;

typedef struct load_opts {
	const char *dir;
	/* The shape options given on the command line (stride, padding,
	 * dilation and groups override conv.json; --shape is refused: the
	 * sizes are the arrays'). NULL: none. */
	const conv_shape_opts_t *shape;
	load_layout_t layout;      /* DEFAULT: conv.json's, else nchw */
	bool numeric;              /* also against finite differences */
	fd_opts_t fd;
} load_opts_t;

void load_opts_default(load_opts_t *o);

/* Load DIR, compute the reference, compare every result present. Returns
 * the report (rcheck_report_free), or NULL with *err for bad input: a
 * missing or unreadable file, a wrong dtype, shapes that disagree (the
 * message names both files and both shapes), no result to check. */
rcheck_report_t *load_dir_check(const load_opts_t *o, char **err);

/* Compare got, quantity q of p computed in float32 (f32) or float64, with
 * the element reference at its rounding bound (rcheck.c), diagnose it if
 * wrong, and append the item (named name, context as given) to r. The
 * plugin check uses it too. */
void load_check_result(rcheck_report_t *r, const char *name,
    const char *context, zoo_qty_t q, const tensor_t *got, bool f32,
    const zoo_problem_t *p);

#endif
