/*
 * conv-elem.h: element-form conv2d kernels. Direct loops written like the
 * source's formulas: the reference every other form is checked against.
 *
 * Outputs first, then inputs, then the shape. Shapes as in conv-shape.h
 * (NCHW input, OIHW weight (C_out, C_in/groups, R, S)) unless the name says
 * NHWC/HWIO. Positions outside the input (padding) read as zero. The
 * formulas below are for groups = 1; with groups, c_out's sum runs over its
 * group's C_in/groups input channels (conv-elem.c says how). Backward
 * kernels OVERWRITE their output.
 */
#ifndef CONVGRAD_CONV_ELEM_H
#define CONVGRAD_CONV_ELEM_H

#include "conv-shape.h"
#include "tensor.h"

/* output[b,c_out,h_out,w_out] = bias[c_out] + sum_{c_in,di,dj}
 *   input[b,c_in,strh*h_out + dil_h*di - pad_h, strw*w_out + dil_w*dj - pad_w]
 *   * weight[c_out,c_in,di,dj]            (bias may be NULL: no bias) */
void conv2d_forward_elem(tensor_t *output, const tensor_t *input,
    const tensor_t *weight, const tensor_t *bias, const conv_shape_t *s);

/* TensorFlow's form: output_nhwc[b,i,j,k] = bias[k] + sum_{di,dj,q}
 *   input_nhwc[b, strides[1]*i + di, strides[2]*j + dj, q] * filter_hwio[di,dj,q,k]
 * (with padding and dilation as above). */
void conv2d_forward_nhwc_elem(tensor_t *output_nhwc, const tensor_t *input_nhwc,
    const tensor_t *filter_hwio, const tensor_t *bias, const conv_shape_t *s);

/* dinput[b,c_in,h_in,w_in] = sum_{c_out,h_out,w_out} df[b,c_out,h_out,w_out]
 *   * weight[c_out,c_in,di,dj] where h_in = strh*h_out + dil_h*di - pad_h, ... */
void conv2d_backward_input_elem(tensor_t *dinput, const tensor_t *df,
    const tensor_t *weight, const conv_shape_t *s);

/* dweight[c_out,c_in,di,dj] = sum_{b,h_out,w_out} df[b,c_out,h_out,w_out]
 *   * input[b,c_in,strh*h_out + dil_h*di - pad_h, ...] */
void conv2d_backward_weight_elem(tensor_t *dweight, const tensor_t *df,
    const tensor_t *input, const conv_shape_t *s);

/* dbias[c_out] = sum_{b,h_out,w_out} df[b,c_out,h_out,w_out] */
void conv2d_backward_bias_elem(tensor_t *dbias, const tensor_t *df,
    const conv_shape_t *s);

/*
 * The backward for the input as a transposed convolution: the forward
 * correlation (conv2d_forward_elem itself: stride 1, no padding, s's
 * dilation and groups) of df spread out and padded, with the kernel
 * rotated by 180 degrees and its channels transposed:
 *   dfz[b,c_out,y,x] = df[b,c_out,u/strh,v/strw] where u = y - P_h,
 *     v = x - P_w are multiples of the strides inside the output, else 0
 *     (strh-1 zero rows inserted between two rows of df, P_h = dil_h*(R-1)
 *     - pad_h rows of zeros above, cropped where negative);
 *   wt[c_in,m,ei,ej] = weight[c_out,c_in-grp*(C_in/groups),R-1-ei,S-1-ej],
 *     c_out = grp*(C_out/groups) + m, grp = c_in / (C_in/groups);
 *   dinput[b,c_in,h_in,w_in] = sum_{m,ei,ej} dfz[b, grp*(C_out/groups)+m,
 *     h_in + dil_h*ei, w_in + dil_w*ej] * wt[c_in,m,ei,ej].
 * dfz is (N, C_out, H_in + dil_h*(R-1), W_in + dil_w*(S-1)), wt (C_in,
 * C_out/groups, R, S); the forward over them has exactly H_in x W_in
 * outputs. Each term is one of conv2d_backward_input_elem's, so the two
 * agree to rounding (summed in another order), not bit for bit.
 */

/* The shape of that forward: N, C_out as its input channels, the spread
 * and padded H x W of dfz, C_in as its output channels, R x S, stride 1,
 * no padding, s's dilation and groups; validated (H_out = s->H_in). s is
 * validated. */
void conv2d_transposed_shape(conv_shape_t *t, const conv_shape_t *s);

/* dfz (the transposed shape's input), OVERWRITTEN, from df (N, C_out,
 * H_out, W_out). */
void conv2d_transposed_spread(tensor_t *dfz, const tensor_t *df,
    const conv_shape_t *s);

/* wt (C_in, C_out/groups, R, S), OVERWRITTEN, from weight (C_out,
 * C_in/groups, R, S): rotated by 180 degrees, channels transposed within
 * each group. */
void conv2d_transposed_weight(tensor_t *wt, const tensor_t *weight,
    const conv_shape_t *s);

/* dinput (N, C_in, H_in, W_in), OVERWRITTEN: the forward of
 * conv2d_transposed_shape over conv2d_transposed_spread(df) and
 * conv2d_transposed_weight(weight). Allocates the two (and frees them). */
void conv2d_backward_input_transposed(tensor_t *dinput, const tensor_t *df,
    const tensor_t *weight, const conv_shape_t *s);

#endif
