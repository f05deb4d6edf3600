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

#endif
