/*
 * conv-shape.c: the shape of one conv2d, its validation, its text forms,
 * and the command-line options that set it over a base shape (every front
 * end and the tutor read --shape, --stride, --padding, --dilation, --groups
 * here).
 *
 * Validation is the gate between user input (command-line options, lesson
 * files) and the kernels: after conv_shape_validate() succeeds every size
 * product the kernels compute fits in size_t and in long, so the kernels
 * need no checks of their own. All arithmetic here is overflow-checked.
 */
#include "conv-shape.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The fields by their source names, for set/get, str and validation. */
static const struct conv_field {
	const char *name;
	size_t offset;
} conv_fields[] = {
	{ "N", offsetof(conv_shape_t, N) },
	{ "C_in", offsetof(conv_shape_t, C_in) },
	{ "H_in", offsetof(conv_shape_t, H_in) },
	{ "W_in", offsetof(conv_shape_t, W_in) },
	{ "C_out", offsetof(conv_shape_t, C_out) },
	{ "R", offsetof(conv_shape_t, R) },
	{ "S", offsetof(conv_shape_t, S) },
	{ "strh", offsetof(conv_shape_t, strh) },
	{ "strw", offsetof(conv_shape_t, strw) },
	{ "pad_h", offsetof(conv_shape_t, pad_h) },
	{ "pad_w", offsetof(conv_shape_t, pad_w) },
	{ "dil_h", offsetof(conv_shape_t, dil_h) },
	{ "dil_w", offsetof(conv_shape_t, dil_w) },
	{ "groups", offsetof(conv_shape_t, groups) },
	{ "H_out", offsetof(conv_shape_t, H_out) },
	{ "W_out", offsetof(conv_shape_t, W_out) },
};
#define CONV_NFIELDS (sizeof(conv_fields) / sizeof(conv_fields[0]))

void
conv_shape_init(conv_shape_t *s, long N, long C_in, long H_in, long W_in,
    long C_out, long R, long S)
{
	memset(s, 0, sizeof(*s));
	s->N = N;
	s->C_in = C_in;
	s->H_in = H_in;
	s->W_in = W_in;
	s->C_out = C_out;
	s->R = R;
	s->S = S;
	s->strh = s->strw = 1;
	s->pad_h = s->pad_w = 0;
	s->dil_h = s->dil_w = 1;
	s->groups = 1;
}

/* Each field's lower bound and the word used for it in messages. */
static int
check_minimums(const conv_shape_t *s, char **err)
{
	static const struct {
		const char *kind, *name;
		size_t offset;
		long min;
	} rules[] = {
		{ "size", "N", offsetof(conv_shape_t, N), 1 },
		{ "size", "C_in", offsetof(conv_shape_t, C_in), 1 },
		{ "size", "H_in", offsetof(conv_shape_t, H_in), 1 },
		{ "size", "W_in", offsetof(conv_shape_t, W_in), 1 },
		{ "size", "C_out", offsetof(conv_shape_t, C_out), 1 },
		{ "kernel size", "R", offsetof(conv_shape_t, R), 1 },
		{ "kernel size", "S", offsetof(conv_shape_t, S), 1 },
		{ "stride", "strh", offsetof(conv_shape_t, strh), 1 },
		{ "stride", "strw", offsetof(conv_shape_t, strw), 1 },
		{ "padding", "pad_h", offsetof(conv_shape_t, pad_h), 0 },
		{ "padding", "pad_w", offsetof(conv_shape_t, pad_w), 0 },
		{ "dilation", "dil_h", offsetof(conv_shape_t, dil_h), 1 },
		{ "dilation", "dil_w", offsetof(conv_shape_t, dil_w), 1 },
		{ "number of", "groups", offsetof(conv_shape_t, groups), 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		long v = *(const long *)((const char *)s + rules[i].offset);

		if (v < rules[i].min)
			return set_error(err, "%s %s must be at least %ld, got %ld",
			    rules[i].kind, rules[i].name, rules[i].min, v);
	}
	return 0;
}

/* C_in and C_out split into groups of equal size. */
static int
check_groups(const conv_shape_t *s, char **err)
{
	if (s->C_in % s->groups != 0)
		return set_error(err, "C_in=%ld is not divisible by groups=%ld "
		    "(each group needs C_in/groups input channels)", s->C_in,
		    s->groups);
	if (s->C_out % s->groups != 0)
		return set_error(err, "C_out=%ld is not divisible by groups=%ld "
		    "(each group needs C_out/groups output channels)", s->C_out,
		    s->groups);
	return 0;
}

/* One spatial dimension: out = (in + 2 pad - dil (k - 1) - 1) / str + 1.
 * axis is "h" or "w"; in/k are named H_in/R or W_in/S in messages. */
static int
derive_out(long in, long k, long str, long pad, long dil, const char *axis,
    long *out, char **err)
{
	const char *in_name = axis[0] == 'h' ? "H_in" : "W_in";
	const char *k_name = axis[0] == 'h' ? "R" : "S";
	long padded, span;

	if (__builtin_mul_overflow(pad, 2L, &padded) ||
	    __builtin_add_overflow(padded, in, &padded))
		return set_error(err, "padded input %s+2*pad_%s overflows "
		    "(%s=%ld, pad_%s=%ld)", in_name, axis, in_name, in, axis, pad);
	if (__builtin_mul_overflow(k - 1, dil, &span) ||
	    __builtin_add_overflow(span, 1L, &span))
		return set_error(err, "dilated kernel (%s-1)*dil_%s+1 overflows "
		    "(%s=%ld, dil_%s=%ld)", k_name, axis, k_name, k, axis, dil);
	if (span > padded)
		return set_error(err, "dilated kernel (%s-1)*dil_%s+1 = %ld is "
		    "larger than the padded input %s+2*pad_%s = %ld", k_name, axis,
		    span, in_name, axis, padded);
	*out = (padded - span) / str + 1;
	return 0;
}

/* *acc *= v, or false on overflow of size_t. */
static bool
mul_size(size_t *acc, long v)
{
	return !__builtin_mul_overflow(*acc, (size_t)v, acc);
}

/* Element count of a 4-D tensor, overflow-checked; the byte count must
 * also fit in long. */
static int
count4(const char *what, long a, long b, long c, long d, size_t *n,
    char **err)
{
	*n = 1;
	if (!mul_size(n, a) || !mul_size(n, b) || !mul_size(n, c) ||
	    !mul_size(n, d) || *n > (size_t)LONG_MAX / sizeof(double))
		return set_error(err, "%s size %ld*%ld*%ld*%ld overflows", what, a,
		    b, c, d);
	return 0;
}

/* Sizes and bytes of all five tensors; refuses overflow and the limit. */
static int
check_sizes(const conv_shape_t *s, size_t mem_limit, char **err)
{
	size_t in, w, out, total;

	if (count4("input", s->N, s->C_in, s->H_in, s->W_in, &in, err) != 0 ||
	    count4("weight", s->C_out, conv_group_cin(s), s->R, s->S, &w,
	    err) != 0 ||
	    count4("output", s->N, s->C_out, s->H_out, s->W_out, &out, err) != 0)
		return -1;
	/* The matrix form hands these to GEMM as int dimensions. */
	if ((size_t)s->C_in * s->R * s->S > INT_MAX ||
	    (size_t)s->H_out * s->W_out > INT_MAX)
		return set_error(err, "C_in*R*S = %zu or H_out*W_out = %zu is "
		    "larger than %d", (size_t)s->C_in * s->R * s->S,
		    (size_t)s->H_out * s->W_out, INT_MAX);
	/* input + weight + bias + output + df, in doubles */
	if (__builtin_add_overflow(in, w, &total) ||
	    __builtin_add_overflow(total, (size_t)s->C_out, &total) ||
	    __builtin_add_overflow(total, out, &total) ||
	    __builtin_add_overflow(total, out, &total) ||
	    __builtin_mul_overflow(total, sizeof(double), &total))
		return set_error(err, "total tensor size overflows");
	if (mem_limit == 0)
		mem_limit = CONV_MEM_LIMIT_DEFAULT;
	if (total > mem_limit)
		return set_error(err, "the tensors (input, weight, bias, output, "
		    "df) need %zu bytes (%.3g GiB), over the memory limit of %zu "
		    "bytes (%.3g GiB)", total, (double)total / (1 << 30), mem_limit,
		    (double)mem_limit / (1 << 30));
	return 0;
}

int
conv_shape_validate(conv_shape_t *s, size_t mem_limit, char **err)
{
	long H_out, W_out;

	if (check_minimums(s, err) != 0 || check_groups(s, err) != 0)
		return -1;
	if (derive_out(s->H_in, s->R, s->strh, s->pad_h, s->dil_h, "h", &H_out,
	    err) != 0)
		return -1;
	if (derive_out(s->W_in, s->S, s->strw, s->pad_w, s->dil_w, "w", &W_out,
	    err) != 0)
		return -1;
	s->H_out = H_out;
	s->W_out = W_out;
	return check_sizes(s, mem_limit, err);
}

size_t
conv_input_size(const conv_shape_t *s)
{
	return (size_t)s->N * s->C_in * s->H_in * s->W_in;
}

size_t
conv_weight_size(const conv_shape_t *s)
{
	return (size_t)s->C_out * conv_group_cin(s) * s->R * s->S;
}

long
conv_group_cin(const conv_shape_t *s)
{
	assert(s->groups >= 1);
	return s->C_in / s->groups;
}

long
conv_group_cout(const conv_shape_t *s)
{
	assert(s->groups >= 1);
	return s->C_out / s->groups;
}

void
conv_weight_dims(const conv_shape_t *s, size_t dims[4])
{
	dims[0] = (size_t)s->C_out;
	dims[1] = (size_t)conv_group_cin(s);
	dims[2] = (size_t)s->R;
	dims[3] = (size_t)s->S;
}

size_t
conv_output_size(const conv_shape_t *s)
{
	return (size_t)s->N * s->C_out * s->H_out * s->W_out;
}

size_t
conv_shape_bytes(const conv_shape_t *s)
{
	return (conv_input_size(s) + conv_weight_size(s) + (size_t)s->C_out +
	    2 * conv_output_size(s)) * sizeof(double);
}

void
conv_axis_range(long off, long str, long in, long out, long *lo, long *hi)
{
	long last = in - 1 - off;          /* the largest str*out_pos inside */

	assert(str >= 1);
	/* ceil(-off / str) as (-off - 1) / str + 1: -off + str - 1
	 * overflowed for a huge stride (UBSan, check_robust test_shapes) */
	*lo = off >= 0 ? 0 : -(off + 1) / str + 1;
	*hi = last < 0 ? 0 : last / str + 1;
	if (*hi > out)
		*hi = out;
	if (*lo > *hi)
		*lo = *hi;
}

/* Parse one integer from *p up to ',' or the end; advances *p. */
static bool
parse_long(const char **p, long *v)
{
	char *end;

	errno = 0;
	if (**p == '\0' || **p == ',' || **p == ' ')
		return false;
	*v = strtol(*p, &end, 10);
	if (errno != 0 || end == *p || (*end != '\0' && *end != ','))
		return false;
	*p = end;
	return true;
}

/* Parse exactly n comma-separated integers; false if malformed. */
static bool
parse_list(const char *arg, long *v, int n)
{
	const char *p = arg;
	int i;

	for (i = 0; i < n; i++) {
		if (i > 0) {
			if (*p != ',')
				return false;
			p++;
		}
		if (!parse_long(&p, &v[i]))
			return false;
	}
	return *p == '\0';
}

int
conv_shape_parse(conv_shape_t *s, const char *arg, char **err)
{
	long v[7];

	if (!parse_list(arg, v, 7))
		return set_error(err, "--shape: expected seven integers "
		    "N,C_in,H_in,W_in,C_out,R,S, got '%s'", arg);
	s->N = v[0];
	s->C_in = v[1];
	s->H_in = v[2];
	s->W_in = v[3];
	s->C_out = v[4];
	s->R = v[5];
	s->S = v[6];
	return 0;
}

int
conv_parse_pair(const char *what, const char *arg, long *a, long *b,
    char **err)
{
	long v[2];

	if (parse_list(arg, v, 1)) {
		*a = *b = v[0];
		return 0;
	}
	if (parse_list(arg, v, 2)) {
		*a = v[0];
		*b = v[1];
		return 0;
	}
	return set_error(err, "%s: expected an integer or two integers A,B, "
	    "got '%s'", what, arg);
}

char *
conv_shape_str(const conv_shape_t *s, char *buf, size_t len)
{
	int n;

	if (len == 0)
		return buf;
	n = snprintf(buf, len, "N=%ld C_in=%ld H_in=%ld W_in=%ld C_out=%ld "
	    "R=%ld S=%ld strh=%ld strw=%ld", s->N, s->C_in, s->H_in, s->W_in,
	    s->C_out, s->R, s->S, s->strh, s->strw);
	if (n >= 0 && (size_t)n < len && (s->pad_h != 0 || s->pad_w != 0))
		n += snprintf(buf + n, len - (size_t)n, " pad_h=%ld pad_w=%ld",
		    s->pad_h, s->pad_w);
	if (n >= 0 && (size_t)n < len && (s->dil_h != 1 || s->dil_w != 1))
		n += snprintf(buf + n, len - (size_t)n, " dil_h=%ld dil_w=%ld",
		    s->dil_h, s->dil_w);
	if (n >= 0 && (size_t)n < len && s->groups != 1)
		snprintf(buf + n, len - (size_t)n, " groups=%ld", s->groups);
	return buf;
}

static const struct conv_field *
find_field(const char *key)
{
	size_t i;

	for (i = 0; i < CONV_NFIELDS; i++) {
		if (strcmp(conv_fields[i].name, key) == 0)
			return &conv_fields[i];
	}
	return NULL;
}

int
conv_shape_set(conv_shape_t *s, const char *key, long value)
{
	const struct conv_field *f = find_field(key);

	if (f == NULL)
		return -1;
	*(long *)((char *)s + f->offset) = value;
	return 0;
}

int
conv_shape_get(const conv_shape_t *s, const char *key, long *value)
{
	const struct conv_field *f = find_field(key);

	if (f == NULL)
		return -1;
	*value = *(const long *)((const char *)s + f->offset);
	return 0;
}

/* ---- the shape options of a command line ---- */

/* Read one option's argument into o->over, keeping the argument. */
static int
opts_parse(conv_shape_opts_t *o, conv_opt_t opt, const char *arg, char **err)
{
	conv_shape_t *s = &o->over;

	switch (opt) {
	case CONV_OPT_SHAPE:
		o->shape = arg;
		return conv_shape_parse(s, arg, err);
	case CONV_OPT_STRIDE:
		o->stride = arg;
		return conv_parse_pair("--stride", arg, &s->strh, &s->strw,
		    err);
	case CONV_OPT_PADDING:
		o->padding = arg;
		return conv_parse_pair("--padding", arg, &s->pad_h, &s->pad_w,
		    err);
	case CONV_OPT_DILATION:
		o->dilation = arg;
		return conv_parse_pair("--dilation", arg, &s->dil_h, &s->dil_w,
		    err);
	case CONV_OPT_GROUPS:
		o->groups = arg;
		if (!parse_list(arg, &s->groups, 1))
			return set_error(err, "--groups: expected an integer, "
			    "got '%s'", arg);
		return 0;
	}
	assert(!"not a shape option");
	return -1;
}

/* --shape as read: each of the seven sizes at least 1. */
static int
opts_check_sizes(const conv_shape_t *s, const char *arg, char **err)
{
	size_t i;
	long v;

	for (i = 0; i < 7; i++) {         /* N ... S lead conv_fields[] */
		v = *(const long *)((const char *)s + conv_fields[i].offset);
		if (v < 1)
			return set_error(err, "--shape: %s must be at least 1, "
			    "got %ld (in '%s')", conv_fields[i].name, v, arg);
	}
	return 0;
}

/* --stride, --padding or --dilation as read: both numbers at least min. */
static int
opts_check_pair(const char *opt, const char *arg, long min, long a, long b,
    char **err)
{
	if (a >= min && b >= min)
		return 0;
	return set_error(err, "%s: expected %s integers like %s, got '%s'", opt,
	    min > 0 ? "positive" : "non-negative", min > 0 ? "2,3" : "1,1",
	    arg);
}

int
conv_shape_opts_read(conv_shape_opts_t *o, conv_opt_t opt, const char *arg,
    char **err)
{
	const conv_shape_t *s = &o->over;

	if (opts_parse(o, opt, arg, err) != 0)
		return -1;
	if (!o->check_ranges)
		return 0;
	switch (opt) {
	case CONV_OPT_SHAPE:
		return opts_check_sizes(s, arg, err);
	case CONV_OPT_STRIDE:
		return opts_check_pair("--stride", arg, 1, s->strh, s->strw,
		    err);
	case CONV_OPT_PADDING:
		return opts_check_pair("--padding", arg, 0, s->pad_h, s->pad_w,
		    err);
	case CONV_OPT_GROUPS:
		if (s->groups < 1)
			return set_error(err, "--groups: expected a positive "
			    "integer like 2, got '%s'", arg);
		return 0;
	default:
		return opts_check_pair("--dilation", arg, 1, s->dil_h, s->dil_w,
		    err);
	}
}

bool
conv_shape_opts_given(const conv_shape_opts_t *o)
{
	return o->shape != NULL || o->stride != NULL || o->padding != NULL ||
	    o->dilation != NULL || o->groups != NULL;
}

conv_shape_t
conv_shape_opts_over(const conv_shape_opts_t *o, const conv_shape_t *base)
{
	const conv_shape_t *v = &o->over;
	conv_shape_t s = *base;

	if (o->shape != NULL) {
		s.N = v->N, s.C_in = v->C_in, s.H_in = v->H_in;
		s.W_in = v->W_in, s.C_out = v->C_out, s.R = v->R, s.S = v->S;
	}
	if (o->stride != NULL)
		s.strh = v->strh, s.strw = v->strw;
	if (o->padding != NULL)
		s.pad_h = v->pad_h, s.pad_w = v->pad_w;
	if (o->dilation != NULL)
		s.dil_h = v->dil_h, s.dil_w = v->dil_w;
	if (o->groups != NULL)
		s.groups = v->groups;
	return s;
}

char *
conv_shape_opts_groups_skip(const conv_shape_opts_t *o,
    const conv_shape_t *base)
{
	conv_shape_t s = conv_shape_opts_over(o, base);

	if (o->groups != NULL || s.groups <= 1 ||
	    (s.C_in % s.groups == 0 && s.C_out % s.groups == 0))
		return NULL;
	return xasprintf("its groups=%ld does not divide both C_in=%ld "
	    "and C_out=%ld of this shape (--groups chooses the groups)", s.groups,
	    s.C_in, s.C_out);
}

int
conv_shape_opts_validate(const conv_shape_opts_t *o, conv_shape_t *s,
    char **err)
{
	char *why = NULL, sizes[160], stride[48], padding[48], dilation[48];
	char groups[48] = "";
	int rc;

	if (conv_shape_validate(s, 0, &why) == 0)
		return 0;
	snprintf(sizes, sizeof sizes, "%ld,%ld,%ld,%ld,%ld,%ld,%ld", s->N,
	    s->C_in, s->H_in, s->W_in, s->C_out, s->R, s->S);
	snprintf(stride, sizeof stride, "%ld,%ld", s->strh, s->strw);
	snprintf(padding, sizeof padding, "%ld,%ld", s->pad_h, s->pad_w);
	snprintf(dilation, sizeof dilation, "%ld,%ld", s->dil_h, s->dil_w);
	if (o->groups != NULL)
		snprintf(groups, sizeof groups, " --groups %s", o->groups);
	else if (s->groups != 1)
		snprintf(groups, sizeof groups, " --groups %ld", s->groups);
	rc = set_error(err, "--shape %s --stride %s --padding %s --dilation "
	    "%s%s: %s", o->shape ? o->shape : sizes,
	    o->stride ? o->stride : stride, o->padding ? o->padding : padding,
	    o->dilation ? o->dilation : dilation, groups, why);
	free(why);
	return rc;
}

/* ---- the geometry of the window (added for the tutor) ---- */

bool
conv_axis_tap(long h, long ho, long str, long dil, long pad, long R, long *d)
{
	long off = h + pad - str * ho;

	if (off < 0 || off % dil != 0 || off / dil >= R)
		return false;
	if (d != NULL)
		*d = off / dil;
	return true;
}

bool
conv_axis_tapped(long h, long d, long str, long dil, long pad, long n_out)
{
	long off = h + pad - dil * d;

	return off >= 0 && off % str == 0 && off / str < n_out;
}

bool
conv_in_window(const conv_shape_t *s, long ho, long wo, long h, long w,
    long *di, long *dj)
{
	return conv_axis_tap(h, ho, s->strh, s->dil_h, s->pad_h, s->R, di) &&
	    conv_axis_tap(w, wo, s->strw, s->dil_w, s->pad_w, s->S, dj);
}

long
conv_group_input_channel(const conv_shape_t *s, long c_out, long ci)
{
	return c_out / conv_group_cout(s) * conv_group_cin(s) + ci;
}

bool
conv_channel_reads(const conv_shape_t *s, long c_out, long c_in, long *ci)
{
	long cg = conv_group_cin(s);

	if (c_in / cg != c_out / conv_group_cout(s))
		return false;
	if (ci != NULL)
		*ci = c_in % cg;
	return true;
}

bool
conv_shape_equal(const conv_shape_t *a, const conv_shape_t *b)
{
	return a->N == b->N && a->C_in == b->C_in && a->H_in == b->H_in &&
	    a->W_in == b->W_in && a->C_out == b->C_out && a->R == b->R &&
	    a->S == b->S && a->strh == b->strh && a->strw == b->strw &&
	    a->pad_h == b->pad_h && a->pad_w == b->pad_w &&
	    a->dil_h == b->dil_h && a->dil_w == b->dil_w &&
	    a->groups == b->groups && a->H_out == b->H_out &&
	    a->W_out == b->W_out;
}

bool
conv_col_pixel(const conv_shape_t *s, long r, long p, conv_col_pixel_t *px)
{
	assert(s->H_out > 0 && s->W_out > 0);
	assert(r >= 0 && r < s->C_in * s->R * s->S);
	assert(p >= 0 && p < s->H_out * s->W_out);
	px->c_in = r / (s->R * s->S);
	px->di = r / s->S % s->R;
	px->dj = r % s->S;
	px->h_out = p / s->W_out;
	px->w_out = p % s->W_out;
	px->h_in = s->strh * px->h_out + s->dil_h * px->di - s->pad_h;
	px->w_in = s->strw * px->w_out + s->dil_w * px->dj - s->pad_w;
	px->inside = px->h_in >= 0 && px->h_in < s->H_in && px->w_in >= 0 &&
	    px->w_in < s->W_in;
	return px->inside;
}
