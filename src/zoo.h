/*
 * zoo.h: the bug zoo, classic mistakes in conv2d kernels, each a real
 * wrong kernel written like the right one, and the diagnosis that names
 * the mistake a user's result agrees with.
 *
 * A result (output, dinput, dweight or dbias) that is wrong is compared,
 * entry by entry, with what each mistake would have computed on the same
 * input, weight, bias and df. If one agrees at every entry (within the
 * same rounding bound a right result is held to), the report names it and
 * points to the lesson step with the right formula. Mistakes that a shape
 * cannot show (taps swapped with R != S, a stride ignored at stride 1) are
 * not tried: each entry says when it applies.
 *
 * Shapes as in conv-shape.h: input (N, C_in, H_in, W_in), weight (C_out,
 * C_in/groups, R, S), bias (C_out), output and df (N, C_out, H_out, W_out),
 * with the groups of s->groups.
 */
#ifndef CONVGRAD_ZOO_H
#define CONVGRAD_ZOO_H

#include <stdbool.h>

#include "conv-shape.h"
#include "tensor.h"

/* The quantities a user computes. */
typedef enum zoo_qty { ZOO_OUTPUT, ZOO_DINPUT, ZOO_DWEIGHT, ZOO_DBIAS,
	ZOO_NQTY } zoo_qty_t;

/* "output", "dinput", "dweight", "dbias". */
const char *zoo_qty_name(zoo_qty_t q);
/* The index names of quantity q: "b", "c_out", "h_out", "w_out" for the
 * output; "b", "c_in", "h_in", "w_in"; "c_out", "c_in", "di", "dj";
 * "c_out". */
const char *const *zoo_qty_names(zoo_qty_t q);

/* The mistakes, in the order the diagnosis tries them. */
typedef enum zoo_id {
	ZOO_BIAS_BATCH_ONLY, ZOO_BIAS_MEAN, ZOO_DWEIGHT_FIRST_IMAGE,
	ZOO_DWEIGHT_MEAN, ZOO_WINDOW_SHORT, ZOO_TAPS_SWAPPED,
	ZOO_CHANNELS_SWAPPED, ZOO_KERNEL_FLIPPED, ZOO_STRIDE_IGNORED,
	ZOO_PADDING_IGNORED, ZOO_DILATION_IGNORED, ZOO_FORWARD_NO_BIAS,
	ZOO_NOT_FINITE, ZOO_COUNT
} zoo_id_t;

#define ZOO_QTY_BIT(q) (1u << (q))

typedef struct zoo_entry {
	zoo_id_t id;
	const char *name;        /* "taps-swapped", as the issue names it */
	unsigned qtys;           /* ZOO_QTY_BIT()s of the results it spoils */
	const char *mistake;     /* the wrong formula, one line */
	const char *when;        /* the shapes that can show it; NULL: all */
	const char *lesson;      /* the lesson step with the right formula */
} zoo_entry_t;

/* The table, indexed by zoo_id_t. */
extern const zoo_entry_t zoo_entries[ZOO_COUNT];
/* The entry named name, or NULL. */
const zoo_entry_t *zoo_find(const char *name);

/* The tensors a result is computed from. s is validated; bias may be NULL
 * (no bias); df is needed for the gradients only. Not owned. */
typedef struct zoo_problem {
	const conv_shape_t *s;
	const tensor_t *input, *weight, *bias, *df;
} zoo_problem_t;

/* The shape of quantity q of p's shape into dims (4 entries; bias 1).
 * Returns the number of dimensions. */
int zoo_qty_dims(zoo_qty_t q, const conv_shape_t *s, size_t dims[4]);

/* Can p's shape show mistake id in quantity q (R = S for taps-swapped,
 * ...)? Always false for not-finite, which has no kernel. */
bool zoo_applies(zoo_id_t id, zoo_qty_t q, const zoo_problem_t *p);

/* What mistake id computes for quantity q (zoo_applies must hold), or
 * with id == ZOO_COUNT the right result, through the same loops. out has
 * q's shape and is overwritten. With abs set, every tensor is read as its
 * absolute value: the sum of |terms| of each entry, which the rounding
 * bounds are built from. */
void zoo_compute(tensor_t *out, zoo_id_t id, zoo_qty_t q,
    const zoo_problem_t *p, bool abs);

/* The mistake that got (quantity q of p) agrees with: not-finite if got
 * holds a NaN or an infinity; otherwise the first entry that applies, is
 * told apart from the right result by more than the bound somewhere, and
 * agrees with got at every entry within gamma times that entry's sum of
 * |terms|. NULL: no known mistake. */
const zoo_entry_t *zoo_diagnose(zoo_qty_t q, const tensor_t *got,
    double gamma, const zoo_problem_t *p);

#endif
