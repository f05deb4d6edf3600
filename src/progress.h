/*
 * progress.h: the student's progress (issue 10): the steps seen, the
 * exercises solved, the last place, kept in
 * $XDG_STATE_HOME/convgrad/progress (default ~/.local/state/...). The
 * tutor's side (what counts as seen, solved, where to resume) is in
 * tutor-progress.h; this store knows nothing of lessons.
 *
 * The file is text, one record a line, fields separated by tabs:
 *   convgrad-progress 1            the first line
 *   seen  LESSON STEP              a step seen (STEP from 0)
 *   solved LESSON EXERCISE         an exercise solved (its name)
 *   last  LESSON STEP              where the student left off
 *   last  LESSON list              ... on the lesson list, at LESSON
 * LESSON is the lesson's file name (no tab or newline in it).
 *
 * Saving is atomic and safe for two writers (two tutors at once): under an
 * exclusive lock on PATH.lock, the file on disk is read again and merged
 * (the union of seen and solved; last is the saver's), written to a
 * temporary file and renamed over PATH. A corrupt or unreadable file is
 * never fatal: loading renames it PATH.corrupt-YYYYMMDD-HHMMSS (a second
 * corrupt file does not overwrite the first), says so, and starts empty.
 */
#ifndef CONVGRAD_PROGRESS_H
#define CONVGRAD_PROGRESS_H

#include <stdbool.h>

typedef struct progress progress_t;

progress_t *progress_create(void);
void progress_free(progress_t *p);      /* NULL: no-op */

/* $XDG_STATE_HOME/convgrad/progress, or $HOME/.local/state/convgrad/progress
 * (malloc'd); NULL when neither variable is set. */
char *progress_default_path(void);

/* Read path into p (replacing what p had). A missing file is an empty
 * progress: 0. A corrupt one (no header, an unknown record, a bad number)
 * or an unreadable one is renamed PATH.corrupt-TIME (when it exists), p is left
 * empty, and 1 is returned with *warn saying what was wrong, where, and
 * where the file went ("corrupt progress file, progress starts afresh:
 * PATH:LINE: WHY; set aside as PATH.corrupt-TIME"). */
int progress_load(progress_t *p, const char *path, char **warn);
/* Merge with the file on disk and write it (see above), creating its
 * directory. 0, or -1 with *err naming the file. */
int progress_save(progress_t *p, const char *path, char **err);

/* The records. lesson and name must hold no tab or newline (asserted). */
void progress_mark_seen(progress_t *p, const char *lesson, int step);
bool progress_seen(const progress_t *p, const char *lesson, int step);
int progress_count_seen(const progress_t *p, const char *lesson);
void progress_mark_solved(progress_t *p, const char *lesson,
    const char *exercise);
bool progress_solved(const progress_t *p, const char *lesson,
    const char *exercise);
/* The last place: step from 0, or PROGRESS_LIST for the lesson list with
 * lesson chosen. */
#define PROGRESS_LIST (-1)
void progress_set_last(progress_t *p, const char *lesson, int step);
/* The last place: false if none; *lesson is owned by p. */
bool progress_last(const progress_t *p, const char **lesson, int *step);

#endif
