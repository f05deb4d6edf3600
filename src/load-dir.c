/*
 * load-dir.c: check the results saved in a DIR (see load-dir.h).
 *
 * Order of work: the settings (conv.json, then the options over it, since
 * the layout decides how the arrays are read), the arrays (each read in
 * its own dtype and turned to NCHW/OIHW), the shape from input and weight,
 * every other array's shape against it (each mismatch names both files
 * and both shapes, in the files' own layout), then one rcheck item per
 * result against the element reference of conv-elem.c, and with --numeric
 * one more per gradient against finite differences of the reference
 * forward.
 */
#include "load-dir.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conv-elem.h"
#include "conv-json.h"
#include "npy.h"
#include "util.h"
#include "zoo.h"

enum { F_INPUT, F_WEIGHT, F_BIAS, F_DF, F_OUTPUT, F_DINPUT, F_DWEIGHT,
	F_DBIAS, F_COUNT };
static const char *const file_names[F_COUNT] = { "input", "weight", "bias",
	"df", "output", "dinput", "dweight", "dbias" };


typedef struct loaded {
	const load_opts_t *o;
	char *path[F_COUNT];
	char shape[F_COUNT][64];   /* as in the file */
	tensor_t *t[F_COUNT];      /* NCHW / OIHW */
	npy_info_t info[F_COUNT];
	load_layout_t layout;
	conv_shape_t s;
	long groups;
	const char *settings;      /* where stride... came from */
} loaded_t;

void
load_opts_default(load_opts_t *o)
{
	memset(o, 0, sizeof(*o));
	o->layout = LOAD_LAYOUT_DEFAULT;
	fd_opts_default(&o->fd);
}

static void
loaded_free(loaded_t *l)
{
	int k;

	for (k = 0; k < F_COUNT; k++) {
		free(l->path[k]);
		tensor_free(l->t[k]);
	}
}

static bool
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 || errno != ENOENT;
}

/* ---- settings ---- */

/* conv.json, then the options over it. */
static int
read_settings(loaded_t *l, char **err)
{
	const load_opts_t *o = l->o;
	char *path = xasprintf("%s/conv.json", o->dir);
	conv_json_t cj;
	const conv_shape_opts_t *so = o->shape;
	int rc = 0;

	memset(&cj, 0, sizeof(cj));
	conv_shape_init(&l->s, 1, 1, 1, 1, 1, 1, 1);
	l->groups = 1;
	l->layout = LOAD_LAYOUT_NCHW;
	l->settings = "the defaults";
	if (exists(path)) {
		if ((rc = conv_json_read(path, &cj, err)) != 0)
			goto out;
		l->settings = "conv.json";
	}
	if (cj.have_stride)
		l->s.strh = cj.stride[0], l->s.strw = cj.stride[1];
	if (cj.have_padding)
		l->s.pad_h = cj.padding[0], l->s.pad_w = cj.padding[1];
	if (cj.have_dilation)
		l->s.dil_h = cj.dilation[0], l->s.dil_w = cj.dilation[1];
	if (cj.have_groups)
		l->groups = cj.groups;
	if (cj.have_layout)
		l->layout = strcmp(cj.layout, "nhwc") == 0 ? LOAD_LAYOUT_NHWC :
		    LOAD_LAYOUT_NCHW;
	if (so != NULL && so->shape != NULL) {
		rc = set_error(err, "--shape: with --load the sizes come from the "
		    "arrays in %s (use --stride, --padding, --dilation)", o->dir);
		goto out;
	}
	if (so != NULL && so->stride != NULL)
		l->s.strh = so->over.strh, l->s.strw = so->over.strw;
	if (so != NULL && so->padding != NULL)
		l->s.pad_h = so->over.pad_h, l->s.pad_w = so->over.pad_w;
	if (so != NULL && so->dilation != NULL)
		l->s.dil_h = so->over.dil_h, l->s.dil_w = so->over.dil_w;
	if (so != NULL && so->groups != NULL)
		l->groups = so->over.groups;
	if (o->layout != LOAD_LAYOUT_DEFAULT)
		l->layout = o->layout;
	if ((so != NULL && conv_shape_opts_given(so)) ||
	    o->layout != LOAD_LAYOUT_DEFAULT)
		l->settings = exists(path) ?
		    "conv.json and the options" : "the options";
out:
	free(path);
	return rc;
}

/* ---- the arrays ---- */

/* How an array of kind k is laid out in the file. */
static const char *
layout_words(const loaded_t *l, int k)
{
	bool nhwc = l->layout == LOAD_LAYOUT_NHWC;

	switch (k) {
	case F_INPUT:
	case F_DINPUT:
		return nhwc ? "(N, H_in, W_in, C_in)" : "(N, C_in, H_in, W_in)";
	case F_WEIGHT:
	case F_DWEIGHT:
		return nhwc ? "(R, S, C_in/groups, C_out)" :
		    "(C_out, C_in/groups, R, S)";
	case F_BIAS:
	case F_DBIAS:
		return "(C_out,)";
	default:
		return nhwc ? "(N, H_out, W_out, C_out)" :
		    "(N, C_out, H_out, W_out)";
	}
}

/* The file's tensor into NCHW/OIHW (a no-op for nchw and the vectors). */
static tensor_t *
to_nchw(const loaded_t *l, int k, tensor_t *t)
{
	tensor_t *u;
	bool weight = k == F_WEIGHT || k == F_DWEIGHT;

	if (l->layout != LOAD_LAYOUT_NHWC || t->ndim != 4)
		return t;
	if (weight) {       /* HWIO (R, S, I, O) -> OIHW */
		u = tensor_create4(t->shape[3], t->shape[2], t->shape[0],
		    t->shape[1]);
		tensor_hwio_to_oihw(u, t);
	} else {            /* NHWC (N, H, W, C) -> NCHW */
		u = tensor_create4(t->shape[0], t->shape[3], t->shape[1],
		    t->shape[2]);
		tensor_nhwc_to_nchw(u, t);
	}
	tensor_free(t);
	return u;
}

/* Read DIR/<name>.npy if it is there (required: refuse if not). */
static int
read_array(loaded_t *l, int k, bool required, char **err)
{
	const char *dir = l->o->dir;
	tensor_t *t;
	int want_dims = k == F_BIAS || k == F_DBIAS ? 1 : 4;

	l->path[k] = xasprintf("%s/%s.npy", dir, file_names[k]);
	if (!exists(l->path[k])) {
		if (!required)
			return 0;
		return set_error(err, "%s: missing: --load needs input.npy, "
		    "weight.npy and df.npy (the upstream gradient d f/d output) in "
		    "%s", l->path[k], dir);
	}
	if (npy_read_info(l->path[k], &t, &l->info[k], err) != 0)
		return -1;
	tensor_shape_str(t, l->shape[k], sizeof(l->shape[k]));
	if (t->ndim != want_dims) {
		int nd = t->ndim;

		tensor_free(t);
		return set_error(err, "%s: shape %s has %d dimension%s; %s must be "
		    "%d-D %s in layout %s", l->path[k], l->shape[k], nd,
		    nd == 1 ? "" : "s", file_names[k], want_dims,
		    layout_words(l, k), l->layout == LOAD_LAYOUT_NHWC ? "nhwc" :
		    "nchw");
	}
	l->t[k] = to_nchw(l, k, t);
	return 0;
}

static int
read_arrays(loaded_t *l, char **err)
{
	int k;

	for (k = 0; k < F_COUNT; k++)
		if (read_array(l, k, k == F_INPUT || k == F_WEIGHT || k == F_DF,
		    err) != 0)
			return -1;
	for (k = F_OUTPUT; k < F_COUNT; k++)
		if (l->t[k] != NULL)
			return 0;
	return set_error(err, "%s: no result to check: none of output.npy, "
	    "dinput.npy, dweight.npy, dbias.npy is there", l->o->dir);
}

/* ---- shapes ---- */

/* dims (NCHW/OIHW order, n of them) as the file layout writes them. */
static char *
file_shape_str(const loaded_t *l, int k, const size_t *d, int n, char *buf,
    size_t len)
{
	bool nhwc = l->layout == LOAD_LAYOUT_NHWC && n == 4;
	bool weight = k == F_WEIGHT || k == F_DWEIGHT;

	if (n == 1)
		snprintf(buf, len, "(%zu,)", d[0]);
	else if (!nhwc)
		snprintf(buf, len, "(%zu, %zu, %zu, %zu)", d[0], d[1], d[2], d[3]);
	else if (weight)
		snprintf(buf, len, "(%zu, %zu, %zu, %zu)", d[2], d[3], d[1], d[0]);
	else
		snprintf(buf, len, "(%zu, %zu, %zu, %zu)", d[0], d[2], d[3], d[1]);
	return buf;
}

/* The shape from input and weight, validated. */
static int
make_shape(loaded_t *l, char **err)
{
	const tensor_t *x = l->t[F_INPUT], *w = l->t[F_WEIGHT];
	conv_shape_t *s = &l->s;
	char *why = NULL;

	s->N = (long)x->shape[0], s->C_in = (long)x->shape[1];
	s->H_in = (long)x->shape[2], s->W_in = (long)x->shape[3];
	s->C_out = (long)w->shape[0], s->R = (long)w->shape[2];
	s->S = (long)w->shape[3];
	s->groups = l->groups;
	if ((long)w->shape[1] * l->groups != s->C_in)
		return set_error(err, "%s has shape %s: C_in/groups = %zu, but %s "
		    "has shape %s: C_in = %ld, with groups = %ld (layout %s)",
		    l->path[F_WEIGHT], l->shape[F_WEIGHT], w->shape[1],
		    l->path[F_INPUT], l->shape[F_INPUT], s->C_in, l->groups,
		    l->layout == LOAD_LAYOUT_NHWC ? "nhwc" : "nchw");
	if (conv_shape_validate(s, 0, &why) != 0) {
		set_error(err, "%s %s and %s %s with stride %ld,%ld padding "
		    "%ld,%ld dilation %ld,%ld (from %s): %s", l->path[F_INPUT],
		    l->shape[F_INPUT], l->path[F_WEIGHT], l->shape[F_WEIGHT],
		    s->strh, s->strw, s->pad_h, s->pad_w, s->dil_h, s->dil_w,
		    l->settings, why);
		free(why);
		return -1;
	}
	return 0;
}

/* The NCHW/OIHW shape array k must have. */
static int
want_dims(const loaded_t *l, int k, size_t d[4])
{
	return zoo_qty_dims(k == F_INPUT || k == F_DINPUT ? ZOO_DINPUT :
	    k == F_WEIGHT || k == F_DWEIGHT ? ZOO_DWEIGHT :
	    k == F_BIAS || k == F_DBIAS ? ZOO_DBIAS : ZOO_OUTPUT, &l->s, d);
}

/* Refuse array k if its shape is not the one input and weight imply. */
static int
check_shape(const loaded_t *l, int k, char **err)
{
	const conv_shape_t *s = &l->s;
	size_t d[4];
	int n = want_dims(l, k, d), i;
	char want[64];
	bool same = l->t[k]->ndim == n;

	for (i = 0; same && i < n; i++)
		same = l->t[k]->shape[i] == d[i];
	if (same)
		return 0;
	file_shape_str(l, k, d, n, want, sizeof(want));
	if (k == F_DF || k == F_OUTPUT)
		return set_error(err, "%s has shape %s, but %s %s and %s %s with "
		    "stride %ld,%ld padding %ld,%ld dilation %ld,%ld (from %s) give "
		    "the output shape %s", l->path[k], l->shape[k],
		    l->path[F_INPUT], l->shape[F_INPUT], l->path[F_WEIGHT],
		    l->shape[F_WEIGHT], s->strh, s->strw, s->pad_h, s->pad_w,
		    s->dil_h, s->dil_w, l->settings, want);
	if (k == F_BIAS || k == F_DBIAS)
		return set_error(err, "%s has shape %s, but %s has shape %s: "
		    "C_out = %ld, so %s must be %s", l->path[k], l->shape[k],
		    l->path[F_WEIGHT], l->shape[F_WEIGHT], s->C_out, file_names[k],
		    want);
	return set_error(err, "%s has shape %s, but %s has shape %s: %s has "
	    "the %s's shape", l->path[k], l->shape[k],
	    l->path[k == F_DINPUT ? F_INPUT : F_WEIGHT],
	    want, file_names[k], k == F_DINPUT ? "input" : "weight");
}

static int
check_shapes(const loaded_t *l, char **err)
{
	int k;

	for (k = F_BIAS; k < F_COUNT; k++)
		if (l->t[k] != NULL && check_shape(l, k, err) != 0)
			return -1;
	return 0;
}

/* ---- the checks ---- */

/* Terms in one entry of quantity q, at most. */
static double
terms(zoo_qty_t q, const conv_shape_t *s, long groups)
{
	switch (q) {
	case ZOO_OUTPUT:
		return (double)(s->C_in / groups * s->R * s->S + 1);
	case ZOO_DINPUT:
		return (double)(s->C_out / groups * s->R * s->S);
	default:
		return (double)s->N * (double)s->H_out * (double)s->W_out;
	}
}

/* The reference: conv-elem.c's kernels. */
static void
reference(tensor_t *want, zoo_qty_t q, const zoo_problem_t *p)
{
	switch (q) {
	case ZOO_OUTPUT:
		conv2d_forward_elem(want, p->input, p->weight, p->bias, p->s);
		break;
	case ZOO_DINPUT:
		conv2d_backward_input_elem(want, p->df, p->weight, p->s);
		break;
	case ZOO_DWEIGHT:
		conv2d_backward_weight_elem(want, p->df, p->input, p->s);
		break;
	default:
		conv2d_backward_bias_elem(want, p->df, p->s);
		break;
	}
}


/* Compare got (quantity q) with want, the tolerance gamma * abs + extra
 * per entry, and append the item. */
static rcheck_item_t *
compare(rcheck_report_t *r, const char *name, const char *context,
    zoo_qty_t q, const tensor_t *got, const tensor_t *want,
    const tensor_t *abs, double gamma, double extra, const char *why,
    const conv_shape_t *s)
{
	double *tol = xmalloc(got->size * sizeof(double));
	rcheck_input_t in = { name, context, got->ndim, zoo_qty_names(q), got->shape,
	    got->data, want->data, tol, NULL, why, s };
	rcheck_item_t *it;
	size_t i;

	for (i = 0; i < got->size; i++)
		tol[i] = gamma * abs->data[i] + extra;
	it = rcheck_compare(r, &in);
	free(tol);
	return it;
}

static zoo_qty_t
qty_of(int k)
{
	return k == F_OUTPUT ? ZOO_OUTPUT : k == F_DINPUT ? ZOO_DINPUT :
	    k == F_DWEIGHT ? ZOO_DWEIGHT : ZOO_DBIAS;
}

void
load_check_result(rcheck_report_t *r, const char *name, const char *context,
    zoo_qty_t q, const tensor_t *got, bool f32, const zoo_problem_t *p)
{
	double K = terms(q, p->s, p->s->groups);
	double g = rcheck_gamma(K, f32 ? FLT_EPSILON / 2 : DBL_EPSILON / 2);
	tensor_t *want = tensor_create(got->ndim, got->shape);
	tensor_t *abs = tensor_create(got->ndim, got->shape);
	char *why = xasprintf("%.3g x each entry's sum of |terms|: 2 (gamma_K(u) "
	    "+ gamma_K(2^-53)), gamma_K = K u/(1 - K u), K = %.0f terms, u = %s "
	    "for a %s result: a right result is inside it in any summation "
	    "order", g, K, f32 ? "2^-24" : "2^-53", f32 ? "float32" : "float64");
	rcheck_item_t *it;

	reference(want, q, p);
	zoo_compute(abs, ZOO_COUNT, q, p, true);
	it = compare(r, name, context, q, got, want, abs, g, 0, why, p->s);
	if (!it->pass) {
		it->diagnosed = true;
		it->diagnosis = zoo_diagnose(q, got, g, p);
	}
	free(why);
	tensor_free(want);
	tensor_free(abs);
}

/* One result of the DIR against the reference, diagnosed if wrong. */
static void
check_result(rcheck_report_t *r, const loaded_t *l, int k,
    const zoo_problem_t *p)
{
	bool f32 = l->info[k].dtype == NPY_F4;
	char *ctx = xasprintf("(%s, %s)", l->path[k], f32 ? "float32" :
	    "float64");

	load_check_result(r, file_names[k], ctx, qty_of(k), l->t[k], f32, p);
	free(ctx);
}

/* With --numeric: a gradient against finite differences of the reference
 * forward. The difference quotient of f = sum(df * output) carries, per
 * evaluation, at most (M + n + 2) u sum_o |df_o| A_o of rounding (M
 * outputs summed, n terms each, A_o the output's sum of |terms|); central
 * differences subtract two and divide by 2h, forward ones by h. */
static void
check_numeric(rcheck_report_t *r, const loaded_t *l, int k,
    conv_params_t *params, const zoo_problem_t *p, const tensor_t *out_abs)
{
	zoo_qty_t q = qty_of(k);
	const fd_opts_t *fd = &l->o->fd;
	conv_wrt_t wrt = q == ZOO_DINPUT ? WRT_INPUT : q == ZOO_DWEIGHT ?
	    WRT_WEIGHT : WRT_BIAS;
	bool f32 = l->info[k].dtype == NPY_F4;
	double K = terms(q, &l->s, l->groups), sum = 0, c, bound, g;
	double M = (double)out_abs->size, n = terms(ZOO_OUTPUT, &l->s, l->groups);
	tensor_t *num = tensor_create(l->t[k]->ndim, l->t[k]->shape);
	tensor_t *abs = tensor_create(l->t[k]->ndim, l->t[k]->shape);
	char *name = xasprintf("%s vs finite differences", file_names[k]);
	char *why;
	size_t i;

	for (i = 0; i < out_abs->size; i++)
		sum += fabs(p->df->data[i]) * out_abs->data[i];
	c = fd->method == FD_CENTRAL ? 1 : 2;
	bound = 2 * c * (M + n + 2) * (DBL_EPSILON / 2) * sum / fd->eps;
	g = rcheck_gamma(K, f32 ? FLT_EPSILON / 2 : DBL_EPSILON / 2);
	why = xasprintf("%.3g x each entry's sum of |terms| (the result's "
	    "rounding, as above) + %.3g, twice the rounding of the %s difference "
	    "quotient with h = %g: c (M + n + 2) u sum_o |df_o| A_o / h, M = "
	    "%.0f, n = %.0f", g, bound, fd->method == FD_CENTRAL ? "central" :
	    "forward", fd->eps, M, n);
	fd_gradient(num, p->df, params, wrt, conv2d_forward_elem, &l->s, fd);
	zoo_compute(abs, ZOO_COUNT, q, p, true);
	compare(r, name, "", q, l->t[k], num, abs, g, bound, why, &l->s);
	free(name);
	free(why);
	tensor_free(num);
	tensor_free(abs);
}

static void
run_numeric(rcheck_report_t *r, const loaded_t *l, const zoo_problem_t *p)
{
	conv_params_t params = { tensor_clone(p->input), tensor_clone(p->weight),
	    p->bias ? tensor_clone(p->bias) : tensor_create1((size_t)l->s.C_out) };
	zoo_problem_t pa = *p;
	tensor_t *out_abs = tensor_create4((size_t)l->s.N, (size_t)l->s.C_out,
	    (size_t)l->s.H_out, (size_t)l->s.W_out);
	int k;

	pa.bias = params.bias;
	zoo_compute(out_abs, ZOO_COUNT, ZOO_OUTPUT, &pa, true);
	for (k = F_DINPUT; k < F_COUNT; k++)
		if (l->t[k] != NULL)
			check_numeric(r, l, k, &params, &pa, out_abs);
	tensor_free(params.input);
	tensor_free(params.weight);
	tensor_free(params.bias);
	tensor_free(out_abs);
}

static rcheck_report_t *
run_checks(const loaded_t *l)
{
	char buf[256], *title;
	zoo_problem_t p = { &l->s, l->t[F_INPUT], l->t[F_WEIGHT], l->t[F_BIAS],
	    l->t[F_DF] };
	rcheck_report_t *r;
	int k;

	title = xasprintf("convgrad gradcheck --load %s: %s (layout %s; stride, "
	    "padding, dilation from %s)", l->o->dir, conv_shape_str(&l->s, buf,
	    sizeof(buf)), l->layout == LOAD_LAYOUT_NHWC ? "nhwc" : "nchw",
	    l->settings);
	r = rcheck_report_create(title, "convgrad's float64 element reference "
	    "kernels (conv-elem.c) on the input, weight, bias and df of the "
	    "directory");
	free(title);
	for (k = F_OUTPUT; k < F_COUNT; k++)
		if (l->t[k] != NULL)
			check_result(r, l, k, &p);
	if (l->o->numeric)
		run_numeric(r, l, &p);
	return r;
}

/* --numeric runs two reference forwards per entry of input, weight and
 * bias: refuse a layer where that is over NUMERIC_MAX_WORK multiply-adds
 * (about a minute) rather than run for hours. */
#define NUMERIC_MAX_WORK 1e10

static int
check_numeric_cost(const loaded_t *l, char **err)
{
	const conv_shape_t *s = &l->s;
	double entries = (double)conv_input_size(s) +
	    (double)conv_weight_size(s) + (double)s->C_out;
	double work = 2 * entries * (double)conv_output_size(s) *
	    terms(ZOO_OUTPUT, s, s->groups);

	if (!l->o->numeric || work <= NUMERIC_MAX_WORK)
		return 0;
	return set_error(err, "--numeric: finite differences of this layer "
	    "take about %.2g multiply-adds (two forwards per entry of input, "
	    "weight and bias; the limit is %.0e): leave --numeric out, the "
	    "check against the reference does not need it", work,
	    NUMERIC_MAX_WORK);
}

rcheck_report_t *
load_dir_check(const load_opts_t *o, char **err)
{
	loaded_t l;
	rcheck_report_t *r = NULL;

	memset(&l, 0, sizeof(l));
	l.o = o;
	if (read_settings(&l, err) == 0 && read_arrays(&l, err) == 0 &&
	    make_shape(&l, err) == 0 && check_shapes(&l, err) == 0 &&
	    check_numeric_cost(&l, err) == 0)
		r = run_checks(&l);
	loaded_free(&l);
	return r;
}
