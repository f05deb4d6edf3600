/*
 * faulty.c: plugins that fail the way plugins do, for tests/cli-plugin.sh.
 * Built once per fault with -DFAULT=n: each is the example plugin's
 * forward and backward (included) with one fault added to one call.
 *   1 crash: convgrad_backward dereferences NULL (SIGSEGV)
 *   2 hang: convgrad_forward loops for ever
 *   3 error: convgrad_backward returns 7
 *   4 oob: convgrad_backward writes one double past the end of dweight
 *   5 before: convgrad_forward writes 8 bytes before output
 *   6 nosym: no convgrad_backward at all
 *   7 input: convgrad_forward writes into its const input
 *   8 exit: convgrad_forward calls exit(3)
 *   9 unwritten: convgrad_backward leaves dbias as it found it (NaN)
 *  10 load: the library's constructor crashes as it is loaded
 *  11 (see below) crashes at N=1, a wrong dweight at N >= 2
 *  12 nonlocal: convgrad_forward_f32 adds half the last input pixel to
 *     output 0, whose window it lies outside (the grouped float32
 *     differences must notice and redo that group entry by entry)
 *  13 one shape: convgrad_backward returns 5 at any shape but the layer
 *     1,4,6,6,2,3,3 (the engine's crops must not blame it: their rows
 *     are read on the layer instead)
 *  14 other shapes wrong: convgrad_backward adds 1 to dweight[0] and
 *     dbias[0] at any shape but that layer (crop rows that mislead are
 *     read again on the layer, which is right)
 *  15 a wrong dweight everywhere: the last weight entry's gradient is
 *     1.5 times what it should be (caught on the crops, named on the
 *     layer)
 */
#include <stdio.h>
#include <stdlib.h>

#define convgrad_forward real_forward
#define convgrad_backward real_backward
#if FAULT == 12
#define convgrad_forward_f32 real_forward_f32
#endif
#include "../../examples/plugin/conv.c"
#undef convgrad_forward
#undef convgrad_backward
#undef convgrad_forward_f32

#if FAULT == 12
int
convgrad_forward_f32(const struct convgrad_conv *k, const float *input,
    const float *weight, const float *bias, float *output)
{
	int rc = real_forward_f32(k, input, weight, bias, output);

	output[0] += 0.5f * input[k->N * k->C_in * k->H_in * k->W_in - 1];
	return rc;
}
#endif

int
convgrad_forward(const struct convgrad_conv *k, const double *input,
    const double *weight, const double *bias, double *output)
{
	int rc = real_forward(k, input, weight, bias, output);

#if FAULT == 2
	for (;;)
		;
#elif FAULT == 5
	output[-1] = 1.0;
#elif FAULT == 7
	((double *)input)[2] = 42.0;
#elif FAULT == 8
	exit(3);
#endif
	return rc;
}

#if FAULT == 10
#include <signal.h>

/* raise, not a NULL store: an optimiser may drop a constructor whose only
 * statement is undefined behaviour */
__attribute__((constructor)) static void
crash_on_load(void)
{
	raise(SIGSEGV);
}
#endif

/* The one shape plugins 13 and 14 are right at. */
#define THE_LAYER(k) ((k)->N == 1 && (k)->C_in == 4 && (k)->H_in == 6 && \
	(k)->W_in == 6 && (k)->C_out == 2 && (k)->R == 3 && (k)->S == 3)

#if FAULT != 6
int
convgrad_backward(const struct convgrad_conv *k, const double *input,
    const double *weight, const double *doutput, double *dinput,
    double *dweight, double *dbias)
{
	long nw = k->C_out * (k->C_in / k->groups) * k->R * k->S;
	double saved = dbias[0];
	int rc = real_backward(k, input, weight, doutput, dinput, dweight, dbias);

#if FAULT == 1
	*(volatile int *)0 = 1;
#elif FAULT == 3
	rc = 7;
#elif FAULT == 4
	dweight[nw] = 1.0;
#elif FAULT == 9
	dbias[0] = saved;
#elif FAULT == 11
	/* crashes at N=1, wrong (dweight) at N >= 2: the search for the
	 * smallest wrong shape must skip the crashes */
	if (k->N == 1)
		*(volatile int *)0 = 1;
	dweight[0] += 1.0;
#elif FAULT == 13
	if (!THE_LAYER(k)) {
		fprintf(stderr, "faulty 13: not my shape (C_in=%ld H_in=%ld "
		    "W_in=%ld)\n", k->C_in, k->H_in, k->W_in);
		rc = 5;
	}
#elif FAULT == 14
	if (!THE_LAYER(k)) {
		fprintf(stderr, "faulty 14: not my shape (C_in=%ld H_in=%ld "
		    "W_in=%ld)\n", k->C_in, k->H_in, k->W_in);
		dweight[0] += 1.0;
		dbias[0] += 1.0;
	}
#elif FAULT == 15
	dweight[nw - 1] *= 1.5;
#endif
	(void)nw;
	(void)saved;
	return rc;
}
#endif
