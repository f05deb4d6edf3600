/*
 * tutor-edit.h: learning by doing in the tutor (issue 10), in plain C (no
 * curses): the claim editor that `e` and `:` open at the bottom of the
 * lesson view, `w` that writes the typed claim to the student's own
 * lesson file, the exercise steps (judged answers, hints in tiers,
 * predict-then-reveal), and the shrinking that `c` adds to the jump to a
 * counterexample.
 *
 * The editor: keys go to a lineedit (lineedit.h) while it is open for
 * typing; Enter parses the line with the lets of the lesson's steps up to
 * the current one in scope (a scope of the editor's own, so a typed line
 * never adds to the lesson's). A syntax error stays under the line with
 * its caret and the parser's message, the text kept. A claim that parses
 * becomes "your claim": drawn in 2-D, checked live at the cursors after
 * every key (one tuple, in the state update, as the lesson's claims), and
 * over every tuple by the editor's worker thread, its verdict and first
 * counterexample shown; c moves the cursors there. In an exercise step the
 * claim is judged instead (exercise_judge: three shapes the lesson
 * covers). Esc closes the editor and cancels what its worker runs.
 *
 * The worker: one thread of the editor's own, beside tutor-bg.c's (whose
 * queue belongs to the lesson's claims: a submission there replaces what
 * was queued). It runs one job at a time from a short queue, one job per
 * slot (your claim; the shrinking): a new job in a slot cancels the old.
 * Each job owns what it reads but the lesson (loaded once, never edited
 * while the tutor lives), and is verified in a world of its own
 * (shrink_verify_at), so the interface never waits for it. Cancelling is
 * a flag the verifier polls by time (VERIFY_POLL_MS).
 *
 * Files: the history of typed lines is kept in $XDG_STATE_HOME/convgrad/
 * history (else ~/.local/state/convgrad/history), read when the editor
 * first opens and written after each Enter; `w` appends a step to
 * $XDG_DATA_HOME/convgrad/mine.md (else ~/.local/share/convgrad/mine.md),
 * creating it with a title and a shape block. Every write is checked; a
 * failure is said on the status line, never fatal.
 */
#ifndef CONVGRAD_TUTOR_EDIT_H
#define CONVGRAD_TUTOR_EDIT_H

#include <stdbool.h>

#include "exercise.h"
#include "lineedit.h"
#include "shrink.h"
#include "tutor.h"
#include "verify.h"

typedef struct tutor_ed_worker tutor_ed_worker_t;

/* Where a job of the worker stands. */
typedef enum tutor_ed_run {
	EDR_NONE,           /* nothing asked */
	EDR_RUNNING,        /* queued or running */
	EDR_DONE,           /* the result is in */
	EDR_CANCELLED,      /* Esc, or a newer job of the slot */
} tutor_ed_run_t;

/* The claim Enter took ("your claim"), and what became of it. */
typedef struct tutor_ed_claim {
	char *text;             /* as typed, or NULL: none yet */
	claim_t *claim;         /* parsed (for drawing and the live check) */
	int lesson, step;       /* where it was typed */
	conv_shape_t shape;     /* the shape it is verified at */
	int exercise;           /* the step's exercise it answers, or -1 */
	/* The live check at the cursors (tutor_ed_update). */
	bool live_valid;
	int live_rc;
	verify_point_t live;
	char *live_err;
	/* Over every tuple (or judged at three shapes), in the worker. */
	tutor_ed_run_t run;
	int run_rc;             /* 0, or -1 with run_err */
	char *run_err;
	verify_result_t result; /* at `shape` (an exercise: when refused) */
	bool has_result;
	exercise_verdict_t verdict;     /* an exercise's */
	bool judged;
} tutor_ed_claim_t;

/* c's shrinking: the smallest failing shape of a claim. */
typedef struct tutor_ed_shrink {
	tutor_ed_run_t run;
	bool typed;             /* of your claim, else of the lesson's */
	int lesson, k;          /* the lesson's claim (flat index) */
	conv_shape_t from;
	char *text;             /* "fails already at ...", or why not */
	bool failed;            /* text says why it could not shrink */
} tutor_ed_shrink_t;

/* What the student did in one exercise step. */
typedef struct tutor_ed_step {
	int lesson, step;
	bool revealed;          /* answered, or r pressed */
	int hints;              /* tiers shown, of the current exercise */
	bool *solved;           /* per exercise of the step, in this run */
	int nsolved_cap;
} tutor_ed_step_t;

typedef struct tutor_ed {
	bool open;              /* the editor's panel is shown */
	bool typing;            /* keys go to the line */
	lineedit_t *le;
	char pend[4];           /* a UTF-8 character arriving byte by byte */
	int npend, pend_need;
	char *hist_path;        /* NULL: no place for the history */
	bool hist_loaded;

	/* The last Enter's syntax error: the parser's message (its first
	 * line) and the caret's column in the line (bytes, 0-based). */
	char *syntax;
	long syntax_at;

	expr_scope_t *scope;    /* the lets up to (lesson, step) */
	int scope_lesson, scope_step;

	tutor_ed_claim_t mine;
	tutor_ed_shrink_t shrink;

	tutor_ed_step_t *steps; /* exercise steps seen */
	int nsteps;

	char *mine_path;        /* mine.md, or NULL */
	tutor_ed_worker_t *worker;
	verify_opts_t opts;     /* the tutor's (seed, tolerances) */
} tutor_ed_t;

/* The editor's state of t (created on first use; tutor_free frees it). */
tutor_ed_t *tutor_ed(tutor_t *t);
/* Stop its worker: cancel, wait up to wait_ms. false if it still runs
 * (then t is not freed: the process is about to exit). NULL: true. */
bool tutor_ed_stop(tutor_ed_t *ed, int wait_ms);
void tutor_ed_free(tutor_ed_t *ed);     /* NULL: no-op; stop it first */

/* Does the editor take this key (it is open for typing on the lesson
 * view)? Then tutor_ed_key handles it. */
bool tutor_ed_wants(const tutor_t *t, int key);
void tutor_ed_key(tutor_t *t, int key);

/* e and ':': open the editor for typing (your claim's text in it again
 * when there is one). */
void tutor_ed_open(tutor_t *t);
/* Close the panel, cancelling what its worker runs. */
void tutor_ed_close(tutor_t *t);
/* Is the panel shown (typing or not)? */
bool tutor_ed_shown(const tutor_t *t);

/* After every action on the lesson view: the live check of your claim at
 * the cursors. */
void tutor_ed_update(tutor_t *t);
/* Take the worker's finished results. true if anything changed. */
bool tutor_ed_poll(tutor_t *t);
/* Is the worker busy (for the tick of the main loop)? The progress of the
 * running job when prog is not NULL. */
bool tutor_ed_busy(const tutor_t *t, size_t *done, size_t *total);

/* The lets of the current lesson's first `upto` claims (flat), evaluated
 * in the background in a world of their own at the lesson's shape
 * (replacing a request not yet done); tutor_ed_poll hands the world to
 * tutor_lets_take. false if the worker cannot start (said on the status
 * line). Cancel: the request is dropped, its result never taken. Busy:
 * one is queued or running. */
bool tutor_ed_lets_submit(tutor_t *t, int upto);
void tutor_ed_lets_cancel(tutor_t *t);
bool tutor_ed_lets_busy(const tutor_t *t);

/* c with your claim shown: the cursors to its first counterexample, then
 * its smallest failing shape in the background. false when the panel is
 * not shown (c is then the lesson claim's: tutor.c jumps, then calls
 * tutor_ed_shrink_lesson). */
bool tutor_ed_cex(tutor_t *t);
/* The smallest failing shape of claim k (flat) of the current lesson,
 * from its current shape, in the background (cancelling the last). */
void tutor_ed_shrink_lesson(tutor_t *t, int k);
/* Esc with a shrinking running: cancel it. true if one was. */
bool tutor_ed_cancel_shrink(tutor_t *t);
/* Esc on the lesson view: cancel a shrinking, else close the panel.
 * true if it did either (Esc then does nothing else). */
bool tutor_ed_back(tutor_t *t);

/* w: append your claim to mine.md as a step. */
void tutor_ed_write(tutor_t *t);
/* The path w writes (malloc'd), from $XDG_DATA_HOME or $HOME; NULL when
 * neither is set. And the history's, from $XDG_STATE_HOME or $HOME. */
char *tutor_ed_mine_path(void);
char *tutor_ed_history_path(void);
/* The text w appends for a claim typed in lesson l at step (its lets,
 * those before and at the step that the claim uses and mine.md does not
 * define yet: have, NULL for none), and the head of a new mine.md
 * (malloc'd). Exported for the tests. */
char *tutor_ed_step_text(const lesson_t *l, int step, const char *text,
    const lesson_t *have);
char *tutor_ed_file_head(const lesson_t *l, const conv_shape_t *s);

/* ---- exercise steps ---- */

/* The current step's exercises: how many (0: not an exercise step). */
int tutor_ed_nexercises(const tutor_t *t);
/* The exercise answered next (its index; -1 when all are solved), and
 * whether exercise i is solved (in this run, or an earlier one as the
 * progress store says). */
int tutor_ed_exercise(const tutor_t *t);
bool tutor_ed_solved(const tutor_t *t, int exercise);
/* Hint tiers shown of the current exercise. */
int tutor_ed_hints_shown(const tutor_t *t);
/* Is what predicts the answer (verdicts, values, case labels) hidden on
 * this step: an exercise step not answered or revealed yet? */
bool tutor_ed_hidden(const tutor_t *t);
/* The hint key: one more tier. The reveal key: show what was hidden. */
void tutor_ed_hint(tutor_t *t);
void tutor_ed_reveal(tutor_t *t);

#endif
