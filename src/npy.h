/*
 * npy.h: NumPy .npy files, so tensors travel to and from NumPy and PyTorch.
 *
 * Reads format versions 1.0, 2.0 (and 3.0), little-endian float64 ('<f8')
 * and float32 ('<f4', widened to double), C order, 0- to 4-D. Writes
 * version 1.0 '<f8' C order. A malformed, truncated or unsupported file is
 * refused with a message that says what is wrong and where (byte offset or
 * header key).
 */
#ifndef CONVGRAD_NPY_H
#define CONVGRAD_NPY_H

#include "tensor.h"

/* Returns 0 and a new tensor in *out, or -1 with *err set. */
int npy_read(const char *path, tensor_t **out, char **err);
int npy_read_mem(const unsigned char *data, size_t len, const char *name,
    tensor_t **out, char **err);
int npy_write(const char *path, const tensor_t *t, char **err);

#endif
