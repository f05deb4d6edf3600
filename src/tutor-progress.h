/*
 * tutor-progress.h: the tutor's side of the progress store (progress.h):
 * what counts as a step seen (drawn on the screen), an exercise solved
 * (the judge accepted the student's claim), the last place (the screen
 * the student was on), where the tutor opens next time, and the lesson
 * list's per-lesson summary ("5/7 steps · 1/2 exercises").
 *
 * A lesson is known to the store by its file name (no directory), so the
 * bundled lessons keep their progress when installed elsewhere; an
 * exercise by "STEP.K" (both from 1, as the screen numbers them).
 *
 * Without tutor_progress_open (the tests of tutor.c), every function here
 * is a no-op and nothing is written anywhere.
 */
#ifndef CONVGRAD_TUTOR_PROGRESS_H
#define CONVGRAD_TUTOR_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "tutor.h"

/* Load the progress from path (NULL: progress_default_path()) into t; from
 * now on t records it. 0; or 1 with *warn (malloc'd) when the file was
 * corrupt or unreadable (set aside, progress starts afresh) or there is
 * nowhere to keep it (no HOME: progress is then not kept). Never fatal. */
int tutor_progress_open(tutor_t *t, const char *path, char **warn);
/* Forget the store (tutor_free calls it). Saves nothing. */
void tutor_progress_close(tutor_t *t);

/* The screen as drawn is what the student has seen: on the lesson view
 * (or the shape panel over it) the step is marked seen and is the last
 * place; on the list the last place is the list at the chosen lesson.
 * The UI calls it after each draw. */
void tutor_progress_note(tutor_t *t);
/* The judge accepted the student's answer to exercise k (from 0) of step
 * step (from 0) of the current lesson. */
void tutor_progress_solved(tutor_t *t, int step, int k);
/* Was it solved (in this run or an earlier one)? */
bool tutor_progress_is_solved(const tutor_t *t, int lesson, int step, int k);

/* Is there something new to save? */
bool tutor_progress_dirty(const tutor_t *t);
/* Save (merged with what another tutor saved meanwhile, atomically; see
 * progress.h). 0 (also when not open or nothing changed), or -1 with *err
 * naming the file. */
int tutor_progress_save(tutor_t *t, char **err);

/* Open the last place, if it is among t's lessons: the lesson at its
 * step, or the list with that lesson chosen. true if it moved. */
bool tutor_progress_resume(tutor_t *t);

/* Lesson i's progress for the lesson list: "5/7 steps · 1/2 exercises"
 * ("5/7 steps" when it has no exercises; short: "5/7 st · 1/2 ex" for a
 * narrow screen), in buf; false (buf untouched) when none of its steps was
 * ever seen. */
bool tutor_progress_summary(const tutor_t *t, int i, bool short_form,
    char *buf, size_t len);

#endif
