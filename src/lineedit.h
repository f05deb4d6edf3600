/*
 * lineedit.h: a one-line editor as a state machine, for the tutor's claim
 * line (issue 10's `e` and `:`). No curses and no terminal: the caller
 * maps its keys to lineedit_key values and draws lineedit_text() with the
 * cursor at lineedit_cursor(). So every editing key is tested without a
 * terminal.
 *
 * The text is bytes; the cursor moves by whole UTF-8 characters (a
 * continuation byte is never a stop). History: lineedit_accept() adds the
 * line (not a blank one, not a repeat of the last), Up and Down walk it
 * (the line being written is kept and comes back after the newest), and
 * lineedit_history_load/save keep it in a file, one entry a line, the
 * newest LINEEDIT_HISTORY_MAX (a line past LINEEDIT_MAX is dropped on
 * loading). Tab completes the word before the cursor
 * from a list of names (tensors, constants): one match is completed, several
 * are completed to their common prefix.
 */
#ifndef CONVGRAD_LINEEDIT_H
#define CONVGRAD_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

/* The longest line, in bytes: a key that would pass it does nothing. */
#define LINEEDIT_MAX 4096
#define LINEEDIT_HISTORY_MAX 200

typedef enum lineedit_key {
	LE_LEFT, LE_RIGHT, LE_HOME, LE_END,
	LE_BACKSPACE, LE_DELETE,
	LE_KILL_LINE,          /* ^U: the text before the cursor */
	LE_KILL_WORD,          /* ^W: the word before the cursor */
	LE_UP, LE_DOWN,        /* history */
	LE_TAB,                /* complete */
} lineedit_key_t;

typedef struct lineedit lineedit_t;

lineedit_t *lineedit_create(void);
void lineedit_free(lineedit_t *e);                /* NULL: no-op */

/* Insert bytes at the cursor (a typed character, a paste; newlines and
 * other control bytes are dropped). false: the line would pass
 * LINEEDIT_MAX (nothing inserted). */
bool lineedit_insert(lineedit_t *e, const char *s);
/* One editing key. false: it did nothing (a bell, for the caller). */
bool lineedit_key(lineedit_t *e, lineedit_key_t k);
/* Replace the text (cursor at its end). */
void lineedit_set(lineedit_t *e, const char *s);

/* Put the cursor at byte offset at (clamped to the text, moved back to
 * the start of the character it falls in). */
void lineedit_set_cursor(lineedit_t *e, size_t at);

const char *lineedit_text(const lineedit_t *e);  /* NUL-terminated */
size_t lineedit_cursor(const lineedit_t *e);     /* a byte offset */

/* The names Tab completes from (copied; NULL, 0: none). */
void lineedit_set_names(lineedit_t *e, const char *const *names, int n);

/* Enter: the line goes into the history and the editor is emptied.
 * Returns the line (malloc'd; the caller frees it). */
char *lineedit_accept(lineedit_t *e);

int lineedit_history_count(const lineedit_t *e);
/* Entry i, 0 the oldest. */
const char *lineedit_history(const lineedit_t *e, int i);
/* Read the history from path (a missing file is an empty history).
 * 0, or -1 with *err naming the file. */
int lineedit_history_load(lineedit_t *e, const char *path, char **err);
/* Write it to path, through a temporary file renamed over it, every
 * write checked. 0, or -1 with *err naming the file. */
int lineedit_history_save(const lineedit_t *e, const char *path, char **err);

#endif
