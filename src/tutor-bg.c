/*
 * tutor-bg.c: the tutor's background verifier (see tutor-bg.h).
 *
 * One mutex guards the queue, the results and the status; the worker
 * holds it only to take work and to hand a result back, never while it
 * verifies, so the interface thread never waits behind a verification.
 * The cancel flag and the progress counters are atomics: the verifier's
 * hooks touch them from inside verify_claim without the lock.
 *
 * The worker's world: a verify_ctx at the shape of the claim it runs (made
 * again when the shape changes), and which of the lesson's lets that ctx
 * holds (forgotten when the lesson or the shape changes). Lets a claim
 * depends on are evaluated before it, in lesson order, as the verifier
 * requires.
 */
#include "tutor-bg.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* What was asked: one lesson at one shape, claims in order. */
typedef struct bg_job {
	int lesson;
	claim_t *const *claims;
	int nclaims;
	conv_shape_t shape;
	int *want;
	int nwant, next;            /* want[next..nwant) still to run */
} bg_job_t;

typedef struct bg_result {
	tutor_bg_done_t d;
	struct bg_result *next;
} bg_result_t;

struct tutor_bg {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake;        /* work was queued, or stop */
	pthread_cond_t ended;       /* the worker left its loop */
	bool stop, has_ended;

	bg_job_t job;               /* the queue (under mu) */
	bg_result_t *head, *tail;   /* finished, oldest first (under mu) */
	int run_lesson, run_want;   /* the wanted claim running now, -1 none */
	int run_k;                  /* ... or a let before it (under mu) */
	conv_shape_t run_shape;

	atomic_bool cancel;
	atomic_size_t done, total;

	verify_opts_t opts;         /* the worker's: its own hooks */
	/* The world, touched by the worker only. */
	verify_ctx_t *vc;
	int vc_lesson;
	bool *let_ready;
	int nlet;
	/* For tests (CONVGRAD_TEST_BG_PACE=MS): the worker waits MS ms at
	 * each progress report, still answering cancel within a millisecond,
	 * so that a verification runs for minutes however fast the machine
	 * and the verifier are. 0: no wait. */
	long pace_ms;
};


void
tutor_bg_pace(long ms, const atomic_bool *cancel)
{
	struct timespec one = { 0, 1000000 };
	long i;

	for (i = 0; i < ms && !atomic_load(cancel); i++)
		nanosleep(&one, NULL);
}

static void
on_progress(void *ud, size_t done, size_t total)
{
	tutor_bg_t *bg = ud;

	atomic_store(&bg->done, done);
	atomic_store(&bg->total, total);
	tutor_bg_pace(bg->pace_ms, &bg->cancel);
}

long
tutor_bg_test_pace(void)
{
	const char *v = getenv("CONVGRAD_TEST_BG_PACE");
	char *end;
	long ms;

	if (v == NULL || *v == '\0')
		return 0;
	errno = 0;
	ms = strtol(v, &end, 10);
	return errno == 0 && *end == '\0' && ms > 0 && ms <= 600000 ? ms : 0;
}

static bool
on_cancelled(void *ud)
{
	tutor_bg_t *bg = ud;

	return atomic_load(&bg->cancel);
}

static void
job_clear(bg_job_t *j)
{
	free(j->want);
	memset(j, 0, sizeof *j);
}

/* ---- the worker ---- */

/* Make the world lesson `lesson` at shape s. 0, or -1 with *err. */
static int
world_ensure(tutor_bg_t *bg, int lesson, int nclaims, const conv_shape_t *s,
    char **err)
{
	if (bg->vc != NULL && !conv_shape_equal(verify_ctx_shape(bg->vc), s)) {
		verify_ctx_free(bg->vc);
		bg->vc = NULL;
	}
	if (bg->vc == NULL) {
		bg->vc = verify_ctx_create(s, &bg->opts, err);
		if (bg->vc == NULL)
			return -1;
		bg->vc_lesson = -1;
	}
	if (bg->vc_lesson != lesson || bg->nlet != nclaims) {
		verify_ctx_clear_lets(bg->vc);
		free(bg->let_ready);
		bg->let_ready = xcalloc((size_t)nclaims + 1, sizeof *bg->let_ready);
		bg->nlet = nclaims;
		bg->vc_lesson = lesson;
	}
	return 0;
}

/* Hand a result over. */
static void
publish(tutor_bg_t *bg, const tutor_bg_done_t *d)
{
	bg_result_t *r = xcalloc(1, sizeof *r);

	r->d = *d;
	pthread_mutex_lock(&bg->mu);
	if (bg->tail != NULL)
		bg->tail->next = r;
	else
		bg->head = r;
	bg->tail = r;
	pthread_mutex_unlock(&bg->mu);
}

/* Run claim k of job j (a copy) in the world and publish it. false if it
 * was cancelled. */
static bool
run_one(tutor_bg_t *bg, const bg_job_t *j, int k)
{
	tutor_bg_done_t d;
	const claim_t *c = j->claims[k];

	memset(&d, 0, sizeof d);
	d.lesson = j->lesson;
	d.k = k;
	d.shape = j->shape;
	pthread_mutex_lock(&bg->mu);
	bg->run_k = k;
	pthread_mutex_unlock(&bg->mu);
	atomic_store(&bg->done, 0);
	atomic_store(&bg->total, 0);
	if (world_ensure(bg, j->lesson, j->nclaims, &j->shape, &d.error) != 0) {
		publish(bg, &d);
		return true;
	}
	if (verify_claim(bg->vc, c, &d.result, &d.error) != 0) {
		verify_result_clear(&d.result);
		memset(&d.result, 0, sizeof d.result);
		if (d.error == NULL)
			d.error = xstrdup("cannot be checked");
	}
	if (c->kind == CLAIM_LET && d.error == NULL &&
	    d.result.verdict != VERDICT_CANCELLED)
		bg->let_ready[k] = true;
	publish(bg, &d);
	return d.result.verdict != VERDICT_CANCELLED || d.error != NULL;
}

/* Claim k and the lets before it that the world lacks. */
static void
run_with_lets(tutor_bg_t *bg, const bg_job_t *j, int k)
{
	int i;

	if (world_ensure(bg, j->lesson, j->nclaims, &j->shape, NULL) == 0)
		for (i = 0; i < k; i++)
			if (j->claims[i]->kind == CLAIM_LET && !bg->let_ready[i] &&
			    !run_one(bg, j, i))
				return;
	run_one(bg, j, k);
}

/* Take the next wanted claim under mu: true with *job (its lesson,
 * claims, shape) and *k set. */
static bool
take_work(tutor_bg_t *bg, bg_job_t *job, int *k)
{
	bg_job_t *q = &bg->job;

	if (q->want == NULL || q->next >= q->nwant)
		return false;
	*job = *q;
	job->want = NULL;
	*k = q->want[q->next++];
	bg->run_lesson = q->lesson;
	bg->run_shape = q->shape;
	bg->run_want = bg->run_k = *k;
	atomic_store(&bg->cancel, false);
	return true;
}

/* Nice is per thread on Linux; OpenMP threads the worker starts inherit
 * it. */
void
tutor_bg_lower_priority(void)
{
#ifdef SYS_gettid
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
#endif
}

/* A stack for signal handlers, so that the interface's handler for a
 * fatal signal (which restores the terminal) can run even when this
 * thread overflowed its own stack. Left to the thread's end. */
void *
tutor_bg_alt_stack(void)
{
	stack_t ss;

	memset(&ss, 0, sizeof ss);
	ss.ss_size = 64 * 1024;
	ss.ss_sp = malloc(ss.ss_size);
	if (ss.ss_sp != NULL && sigaltstack(&ss, NULL) != 0) {
		free(ss.ss_sp);
		return NULL;
	}
	return ss.ss_sp;
}

static void *
worker(void *arg)
{
	tutor_bg_t *bg = arg;
	void *stack = tutor_bg_alt_stack();

	tutor_bg_lower_priority();
	pthread_mutex_lock(&bg->mu);
	while (!bg->stop) {
		bg_job_t job;
		int k;

		if (!take_work(bg, &job, &k)) {
			bg->run_k = bg->run_want = -1;
			pthread_cond_wait(&bg->wake, &bg->mu);
			continue;
		}
		pthread_mutex_unlock(&bg->mu);
		run_with_lets(bg, &job, k);
		pthread_mutex_lock(&bg->mu);
		bg->run_k = bg->run_want = -1;
	}
	bg->has_ended = true;
	pthread_cond_broadcast(&bg->ended);
	pthread_mutex_unlock(&bg->mu);
	tutor_bg_alt_stack_free(stack);
	return NULL;
}

void
tutor_bg_alt_stack_free(void *stack)
{
	stack_t off = { .ss_flags = SS_DISABLE };

	if (stack == NULL)
		return;
	sigaltstack(&off, NULL);
	free(stack);
}

/* The signals go to the interface thread, whose wait for a key they
 * interrupt at once. */
int
tutor_bg_thread(pthread_t *th, void *(*fn)(void *), void *arg)
{
	static const int faults[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
	    SIGTRAP, SIGSYS };
	sigset_t all, old;
	size_t i;
	int rc;

	sigfillset(&all);
	for (i = 0; i < sizeof faults / sizeof faults[0]; i++)
		sigdelset(&all, faults[i]);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(th, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* ---- the interface's side ---- */

tutor_bg_t *
tutor_bg_create(const verify_opts_t *o, char **err)
{
	tutor_bg_t *bg = xcalloc(1, sizeof *bg);
	int rc;

	bg->opts = *o;
	bg->opts.progress = on_progress;
	bg->opts.cancelled = on_cancelled;
	bg->opts.ud = bg;
	bg->run_k = bg->run_want = -1;
	bg->vc_lesson = -1;
	bg->pace_ms = tutor_bg_test_pace();
	atomic_init(&bg->cancel, false);
	atomic_init(&bg->done, 0);
	atomic_init(&bg->total, 0);
	pthread_mutex_init(&bg->mu, NULL);
	pthread_cond_init(&bg->wake, NULL);
	pthread_cond_init(&bg->ended, NULL);
	rc = tutor_bg_thread(&bg->thread, worker, bg);
	if (rc != 0) {
		pthread_cond_destroy(&bg->ended);
		pthread_cond_destroy(&bg->wake);
		pthread_mutex_destroy(&bg->mu);
		free(bg);
		set_error(err, "cannot start the verification thread: %s",
		    strerror(rc));
		return NULL;
	}
	return bg;
}

static void
results_free(bg_result_t *r)
{
	while (r != NULL) {
		bg_result_t *next = r->next;

		verify_result_clear(&r->d.result);
		free(r->d.error);
		free(r);
		r = next;
	}
}

bool
tutor_bg_wait_flag(pthread_cond_t *cond, pthread_mutex_t *mu,
    const bool *flag, int wait_ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (!*flag && pthread_cond_timedwait(cond, mu, &until) != ETIMEDOUT)
		;
	return *flag;
}

bool
tutor_bg_free(tutor_bg_t *bg, int wait_ms)
{
	bool ended;

	if (bg == NULL)
		return true;
	pthread_mutex_lock(&bg->mu);
	bg->stop = true;
	atomic_store(&bg->cancel, true);
	pthread_cond_broadcast(&bg->wake);
	ended = tutor_bg_wait_flag(&bg->ended, &bg->mu, &bg->has_ended, wait_ms);
	pthread_mutex_unlock(&bg->mu);
	if (!ended) {
		pthread_detach(bg->thread);
		return false;
	}
	pthread_join(bg->thread, NULL);
	results_free(bg->head);
	job_clear(&bg->job);
	verify_ctx_free(bg->vc);
	free(bg->let_ready);
	pthread_cond_destroy(&bg->ended);
	pthread_cond_destroy(&bg->wake);
	pthread_mutex_destroy(&bg->mu);
	free(bg);
	return true;
}

static bool
wants(const int *want, int n, int k)
{
	int i;

	for (i = 0; i < n; i++)
		if (want[i] == k)
			return true;
	return false;
}

void
tutor_bg_submit(tutor_bg_t *bg, int lesson, claim_t *const *claims,
    int nclaims, const conv_shape_t *s, const int *want, int nwant)
{
	bg_job_t *q = &bg->job;
	int i;

	assert(nwant >= 0 && nclaims >= 0);
	pthread_mutex_lock(&bg->mu);
	job_clear(q);
	q->lesson = lesson;
	q->claims = claims;
	q->nclaims = nclaims;
	q->shape = *s;
	q->want = xcalloc((size_t)nwant + 1, sizeof *q->want);
	for (i = 0; i < nwant; i++) {
		assert(want[i] >= 0 && want[i] < nclaims);
		/* The claim running now, if wanted again, goes on: not twice
		 * (unless it is being cancelled: then it is queued anew). */
		if (bg->run_want >= 0 && !atomic_load(&bg->cancel) &&
		    bg->run_lesson == lesson && bg->run_want == want[i] &&
		    conv_shape_equal(&bg->run_shape, s))
			continue;
		q->want[q->nwant++] = want[i];
	}
	if (bg->run_want >= 0 && (bg->run_lesson != lesson ||
	    !conv_shape_equal(&bg->run_shape, s) || !wants(want, nwant, bg->run_want)))
		atomic_store(&bg->cancel, true);
	pthread_cond_signal(&bg->wake);
	pthread_mutex_unlock(&bg->mu);
}

void
tutor_bg_cancel(tutor_bg_t *bg)
{
	pthread_mutex_lock(&bg->mu);
	job_clear(&bg->job);
	if (bg->run_want >= 0)
		atomic_store(&bg->cancel, true);
	pthread_mutex_unlock(&bg->mu);
}

bool
tutor_bg_take(tutor_bg_t *bg, tutor_bg_done_t *d)
{
	bg_result_t *r;

	pthread_mutex_lock(&bg->mu);
	r = bg->head;
	if (r != NULL) {
		bg->head = r->next;
		if (bg->head == NULL)
			bg->tail = NULL;
	}
	pthread_mutex_unlock(&bg->mu);
	if (r == NULL)
		return false;
	*d = r->d;
	free(r);
	return true;
}

void
tutor_bg_status(tutor_bg_t *bg, tutor_bg_status_t *st)
{
	bool cancelling;

	pthread_mutex_lock(&bg->mu);
	st->lesson = bg->run_lesson;
	st->k = bg->run_k;
	st->queued = bg->job.want != NULL ? bg->job.nwant - bg->job.next : 0;
	/* A claim told to cancel is over as far as the interface goes, even
	 * while the worker (below the interface's priority, on a loaded
	 * machine) has yet to reach its next poll: what comes next is shown
	 * instead, not started yet. */
	cancelling = st->k >= 0 && atomic_load(&bg->cancel);
	if (cancelling) {
		st->k = -1;
		if (st->queued > 0) {
			st->lesson = bg->job.lesson;
			st->k = bg->job.want[bg->job.next];
			st->queued--;
		}
	}
	pthread_mutex_unlock(&bg->mu);
	st->done = cancelling ? 0 : atomic_load(&bg->done);
	st->total = cancelling ? 0 : atomic_load(&bg->total);
}

bool
tutor_bg_pending(tutor_bg_t *bg, int lesson, int k, const conv_shape_t *s)
{
	bool p = false;
	int i;

	pthread_mutex_lock(&bg->mu);
	if (bg->run_want == k && !atomic_load(&bg->cancel) &&
	    bg->run_lesson == lesson && conv_shape_equal(&bg->run_shape, s))
		p = true;
	else if (bg->job.want != NULL && bg->job.lesson == lesson &&
	    conv_shape_equal(&bg->job.shape, s))
		for (i = bg->job.next; i < bg->job.nwant && !p; i++)
			p = bg->job.want[i] == k;
	pthread_mutex_unlock(&bg->mu);
	return p;
}
