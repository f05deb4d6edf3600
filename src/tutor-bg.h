/*
 * tutor-bg.h: verification beside the interface. One worker thread, with
 * a verify world of its own (a verify_ctx at one shape and the lets of one
 * lesson), runs the claims it is given one after another and hands each
 * result back; the interface never waits for it.
 *
 * The interface (one thread) submits the claims it wants verified, takes
 * the results when it polls, reads the progress of the claim running, and
 * cancels. A submission replaces whatever was still queued; the claim that
 * is running goes on if the new submission wants it too, and is cancelled
 * otherwise. Cancellation is a flag that the verifier polls through
 * verify_opts_t.cancelled (by time, not by tuple count, since verifyfast's
 * change), so a cancel takes effect within one poll.
 *
 * What the worker reads and what it owns: the claims it is given stay
 * valid and unchanged while the worker lives (the lessons are loaded once
 * and never edited); the shape and the list of wanted claims are copied.
 * Results are handed over by value; the taker owns them.
 */
#ifndef CONVGRAD_TUTOR_BG_H
#define CONVGRAD_TUTOR_BG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "conv-shape.h"
#include "expr.h"
#include "verify.h"

typedef struct tutor_bg tutor_bg_t;

/* One finished claim: claim k (flat index) of lesson `lesson` at shape. */
typedef struct tutor_bg_done {
	int lesson, k;
	conv_shape_t shape;
	verify_result_t result;     /* the taker owns it (verify_result_clear) */
	char *error;                /* could not be checked (malloc'd), or NULL */
} tutor_bg_done_t;

/* What the worker is doing now. */
typedef struct tutor_bg_status {
	int lesson, k;              /* the claim running, k = -1 if none */
	size_t done, total;         /* its progress, in tuples */
	int queued;                 /* claims waiting after it */
} tutor_bg_status_t;

/* Start the worker. o: the verification options (seed, tolerances,
 * sample size; its progress and cancel hooks are replaced by the
 * worker's own). NULL with *err if the thread cannot be started. */
tutor_bg_t *tutor_bg_create(const verify_opts_t *o, char **err);

/* Stop the worker: cancel what runs, wait up to wait_ms for it to end,
 * then free everything. Returns true if it ended; false if it was still
 * inside a step that does not poll for cancel: the thread and what it
 * uses are then left to the process's exit (call this only on the way
 * out). NULL: true. */
bool tutor_bg_free(tutor_bg_t *bg, int wait_ms);

/* Verify want[0..nwant) (flat indices into claims[0..nclaims), the whole
 * lesson, in its order) of lesson `lesson` at shape s, in that order. The
 * lets before each wanted claim that the worker's world does not hold yet
 * are evaluated first (and handed back as results too). Replaces the queue;
 * see above for the claim running. */
void tutor_bg_submit(tutor_bg_t *bg, int lesson, claim_t *const *claims,
    int nclaims, const conv_shape_t *s, const int *want, int nwant);

/* Cancel the claim running and drop the queue. Its result comes back
 * with VERDICT_CANCELLED (or whole, if it ended before it saw the
 * cancel). Submitting it again at once queues it anew. */
void tutor_bg_cancel(tutor_bg_t *bg);

/* Take one finished result (oldest first): true with *d filled, false if
 * none is waiting. */
bool tutor_bg_take(tutor_bg_t *bg, tutor_bg_done_t *d);

/* What runs now, and how far it is. A claim told to cancel is not
 * reported (nor pending), even before the worker has stopped it; the next
 * queued claim, if any, is reported in its place at 0 of 0. */
void tutor_bg_status(tutor_bg_t *bg, tutor_bg_status_t *st);

/* Is claim k of lesson queued or running (at shape s)? */
bool tutor_bg_pending(tutor_bg_t *bg, int lesson, int k, const conv_shape_t *s);

/* ---- the thread machinery, shared with the claim editor's worker
 * (tutor-edit.c) ---- */

/* CONVGRAD_TEST_BG_PACE=MS, 0 to 600000 (anything else: 0): for tests, a
 * worker waits MS ms at each progress report (tutor_bg_pace), so that a
 * verification runs for minutes however fast the machine is. */
long tutor_bg_test_pace(void);
/* Wait ms milliseconds, one at a time, while *cancel is false. */
void tutor_bg_pace(long ms, const atomic_bool *cancel);
/* Start fn(arg) on a thread with every signal blocked but those a fault
 * raises in the thread that faults (SIGINT, SIGTERM, SIGWINCH... go to
 * the interface thread). 0, or the error number. */
int tutor_bg_thread(pthread_t *th, void *(*fn)(void *), void *arg);
/* In a worker: run below the interface's priority (Linux: per thread),
 * so that on a busy machine a key still gets the processor at once. */
void tutor_bg_lower_priority(void);
/* In a worker, first thing: a stack for signal handlers, so that the
 * interface's handler for a fatal signal (which restores the terminal)
 * runs even when this thread overflowed its stack. NULL if none could be
 * had; give it to tutor_bg_alt_stack_free as the thread ends. */
void *tutor_bg_alt_stack(void);
void tutor_bg_alt_stack_free(void *stack);
/* With mu held: wait on cond until *flag, at most wait_ms. Returns *flag. */
bool tutor_bg_wait_flag(pthread_cond_t *cond, pthread_mutex_t *mu,
    const bool *flag, int wait_ms);

#endif
