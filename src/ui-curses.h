/*
 * ui-curses.h: the one header that includes curses, and what the ui-*
 * files share. Nothing outside ui-*.c includes it: the state they draw
 * lives in tutor.h, plain C.
 *
 *   ui-term.c    terminal setup and teardown in one place: the not-a-
 *                terminal check, newterm, colours or monochrome, signals
 *                (SIGINT/SIGTERM/SIGHUP quit, SIGTSTP suspends), the
 *                fatal() hook, key translation.
 *   ui-draw.c    drawing primitives: width-clipped UTF-8 (or transliterated
 *                ASCII) text, boxes, word wrapping by display width.
 *   ui-panes.c   the tensor panes: grids of values or shaded cells, with
 *                the chosen element and the case structure marked.
 *   ui-erratum.c an erratum against its correction, changes marked, and
 *                the source's interval against the window.
 *   ui-view.c    the screens: lesson list, shape panel, help, "terminal
 *                too small", and the lines they share.
 *   ui-lesson.c  the lesson view: prose, claim, panes, live check, verdict.
 *   ui-source.c  the source screen (o): the whole source, rendered.
 *   ui-tutor.c   convgrad tutor: options and the main loop.
 */
#ifndef CONVGRAD_UI_CURSES_H
#define CONVGRAD_UI_CURSES_H

#include "config.h"

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#if defined(HAVE_NCURSESW) && defined(__has_include)
#if __has_include(<ncursesw/curses.h>)
#include <ncursesw/curses.h>
#else
#include <curses.h>
#endif
#else
#include <curses.h>
#endif

#include <stdbool.h>

#include "tutor.h"

/* The smallest terminal the lesson view is laid out for. */
#define UI_MIN_COLS 60
#define UI_MIN_ROWS 20

/* What things look like; ui_attr() gives colour or a monochrome stand-in. */
typedef enum ui_role {
	ROLE_NORMAL,
	ROLE_TITLE,       /* the top bar */
	ROLE_HEADING,     /* a step's heading */
	ROLE_DIM,         /* labels, hints */
	ROLE_KEY,         /* a key name in the hint line */
	ROLE_FOCUS,       /* the focused pane's border */
	ROLE_CURSOR,      /* the chosen element */
	ROLE_SET,         /* the highlighted set: window, fed, tapped */
	ROLE_PARTNER,     /* the one paired element */
	ROLE_POS,         /* a positive value */
	ROLE_NEG,         /* a negative value */
	ROLE_OK,          /* holds ✓ */
	ROLE_FAIL,        /* fails ✗ */
	ROLE_ERRATUM,     /* an erratum, refuted as expected */
	ROLE_WARN,        /* messages, refusals */
	ROLE_SELECT,      /* the chosen line of a list */
	ROLE_COUNT
} ui_role_t;

/* Glyphs: Unicode or pure ASCII. */
typedef struct ui_glyphs {
	const char *h, *v, *tl, *tr, *bl, *br;   /* box drawing */
	const char *ok, *fail, *dot, *times, *ellipsis, *arrow;
	const char *cur_l, *cur_r;               /* around the chosen element */
	const char *set_l, *set_r;               /* around a highlighted element */
	const char *par_l, *par_r;               /* around the paired element */
	const char *shade[4];                    /* magnitude, low to high */
	const char *bar_done, *bar_todo;         /* progress bar */
	const char *clip_up, *clip_down, *clip_l, *clip_r; /* more off-pane */
} ui_glyphs_t;

typedef struct ui_opts {
	bool ascii;       /* --ascii, or the locale is not UTF-8 */
	bool color;       /* colour wanted: no --no-color, no NO_COLOR */
	bool present;     /* --present: no dim, high contrast, wider cells */
} ui_opts_t;

/* ---- ui-term.c ---- */

/* Can the tutor run here? 0, or -1 with *why (malloc'd) saying what is
 * missing (stdin or stdout not a terminal, TERM unset or unusable).
 * Does not touch the terminal. */
int ui_term_check(char **why);
/* Set up the terminal: signals, newterm, cbreak, noecho, keypad, colours
 * (if o->color and the terminal has them), the fatal() hook. 0, or -1 with
 * *err. */
int ui_term_init(const ui_opts_t *o, char **err);
/* Restore the terminal. Safe to call twice. */
void ui_term_done(void);
/* Did SIGINT, SIGTERM or SIGHUP ask us to quit? Handles a pending
 * suspend (Ctrl-Z) on the way: endwin, stop, and redraw on resume. */
bool ui_term_quit_requested(void);
/* The signal that asked us to quit, or 0. */
int ui_term_signal(void);
/* The next key as a TK_* / ASCII code, waiting up to timeout_ms (-1:
 * forever, 0: not at all). -1 if none. */
int ui_term_getkey(int timeout_ms);
/* Attributes for a role (colour pair or monochrome attributes). */
attr_t ui_attr(ui_role_t r);
bool ui_ascii(void);
/* Presenter mode (--present): ui_attr never dims (A_DIM washes out on a
 * projector) and every colour is bold; the panes' cells are wider where
 * the screen has room (ui_pane_set_spacing). */
bool ui_present(void);
const ui_glyphs_t *ui_glyphs(void);

/* ---- ui-draw.c ---- */

/* Draw UTF-8 s at (y, x), at most maxw display columns, in attr; in ASCII
 * mode non-ASCII characters are transliterated (∂ -> d, · -> *). Returns
 * the columns used. */
int ui_put(int y, int x, int maxw, attr_t attr, const char *s);
/* Like ui_put, but fills the rest of maxw with spaces. */
void ui_put_fill(int y, int x, int maxw, attr_t attr, const char *s);
/* s after its first cols display columns (for horizontal scrolling). */
const char *ui_skip(const char *s, int cols);
/* Display width of s as ui_put would draw it. */
int ui_width(const char *s);
/* A box with an optional title in its top border. */
void ui_box(int y, int x, int h, int w, const char *title, attr_t attr);
/* Wrap text to width columns (paragraphs on blank lines, words on
 * spaces, over-long words cut). Returns a malloc'd array of malloc'd
 * lines; *n set. Free with ui_lines_free. */
char **ui_wrap(const char *text, int width, int *n);
void ui_lines_free(char **lines, int n);
/* Clear a rectangle. */
void ui_clear(int y, int x, int h, int w);

/* ---- ui-panes.c ---- */

/* The columns a pane needs to show every column of its grid (with its
 * row labels), values or shaded cells; and the least it is given (two
 * shaded cells). */
int ui_pane_width(const tutor_t *t, tutor_pane_t p, bool values);
/* Columns added to every cell from now on (0: none): presenter mode's
 * wider cells, set by the layout when they fit (ui-lesson.c). */
void ui_pane_set_spacing(int extra);
int ui_pane_min_width(const tutor_t *t, tutor_pane_t p);
/* Draw pane p in the rectangle: a row of column labels, row labels on the
 * left, the input's zero padding as dots around it, the grid scrolled to keep the cursor and the whole marked set
 * (the window) in view, ▴ ▾ ◂ ▸ where rows or columns are off-pane. A pane
 * the claim does not use is dimmed, unmarked, and says so in its title.
 * values: numbers, else shaded cells. */
void ui_pane_draw(const tutor_t *t, tutor_pane_t p, int y, int x, int h,
    int w, bool values);

/* ---- ui-erratum.c ---- */

/* The erratum beside its correction (t->pair, the changed tokens marked)
 * and the source's interval beside the window (t->srcset), as rows of the
 * text column w wide: how many (0: nothing to show); and row i drawn at
 * (y, x). */
int ui_erratum_rows(const tutor_t *t, int w);
void ui_erratum_row(const tutor_t *t, int w, int i, int y, int x);

/* ---- ui-view.c ---- */

/* After each event, before drawing: measure what the layout needs (the
 * text column's rows and where the claim is in it, the help's lines) and
 * give it to the state (tutor_text_measure), which keeps its scroll
 * positions within it. The one ui function that changes the state. */
void ui_layout(tutor_t *t);
/* Draw the whole screen for t's state (then refresh). Only draws: every
 * draw function takes the state const. */
void ui_draw(const tutor_t *t);
/* Lines every screen shares: the title bar (row 0), the message or shape
 * line (or, while a verification runs, its progress), and the key hint
 * line (the last row) from tutor_keys[]. */
void ui_title_bar(const char *left, const char *right);
void ui_message_line(const tutor_t *t, int y);
void ui_hint_line(const tutor_t *t);

/* ---- ui-source.c ---- */

/* The source screen (tutor-source.h): the rows the state laid out, from
 * its scroll positions, ‹ › where a formula's row is cut at an edge, the
 * lines the step quotes marked; and its measure (rows, width, ASCII). */
void ui_draw_source(const tutor_t *t);
void ui_source_measure(tutor_measure_t *m);

/* ---- ui-lesson.c ---- */

/* The lesson view: heading, prose, claim (or source), panes, live check,
 * verification. */
void ui_draw_lesson(const tutor_t *t);
/* What the lesson view's layout needs the state to know (zeros when no
 * lesson is open): ui_layout's part for the lesson view. */
void ui_lesson_measure(const tutor_t *t, tutor_measure_t *m);

#endif
