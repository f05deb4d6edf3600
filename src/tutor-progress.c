/*
 * tutor-progress.c: the tutor's side of the progress store (see
 * tutor-progress.h). The store itself (file format, atomic save, merging
 * with another tutor's save, corrupt files set aside) is progress.c.
 */
#include "tutor-progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "util.h"

/* The name the store knows lesson i by: its file name. */
static const char *
lesson_key(const tutor_t *t, int i)
{
	const char *p = t->lessons[i].path, *slash = strrchr(p, '/');

	return slash != NULL && slash[1] != '\0' ? slash + 1 : p;
}

/* A file name with a tab or a newline cannot be a record's field: such a
 * lesson's progress is not kept (rather than a corrupt file). */
static bool
keyable(const tutor_t *t, int i)
{
	return i >= 0 && i < t->nlessons &&
	    strpbrk(lesson_key(t, i), "\t\n") == NULL;
}

int
tutor_progress_open(tutor_t *t, const char *path, char **warn)
{
	char *p = path != NULL ? xstrdup(path) : progress_default_path();

	tutor_progress_close(t);
	if (p == NULL)
		return set_error(warn, "neither XDG_STATE_HOME nor HOME is set: "
		    "progress is not kept"), 1;
	t->progress = progress_create();
	t->progress_path = p;
	return progress_load(t->progress, p, warn) == 0 ? 0 : 1;
}

void
tutor_progress_close(tutor_t *t)
{
	progress_free(t->progress);
	free(t->progress_path);
	t->progress = NULL;
	t->progress_path = NULL;
	t->progress_dirty = false;
}

/* Set the last place unless it is that already. */
static void
set_last(tutor_t *t, int lesson, int step)
{
	const char *l;
	int s;

	if (progress_last(t->progress, &l, &s) && s == step &&
	    strcmp(l, lesson_key(t, lesson)) == 0)
		return;
	progress_set_last(t->progress, lesson_key(t, lesson), step);
	t->progress_dirty = true;
}

void
tutor_progress_note(tutor_t *t)
{
	const char *key;

	if (t->progress == NULL)
		return;
	if ((t->screen == SCR_LESSON || t->screen == SCR_SHAPE) &&
	    tutor_cur_step(t) != NULL && keyable(t, t->lesson)) {
		key = lesson_key(t, t->lesson);
		if (!progress_seen(t->progress, key, t->step)) {
			progress_mark_seen(t->progress, key, t->step);
			t->progress_dirty = true;
		}
		set_last(t, t->lesson, t->step);
	} else if (t->screen == SCR_LIST && keyable(t, t->list_cursor))
		set_last(t, t->list_cursor, PROGRESS_LIST);
}

static void
exercise_name(int step, int k, char buf[32])
{
	snprintf(buf, 32, "%d.%d", step + 1, k + 1);
}

void
tutor_progress_solved(tutor_t *t, int step, int k)
{
	char name[32];

	if (t->progress == NULL || tutor_cur_lesson(t) == NULL ||
	    !keyable(t, t->lesson))
		return;
	exercise_name(step, k, name);
	if (progress_solved(t->progress, lesson_key(t, t->lesson), name))
		return;
	progress_mark_solved(t->progress, lesson_key(t, t->lesson), name);
	t->progress_dirty = true;
}

bool
tutor_progress_is_solved(const tutor_t *t, int lesson, int step, int k)
{
	char name[32];

	if (t->progress == NULL || !keyable(t, lesson))
		return false;
	exercise_name(step, k, name);
	return progress_solved(t->progress, lesson_key(t, lesson), name);
}

bool
tutor_progress_dirty(const tutor_t *t)
{
	return t->progress != NULL && t->progress_dirty;
}

int
tutor_progress_save(tutor_t *t, char **err)
{
	if (!tutor_progress_dirty(t))
		return 0;
	if (progress_save(t->progress, t->progress_path, err) != 0)
		return -1;
	t->progress_dirty = false;
	return 0;
}

bool
tutor_progress_resume(tutor_t *t)
{
	const char *l;
	int s, i;

	if (t->progress == NULL || !progress_last(t->progress, &l, &s))
		return false;
	for (i = 0; i < t->nlessons; i++)
		if (strcmp(lesson_key(t, i), l) == 0 && t->lessons[i].lesson != NULL)
			break;
	if (i == t->nlessons)
		return false;   /* a lesson of another directory, or gone */
	if (s == PROGRESS_LIST) {
		t->screen = SCR_LIST;
		t->list_cursor = i;
		return true;
	}
	if (tutor_open(t, i) != 0)
		return false;
	tutor_goto_step(t, s);  /* clamped: the lesson may have shrunk */
	tutor_message(t, "resumed where you left off, at step %d of %d",
	    t->step + 1, t->lessons[i].lesson->nsteps);
	return true;
}

bool
tutor_progress_summary(const tutor_t *t, int i, bool short_form, char *buf,
    size_t len)
{
	const lesson_t *l = t->lessons[i].lesson;
	int s, k, seen = 0, nex = 0, solved = 0;

	if (t->progress == NULL || l == NULL || !keyable(t, i))
		return false;
	for (s = 0; s < l->nsteps; s++) {
		seen += progress_seen(t->progress, lesson_key(t, i), s);
		for (k = 0; k < l->steps[s].nexercises; k++, nex++)
			solved += tutor_progress_is_solved(t, i, s, k);
	}
	if (seen == 0 && solved == 0)
		return false;
	if (nex == 0)
		snprintf(buf, len, "%d/%d steps", seen, l->nsteps);
	else if (short_form)
		snprintf(buf, len, "%d/%d st %s %d/%d ex", seen, l->nsteps, "·",
		    solved, nex);
	else
		snprintf(buf, len, "%d/%d steps %s %d/%d exercises", seen,
		    l->nsteps, "·", solved, nex);
	return true;
}
