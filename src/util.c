/*
 * util.c: memory helpers, formatted strings, fatal errors, string buffers.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void (*fatal_hook)(void);

void
fatal_set_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	void (*hook)(void) = fatal_hook;

	fatal_hook = NULL;     /* a fatal error inside the hook must not loop */
	if (hook != NULL)
		hook();
	fflush(stdout);
	fputs("convgrad: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(3);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n == 0 ? 1 : n);

	if (p == NULL)
		fatal("out of memory allocating %zu bytes", n);
	return p;
}

void *
xcalloc(size_t count, size_t size)
{
	void *p;

	if (size != 0 && count > SIZE_MAX / size)
		fatal("allocation of %zu x %zu bytes overflows", count, size);
	p = calloc(count == 0 ? 1 : count, size == 0 ? 1 : size);
	if (p == NULL)
		fatal("out of memory allocating %zu x %zu bytes", count, size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n == 0 ? 1 : n);

	if (q == NULL)
		fatal("out of memory reallocating %zu bytes", n);
	return q;
}

void *
xreallocarray(void *p, size_t count, size_t size)
{
	if (size != 0 && count > SIZE_MAX / size)
		fatal("allocation of %zu x %zu bytes overflows", count, size);
	return xrealloc(p, count * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		fatal("out of memory formatting a message");
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

int
set_error(char **err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	*err = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

void
sbuf_init(sbuf_t *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
}

void
sbuf_addn(sbuf_t *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = xrealloc(b->s, cap);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
sbuf_add(sbuf_t *b, const char *s)
{
	sbuf_addn(b, s, strlen(s));
}

void
sbuf_addf(sbuf_t *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	sbuf_add(b, s);
	free(s);
}

char *
sbuf_take(sbuf_t *b)
{
	char *s = b->s != NULL ? b->s : xstrdup("");

	sbuf_init(b);
	return s;
}

void
sbuf_free(sbuf_t *b)
{
	free(b->s);
	sbuf_init(b);
}

/* What a file that is not a regular one is, for a message. */
static const char *
file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a plain file";
}

/* Read fd to its end, or past max bytes (then *too_big). 0, or errno. */
static int
read_all(int fd, size_t max, sbuf_t *b, bool *too_big)
{
	char chunk[65536];
	ssize_t n;

	*too_big = false;
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return 0;
		if ((size_t)n > max - b->len) {
			*too_big = true;
			return 0;
		}
		sbuf_addn(b, chunk, (size_t)n);
	}
}

int
read_file_max(const char *path, size_t max, char **data, size_t *len,
    char **err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), e;
	struct stat st;
	sbuf_t b;
	bool too_big;

	if (fd < 0)
		return set_error(err, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		e = errno;
		close(fd);
		return set_error(err, "%s: cannot stat: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return set_error(err, "%s: not a regular file (%s)", path,
		    file_kind(st.st_mode));
	}
	if ((uintmax_t)st.st_size > max) {
		close(fd);
		return set_error(err, "%s: too large: %jd bytes, more than %zu",
		    path, (intmax_t)st.st_size, max);
	}
	sbuf_init(&b);
	sbuf_addn(&b, "", 0);
	e = read_all(fd, max, &b, &too_big);
	close(fd);
	if (e != 0 || too_big) {
		sbuf_free(&b);
		if (too_big)
			return set_error(err, "%s: too large: more than %zu bytes",
			    path, max);
		return set_error(err, "%s: read error: %s", path, strerror(e));
	}
	*len = b.len;
	*data = sbuf_take(&b);
	return 0;
}

int
read_file(const char *path, char **data, size_t *len, char **err)
{
	return read_file_max(path, SIZE_MAX, data, len, err);
}

/* East Asian wide ranges (enough for CJK text in lesson titles) and the
 * combining marks; everything else in our output is one column. Decoding by
 * hand keeps widths right whatever the locale. */
static int
codepoint_width(unsigned long cp)
{
	if (cp >= 0x300 && cp <= 0x36f)
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	return 1;
}

int
utf8_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int w = 0;

	while (*p != '\0') {
		unsigned long cp = *p;
		int extra = 0, i;

		if (cp >= 0xf0 && cp < 0xf8)
			cp &= 0x07, extra = 3;
		else if (cp >= 0xe0)
			cp &= 0x0f, extra = 2;
		else if (cp >= 0xc0)
			cp &= 0x1f, extra = 1;
		for (i = 1; i <= extra; i++) {
			if ((p[i] & 0xc0) != 0x80)
				break;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (i <= extra)         /* invalid sequence: one column a byte */
			cp = '?', extra = 0;
		w += codepoint_width(cp);
		p += 1 + extra;
	}
	return w;
}

double
util_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

FILE *
util_replace_open(const char *path, char **tmp, char **err)
{
	static unsigned long serial;
	int fd = -1, tries;
	FILE *f;

	/* O_EXCL with a fresh name, not mkstemp: the file gets 0666 less the
	 * umask like any file the program writes, not mkstemp's 0600 */
	for (tries = 0; fd < 0 && tries < 100; tries++) {
		*tmp = xasprintf("%s.tmp-%ld-%lu", path, (long)getpid(),
		    __atomic_add_fetch(&serial, 1, __ATOMIC_RELAXED));
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0) {
			free(*tmp);
			*tmp = NULL;
			if (errno != EEXIST)
				break;
		}
	}
	if (fd < 0 || (f = fdopen(fd, "wb")) == NULL) {
		set_error(err, "%s: cannot write: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(*tmp);
			free(*tmp);
			*tmp = NULL;
		}
		return NULL;
	}
	return f;
}

int
util_replace_close(FILE *f, char **tmp, const char *path, bool ok,
    char **err)
{
	int e = 0;

	if (!ok)
		e = errno ? errno : EIO;
	/* on the disk before the rename: after a crash, the old file or the
	 * new one, never an empty one */
	if (e == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0))
		e = errno;
	if (fclose(f) != 0 && e == 0)
		e = errno;
	if (e == 0 && rename(*tmp, path) != 0)
		e = errno;
	if (e != 0)
		unlink(*tmp);
	free(*tmp);
	*tmp = NULL;
	if (e != 0)
		return set_error(err, "%s: cannot write: %s", path, strerror(e));
	return 0;
}

int
util_make_parents(const char *path)
{
	char *d = xstrdup(path), *s;

	for (s = strchr(d + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(d, 0700) != 0 && errno != EEXIST) {
			int e = errno;

			free(d);
			errno = e;
			return -1;
		}
		*s = '/';
	}
	free(d);
	return 0;
}
