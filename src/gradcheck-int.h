/*
 * gradcheck-int.h: what gradcheck.c (options, tensors, items, tolerances,
 * the direct engine) and gradcheck-engine.c (the compressed engine) share.
 * Not installed, not for the front ends: they use gradcheck.h.
 */
#ifndef CONVGRAD_GRADCHECK_INT_H
#define CONVGRAD_GRADCHECK_INT_H

#include "gemm.h"
#include "gradcheck.h"

/* A kernel form as run: the table entry and the GEMM back end under it. */
typedef struct form_run {
	const gradcheck_form_t *f;
	bool matrix;
	gemm_backend_t gemm;
} form_run_t;

/* Magnitudes that the tolerances are built from (gradcheck.c's top
 * comment). */
typedef struct bounds {
	double A;          /* max_o |bias| + sum |input*weight| */
	double D;          /* max_o |df[o]| A_o */
	double max_df, max_x, max_w;
} bounds_t;

struct gradcheck {
	gradcheck_opts_t o;
	const gradcheck_kernels_t *k;
	conv_shape_t s;
	gradcheck_cost_t cost;
	rng_t rng;
	conv_params_t p;          /* input, weight, bias */
	tensor_t *df;             /* the random upstream gradient */
	tensor_t *onehot;         /* df = e_o for one Jacobian row */
	tensor_t *ref_out;        /* element forward of p */
	bounds_t bd;
	form_run_t forms[3];
	int nforms;
	gradcheck_item_t *items;
	size_t nitems, cap;
	gradcheck_timing_t *timings;
	size_t ntimings;
};

/* A new item at the end of g's list (the pointer is valid until the next
 * item_new). */
gradcheck_item_t *gradcheck_item_new(gradcheck_t *g, const char *form,
    const char *quantity, gradcheck_kind_t kind, conv_wrt_t wrt,
    size_t total);
/* Record a failing entry (got vs want) at row-major place key: counted,
 * and kept as the first failure when its key is the smallest so far.
 * out_t/wrt_t (either NULL) name the indices. Does not count it checked. */
void gradcheck_fail_at(gradcheck_item_t *it, double got, double want,
    uint64_t key, const tensor_t *out_t, size_t o, const tensor_t *wrt_t,
    size_t j);
/* Compare one entry (checked += 1; a failure goes to gradcheck_fail_at). */
void gradcheck_compare_at(gradcheck_item_t *it, double got, double want,
    uint64_t key, const tensor_t *out_t, size_t o, const tensor_t *wrt_t,
    size_t j);
void gradcheck_item_finish(gradcheck_item_t *it);
void gradcheck_tol_jacobian(const gradcheck_t *g, gradcheck_item_t *it);
void gradcheck_tol_gradient(const gradcheck_t *g, gradcheck_item_t *it);

void gradcheck_fill_nan(tensor_t *t);
tensor_t *gradcheck_output_like(const conv_shape_t *s);

/* The source's forward of p (g->p or a copy) into output (NaN-filled
 * first), and its backward for df into d[WRT_*] (each NaN-filled first; a
 * NULL one is not wanted: a source without `partial` gets scratch for it).
 * 0, or -1 with *err "NAME: forward: message". g is only read, so workers
 * may call these at once for a concurrent source. */
int gradcheck_src_forward(const gradcheck_t *g, const gradcheck_source_t *src,
    const conv_params_t *p, tensor_t *output, char **err);
int gradcheck_src_backward(const gradcheck_t *g, const gradcheck_source_t *src,
    const conv_params_t *p, tensor_t *const d[3], const tensor_t *df,
    char **err);

/* The compressed engine (gradcheck-engine.c): appends src's three Jacobian
 * items and three gradient items to g, and one timing. 0, or -1 with *err
 * when the source failed (its unfinished items are dropped). */
int gradcheck_engine_run(gradcheck_t *g, const gradcheck_source_t *src,
    char **err);
/* The engine's calls for one source over every entry of shape s: forward
 * and backward passes, and what they cost in passes over the whole layer
 * (crop: the source takes weight rows on crops, as convgrad's kernel
 * forms do, so those calls cost a small part of a pass each). */
void gradcheck_engine_plan(const conv_shape_t *s, bool central, bool crop,
    double *forwards, double *backwards, double *passes);

/* The crop of layer s that the engine takes d output/d weight's rows of
 * output position (ho, wo) from (gradcheck-engine.c, "Weight rows on a
 * crop"): its shape c (validated), where its input starts in the layer
 * (rows h0.., columns w0..) and the position (th, tw) of the target in
 * its output. false: none fits, the whole layer is used. For the tests. */
bool gradcheck_engine_crop(const conv_shape_t *s, long ho, long wo,
    conv_shape_t *c, long *h0, long *w0, long *th, long *tw);

#endif
