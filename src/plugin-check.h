/*
 * plugin-check.h: `convgrad gradcheck --plugin ./libmine.so`: a real
 * gradcheck of a user's conv2d library (the ABI of <convgrad/plugin.h>,
 * called through plugin-run.h).
 *
 * For each shape (the --shape given, or a default sweep of small shapes
 * with strides 1 to 3, non-square inputs, R != S, padding, dilation and
 * groups, so that an index bug one shape hides is found):
 *   - through the gradcheck engine (gradcheck_run_source): every entry of
 *     the Jacobians d output/d input, d output/d weight, d output/d bias
 *     from the plugin's backward against finite differences of the
 *     plugin's own forward (or --sample K of each), the chain rule for a
 *     random df, and the forward against the element reference; the
 *     weight and bias rows on crops of the layer, as a screen only
 *     (gradcheck_source_t.crops_screen), the calls spread over one child
 *     process per thread (plugin_set_lanes);
 *   - the plugin's output, dinput, dweight and dbias against convgrad's
 *     float64 reference at their rounding bounds, each wrong one with
 *     where its wrong entries are and the zoo's diagnosis;
 *   - with convgrad_forward_f32/convgrad_backward_f32, the same four in
 *     float32 (float32 inputs, float32 tolerances).
 * A crash, hang, error return or out-of-bounds write of the plugin stops
 * that shape's check and is reported as a fault (a failure).
 * From the first shape whose float64 results were wrong, shrink_shape
 * searches (at most 100 shapes; where the plugin faults, skipped) for the
 * smallest shape at which they are still wrong: the report's "smallest".
 */
#ifndef CONVGRAD_PLUGIN_CHECK_H
#define CONVGRAD_PLUGIN_CHECK_H

#include "gradcheck.h"
#include "rcheck.h"

typedef struct plugin_check_opts {
	const char *path;          /* the library */
	double timeout;            /* seconds per call */
	bool sweep;                /* the default sweep, else base.shape */
	gradcheck_opts_t base;     /* seed, fd, sample, cost limits, shape */
} plugin_check_opts_t;

/* The default sweep's shapes (validated), and how many. */
size_t plugin_sweep_count(void);
conv_shape_t plugin_sweep_shape(size_t i);

/* Check the plugin. Returns the report, or NULL with *err when it cannot
 * be checked at all: the library does not load, a symbol is missing, a
 * shape is invalid or over the cost limits. */
rcheck_report_t *plugin_check(const plugin_check_opts_t *o, char **err);

#endif
