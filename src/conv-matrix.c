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
 *
 * OpenMP runs the batch loop in parallel with the built-in GEMM (each thread
 * its own cols buffer; the weight gradient summed into per-thread partials,
 * then reduced in thread order so the result does not depend on timing).
 * With BLAS the batch loop is serial: OpenBLAS threads inside each GEMM.
 */
#include "conv-matrix.h"

#include <assert.h>
#include <stdlib.h>

#include "gemm.h"
#include "parallel.h"
#include "util.h"

/* Threads for a loop over the batch: see the file comment. */
static int
batch_threads(const conv_shape_t *s)
{
	if (s->N > 1 && (!gemm_have_blas() || gemm_get_backend() == GEMM_BUILTIN))
		return parallel_max_threads();
	return 1;
}


/* Rows and columns of cols_b: C_in*R*S and H_out*W_out (fit in int:
 * conv_shape_validate checked); a group's block of rows, C_in/groups*R*S,
 * and its output channels, C_out/groups. */
static int
cols_rows(const conv_shape_t *s)
{
	return (int)(s->C_in * s->R * s->S);
}

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

static double *
cols_alloc(const conv_shape_t *s)
{
	return xcalloc((size_t)cols_rows(s) * cols_cols(s), sizeof(double));
}

void
conv2d_im2col(double *cols, const tensor_t *input, long b,
    const conv_shape_t *s)
{
	long row, h_out, w_out, nrows = cols_rows(s);

	for (row = 0; row < nrows; row++) {
		long dj = row % s->S, di = (row / s->S) % s->R;
		long c_in = row / (s->R * s->S);
		double *out = cols + (size_t)row * cols_cols(s);

		for (h_out = 0; h_out < s->H_out; h_out++) {
			long h_in = s->strh * h_out + s->dil_h * di - s->pad_h;

			for (w_out = 0; w_out < s->W_out; w_out++) {
				long w_in = s->strw * w_out + s->dil_w * dj - s->pad_w;
				bool inside = h_in >= 0 && h_in < s->H_in &&
				    w_in >= 0 && w_in < s->W_in;

				*out++ = inside ? T4(input, b, c_in, h_in, w_in) : 0.0;
			}
		}
	}
}

void
conv2d_col2im(tensor_t *dinput, long b, const double *cols,
    const conv_shape_t *s)
{
	long row, h_out, w_out, nrows = cols_rows(s);

	for (row = 0; row < nrows; row++) {
		long dj = row % s->S, di = (row / s->S) % s->R;
		long c_in = row / (s->R * s->S);
		const double *in = cols + (size_t)row * cols_cols(s);

		for (h_out = 0; h_out < s->H_out; h_out++) {
			long h_in = s->strh * h_out + s->dil_h * di - s->pad_h;

			for (w_out = 0; w_out < s->W_out; w_out++, in++) {
				long w_in = s->strw * w_out + s->dil_w * dj - s->pad_w;

				if (h_in >= 0 && h_in < s->H_in && w_in >= 0 &&
				    w_in < s->W_in)
					T4(dinput, b, c_in, h_in, w_in) += *in;
			}
		}
	}
}

/* Start of image b in an (N, C, H, W) tensor. */
static double *
image(const tensor_t *t, long b)
{
	return t->data + (size_t)b * t->stride[0];
}

/*
 * input (N, C_in, H_in, W_in), weight (C_out, C_in/groups, R, S), bias
 * (C_out) or NULL, output (N, C_out, H_out, W_out). Per image b and group g:
 *   Y_b[g] (C_out/groups, H_out*W_out)
 *     = Wm[g] (C_out/groups, Kg) · cols_b[g] (Kg, H_out*W_out),  Kg = C_in/groups*R*S
 *   GEMM M = C_out/groups, N = H_out*W_out, K = Kg (groups = 1: M = C_out,
 *   K = C_in*R*S); then Y_b[c_out, :] += bias[c_out].
 */
void
conv2d_forward_matrix(tensor_t *output, const tensor_t *input,
    const tensor_t *weight, const tensor_t *bias, const conv_shape_t *s)
{
	const int M = group_cout(s), N = cols_cols(s), K = group_rows(s);
	const int G = (int)s->groups;
	int nt = batch_threads(s);

	assert(input->size == conv_input_size(s));
	assert(weight->size == conv_weight_size(s));
	assert(output->size == conv_output_size(s));
	assert(bias == NULL || bias->size == (size_t)s->C_out);
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
	{
		double *cols = cols_alloc(s);
		long b;

#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
		for (b = 0; b < s->N; b++) {
			double *Y = image(output, b);
			int c_out, j, g;

			conv2d_im2col(cols, input, b, s);
			for (g = 0; g < G; g++)
				gemm(false, false, M, N, K, 1.0,
				    weight->data + (size_t)g * M * K, K,
				    cols + (size_t)g * K * N, N, 0.0,
				    Y + (size_t)g * M * N, N);
			for (c_out = 0; bias != NULL && c_out < s->C_out; c_out++)
				for (j = 0; j < N; j++)
					Y[(size_t)c_out * N + j] += T1(bias, c_out);
		}
		free(cols);
	}
	(void)nt;
}

/*
 * df (N, C_out, H_out, W_out), weight (C_out, C_in/groups, R, S), dinput
 * (N, C_in, H_in, W_in), OVERWRITTEN. Per image b and group g:
 *   dcols_b[g] (Kg, H_out*W_out) = Wm[g]ᵀ (Kg, C_out/groups) · dY_b[g] (C_out/groups, H_out*W_out)
 *   GEMM M = Kg = C_in/groups*R*S, N = H_out*W_out, K = C_out/groups
 *   (A = Wm[g] transposed); then dinput image b = 0, col2im(dcols_b)
 *   accumulates into it.
 */
void
conv2d_backward_input_matrix(tensor_t *dinput, const tensor_t *df,
    const tensor_t *weight, const conv_shape_t *s)
{
	const int M = group_rows(s), N = cols_cols(s), K = group_cout(s);
	const int G = (int)s->groups;
	int nt = batch_threads(s);

	assert(df->size == conv_output_size(s));
	assert(weight->size == conv_weight_size(s));
	assert(dinput->ndim == 4 && dinput->size == conv_input_size(s));
	tensor_zero(dinput);
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
	{
		double *dcols = cols_alloc(s);
		long b;

#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
		for (b = 0; b < s->N; b++) {
			int g;

			for (g = 0; g < G; g++)
				gemm(true, false, M, N, K, 1.0,
				    weight->data + (size_t)g * K * M, M,
				    image(df, b) + (size_t)g * K * N, N, 0.0,
				    dcols + (size_t)g * M * N, N);
			conv2d_col2im(dinput, b, dcols, s);
		}
		free(dcols);
	}
	(void)nt;
}

/*
 * df (N, C_out, H_out, W_out), input (N, C_in, H_in, W_in), dweight (C_out,
 * C_in/groups, R, S), OVERWRITTEN. Per group g:
 *   dWm[g] (C_out/groups, Kg) = sum_b dY_b[g] (C_out/groups, H_out*W_out) · cols_b[g]ᵀ (H_out*W_out, Kg)
 *   GEMM M = C_out/groups, N = Kg = C_in/groups*R*S, K = H_out*W_out
 *   (B = cols_b[g] transposed), beta = 1 to accumulate over b into a
 *   per-thread partial.
 */
void
conv2d_backward_weight_matrix(tensor_t *dweight, const tensor_t *df,
    const tensor_t *input, const conv_shape_t *s)
{
	const int M = group_cout(s), N = group_rows(s), K = cols_cols(s);
	const int G = (int)s->groups;
	int nt = batch_threads(s), t;
	size_t wsize = conv_weight_size(s), i;
	double *partial = xcalloc((size_t)nt * wsize, sizeof(double));

	assert(df->size == conv_output_size(s));
	assert(input->size == conv_input_size(s));
	assert(dweight->size == wsize);
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
	{
		double *cols = cols_alloc(s);
		double *mine = partial + (size_t)parallel_thread_num() * wsize;
		long b;

#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
		for (b = 0; b < s->N; b++) {
			int g;

			conv2d_im2col(cols, input, b, s);
			for (g = 0; g < G; g++)
				gemm(false, true, M, N, K, 1.0,
				    image(df, b) + (size_t)g * M * K, K,
				    cols + (size_t)g * N * K, K, 1.0,
				    mine + (size_t)g * M * N, N);
		}
		free(cols);
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
