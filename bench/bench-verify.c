/*
 * bench-verify.c: how fast is the verifier, and is the tutor's live check
 * quick enough for a keystroke? Not a test: it prints figures and asserts
 * nothing about time.
 *
 *   1. Every bundled lesson at its default shape: creating the verify_ctx,
 *      then verifying every claim; per lesson and in total, with claims
 *      per second and tuples per second.
 *      Each lesson's exercises are judged too (the answer at the shape
 *      and two others, as `convgrad verify` judges them), timed apart.
 *   2. The same at a larger shape (N=2 C_in=3 H=W=16 C_out=4 R=S=3,
 *      stride 1), marking the claims whose tuples were sampled, with the
 *      total against issue 8's goal (every tuple in 5 s; the claims, and
 *      with the exercises, the whole of `convgrad verify --shape
 *      2,3,16,16,4,3,3 --stride 1,1 lessons/`) in wall clock and
 *      in CPU seconds over the threads (wall clock is noisy when other
 *      work shares the cores; the machine's load is printed); then, for
 *      a d output / d input claim, the tuple count as H = W grows, to show
 *      where sampling (past VERIFY_MAX_TUPLES_DEFAULT) starts.
 *   3. One verify_claim_at -- what the tutor computes on each keystroke --
 *      at random tuples of every identity, partial and chain claim of the
 *      bundled lessons: median, 99th percentile and worst, warm (after a
 *      first call on the claim), the first call on each claim (the lesson's
 *      context shared, as in the tutor), and cold (the first call on a
 *      fresh context, nothing cached), against one frame (16 ms).
 *   4. Peak resident set size (getrusage) after each part.
 *
 * A claim that takes longer than 10 s is cancelled through the verifier's
 * cancellation hook and reported with the tuples it checked per second.
 *
 * Usage: bench-verify [--quick] [LESSON|DIR...]  (default: the bundled
 * lessons; `make bench` runs it). --quick skips the larger shape and
 * cancels claims after 2 s.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "exercise.h"
#include "gemm.h"
#include "lesson.h"
#include "parallel.h"
#include "util.h"
#include "verify.h"

#define FRAME_MS 16.0


/* A claim that runs longer than this is cancelled (through the verifier's
 * own cancellation hook) and reported with its rate so far. */
static double claim_budget_s = 10.0;
static double claim_deadline;

static bool
over_budget(void *ud)
{
	(void)ud;
	return util_now() > claim_deadline;
}

/* CPU seconds of the process, every thread. */
static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void
print_rss(const char *when)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	printf("peak resident set %s: %.1f MiB\n", when,
	    (double)ru.ru_maxrss / 1024);
}

/* Figures for a group of claims. */
typedef struct tally {
	int claims, sampled, bad, errors, cancelled;
	int exercises, answers_hold;
	size_t tuples, total;
	double create_s, verify_s, exercise_s, cpu_s;
} tally_t;

static void
tally_add(tally_t *t, const tally_t *u)
{
	t->claims += u->claims;
	t->sampled += u->sampled;
	t->bad += u->bad;
	t->errors += u->errors;
	t->cancelled += u->cancelled;
	t->tuples += u->tuples;
	t->total += u->total;
	t->create_s += u->create_s;
	t->verify_s += u->verify_s;
	t->exercise_s += u->exercise_s;
	t->exercises += u->exercises;
	t->answers_hold += u->answers_hold;
	t->cpu_s += u->cpu_s;
}

static void
tally_print(const char *name, const tally_t *t)
{
	double s = t->verify_s > 0 ? t->verify_s : 1e-9;

	printf("  %-22s %6.1f %8.1f %6d %11zu %10.0f %12.0f", name,
	    1e3 * t->create_s, 1e3 * t->verify_s, t->claims, t->tuples,
	    t->claims / s, (double)t->tuples / s);
	if (t->sampled > 0)
		printf("  %d sampled (%zu tuples in all)", t->sampled, t->total);
	if (t->cancelled > 0)
		printf("  %d cancelled after %.0f s", t->cancelled, claim_budget_s);
	if (t->bad > t->cancelled || t->errors > 0)
		printf("  %d not ok, %d errors", t->bad - t->cancelled, t->errors);
	putchar('\n');
}

static void
tally_header(void)
{
	printf("  %-22s %6s %8s %6s %11s %10s %12s\n", "lesson", "ctx ms",
	    "verify ms", "claims", "tuples", "claims/s", "tuples/s");
}

static const char *
base_name(const char *path)
{
	const char *p = strrchr(path, '/');

	return p != NULL ? p + 1 : path;
}

/* Each exercise of step st judged as `convgrad verify` judges it (its
 * answer at shape s and the two judging shapes around it), while the
 * lesson's context is alive, as there. */
static void
judge_exercises(const lesson_t *l, const lesson_step_t *st,
    const conv_shape_t *s, const verify_opts_t *o, tally_t *t)
{
	exercise_verdict_t v;
	char *err = NULL;
	double t0 = util_now();
	int k;

	for (k = 0; k < st->nexercises; k++) {
		const lesson_exercise_t *ex = &st->exercises[k];

		claim_deadline = util_now() + claim_budget_s;
		if (exercise_judge_claim(l, s, ex->answer_claim,
		    ex->answer_claim, o, &v, &err) != 0) {
			printf("    error: %s\n", err);
			free(err);
			err = NULL;
			t->errors++;
			continue;
		}
		t->exercises++;
		t->answers_hold += v.outcome == EXERCISE_ACCEPTED;
		exercise_verdict_clear(&v);
	}
	t->exercise_s += util_now() - t0;
}

/* Verify every claim of l at shape s. When show_sampled, print each
 * sampled claim's tuple counts. */
static void
verify_lesson(const lesson_t *l, const conv_shape_t *s, tally_t *t,
    bool show_sampled)
{
	verify_opts_t o;
	verify_ctx_t *vc;
	char *err = NULL;
	double t0, c0 = cpu_now();
	int i, j;

	memset(t, 0, sizeof *t);
	verify_opts_default(&o);
	o.cancelled = over_budget;
	t0 = util_now();
	vc = verify_ctx_create(s, &o, &err);
	t->create_s = util_now() - t0;
	if (vc == NULL) {
		printf("  %s: %s\n", base_name(l->path), err);
		free(err);
		t->errors++;
		return;
	}
	for (i = 0; i < l->nsteps; i++) {
		for (j = 0; j < l->steps[i].nclaims; j++) {
			const claim_t *c = l->steps[i].claims[j];
			verify_result_t r;

			memset(&r, 0, sizeof r);
			t0 = util_now();
			claim_deadline = t0 + claim_budget_s;
			if (verify_claim(vc, c, &r, &err) != 0) {
				t->verify_s += util_now() - t0;
				t->errors++;
				free(err);
				err = NULL;
				continue;
			}
			t->verify_s += util_now() - t0;
			t->claims++;
			t->tuples += r.checked;
			t->total += r.total;
			if (r.verdict == VERDICT_NOT_REFUTED && r.checked == 0) {
				/* an erratum whose where excludes every tuple at
				 * this shape: reported, not a failure */
				printf("    vacuous: %s:%d: erratum not refuted at this "
				    "shape (its where holds nowhere)\n",
				    base_name(c->file), c->line);
			} else if (!verdict_ok(r.verdict)) {
				t->bad++;
				if (r.verdict != VERDICT_CANCELLED)
					printf("    not ok: %s:%d: %s\n", base_name(c->file),
					    c->line, verdict_name(r.verdict));
			}
			if (r.verdict == VERDICT_CANCELLED) {
				t->cancelled++;
				printf("    cancelled: %s:%d: %zu tuples in %.1f s (%.0f/s) "
				    "of %zu%s\n", base_name(c->file), c->line, r.checked,
				    util_now() - t0, (double)r.checked / (util_now() - t0), r.total,
				    r.sampled ? " (a sample)" : "");
			} else if (r.sampled) {
				t->sampled++;
				if (show_sampled)
					printf("    sampled: %s:%d: %zu of %zu tuples in %.1f s\n",
					    base_name(c->file), c->line, r.checked, r.total,
					    util_now() - t0);
			}
			verify_result_clear(&r);
		}
		judge_exercises(l, &l->steps[i], verify_ctx_shape(vc), &o, t);
	}
	verify_ctx_free(vc);
	t->cpu_s = cpu_now() - c0;
}

/* One of the eight lessons taken from the source (01-..08-*.md; the
 * ones past them are this project's own). */
static bool
source_lesson(const lesson_t *l)
{
	const char *b = base_name(l->path);

	return b[0] == '0' && b[1] >= '1' && b[1] <= '8' && b[2] == '-';
}

/* Part 1 and 2: every lesson at its own shape, or at shape s. Returns
 * the total (create and verify seconds, in *sum) and that of the source's
 * eight lessons (in *src; either may be NULL). */
static void
bench_lessons(lesson_t **ls, int n, const conv_shape_t *s, tally_t *sum,
    tally_t *src)
{
	tally_t total, source, t;
	int i;

	memset(&total, 0, sizeof total);
	memset(&source, 0, sizeof source);
	tally_header();
	for (i = 0; i < n; i++) {
		const char *why = NULL;

		if (s != NULL && !lesson_covers(ls[i], s, &why)) {
			printf("  %-22s skipped: %s\n", base_name(ls[i]->path), why);
			continue;
		}
		verify_lesson(ls[i], s != NULL ? s : &ls[i]->shape, &t, s != NULL);
		tally_print(base_name(ls[i]->path), &t);
		tally_add(&total, &t);
		if (source_lesson(ls[i]))
			tally_add(&source, &t);
	}
	tally_print("the source's 01..08", &source);
	tally_print("total", &total);
	if (sum != NULL)
		*sum = total;
	if (src != NULL)
		*src = source;
}

/* The machine the figures come from: threads, and how busy it was. */
static void
print_machine(void)
{
	double load[3] = { 0, 0, 0 };

	if (getloadavg(load, 3) < 0)
		load[0] = -1;
	const char *core = gemm_blas_core(), *env = getenv("OPENBLAS_CORETYPE");

	printf("machine: %d threads (OpenMP), load average %.1f when measured; "
	    "times are wall clock and noisy when the cores are shared\n",
	    parallel_max_threads(), load[0]);
	/* the verifier's matrix-form kernel claims run a GEMM */
	printf("BLAS %s, OpenBLAS core %s (OPENBLAS_CORETYPE %s)\n",
	    gemm_backend_name(), core != NULL ? core : "-",
	    env != NULL ? env : "unset");
}

/* Issue 8's goal for a group of lessons at the larger shape: wall clock
 * (noisy when the cores are shared) beside CPU time over the threads. */
static void
print_goal(const char *what, const tally_t *t)
{
	double wall = t->create_s + t->verify_s, all = wall + t->exercise_s;
	int nt = parallel_max_threads();

	printf("  verify of %s at this shape: %.2f s wall, %.2f s with the "
	    "%d exercises' answers judged as convgrad verify judges them "
	    "(%d hold; goal <= 5 s, every tuple): %s, %s\n", what, wall, all,
	    t->exercises, t->answers_hold, all <= 5.0 ? "met" : "NOT met",
	    t->sampled == 0 && t->cancelled == 0 ? "every tuple checked" :
	    "some claims sampled or cancelled");
	printf("    CPU time %.2f s over %d threads (OpenMP, %ld cores online): "
	    "%.2f s of wall clock on idle cores\n", t->cpu_s, nt,
	    sysconf(_SC_NPROCESSORS_ONLN), t->cpu_s / nt);
}

/* Where sampling starts: tuples of d output[b1,c_out1,h_out1,w_out1] /
 * d input[b,c_in,h_in,w_in] (output size times input size) as H = W grow
 * at the larger shape's other sizes. */
static void
sampling_table(const conv_shape_t *big)
{
	long hw;

	printf("\n  tuples of a d output / d input claim (N=%ld C_in=%ld C_out=%ld "
	    "R=%ld S=%ld, stride 1) against the sampling limit %d:\n", big->N,
	    big->C_in, big->C_out, big->R, big->S, VERIFY_MAX_TUPLES_DEFAULT);
	for (hw = 4; hw <= 32; hw += hw < 16 ? 2 : 4) {
		conv_shape_t s = *big;
		double tuples;

		s.H_in = s.W_in = hw;
		if (conv_shape_validate(&s, 0, NULL) != 0)
			continue;
		tuples = (double)conv_output_size(&s) * (double)conv_input_size(&s);
		printf("    H=W=%-3ld %12.0f tuples  %s\n", hw, tuples,
		    tuples > VERIFY_MAX_TUPLES_DEFAULT ? "sampled" : "every tuple");
	}
}

/* ---- part 3: the live check ---- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Random values for c's free variables, each within its range (ranges
 * may depend on earlier variables). false if a range is empty. */
static bool
random_tuple(verify_ctx_t *vc, const claim_t *c, rng_t *r, long *vals)
{
	long *slots = xcalloc((size_t)c->nslots + 1, sizeof *slots);
	bool ok = true;
	int i;

	for (i = 0; i < c->nfree && ok; i++) {
		long lo, hi;
		char *err = NULL;

		if (expr_range_eval(&c->free[i].range, verify_ctx_env(vc), slots,
		    &lo, &hi, &err) != 0 || hi < lo) {
			free(err);
			ok = false;
			break;
		}
		vals[i] = lo + (long)rng_below(r, (uint64_t)(hi - lo) + 1);
		slots[c->free[i].slot] = vals[i];
	}
	free(slots);
	return ok;
}

typedef struct samples {
	double *ms;
	size_t n, cap;
	double worst;
	const claim_t *worst_claim;   /* where the worst call was */
} samples_t;

static void
samples_add(samples_t *s, double ms, const claim_t *c)
{
	if (ms > s->worst) {
		s->worst = ms;
		s->worst_claim = c;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->ms = xreallocarray(s->ms, s->cap, sizeof *s->ms);
	}
	s->ms[s->n++] = ms;
}

static void
samples_print(const char *what, samples_t *s)
{
	double med, p99, worst;

	if (s->n == 0) {
		printf("  %-34s no samples\n", what);
		return;
	}
	qsort(s->ms, s->n, sizeof *s->ms, cmp_double);
	med = s->ms[s->n / 2];
	p99 = s->ms[(size_t)((double)(s->n - 1) * 0.99)];
	worst = s->ms[s->n - 1];
	printf("  %-34s %6zu calls  median %8.4f ms  p99 %8.4f ms  worst "
	    "%8.4f ms  (%.1f%% of a frame; p99 goal <= %.0f ms: %s)\n", what,
	    s->n, med, p99, worst, 100 * worst / FRAME_MS, FRAME_MS,
	    p99 <= FRAME_MS ? "met" : "NOT met");
	if (worst > FRAME_MS / 4 && s->worst_claim != NULL)
		printf("  %-34s the worst: %s:%d\n", "", base_name(
		    s->worst_claim->file), s->worst_claim->line);
}

/* One timed call of verify_claim_at at a random tuple. */
static void
time_point(verify_ctx_t *vc, const claim_t *c, rng_t *r, samples_t *s)
{
	long *vals = xcalloc((size_t)c->nfree + 1, sizeof *vals);
	verify_point_t pt;
	char *err = NULL;
	double t0;

	if (random_tuple(vc, c, r, vals)) {
		memset(&pt, 0, sizeof pt);
		t0 = util_now();
		if (verify_claim_at(vc, c, vals, &pt, &err) == 0)
			free(pt.finding);
		else
			free(err);
		samples_add(s, 1e3 * (util_now() - t0), c);
	}
	free(vals);
}

/* The live check over every lesson at shape s (NULL: each lesson's own):
 * cold (first call on a new context, per claim) and warm (per tuples
 * random tuples per claim). The lets of a lesson are verified first, as
 * the tutor does before its live check. */
static void
bench_live(lesson_t **ls, int n, const conv_shape_t *s, int per_claim,
    const char *label)
{
	samples_t warm = { NULL, 0, 0, 0, NULL }, cold = { NULL, 0, 0, 0, NULL };
	samples_t first_on_ctx = { NULL, 0, 0, 0, NULL };
	rng_t r;
	int i, j, k, q;
	char buf[128];

	rng_seed(&r, 42);
	for (i = 0; i < n; i++) {
		const lesson_t *l = ls[i];
		const conv_shape_t *sh = s != NULL ? s : &l->shape;
		verify_ctx_t *vc;
		bool lets_seen = false;

		if (s != NULL && !lesson_covers(l, s, NULL))
			continue;
		vc = verify_ctx_create(sh, NULL, NULL);
		if (vc == NULL)
			continue;
		for (j = 0; j < l->nsteps; j++) {
			for (k = 0; k < l->steps[j].nclaims; k++) {
				const claim_t *c = l->steps[j].claims[k];
				verify_result_t res;
				char *err = NULL;

				if (c->kind == CLAIM_LET) {
					lets_seen = true;
					memset(&res, 0, sizeof res);
					if (verify_claim(vc, c, &res, &err) != 0)
						free(err);
					verify_result_clear(&res);
					continue;
				}
				if (c->kind == CLAIM_KERNEL)
					continue;
				/* cold: the first call on a fresh context (nothing
				 * cached). Skipped once the lesson has defined a let,
				 * which a fresh context would not know. */
				if (!lets_seen) {
					verify_opts_t fo;
					verify_ctx_t *fresh;

					verify_opts_default(&fo);
					fo.fresh = true;    /* none of the numeric
					                     * derivatives a freed
					                     * context left */
					fresh = verify_ctx_create(sh, &fo, NULL);

					if (fresh != NULL)
						time_point(fresh, c, &r, &cold);
					verify_ctx_free(fresh);
				}
				/* first: the first call on the lesson's context (it
				 * may fill the context's caches); then warm */
				time_point(vc, c, &r, &first_on_ctx);
				for (q = 0; q < per_claim; q++)
					time_point(vc, c, &r, &warm);
			}
		}
		verify_ctx_free(vc);
	}
	snprintf(buf, sizeof buf, "warm, %s", label);
	samples_print(buf, &warm);
	snprintf(buf, sizeof buf, "first per claim, %s", label);
	samples_print(buf, &first_on_ctx);
	snprintf(buf, sizeof buf, "cold (fresh context), %s", label);
	samples_print(buf, &cold);
	free(first_on_ctx.ms);
	free(warm.ms);
	free(cold.ms);
}

int
main(int argc, char **argv)
{
	bool quick = false;
	char **paths = NULL, *err = NULL;
	int npaths = 0, n = 0, i, first = 1, nclaims = 0;
	lesson_t **ls;
	conv_shape_t big;
	tally_t tot, src;
	double t0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && strcmp(argv[1], "--quick") == 0) {
		quick = true;
		first = 2;
		claim_budget_s = 2.0;
	}
	if (lesson_collect(argv + first, argc - first, &paths, &npaths, &err)
	    != 0) {
		fprintf(stderr, "bench-verify: %s\n", err);
		free(err);
		return 2;
	}
	ls = xcalloc((size_t)npaths + 1, sizeof *ls);
	t0 = util_now();
	for (i = 0; i < npaths; i++) {
		int j;

		ls[n] = lesson_load(paths[i], &err);
		if (ls[n] == NULL) {
			fprintf(stderr, "bench-verify: %s\n", err);
			free(err);
			err = NULL;
			continue;
		}
		for (j = 0; j < ls[n]->nsteps; j++)
			nclaims += ls[n]->steps[j].nclaims;
		n++;
	}
	printf("bench-verify: %d lessons, %d claims, loaded and parsed in "
	    "%.1f ms\n", n, nclaims, 1e3 * (util_now() - t0));
	print_machine();

	printf("\n1. every lesson at its default shape\n");
	bench_lessons(ls, n, NULL, NULL, NULL);
	print_rss("after part 1");

	conv_shape_init(&big, 2, 3, 16, 16, 4, 3, 3);
	if (!quick) {
		char buf[160];

		printf("\n2. every lesson at %s\n", conv_shape_str(&big, buf,
		    sizeof buf));
		bench_lessons(ls, n, &big, &tot, &src);
		print_goal("the source's 8 lessons (01..08)", &src);
		print_goal("every bundled lesson", &tot);
		sampling_table(&big);
		print_rss("after part 2");
	}

	printf("\n3. the tutor's live check: one verify_claim_at at a random "
	    "tuple (a frame is %.0f ms)\n", FRAME_MS);
	bench_live(ls, n, NULL, 500, "default shapes");
	if (!quick)
		bench_live(ls, n, &big, 100, "the larger shape");
	print_rss("at the end");

	for (i = 0; i < n; i++)
		lesson_free(ls[i]);
	free(ls);
	lesson_paths_free(paths, npaths);
	return 0;
}
