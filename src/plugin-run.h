/*
 * plugin-run.h: call a user's conv2d library (the ABI of
 * include/convgrad/plugin.h) without letting it take convgrad down.
 *
 * The library is loaded and called in a child process. The tensors travel
 * through shared memory: each buffer has guard zones before and after it,
 * output buffers are filled with NaN before every call, and after the
 * call the guards, the inputs (const to the plugin) and the return value
 * are checked. The parent waits for each call with poll() and a time
 * limit, never a blocking wait without one. So every fault of the plugin
 * comes back as a message, and convgrad carries on:
 *   "the plugin crashed in convgrad_backward (SIGSEGV) at shape N=2 ..."
 *   "the plugin did not return from convgrad_forward within 2 s at shape
 *    ...: stopped"
 *   "convgrad_forward returned 3 (the plugin's error) at shape ..."
 *   "convgrad_backward wrote outside dweight: 8 bytes past its end (byte
 *    offset 296 of a 288-byte buffer) at shape ..."
 * A crashed or stopped child is replaced by a new one at the next call.
 *
 * Calls may come from several threads at once: with plugin_set_lanes(p,
 * n) each of up to n calls runs in its own child (a lane), with its own
 * mapping, time limit and checks; each child makes one call at a time, so
 * a plugin with global state is as safe as with one child.
 */
#ifndef CONVGRAD_PLUGIN_RUN_H
#define CONVGRAD_PLUGIN_RUN_H

#include <stdbool.h>

#include "conv-shape.h"
#include "tensor.h"

typedef struct plugin plugin_t;

/* Load the library at path in a child process and look up its symbols.
 * timeout: seconds each call (and the loading) may take. Returns NULL
 * with *err for a file that is not there, does not load (dlerror's
 * words), lacks convgrad_forward or convgrad_backward (named), or crashes
 * or hangs while loading. Free with plugin_free (NULL: no-op), which ends
 * the child. */
plugin_t *plugin_open(const char *path, double timeout, char **err);
void plugin_free(plugin_t *p);

/* Does it have convgrad_forward_f32 and convgrad_backward_f32? */
bool plugin_has_f32(const plugin_t *p);

/* The most lanes a plugin may have. */
#define PLUGIN_MAX_LANES 8

/* Let up to n calls (1 <= n; more are cut to PLUGIN_MAX_LANES) run at
 * once, each in its own child; the default is 1. A call made while every
 * lane is busy waits for one (each busy lane is in a call under the time
 * limit). Call it between calls, not during one. */
void plugin_set_lanes(plugin_t *p, int n);
int plugin_lanes(const plugin_t *p);

/* Give every lane room for shape s's tensors and a running child, before
 * calls from several threads come (so no child is started from a worker
 * thread while others run). 0, or -1 with *err (the library would not
 * load again in a new child, or no shared memory). */
int plugin_prepare(plugin_t *p, const conv_shape_t *s, char **err);

/* output = the plugin's forward on input, weight, bias (NULL: none) for
 * the validated shape s; with f32 through convgrad_forward_f32, the values
 * rounded to float and the results widened. Returns 0, or -1 with *err
 * (the plugin's fault, as above); output is then undefined. */
int plugin_forward(plugin_t *p, bool f32, const conv_shape_t *s,
    const tensor_t *input, const tensor_t *weight, const tensor_t *bias,
    tensor_t *output, char **err);

/* dinput, dweight, dbias = the plugin's backward for the upstream
 * gradient df; the same contract. */
int plugin_backward(plugin_t *p, bool f32, const conv_shape_t *s,
    const tensor_t *input, const tensor_t *weight, const tensor_t *df,
    tensor_t *dinput, tensor_t *dweight, tensor_t *dbias, char **err);

#endif
