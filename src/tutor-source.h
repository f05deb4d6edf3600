/*
 * tutor-source.h: the tutor's source screen (SCR_SOURCE, key o; issue 9):
 * the whole source derivation, scrollable, rendered as Markdown would be
 * (headings, prose, and each formula drawn in 2-D by tex-layout.h, as the
 * claim printer draws claims), or verbatim (v: the file as written, with
 * line numbers). No curses here: the state lays the source out to the
 * width the screen measured, and keeps the scroll positions; ui-source.c
 * only draws the rows.
 *
 * The source is lessons/source/conv2d-derivation.md, kept verbatim in the
 * project and installed beside the lessons ($(pkgdatadir)/lessons/source);
 * $CONVGRAD_SOURCE names another file. When it cannot be read, the screen
 * shows the step's own quote (its ```source blocks) and says why.
 *
 * Opened from a step, the screen starts at the first line the step quotes
 * and marks the lines it quotes. A formula the subset does not read (an
 * unknown command, an unbalanced brace) is shown as written, with why.
 * Formulas wider than the screen scroll sideways (Left/Right), all at
 * once; the rows cut at an edge are marked there (‹ ›).
 */
#ifndef CONVGRAD_TUTOR_SOURCE_H
#define CONVGRAD_TUTOR_SOURCE_H

#include <stdbool.h>

#include "expr.h"
#include "tutor.h"

typedef enum tsrc_kind {
	TSRC_BLANK,
	TSRC_HEADING,           /* a heading's text, its math rendered */
	TSRC_TEXT,              /* prose, wrapped */
	TSRC_FORMULA,           /* a row of a formula's 2-D box: not wrapped,
	                         * it scrolls sideways */
	TSRC_NOTE,              /* the screen's own words (why a formula is
	                         * shown as written, an HTML comment) */
	TSRC_RAW,               /* the source as written */
} tsrc_kind_t;

typedef struct tsrc_row {
	char *text;             /* UTF-8 */
	int width;              /* its display columns */
	tsrc_kind_t kind;
	int line;               /* the source line it shows (from 1) */
	bool first;             /* the first row of that line (verbatim:
	                         * where its number is written) */
} tsrc_row_t;

/* The rows of src laid out width columns wide, in style st (PP_UNICODE
 * or PP_ASCII), rendered or verbatim. Returns the rows (malloc'd, *n of
 * them; free with tsrc_rows_free) and in *bad how many formulas were not
 * in the subset (shown as written). Text rows are never wider than width;
 * formula rows may be. width < 10 is taken as 10. */
tsrc_row_t *tsrc_layout(const char *src, int width, pp_style_t st,
    bool verbatim, int *n, int *bad);
void tsrc_rows_free(tsrc_row_t *rows, int n);

/* The lines of src (from 1) that quote holds, each non-blank line of
 * quote matched (spaces at either end ignored) in order, each after the
 * one before: *from and *to the first and last, marks[line] set (marks
 * has room for the lines of src, plus one). 0 when none matched. */
int tsrc_find_quote(const char *src, const char *quote, int *from, int *to,
    bool *marks);

/* The source screen's state (t->src). */
typedef struct tutor_src {
	char *path;             /* the file shown, or NULL: the step's quote */
	char *text;             /* what is shown */
	char *note;             /* why the file is not shown, or NULL */
	int nlines;             /* lines of text */
	bool *quoted;           /* [nlines + 1]: lines the step quotes */
	int quote_from, quote_to;       /* 0: the step quotes none of it */
	bool verbatim;
	/* Laid out for: */
	int width;
	pp_style_t style;
	bool laid_verbatim;
	tsrc_row_t *rows;
	int nrows, bad;
	int max_width;          /* the widest row */
	/* Scrolling, kept within the measure. */
	int page;               /* rows shown at once */
	int scroll, hscroll;
	int goto_line;          /* bring this line to the top at the next
	                         * measure (0: none) */
	tutor_screen_t back;    /* where Esc returns */
} tutor_src_t;

/* The file the screen shows: $CONVGRAD_SOURCE, else the lessons'
 * directory's source/conv2d-derivation.md (lesson_default_dir). Static
 * or the environment's string. */
const char *tutor_source_path(void);

/* o on the lesson view: open the screen at the part the current step
 * quotes (the top if none; t->message says so). The file is read at the
 * first open. */
void tutor_source_open(tutor_t *t);
/* An action on the source screen: scroll (Up/Down a row, PgUp/PgDn a
 * page, g/G the top, the end; Left/Right sideways), v rendered/verbatim,
 * Esc or o back. true if it was one. */
bool tutor_source_action(tutor_t *t, tutor_action_t a);
/* The screen's size (from tutor_text_measure): rows shown, width, ASCII
 * or not. Lays the source out again if those changed, keeping the line
 * at the top; clamps the scroll. */
void tutor_source_measure(tutor_t *t, int page, int width, bool ascii);
/* Free t->src (tutor_free). */
void tutor_source_free(tutor_t *t);

#endif
