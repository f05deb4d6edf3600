/*
 * <convgrad/plugin.h>: the ABI of a conv2d library that
 * `convgrad gradcheck --plugin ./libmine.so` checks (docs/plugin.md).
 *
 * A plugin is a shared library exporting convgrad_forward and
 * convgrad_backward (and, optionally, convgrad_forward_f32 and
 * convgrad_backward_f32, then the check also runs in float32 with float32
 * tolerances). Every array is contiguous, NCHW for input, output and
 * doutput, OIHW for the weight (C_out x C_in/groups x R x S), C_out for the
 * bias. The output arrays are to be overwritten entry by entry: convgrad
 * fills them with NaN before each call, so a sum that reads them first is
 * caught. Return 0 on success; anything else is reported as the plugin's
 * error. Calls run in a child process, one at a time, with a time limit
 * (there may be one such process per core, so calls run at once in
 * different processes, never in one: global state is safe). The shape
 * comes with every call, and it is not always the layer's: besides the
 * layer checked, convgrad_backward is also called on smaller layers cut
 * from it (a crop around one output's window, or fewer input channels),
 * to read Jacobian rows cheaply. A plugin that fails at such a shape is
 * not blamed for it: those rows are read on the layer instead.
 */
#ifndef CONVGRAD_PLUGIN_H
#define CONVGRAD_PLUGIN_H

#ifdef __cplusplus
extern "C" {
#endif

#define CONVGRAD_PLUGIN_ABI 1
struct convgrad_conv {
    int abi;                                   /* CONVGRAD_PLUGIN_ABI */
    long N, C_in, H_in, W_in, C_out, R, S;     /* weight is C_out x C_in/groups x R x S */
    long strh, strw, pad_h, pad_w, dil_h, dil_w, groups;
    long H_out, W_out;
};
/* Contiguous NCHW / OIHW doubles. Return 0 on success; nonzero is reported as the plugin's error. */
int convgrad_forward(const struct convgrad_conv *c, const double *input,
                     const double *weight, const double *bias /* NULL: none */, double *output);
int convgrad_backward(const struct convgrad_conv *c, const double *input, const double *weight,
                      const double *doutput, double *dinput, double *dweight, double *dbias);

/* Optional: the same in float32. */
int convgrad_forward_f32(const struct convgrad_conv *c, const float *input,
                         const float *weight, const float *bias /* NULL: none */, float *output);
int convgrad_backward_f32(const struct convgrad_conv *c, const float *input, const float *weight,
                          const float *doutput, float *dinput, float *dweight, float *dbias);

#ifdef __cplusplus
}
#endif

#endif
