/*
 * conv-shape.h: the shape of one 2-D convolution, its validation, and the
 * command-line options --shape, --stride, --padding, --dilation over it.
 *
 * Names follow the source derivation: N (batch), C_in, H_in, W_in, C_out,
 * R x S the kernel, strh/strw the strides, pad_h/pad_w zero padding on each
 * side, dil_h/dil_w the dilation, groups the channel groups (PyTorch's
 * groups: output channel c_out reads only the C_in/groups input channels
 * of its group c_out / (C_out/groups); groups = C_in = C_out is a
 * depthwise convolution). Derived:
 *   H_out = (H_in + 2 pad_h - dil_h (R - 1) - 1) / strh + 1
 *   W_out = (W_in + 2 pad_w - dil_w (S - 1) - 1) / strw + 1
 * Layouts: input (N, C_in, H_in, W_in), weight (C_out, C_in/groups, R, S),
 * bias (C_out), output and df (N, C_out, H_out, W_out).
 */
#ifndef CONVGRAD_CONV_SHAPE_H
#define CONVGRAD_CONV_SHAPE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct conv_shape {
	long N, C_in, H_in, W_in, C_out, R, S;
	long strh, strw;
	long pad_h, pad_w;
	long dil_h, dil_w;
	long groups;           /* 1: every output channel reads every input */
	long H_out, W_out;     /* set by conv_shape_validate() */
} conv_shape_t;

/* Default memory limit for all tensors of one problem: 4 GiB. */
#define CONV_MEM_LIMIT_DEFAULT ((size_t)4 << 30)

/* Sizes as given; stride 1, no padding, dilation 1, groups 1. H_out/W_out
 * not set. */
void conv_shape_init(conv_shape_t *s, long N, long C_in, long H_in, long W_in,
    long C_out, long R, long S);

/* Check every field and derive H_out, W_out. Refuses, with a message naming
 * the field and its value: sizes < 1, stride < 1, padding < 0, dilation < 1,
 * groups < 1, C_in or C_out not divisible by groups, a dilated kernel larger than the padded input, size products that
 * overflow, and input+weight+bias+output+df over mem_limit bytes (0: the
 * default). Returns 0, or -1 with *err set. */
int conv_shape_validate(conv_shape_t *s, size_t mem_limit, char **err);

/* Bytes of input, weight, bias, output and df together (after validate). */
size_t conv_shape_bytes(const conv_shape_t *s);

/* Element counts (after validate). */
size_t conv_input_size(const conv_shape_t *s);
size_t conv_weight_size(const conv_shape_t *s);
size_t conv_output_size(const conv_shape_t *s);

/* Channels of one group: C_in/groups (the weight's second dimension) and
 * C_out/groups. The group of output channel c_out is c_out / (C_out/groups);
 * it reads input channels group*(C_in/groups) ... + C_in/groups - 1. */
long conv_group_cin(const conv_shape_t *s);
long conv_group_cout(const conv_shape_t *s);
/* The weight's shape (C_out, C_in/groups, R, S) into dims. */
void conv_weight_dims(const conv_shape_t *s, size_t dims[4]);

/* The window geometry along one axis, solved once for the kernels: with
 * in_pos = str*out_pos + off (off = dil*tap - pad, the tap's offset), the
 * out_pos in [0, out) whose in_pos lies inside [0, in) are exactly
 * [*lo, *hi) (possibly empty, then *lo == *hi). The others read padding. */
void conv_axis_range(long off, long str, long in, long out, long *lo,
    long *hi);

/* Command-line forms. "N,C_in,H_in,W_in,C_out,R,S" (seven integers), and
 * "A,B" pairs for --stride, --padding, --dilation (a single integer sets
 * both). `what` names the option in the message ("--stride"). Returns 0, or
 * -1 with *err set. They do not validate the whole shape. */
int conv_shape_parse(conv_shape_t *s, const char *arg, char **err);
int conv_parse_pair(const char *what, const char *arg, long *a, long *b,
    char **err);

/* "N=2 C_in=2 H_in=7 W_in=8 C_out=3 R=3 S=2 strh=2 strw=3" (and pad_h,
 * pad_w, dil_h, dil_w, groups when not default) into buf; returns buf. */
char *conv_shape_str(const conv_shape_t *s, char *buf, size_t len);

/* Set one field by its source name ("C_in", "strh", "pad_w", "groups", ...).
 * Returns 0, or -1 if the key is unknown. get: -1 if unknown. */
int conv_shape_set(conv_shape_t *s, const char *key, long value);
int conv_shape_get(const conv_shape_t *s, const char *key, long *value);

/* ---- the shape options of a command line, over a base shape ---- */

/* --shape (the seven sizes), --stride, --padding, --dilation, --groups. */
typedef enum conv_opt {
	CONV_OPT_SHAPE, CONV_OPT_STRIDE, CONV_OPT_PADDING, CONV_OPT_DILATION,
	CONV_OPT_GROUPS,
} conv_opt_t;

/* The shape options given: the fields they set, and each argument as
 * written (NULL: not given; not copied, so it must outlive the struct), to
 * name it in a message. Zero it to start; set check_ranges to refuse a
 * size, stride, dilation or groups below 1 or a padding below 0 as the
 * option is read (otherwise validation finds it, or not, if the caller
 * then skips the shape). */
typedef struct conv_shape_opts {
	conv_shape_t over;
	const char *shape, *stride, *padding, *dilation, *groups;
	bool check_ranges;
} conv_shape_opts_t;

/* Read one option's argument into o. 0, or -1 with *err naming the option
 * and the argument: "--stride: expected ..., got 'x'". */
int conv_shape_opts_read(conv_shape_opts_t *o, conv_opt_t opt,
    const char *arg, char **err);
/* Was any shape option given? */
bool conv_shape_opts_given(const conv_shape_opts_t *o);
/* base with the fields of the options given in place of its own (not
 * validated). */
conv_shape_t conv_shape_opts_over(const conv_shape_opts_t *o,
    const conv_shape_t *base);
/* conv_shape_validate(s) (no memory limit: the default); on error *err is
 * "--shape A --stride B --padding C --dilation D[ --groups G]: why", each
 * option as given or, when not given, as s has it (--groups only when
 * given or not 1). */
int conv_shape_opts_validate(const conv_shape_opts_t *o, conv_shape_t *s,
    char **err);
/* Why a lesson of base shape base is left out at the options o, or NULL:
 * its groups (> 1, 11-groups.md) do not divide the C_in or C_out that o
 * gives, and o does not give --groups. The sizes were chosen for every
 * lesson and the groups by the lesson, so verify and the tutor leave that
 * lesson out, saying why, rather than refusing the whole run. malloc'd. */
char *conv_shape_opts_groups_skip(const conv_shape_opts_t *o,
    const conv_shape_t *base);

/* ---- the geometry of the window (added for the tutor) ----
 * Along one axis, output row ho reads input rows
 *   h = str * ho + dil * d - pad,  0 <= d < R  (d: the tap),
 * the source's window with stride, dilation and padding. */

/* Does output row ho read input row h, and through which tap (*d, may
 * be NULL)? */
bool conv_axis_tap(long h, long ho, long str, long dil, long pad, long R,
    long *d);
/* Does tap d read input row h for some output row 0..n_out-1? */
bool conv_axis_tapped(long h, long d, long str, long dil, long pad,
    long n_out);
/* Is input pixel (h, w) in the window of output (ho, wo) of shape s (rows
 * and columns only; batch and channels are the caller's)? The taps go to
 * *di, *dj (either may be NULL). */
bool conv_in_window(const conv_shape_t *s, long ho, long wo, long h, long w,
    long *di, long *dj);
/* Channels under groups: weight channel ci (0 .. C_in/groups - 1) of output
 * channel c_out multiplies input channel
 *   c_in = (c_out / (C_out/groups)) * (C_in/groups) + ci,
 * and output channel c_out reads input channel c_in only when both are in
 * the same group (then *ci, which may be NULL, is c_in's weight channel).
 * groups = 1: c_in = ci, and every output channel reads every input. */
long conv_group_input_channel(const conv_shape_t *s, long c_out, long ci);
bool conv_channel_reads(const conv_shape_t *s, long c_out, long c_in,
    long *ci);
/* The im2col matrix of image b, cols_b (C_in*R*S rows, H_out*W_out
 * columns), names its entries by
 *   r = (c_in*R + di)*S + dj        p = h_out*W_out + w_out
 * and entry (r, p) is the input pixel that tap (di, dj) of output
 * position (h_out, w_out) reads:
 *   h_in = strh*h_out + dil_h*di - pad_h,  w_in = strw*w_out + dil_w*dj - pad_w
 * (or zero padding, outside the image). Groups do not change it: cols_b
 * holds every input channel. */
typedef struct conv_col_pixel {
	long c_in, di, dj;      /* from r */
	long h_out, w_out;      /* from p */
	long h_in, w_in;        /* the pixel read; may lie in the padding */
	bool inside;            /* 0 <= h_in < H_in and 0 <= w_in < W_in */
} conv_col_pixel_t;
/* Where entry (r, p) of cols_b reads, for a validated s; r and p within
 * the matrix (asserted). Returns px->inside. */
bool conv_col_pixel(const conv_shape_t *s, long r, long p,
    conv_col_pixel_t *px);
/* Are a and b the same shape, field by field (derived fields too)? */
bool conv_shape_equal(const conv_shape_t *a, const conv_shape_t *b);

#endif
