/*
 * conv-json.h: DIR/conv.json, the convolution's settings beside the .npy
 * files of `convgrad gradcheck --dump DIR` and `--load DIR`:
 *
 *   {"stride":[2,3],"padding":[0,0],"dilation":[1,1],"groups":1,"layout":"nchw"}
 *
 * (written exactly so, one line). The reader takes any JSON spacing and
 * key order; every key is optional; an unknown or repeated key, a value of
 * the wrong kind or range, or anything after the object is refused with
 * path:line:col and what was expected.
 */
#ifndef CONVGRAD_CONV_JSON_H
#define CONVGRAD_CONV_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "conv-shape.h"

typedef struct conv_json {
	bool have_stride, have_padding, have_dilation, have_groups, have_layout;
	long stride[2], padding[2], dilation[2], groups;
	char layout[8];            /* "nchw" or "nhwc" */
} conv_json_t;

/* Parse text (len bytes; name is the path for messages) into *c (zeroed
 * first). Returns 0, or -1 with *err "name:line:col: why". */
int conv_json_parse(const char *text, size_t len, const char *name,
    conv_json_t *c, char **err);
/* Read and parse the file at path. */
int conv_json_read(const char *path, conv_json_t *c, char **err);

/* Write s's stride, padding, dilation, groups and the layout ("nchw" or
 * "nhwc") to path in the form above. Returns 0, or -1 with *err naming
 * path. */
int conv_json_write(const char *path, const conv_shape_t *s,
    const char *layout, char **err);

#endif
