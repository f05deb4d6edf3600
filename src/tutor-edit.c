/*
 * tutor-edit.c: the claim editor, `w`, the shrinking of `c` (tutor-edit.h).
 *
 * Two halves: the editor's worker thread (a short queue of jobs, one per
 * slot, run one at a time with a cancel flag the verifier polls), and the
 * state the interface thread keeps (the line, your claim, its live check,
 * the results taken from the worker). The interface never waits for the
 * worker: it submits, polls, and cancels.
 */
#include "config.h"

#include "tutor-edit.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tutor-bg.h"
#include "tutor-progress.h"
#include "util.h"

/* ---- the worker ---- */

typedef enum ed_slot { SLOT_CLAIM, SLOT_SHRINK, SLOT_LETS, NSLOTS } ed_slot_t;
typedef enum ed_kind { JOB_VERIFY, JOB_JUDGE, JOB_SHRINK, JOB_LETS } ed_kind_t;

typedef struct ed_job {
	ed_kind_t kind;
	ed_slot_t slot;
	unsigned gen;               /* the slot's generation when submitted */
	const lesson_t *l;          /* read only, outlives the worker */
	claim_t *claim;             /* owned: a typed claim, or NULL */
	const claim_t *lclaim;      /* a lesson's claim (not owned), or NULL */
	conv_shape_t shape;         /* verified at, shrunk from */
	char *answer, *text;        /* JOB_JUDGE: owned */
	/* The outcome. */
	int rc;
	char *err;
	verify_result_t r;
	bool has_r;
	exercise_verdict_t v;
	char *shrink_text;
	tutor_lets_done_t lets;     /* JOB_LETS: the world and the lets */
	bool cancelled;
	struct ed_job *next;
} ed_job_t;

struct tutor_ed_worker {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake, ended;
	bool stop, has_ended;
	ed_job_t *queue;            /* waiting, oldest first (under mu) */
	ed_job_t *running;          /* (under mu) */
	ed_job_t *done;             /* finished, oldest first (under mu) */
	atomic_bool cancel;
	atomic_size_t ndone, ntotal;
	verify_opts_t opts;
	long pace_ms;               /* CONVGRAD_TEST_BG_PACE, as tutor-bg.c */
	unsigned gen[NSLOTS];       /* the interface's (its thread only) */
};

static void
job_free(ed_job_t *j)
{
	if (j == NULL)
		return;
	claim_free(j->claim);
	free(j->answer);
	free(j->text);
	free(j->err);
	if (j->has_r)
		verify_result_clear(&j->r);
	exercise_verdict_clear(&j->v);
	free(j->shrink_text);
	tutor_lets_done_clear(&j->lets);
	free(j);
}

static void
jobs_free(ed_job_t *j)
{
	while (j != NULL) {
		ed_job_t *next = j->next;

		job_free(j);
		j = next;
	}
}

static void
on_progress(void *ud, size_t done, size_t total)
{
	tutor_ed_worker_t *w = ud;

	atomic_store(&w->ndone, done);
	atomic_store(&w->ntotal, total);
	tutor_bg_pace(w->pace_ms, &w->cancel);
}

static bool
on_cancelled(void *ud)
{
	tutor_ed_worker_t *w = ud;

	return atomic_load(&w->cancel);
}

/* An exercise answer refused at some shape: the counterexample at the
 * shape the tutor shows, for c (when it fails there too). */
static void
judge_cex(tutor_ed_worker_t *w, ed_job_t *j)
{
	claim_t *c;
	char *err = NULL;

	if (j->v.outcome != EXERCISE_REFUSED || j->v.shape_index < 0)
		return;
	c = claim_parse(j->text, "claim", 1, 1, j->l->scope, &err);
	if (c != NULL && shrink_verify_at(j->l, c, &j->shape, &w->opts, &j->r,
	    &err) == 0)
		j->has_r = true;
	free(err);
	claim_free(c);
}

/* "fails already at ..." or why not, into j->shrink_text. */
static void
run_shrink(tutor_ed_worker_t *w, ed_job_t *j)
{
	const claim_t *c = j->claim != NULL ? j->claim : j->lclaim;
	shrink_result_t sr;
	char buf[256];

	j->rc = shrink_claim(j->l, c, &j->shape, &w->opts, 0, &sr, &j->err);
	if (j->rc == 1) {
		j->shrink_text = xstrdup("it does not fail at this shape: "
		    "nothing to shrink");
	} else if (j->rc == 0 && !sr.shrunk) {
		char *s = shrink_str(c, &sr);

		j->shrink_text = xasprintf("no smaller shape fails (%d tried): "
		    "%s", sr.tries, s + strlen("fails already at "));
		free(s);
	} else if (j->rc == 0) {
		char *s = shrink_str(c, &sr);

		j->shrink_text = sr.exhausted ? xasprintf("%s (stopped after %d "
		    "shapes: maybe not the smallest)", s, sr.tries) : xstrdup(s);
		free(s);
	}
	if (j->rc == 0)
		shrink_result_clear(&sr);
	(void)buf;
}

/* JOB_LETS: a world of the job's own at its shape, and every let among
 * the lesson's first `upto` claims evaluated into it, in lesson order. */
static void
run_lets(tutor_ed_worker_t *w, ed_job_t *j)
{
	tutor_lets_done_t *d = &j->lets;
	int k;

	d->vc = verify_ctx_create(&j->shape, &w->opts, &d->error);
	if (d->vc == NULL)
		return;
	for (k = 0; k < d->upto; k++) {
		if (d->claims[k]->kind != CLAIM_LET)
			continue;
		if (verify_claim(d->vc, d->claims[k], &d->r[k], &d->err[k]) != 0) {
			memset(&d->r[k], 0, sizeof d->r[k]);
			if (d->err[k] == NULL)
				d->err[k] = xstrdup("cannot be evaluated");
			return;     /* the lets after it may read it */
		}
		d->have[k] = true;
		if (d->r[k].verdict == VERDICT_CANCELLED) {
			d->cancelled = j->cancelled = true;
			return;
		}
	}
}

static void
run_job(tutor_ed_worker_t *w, ed_job_t *j)
{
	switch (j->kind) {
	case JOB_VERIFY:
		j->rc = shrink_verify_at(j->l, j->claim, &j->shape, &w->opts,
		    &j->r, &j->err);
		j->has_r = true;
		if (j->rc == 0 && j->r.verdict == VERDICT_CANCELLED)
			j->cancelled = true;
		break;
	case JOB_JUDGE:
		j->rc = exercise_judge(j->l, j->answer, j->text, &w->opts, &j->v,
		    &j->err);
		if (j->rc == 0 && j->v.outcome == EXERCISE_CANCELLED)
			j->cancelled = true;
		else if (j->rc == 0)
			judge_cex(w, j);
		break;
	case JOB_SHRINK:
		run_shrink(w, j);
		if (j->rc < 0 && atomic_load(&w->cancel))
			j->cancelled = true;
		break;
	case JOB_LETS:
		run_lets(w, j);
		break;
	}
}

static void *
worker_main(void *arg)
{
	tutor_ed_worker_t *w = arg;
	void *stack = tutor_bg_alt_stack();

	tutor_bg_lower_priority();
	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		ed_job_t *j = w->queue, **tail;

		if (j == NULL) {
			pthread_cond_wait(&w->wake, &w->mu);
			continue;
		}
		w->queue = j->next;
		j->next = NULL;
		w->running = j;
		atomic_store(&w->cancel, false);
		atomic_store(&w->ndone, 0);
		atomic_store(&w->ntotal, 0);
		pthread_mutex_unlock(&w->mu);
		run_job(w, j);
		pthread_mutex_lock(&w->mu);
		w->running = NULL;
		for (tail = &w->done; *tail != NULL; tail = &(*tail)->next)
			;
		*tail = j;
	}
	w->has_ended = true;
	pthread_cond_broadcast(&w->ended);
	pthread_mutex_unlock(&w->mu);
	tutor_bg_alt_stack_free(stack);
	return NULL;
}

static tutor_ed_worker_t *
worker_create(const verify_opts_t *o, char **err)
{
	tutor_ed_worker_t *w = xcalloc(1, sizeof *w);
	int rc;

	w->opts = *o;
	w->opts.progress = on_progress;
	w->opts.cancelled = on_cancelled;
	w->opts.ud = w;
	w->opts.cancel = NULL;
	w->pace_ms = tutor_bg_test_pace();
	atomic_init(&w->cancel, false);
	atomic_init(&w->ndone, 0);
	atomic_init(&w->ntotal, 0);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->wake, NULL);
	pthread_cond_init(&w->ended, NULL);
	rc = tutor_bg_thread(&w->thread, worker_main, w);
	if (rc != 0) {
		pthread_cond_destroy(&w->ended);
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->mu);
		free(w);
		set_error(err, "cannot start the editor's verification thread: %s",
		    strerror(rc));
		return NULL;
	}
	return w;
}

/* Stop: cancel, wait up to wait_ms. false: still running (left to exit). */
static bool
worker_free(tutor_ed_worker_t *w, int wait_ms)
{
	bool ended;

	if (w == NULL)
		return true;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	atomic_store(&w->cancel, true);
	pthread_cond_broadcast(&w->wake);
	ended = tutor_bg_wait_flag(&w->ended, &w->mu, &w->has_ended, wait_ms);
	pthread_mutex_unlock(&w->mu);
	if (!ended) {
		pthread_detach(w->thread);
		return false;
	}
	pthread_join(w->thread, NULL);
	jobs_free(w->queue);
	jobs_free(w->done);
	pthread_cond_destroy(&w->ended);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->mu);
	free(w);
	return true;
}

/* Drop the slot's waiting job and cancel its running one; a result of the
 * slot that comes in later is ignored (its generation is old). */
static void
worker_cancel(tutor_ed_worker_t *w, ed_slot_t slot)
{
	ed_job_t **p;

	w->gen[slot]++;
	pthread_mutex_lock(&w->mu);
	for (p = &w->queue; *p != NULL;) {
		if ((*p)->slot == slot) {
			ed_job_t *j = *p;

			*p = j->next;
			job_free(j);
		} else
			p = &(*p)->next;
	}
	if (w->running != NULL && w->running->slot == slot)
		atomic_store(&w->cancel, true);
	pthread_mutex_unlock(&w->mu);
}

/* Queue j (the worker owns it from now), replacing the slot's job. */
static void
worker_submit(tutor_ed_worker_t *w, ed_job_t *j)
{
	ed_job_t **tail;

	worker_cancel(w, j->slot);
	j->gen = w->gen[j->slot];
	pthread_mutex_lock(&w->mu);
	/* the lets go first: the lesson's panes and live values wait for
	 * them, a typed claim's verification over every tuple does not */
	for (tail = &w->queue; *tail != NULL && j->slot != SLOT_LETS;
	    tail = &(*tail)->next)
		;
	j->next = *tail;
	*tail = j;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->mu);
}

/* A finished job of a current generation, or NULL (stale ones freed). */
static ed_job_t *
worker_take(tutor_ed_worker_t *w)
{
	ed_job_t *j;

	for (;;) {
		pthread_mutex_lock(&w->mu);
		j = w->done;
		if (j != NULL)
			w->done = j->next;
		pthread_mutex_unlock(&w->mu);
		if (j == NULL || j->gen == w->gen[j->slot])
			return j;
		job_free(j);
	}
}

/* Is a job of the slot queued or running (and not cancelled)? */
static bool
worker_busy(tutor_ed_worker_t *w, int slot, size_t *done, size_t *total)
{
	ed_job_t *j;
	bool busy = false;

	if (w == NULL)
		return false;
	pthread_mutex_lock(&w->mu);
	if (w->running != NULL && !atomic_load(&w->cancel) &&
	    (slot < 0 || (int)w->running->slot == slot)) {
		busy = true;
		if (done != NULL)
			*done = atomic_load(&w->ndone);
		if (total != NULL)
			*total = atomic_load(&w->ntotal);
	}
	for (j = w->queue; j != NULL && !busy; j = j->next)
		if (slot < 0 || (int)j->slot == slot) {
			busy = true;
			if (done != NULL)
				*done = 0;
			if (total != NULL)
				*total = 0;
		}
	pthread_mutex_unlock(&w->mu);
	return busy;
}

/* ---- paths ---- */

static char *
xdg_path(const char *var, const char *fallback, const char *file)
{
	const char *x = getenv(var), *h = getenv("HOME");

	if (x != NULL && x[0] == '/')
		return xasprintf("%s/convgrad/%s", x, file);
	if (h != NULL && h[0] != '\0')
		return xasprintf("%s/%s/convgrad/%s", h, fallback, file);
	return NULL;
}

char *
tutor_ed_mine_path(void)
{
	return xdg_path("XDG_DATA_HOME", ".local/share", "mine.md");
}

char *
tutor_ed_history_path(void)
{
	return xdg_path("XDG_STATE_HOME", ".local/state", "history");
}

/* Write data to path through a temporary file renamed over it, every
 * write checked and synced. 0, or -1 with *err naming the file. */
static int
write_atomic(const char *path, const char *data, char **err)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	size_t len = strlen(data);
	FILE *f;
	int bad;

	if (util_make_parents(path) != 0) {
		set_error(err, "%s: cannot make its directory: %s", path,
		    strerror(errno));
		free(tmp);
		return -1;
	}
	f = fopen(tmp, "w");
	bad = f == NULL;
	if (!bad)
		bad = fwrite(data, 1, len, f) != len || fflush(f) != 0 ||
		    fsync(fileno(f)) != 0;
	if (f != NULL && fclose(f) != 0)
		bad = 1;
	if (!bad && rename(tmp, path) != 0)
		bad = 1;
	if (bad) {
		set_error(err, "%s: cannot write: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return bad ? -1 : 0;
}

/* ---- the state ---- */

static void
mine_clear(tutor_ed_claim_t *m)
{
	free(m->text);
	claim_free(m->claim);
	free(m->live.finding);
	free(m->live_err);
	free(m->run_err);
	if (m->has_result)
		verify_result_clear(&m->result);
	exercise_verdict_clear(&m->verdict);
	memset(m, 0, sizeof *m);
	m->lesson = m->step = m->exercise = -1;
}

static void
shrink_clear(tutor_ed_shrink_t *s)
{
	free(s->text);
	memset(s, 0, sizeof *s);
	s->lesson = s->k = -1;
}

tutor_ed_t *
tutor_ed(tutor_t *t)
{
	tutor_ed_t *ed = t->ed;

	if (ed != NULL)
		return ed;
	ed = t->ed = xcalloc(1, sizeof *ed);
	ed->le = lineedit_create();
	ed->hist_path = tutor_ed_history_path();
	ed->mine_path = tutor_ed_mine_path();
	ed->scope_lesson = ed->scope_step = -1;
	ed->opts = t->opts;
	ed->opts.progress = NULL;
	ed->opts.cancelled = NULL;
	ed->opts.cancel = NULL;
	mine_clear(&ed->mine);
	shrink_clear(&ed->shrink);
	return ed;
}

bool
tutor_ed_stop(tutor_ed_t *ed, int wait_ms)
{
	if (ed == NULL || ed->worker == NULL)
		return true;
	if (!worker_free(ed->worker, wait_ms))
		return false;
	ed->worker = NULL;
	return true;
}

void
tutor_ed_free(tutor_ed_t *ed)
{
	int i;

	if (ed == NULL)
		return;
	assert(ed->worker == NULL);
	lineedit_free(ed->le);
	free(ed->hist_path);
	free(ed->mine_path);
	free(ed->syntax);
	expr_scope_free(ed->scope);
	mine_clear(&ed->mine);
	shrink_clear(&ed->shrink);
	for (i = 0; i < ed->nsteps; i++)
		free(ed->steps[i].solved);
	free(ed->steps);
	free(ed);
}

/* The worker, started on first use. NULL (and the message said) if it
 * cannot start. */
static tutor_ed_worker_t *
ed_worker(tutor_t *t)
{
	tutor_ed_t *ed = tutor_ed(t);
	char *err = NULL;

	if (ed->worker == NULL) {
		ed->worker = worker_create(&ed->opts, &err);
		if (ed->worker == NULL) {
			tutor_message(t, "%s", err);
			free(err);
		}
	}
	return ed->worker;
}

bool
tutor_ed_shown(const tutor_t *t)
{
	return t->ed != NULL && t->ed->open;
}

bool
tutor_ed_wants(const tutor_t *t, int key)
{
	return key != TK_RESIZE && t->screen == SCR_LESSON && t->ed != NULL &&
	    t->ed->open && t->ed->typing;
}

/* The lets of lesson l's steps 0..step, parsed again into a scope of the
 * editor's own. */
static expr_scope_t *
step_scope(const lesson_t *l, int step)
{
	expr_scope_t *sc = expr_scope_create();
	int s, k;

	for (s = 0; s <= step && s < l->nsteps; s++)
		for (k = 0; k < l->steps[s].nclaims; k++) {
			const claim_t *c = l->steps[s].claims[k];
			char *err = NULL;

			if (c->kind == CLAIM_LET)
				claim_free(claim_parse(c->text, c->file, c->line,
				    c->col, sc, &err));
			free(err);
		}
	return sc;
}

/* The names Tab completes: the tensors, the step's lets, the shape's
 * constants. */
static void
set_names(tutor_ed_t *ed, const lesson_t *l, int step)
{
	static const char *const fixed[] = {
		"input", "weight", "bias", "output", "df", "input_nhwc",
		"filter_hwio", "output_nhwc",
		"N", "C_in", "C_out", "H_in", "W_in", "H_out", "W_out", "R", "S",
		"strh", "strw", "pad_h", "pad_w", "dil_h", "dil_w", "groups",
	};
	const char **names;
	int n = 0, s, k, nfixed = (int)(sizeof fixed / sizeof fixed[0]);
	int cap = nfixed + 1;

	for (s = 0; s <= step && s < l->nsteps; s++)
		cap += l->steps[s].nclaims;
	names = xcalloc((size_t)cap, sizeof *names);
	for (k = 0; k < nfixed; k++)
		names[n++] = fixed[k];
	for (s = 0; s <= step && s < l->nsteps; s++)
		for (k = 0; k < l->steps[s].nclaims; k++) {
			const claim_t *c = l->steps[s].claims[k];

			if (c->kind == CLAIM_LET && c->lhs != NULL &&
			    c->lhs->kind == EX_ACCESS)
				names[n++] = c->lhs->u.access.tensor;
		}
	lineedit_set_names(ed->le, names, n);
	free(names);
}

/* The scope and the names for the current step. */
static void
ensure_scope(tutor_t *t)
{
	tutor_ed_t *ed = tutor_ed(t);
	tutor_lesson_t *tl = tutor_cur_lesson(t);

	if (tl == NULL || (ed->scope != NULL && ed->scope_lesson == t->lesson &&
	    ed->scope_step == t->step))
		return;
	expr_scope_free(ed->scope);
	ed->scope = step_scope(tl->lesson, t->step);
	ed->scope_lesson = t->lesson;
	ed->scope_step = t->step;
	set_names(ed, tl->lesson, t->step);
}

static void
load_history(tutor_t *t)
{
	tutor_ed_t *ed = tutor_ed(t);
	char *err = NULL;

	if (ed->hist_loaded || ed->hist_path == NULL)
		return;
	ed->hist_loaded = true;
	if (lineedit_history_load(ed->le, ed->hist_path, &err) != 0) {
		tutor_message(t, "%s", err);
		free(err);
	}
}

void
tutor_ed_open(tutor_t *t)
{
	tutor_ed_t *ed = tutor_ed(t);

	if (tutor_cur_step(t) == NULL)
		return;
	load_history(t);
	ensure_scope(t);
	if (!ed->open && ed->mine.text == NULL)
		lineedit_set(ed->le, "");
	else if (!ed->typing && ed->mine.text != NULL && ed->syntax == NULL)
		lineedit_set(ed->le, ed->mine.text);
	ed->open = true;
	ed->typing = true;
	ed->npend = 0;
}

void
tutor_ed_close(tutor_t *t)
{
	tutor_ed_t *ed = t->ed;

	if (ed == NULL || !ed->open)
		return;
	if (ed->worker != NULL) {
		worker_cancel(ed->worker, SLOT_CLAIM);
		if (ed->shrink.typed)
			worker_cancel(ed->worker, SLOT_SHRINK);
	}
	if (ed->mine.run == EDR_RUNNING) {
		ed->mine.run = EDR_CANCELLED;
		tutor_message(t, "your claim's verification cancelled");
	}
	if (ed->shrink.typed)
		shrink_clear(&ed->shrink);
	ed->open = ed->typing = false;
	free(ed->syntax);
	ed->syntax = NULL;
	mine_clear(&ed->mine);
	lineedit_set(ed->le, "");
}

/* ---- Enter ---- */

static bool
is_let(const char *text)
{
	text += strspn(text, " \t");
	return strncmp(text, "let", 3) == 0 &&
	    (text[3] == '\0' || isspace((unsigned char)text[3]));
}

/* The parser's message: its first line without "claim:1:COL: ", and the
 * column (1-based) into *col. */
static char *
syntax_message(const char *msg, long *col)
{
	const char *p = msg, *nl;
	char *end;

	*col = 0;
	if (strncmp(p, "claim:1:", 8) == 0) {
		*col = strtol(p + 8, &end, 10);
		if (*end == ':')
			p = end + 1;
		p += strspn(p, " ");
	}
	nl = strchr(p, '\n');
	return nl != NULL ? xstrndup(p, (size_t)(nl - p)) : xstrdup(p);
}

static void
syntax_error(tutor_t *t, const char *text, const char *msg, long col)
{
	tutor_ed_t *ed = tutor_ed(t);

	free(ed->syntax);
	ed->syntax = xstrdup(msg);
	ed->syntax_at = col > 0 ? col - 1 : -1;
	lineedit_set(ed->le, text);     /* the text stays, for editing, */
	if (col > 0)                    /* the cursor where it went wrong */
		lineedit_set_cursor(ed->le, (size_t)(col - 1));
}

/* Hand your claim to the worker: verified at the lesson's shape, or
 * judged when it answers an exercise. */
static void submit_mine(tutor_t *t);

static void
accept_claim(tutor_t *t, char *text, claim_t *c)
{
	tutor_ed_t *ed = tutor_ed(t);
	tutor_lesson_t *tl = tutor_cur_lesson(t);

	if (ed->worker != NULL)
		worker_cancel(ed->worker, SLOT_CLAIM);
	if (ed->shrink.typed) {
		if (ed->worker != NULL)
			worker_cancel(ed->worker, SLOT_SHRINK);
		shrink_clear(&ed->shrink);
	}
	mine_clear(&ed->mine);
	ed->mine.text = text;
	ed->mine.claim = c;
	ed->mine.lesson = t->lesson;
	ed->mine.step = t->step;
	ed->mine.shape = tl->shape;
	ed->mine.exercise = tutor_ed_nexercises(t) > 0 ? tutor_ed_exercise(t) :
	    -1;
	ed->typing = false;
	submit_mine(t);
	tutor_message(t, NULL);
}

static void
enter(tutor_t *t)
{
	tutor_ed_t *ed = tutor_ed(t);
	char *text, *err = NULL, *msg;
	claim_t *c;
	long col;

	if (lineedit_text(ed->le)[strspn(lineedit_text(ed->le), " ")] == '\0') {
		tutor_message(t, "type a claim; Enter checks it, Esc closes");
		return;
	}
	text = lineedit_accept(ed->le);
	if (ed->hist_path != NULL &&
	    lineedit_history_save(ed->le, ed->hist_path, &err) != 0) {
		/* the directory may be missing: make it once, then say */
		free(err);
		err = NULL;
		if (util_make_parents(ed->hist_path) != 0 ||
		    lineedit_history_save(ed->le, ed->hist_path, &err) != 0) {
			tutor_message(t, "%s", err != NULL ? err :
			    "cannot make the history's directory");
			free(err);
			err = NULL;
		}
	}
	free(ed->syntax);
	ed->syntax = NULL;
	if (is_let(text)) {
		syntax_error(t, text, "a let defines a tensor; the editor checks "
		    "a claim (FORMULA = FORMULA, or d ... / d ... = ...)", 0);
		free(text);
		return;
	}
	ensure_scope(t);
	c = claim_parse(text, "claim", 1, 1, ed->scope, &err);
	if (c == NULL) {
		msg = syntax_message(err, &col);
		syntax_error(t, text, msg, col);
		free(msg);
		free(err);
		free(text);
		return;
	}
	accept_claim(t, text, c);
}

/* The byte value of a key in 0x80..0xff: part of a UTF-8 character. */
static void
utf8_byte(tutor_ed_t *ed, int key)
{
	unsigned char b = (unsigned char)key;

	if ((b & 0xc0) != 0x80) {       /* a lead byte */
		ed->npend = 0;
		ed->pend_need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
		if (ed->pend_need == 0)
			return;
	} else if (ed->npend == 0)
		return;                 /* a stray continuation byte */
	ed->pend[ed->npend++] = (char)b;
	if (ed->npend == ed->pend_need) {
		char s[5];

		memcpy(s, ed->pend, (size_t)ed->npend);
		s[ed->npend] = '\0';
		lineedit_insert(ed->le, s);
		ed->npend = 0;
	}
}

/* Keys of the line: TK_* and the control keys readline users expect. */
static bool
edit_key(lineedit_t *le, int key)
{
	static const struct { int key; lineedit_key_t k; } map[] = {
		{ TK_LEFT, LE_LEFT }, { 2, LE_LEFT },           /* ^B */
		{ TK_RIGHT, LE_RIGHT }, { 6, LE_RIGHT },        /* ^F */
		{ TK_HOME, LE_HOME }, { 1, LE_HOME },           /* ^A */
		{ TK_END, LE_END }, { 5, LE_END },              /* ^E */
		{ TK_BACKSPACE, LE_BACKSPACE },
		{ TK_DELETE, LE_DELETE }, { 4, LE_DELETE },     /* ^D */
		{ 21, LE_KILL_LINE },                           /* ^U */
		{ 23, LE_KILL_WORD },                           /* ^W */
		{ TK_UP, LE_UP }, { 16, LE_UP },                /* ^P */
		{ TK_DOWN, LE_DOWN }, { 14, LE_DOWN },          /* ^N */
		{ TK_TAB, LE_TAB },
	};
	size_t i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].key == key) {
			lineedit_key(le, map[i].k);
			return true;
		}
	return false;
}

void
tutor_ed_key(tutor_t *t, int key)
{
	tutor_ed_t *ed = tutor_ed(t);

	if (key == TK_ESC) {
		tutor_ed_close(t);
		return;
	}
	if (key == TK_ENTER || key == '\r') {
		enter(t);
		return;
	}
	if (edit_key(ed->le, key))
		return;
	if (key >= 0x80 && key <= 0xff) {
		utf8_byte(ed, key);
		return;
	}
	if (key >= ' ' && key < 0x7f) {
		char s[2] = { (char)key, '\0' };

		if (!lineedit_insert(ed->le, s))
			tutor_message(t, "the line is at its longest (%d bytes)",
			    LINEEDIT_MAX);
	}
}

/* ---- your claim: verification, live check, results ---- */

/* Your claim parsed again, for a job of the worker to own (NULL only if
 * the scope changed under it). */
static claim_t *
parse_mine(tutor_ed_t *ed)
{
	char *err = NULL;
	claim_t *c = claim_parse(ed->mine.text, "claim", 1, 1, ed->scope, &err);

	free(err);
	return c;
}

/* A job of the current lesson at its shape, for the worker (NULL when it
 * cannot start, said on the status line). */
static ed_job_t *
job_new(tutor_t *t, ed_slot_t slot, ed_kind_t kind)
{
	tutor_lesson_t *tl = tutor_cur_lesson(t);
	ed_job_t *j;

	if (tl == NULL || ed_worker(t) == NULL)
		return NULL;
	j = xcalloc(1, sizeof *j);
	j->slot = slot;
	j->kind = kind;
	j->l = tl->lesson;
	j->shape = tl->shape;
	return j;
}

static void
submit_mine(tutor_t *t)
{
	tutor_ed_t *ed = tutor_ed(t);
	tutor_lesson_t *tl = tutor_cur_lesson(t);
	ed_job_t *j = job_new(t, SLOT_CLAIM, ed->mine.exercise >= 0 ?
	    JOB_JUDGE : JOB_VERIFY);

	if (j == NULL)
		return;
	j->shape = ed->mine.shape;
	if (j->kind == JOB_JUDGE) {
		j->answer = xstrdup(tl->lesson->steps[ed->mine.step]
		    .exercises[ed->mine.exercise].answer);
		j->text = xstrdup(ed->mine.text);
	} else {
		if ((j->claim = parse_mine(ed)) == NULL) {
			job_free(j);
			ed->mine.run = EDR_DONE;
			ed->mine.run_rc = -1;
			free(ed->mine.run_err);
			ed->mine.run_err = xstrdup("its lets are not in scope at this "
			    "step: e, then Enter, checks it here");
			return;
		}
	}
	ed->mine.run = EDR_RUNNING;
	worker_submit(ed->worker, j);
}

void
tutor_ed_update(tutor_t *t)
{
	tutor_ed_t *ed = t->ed;
	tutor_ed_claim_t *m;
	tutor_lesson_t *tl = tutor_cur_lesson(t);

	if (ed == NULL || !ed->open)
		return;
	m = &ed->mine;
	if (m->claim != NULL && m->lesson != t->lesson) {
		tutor_ed_close(t);      /* its lets are another lesson's */
		return;
	}
	if (m->claim != NULL && tl != NULL && m->exercise < 0 &&
	    !conv_shape_equal(&m->shape, &tl->shape)) {
		m->shape = tl->shape;   /* a new shape: verified there anew */
		if (m->has_result)
			verify_result_clear(&m->result);
		m->has_result = false;
		submit_mine(t);
	}
	free(m->live.finding);
	free(m->live_err);
	memset(&m->live, 0, sizeof m->live);
	m->live_err = NULL;
	m->live_valid = false;
	if (m->claim == NULL)
		return;
	m->live_rc = tutor_live_claim(t, m->claim, m->step, &m->live,
	    &m->live_err);
	m->live_valid = true;
}

/* A finished job into the state. */
static void
take_claim(tutor_ed_t *ed, ed_job_t *j)
{
	tutor_ed_claim_t *m = &ed->mine;

	if (j->cancelled) {
		m->run = EDR_CANCELLED;
		return;
	}
	m->run = EDR_DONE;
	m->run_rc = j->rc;
	free(m->run_err);
	m->run_err = j->err;
	j->err = NULL;
	if (m->has_result)
		verify_result_clear(&m->result);
	m->has_result = j->has_r && j->rc == 0;
	if (m->has_result) {
		m->result = j->r;
		j->has_r = false;
	}
	if (j->kind == JOB_JUDGE && j->rc == 0) {
		exercise_verdict_clear(&m->verdict);
		m->verdict = j->v;
		memset(&j->v, 0, sizeof j->v);
		m->judged = true;
	}
}

static void
take_shrink(tutor_ed_t *ed, ed_job_t *j)
{
	tutor_ed_shrink_t *s = &ed->shrink;

	free(s->text);
	s->text = NULL;
	if (j->cancelled) {
		s->run = EDR_CANCELLED;
		return;
	}
	s->run = EDR_DONE;
	s->failed = j->shrink_text == NULL;
	s->text = j->shrink_text != NULL ? j->shrink_text :
	    xasprintf("cannot shrink: %s", j->err != NULL ? j->err : "?");
	j->shrink_text = NULL;
}

static void exercise_result(tutor_t *t);

bool
tutor_ed_poll(tutor_t *t)
{
	tutor_ed_t *ed = t->ed;
	ed_job_t *j;
	bool changed;

	if (ed == NULL || ed->worker == NULL)
		return false;
	changed = worker_busy(ed->worker, -1, NULL, NULL);   /* progress */
	while ((j = worker_take(ed->worker)) != NULL) {
		if (j->slot == SLOT_CLAIM) {
			take_claim(ed, j);
			if (j->kind == JOB_JUDGE)
				exercise_result(t);
		} else if (j->slot == SLOT_LETS)
			tutor_lets_take(t, &j->lets);
		else
			take_shrink(ed, j);
		job_free(j);
		changed = true;
	}
	return changed;
}

bool
tutor_ed_busy(const tutor_t *t, size_t *done, size_t *total)
{
	if (t->ed == NULL)
		return false;
	return worker_busy(t->ed->worker, SLOT_CLAIM, done, total);
}

/* ---- the lesson's lets, when they take long ---- */

bool
tutor_ed_lets_submit(tutor_t *t, int upto)
{
	tutor_lesson_t *tl = tutor_cur_lesson(t);
	ed_job_t *j = job_new(t, SLOT_LETS, JOB_LETS);
	tutor_lets_done_t *d;

	if (j == NULL)
		return false;
	assert(upto >= 0 && upto <= tl->nclaims);
	d = &j->lets;
	d->lesson = t->lesson;
	d->shape = tl->shape;
	d->upto = upto;
	d->claims = tl->claims;
	d->r = xcalloc((size_t)upto + 1, sizeof *d->r);
	d->err = xcalloc((size_t)upto + 1, sizeof *d->err);
	d->have = xcalloc((size_t)upto + 1, sizeof *d->have);
	worker_submit(t->ed->worker, j);
	return true;
}

void
tutor_ed_lets_cancel(tutor_t *t)
{
	if (t->ed != NULL && t->ed->worker != NULL)
		worker_cancel(t->ed->worker, SLOT_LETS);
}

bool
tutor_ed_lets_busy(const tutor_t *t)
{
	return t->ed != NULL &&
	    worker_busy(t->ed->worker, SLOT_LETS, NULL, NULL);
}

/* ---- c: the counterexample, then the smallest shape ---- */

static void
submit_shrink(tutor_t *t, bool typed, int k)
{
	tutor_ed_t *ed = tutor_ed(t);
	tutor_lesson_t *tl = tutor_cur_lesson(t);
	ed_job_t *j;

	if (tl == NULL)
		return;
	if (ed->shrink.run == EDR_DONE && ed->shrink.typed == typed &&
	    ed->shrink.lesson == t->lesson && ed->shrink.k == k &&
	    conv_shape_equal(&ed->shrink.from, &tl->shape) &&
	    (!typed || ed->shrink.k == -2))
		return;                 /* shown already */
	if ((j = job_new(t, SLOT_SHRINK, JOB_SHRINK)) == NULL)
		return;
	if (typed) {
		if ((j->claim = parse_mine(ed)) == NULL) {
			job_free(j);
			return;
		}
	} else
		j->lclaim = tl->claims[k];
	shrink_clear(&ed->shrink);
	ed->shrink.run = EDR_RUNNING;
	ed->shrink.typed = typed;
	ed->shrink.lesson = t->lesson;
	ed->shrink.k = typed ? -2 : k;
	ed->shrink.from = tl->shape;
	worker_submit(ed->worker, j);
}

void
tutor_ed_shrink_lesson(tutor_t *t, int k)
{
	submit_shrink(t, false, k);
}

bool
tutor_ed_cex(tutor_t *t)
{
	tutor_ed_t *ed = t->ed;
	tutor_ed_claim_t *m;

	if (ed == NULL || !ed->open || ed->mine.claim == NULL)
		return false;
	m = &ed->mine;
	if (m->run == EDR_RUNNING) {
		tutor_message(t, "no counterexample yet: your claim is being "
		    "checked");
		return true;
	}
	if (!m->has_result || !m->result.has_cex) {
		tutor_message(t, "no counterexample: %s", m->run != EDR_DONE ?
		    "your claim is not checked (Enter checks it)" : m->judged &&
		    m->verdict.outcome == EXERCISE_REFUSED ?
		    "it fails at another shape (the verdict says which)" :
		    "every tuple checked holds");
		return true;
	}
	tutor_set_values(t, m->claim, m->result.cex);
	tutor_message(t, "cursors at your claim's first counterexample");
	submit_shrink(t, true, -2);
	return true;
}

bool
tutor_ed_cancel_shrink(tutor_t *t)
{
	tutor_ed_t *ed = t->ed;

	if (ed == NULL || ed->shrink.run != EDR_RUNNING)
		return false;
	if (ed->worker != NULL)
		worker_cancel(ed->worker, SLOT_SHRINK);
	ed->shrink.run = EDR_CANCELLED;
	tutor_message(t, "shrinking cancelled: c starts it again");
	return true;
}

bool
tutor_ed_back(tutor_t *t)
{
	if (tutor_ed_cancel_shrink(t))
		return true;
	if (tutor_ed_shown(t)) {
		tutor_ed_close(t);
		return true;
	}
	return false;
}

/* ---- w: your claim into mine.md ---- */

/* Does text use name as a word? */
static bool
uses_name(const char *text, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = strstr(text, name); p != NULL; p = strstr(p + 1, name)) {
		bool before = p == text || !(isalnum((unsigned char)p[-1]) ||
		    p[-1] == '_');
		bool after = !(isalnum((unsigned char)p[n]) || p[n] == '_');

		if (before && after)
			return true;
	}
	return false;
}

static const char *
let_name(const claim_t *c)
{
	return c->kind == CLAIM_LET && c->lhs != NULL &&
	    c->lhs->kind == EX_ACCESS ? c->lhs->u.access.tensor : NULL;
}

/* Mark in need[] (indexed like lets[]) the lets text uses, and those they
 * use in turn (a let uses only lets written before it). */
static void
lets_needed(const claim_t *const *lets, int n, const char *text, bool *need)
{
	int i, j;

	for (i = n - 1; i >= 0; i--)
		need[i] = uses_name(text, let_name(lets[i]));
	for (i = n - 1; i >= 0; i--)
		for (j = 0; need[i] && j < i; j++)
			if (uses_name(lets[i]->text, let_name(lets[j])))
				need[j] = true;
}

char *
tutor_ed_step_text(const lesson_t *l, int step, const char *text,
    const lesson_t *have)
{
	const claim_t **lets;
	bool *need;
	int n = 0, s, k;
	sbuf_t b;

	lets = xcalloc((size_t)2, sizeof *lets);
	for (s = 0; s <= step && s < l->nsteps; s++)
		for (k = 0; k < l->steps[s].nclaims; k++)
			if (let_name(l->steps[s].claims[k]) != NULL) {
				lets = xreallocarray(lets, (size_t)n + 2, sizeof *lets);
				lets[n++] = l->steps[s].claims[k];
			}
	need = xcalloc((size_t)n + 1, sizeof *need);
	lets_needed(lets, n, text, need);
	sbuf_init(&b);
	sbuf_addf(&b, "\n## %s, step %d: a claim of my own\n\n", l->title,
	    step + 1);
	sbuf_addf(&b, "Typed in the tutor at \"%s\" (%s).\n\n```check\n",
	    step < l->nsteps ? l->steps[step].title : "", l->path != NULL ?
	    l->path : "a lesson");
	for (k = 0; k < n; k++)
		if (need[k] && (have == NULL ||
		    expr_scope_rank(have->scope, let_name(lets[k])) == 0))
			sbuf_addf(&b, "%s\n\n", lets[k]->text);
	sbuf_addf(&b, "# typed in the tutor\n%s\n```\n", text);
	free(need);
	free(lets);
	return sbuf_take(&b);
}

char *
tutor_ed_file_head(const lesson_t *l, const conv_shape_t *s0)
{
	const conv_shape_t *s = s0 != NULL ? s0 : &l->shape;
	sbuf_t b;
	const char *sep = " covers=";

	sbuf_init(&b);
	sbuf_add(&b, "# My own claims\n\nClaims typed in the convgrad tutor and "
	    "written with w; `convgrad verify` checks them again.\n\n```shape\n");
	sbuf_addf(&b, "N=%ld C_in=%ld H_in=%ld W_in=%ld C_out=%ld R=%ld S=%ld "
	    "strh=%ld strw=%ld", s->N, s->C_in, s->H_in, s->W_in, s->C_out, s->R,
	    s->S, s->strh, s->strw);
	if (s->pad_h != 0 || s->pad_w != 0)
		sbuf_addf(&b, " pad_h=%ld pad_w=%ld", s->pad_h, s->pad_w);
	if (s->dil_h != 1 || s->dil_w != 1)
		sbuf_addf(&b, " dil_h=%ld dil_w=%ld", s->dil_h, s->dil_w);
	if (s->groups != 1)
		sbuf_addf(&b, " groups=%ld", s->groups);
	if (l->covers_padding)
		sbuf_addf(&b, "%spadding", sep), sep = ",";
	if (l->covers_dilation)
		sbuf_addf(&b, "%sdilation", sep), sep = ",";
	if (l->covers_groups)
		sbuf_addf(&b, "%sgroups", sep);
	sbuf_add(&b, "\n```\n");
	return sbuf_take(&b);
}

/* The file as it is (NULL: missing) and its lesson; -1 with *err when it
 * cannot be read or does not load (then it is not written over). */
static int
mine_read(const char *path, char **data, lesson_t **have, char **err)
{
	size_t len;
	char *why = NULL;

	*data = NULL;
	*have = NULL;
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 0;
	if (read_file(path, data, &len, err) != 0)
		return -1;
	*have = lesson_parse(*data, len, path, &why);
	if (*have == NULL) {
		set_error(err, "%s does not load, so w leaves it alone: %s", path,
		    why);
		free(why);
		free(*data);
		*data = NULL;
		return -1;
	}
	return 0;
}

void
tutor_ed_write(tutor_t *t)
{
	tutor_ed_t *ed = tutor_ed(t);
	tutor_lesson_t *tl = tutor_cur_lesson(t);
	char *data, *step, *head, *all, *err = NULL;
	lesson_t *have, *check;
	int nsteps;

	if (tl == NULL || ed->mine.claim == NULL) {
		tutor_message(t, "no claim to write: e types one, Enter checks it");
		return;
	}
	if (ed->mine_path == NULL) {
		tutor_message(t, "nowhere to write: set XDG_DATA_HOME or HOME");
		return;
	}
	if (mine_read(ed->mine_path, &data, &have, &err) != 0) {
		tutor_message(t, "%s", err);
		free(err);
		return;
	}
	step = tutor_ed_step_text(tl->lesson, ed->mine.step, ed->mine.text,
	    have);
	head = data != NULL ? data : tutor_ed_file_head(tl->lesson, NULL);
	all = xasprintf("%s%s", head, step);
	free(head);
	free(step);
	lesson_free(have);
	/* Written only if it loads as a lesson: verify must read it. */
	check = lesson_parse(all, strlen(all), ed->mine_path, &err);
	if (check == NULL) {
		tutor_message(t, "not written: the step would not load: %s", err);
		free(err);
		free(all);
		return;
	}
	nsteps = check->nsteps;
	lesson_free(check);
	if (write_atomic(ed->mine_path, all, &err) != 0) {
		tutor_message(t, "%s", err);
		free(err);
	} else
		tutor_message(t, "step %d written to %s: convgrad verify checks it",
		    nsteps, ed->mine_path);
	free(all);
}

/* ---- exercise steps ---- */

/* The record of step `step` of lesson `lesson`, or NULL. */
static tutor_ed_step_t *
ex_find_at(const tutor_t *t, int lesson, int step)
{
	int i;

	for (i = 0; t->ed != NULL && i < t->ed->nsteps; i++)
		if (t->ed->steps[i].lesson == lesson && t->ed->steps[i].step == step)
			return &t->ed->steps[i];
	return NULL;
}

/* ... of the current step. */
static tutor_ed_step_t *
ex_find(const tutor_t *t)
{
	return ex_find_at(t, t->lesson, t->step);
}

/* ... created if that step (of the current lesson) has exercises. */
static tutor_ed_step_t *
ex_make_at(tutor_t *t, int step)
{
	const tutor_lesson_t *tl = tutor_cur_lesson(t);
	const lesson_step_t *st;
	tutor_ed_step_t *r = ex_find_at(t, t->lesson, step);
	tutor_ed_t *ed;

	if (r != NULL || tl == NULL || step < 0 || step >= tl->lesson->nsteps)
		return r;
	st = &tl->lesson->steps[step];
	if (st->nexercises == 0)
		return NULL;
	ed = tutor_ed(t);
	ed->steps = xreallocarray(ed->steps, (size_t)ed->nsteps + 1,
	    sizeof *ed->steps);
	r = &ed->steps[ed->nsteps++];
	memset(r, 0, sizeof *r);
	r->lesson = t->lesson;
	r->step = step;
	r->solved = xcalloc((size_t)st->nexercises, sizeof *r->solved);
	r->nsolved_cap = st->nexercises;
	return r;
}

static tutor_ed_step_t *
ex_make(tutor_t *t)
{
	return ex_make_at(t, t->step);
}

int
tutor_ed_nexercises(const tutor_t *t)
{
	lesson_step_t *st = tutor_cur_step(t);

	return st != NULL ? st->nexercises : 0;
}

/* Solved in this run, or in an earlier one (the progress store)? */
bool
tutor_ed_solved(const tutor_t *t, int i)
{
	tutor_ed_step_t *r = ex_find(t);

	if (i < 0 || i >= tutor_ed_nexercises(t))
		return false;
	return (r != NULL && r->solved[i]) ||
	    tutor_progress_is_solved(t, t->lesson, t->step, i);
}

int
tutor_ed_exercise(const tutor_t *t)
{
	int i, n = tutor_ed_nexercises(t);

	for (i = 0; i < n; i++)
		if (!tutor_ed_solved(t, i))
			return i;
	return -1;
}

int
tutor_ed_hints_shown(const tutor_t *t)
{
	tutor_ed_step_t *r = ex_find(t);

	return r != NULL ? r->hints : 0;
}

/* Hidden until revealed (r, or an accepted answer in this run), or every
 * exercise of the step solved (in an earlier run too). */
bool
tutor_ed_hidden(const tutor_t *t)
{
	tutor_ed_step_t *r = ex_find(t);

	return tutor_ed_nexercises(t) > 0 && (r == NULL || !r->revealed) &&
	    tutor_ed_exercise(t) >= 0;
}

void
tutor_ed_hint(tutor_t *t)
{
	tutor_ed_step_t *r = ex_make(t);
	const lesson_exercise_t *ex;
	int i = tutor_ed_exercise(t);

	if (r == NULL) {
		tutor_message(t, "no hints here: this step has no exercise");
		return;
	}
	if (i < 0) {
		tutor_message(t, "every exercise of this step is solved");
		return;
	}
	ex = &tutor_cur_step(t)->exercises[i];
	if (ex->nhints == 0)
		tutor_message(t, "this exercise has no hints");
	else if (r->hints >= ex->nhints)
		tutor_message(t, "no more hints: that was the last of %d",
		    ex->nhints);
	else {
		r->hints++;
		tutor_message(t, "hint %d of %d shown under the exercise",
		    r->hints, ex->nhints);
		t->text.scroll = 1 << 20;   /* to the end: the measure clamps it */
	}
}

void
tutor_ed_reveal(tutor_t *t)
{
	tutor_ed_step_t *r = ex_make(t);

	if (r == NULL) {
		tutor_message(t, "nothing is hidden on this step");
		return;
	}
	r->revealed = true;
	tutor_message(t, "revealed: the verdicts, values and cases of this step");
}

/* An exercise judged: accepted solves it (and reveals the step), and the
 * next unsolved one is asked. */
static void
exercise_result(tutor_t *t)
{
	tutor_ed_t *ed = tutor_ed(t);
	tutor_ed_claim_t *m = &ed->mine;
	tutor_ed_step_t *r;
	int i;

	/* The step it answers (the student may have moved on meanwhile). */
	if (!m->judged || m->verdict.outcome != EXERCISE_ACCEPTED ||
	    m->lesson != t->lesson)
		return;
	r = ex_make_at(t, m->step);
	if (r == NULL || m->exercise < 0 || m->exercise >= r->nsolved_cap)
		return;
	r->solved[m->exercise] = true;
	r->revealed = true;
	r->hints = 0;
	tutor_progress_solved(t, m->step, m->exercise);
	if (m->step != t->step) {
		tutor_message(t, "accepted: exercise %d of step %d", m->exercise + 1,
		    m->step + 1);
		return;
	}
	i = tutor_ed_exercise(t);
	if (i >= 0)
		tutor_message(t, "accepted: on to exercise %d of %d", i + 1,
		    r->nsolved_cap);
	else
		tutor_message(t, "accepted: every exercise of this step is solved");
}
