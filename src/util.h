/*
 * util.h: memory helpers, formatted strings and fatal errors.
 *
 * convgrad reports errors in three tiers:
 *   - programmer errors: assert();
 *   - out of memory and impossible states: fatal(), which first runs the
 *     hook installed by the front end (the tutor restores the terminal), then
 *     prints and exits with status 3;
 *   - user input (lesson files, expressions, arguments, shapes, .npy files):
 *     a status and a message returned to the caller through a `char **err`
 *     argument. The message is malloc'd; the caller frees it. Nothing below
 *     main() calls exit() for user input.
 */
#ifndef CONVGRAD_UTIL_H
#define CONVGRAD_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Allocation that never returns NULL: out of memory is fatal. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);   /* checks count*size overflow */
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* malloc'd printf. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Set *err (if err is not NULL) to a malloc'd message; returns -1 so that
 * callers can write `return set_error(err, "...", ...);`. */
int set_error(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "convgrad: fatal: ..." and exit(3), after the hook has run. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* The hook fatal() runs first (the tutor restores the terminal); NULL: none. */
void fatal_set_hook(void (*hook)(void));

/* Growable string buffer. sbuf_take() hands the string to the caller. */
typedef struct sbuf {
	char *s;
	size_t len, cap;
} sbuf_t;
void sbuf_init(sbuf_t *b);
void sbuf_add(sbuf_t *b, const char *s);
void sbuf_addn(sbuf_t *b, const char *s, size_t n);
void sbuf_addf(sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *sbuf_take(sbuf_t *b);   /* never NULL; the buffer is reset */
void sbuf_free(sbuf_t *b);

/* Read a whole regular file into a malloc'd, NUL-terminated buffer (*data,
 * *len bytes; the caller frees). A FIFO, a device (/dev/zero), a socket or
 * a directory is refused without blocking (opened O_NONBLOCK, checked with
 * fstat), and so is a file of more than max bytes: "PATH: not a regular
 * file (a FIFO)", "PATH: too large: more than MAX bytes". 0, or -1 with
 * *err. read_file has no size limit. */
int read_file_max(const char *path, size_t max, char **data, size_t *len,
    char **err);
int read_file(const char *path, char **data, size_t *len, char **err);

/* mkdir -p of path's directory (every component before the last '/'),
 * each made with mode 0700 when missing. 0, or -1 with errno set. */
int util_make_parents(const char *path);

/* Display width in terminal columns of a UTF-8 string, whatever the locale:
 * CJK wide characters take two, combining marks none, invalid bytes one. */
int utf8_width(const char *s);

/* Seconds on the monotonic clock (CLOCK_MONOTONIC), for timing and
 * deadlines; only differences between two calls mean anything. */
double util_now(void);

/* Replacing a file whole, so that a failed write (a full disk, a signal)
 * never leaves a truncated file where a good one, or none, was:
 * util_replace_open creates PATH.tmp-XXXXXX beside path (the same file
 * system, so the rename is atomic) and returns it open for writing, with
 * *tmp its malloc'd name, or NULL with *err ("PATH: cannot write: ...").
 * util_replace_close closes f and, if ok and the close succeeded, renames
 * *tmp over path; otherwise removes *tmp and sets *err naming path. Frees
 * *tmp either way. 0, or -1. */
FILE *util_replace_open(const char *path, char **tmp, char **err);
int util_replace_close(FILE *f, char **tmp, const char *path, bool ok,
    char **err);

#endif
