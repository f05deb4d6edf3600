/*
 * fdiff.c: numeric Jacobians and gradients of the real forward kernel.
 *
 * One column of the Jacobian: perturb one element x[j] of input, weight or
 * bias by the step h, run the forward kernel, and divide the change in every
 * output by the change in x[j]:
 *   central  col[o] = (F(x + h e_j)[o] - F(x - h e_j)[o]) / ((x_j+h) - (x_j-h))
 *   forward  col[o] = (F(x + h e_j)[o] - F(x)[o])         / ((x_j+h) - x_j)
 * The divisor is the step actually taken in floating point (x_j + h is
 * rounded), not the nominal 2h or h: for a linear F that removes the step's
 * own rounding from the error. After each column x[j] gets back its saved
 * value, bit for bit (never x + h - h, which need not equal x).
 *
 * Columns are independent, so fd_jacobian and fd_gradient run them in
 * parallel under OpenMP: each thread works on its own copy of the
 * parameters and its own output buffers (thread 0 uses the caller's, which
 * it restores), and writes only its own columns. fd_jacobian_column and
 * fd_gradient_entry run one column on the caller's parameters, through the
 * same fd_column and fd_scalar, so a single entry asked for alone equals
 * the same entry of the whole, bit for bit. The _image variants, for the
 * project's own kernels only, run the forward on the perturbed input
 * entry's image alone (the others' outputs do not move), with the same
 * sums in the same order, so the same bits at 1/N of the work.
 */
#include "fdiff.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "parallel.h"
#include "util.h"

void
fd_opts_default(fd_opts_t *o)
{
	o->method = FD_CENTRAL;
	o->eps = FD_EPS_DEFAULT;
}

const char *
conv_wrt_name(conv_wrt_t w)
{
	switch (w) {
	case WRT_INPUT:
		return "input";
	case WRT_WEIGHT:
		return "weight";
	case WRT_BIAS:
		return "bias";
	}
	assert(!"bad conv_wrt_t");
	return "?";
}

tensor_t *
conv_wrt_tensor(const conv_params_t *p, conv_wrt_t w)
{
	switch (w) {
	case WRT_INPUT:
		return p->input;
	case WRT_WEIGHT:
		return p->weight;
	case WRT_BIAS:
		return p->bias;
	}
	assert(!"bad conv_wrt_t");
	return NULL;
}

/* What one thread needs: parameters it may perturb and two outputs. */
typedef struct fd_work {
	conv_params_t p;
	bool owns_params;      /* a clone, freed with the work */
	tensor_t *out_hi, *out_lo;
} fd_work_t;

static void
fd_work_init(fd_work_t *w, conv_params_t *p, bool clone, const conv_shape_t *s)
{
	w->owns_params = clone;
	w->p.input = clone ? tensor_clone(p->input) : p->input;
	w->p.weight = clone ? tensor_clone(p->weight) : p->weight;
	w->p.bias = clone && p->bias != NULL ? tensor_clone(p->bias) : p->bias;
	w->out_hi = tensor_create4(s->N, s->C_out, s->H_out, s->W_out);
	w->out_lo = tensor_create4(s->N, s->C_out, s->H_out, s->W_out);
}

static void
fd_work_done(fd_work_t *w)
{
	if (w->owns_params) {
		tensor_free(w->p.input);
		tensor_free(w->p.weight);
		tensor_free(w->p.bias);
	}
	tensor_free(w->out_hi);
	tensor_free(w->out_lo);
}

/* Column j into col (output size entries), with w's buffers; the perturbed
 * outputs stay in w->out_hi and w->out_lo. col may be NULL. Returns the step
 * actually taken. */
static double
fd_column(double *col, fd_work_t *w, conv_wrt_t wrt, size_t j,
    conv_forward_fn fwd, const conv_shape_t *s, const fd_opts_t *o)
{
	tensor_t *x = conv_wrt_tensor(&w->p, wrt);
	double orig, hi, lo, step;
	size_t i;

	assert(x != NULL && j < x->size && o->eps > 0);   /* before reading x */
	orig = x->data[j];
	hi = orig + o->eps;
	lo = o->method == FD_CENTRAL ? orig - o->eps : orig;
	step = hi - lo;
	x->data[j] = hi;
	fwd(w->out_hi, w->p.input, w->p.weight, w->p.bias, s);
	x->data[j] = lo;
	fwd(w->out_lo, w->p.input, w->p.weight, w->p.bias, s);
	x->data[j] = orig;      /* the saved bits, exactly */
	if (col == NULL)
		return step;
	for (i = 0; i < w->out_hi->size; i++)
		col[i] = (w->out_hi->data[i] - w->out_lo->data[i]) / step;
	return step;
}

/* sum(df * out) over every output element. */
static double
fd_dot(const tensor_t *df, const tensor_t *out)
{
	double f = 0.0;
	size_t i;

	for (i = 0; i < out->size; i++)
		f += df->data[i] * out->data[i];
	return f;
}

/*
 * d f / d wrt[j] for the scalar f = sum(df * output), as a finite
 * difference of f itself: (f(x+h) - f(x-h)) / 2h. f is formed from each
 * perturbed output before differencing, so this number is computed
 * independently of the Jacobian columns, and a chain-rule claim that sums
 * df * (d output / d x) really compares two computations.
 */
static double
fd_scalar(fd_work_t *w, const tensor_t *df, conv_wrt_t wrt, size_t j,
    conv_forward_fn fwd, const conv_shape_t *s, const fd_opts_t *o)
{
	double step = fd_column(NULL, w, wrt, j, fwd, s, o);

	return (fd_dot(df, w->out_hi) - fd_dot(df, w->out_lo)) / step;
}

double
fd_gradient_entry(const tensor_t *df, conv_params_t *p, conv_wrt_t wrt,
    size_t j, conv_forward_fn fwd, const conv_shape_t *s, const fd_opts_t *o)
{
	fd_work_t w;
	double v;

	assert(df->size == conv_output_size(s));
	fd_work_init(&w, p, false, s);
	v = fd_scalar(&w, df, wrt, j, fwd, s, o);
	fd_work_done(&w);
	return v;
}

void
fd_jacobian_column(double *col, conv_params_t *p, conv_wrt_t wrt, size_t j,
    conv_forward_fn fwd, const conv_shape_t *s, const fd_opts_t *o)
{
	fd_work_t w;

	fd_work_init(&w, p, false, s);
	fd_column(col, &w, wrt, j, fwd, s, o);
	fd_work_done(&w);
}

/*
 * The image of input[j] alone: w's parameters are a copy of that image
 * (N = 1) and p's weight and bias, *one the shape at N = 1; *b the image,
 * *jj j's offset in it. Free with fd_work_done.
 */
static void
fd_work_image(fd_work_t *w, const conv_params_t *p, size_t j,
    const conv_shape_t *s, conv_shape_t *one, size_t *b, size_t *jj)
{
	size_t in_img = p->input->size / (size_t)s->N;

	assert(j < p->input->size);
	*b = j / in_img;
	*jj = j - *b * in_img;
	*one = *s;
	one->N = 1;
	w->owns_params = false;
	w->p.input = tensor_create4(1, (size_t)s->C_in, (size_t)s->H_in,
	    (size_t)s->W_in);
	memcpy(w->p.input->data, p->input->data + *b * in_img,
	    in_img * sizeof(double));
	w->p.weight = p->weight;
	w->p.bias = p->bias;
	w->out_hi = tensor_create4(1, s->C_out, s->H_out, s->W_out);
	w->out_lo = tensor_create4(1, s->C_out, s->H_out, s->W_out);
}

/* Output entry i of the perturbed batch: image b's from the one-image
 * output y, the others from clean. */
static double
batch_entry(const tensor_t *y, const tensor_t *clean, size_t b, size_t i)
{
	size_t lo = b * y->size;

	return i >= lo && i - lo < y->size ? y->data[i - lo] : clean->data[i];
}

void
fd_jacobian_column_image(double *col, const conv_params_t *p, size_t j,
    conv_forward_fn fwd, const conv_shape_t *s, const fd_opts_t *o,
    const tensor_t *clean)
{
	conv_shape_t one;
	fd_work_t w;
	size_t b, jj, i;
	double step;

	assert(clean->size == conv_output_size(s));
	fd_work_image(&w, p, j, s, &one, &b, &jj);
	step = fd_column(NULL, &w, WRT_INPUT, jj, fwd, &one, o);
	for (i = 0; i < clean->size; i++)
		col[i] = (batch_entry(w.out_hi, clean, b, i) -
		    batch_entry(w.out_lo, clean, b, i)) / step;
	tensor_free(w.p.input);
	fd_work_done(&w);
}

double
fd_gradient_entry_image(const tensor_t *df, const conv_params_t *p,
    size_t j, conv_forward_fn fwd, const conv_shape_t *s, const fd_opts_t *o,
    const tensor_t *clean)
{
	conv_shape_t one;
	fd_work_t w;
	size_t b, jj, i;
	double step, fh = 0.0, fl = 0.0;

	assert(df->size == conv_output_size(s) && clean->size == df->size);
	fd_work_image(&w, p, j, s, &one, &b, &jj);
	step = fd_column(NULL, &w, WRT_INPUT, jj, fwd, &one, o);
	/* fd_dot's sums, term for term */
	for (i = 0; i < df->size; i++)
		fh += df->data[i] * batch_entry(w.out_hi, clean, b, i);
	for (i = 0; i < df->size; i++)
		fl += df->data[i] * batch_entry(w.out_lo, clean, b, i);
	tensor_free(w.p.input);
	fd_work_done(&w);
	return (fh - fl) / step;
}

/* Threads for a loop over n columns. */
static int
column_threads(size_t n)
{
	int t = parallel_max_threads();

	return (size_t)t > n ? (int)(n > 0 ? n : 1) : t;
}

/*
 * Run every column of wrt: for each j, either store the Jacobian column as
 * column j of jac (jac != NULL), or set grad[j] to the finite difference of
 * f = sum(df * output) (grad != NULL).
 */
static void
fd_columns(tensor_t *jac, tensor_t *grad, const tensor_t *df,
    conv_params_t *p, conv_wrt_t wrt, conv_forward_fn fwd,
    const conv_shape_t *s, const fd_opts_t *o)
{
	const size_t ncols = conv_wrt_tensor(p, wrt)->size;
	const size_t nout = conv_output_size(s);
	int nt = column_threads(ncols), t;
	fd_work_t *work = xcalloc((size_t)nt, sizeof(*work));

	/* Clone before any thread perturbs p (thread 0 works on p itself). */
	for (t = 0; t < nt; t++)
		fd_work_init(&work[t], p, t > 0, s);
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
	{
		fd_work_t *w = &work[parallel_thread_num()];
		double *col = xmalloc(nout * sizeof(double));
		long j;

#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
		for (j = 0; j < (long)ncols; j++) {
			size_t i;

			if (grad != NULL) {
				grad->data[j] = fd_scalar(w, df, wrt, (size_t)j,
				    fwd, s, o);
				continue;
			}
			fd_column(col, w, wrt, (size_t)j, fwd, s, o);
			for (i = 0; i < nout; i++)
				T2(jac, i, j) = col[i];
		}
		free(col);
	}
	for (t = 0; t < nt; t++)
		fd_work_done(&work[t]);
	free(work);
}

void
fd_jacobian(tensor_t *jac, conv_params_t *p, conv_wrt_t wrt,
    conv_forward_fn fwd, const conv_shape_t *s, const fd_opts_t *o)
{
	assert(jac->ndim == 2 && jac->shape[0] == conv_output_size(s) &&
	    jac->shape[1] == conv_wrt_tensor(p, wrt)->size);
	fd_columns(jac, NULL, NULL, p, wrt, fwd, s, o);
}

void
fd_gradient(tensor_t *grad, const tensor_t *df, conv_params_t *p,
    conv_wrt_t wrt, conv_forward_fn fwd, const conv_shape_t *s,
    const fd_opts_t *o)
{
	assert(tensor_same_shape(grad, conv_wrt_tensor(p, wrt)));
	assert(df->size == conv_output_size(s));
	fd_columns(NULL, grad, df, p, wrt, fwd, s, o);
}
