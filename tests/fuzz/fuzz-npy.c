/*
 * fuzz-npy.c: libFuzzer harness for the .npy reader. The input is a .npy
 * file's bytes; it is refused with a message that names it, or read into
 * a tensor whose size matches its shape and whose every element is read.
 */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"
#include "tensor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tensor_t *t = NULL;
	char *err = NULL;
	size_t i, n = 1;
	double sum = 0;
	int k;

	if (npy_read_mem(data, size, "fuzz.npy", &t, &err) != 0) {
		assert(err != NULL && strstr(err, "fuzz.npy") != NULL);
		free(err);
		return 0;
	}
	for (k = 0; k < t->ndim; k++)
		n *= t->shape[k];
	assert(n == t->size);
	for (i = 0; i < t->size; i++)
		sum += fabs(t->data[i]);
	(void)sum;
	tensor_free(t);
	return 0;
}
