/*
 * npy.c: read and write NumPy .npy files.
 *
 * The format (numpy/lib/format.py): the magic "\x93NUMPY", a major and a
 * minor version byte, the header length (uint16 LE for 1.0, uint32 LE for
 * 2.0 and 3.0), then the header: a Python dict literal such as
 *   {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }
 * padded with spaces and ending in '\n', then the raw C-order data.
 *
 * Reading is strict, like numpy.load, and never trusts a length: the header
 * must hold exactly the keys descr, fortran_order and shape (any order,
 * any spacing, a trailing comma allowed); descr must be float64 or
 * float32 in either byte order ('<f8', '>f8', '<f4', '>f4', '=' native);
 * Fortran-order data is transposed to C order as it is read; the shape has 0 to 4 non-negative entries
 * (a 0-d array is read as shape (1,)). The data must be exactly as long as
 * the shape says: a shorter file is truncated, and bytes after the data are
 * refused too (a writer that disagrees with its own header is not trusted).
 * Every refusal names the file, and the byte offset or the header key.
 */
#include "npy.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const unsigned char npy_magic[6] = { 0x93, 'N', 'U', 'M', 'P', 'Y' };

/* The header dict as parsed. */
typedef struct npy_header {
	char descr[16];
	bool have_descr, have_fortran, have_shape;
	bool fortran_order;
	int ndim;
	size_t shape[TENSOR_MAX_DIMS];
} npy_header_t;

/* A cursor over the header text; off is the file offset of p[0]. */
typedef struct npy_parser {
	const char *p, *end;
	size_t base;            /* file offset of the header's first byte */
	const char *start;
	const char *name;
	char **err;
} npy_parser_t;

static int
perr(npy_parser_t *ps, const char *what)
{
	return set_error(ps->err, "%s: header byte %zu: %s", ps->name,
	    ps->base + (size_t)(ps->p - ps->start), what);
}

static void
skip_space(npy_parser_t *ps)
{
	while (ps->p < ps->end && isspace((unsigned char)*ps->p))
		ps->p++;
}

/* Is the next non-space character c? Consumes it if so. */
static bool
accept(npy_parser_t *ps, char c)
{
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == c) {
		ps->p++;
		return true;
	}
	return false;
}

/* string = "'" chars "'" | '"' chars '"'   (into buf, at most len-1) */
static int
parse_string(npy_parser_t *ps, char *buf, size_t len)
{
	char q;
	size_t n = 0;

	skip_space(ps);
	if (ps->p >= ps->end || (*ps->p != '\'' && *ps->p != '"'))
		return perr(ps, "expected a quoted string");
	q = *ps->p++;
	while (ps->p < ps->end && *ps->p != q) {
		if (n + 1 >= len)
			return perr(ps, "string too long");
		buf[n++] = *ps->p++;
	}
	if (ps->p >= ps->end)
		return perr(ps, "unterminated string");
	ps->p++;
	buf[n] = '\0';
	return 0;
}

/* bool = "True" | "False" */
static int
parse_bool(npy_parser_t *ps, bool *v)
{
	skip_space(ps);
	if ((size_t)(ps->end - ps->p) >= 4 && memcmp(ps->p, "True", 4) == 0) {
		ps->p += 4;
		*v = true;
		return 0;
	}
	if ((size_t)(ps->end - ps->p) >= 5 && memcmp(ps->p, "False", 5) == 0) {
		ps->p += 5;
		*v = false;
		return 0;
	}
	return perr(ps, "fortran_order: expected True or False");
}

/* One shape entry: an integer, optionally with Python 2's 'L' suffix. */
static int
parse_dim(npy_parser_t *ps, size_t *v)
{
	char *endp;
	long long x;
	char buf[32];
	size_t n = 0;

	skip_space(ps);
	while (ps->p + n < ps->end && n + 1 < sizeof(buf) &&
	    (isdigit((unsigned char)ps->p[n]) || ps->p[n] == '-' || ps->p[n] == '+'))
		n++;
	memcpy(buf, ps->p, n);
	buf[n] = '\0';
	errno = 0;
	x = strtoll(buf, &endp, 10);
	if (n == 0 || *endp != '\0')
		return perr(ps, "shape: expected an integer");
	if (errno != 0)
		return perr(ps, "shape: entry out of range");
	if (x < 0)
		return perr(ps, "shape: entry is negative");
	ps->p += n;
	if (ps->p < ps->end && *ps->p == 'L')
		ps->p++;
	*v = (size_t)x;
	return 0;
}

/* shape = "(" [ dim { "," dim } [ "," ] ] ")" */
static int
parse_shape(npy_parser_t *ps, npy_header_t *h)
{
	if (!accept(ps, '('))
		return perr(ps, "shape: expected '('");
	h->ndim = 0;
	while (!accept(ps, ')')) {
		size_t d = 0;

		if (h->ndim > 0 && !accept(ps, ','))
			return perr(ps, "shape: expected ',' or ')'");
		if (h->ndim > 0 && accept(ps, ')'))
			break;
		if (parse_dim(ps, &d) != 0)
			return -1;
		if (h->ndim == TENSOR_MAX_DIMS)
			return perr(ps, "shape: more than 4 dimensions (at most "
			    "4 are supported)");
		h->shape[h->ndim++] = d;
	}
	return 0;
}

/* entry = string ":" value, for the three known keys. */
static int
parse_entry(npy_parser_t *ps, npy_header_t *h)
{
	char key[32];

	if (parse_string(ps, key, sizeof(key)) != 0)
		return -1;
	if (!accept(ps, ':'))
		return perr(ps, "expected ':' after a key");
	if (strcmp(key, "descr") == 0 && !h->have_descr) {
		h->have_descr = true;
		return parse_string(ps, h->descr, sizeof(h->descr));
	}
	if (strcmp(key, "fortran_order") == 0 && !h->have_fortran) {
		h->have_fortran = true;
		return parse_bool(ps, &h->fortran_order);
	}
	if (strcmp(key, "shape") == 0 && !h->have_shape) {
		h->have_shape = true;
		return parse_shape(ps, h);
	}
	return set_error(ps->err, "%s: header key '%s' is %s", ps->name, key,
	    strcmp(key, "descr") == 0 || strcmp(key, "shape") == 0 ||
	    strcmp(key, "fortran_order") == 0 ? "repeated" : "unknown");
}

/* dict = "{" [ entry { "," entry } [ "," ] ] "}" , then only spaces */
static int
parse_dict(npy_parser_t *ps, npy_header_t *h)
{
	int n = 0;

	if (!accept(ps, '{'))
		return perr(ps, "expected '{' opening the header dict");
	while (!accept(ps, '}')) {
		if (n > 0 && !accept(ps, ','))
			return perr(ps, "expected ',' or '}' in the header dict");
		if (n > 0 && accept(ps, '}'))
			break;
		if (parse_entry(ps, h) != 0)
			return -1;
		n++;
	}
	skip_space(ps);
	if (ps->p != ps->end)
		return perr(ps, "unexpected text after the header dict");
	if (!h->have_descr || !h->have_fortran || !h->have_shape)
		return set_error(ps->err, "%s: header is missing the key '%s'",
		    ps->name, !h->have_descr ? "descr" : !h->have_fortran ?
		    "fortran_order" : "shape");
	return 0;
}

/* What a descr names, for a refusal: "'<i8' (int64)". */
static const char *
dtype_word(const char *descr)
{
	static const struct { const char *code, *word; } words[] = {
		{ "i1", "int8" }, { "i2", "int16" }, { "i4", "int32" },
		{ "i8", "int64" }, { "u1", "uint8" }, { "u2", "uint16" },
		{ "u4", "uint32" }, { "u8", "uint64" }, { "f2", "float16" },
		{ "f16", "float128" }, { "c8", "complex64" },
		{ "c16", "complex128" }, { "b1", "bool" }, { "O", "object" },
	};
	const char *code = descr;
	size_t k;

	if (*code == '<' || *code == '>' || *code == '|' || *code == '=')
		code++;
	for (k = 0; k < sizeof(words) / sizeof(words[0]); k++)
		if (strcmp(code, words[k].code) == 0)
			return words[k].word;
	return code[0] == 'U' || code[0] == 'S' ? "a string type" :
	    "an unknown type";
}

/* Check descr; sets the item size (8 or 4) and the byte order. '=' is the
 * machine's own order, which the reader assumes is little-endian (as on
 * every machine NumPy wheels are built for but s390x). */
static int
check_header(const npy_header_t *h, const char *name, npy_info_t *info,
    char **err)
{
	const char *d = h->descr;

	info->big_endian = d[0] == '>';
	info->fortran_order = h->fortran_order;
	snprintf(info->descr, sizeof(info->descr), "%s", d);
	if ((d[0] == '<' || d[0] == '>' || d[0] == '=') &&
	    strcmp(d + 1, "f8") == 0)
		info->dtype = NPY_F8;
	else if ((d[0] == '<' || d[0] == '>' || d[0] == '=') &&
	    strcmp(d + 1, "f4") == 0)
		info->dtype = NPY_F4;
	else
		return set_error(err, "%s: dtype '%s' (%s) is not supported: "
		    "convgrad reads float64 ('<f8') and float32 ('<f4'); save "
		    "the array with arr.astype(np.float64)", name, d,
		    dtype_word(d));
	return 0;
}

static uint32_t
le32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
}

static uint64_t
le64(const unsigned char *b)
{
	return (uint64_t)le32(b) | (uint64_t)le32(b + 4) << 32;
}

/* Magic, version and header length; hstart and hlen locate the header. */
static int
read_preamble(const unsigned char *data, size_t len, const char *name,
    size_t *hstart, size_t *hlen, char **err)
{
	if (len < 8 || memcmp(data, npy_magic, sizeof(npy_magic)) != 0)
		return set_error(err, "%s: not a .npy file (bad magic: the file "
		    "must start with \\x93NUMPY)", name);
	if (data[6] == 1 && data[7] == 0) {
		if (len < 10)
			return set_error(err, "%s: truncated before the header "
			    "length (byte 8)", name);
		*hstart = 10;
		*hlen = (size_t)data[8] | (size_t)data[9] << 8;
	} else if ((data[6] == 2 || data[6] == 3) && data[7] == 0) {
		if (len < 12)
			return set_error(err, "%s: truncated before the header "
			    "length (byte 8)", name);
		*hstart = 12;
		*hlen = le32(data + 8);
	} else {
		return set_error(err, "%s: format version %u.%u is not supported "
		    "(1.0, 2.0, 3.0)", name, data[6], data[7]);
	}
	if (*hlen > len - *hstart)
		return set_error(err, "%s: header length %zu (byte 8) runs past "
		    "the end of the file (%zu bytes)", name, *hlen, len);
	return 0;
}

/* Element count of the shape, refusing overflow. */
static int
shape_count(const npy_header_t *h, size_t itemsize, const char *name,
    size_t *count, char **err)
{
	int i;

	*count = 1;
	for (i = 0; i < h->ndim; i++) {
		if (__builtin_mul_overflow(*count, h->shape[i], count))
			return set_error(err, "%s: shape is too large", name);
	}
	if (*count > SIZE_MAX / itemsize)
		return set_error(err, "%s: shape is too large", name);
	return 0;
}

static uint32_t
be32(const unsigned char *b)
{
	return (uint32_t)b[3] | (uint32_t)b[2] << 8 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[0] << 24;
}

/* Element i of the raw data, in its dtype and byte order, as a double. */
static double
raw_value(const unsigned char *d, size_t i, const npy_info_t *info)
{
	if (info->dtype == NPY_F8) {
		const unsigned char *b = d + 8 * i;
		uint64_t u = info->big_endian ?
		    (uint64_t)be32(b) << 32 | be32(b + 4) : le64(b);
		double v;

		memcpy(&v, &u, sizeof(v));
		return v;
	} else {
		uint32_t u = info->big_endian ? be32(d + 4 * i) : le32(d + 4 * i);
		float f;

		memcpy(&f, &u, sizeof(f));
		return (double)f;
	}
}

/* The flat offset in Fortran (column-major) order of the C-order index of
 * element off: the first index varies fastest. */
static size_t
fortran_offset(const tensor_t *t, size_t off)
{
	size_t idx[TENSOR_MAX_DIMS], f = 0;
	int k;

	tensor_unravel(t, off, idx);
	for (k = t->ndim - 1; k >= 0; k--)
		f = f * t->shape[k] + idx[k];
	return f;
}

/* The data after the header into a new C-order tensor (0-d read as shape
 * (1,)); Fortran-order data is transposed on the way in. */
static tensor_t *
read_data(const unsigned char *d, const npy_header_t *h,
    const npy_info_t *info)
{
	size_t one = 1;
	tensor_t *t = h->ndim == 0 ? tensor_create(1, &one) :
	    tensor_create(h->ndim, h->shape);
	size_t i;

	for (i = 0; i < t->size; i++)
		t->data[i] = raw_value(d, info->fortran_order ?
		    fortran_offset(t, i) : i, info);
	return t;
}

int
npy_read_mem_info(const unsigned char *data, size_t len, const char *name,
    tensor_t **out, npy_info_t *info, char **err)
{
	npy_header_t h;
	npy_parser_t ps;
	npy_info_t dummy;
	size_t hstart = 0, hlen = 0, itemsize, count = 0, avail;

	*out = NULL;
	if (info == NULL)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if (len == 0)
		return set_error(err, "%s: the file is empty (0 bytes), not a "
		    ".npy file (bad magic: it must start with \\x93NUMPY)", name);
	if (read_preamble(data, len, name, &hstart, &hlen, err) != 0)
		return -1;
	memset(&h, 0, sizeof(h));
	ps.start = ps.p = (const char *)data + hstart;
	ps.end = ps.p + hlen;
	ps.base = hstart;
	ps.name = name;
	ps.err = err;
	if (parse_dict(&ps, &h) != 0 ||
	    check_header(&h, name, info, err) != 0)
		return -1;
	itemsize = info->dtype == NPY_F8 ? 8 : 4;
	if (shape_count(&h, itemsize, name, &count, err) != 0)
		return -1;
	avail = len - hstart - hlen;
	if (avail < count * itemsize)
		return set_error(err, "%s: data is truncated: the shape needs %zu "
		    "bytes of '%s' data after the header, the file has %zu", name,
		    count * itemsize, h.descr, avail);
	if (avail > count * itemsize)
		return set_error(err, "%s: %zu bytes of trailing data after the "
		    "%zu bytes the shape needs", name, avail - count * itemsize,
		    count * itemsize);
	*out = read_data(data + hstart + hlen, &h, info);
	return 0;
}

int
npy_read_mem(const unsigned char *data, size_t len, const char *name,
    tensor_t **out, char **err)
{
	return npy_read_mem_info(data, len, name, out, NULL, err);
}

int
npy_read_info(const char *path, tensor_t **out, npy_info_t *info,
    char **err)
{
	char *data;
	size_t len;
	int rc;

	*out = NULL;
	if (read_file(path, &data, &len, err) != 0)
		return -1;
	rc = npy_read_mem_info((const unsigned char *)data, len, path, out,
	    info, err);
	free(data);
	return rc;
}

int
npy_read(const char *path, tensor_t **out, char **err)
{
	return npy_read_info(path, out, NULL, err);
}

/* The v1.0 preamble and header for t, padded with spaces so that the data
 * starts at a multiple of 64 bytes, ending in '\n', as NumPy writes it. */
static char *
make_header(const tensor_t *t, npy_dtype_t dtype, size_t *len)
{
	sbuf_t b;
	size_t total;
	int i;

	sbuf_init(&b);
	sbuf_addn(&b, (const char *)npy_magic, sizeof(npy_magic));
	sbuf_addn(&b, "\x01\x00", 2);
	sbuf_addn(&b, "\0\0", 2);              /* header length, below */
	sbuf_addf(&b, "{'descr': '%s', 'fortran_order': False, 'shape': (",
	    dtype == NPY_F8 ? "<f8" : "<f4");
	for (i = 0; i < t->ndim; i++)
		sbuf_addf(&b, "%s%zu", i > 0 ? ", " : "", t->shape[i]);
	sbuf_add(&b, t->ndim == 1 ? ",), }" : "), }");
	total = (b.len + 1 + 63) / 64 * 64;   /* + '\n' */
	while (b.len < total - 1)
		sbuf_add(&b, " ");
	sbuf_add(&b, "\n");
	b.s[8] = (char)((total - 10) & 0xff);
	b.s[9] = (char)((total - 10) >> 8);
	*len = b.len;
	return sbuf_take(&b);
}

/* Element i as little-endian bytes of dtype into b; returns the count. */
static size_t
le_bytes(const tensor_t *t, size_t i, npy_dtype_t dtype, unsigned char *b)
{
	size_t n = dtype == NPY_F8 ? 8 : 4, k;
	uint64_t u;

	if (dtype == NPY_F8) {
		memcpy(&u, &t->data[i], sizeof(u));
	} else {
		float f = (float)t->data[i];
		uint32_t v;

		memcpy(&v, &f, sizeof(v));
		u = v;
	}
	for (k = 0; k < n; k++)
		b[k] = (unsigned char)(u >> (8 * k));
	return n;
}

int
npy_write_dtype(const char *path, const tensor_t *t, npy_dtype_t dtype,
    char **err)
{
	size_t hlen, i;
	char *header, *tmp;
	FILE *f = util_replace_open(path, &tmp, err);
	bool ok;

	if (f == NULL)
		return -1;
	header = make_header(t, dtype, &hlen);
	errno = 0;
	ok = fwrite(header, 1, hlen, f) == hlen;
	for (i = 0; ok && i < t->size; i++) {
		unsigned char b[8];
		size_t n = le_bytes(t, i, dtype, b);

		ok = fwrite(b, 1, n, f) == n;
	}
	free(header);
	/* written beside path and renamed over it: a full disk leaves the
	 * old file (or none), never a truncated one */
	return util_replace_close(f, &tmp, path, ok, err);
}

int
npy_write(const char *path, const tensor_t *t, char **err)
{
	return npy_write_dtype(path, t, NPY_F8, err);
}
