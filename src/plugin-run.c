/*
 * plugin-run.c: a user's conv2d library, called in a child process (see
 * plugin-run.h).
 *
 * One shared mapping (MAP_SHARED | MAP_ANONYMOUS, made before the fork so
 * both sides see it) holds a header and eight buffers: input, weight,
 * bias, output, doutput, dinput, dweight, dbias. Each buffer sits between
 * two guard zones of GUARD bytes filled with GUARD_BYTE; for a float32
 * call the guard after a buffer starts right after its floats, so a write
 * one float past the end is seen. A socketpair carries one byte each way
 * per call: the parent writes the tensors and the guards, sends the call,
 * and polls for the answer until the time limit; the child (a loop around
 * dlopen'ed functions) makes the call and answers. End of file on the
 * socket means the child died: waitpid says how. The parent alone checks
 * the guards and the inputs afterwards: the child's word is not trusted.
 * The mapping grows (with a new child) when a larger shape comes.
 *
 * Lanes. A plugin may have several children (plugin_set_lanes), each with
 * its own mapping and socket: a lane. A call takes a free lane under the
 * plugin's lock and holds it alone until the call is checked, so calls
 * from different threads run at once in different processes, and each
 * child still makes one call at a time, as the ABI says. A fault is the
 * lane's: its child is stopped and replaced at that lane's next call.
 */
#include "plugin-run.h"

#include <assert.h>
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../include/convgrad/plugin.h"
#include "util.h"

#define GUARD 256
#define GUARD_BYTE 0xA5

enum { B_INPUT, B_WEIGHT, B_BIAS, B_OUTPUT, B_DOUTPUT, B_DINPUT,
	B_DWEIGHT, B_DBIAS, NBUF };
static const char *const buf_names[NBUF] = { "input", "weight", "bias",
	"output", "doutput", "dinput", "dweight", "dbias" };

enum call { CALL_FORWARD, CALL_BACKWARD, CALL_FORWARD_F32,
	CALL_BACKWARD_F32, NCALL };
static const char *const call_names[NCALL] = { "convgrad_forward",
	"convgrad_backward", "convgrad_forward_f32", "convgrad_backward_f32" };

/* The start of the mapping, written by the parent before each call (and
 * by the child once, when it has loaded the library). */
typedef struct shm_hdr {
	int call;                  /* enum call */
	int rc;                    /* the plugin's return value */
	int has_bias;
	struct convgrad_conv conv;
	size_t off[NBUF];          /* byte offset of each buffer's data */
	size_t n[NBUF];            /* its element count */
	int load_status;           /* 0 loaded; -1 failed (msg says why) */
	int has_f32;
	char msg[768];
} shm_hdr_t;

typedef int (*fwd64_fn)(const struct convgrad_conv *, const double *,
    const double *, const double *, double *);
typedef int (*bwd64_fn)(const struct convgrad_conv *, const double *,
    const double *, const double *, double *, double *, double *);
typedef int (*fwd32_fn)(const struct convgrad_conv *, const float *,
    const float *, const float *, float *);
typedef int (*bwd32_fn)(const struct convgrad_conv *, const float *,
    const float *, const float *, float *, float *, float *);

/* One child and its mapping. */
typedef struct lane {
	pid_t pid;                 /* -1: no child */
	int fd;                    /* our end of the socketpair */
	unsigned char *shm;
	size_t shm_len;
	size_t cap[NBUF];          /* elements each buffer can hold */
	bool busy;                 /* a call holds it (under the lock) */
} lane_t;

struct plugin {
	char *path;
	double timeout;
	bool has_f32;
	int nlanes;
	lane_t lane[PLUGIN_MAX_LANES];
	pthread_mutex_t lock;      /* the lanes' busy flags */
	pthread_cond_t freed;      /* a lane became free */
};

/* ---- the child ---- */

typedef struct child_fns {
	fwd64_fn fwd;
	bwd64_fn bwd;
	fwd32_fn fwd32;
	bwd32_fn bwd32;
} child_fns_t;

static void
child_load(const char *path, shm_hdr_t *h, child_fns_t *f)
{
	void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	const char *e;

	h->load_status = -1;
	if (lib == NULL) {
		e = dlerror();
		snprintf(h->msg, sizeof(h->msg), "cannot load: %s", e ? e : "?");
		return;
	}
	*(void **)&f->fwd = dlsym(lib, "convgrad_forward");
	*(void **)&f->bwd = dlsym(lib, "convgrad_backward");
	*(void **)&f->fwd32 = dlsym(lib, "convgrad_forward_f32");
	*(void **)&f->bwd32 = dlsym(lib, "convgrad_backward_f32");
	if (f->fwd == NULL || f->bwd == NULL) {
		snprintf(h->msg, sizeof(h->msg), "missing symbol %s%s%s: a plugin "
		    "exports convgrad_forward and convgrad_backward "
		    "(<convgrad/plugin.h>)", f->fwd ? "" : "convgrad_forward",
		    !f->fwd && !f->bwd ? " and " : "", f->bwd ? "" :
		    "convgrad_backward");
		return;
	}
	h->has_f32 = f->fwd32 != NULL && f->bwd32 != NULL;
	h->load_status = 0;
}

static int
child_call(unsigned char *shm, const child_fns_t *f)
{
	shm_hdr_t *h = (shm_hdr_t *)shm;
	void *b[NBUF];
	int k;

	for (k = 0; k < NBUF; k++)
		b[k] = shm + h->off[k];
	switch (h->call) {
	case CALL_FORWARD:
		return f->fwd(&h->conv, b[B_INPUT], b[B_WEIGHT],
		    h->has_bias ? b[B_BIAS] : NULL, b[B_OUTPUT]);
	case CALL_BACKWARD:
		return f->bwd(&h->conv, b[B_INPUT], b[B_WEIGHT], b[B_DOUTPUT],
		    b[B_DINPUT], b[B_DWEIGHT], b[B_DBIAS]);
	case CALL_FORWARD_F32:
		return f->fwd32(&h->conv, b[B_INPUT], b[B_WEIGHT],
		    h->has_bias ? b[B_BIAS] : NULL, b[B_OUTPUT]);
	default:
		return f->bwd32(&h->conv, b[B_INPUT], b[B_WEIGHT], b[B_DOUTPUT],
		    b[B_DINPUT], b[B_DWEIGHT], b[B_DBIAS]);
	}
}

/* The child's whole life: load, answer 'r', then one call per byte
 * received until the parent closes the socket. Never returns. */
static void __attribute__((noreturn))
child_main(const char *path, unsigned char *shm, int fd)
{
	shm_hdr_t *h = (shm_hdr_t *)shm;
	child_fns_t f = { 0 };
	char c;

	/* A plugin's crash must kill the child with its own signal, so the
	 * parent can name it: undo any handler the host installed (a
	 * sanitizer's SEGV report, which would exit(1) instead). */
	static const int deadly[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
	    SIGABRT, SIGTRAP, SIGSYS, SIGPIPE };
	for (size_t i = 0; i < sizeof deadly / sizeof deadly[0]; i++)
		signal(deadly[i], SIG_DFL);
	dup2(2, 1);                /* the plugin's prints must not mix into
	                              the report on stdout */
	child_load(path, h, &f);
	if (send(fd, "r", 1, MSG_NOSIGNAL) != 1 || h->load_status != 0)
		_exit(0);
	while (recv(fd, &c, 1, 0) == 1) {
		h->rc = child_call(shm, &f);
		if (send(fd, "d", 1, MSG_NOSIGNAL) != 1)
			break;
	}
	_exit(0);
}

/* ---- the parent: the child's life ---- */

/* Reap the child that closed its socket; bounded: after 2 s of waiting it
 * is killed. Returns its wait status. */
static int
reap(lane_t *l)
{
	double end = util_now() + 2;
	int st = 0;

	while (waitpid(l->pid, &st, WNOHANG) == 0) {
		struct timespec ms = { 0, 1000000 };

		if (util_now() > end) {
			kill(l->pid, SIGKILL);
			waitpid(l->pid, &st, 0);
			break;
		}
		nanosleep(&ms, NULL);
	}
	close(l->fd);
	l->fd = -1;
	l->pid = -1;
	return st;
}

static void
stop_child(lane_t *l)
{
	if (l->pid <= 0)
		return;
	close(l->fd);            /* the child's recv sees end of file */
	l->fd = -1;
	kill(l->pid, SIGKILL);   /* and if it is stuck, this */
	waitpid(l->pid, NULL, 0);
	l->pid = -1;
}

/* "crashed in F (SIGSEGV)" or "exited with status 3 in F". */
static char *
death_str(int st, const char *what)
{
	const char *abbrev;
	char sig[32];

	if (WIFSIGNALED(st)) {
		abbrev = sigabbrev_np(WTERMSIG(st));
		if (abbrev != NULL)
			snprintf(sig, sizeof(sig), "SIG%s", abbrev);
		else
			snprintf(sig, sizeof(sig), "signal %d", WTERMSIG(st));
		return xasprintf("the plugin crashed in %s (%s)", what, sig);
	}
	return xasprintf("the plugin exited with status %d in %s",
	    WIFEXITED(st) ? WEXITSTATUS(st) : -1, what);
}

/* Wait for the child's one-byte answer to `what`, polling until the time
 * limit. 0 answered; -1 with *err: it died or was stopped. */
static int
wait_answer(const plugin_t *p, lane_t *l, const char *what, const char *at,
    char **err)
{
	double end = util_now() + p->timeout;
	struct pollfd pf = { l->fd, POLLIN, 0 };
	char c;

	for (;;) {
		double left = end - util_now();
		int r = poll(&pf, 1, left > 0 ? (int)ceil(left * 1000) : 0);
		ssize_t n;
		char *d;

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || (r < 0 && left <= 0)) {
			stop_child(l);
			return set_error(err, "the plugin did not return from %s "
			    "within %g s%s: stopped", what, p->timeout, at);
		}
		n = recv(l->fd, &c, 1, 0);
		if (n == 1)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		d = death_str(reap(l), what);
		set_error(err, "%s%s", d, at);
		free(d);
		return -1;
	}
}

/* Start a child over the lane's mapping; it loads the library. */
static int
start_child(plugin_t *p, lane_t *l, char **err)
{
	shm_hdr_t *h = (shm_hdr_t *)l->shm;
	int sv[2];
	pid_t pid;

	h->load_status = -1;       /* before the fork: the child sets it */
	snprintf(h->msg, sizeof(h->msg), "did not say why");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return set_error(err, "%s: socketpair: %s", p->path,
		    strerror(errno));
	fflush(NULL);
	if ((pid = fork()) < 0) {
		close(sv[0]);
		close(sv[1]);
		return set_error(err, "%s: fork: %s", p->path, strerror(errno));
	}
	if (pid == 0) {
		close(sv[0]);
		child_main(p->path, l->shm, sv[1]);
	}
	close(sv[1]);
	l->pid = pid;
	l->fd = sv[0];
	if (wait_answer(p, l, "loading the library", "", err) != 0) {
		char *why = err != NULL ? *err : NULL;

		if (why != NULL) {
			*err = xasprintf("%s: %s", p->path, why);
			free(why);
		}
		return -1;
	}
	if (h->load_status != 0) {
		set_error(err, "%s: %s", p->path, h->msg);
		stop_child(l);
		return -1;
	}
	return 0;
}

/* ---- the mapping ---- */

static size_t
round64(size_t n)
{
	return (n + 63) / 64 * 64;
}

/* Make room for buffers of n[] doubles (a new mapping and child if the
 * current one is too small). */
static int
reserve(plugin_t *p, lane_t *l, const size_t *n, char **err)
{
	size_t len = round64(sizeof(shm_hdr_t)), k;
	bool fits = l->shm != NULL;
	void *m;

	for (k = 0; k < NBUF; k++) {
		fits = fits && n[k] <= l->cap[k];
		len += GUARD + round64(n[k] * sizeof(double)) + GUARD;
	}
	if (fits && l->pid > 0)
		return 0;
	if (!fits) {
		stop_child(l);
		if (l->shm != NULL)
			munmap(l->shm, l->shm_len);
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED |
		    MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED) {
			l->shm = NULL;
			return set_error(err, "%s: cannot map %zu bytes of shared "
			    "memory: %s", p->path, len, strerror(errno));
		}
		l->shm = m;
		l->shm_len = len;
		for (k = 0; k < NBUF; k++)
			l->cap[k] = n[k];
	}
	return start_child(p, l, err);
}

plugin_t *
plugin_open(const char *path, double timeout, char **err)
{
	plugin_t *p;
	size_t n[NBUF] = { 0 };
	struct stat st;
	char *full;
	int k;

	if (stat(path, &st) != 0) {
		set_error(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	/* dlopen searches the library path for a name without '/' */
	full = strchr(path, '/') ? xstrdup(path) : xasprintf("./%s", path);
	p->path = full;
	p->timeout = timeout;
	p->nlanes = 1;
	for (k = 0; k < PLUGIN_MAX_LANES; k++) {
		p->lane[k].pid = -1;
		p->lane[k].fd = -1;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->freed, NULL);
	if (reserve(p, &p->lane[0], n, err) != 0) {
		plugin_free(p);
		return NULL;
	}
	p->has_f32 = ((shm_hdr_t *)p->lane[0].shm)->has_f32 != 0;
	return p;
}

void
plugin_free(plugin_t *p)
{
	int k;

	if (p == NULL)
		return;
	for (k = 0; k < PLUGIN_MAX_LANES; k++) {
		stop_child(&p->lane[k]);
		if (p->lane[k].shm != NULL)
			munmap(p->lane[k].shm, p->lane[k].shm_len);
	}
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->freed);
	free(p->path);
	free(p);
}

bool
plugin_has_f32(const plugin_t *p)
{
	return p->has_f32;
}

void
plugin_set_lanes(plugin_t *p, int n)
{
	assert(n >= 1);
	pthread_mutex_lock(&p->lock);
	p->nlanes = n < PLUGIN_MAX_LANES ? n : PLUGIN_MAX_LANES;
	pthread_mutex_unlock(&p->lock);
}

int
plugin_lanes(const plugin_t *p)
{
	return p->nlanes;
}

/* Every buffer's element count for shape s. */
static void
shape_sizes(const conv_shape_t *s, size_t *n)
{
	n[B_INPUT] = n[B_DINPUT] = (size_t)(s->N * s->C_in * s->H_in * s->W_in);
	n[B_WEIGHT] = n[B_DWEIGHT] = (size_t)(s->C_out * (s->C_in / s->groups) *
	    s->R * s->S);
	n[B_BIAS] = n[B_DBIAS] = (size_t)s->C_out;
	n[B_OUTPUT] = n[B_DOUTPUT] = (size_t)(s->N * s->C_out * s->H_out *
	    s->W_out);
}

int
plugin_prepare(plugin_t *p, const conv_shape_t *s, char **err)
{
	size_t n[NBUF];
	int k;

	shape_sizes(s, n);
	for (k = 0; k < p->nlanes; k++) {
		size_t m[NBUF], i;

		/* a lane keeps what it already has room for */
		for (i = 0; i < NBUF; i++)
			m[i] = n[i] > p->lane[k].cap[i] ? n[i] : p->lane[k].cap[i];
		if (reserve(p, &p->lane[k], m, err) != 0)
			return -1;
	}
	return 0;
}

/* A free lane, held until lane_put: waits while every lane is busy (each
 * busy one is in a call under the time limit). */
static lane_t *
lane_get(plugin_t *p)
{
	lane_t *l = NULL;
	int k;

	pthread_mutex_lock(&p->lock);
	while (l == NULL) {
		for (k = 0; k < p->nlanes && l == NULL; k++)
			if (!p->lane[k].busy)
				l = &p->lane[k];
		if (l == NULL)
			pthread_cond_wait(&p->freed, &p->lock);
	}
	l->busy = true;
	pthread_mutex_unlock(&p->lock);
	return l;
}

static void
lane_put(plugin_t *p, lane_t *l)
{
	pthread_mutex_lock(&p->lock);
	l->busy = false;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

/* ---- one call ---- */

/* The layout of this call: each buffer's data offset, and its guards
 * right around its n elements of esize bytes. */
static void
lay_out(lane_t *l, const size_t *n)
{
	shm_hdr_t *h = (shm_hdr_t *)l->shm;
	size_t off = round64(sizeof(shm_hdr_t)), k;

	for (k = 0; k < NBUF; k++) {
		h->off[k] = off + GUARD;
		h->n[k] = n[k];
		off += GUARD + round64(l->cap[k] * sizeof(double)) + GUARD;
	}
}

static void
put(lane_t *l, int k, const tensor_t *t, bool f32)
{
	shm_hdr_t *h = (shm_hdr_t *)l->shm;
	unsigned char *d = l->shm + h->off[k];
	size_t i, es = f32 ? sizeof(float) : sizeof(double);

	memset(d - GUARD, GUARD_BYTE, GUARD);
	memset(d + h->n[k] * es, GUARD_BYTE, GUARD);
	if (!f32 && t != NULL) {     /* the same bytes: one copy */
		memcpy(d, t->data, h->n[k] * es);
		return;
	}
	for (i = 0; i < h->n[k]; i++) {
		double v = t != NULL ? t->data[i] : NAN;

		if (f32) {
			float x = (float)v;

			memcpy(d + i * es, &x, es);
		} else {
			memcpy(d + i * es, &v, es);
		}
	}
}

/* Buffer k back into t (widened from float32). */
static void
get(const lane_t *l, int k, tensor_t *t, bool f32)
{
	const shm_hdr_t *h = (const shm_hdr_t *)l->shm;
	const unsigned char *d = l->shm + h->off[k];
	size_t i;

	if (!f32) {
		memcpy(t->data, d, h->n[k] * sizeof(double));
		return;
	}
	for (i = 0; i < h->n[k]; i++) {
		if (f32) {
			float x;

			memcpy(&x, d + i * sizeof(float), sizeof(float));
			t->data[i] = (double)x;
		} else {
			memcpy(&t->data[i], d + i * sizeof(double), sizeof(double));
		}
	}
}

/* A guard byte that changed, as a message (NULL: none). */
static char *
guard_fault(const lane_t *l, int k, bool f32)
{
	const shm_hdr_t *h = (const shm_hdr_t *)l->shm;
	const unsigned char *d = l->shm + h->off[k];
	size_t es = f32 ? sizeof(float) : sizeof(double), len = h->n[k] * es, i;

	for (i = 1; i <= GUARD; i++)         /* nearest the buffer first */
		if (d[-(ptrdiff_t)i] != GUARD_BYTE)
			return xasprintf("wrote outside %s: at byte offset -%zu of a "
			    "%zu-byte buffer, %zu byte%s before its start",
			    buf_names[k], i, len, i, i == 1 ? "" : "s");
	for (i = 0; i < GUARD; i++)
		if (d[len + i] != GUARD_BYTE)
			return xasprintf("wrote outside %s: at byte offset %zu of a "
			    "%zu-byte buffer, %zu byte%s past its end", buf_names[k],
			    len + i, len, i + 1, i == 0 ? "" : "s");
	return NULL;
}

/* An input the plugin changed (they are const to it), as a message. */
static char *
input_fault(const lane_t *l, int k, const tensor_t *t, bool f32)
{
	const shm_hdr_t *h = (const shm_hdr_t *)l->shm;
	const unsigned char *d = l->shm + h->off[k];
	size_t es = f32 ? sizeof(float) : sizeof(double), i;

	/* bit for bit, as put wrote them; float64 in one comparison, and only
	 * a buffer that differs is searched for the first entry that does */
	if (t == NULL || (!f32 && memcmp(d, t->data, h->n[k] * es) == 0))
		return NULL;
	for (i = 0; i < h->n[k]; i++) {
		double v = t->data[i];
		float x = (float)v;
		uint32_t a, b;
		bool same;

		if (f32) {
			memcpy(&a, d + i * es, es);
			memcpy(&b, &x, es);
			same = a == b;
		} else {
			same = memcmp(d + i * es, &v, es) == 0;
		}
		if (!same)
			return xasprintf("wrote into %s, an input (const), at byte "
			    "offset %zu", buf_names[k], i * es);
	}
	return NULL;
}

/* After a call: the guards of every buffer, the inputs unchanged, then
 * the return value. */
static int
check_call(const lane_t *l, int call, const tensor_t *const *in, bool f32,
    const char *at, char **err)
{
	const shm_hdr_t *h = (const shm_hdr_t *)l->shm;
	char *why = NULL;
	int k;

	for (k = 0; k < NBUF && why == NULL; k++)
		if (h->n[k] > 0)
			why = guard_fault(l, k, f32);
	for (k = 0; k < NBUF && why == NULL; k++)
		if (in[k] != NULL)
			why = input_fault(l, k, in[k], f32);
	if (why != NULL) {
		set_error(err, "%s %s%s", call_names[call], why, at);
		free(why);
		return -1;
	}
	if (h->rc != 0)
		return set_error(err, "%s returned %d (the plugin's error)%s",
		    call_names[call], h->rc, at);
	return 0;
}

static void
fill_conv(struct convgrad_conv *c, const conv_shape_t *s)
{
	memset(c, 0, sizeof(*c));
	c->abi = CONVGRAD_PLUGIN_ABI;
	c->N = s->N, c->C_in = s->C_in, c->H_in = s->H_in, c->W_in = s->W_in;
	c->C_out = s->C_out, c->R = s->R, c->S = s->S;
	c->strh = s->strh, c->strw = s->strw, c->pad_h = s->pad_h;
	c->pad_w = s->pad_w, c->dil_h = s->dil_h, c->dil_w = s->dil_w;
	c->groups = s->groups, c->H_out = s->H_out, c->W_out = s->W_out;
}

/* Run one call on lane l: tensors in (in[k], NULL: not an input),
 * outputs NaN, call, check, outputs back (out[k], NULL: not an output). */
static int
lane_call(plugin_t *p, lane_t *l, int call, const conv_shape_t *s,
    const tensor_t *const *in, tensor_t *const *out, bool has_bias,
    char **err)
{
	bool f32 = call == CALL_FORWARD_F32 || call == CALL_BACKWARD_F32;
	size_t n[NBUF];
	char buf[256], *at;
	shm_hdr_t *h;
	int k, rc;

	for (k = 0; k < NBUF; k++)
		n[k] = in[k] ? in[k]->size : out[k] ? out[k]->size : 0;
	if (reserve(p, l, n, err) != 0)
		return -1;
	h = (shm_hdr_t *)l->shm;
	lay_out(l, n);
	for (k = 0; k < NBUF; k++)
		put(l, k, in[k], f32);
	h->call = call;
	h->rc = 0;
	h->has_bias = has_bias;
	fill_conv(&h->conv, s);
	at = xasprintf(" at shape %s", conv_shape_str(s, buf, sizeof(buf)));
	if (send(l->fd, "c", 1, MSG_NOSIGNAL) != 1) {
		char *d = death_str(reap(l), call_names[call]);

		rc = set_error(err, "%s%s", d, at);
		free(d);
	} else if ((rc = wait_answer(p, l, call_names[call], at, err)) == 0 &&
	    (rc = check_call(l, call, in, f32, at, err)) == 0) {
		for (k = 0; k < NBUF; k++)
			if (out[k] != NULL)
				get(l, k, out[k], f32);
	}
	free(at);
	return rc;
}

/* One call on a free lane. */
static int
run_call(plugin_t *p, int call, const conv_shape_t *s,
    const tensor_t *const *in, tensor_t *const *out, bool has_bias,
    char **err)
{
	lane_t *l = lane_get(p);
	int rc = lane_call(p, l, call, s, in, out, has_bias, err);

	lane_put(p, l);
	return rc;
}

int
plugin_forward(plugin_t *p, bool f32, const conv_shape_t *s,
    const tensor_t *input, const tensor_t *weight, const tensor_t *bias,
    tensor_t *output, char **err)
{
	const tensor_t *in[NBUF] = { input, weight, bias };
	tensor_t *out[NBUF] = { NULL };

	out[B_OUTPUT] = output;
	return run_call(p, f32 ? CALL_FORWARD_F32 : CALL_FORWARD, s, in, out,
	    bias != NULL, err);
}

int
plugin_backward(plugin_t *p, bool f32, const conv_shape_t *s,
    const tensor_t *input, const tensor_t *weight, const tensor_t *df,
    tensor_t *dinput, tensor_t *dweight, tensor_t *dbias, char **err)
{
	const tensor_t *in[NBUF] = { input, weight };
	tensor_t *out[NBUF] = { NULL };

	in[B_DOUTPUT] = df;
	out[B_DINPUT] = dinput;
	out[B_DWEIGHT] = dweight;
	out[B_DBIAS] = dbias;
	return run_call(p, f32 ? CALL_BACKWARD_F32 : CALL_BACKWARD, s, in, out,
	    false, err);
}
