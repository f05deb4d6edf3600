/*
 * gradcheck.h: check a conv2d layer's backward kernels against finite
 * differences of its forward kernels, as torch.autograd.gradcheck does.
 *
 * For each kernel form (element; matrix under each GEMM back end), and for
 * any other source (a user's plugin, through gradcheck_run_source), it
 * checks:
 *   - every entry of the Jacobians d output/d input, d output/d weight and
 *     d output/d bias: analytic rows from the source's backward fed one-hot
 *     upstream gradients, numeric columns from finite differences of the
 *     source's own forward. The compressed engine (gradcheck-engine.c)
 *     reads many disjoint rows per backward and many disjoint columns per
 *     pair of forwards, and checks that every output outside the columns'
 *     windows does not change at all; no Jacobian is ever held whole.
 *     For a source that takes crops (the kernel forms, a plugin), d
 *     output/d weight's rows come from its backward on a crop of the
 *     layer around each output's window, so the cost is linear in N H W
 *     (for a plugin, a screen: see crops_screen);
 *     --sample K (the direct engine) compares K random entries instead;
 *     a budget compares random whole groups until the time is spent;
 *   - the chain-rule gradients dinput, dweight, dbias for a random df
 *     against finite differences of sum(df * output);
 *   - for a matrix form or a plugin, that its forward agrees with the
 *     element forward;
 * and once, that the NHWC/HWIO forward agrees with the NCHW one.
 *
 * The kernels come from a table, so a test can pass a deliberately wrong
 * backward kernel; the command line only ever uses gradcheck_kernels_default.
 * Nothing here prints: gradcheck-report.h writes the reports.
 */
#ifndef CONVGRAD_GRADCHECK_H
#define CONVGRAD_GRADCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conv-shape.h"
#include "fdiff.h"
#include "tensor.h"

typedef void (*conv_backward_input_fn)(tensor_t *dinput, const tensor_t *df,
    const tensor_t *weight, const conv_shape_t *s);
typedef void (*conv_backward_weight_fn)(tensor_t *dweight, const tensor_t *df,
    const tensor_t *input, const conv_shape_t *s);
typedef void (*conv_backward_bias_fn)(tensor_t *dbias, const tensor_t *df,
    const conv_shape_t *s);
typedef void (*conv_forward_nhwc_fn)(tensor_t *output_nhwc,
    const tensor_t *input_nhwc, const tensor_t *filter_hwio,
    const tensor_t *bias, const conv_shape_t *s);

/* One kernel form: a forward kernel and the three backward kernels that
 * should be its derivative. Backward kernels must OVERWRITE their output
 * (the engine fills it with NaN first, so one that accumulates fails). */
typedef struct gradcheck_form {
	conv_forward_fn forward;
	conv_backward_input_fn backward_input;
	conv_backward_weight_fn backward_weight;
	conv_backward_bias_fn backward_bias;
} gradcheck_form_t;

typedef struct gradcheck_kernels {
	gradcheck_form_t elem;      /* conv-elem.h */
	gradcheck_form_t matrix;    /* conv-matrix.h (uses gemm()) */
	conv_forward_nhwc_fn forward_nhwc;
} gradcheck_kernels_t;

/* The real kernels. */
extern const gradcheck_kernels_t gradcheck_kernels_default;

/* Which forms to run (a bit set). */
#define GRADCHECK_ELEM           0x1
#define GRADCHECK_MATRIX_BLAS    0x2   /* skipped if no BLAS is linked */
#define GRADCHECK_MATRIX_BUILTIN 0x4
#define GRADCHECK_ALL            0x7

/* Defaults for the cost guard. */
#define GRADCHECK_MAX_WORK_DEFAULT 1e13         /* multiply-adds: about an
                                                  hour on 2 cores */
#define GRADCHECK_MAX_MEMORY_DEFAULT ((size_t)1 << 30)   /* bytes */

/* Which engine compares the Jacobians (see gradcheck-engine.c):
 * COMPRESSED groups entries whose outputs (columns) or inputs (rows) are
 * disjoint, so one forward or backward pass reads many entries; DIRECT
 * reads one entry at a time (two forwards per entry, one backward per row)
 * and is kept as the tests' oracle and for --sample. */
enum { GRADCHECK_ENGINE_COMPRESSED, GRADCHECK_ENGINE_DIRECT };

/* Progress of one source's check, for a progress line. */
typedef struct gradcheck_progress {
	const char *source;        /* its name */
	double calls, total;       /* forward+backward calls made, planned */
	double elapsed;            /* seconds since it started */
	double estimate;           /* seconds in all, 0 until measured */
} gradcheck_progress_t;
/* Called at most every 0.2 s of work (polled by time between calls).
 * Return false to stop: the check ends as if its budget were spent. */
typedef bool (*gradcheck_progress_fn)(void *ctx,
    const gradcheck_progress_t *p);

typedef struct gradcheck_opts {
	conv_shape_t shape;           /* validated by gradcheck_create() */
	uint64_t seed;
	fd_opts_t fd;
	size_t sample;                /* 0: full Jacobians; K: K entries each
	                                 (the direct engine) */
	unsigned forms;               /* GRADCHECK_* bits */
	double max_work;              /* multiply-adds; 0: no limit */
	size_t max_memory;            /* bytes held beyond the tensors; 0: no
	                                 limit */
	const gradcheck_kernels_t *kernels;   /* NULL: the default table */
	int engine;                   /* GRADCHECK_ENGINE_*, default COMPRESSED */
	double budget;                /* seconds per source; 0: every entry.
	                                 Random whole groups until it is spent */
	gradcheck_progress_fn progress;       /* NULL: none */
	void *progress_ctx;
} gradcheck_opts_t;

/* Defaults: the shape N=2 C_in=2 H_in=7 W_in=8 C_out=3 R=3 S=2, stride 2,3
 * (not validated yet), seed 1, central differences with h = 1e-6, full
 * Jacobians, all forms, the default cost limits. */
void gradcheck_opts_default(gradcheck_opts_t *o);

/* What a run costs, estimated before it starts. */
typedef struct gradcheck_cost {
	int forms;                 /* kernel forms that will run */
	double forward_evals;      /* over all forms */
	double backward_evals;
	double work;               /* multiply-adds, roughly */
	double jacobian_bytes;     /* the largest numeric Jacobian held at once */
	double jacobian_entries;   /* per form: input, weight and bias together */
} gradcheck_cost_t;

typedef struct gradcheck gradcheck_t;

typedef enum gradcheck_kind {
	GRADCHECK_JACOBIAN,        /* d output / d wrt, entry by entry */
	GRADCHECK_GRADIENT,        /* d f / d wrt for a random df */
	GRADCHECK_AGREE,           /* two forward kernels agree */
} gradcheck_kind_t;

/* The result for one quantity. The first failing entry (in row-major order
 * of the output index, then the wrt index) is kept with its indices. */
typedef struct gradcheck_item {
	char form[32];             /* "element", "matrix/openblas", "nhwc" */
	char quantity[32];         /* "d output/d input", "dinput", "forward" */
	gradcheck_kind_t kind;
	conv_wrt_t wrt;            /* JACOBIAN and GRADIENT */
	size_t checked;            /* entries compared */
	size_t total;              /* entries in the quantity */
	size_t failures;
	double max_abs, max_rel;   /* NaN if an entry was not finite */
	double tol;                /* absolute tolerance per entry */
	char tol_why[200];
	bool pass;
	/* first failure, when failures > 0: */
	bool fail_has_out;         /* out_idx is set (JACOBIAN, AGREE) */
	bool fail_has_wrt;         /* wrt_idx is set (JACOBIAN, GRADIENT) */
	long out_idx[4];           /* b, c_out, h_out, w_out */
	long wrt_idx[4];           /* by wrt: input b,c_in,h_in,w_in;
	                              weight c_out,c_in,di,dj; bias c_out */
	double got;                /* the kernel's value */
	double want;               /* the finite difference / reference */
	uint64_t first_key;        /* the first failure's place in row-major
	                              order (o * wrt size + j): the compressed
	                              engine visits entries out of order and
	                              keeps the smallest */
} gradcheck_item_t;

/* How one source's check went (one per source run, in order). */
typedef struct gradcheck_timing {
	char form[32];
	double seconds;            /* wall time of its check */
	double estimate;           /* seconds predicted after its first calls
	                              of each kind (0: not made) */
	double forward_calls, backward_calls;
	bool every_entry;          /* every entry of every Jacobian compared */
} gradcheck_timing_t;
size_t gradcheck_timing_count(const gradcheck_t *g);
const gradcheck_timing_t *gradcheck_timing(const gradcheck_t *g, size_t i);

/* ------------------------------------------------------------ sources
 *
 * A source is any conv2d implementation the engine can check: one of
 * convgrad's kernel forms (gradcheck_source_form), or a user's plugin (the
 * "outside" runner wraps its child-process calls in one). The engine only
 * ever calls it through these two functions; numeric Jacobians come from
 * running the source's own forward, analytic ones from its own backward.
 *
 * forward: output = conv2d(p->input, p->weight, p->bias) for shape s
 *   (NCHW input, OIHW weight, C_out bias, NCHW output; p->bias is never
 *   NULL). The engine fills output with NaN first; every entry must be
 *   written. It may perturb nothing: p is const for the source.
 * backward: dinput, dweight, dbias = the gradients of sum(df * output) for
 *   the upstream gradient df (output's shape). All three are non-NULL
 *   unless the source sets partial (then a NULL one is not wanted), and
 *   filled with NaN first: they must be OVERWRITTEN, entry by entry.
 * Both return 0 on success. Nonzero means the source itself failed (a
 * plugin that crashed, hung or returned an error): *err is then a malloc'd
 * message (or NULL: the engine says "failed" alone) and the check stops.
 * The engine calls them from one thread at a time unless concurrent is
 * set.
 */
typedef int (*gradcheck_forward_fn)(void *ctx, tensor_t *output,
    const conv_params_t *p, const conv_shape_t *s, char **err);
typedef int (*gradcheck_backward_fn)(void *ctx, tensor_t *dinput,
    tensor_t *dweight, tensor_t *dbias, const tensor_t *df,
    const conv_params_t *p, const conv_shape_t *s, char **err);

typedef struct gradcheck_source {
	void *ctx;                 /* passed to forward and backward */
	const char *name;          /* the report's form column: "element",
	                              "matrix/openblas", "plugin ./libmine.so"
	                              (copied, at most 31 bytes shown) */
	gradcheck_forward_fn forward;
	gradcheck_backward_fn backward;
	bool partial;              /* backward accepts NULL for a gradient not
	                              wanted (and then skips its work); false:
	                              the engine passes scratch tensors */
	bool concurrent;           /* forward and backward may run at once on
	                              different threads, each with its own
	                              tensors (convgrad's kernels); false: one
	                              call at a time (a plugin) */
	bool crops;                /* backward may be called for a crop of the
	                              layer (another H_in, W_in; the rest of
	                              the shape the same): the engine reads
	                              d output/d weight's rows from crops
	                              (gradcheck-engine.c), and, from a
	                              source without partial, d output/d
	                              bias's rows from the layer with 2 input
	                              channels per group (another C_in);
	                              false: every call is for the layer's
	                              own shape */
	bool crops_screen;         /* with crops: a crop is a screen only (a
	                              plugin, which may fail or answer
	                              otherwise at a shape not the layer's):
	                              a crop call that fails, or crop rows
	                              that show anything, are made again on
	                              the layer, and rows are redone one at a
	                              time on the layer, so nothing is blamed
	                              on a crop; after a crop that failed or
	                              misled, the layer is used for all */
} gradcheck_source_t;
/* Fill a source with designated initializers ({ .ctx = ..., .name = ...,
 * .forward = ..., .backward = ... }): later fields default to false. */

/* A source over a kernel form of the table (its gemm back end set before
 * every call when matrix is true). The struct is filled in *src, its
 * context in *ctx_store, which must outlive src. name is not copied. */
typedef struct gradcheck_form_ctx {
	const gradcheck_form_t *f;
	bool matrix;
	int gemm;                  /* gemm_backend_t, when matrix */
} gradcheck_form_ctx_t;
void gradcheck_source_form(gradcheck_source_t *src,
    gradcheck_form_ctx_t *ctx_store, const gradcheck_form_t *f,
    bool matrix, int gemm, const char *name);

/*
 * Check one source with g's tensors, options and sampling, and append its
 * items to g's list (gradcheck_count/gradcheck_item see them), in this
 * order: d output/d input, d output/d weight, d output/d bias (Jacobians,
 * every entry or o->sample of each), dinput, dweight, dbias (the chain rule
 * for g's random df), and "forward = element" (the source's forward
 * against the element reference, entry by entry). *failed (if not NULL)
 * receives the number of those items that failed.
 * Returns 0, or -1 with *err set ("plugin ./libmine.so: forward: ...")
 * when the source itself failed; items finished before that are kept,
 * the one under way is dropped. Call after gradcheck_create(); it may be
 * called for several sources, with or without gradcheck_run().
 */
int gradcheck_run_source(gradcheck_t *g, const gradcheck_source_t *src,
    size_t *failed, char **err);

/* Validate the options and build the tensors (seeded uniform [-1, 1)).
 * Returns NULL with *err set for an invalid shape, or a run over the cost
 * limits (the message states the cost and suggests --sample). Free with
 * gradcheck_free(). */
gradcheck_t *gradcheck_create(const gradcheck_opts_t *o, char **err);
void gradcheck_free(gradcheck_t *g);     /* NULL: no-op */

/* Estimate the cost of the options without building anything; the shape
 * must be validated. */
void gradcheck_estimate(const gradcheck_opts_t *o, gradcheck_cost_t *c);
const gradcheck_cost_t *gradcheck_cost(const gradcheck_t *g);
/* The options g was built with, and its validated shape (H_out, W_out). */
const gradcheck_opts_t *gradcheck_opts(const gradcheck_t *g);
const conv_shape_t *gradcheck_shape(const gradcheck_t *g);
/* The tensors checked (owned by g): input, weight and bias. */
const conv_params_t *gradcheck_params(const gradcheck_t *g);

/* Run every check. Returns the number of quantities that failed. */
size_t gradcheck_run(gradcheck_t *g);

size_t gradcheck_count(const gradcheck_t *g);
const gradcheck_item_t *gradcheck_item(const gradcheck_t *g, size_t i);
/* The item with this form and quantity, or NULL. */
const gradcheck_item_t *gradcheck_find(const gradcheck_t *g, const char *form,
    const char *quantity);

/* Index names of a tensor: "b", "c_in", "h_in", "w_in" for the input, ...;
 * n receives the count. For the output use gradcheck_output_names. */
const char *const *gradcheck_wrt_names(conv_wrt_t w, int *n);
extern const char *const gradcheck_output_names[4];

/* Write input.npy weight.npy bias.npy df.npy output.npy dinput.npy
 * dweight.npy dbias.npy (float64, NCHW/OIHW; output and the gradients from
 * the element kernels) and conv.json (conv-json.h) into dir, creating it and its parents if missing
 * (as mkdir -p). Returns 0, or -1
 * with *err set (naming the path). */
int gradcheck_dump(const gradcheck_t *g, const char *dir, char **err);

/* The terms the tolerances are built from (see gradcheck.c's top comment),
 * for a report to print beside them. */
typedef struct gradcheck_tol_terms {
	double c;     /* 1 for central differences, 2 for forward */
	double n;     /* C_in*R*S terms per output */
	double A;     /* max over outputs of |bias| + sum |input*weight| */
	double D;     /* max over outputs of |df| times that sum */
} gradcheck_tol_terms_t;
gradcheck_tol_terms_t gradcheck_tol_terms(const gradcheck_t *g);

/* The chance that k random entries of total miss a single bad one,
 * 1 - k/total, into buf: "0.999922", "1 - 1.06e-09" when that would print
 * as 1, "0" when k >= total. Returns buf. */
char *gradcheck_miss_str(double k, double total, char *buf, size_t len);

/* One line stating the cost ("2104 forward and 486 backward evaluations,
 * about 1.4e+06 multiply-adds; Jacobians up to 0.1 MiB"), malloc'd. */
char *gradcheck_cost_str(const gradcheck_cost_t *c);

#endif
