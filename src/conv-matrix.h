/*
 * conv-matrix.h: matrix-form conv2d kernels: im2col + GEMM, one GEMM over
 * several images at once (a chunk of the batch; conv-matrix.c says why).
 * These are the content of the source's empty "matrix form" sections.
 *
 * cols is the im2col matrix of one image b, shape (C_in*R*S, H_out*W_out):
 *   cols[(c_in*R + di)*S + dj, h_out*W_out + w_out]
 *     = input[b, c_in, strh*h_out + dil_h*di - pad_h, strw*w_out + dil_w*dj - pad_w]
 *   (0 outside the input). Viewing weight as Wm (C_out, C_in*R*S):
 *   forward:          Y_b  = Wm · cols_b + bias       (M=C_out, N=H_out*W_out, K=C_in*R*S)
 *   backward weight:  dWm  = sum_b dY_b · cols_bᵀ     (M=C_out, N=C_in*R*S, K=H_out*W_out)
 *   backward input:   dcols_b = Wmᵀ · dY_b, then col2im (M=C_in*R*S, N=H_out*W_out, K=C_out)
 *   backward bias:    dbias = sum over b, h_out, w_out of dY
 * With groups, each product is one GEMM per group over its blocks of rows
 * (M = C_out/groups, K = C_in/groups*R*S where above it says C_out,
 * C_in*R*S). Signatures match conv-elem.h; backward kernels OVERWRITE
 * their output.
 */
#ifndef CONVGRAD_CONV_MATRIX_H
#define CONVGRAD_CONV_MATRIX_H

#include "conv-shape.h"
#include "tensor.h"

/* cols (C_in*R*S rows, H_out*W_out columns, row-major) from image b. */
void conv2d_im2col(double *cols, const tensor_t *input, long b,
    const conv_shape_t *s);
/* ACCUMULATE cols back into image b of dinput (overlapping windows add). */
void conv2d_col2im(tensor_t *dinput, long b, const double *cols,
    const conv_shape_t *s);

void conv2d_forward_matrix(tensor_t *output, const tensor_t *input,
    const tensor_t *weight, const tensor_t *bias, const conv_shape_t *s);
void conv2d_backward_input_matrix(tensor_t *dinput, const tensor_t *df,
    const tensor_t *weight, const conv_shape_t *s);
void conv2d_backward_weight_matrix(tensor_t *dweight, const tensor_t *df,
    const tensor_t *input, const conv_shape_t *s);
void conv2d_backward_bias_matrix(tensor_t *dbias, const tensor_t *df,
    const conv_shape_t *s);

/* The columns each GEMM aims for: images are taken together until a
 * product has this many (within a memory bound); 1 multiplies image by
 * image; 0 restores the default (2048). Process-wide, for benchmarks and
 * tests; set it while no kernel runs. */
void conv2d_matrix_set_batch_cols(long cols);

#endif
