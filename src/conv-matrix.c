/*
 * conv-matrix.c: matrix-form conv2d kernels (im2col + GEMM), the content of
 * the source's empty "matrix form" sections.
 *
 * For one image b, im2col lays every receptive field out as a column:
 *   cols_b (C_in*R*S, H_out*W_out), row (c_in*R + di)*S + dj, column
 *   h_out*W_out + w_out, holds input[b, c_in, strh*h_out + dil_h*di - pad_h,
 *   strw*w_out + dil_w*dj - pad_w] (0 in the padding).
 * The weight (C_out, C_in, R, S) is already, in memory, the matrix
 * Wm (C_out, C_in*R*S), and output image b is Y_b (C_out, H_out*W_out). Then
 * the element-form sum over (c_in, di, dj) is one matrix product, and each
 * chain rule of the source becomes one:
 *   forward          Y_b     = Wm · cols_b (+ bias[c_out] on row c_out)
 *   backward weight  dWm     = sum_b dY_b · cols_bᵀ
 *   backward input   dcols_b = Wmᵀ · dY_b, scattered back by col2im
 *   backward bias    dbias   = dY summed over b, h_out, w_out
 * The im2col/col2im indexing is darknet's and Caffe's, generalised to
 * dilation. col2im ACCUMULATES: an input pixel under several (overlapping)
 * windows receives the sum of its dcols entries, which is exactly the
 * source's sum over h_out1, w_out1.
 *
 * Groups: the rows of cols_b of group grp's input channels are contiguous
 * (rows grp*Kg ... with Kg = C_in/groups*R*S), and so are the weight rows
 * of its output channels (C_out/groups of them, each Kg long) and the rows
 * of Y_b: each product above splits into one GEMM per group over those
 * blocks, M = C_out/groups and K = Kg where it said C_out and C_in*R*S.
 * The groups run one after the other, so the cols buffer holds one group's
 * Kg rows at a time (a depthwise layer's 9 rows, not C_in*9).
 *
 * One GEMM over many images. A GEMM with few columns (H_out*W_out = 49
 * at a ResNet's last layers, 256 at issue 8's layer) runs far below the
 * BLAS's peak, so images are taken nb at a time into one wider product:
 * cols of the chunk is (Kg, nb*H_out*W_out) for each group, column j*H_out*W_out + p
 * holding image b0+j's column p; the products above then run once per chunk
 * (and group) with N = nb*H_out*W_out in place of H_out*W_out, and Y or dY
 * of the chunk, (C_out, nb*H_out*W_out), is copied from or to the NCHW
 * tensor (a copy of C_out*nb*H_out*W_out doubles, against the GEMM's
 * C_out*nb*H_out*W_out*C_in*R*S multiply-adds). nb is chosen so that each
 * product has at least MATRIX_BATCH_COLS columns while the chunk's cols and
 * Y stay under MATRIX_BATCH_BYTES; nb = 1 (an image with enough columns of
 * its own) multiplies straight into the tensor, with no copy.
 *
 * OpenMP runs the chunk loop in parallel with the built-in GEMM, for
 * problems of PARALLEL_MIN_WORK multiply-adds and more (each thread
 * its own buffers; the weight gradient summed into per-thread partials,
 * then reduced in thread order so the result does not depend on timing).
 * With BLAS the chunk loop is serial: OpenBLAS threads inside each GEMM.
 */
#include "conv-matrix.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "parallel.h"
#include "util.h"

/* Columns each product aims for, and the largest chunk of cols (bytes):
 * see the file comment. Chosen, not tuned: a few thousand columns keep
 * OpenBLAS's DGEMM near its rate on large products, and 64 MiB bounds the
 * extra memory. A sweep of 1, 2048, 8192 and all columns on this machine
 * (shared, load 10 on 2 cores) was lost in the noise. */
#define MATRIX_BATCH_COLS 2048L
#define MATRIX_BATCH_BYTES ((size_t)64 << 20)

static long batch_cols_goal;      /* 0: MATRIX_BATCH_COLS */

void
conv2d_matrix_set_batch_cols(long cols)
{
	assert(cols >= 0);
	batch_cols_goal = cols;
}

/* Threads for a loop over the chunks: see the file comment; one below
 * PARALLEL_MIN_WORK multiply-adds. */
static int
batch_threads(const conv_shape_t *s)
{
	double work = (double)conv_output_size(s) * (double)conv_group_cin(s) *
	    (double)(s->R * s->S);

	if (s->N > 1 && work >= PARALLEL_MIN_WORK &&
	    (!gemm_have_blas() || gemm_get_backend() == GEMM_BUILTIN))
		return parallel_max_threads();
	return 1;
}

/* Columns of one image's cols, H_out*W_out, a group's rows of it,
 * C_in/groups*R*S (both fit in int: conv_shape_validate checked), and a
 * group's output channels, C_out/groups. */
static int
cols_cols(const conv_shape_t *s)
{
	return (int)(s->H_out * s->W_out);
}

static int
group_rows(const conv_shape_t *s)
{
	return (int)(conv_group_cin(s) * s->R * s->S);
}

static int
group_cout(const conv_shape_t *s)
{
	return (int)conv_group_cout(s);
}

/* Images per chunk, at least 1: enough for the column goal (times the
 * groups, whose products are each that much smaller), within the
 * byte limit, int columns, the batch, and (with nt threads) enough chunks
 * for every thread. */
static long
chunk_images(const conv_shape_t *s, int nt)
{
	/* G small products cost G calls: with groups, more columns each */
	long hw = cols_cols(s), goal = batch_cols_goal > 0 ? batch_cols_goal :
	    MATRIX_BATCH_COLS * s->groups;
	long nb = (goal + hw - 1) / hw;
	/* a group's cols and the chunk's Y (or dY) */
	size_t per_image = (size_t)(group_rows(s) + s->C_out) * (size_t)hw *
	    sizeof(double);
	long by_bytes = (long)(MATRIX_BATCH_BYTES / per_image);

	if (nb > by_bytes)
		nb = by_bytes;
	if (nb > INT_MAX / hw)
		nb = INT_MAX / hw;
	if (nb > s->N)
		nb = s->N;
	if (nt > 1 && nb > (s->N + nt - 1) / nt)
		nb = (s->N + nt - 1) / nt;
	return nb < 1 ? 1 : nb;
}

/* Start of image b in an (N, C, H, W) tensor. */
static double *
image(const tensor_t *t, long b)
{
	return t->data + (size_t)b * t->stride[0];
}

/*
 * The im2col geometry, walked once for both directions. cols has rows ld
 * apart (ld = H_out*W_out for one image, more when the image is one of a
 * chunk): row (c_in*R + di)*S + dj, column h_out*W_out + w_out, for input
 * position (strh*h_out + dil_h*di - pad_h, strw*w_out + dil_w*dj - pad_w).
 * Only input channels c0 .. c1-1 (one group's), whose first row is row 0.
 * For every row and h_out, fn gets the offset in cols of its W_out entries
 * and the input row they read (NULL when h_in is in the padding), with
 * [lo, hi) the w_out whose w_in is inside (conv_axis_range) and
 * off = dil_w*dj - pad_w. cols is written (im2col) or read (col2im).
 */
typedef struct cols_ref {
	double *out;            /* im2col */
	const double *in;       /* col2im */
} cols_ref_t;

typedef void cols_row_fn(const cols_ref_t *c, size_t at, double *x, long lo,
    long hi, long off, const conv_shape_t *s);

static void
cols_walk(const cols_ref_t *c, size_t ld, const tensor_t *t, long b,
    long c0, long c1, const conv_shape_t *s, cols_row_fn *fn)
{
	long c_in, di, dj, h_out, lo, hi;
	size_t row = 0;

	for (c_in = c0; c_in < c1; c_in++)
	for (di = 0; di < s->R; di++)
	for (dj = 0; dj < s->S; dj++, row++) {
		long off = s->dil_w * dj - s->pad_w;

		conv_axis_range(off, s->strw, s->W_in, s->W_out, &lo, &hi);
		for (h_out = 0; h_out < s->H_out; h_out++) {
			long h_in = s->strh * h_out + s->dil_h * di - s->pad_h;
			bool inside = h_in >= 0 && h_in < s->H_in;

			fn(c, row * ld + (size_t)(h_out * s->W_out),
			    inside ? &T4(t, b, c_in, h_in, 0) : NULL, lo, hi, off,
			    s);
		}
	}
}

/* im2col, one row: zeros in the padding, the inside range copied (memcpy
 * when strw = 1). */
static void
gather_row(const cols_ref_t *c, size_t at, double *x, long lo, long hi,
    long off, const conv_shape_t *s)
{
	double *d = c->out + at;
	long w;

	if (x == NULL) {
		memset(d, 0, (size_t)s->W_out * sizeof(double));
		return;
	}
	memset(d, 0, (size_t)lo * sizeof(double));
	if (s->strw == 1)
		memcpy(d + lo, x + lo + off, (size_t)(hi - lo) * sizeof(double));
	else
		for (w = lo; w < hi; w++)
			d[w] = x[s->strw * w + off];
	memset(d + hi, 0, (size_t)(s->W_out - hi) * sizeof(double));
}

/* col2im, one row: ACCUMULATE the inside range into the input row; the
 * padding entries are dropped. */
static void
scatter_row(const cols_ref_t *c, size_t at, double *x, long lo, long hi,
    long off, const conv_shape_t *s)
{
	const double *d = c->in + at;
	long w;

	for (w = lo; x != NULL && w < hi; w++)
		x[s->strw * w + off] += d[w];
}

void
conv2d_im2col(double *cols, const tensor_t *input, long b,
    const conv_shape_t *s)
{
	cols_ref_t c = { .out = cols };

	cols_walk(&c, (size_t)cols_cols(s), input, b, 0, s->C_in, s,
	    gather_row);
}

void
conv2d_col2im(tensor_t *dinput, long b, const double *cols,
    const conv_shape_t *s)
{
	cols_ref_t c = { .in = cols };

	cols_walk(&c, (size_t)cols_cols(s), dinput, b, 0, s->C_in, s,
	    scatter_row);
}

/* The walk over group g's rows of the cols of images b0 .. b0+n-1, side by
 * side: (C_in/groups*R*S, n*H_out*W_out), image j from column j*H_out*W_out. */
static void
chunk_walk(const cols_ref_t *c, const tensor_t *t, long b0, long n, long g,
    const conv_shape_t *s, cols_row_fn *fn)
{
	size_t hw = (size_t)cols_cols(s);
	long j, c0 = g * conv_group_cin(s);

	for (j = 0; j < n; j++) {
		cols_ref_t cj = {
			.out = c->out != NULL ? c->out + (size_t)j * hw : NULL,
			.in = c->in != NULL ? c->in + (size_t)j * hw : NULL,
		};

		cols_walk(&cj, (size_t)n * hw, t, b0 + j, c0,
		    c0 + conv_group_cin(s), s, fn);
	}
}

/* im2col of group g for a chunk, into cols. */
static void
im2col_chunk(double *cols, const tensor_t *input, long b0, long n, long g,
    const conv_shape_t *s)
{
	cols_ref_t c = { .out = cols };

	chunk_walk(&c, input, b0, n, g, s, gather_row);
}

/* col2im of group g for a chunk: ACCUMULATES cols into dinput. */
static void
col2im_chunk(tensor_t *dinput, long b0, long n, long g, const double *cols,
    const conv_shape_t *s)
{
	cols_ref_t c = { .in = cols };

	chunk_walk(&c, dinput, b0, n, g, s, scatter_row);
}

/* dY of the chunk, (C_out, n*H_out*W_out), from df's images b0 .. b0+n-1;
 * with n = 1 it is df's image itself (no copy). */
static const double *
gather_dy(double *buf, const tensor_t *df, long b0, long n,
    const conv_shape_t *s)
{
	size_t hw = (size_t)cols_cols(s), ld = (size_t)n * hw;
	long j, c;

	if (n == 1)
		return image(df, b0);
	for (j = 0; j < n; j++)
		for (c = 0; c < s->C_out; c++)
			memcpy(buf + (size_t)c * ld + (size_t)j * hw,
			    image(df, b0 + j) + (size_t)c * hw, hw * sizeof(double));
	return buf;
}

/* Buffers of one thread: cols (or dcols) of a chunk, and its Y or dY. */
typedef struct chunk_buf {
	double *cols, *y;
} chunk_buf_t;

static void
chunk_buf_init(chunk_buf_t *cb, const conv_shape_t *s, long nb)
{
	size_t cols = (size_t)nb * (size_t)cols_cols(s);

	cb->cols = xmalloc((size_t)group_rows(s) * cols * sizeof(double));
	cb->y = nb > 1 ? xmalloc((size_t)s->C_out * cols * sizeof(double)) :
	    NULL;
}

static void
chunk_buf_free(chunk_buf_t *cb)
{
	free(cb->cols);
	free(cb->y);
}

/*
 * One chunk of the forward, images b0 .. b0+n-1, per group g:
 *   Y[g] (C_out/groups, n*H_out*W_out)
 *     = Wm[g] (C_out/groups, Kg) · cols[g] (Kg, n*H_out*W_out),  Kg = C_in/groups*R*S
 *   GEMM M = C_out/groups, N = n*H_out*W_out, K = Kg (groups = 1: M = C_out,
 *   K = C_in*R*S); then Y is copied into the images (n > 1) and
 *   Y_b[c_out, :] += bias[c_out].
 */
static void
forward_chunk(tensor_t *output, const tensor_t *input,
    const tensor_t *weight, const tensor_t *bias, const conv_shape_t *s,
    long b0, long n, chunk_buf_t *cb)
{
	const int M = group_cout(s), K = group_rows(s), hw = cols_cols(s);
	const int N = (int)n * hw;
	double *Y = n == 1 ? image(output, b0) : cb->y;
	long j, c, g, p;

	for (g = 0; g < s->groups; g++) {
		im2col_chunk(cb->cols, input, b0, n, g, s);
		gemm(false, false, M, N, K, 1.0, weight->data + (size_t)g * M * K,
		    K, cb->cols, N, 0.0, Y + (size_t)g * M * N, N);
	}
	for (j = 0; j < n; j++)
		for (c = 0; c < s->C_out; c++) {
			double *y = image(output, b0 + j) + (size_t)c * hw;

			if (n > 1)
				memcpy(y, Y + (size_t)c * N + (size_t)j * hw,
				    (size_t)hw * sizeof(double));
			for (p = 0; bias != NULL && p < hw; p++)
				y[p] += T1(bias, c);
		}
}

/* input (N, C_in, H_in, W_in), weight (C_out, C_in/groups, R, S), bias
 * (C_out) or NULL, output (N, C_out, H_out, W_out): forward_chunk over the
 * batch, nb images at a time. */
void
conv2d_forward_matrix(tensor_t *output, const tensor_t *input,
    const tensor_t *weight, const tensor_t *bias, const conv_shape_t *s)
{
	int nt = batch_threads(s);
	long nb = chunk_images(s, nt), nchunks = (s->N + nb - 1) / nb;

	assert(input->size == conv_input_size(s));
	assert(weight->size == conv_weight_size(s));
	assert(output->size == conv_output_size(s));
	assert(bias == NULL || bias->size == (size_t)s->C_out);
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
	{
		chunk_buf_t cb;
		long k;

		chunk_buf_init(&cb, s, nb);
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
		for (k = 0; k < nchunks; k++)
			forward_chunk(output, input, weight, bias, s, k * nb,
			    k * nb + nb <= s->N ? nb : s->N - k * nb, &cb);
		chunk_buf_free(&cb);
	}
	(void)nt;
}

/*
 * One chunk of backward input, images b0 .. b0+n-1, per group g:
 *   dcols[g] (Kg, n*H_out*W_out) = Wm[g]ᵀ (Kg, C_out/groups) · dY[g] (C_out/groups, n*H_out*W_out)
 *   GEMM M = Kg = C_in/groups*R*S, N = n*H_out*W_out, K = C_out/groups
 *   (A = Wm[g] transposed); then col2im of each image's columns
 *   accumulates into its (zeroed) dinput.
 */
static void
dinput_chunk(tensor_t *dinput, const tensor_t *df, const tensor_t *weight,
    const conv_shape_t *s, long b0, long n, chunk_buf_t *cb)
{
	const int M = group_rows(s), K = group_cout(s), hw = cols_cols(s);
	const int N = (int)n * hw;
	const double *dY = gather_dy(cb->y, df, b0, n, s);
	long g;

	for (g = 0; g < s->groups; g++) {
		gemm(true, false, M, N, K, 1.0, weight->data + (size_t)g * K * M,
		    M, dY + (size_t)g * K * N, N, 0.0, cb->cols, N);
		col2im_chunk(dinput, b0, n, g, cb->cols, s);
	}
}

/* df (N, C_out, H_out, W_out), weight (C_out, C_in/groups, R, S), dinput
 * (N, C_in, H_in, W_in), OVERWRITTEN: zeroed, then dinput_chunk over the
 * batch. */
void
conv2d_backward_input_matrix(tensor_t *dinput, const tensor_t *df,
    const tensor_t *weight, const conv_shape_t *s)
{
	int nt = batch_threads(s);
	long nb = chunk_images(s, nt), nchunks = (s->N + nb - 1) / nb;

	assert(df->size == conv_output_size(s));
	assert(weight->size == conv_weight_size(s));
	assert(dinput->ndim == 4 && dinput->size == conv_input_size(s));
	tensor_zero(dinput);
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
	{
		chunk_buf_t cb;
		long k;

		chunk_buf_init(&cb, s, nb);
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
		for (k = 0; k < nchunks; k++)
			dinput_chunk(dinput, df, weight, s, k * nb,
			    k * nb + nb <= s->N ? nb : s->N - k * nb, &cb);
		chunk_buf_free(&cb);
	}
	(void)nt;
}

/*
 * One chunk of backward weight, images b0 .. b0+n-1, per group g:
 *   dWm[g] (C_out/groups, Kg) += dY[g] (C_out/groups, n*H_out*W_out) · cols[g]ᵀ (n*H_out*W_out, Kg)
 *   GEMM M = C_out/groups, N = Kg = C_in/groups*R*S, K = n*H_out*W_out
 *   (B = cols[g] transposed), beta = 1: the sum over b runs inside the
 *   product over the chunk's columns and across chunks into dw.
 */
static void
dweight_chunk(double *dw, const tensor_t *df, const tensor_t *input,
    const conv_shape_t *s, long b0, long n, chunk_buf_t *cb)
{
	const int M = group_cout(s), N = group_rows(s);
	const int K = (int)n * cols_cols(s);
	const double *dY = gather_dy(cb->y, df, b0, n, s);
	long g;

	for (g = 0; g < s->groups; g++) {
		im2col_chunk(cb->cols, input, b0, n, g, s);
		gemm(false, true, M, N, K, 1.0, dY + (size_t)g * M * K, K,
		    cb->cols, K, 1.0, dw + (size_t)g * M * N, N);
	}
}

/* df (N, C_out, H_out, W_out), input (N, C_in, H_in, W_in), dweight (C_out,
 * C_in/groups, R, S), OVERWRITTEN: dweight_chunk over the batch into one
 * partial per thread, then the partials summed in thread order. */
void
conv2d_backward_weight_matrix(tensor_t *dweight, const tensor_t *df,
    const tensor_t *input, const conv_shape_t *s)
{
	int nt = batch_threads(s), t;
	long nb = chunk_images(s, nt), nchunks = (s->N + nb - 1) / nb;
	size_t wsize = conv_weight_size(s), i;
	double *partial = xcalloc((size_t)nt * wsize, sizeof(double));

	assert(df->size == conv_output_size(s));
	assert(input->size == conv_input_size(s));
	assert(dweight->size == wsize);
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
	{
		double *mine = partial + (size_t)parallel_thread_num() * wsize;
		chunk_buf_t cb;
		long k;

		chunk_buf_init(&cb, s, nb);
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
		for (k = 0; k < nchunks; k++)
			dweight_chunk(mine, df, input, s, k * nb,
			    k * nb + nb <= s->N ? nb : s->N - k * nb, &cb);
		chunk_buf_free(&cb);
	}
	/* Reduce in thread order: the same sum whatever the timing. */
	for (i = 0; i < wsize; i++) {
		double sum = 0.0;

		for (t = 0; t < nt; t++)
			sum += partial[(size_t)t * wsize + i];
		dweight->data[i] = sum;
	}
	free(partial);
}

/*
 * df (N, C_out, H_out, W_out), dbias (C_out), OVERWRITTEN: the sum of dY over
 * b and over each row c_out of dY_b (no GEMM: a reduction; as a GEMM it
 * would be dY_b · 1, M = C_out, N = 1, K = H_out*W_out).
 */
void
conv2d_backward_bias_matrix(tensor_t *dbias, const tensor_t *df,
    const conv_shape_t *s)
{
	const size_t hw = (size_t)s->H_out * s->W_out;
	long b, c_out;
	size_t j;

	assert(df->size == conv_output_size(s));
	assert(dbias->size == (size_t)s->C_out);
	tensor_zero(dbias);
	for (b = 0; b < s->N; b++) {
		const double *dY = image(df, b);

		for (c_out = 0; c_out < s->C_out; c_out++) {
			double sum = 0.0;

			for (j = 0; j < hw; j++)
				sum += dY[(size_t)c_out * hw + j];
			T1(dbias, c_out) += sum;
		}
	}
}
