/*
 * check_conv_shape.c: deriving H_out/W_out, refusing bad shapes with the
 * expected message, overflow and the memory limit, the text forms, and the
 * shape options over a base shape (their range checks and messages), and
 * the im2col geometry (which input pixel cols_b[r, p] reads).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "check-util.h"
#include "conv-matrix.h"
#include "conv-shape.h"
#include "tensor.h"

/* Shapes with their outputs worked out from
 *   H_out = (H_in + 2 pad_h - dil_h (R - 1) - 1) / strh + 1   (same for W). */
static const struct {
	long N, C_in, H_in, W_in, C_out, R, S, strh, strw, ph, pw, dh, dw;
	long H_out, W_out;
} good[] = {
	/* 3x3 on 5x5: 5-3+1 = 3 */
	{ 1, 1, 5, 5, 1, 3, 3, 1, 1, 0, 0, 1, 1, 3, 3 },
	/* non-square, R != S, stride 2/3: (7-3)/2+1 = 3, (8-2)/3+1 = 3 */
	{ 2, 2, 7, 8, 3, 3, 2, 2, 3, 0, 0, 1, 1, 3, 3 },
	/* stride not dividing H_in-R: (6-2)/3+1 = 2 (floor of 4/3) */
	{ 1, 1, 6, 6, 1, 2, 2, 3, 3, 0, 0, 1, 1, 2, 2 },
	/* padding: (4+2-3)/1+1 = 4 ("same") */
	{ 1, 1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 4, 4 },
	/* dilation 2: span (3-1)*2+1 = 5; (7-5)/1+1 = 3 */
	{ 1, 1, 7, 7, 1, 3, 3, 1, 1, 0, 0, 2, 2, 3, 3 },
	/* all together: (9+2*2-2*(3-1)-1)/2+1 = 8/2+1 = 5; W: (6+2-1*(2-1)-1)/3+1 = 3 */
	{ 2, 3, 9, 6, 4, 3, 2, 2, 3, 2, 1, 2, 1, 5, 3 },
	/* stride larger than the kernel: (10-2)/5+1 = 2 */
	{ 1, 1, 10, 10, 1, 2, 2, 5, 5, 0, 0, 1, 1, 2, 2 },
	/* kernel exactly the padded input: 1 */
	{ 1, 1, 3, 3, 1, 5, 5, 1, 1, 1, 1, 1, 1, 1, 1 },
};

START_TEST(test_derive)
{
	conv_shape_t s;
	char *err = NULL;

	conv_shape_init(&s, good[_i].N, good[_i].C_in, good[_i].H_in,
	    good[_i].W_in, good[_i].C_out, good[_i].R, good[_i].S);
	s.strh = good[_i].strh;
	s.strw = good[_i].strw;
	s.pad_h = good[_i].ph;
	s.pad_w = good[_i].pw;
	s.dil_h = good[_i].dh;
	s.dil_w = good[_i].dw;
	ck_assert_msg(conv_shape_validate(&s, 0, &err) == 0, "%s", err);
	ck_assert_int_eq(s.H_out, good[_i].H_out);
	ck_assert_int_eq(s.W_out, good[_i].W_out);
	ck_assert_uint_eq(conv_input_size(&s),
	    (size_t)(s.N * s.C_in * s.H_in * s.W_in));
	ck_assert_uint_eq(conv_output_size(&s),
	    (size_t)(s.N * s.C_out * s.H_out * s.W_out));
	ck_assert_uint_eq(conv_weight_size(&s),
	    (size_t)(s.C_out * s.C_in * s.R * s.S));
	ck_assert_uint_eq(conv_shape_bytes(&s), 8 * (conv_input_size(&s) +
	    conv_weight_size(&s) + s.C_out + 2 * conv_output_size(&s)));
}
END_TEST

/* Bad shapes: one field changed from a good base, and the message
 * fragments that must appear. */
static const struct {
	const char *key;
	long value;
	const char *msg;
} bad[] = {
	{ "N", 0, "size N must be at least 1, got 0" },
	{ "C_in", -3, "size C_in must be at least 1, got -3" },
	{ "H_in", 0, "H_in must be at least 1, got 0" },
	{ "W_in", 0, "W_in must be at least 1, got 0" },
	{ "C_out", 0, "C_out must be at least 1, got 0" },
	{ "R", 0, "kernel size R must be at least 1, got 0" },
	{ "S", -1, "kernel size S must be at least 1, got -1" },
	{ "strh", 0, "stride strh must be at least 1, got 0" },
	{ "strw", -2, "stride strw must be at least 1, got -2" },
	{ "pad_h", -1, "padding pad_h must be at least 0, got -1" },
	{ "pad_w", -1, "padding pad_w must be at least 0, got -1" },
	{ "dil_h", 0, "dilation dil_h must be at least 1, got 0" },
	{ "dil_w", 0, "dilation dil_w must be at least 1, got 0" },
	/* base H_in = 4, R = 3: dil 2 spans (3-1)*2+1 = 5 > 4 */
	{ "dil_h", 2, "dilated kernel (R-1)*dil_h+1 = 5 is larger than the "
	    "padded input H_in+2*pad_h = 4" },
	{ "S", 7, "dilated kernel (S-1)*dil_w+1 = 7 is larger than the padded "
	    "input W_in+2*pad_w = 6" },
	{ "pad_h", LONG_MAX / 2 + 1, "padded input H_in+2*pad_h overflows" },
	{ "dil_w", LONG_MAX, "dilated kernel (S-1)*dil_w+1 overflows" },
	{ "N", LONG_MAX / 4, "input size" },
	{ "C_out", LONG_MAX / 8, "weight size" },
	/* base C_in = 2, C_out = 3 */
	{ "groups", 0, "number of groups must be at least 1, got 0" },
	{ "groups", -2, "number of groups must be at least 1, got -2" },
	{ "groups", 3, "C_in=2 is not divisible by groups=3" },
	{ "groups", 2, "C_out=3 is not divisible by groups=2" },
	/* 2^28 images of 2*4*6 doubles: 96 GiB of input, over the 4 GiB
	 * default (no product overflows) */
	{ "N", 1L << 28, "over the memory limit of 4294967296 bytes" },
};

START_TEST(test_refuse)
{
	conv_shape_t s;
	char *err = NULL;

	conv_shape_init(&s, 1, 2, 4, 6, 3, 3, 2);
	ck_assert_int_eq(conv_shape_set(&s, bad[_i].key, bad[_i].value), 0);
	ck_assert_int_eq(conv_shape_validate(&s, 0, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, bad[_i].msg) != NULL,
	    "message '%s' lacks '%s'", err, bad[_i].msg);
	free(err);
}
END_TEST

START_TEST(test_mem_limit)
{
	conv_shape_t s;
	char *err = NULL;

	/* input 1*1*10*10 = 100, weight 1, bias 1, output and df 100 each:
	 * 302 doubles = 2416 bytes. */
	conv_shape_init(&s, 1, 1, 10, 10, 1, 1, 1);
	ck_assert_int_eq(conv_shape_validate(&s, 2416, &err), 0);
	ck_assert_uint_eq(conv_shape_bytes(&s), 2416);
	ck_assert_int_eq(conv_shape_validate(&s, 2415, &err), -1);
	ck_assert_msg(strstr(err, "need 2416 bytes") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "memory limit of 2415 bytes") != NULL, "%s",
	    err);
	free(err);
}
END_TEST

START_TEST(test_parse)
{
	conv_shape_t s;
	long a = 0, b = 0;
	char *err = NULL;

	conv_shape_init(&s, 0, 0, 0, 0, 0, 0, 0);
	ck_assert_int_eq(conv_shape_parse(&s, "2,3,7,8,4,3,2", &err), 0);
	ck_assert(s.N == 2 && s.C_in == 3 && s.H_in == 7 && s.W_in == 8 &&
	    s.C_out == 4 && s.R == 3 && s.S == 2);
	ck_assert_int_eq(conv_parse_pair("--stride", "2,3", &a, &b, &err), 0);
	ck_assert(a == 2 && b == 3);
	ck_assert_int_eq(conv_parse_pair("--stride", "5", &a, &b, &err), 0);
	ck_assert(a == 5 && b == 5);
}
END_TEST

static const char *bad_shape_args[] = {
	"", "1,2,3", "1,2,3,4,5,6,7,8", "1,2,3,x,5,6,7", "1,2,3,4,5,6,", ",1,2,3,4,5,6",
	"1,,3,4,5,6,7", "99999999999999999999999,1,1,1,1,1,1",
};

START_TEST(test_parse_bad)
{
	conv_shape_t s;
	char *err = NULL;

	conv_shape_init(&s, 1, 1, 1, 1, 1, 1, 1);
	ck_assert_int_eq(conv_shape_parse(&s, bad_shape_args[_i], &err), -1);
	ck_assert_msg(strstr(err, "--shape: expected seven integers "
	    "N,C_in,H_in,W_in,C_out,R,S") != NULL, "%s", err);
	ck_assert_msg(strstr(err, bad_shape_args[_i]) != NULL, "%s", err);
	free(err);
}
END_TEST

START_TEST(test_parse_pair_bad)
{
	static const char *args[] = { "", "1,", "a", "1,2,3", "1;2" };
	long a, b;
	char *err = NULL;
	size_t i;

	for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		ck_assert_int_eq(conv_parse_pair("--padding", args[i], &a, &b,
		    &err), -1);
		ck_assert_msg(strstr(err, "--padding: expected an integer or two "
		    "integers A,B") != NULL, "%s", err);
		free(err);
		err = NULL;
	}
}
END_TEST

START_TEST(test_str_set_get)
{
	conv_shape_t s;
	char buf[256];
	long v = 0;

	conv_shape_init(&s, 2, 2, 7, 8, 3, 3, 2);
	s.strh = 2;
	s.strw = 3;
	ck_assert_str_eq(conv_shape_str(&s, buf, sizeof(buf)),
	    "N=2 C_in=2 H_in=7 W_in=8 C_out=3 R=3 S=2 strh=2 strw=3");
	ck_assert_int_eq(conv_shape_set(&s, "pad_w", 1), 0);
	ck_assert_int_eq(conv_shape_set(&s, "dil_h", 2), 0);
	ck_assert_str_eq(conv_shape_str(&s, buf, sizeof(buf)),
	    "N=2 C_in=2 H_in=7 W_in=8 C_out=3 R=3 S=2 strh=2 strw=3 "
	    "pad_h=0 pad_w=1 dil_h=2 dil_w=1");
	ck_assert_int_eq(conv_shape_get(&s, "C_out", &v), 0);
	ck_assert_int_eq(v, 3);
	ck_assert_int_eq(conv_shape_get(&s, "pad_w", &v), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(conv_shape_set(&s, "c_in", 1), -1);   /* case matters */
	ck_assert_int_eq(conv_shape_get(&s, "stride", &v), -1);
	ck_assert_int_eq(conv_shape_get(&s, "groups", &v), 0);
	ck_assert_int_eq(v, 1);                          /* the default */
	ck_assert_int_eq(conv_shape_set(&s, "groups", 3), 0);
	ck_assert_int_eq(s.groups, 3);
	ck_assert_str_eq(conv_shape_str(&s, buf, sizeof(buf)),
	    "N=2 C_in=2 H_in=7 W_in=8 C_out=3 R=3 S=2 strh=2 strw=3 "
	    "pad_h=0 pad_w=1 dil_h=2 dil_w=1 groups=3");
	s.groups = 1;
	/* a short buffer is truncated, not overrun */
	ck_assert_str_eq(conv_shape_str(&s, buf, 8), "N=2 C_i");
}
END_TEST

/* ---- the shape options over a base shape ---- */

/* Read opt's argument into o; it must be accepted. */
static void
opts_read_ok(conv_shape_opts_t *o, conv_opt_t opt, const char *arg)
{
	char *err = NULL;

	ck_assert_msg(conv_shape_opts_read(o, opt, arg, &err) == 0, "%s: %s",
	    arg, err);
}

START_TEST(test_opts_over)
{
	conv_shape_opts_t o = { 0 };
	conv_shape_t base, s;

	conv_shape_init(&base, 2, 2, 7, 8, 3, 3, 2);
	base.strh = 2;
	base.strw = 3;
	ck_assert(!conv_shape_opts_given(&o));
	s = conv_shape_opts_over(&o, &base);                 /* nothing given */
	ck_assert(memcmp(&s, &base, sizeof s) == 0);
	opts_read_ok(&o, CONV_OPT_PADDING, "1,2");
	ck_assert(conv_shape_opts_given(&o));
	ck_assert_str_eq(o.padding, "1,2");
	s = conv_shape_opts_over(&o, &base);                 /* padding only */
	ck_assert(s.pad_h == 1 && s.pad_w == 2 && s.strh == 2 && s.strw == 3 &&
	    s.N == 2 && s.H_in == 7 && s.dil_h == 1);
	opts_read_ok(&o, CONV_OPT_STRIDE, "4");
	opts_read_ok(&o, CONV_OPT_SHAPE, "1,3,9,9,5,2,2");  /* stride kept */
	opts_read_ok(&o, CONV_OPT_DILATION, "2,1");
	s = conv_shape_opts_over(&o, &base);
	ck_assert(s.N == 1 && s.C_in == 3 && s.H_in == 9 && s.W_in == 9 &&
	    s.C_out == 5 && s.R == 2 && s.S == 2);
	ck_assert(s.strh == 4 && s.strw == 4 && s.pad_h == 1 && s.pad_w == 2 &&
	    s.dil_h == 2 && s.dil_w == 1);
}
END_TEST

/* Arguments refused only with check_ranges, and what the message says. */
static const struct {
	conv_opt_t opt;
	const char *arg, *want;
} opts_out_of_range[] = {
	{ CONV_OPT_SHAPE, "1,1,3,0,1,2,2",
	    "--shape: W_in must be at least 1, got 0 (in '1,1,3,0,1,2,2')" },
	{ CONV_OPT_STRIDE, "0,1",
	    "--stride: expected positive integers like 2,3, got '0,1'" },
	{ CONV_OPT_PADDING, "-1",
	    "--padding: expected non-negative integers like 1,1, got '-1'" },
	{ CONV_OPT_DILATION, "1,0",
	    "--dilation: expected positive integers like 2,3, got '1,0'" },
	{ CONV_OPT_GROUPS, "0",
	    "--groups: expected a positive integer like 2, got '0'" },
	{ CONV_OPT_GROUPS, "-4",
	    "--groups: expected a positive integer like 2, got '-4'" },
};

START_TEST(test_opts_ranges)
{
	conv_shape_opts_t o = { 0 };
	char *err = NULL;

	/* Read as given without check_ranges: validation finds it later. */
	opts_read_ok(&o, opts_out_of_range[_i].opt, opts_out_of_range[_i].arg);
	o.check_ranges = true;
	ck_assert_int_eq(conv_shape_opts_read(&o, opts_out_of_range[_i].opt,
	    opts_out_of_range[_i].arg, &err), -1);
	ck_assert_str_eq(err, opts_out_of_range[_i].want);
	free(err);
}
END_TEST

START_TEST(test_opts_validate)
{
	static const char want[] = "--shape 1,1,3,3,1,2,2 --stride 1,1 "
	    "--padding 1 --dilation 5,1: ";
	conv_shape_opts_t o = { 0 };
	conv_shape_t base, s;
	char *err = NULL;

	conv_shape_init(&base, 1, 1, 3, 3, 1, 2, 2);
	opts_read_ok(&o, CONV_OPT_PADDING, "1");
	s = conv_shape_opts_over(&o, &base);
	ck_assert_int_eq(conv_shape_opts_validate(&o, &s, &err), 0);
	ck_assert(s.H_out == 4 && s.W_out == 4);             /* derived */
	/* A kernel too large: the options as given, the others as in s. */
	opts_read_ok(&o, CONV_OPT_DILATION, "5,1");
	s = conv_shape_opts_over(&o, &base);
	ck_assert_int_eq(conv_shape_opts_validate(&o, &s, &err), -1);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
	ck_assert_msg(strstr(err, "larger than the padded input") != NULL, "%s",
	    err);
	free(err);
	err = NULL;
	/* A field out of range names the field. */
	opts_read_ok(&o, CONV_OPT_SHAPE, "1,0,3,3,1,2,2");
	s = conv_shape_opts_over(&o, &base);
	ck_assert_int_eq(conv_shape_opts_validate(&o, &s, &err), -1);
	ck_assert_msg(strstr(err, "--shape 1,0,3,3,1,2,2 ") == err &&
	    strstr(err, "C_in must be at least 1") != NULL, "%s", err);
	free(err);
}
END_TEST

/* --groups: read, carried over the base, named in a refusal; malformed
 * arguments refused as read. */
START_TEST(test_opts_groups)
{
	static const char want[] = "--shape 1,4,5,5,6,3,3 --stride 1,1 "
	    "--padding 0,0 --dilation 1,1 --groups 4: C_out=6 is not "
	    "divisible by groups=4 (each group needs C_out/groups output "
	    "channels)";
	static const char *const malformed[] = { "", "x", "2,2", "1.5", " 2" };
	conv_shape_opts_t o = { 0 };
	conv_shape_t base, s;
	char *err = NULL;
	size_t i;

	conv_shape_init(&base, 1, 4, 5, 5, 6, 3, 3);
	opts_read_ok(&o, CONV_OPT_GROUPS, "2");
	ck_assert(conv_shape_opts_given(&o));
	s = conv_shape_opts_over(&o, &base);
	ck_assert_int_eq(s.groups, 2);
	ck_assert_int_eq(conv_shape_opts_validate(&o, &s, &err), 0);
	ck_assert_uint_eq(conv_weight_size(&s), 6 * 2 * 3 * 3);
	opts_read_ok(&o, CONV_OPT_GROUPS, "4");
	s = conv_shape_opts_over(&o, &base);
	ck_assert_int_eq(conv_shape_opts_validate(&o, &s, &err), -1);
	ck_assert_str_eq(err, want);
	free(err);
	for (i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
		err = NULL;
		ck_assert_int_eq(conv_shape_opts_read(&o, CONV_OPT_GROUPS,
		    malformed[i], &err), -1);
		ck_assert_msg(strstr(err, "--groups: expected an integer, got")
		    == err, "%s", err);
		free(err);
	}
}
END_TEST

/* The weight of a grouped layer: C_out x C_in/groups x R x S. */
START_TEST(test_group_sizes)
{
	conv_shape_t s;
	size_t dims[4];
	char *err = NULL;

	conv_shape_init(&s, 2, 6, 5, 4, 9, 3, 2);
	s.groups = 3;
	ck_assert_msg(conv_shape_validate(&s, 0, &err) == 0, "%s", err);
	ck_assert_int_eq(conv_group_cin(&s), 2);
	ck_assert_int_eq(conv_group_cout(&s), 3);
	conv_weight_dims(&s, dims);
	ck_assert(dims[0] == 9 && dims[1] == 2 && dims[2] == 3 && dims[3] == 2);
	ck_assert_uint_eq(conv_weight_size(&s), 9 * 2 * 3 * 2);
	/* depthwise: groups = C_in = C_out */
	conv_shape_init(&s, 1, 4, 5, 5, 4, 3, 3);
	s.groups = 4;
	ck_assert_msg(conv_shape_validate(&s, 0, &err) == 0, "%s", err);
	ck_assert_uint_eq(conv_weight_size(&s), 4 * 1 * 3 * 3);
}
END_TEST

/* Entries of cols_b worked out by hand from r = (c_in*R + di)*S + dj,
 * p = h_out*W_out + w_out, h_in = strh*h_out + dil_h*di - pad_h (w_in
 * likewise), over strides, padding and dilation; some read the padding. */
static const struct {
	long C_in, H_in, W_in, R, S, strh, strw, ph, pw, dh, dw;
	long r, p;
	long c_in, di, dj, h_out, w_out, h_in, w_in;
	bool inside;
} col_px[] = {
	/* lesson 7's shape: 2,7,8 3x2 stride 2,3 (H_out = W_out = 3).
	 * r=5: c_in 0, di 2, dj 1; p=3: h_out 1, w_out 0 -> (2*1+2, 3*0+1) */
	{ 2, 7, 8, 3, 2, 2, 3, 0, 0, 1, 1, 5, 3, 0, 2, 1, 1, 0, 4, 1, true },
	/* r=11 (the last): c_in 1, di 2, dj 1; p=8: (2, 2) -> (6, 7) */
	{ 2, 7, 8, 3, 2, 2, 3, 0, 0, 1, 1, 11, 8, 1, 2, 1, 2, 2, 6, 7, true },
	/* padding 1, 3x3 on 4x4 (H_out = W_out = 4): r=0, p=0 -> (-1, -1) */
	{ 1, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, -1, -1, false },
	/* ... r=4 (the centre tap), p=0: (0, 0), inside */
	{ 1, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 4, 0, 0, 1, 1, 0, 0, 0, 0, true },
	/* ... r=8 (di 2, dj 2), p=15 (3, 3): (4, 4), past the bottom right */
	{ 1, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 8, 15, 0, 2, 2, 3, 3, 4, 4, false },
	/* dilation 2, 3x3 on 7x7 (H_out = W_out = 3): r=7 (di 2, dj 1),
	 * p=5 (1, 2) -> (1 + 4, 2 + 2) */
	{ 1, 7, 7, 3, 3, 1, 1, 0, 0, 2, 2, 7, 5, 0, 2, 1, 1, 2, 5, 4, true },
	/* everything: 3,9,6 3x2 stride 2,3 pad 2,1 dil 2,1 (H_out 5, W_out 3):
	 * r=13: c_in 2, di 0, dj 1; p=13: (4, 1) -> (8 + 0 - 2, 3 + 1 - 1) */
	{ 3, 9, 6, 3, 2, 2, 3, 2, 1, 2, 1, 13, 13, 2, 0, 1, 4, 1, 6, 3, true },
	/* ... r=13, p=14 (4, 2): (6, 6 + 1 - 1), one past the right edge */
	{ 3, 9, 6, 3, 2, 2, 3, 2, 1, 2, 1, 13, 14, 2, 0, 1, 4, 2, 6, 6, false },
	/* ... r=0, p=0: (-2, -1), the padding's corner */
	{ 3, 9, 6, 3, 2, 2, 3, 2, 1, 2, 1, 0, 0, 0, 0, 0, 0, 0, -2, -1, false },
	/* ... r=5 (c_in 0, di 2, dj 1), p=2 (0, 2): (2, 6), one past the
	 * right edge (W_in = 6) */
	{ 3, 9, 6, 3, 2, 2, 3, 2, 1, 2, 1, 5, 2, 0, 2, 1, 0, 2, 2, 6, false },
};

static void
col_shape(conv_shape_t *s, long C_in, long H_in, long W_in, long R, long S,
    long strh, long strw, long ph, long pw, long dh, long dw)
{
	char *err = NULL;

	conv_shape_init(s, 1, C_in, H_in, W_in, 1, R, S);
	s->strh = strh, s->strw = strw;
	s->pad_h = ph, s->pad_w = pw;
	s->dil_h = dh, s->dil_w = dw;
	ck_assert_msg(conv_shape_validate(s, 0, &err) == 0, "%s", err);
}

START_TEST(test_col_pixel)
{
	conv_shape_t s;
	conv_col_pixel_t px;
	__typeof__(col_px[0]) const *e = &col_px[_i];

	col_shape(&s, e->C_in, e->H_in, e->W_in, e->R, e->S, e->strh, e->strw,
	    e->ph, e->pw, e->dh, e->dw);
	ck_assert_int_eq(conv_col_pixel(&s, e->r, e->p, &px), e->inside);
	ck_assert_int_eq(px.inside, e->inside);
	ck_assert_int_eq(px.c_in, e->c_in);
	ck_assert_int_eq(px.di, e->di);
	ck_assert_int_eq(px.dj, e->dj);
	ck_assert_int_eq(px.h_out, e->h_out);
	ck_assert_int_eq(px.w_out, e->w_out);
	ck_assert_int_eq(px.h_in, e->h_in);
	ck_assert_int_eq(px.w_in, e->w_in);
}
END_TEST

/* Over every entry of each shape above: the pixel is the one the real
 * im2col kernel copies there (0 where it reads padding; the input's
 * values are all nonzero), and the window geometry agrees that output
 * (h_out, w_out) reads it through tap (di, dj). */
START_TEST(test_col_pixel_im2col)
{
	conv_shape_t s;
	conv_col_pixel_t px;
	__typeof__(col_px[0]) const *e = &col_px[_i];
	tensor_t *in;
	double *cols;
	long r, p, nr, np, di, dj;
	size_t k;

	col_shape(&s, e->C_in, e->H_in, e->W_in, e->R, e->S, e->strh, e->strw,
	    e->ph, e->pw, e->dh, e->dw);
	in = tensor_create4(1, (size_t)s.C_in, (size_t)s.H_in, (size_t)s.W_in);
	for (k = 0; k < in->size; k++)
		in->data[k] = 1.0 + (double)k;
	nr = s.C_in * s.R * s.S, np = s.H_out * s.W_out;
	cols = calloc((size_t)(nr * np), sizeof *cols);
	ck_assert_ptr_nonnull(cols);
	conv2d_im2col(cols, in, 0, &s);
	for (r = 0; r < nr; r++)
		for (p = 0; p < np; p++) {
			double want = 0;

			if (conv_col_pixel(&s, r, p, &px)) {
				want = T4(in, 0, px.c_in, px.h_in, px.w_in);
				ck_assert(conv_in_window(&s, px.h_out, px.w_out,
				    px.h_in, px.w_in, &di, &dj));
				ck_assert_int_eq(di, px.di);
				ck_assert_int_eq(dj, px.dj);
			}
			ck_assert_msg(cols[r * np + p] == want,
			    "cols[%ld, %ld] = %g, the geometry says %g", r, p,
			    cols[r * np + p], want);
		}
	free(cols);
	tensor_free(in);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("conv_shape");
	TCase *tc = tcase_create("conv_shape");

	tcase_add_loop_test(tc, test_derive, 0, sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, test_refuse, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_mem_limit);
	tcase_add_test(tc, test_parse);
	tcase_add_loop_test(tc, test_parse_bad, 0,
	    sizeof(bad_shape_args) / sizeof(bad_shape_args[0]));
	tcase_add_test(tc, test_parse_pair_bad);
	tcase_add_test(tc, test_str_set_get);
	tcase_add_test(tc, test_opts_over);
	tcase_add_loop_test(tc, test_opts_ranges, 0,
	    sizeof(opts_out_of_range) / sizeof(opts_out_of_range[0]));
	tcase_add_test(tc, test_opts_groups);
	tcase_add_test(tc, test_group_sizes);
	tcase_add_test(tc, test_opts_validate);
	tcase_add_loop_test(tc, test_col_pixel, 0,
	    sizeof(col_px) / sizeof(col_px[0]));
	tcase_add_loop_test(tc, test_col_pixel_im2col, 0,
	    sizeof(col_px) / sizeof(col_px[0]));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
