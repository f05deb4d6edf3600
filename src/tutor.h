/*
 * tutor.h: the tutor's state and its transitions, in plain C (no curses),
 * so that every move a student makes can be tested without a terminal.
 *
 * The state: the lessons (loaded, with each claim's cached verification),
 * the screen (lesson list, lesson view, shape panel, help), the current
 * lesson, step and claim, the focused pane, one chosen element ("cursor")
 * per tensor pane, and the shape the current lesson is shown at.
 *
 * Keys are described by one const table, tutor_keys[]: the dispatcher
 * (tutor_key) and the help screen and the bottom hint line are all generated
 * from it, so the help cannot drift from what the program does. Key codes
 * are the TK_* values below; the curses front end translates its KEY_* codes
 * to them.
 *
 * Panes index tensors the way the source does:
 *   input  (b, c_in, h_in, w_in)     slice (b, c_in),   grid h_in x w_in
 *   weight (c_out, c_in, di, dj)     slice (c_out, c_in), grid di x dj
 *   output (b, c_out, h_out, w_out)  slice (b, c_out),  grid h_out x w_out
 *   bias   (c_out)                   no slice,          grid c_out x 1
 *          (its cursor is (0, 0, c_out, 0))
 * A claim's free variables are bound to pane cursors through the tensor
 * position their range was inferred from (expr_range_t.tensor/pos).
 */
#ifndef CONVGRAD_TUTOR_H
#define CONVGRAD_TUTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "conv-shape.h"
#include "expr.h"
#include "lesson.h"
#include "verify.h"

/* ---- keys ---- */

/* Printable keys are their ASCII code; special keys live above 0x1000. */
enum {
	TK_ESC = 27,
	TK_ENTER = '\n',
	TK_TAB = '\t',
	TK_UP = 0x1000, TK_DOWN, TK_LEFT, TK_RIGHT,
	TK_PGUP, TK_PGDN, TK_HOME, TK_END,
	TK_BACKSPACE, TK_F1, TK_BTAB, TK_RESIZE,
	TK_DELETE,      /* the claim editor's Delete (tutor-edit.h) */
};

typedef enum tutor_screen {
	SCR_LIST,       /* the lesson list */
	SCR_LESSON,     /* one step of a lesson */
	SCR_SHAPE,      /* the shape panel, over the lesson view */
	SCR_HELP,       /* the key table */
	SCR_LAB,        /* the step-size lab's report (tutor-lab.h) */
	SCR_SOURCE,     /* the whole source, rendered (tutor-source.h) */
	SCR_COUNT
} tutor_screen_t;

#define SCR_BIT(s) (1u << (s))

typedef enum tutor_action {
	ACT_NONE,
	ACT_QUIT, ACT_HELP, ACT_BACK, ACT_OPEN,
	ACT_UP, ACT_DOWN, ACT_LEFT, ACT_RIGHT,
	ACT_NEXT_PANE, ACT_PREV_PANE,
	ACT_NEXT_STEP, ACT_PREV_STEP, ACT_NEXT_CLAIM, ACT_PREV_CLAIM,
	ACT_SLICE_PREV, ACT_SLICE_NEXT,
	ACT_SHAPE, ACT_SOURCE, ACT_VERIFY, ACT_VERIFY_LESSON, ACT_CEX,
	ACT_FIELD_UP, ACT_FIELD_DOWN, ACT_FIELD_DEC, ACT_FIELD_INC,
	ACT_FIELD_DIGIT, ACT_FIELD_ERASE, ACT_SHAPE_APPLY, ACT_SHAPE_RESET,
	ACT_SHAPE_CANCEL,
	ACT_LAYOUT, ACT_PAGE_DOWN, ACT_PAGE_UP,
	/* Learning by doing (tutor-edit.h). */
	ACT_EDIT, ACT_WRITE, ACT_HINT, ACT_REVEAL,
	/* The step-size lab (tutor-lab.h). */
	ACT_LAB, ACT_LAB_G,
	/* The source screen (tutor-source.h). */
	ACT_SRC_TOP, ACT_SRC_END, ACT_SRC_VERBATIM,
	ACT_COUNT
} tutor_action_t;

#define TUTOR_KEYS_MAX 10

typedef struct tutor_key {
	int keys[TUTOR_KEYS_MAX];  /* TK_* or ASCII codes; 0 ends the list */
	const char *name;          /* how the help screen writes the keys */
	const char *hint_name;     /* how the hint line writes them (NULL: name) */
	const char *hint;          /* a word or two for the hint line, or NULL */
	const char *help;          /* one line for the help screen */
	tutor_action_t action;
	unsigned screens;          /* SCR_BIT()s where the binding applies */
} tutor_key_t;

extern const tutor_key_t tutor_keys[];
extern const size_t tutor_nkeys;

/* The screen's name: "list", "lesson", "shape", "help", "lab",
 * "source". */
const char *tutor_screen_name(tutor_screen_t s);
/* How a person names key: "Up", "PgDn", "Shift-Tab", "Esc", "q", ... (buf
 * holds a printable key's text). NULL for a code that is only another
 * spelling of a named key ('\r' of Enter). */
const char *tutor_key_label(int key, char buf[2]);
/* Print the key table, one line per key and screen where it is bound
 * (the digits as one "0-9"): "SCREEN<TAB>KEY<TAB>HELP" (convgrad tutor
 * --keys). */
void tutor_keys_print(FILE *f);

/* The binding of key on screen, or NULL. ACT_FIELD_DIGIT has '0'..'9'. */
const tutor_key_t *tutor_key_lookup(int key, tutor_screen_t screen);

/* ---- panes and cursors ---- */

typedef enum tutor_pane {
	PANE_TEXT,      /* prose and claims: arrows scroll and choose the claim */
	PANE_INPUT,
	PANE_WEIGHT,
	PANE_OUTPUT,
	PANE_BIAS,      /* bias (c_out) as a column, c_out its rows: shown only
	                 * where the claim reads bias or differentiates by it */
	PANE_LET0,      /* the matrix lets the claim defines or reads (lesson
	                 * 7's cols, Wm, dY, dcols): shown only where it does, */
	PANE_LET1,      /* the one it defines first, then those it reads in */
	PANE_LET2,      /* the order it reads them (tutor_let_pane_t) */
	PANE_COUNT
} tutor_pane_t;

#define TUTOR_LET_PANES 3

/* A let drawn as a pane: one of rank 2 to 4 (a matrix, or a stack of
 * them) that the current claim defines or reads. Its last two dimensions
 * are the grid, those before them the slice, right-aligned in the pane's
 * cursor: cols[b, r, p] has cursor (0, b, r, p), Wm[c_out, r] (0, 0,
 * c_out, r). The claim that defines a let binds its indices to its pane's
 * cursor (tutor_bind); a let the claim reads follows the free variables
 * that index it by name. The values are the let's own, evaluated by the
 * verifier from its definition at the lesson's shape. */
typedef struct tutor_let_pane {
	const char *name;       /* NULL: the slot is empty */
	const claim_t *def;     /* the lesson's let claim that defines it */
	int def_flat;           /* ... its flat index in the lesson */
	int rank;               /* 2..4 */
	bool ready;             /* evaluated: dims is its shape */
	long dims[4];           /* in cursor order (unused dims 1) */
	bool im2col;            /* an im2col matrix (N, C_in*R*S, H_out*W_out):
	                         * each entry is the input pixel conv_col_pixel
	                         * names (checked entry by entry on the slice) */
} tutor_let_pane_t;

/* The input pixel that the im2col pane's cursor reads: cols[b, r, p] is
 * input[b, c_in, h_in, w_in], or padding (conv-shape.h). Computed after
 * each event; the input pane marks it { } in its window ‹ ›. */
typedef struct tutor_col_read {
	bool valid;
	tutor_pane_t pane;      /* the im2col let's pane */
	long b, r, p;
	conv_col_pixel_t px;
} tutor_col_read_t;


/* What the panes highlight for the current claim (the case structure). */
typedef enum tutor_view {
	VIEW_NONE,
	VIEW_WINDOW,    /* the receptive window of the output element in input */
	VIEW_FEEDS,     /* every output element the input element feeds */
	VIEW_TAP,       /* every input element the weight tap multiplies */
	VIEW_BIAS,      /* every output element the bias element adds to */
} tutor_view_t;

/* Per-cell marks, from tutor_mark(). */
enum {
	MARK_CURSOR = 1,    /* the pane's chosen element */
	MARK_SET = 2,       /* in the highlighted set (window, fed, tapped) */
	MARK_PARTNER = 4,   /* the one element paired with the other cursors */
	MARK_SOURCE = 8,    /* in the source's (wrong) interval, not the window */
};

/* An erratum about a window (lesson 8: +R for +R - 1, h_out1 for w_out1),
 * at the cursors: the input cells its case covers by the source's bounds,
 * beside the true window of the output cursor. Computed after each event
 * (tutor_live_update) for the input slice shown. */
typedef struct tutor_source_set {
	bool valid;             /* the current claim is such an erratum */
	long rows, cols;        /* the slice: H_in x W_in */
	unsigned char *in;      /* rows*cols: 1 where the source's case is */
	long src_r[2], src_c[2];/* its rows and columns, lo..hi (lo > hi: none) */
	long win_r[2], win_c[2];/* the window's */
} tutor_source_set_t;

/* The source's wrong claim and its correction, side by side: when the
 * current claim is an erratum (or its correction), the other one of the
 * step with the same left side, and which bytes of each text (as written)
 * changed (tok-diff.h). Set with the claim. */
typedef struct tutor_erratum_pair {
	const claim_t *src, *fix;       /* NULL: no pair */
	unsigned char *msrc, *mfix;     /* per byte of src->text, fix->text */
} tutor_erratum_pair_t;

/* Where a free variable takes its value from. */
typedef struct tutor_binding {
	tutor_pane_t pane;  /* PANE_TEXT: bound to no pane (an "extra") */
	int dim;            /* 0..3 within the pane's (NCHW-order) cursor */
} tutor_binding_t;

/* ---- lessons and cached verification ---- */

typedef struct tutor_check {
	bool valid;             /* result holds for `shape` */
	conv_shape_t shape;
	verify_result_t result;
	char *error;            /* verify_claim could not check it, or NULL */
} tutor_check_t;

typedef struct tutor_lesson {
	char *path;
	lesson_t *lesson;       /* NULL if it failed to load */
	char *load_error;
	char *skip_title;       /* left out at this shape (the groups of
	                         * conv_shape_opts_groups_skip): its title, and
	                         * load_error says why; else NULL */
	bool visited;
	conv_shape_t start;     /* its default shape, with the command line's
	                         * overrides: what the shape panel's r restores */
	conv_shape_t shape;     /* the shape it is shown at */
	int nclaims;            /* all claims of all steps */
	tutor_check_t *checks;  /* nclaims, in lesson order */
	int *step_first;        /* index into checks of each step's first claim */
	claim_t **claims;       /* nclaims, in lesson order (not owned) */
} tutor_lesson_t;

typedef enum tutor_lesson_state {
	LS_ERROR,           /* did not load */
	LS_NOT_VISITED,
	LS_PARTIAL,         /* visited, some claims not checked yet */
	LS_VERIFIED,        /* every claim holds */
	LS_ERRATUM,         /* every claim as expected, and an erratum refuted */
	LS_FAILED,          /* a claim failed */
} tutor_lesson_state_t;

/* How the lesson view shares the screen. */
typedef enum tutor_layout {
	LAYOUT_READ,        /* prose and claim, one scrolling column */
	LAYOUT_EXPLORE,     /* a few lines of prose, the claim, the panes */
} tutor_layout_t;

/* What the screen's layout measured (the UI, ui_layout, after each event
 * and before it draws: the state has no terminal to measure): the rows of
 * the lesson's text column and where the claim sits in it, how much wider
 * than its view the claim is, the help's lines. */
typedef struct tutor_measure {
	int page, rows;         /* text rows shown at once, rows in all */
	int claim_from, claim_n;/* the claim's rows in the column (n 0: none) */
	int claim_over;         /* columns the claim is wider than its view */
	int source_from;        /* the source's first row (o; 0: not shown) */
	int help_page, help_rows;
	int lab_page, lab_rows; /* the lab's report: lines shown, in all */
	int src_page, src_width;/* the source screen: rows shown, columns */
	bool src_ascii;         /* ... drawn in ASCII */
} tutor_measure_t;

/* The scroll positions, kept within the last measure by the state. */
typedef struct tutor_text {
	tutor_measure_t m;      /* the last measure (zeros: none yet) */
	int scroll;             /* first row of the text column shown */
	bool show_claim;        /* bring the claim into view at the next
	                         * measure (a new claim, step or layout) */
	bool to_source;         /* ... the source, just shown by o */
	int claim_scroll;       /* columns of a wide claim scrolled off */
	int help_scroll;        /* first line of the help shown */
	int lab_scroll;         /* first line of the lab's report shown */
} tutor_text_t;

/* ---- the whole state ---- */

typedef struct tutor {
	tutor_screen_t screen, help_return;
	int nlessons;
	tutor_lesson_t *lessons;
	int list_cursor;

	int lesson, step, claim;        /* claim: index within the step */
	tutor_pane_t focus;
	long cur[PANE_COUNT][4];        /* cur[PANE_TEXT] unused */
	tutor_layout_t layout;
	unsigned panes_used;            /* bits: the panes the claim reads */
	tutor_text_t text;              /* the text column's scrolling */
	tutor_source_set_t srcset;      /* an erratum's interval, drawn */
	tutor_erratum_pair_t pair;      /* ... and its correction beside it */
	struct tutor_live_cache {       /* the live check, after each event */
		bool valid;
		int rc;                 /* tutor_live's: 0, or -1 with err */
		verify_point_t pt;
		const char *label;
		char *err;
	} live;
	bool show_source;

	long *extra;                    /* values of unbound free variables */
	int nextra;
	bool var_focus;                 /* Tab reached the claim's unbound
	                                 * variables: arrows choose and set */
	int var_sel;                    /* which of them (0..tutor_extras-1) */

	/* Shape panel. */
	conv_shape_t edit;
	int field;
	bool typing;                    /* digits replace the field's value */
	char *shape_error;              /* the refusal's reason, or NULL */

	char *message;                  /* a one-line status, or NULL */

	verify_ctx_t *vc;               /* the world at the lesson's shape */
	int vc_lesson;                  /* whose lets vc holds, -1 none */
	bool *let_ready;                /* per claim of vc_lesson: let stored */
	/* Lets that take longer than TUTOR_LETS_SYNC_MS are evaluated by the
	 * editor's worker in a world of its own, which then replaces vc
	 * (tutor_lets_take); meanwhile what reads them waits, the keys do
	 * not. */
	struct tutor_lets_wait {
		bool pending;           /* asked, not taken yet */
		int lesson;             /* for this lesson's lets, all of them */
		conv_shape_t shape;     /* ... at this shape */
		char *error;            /* why they could not be evaluated
		                         * (not asked again at this lesson and
		                         * shape), or NULL */
		long sync_ms;           /* TUTOR_LETS_SYNC_MS (tests: 0, always
		                         * in the background) */
	} lets_wait;
	verify_opts_t opts;             /* progress/cancel set by the UI */
	struct tutor_ed *ed;            /* the claim editor, exercises, c's
	                                 * shrinking (tutor-edit.h), or NULL */
	bool auto_verify;               /* verify a step's claims on arrival */
	bool defer_verify;              /* ... not at once: set verify_pending */
	bool verify_pending;            /* the UI runs tutor_run_pending() */
	bool quit;

	/* Verification beside the interface (tutor_bg_start): whole claims
	 * are verified by a worker thread; results come in by tutor_poll. */
	struct tutor_bg *bg;            /* NULL: inside the key's action */
	bool verify_all;                /* V asked for the whole lesson */
	int verify_one;                 /* v asked for this claim (flat), -1 */

	/* Presenter mode (tutor-present.h): parts of the step shown. */
	bool present;
	int reveal;

	/* The student's progress (tutor-progress.h): NULL when not kept. */
	struct progress *progress;
	char *progress_path;
	bool progress_dirty;            /* changed since the last save */

	/* The matrix lets drawn as panes (PANE_LET0 + i), set with the claim
	 * and after each event (tutor_lets_update), and what the im2col
	 * pane's cursor reads. */
	struct tutor_lets {
		tutor_let_pane_t pane[TUTOR_LET_PANES];
		tutor_col_read_t read;
	} lets;

	/* The step-size lab (tutor-lab.h): lab_text is lab_print_text's
	 * report for lab_g_names[lab_g], NULL until L first opens it. */
	tutor_screen_t lab_return;      /* where Esc goes back to */
	int lab_g;
	char *lab_text;

	/* The source screen (tutor-source.h): NULL until o first opens it. */
	struct tutor_src *src;
} tutor_t;

/* Create the state over lesson files (already collected; copied). A lesson
 * that fails to load is listed with its error. Never NULL. */
tutor_t *tutor_create(char **paths, int npaths);
/* Create over lessons already loaded (tests); the tutor takes them. */
tutor_t *tutor_create_lessons(lesson_t **lessons, int n);
void tutor_free(tutor_t *t);    /* NULL: no-op */

/* Apply the command line's shape options (--shape, --stride, --padding,
 * --dilation) over every loaded lesson's default shape (start and
 * current). 0, or -1 with *err "PATH: --shape ... --dilation ...: why"
 * naming the first lesson whose shape they make invalid. */
int tutor_override(tutor_t *t, const conv_shape_opts_t *o, char **err);

/* Dispatch one key on the current screen through tutor_keys[]. Returns the
 * action taken (ACT_NONE if the key is not bound here). On the help screen
 * any unbound key closes help. */
tutor_action_t tutor_key(tutor_t *t, int key);
/* Perform an action; key is the key that asked for it (for digits). */
void tutor_do(tutor_t *t, tutor_action_t a, int key);

/* Open lesson i at its first step (loads the verify context). 0, or -1
 * with t->message set when it cannot be opened. */
int tutor_open(tutor_t *t, int i);
/* Go to step s of the current lesson (clamped); resets the claim. */
void tutor_goto_step(tutor_t *t, int s);

/* The current lesson, step and claim, or NULL. */
tutor_lesson_t *tutor_cur_lesson(const tutor_t *t);
lesson_step_t *tutor_cur_step(const tutor_t *t);
claim_t *tutor_cur_claim(const tutor_t *t);
tutor_check_t *tutor_cur_check(const tutor_t *t);
const conv_shape_t *tutor_shape(const tutor_t *t);

/* Pane geometry at the current shape: the slice dims (a, b) and the grid
 * (rows, cols). dims[4] in cursor order. */
void tutor_pane_dims(const tutor_t *t, tutor_pane_t p, long dims[4]);
/* Clamp every cursor into the current shape. */
void tutor_clamp(tutor_t *t);

/* The free variables' bindings for claim c (nfree entries, malloc'd). */
tutor_binding_t *tutor_bind(const claim_t *c);
/* Fill vals[c->nfree] from the cursors (and extras). */
void tutor_claim_values(const tutor_t *t, const claim_t *c, long *vals);
/* Move cursors (and extras) to vals[c->nfree]. */
void tutor_set_values(tutor_t *t, const claim_t *c, const long *vals);

/* The current claim's free variables that index no pane tensor (a let's
 * indices, a sum bound given by hand): their indices into c->free, in
 * order, in idx (room for c->nfree). Returns how many. Tab reaches them
 * after the output pane; Left/Right choose one, Up/Down change its value
 * within its range. */
int tutor_extras(const tutor_t *t, int *idx);

/* What the current claim highlights; and the marks of one cell of pane p
 * (idx in cursor order). */
tutor_view_t tutor_claim_view(const claim_t *c);
unsigned tutor_mark(const tutor_t *t, tutor_pane_t p, const long idx[4]);
/* The rows and columns (rows[0..1], cols[0..1]; lo > hi: none) of the
 * cells of pane p's slice (t->cur[p][0..1]) that tutor_mark marks MARK_SET,
 * MARK_PARTNER or MARK_SOURCE, within rows ext[0..1] and columns
 * ext[2..3], from the geometry (conv-shape.h) along each axis: no cell is
 * visited, so a 1000 x 1000 slice costs what a small one does. Not for
 * the weight pane (its marks are a tap or two: visit its cells). */
void tutor_mark_box(const tutor_t *t, tutor_pane_t p, const long ext[4],
    long rows[2], long cols[2]);
/* Does the current claim read bias or differentiate by it? Then the bias
 * pane shows: its cursor is the claim's bias index when a free variable
 * ranges over it (d .../d bias[c_out]), else the output's c_out (the
 * bias[c_out] a forward claim adds there). */
bool tutor_shows_bias(const tutor_t *t);
/* Does the current claim read the tensor pane p shows (input; weight or
 * bias; output or df)? A pane it does not use is drawn dimmed, unmarked.
 * PANE_TEXT: true. */
bool tutor_pane_used(const tutor_t *t, tutor_pane_t p);
/* Is pane p drawn at all: the bias pane where tutor_shows_bias, a let
 * pane where its slot is filled and evaluated, the others always. */
bool tutor_pane_exists(const tutor_t *t, tutor_pane_t p);
/* The let pane p shows (PANE_LET0 ...), or NULL. */
const tutor_let_pane_t *tutor_let_pane(const tutor_t *t, tutor_pane_t p);
/* Fill the let panes for the current claim, evaluating the lets they
 * show at the lesson's shape (the verifier's, from their definitions),
 * follow the claim's indices, and compute what the im2col pane's cursor
 * reads (t->lets.read). tutor_do runs it after every action on the
 * lesson view. */
void tutor_lets_update(tutor_t *t);
/* Does the output pane show df (chain rule) rather than output? */
bool tutor_shows_df(const tutor_t *t);

/* Lets evaluated on the interface thread for at most this long after an
 * action; the rest goes to the background (t->lets_wait). */
#define TUTOR_LETS_SYNC_MS 10
/* Lets evaluated in the background (tutor-edit.c's worker) for lesson
 * `lesson` at `shape`: a world of their own (vc, owned) and, per claim
 * k < upto that is a let, its result r[k] (have[k]) or its error err[k].
 * error: the world could not be made. */
typedef struct tutor_lets_done {
	int lesson, upto;
	conv_shape_t shape;
	claim_t *const *claims;         /* the lesson's (not owned) */
	verify_ctx_t *vc;
	verify_result_t *r;
	char **err;
	bool *have;
	bool cancelled;
	char *error;
} tutor_lets_done_t;
void tutor_lets_done_clear(tutor_lets_done_t *d);
/* Take d: when it is the current lesson at its shape, its world becomes
 * t->vc (what d holds is then t's), the lets' results their checks, and
 * the panes and live values are computed again. Otherwise it is left to
 * be freed. */
void tutor_lets_take(tutor_t *t, tutor_lets_done_t *d);
/* Are lets the lesson view reads still being evaluated (the main loop
 * then ticks fast, to show them as soon as they are in)? */
bool tutor_lets_waiting(const tutor_t *t);

/* Verify claim k of lesson i at its shape (cached; force re-runs). Lets
 * before it are (re)evaluated first. Returns the check. */
tutor_check_t *tutor_verify(tutor_t *t, int lesson, int k, bool force);
/* Verify the current step's claims that are not cached (or all: force). */
void tutor_verify_step(tutor_t *t, bool force);
/* Every claim of the current lesson. */
void tutor_verify_lesson(tutor_t *t);
/* Run what was deferred (defer_verify): the step's verification. */
void tutor_run_pending(tutor_t *t);

/* Verify in the background from now on: a worker thread (tutor-bg.h) runs
 * what tutor_verify_step, tutor_verify_lesson and v ask for, and the state
 * never waits for it. 0, or -1 with *err (the thread could not start:
 * verification then stays in the foreground). */
int tutor_bg_start(tutor_t *t, char **err);
/* Stop the worker (cancel, wait up to wait_ms). false if it is still
 * running: then do not tutor_free(t) (the worker reads the lessons); the
 * process is about to exit. */
bool tutor_bg_stop(tutor_t *t, int wait_ms);
/* Take the worker's finished results into the cache (and say what v or V
 * came to). true if anything changed on screen. */
bool tutor_poll(tutor_t *t);
/* Is a verification running or queued? If so, and prog is not NULL: the
 * claim running (flat index into the current lesson, or -1 when it is a
 * claim of another lesson), its progress, and how many wait. */
typedef struct tutor_progress {
	int k;
	size_t done, total;
	int queued;
} tutor_progress_t;
bool tutor_busy(const tutor_t *t, tutor_progress_t *prog);
/* Is claim k (flat) of the current lesson queued or running? */
bool tutor_claim_pending(const tutor_t *t, int k);
/* Cancel what runs and what is queued (Esc while verifying). */
void tutor_cancel(tutor_t *t);

/* The live check at the cursors for the current claim. Returns 0 with *pt
 * filled (the caller frees pt->finding), -1 with *err. *case_label: the
 * label of the step's claim whose `where` holds here (static to the
 * claim), or NULL. */
int tutor_live(tutor_t *t, verify_point_t *pt, const char **case_label,
    char **err);

/* The live check of a claim that is not the lesson's (one typed in the
 * claim editor, with the lets of steps 0..step in scope) at the cursors:
 * as tutor_live, without the case label. */
int tutor_live_claim(tutor_t *t, const claim_t *c, int step,
    verify_point_t *pt, char **err);

/* Why the current lesson's claims are not checked at its shape ("the
 * lesson does not cover padding"; verify skips such a lesson too), or
 * NULL when it covers the shape. */
const char *tutor_uncovered(const tutor_t *t);
/* Is claim c (expect fail) the source's own wrong formula, an erratum
 * (its label says "erratum" or "source"), rather than a false formula the
 * lesson sets up itself (lesson 2's d(a x)/dx = x)? */
bool tutor_claim_is_erratum(const claim_t *c);

/* Compute the live check at the cursors into t->live (the screen draws
 * it, and computes nothing). tutor_do runs it after every action on the
 * lesson view; call it after changing cursors or claim by hand. */
void tutor_live_update(tutor_t *t);

tutor_lesson_state_t tutor_lesson_state(const tutor_t *t, int i);
/* Claims of lesson i checked at its current shape (not cancelled). */
int tutor_lesson_checked(const tutor_t *t, int i);
/* Counts over a step: claims checked, failing, refuted errata. */
void tutor_step_counts(const tutor_t *t, int step, int *checked, int *bad,
    int *errata);

/* Shape panel fields, in display order. */
extern const char *const tutor_shape_fields[];
extern const int tutor_nshape_fields;

/* Set the current lesson's shape (validated; recomputes everything). 0, or
 * -1 with *err saying why it was refused. */
int tutor_set_shape(tutor_t *t, const conv_shape_t *s, char **err);

/* The screen's layout measured (the UI computes it from the terminal's
 * size after each event, before it draws). Keeps every scroll position
 * within it, and when show_claim is set scrolls the claim into view (its
 * first rows, as many as fit) and clears it. Nothing else writes them:
 * the screen only draws. */
void tutor_text_measure(tutor_t *t, const tutor_measure_t *m);

/* Replace t->message (fmt NULL clears it). */
void tutor_message(tutor_t *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
