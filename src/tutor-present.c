/*
 * tutor-present.c: presenter mode's reveal, one part at a time (see
 * tutor-present.h). A paragraph is a run of non-blank lines, as ui_wrap
 * breaks paragraphs on blank lines.
 */
#include "tutor-present.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The whole prose of the current step (malloc'd). */
static char *
whole_prose(const tutor_t *t)
{
	const tutor_lesson_t *tl = tutor_cur_lesson(t);
	const lesson_step_t *st = tutor_cur_step(t);
	const char *prose = st != NULL && st->prose != NULL ? st->prose : "";

	if (st == NULL)
		return xstrdup("");
	if (t->step == 0 && tl->lesson->intro != NULL && tl->lesson->intro[0])
		return xasprintf("%s\n\n%s", tl->lesson->intro, prose);
	return xstrdup(prose);
}

static bool
blank_line(const char *s, const char **next)
{
	const char *e = strchr(s, '\n');
	size_t n = e != NULL ? (size_t)(e - s) : strlen(s);
	bool blank = strspn(s, " \t\r") >= n;

	*next = e != NULL ? e + 1 : s + n;
	return blank;
}

/* Count the paragraphs of text; with stop_after > 0, the offset where the
 * stop_after-th one ends instead (the whole length if it has fewer). */
static size_t
paragraphs(const char *text, int stop_after)
{
	const char *s = text, *next;
	bool in = false;
	int n = 0;

	while (*s != '\0') {
		bool blank = blank_line(s, &next);

		if (!blank && !in)
			n++;
		if (blank && in && n == stop_after)
			return (size_t)(s - text);
		in = !blank;
		s = next;
	}
	return stop_after > 0 ? strlen(text) : (size_t)n;
}

int
tutor_present_paragraphs(const tutor_t *t)
{
	char *text = whole_prose(t);
	int n = (int)paragraphs(text, 0);

	free(text);
	return n;
}

int
tutor_present_parts(const tutor_t *t)
{
	const lesson_step_t *st = tutor_cur_step(t);

	return tutor_present_paragraphs(t) +     /* an exercise is a claim */
	    (st != NULL && st->nclaims + st->nexercises > 0 ? 2 : 0);
}

char *
tutor_present_prose(const tutor_t *t)
{
	char *text = whole_prose(t);
	size_t end;

	if (!t->present)
		return text;
	end = paragraphs(text, t->reveal > 0 ? t->reveal : 1);
	while (end > 0 && text[end - 1] == '\n')
		end--;
	text[end] = '\0';
	return text;
}

bool
tutor_present_shows_claim(const tutor_t *t)
{
	return !t->present || t->reveal > tutor_present_paragraphs(t);
}

bool
tutor_present_shows_verdict(const tutor_t *t)
{
	return !t->present || t->reveal > tutor_present_paragraphs(t) + 1;
}

const char *
tutor_present_next_name(const tutor_t *t)
{
	int paras = tutor_present_paragraphs(t);

	if (!t->present || t->reveal >= tutor_present_parts(t))
		return NULL;
	if (t->reveal < paras)
		return "the next paragraph";
	return t->reveal == paras ? "the claim" : "the verdict";
}

bool
tutor_present_next(tutor_t *t)
{
	int paras;

	if (tutor_present_next_name(t) == NULL)
		return false;
	paras = tutor_present_paragraphs(t);
	t->reveal++;
	if (t->reveal <= paras)         /* the new paragraph: at the bottom */
		t->text.scroll = INT_MAX / 2;  /* (the draw clamps it) */
	else if (t->reveal == paras + 1)
		t->text.show_claim = true;   /* the reading layout scrolls to it */
	return true;
}

void
tutor_present_reset(tutor_t *t)
{
	t->reveal = 1;
}
