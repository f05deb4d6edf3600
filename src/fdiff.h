/*
 * fdiff.h: finite differences of the real forward kernel.
 *
 * Every numeric gradient in convgrad comes from here: perturb one element of
 * input, weight or bias, run the forward kernel, read the change in every
 * output. The perturbed tensor is restored to its exact bit pattern.
 *
 * Central (default): (F(x+h) - F(x-h)) / 2h. Forward: (F(x+h) - F(x)) / h.
 * conv2d is linear in each of input, weight and bias, so both have no
 * truncation error here; what remains is rounding: about eps_mach * |F| / h.
 */
#ifndef CONVGRAD_FDIFF_H
#define CONVGRAD_FDIFF_H

#include "conv-shape.h"
#include "tensor.h"

typedef enum fd_method { FD_CENTRAL, FD_FORWARD } fd_method_t;

typedef struct fd_opts {
	fd_method_t method;
	double eps;          /* the step h; default FD_EPS_DEFAULT */
} fd_opts_t;

#define FD_EPS_DEFAULT 1e-6

/* Which tensor is differentiated. */
typedef enum conv_wrt { WRT_INPUT, WRT_WEIGHT, WRT_BIAS } conv_wrt_t;

/* The three parameters of a conv2d layer (NCHW, OIHW, C_out). */
typedef struct conv_params {
	tensor_t *input;
	tensor_t *weight;
	tensor_t *bias;
} conv_params_t;

/* A forward kernel: conv2d_forward_elem, conv2d_forward_matrix, or a test's. */
typedef void (*conv_forward_fn)(tensor_t *output, const tensor_t *input,
    const tensor_t *weight, const tensor_t *bias, const conv_shape_t *s);

void fd_opts_default(fd_opts_t *o);
/* "input", "weight", "bias". */
const char *conv_wrt_name(conv_wrt_t w);
tensor_t *conv_wrt_tensor(const conv_params_t *p, conv_wrt_t w);

/* One Jacobian column: col[o] = d output[o] / d wrt[j] for every output
 * element o (col has conv_output_size(s) entries). p is perturbed and
 * restored. */
void fd_jacobian_column(double *col, conv_params_t *p, conv_wrt_t wrt,
    size_t j, conv_forward_fn fwd, const conv_shape_t *s, const fd_opts_t *o);

/* The whole Jacobian: jac is (output size, wrt size), jac[o, j] =
 * d output[o] / d wrt[j]. Columns are independent (OpenMP when built with
 * it: each thread perturbs its own copy). */
void fd_jacobian(tensor_t *jac, conv_params_t *p, conv_wrt_t wrt,
    conv_forward_fn fwd, const conv_shape_t *s, const fd_opts_t *o);

/* The numeric gradient of the scalar f = sum(df * output) with respect to
 * wrt: grad has wrt's shape. */
void fd_gradient(tensor_t *grad, const tensor_t *df, conv_params_t *p,
    conv_wrt_t wrt, conv_forward_fn fwd, const conv_shape_t *s,
    const fd_opts_t *o);

/* One entry of fd_gradient: d f / d wrt[j] for f = sum(df * output), from
 * two forward passes (the perturbed inputs x_j + h and x_j - h, or x_j for
 * forward differences). The same code and arithmetic as each entry of
 * fd_gradient, so the two agree bit for bit. p is perturbed and restored. */
double fd_gradient_entry(const tensor_t *df, conv_params_t *p,
    conv_wrt_t wrt, size_t j, conv_forward_fn fwd, const conv_shape_t *s,
    const fd_opts_t *o);

/*
 * fd_jacobian_column and fd_gradient_entry for wrt = WRT_INPUT, with fwd
 * run on the one image input[j] is in (N = 1), the other images' outputs
 * taken from clean = fwd(p) (the whole output, unperturbed). For a
 * forward whose images do not mix, each output summed from its own image
 * in the same order whatever N (the project's kernels; not a forward
 * being checked, which may mix them), these are the same bits as the
 * whole-batch functions, at 1/N of their work. p is not written.
 */
void fd_jacobian_column_image(double *col, const conv_params_t *p, size_t j,
    conv_forward_fn fwd, const conv_shape_t *s, const fd_opts_t *o,
    const tensor_t *clean);
double fd_gradient_entry_image(const tensor_t *df, const conv_params_t *p,
    size_t j, conv_forward_fn fwd, const conv_shape_t *s, const fd_opts_t *o,
    const tensor_t *clean);

#endif
