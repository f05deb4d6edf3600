/*
 * npy.h: NumPy .npy files, so tensors travel to and from NumPy and PyTorch.
 *
 * Reads format versions 1.0, 2.0 (and 3.0), float64 ('<f8', '>f8') and
 * float32 ('<f4', '>f4', widened exactly to double), in C or Fortran order
 * (transposed to C order), 0- to 4-D; each file says its own dtype, which
 * npy_read_info() hands back. Other dtypes (int64, float16, ...) are
 * refused with a message naming the file and the dtype. Writes version
 * 1.0 '<f8' or '<f4' C order. A malformed, truncated or unsupported file is
 * refused with a message that says what is wrong and where (byte offset or
 * header key).
 */
#ifndef CONVGRAD_NPY_H
#define CONVGRAD_NPY_H

#include "tensor.h"

#include <stdbool.h>

typedef enum npy_dtype { NPY_F8, NPY_F4 } npy_dtype_t;

/* How the file stored its data. */
typedef struct npy_info {
	npy_dtype_t dtype;
	bool big_endian;
	bool fortran_order;
	char descr[16];          /* as written: "<f4" */
} npy_info_t;

/* Returns 0 and a new tensor in *out, or -1 with *err set (naming the
 * file, and the byte offset, header key or dtype at fault). The _info
 * forms also fill *info (NULL: not wanted). */
int npy_read_info(const char *path, tensor_t **out, npy_info_t *info,
    char **err);
int npy_read_mem_info(const unsigned char *data, size_t len,
    const char *name, tensor_t **out, npy_info_t *info, char **err);
int npy_read(const char *path, tensor_t **out, char **err);
int npy_read_mem(const unsigned char *data, size_t len, const char *name,
    tensor_t **out, char **err);
/* Write t as version 1.0 C order, '<f8' (npy_write) or in dtype (float32
 * rounds each value to nearest). Returns 0, or -1 with *err naming path. */
int npy_write(const char *path, const tensor_t *t, char **err);
int npy_write_dtype(const char *path, const tensor_t *t, npy_dtype_t dtype,
    char **err);

#endif
