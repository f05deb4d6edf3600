/*
 * tutor-lab.c: the step-size lab screen's state (see tutor-lab.h).
 */
#include "tutor-lab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "util.h"

static int
g_count(void)
{
	int n = 0;

	while (lab_g_names[n] != NULL)
		n++;
	return n;
}

/* The report for g, as text: 0 with *text (malloc'd), or -1 with *err. */
static int
lab_report(int g, char **text, char **err)
{
	lab_opts_t o;
	lab_result_t *r = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	*text = NULL;
	lab_opts_default(&o);
	o.g = (lab_g_t)g;
	if (lab_step_size(&o, &r, err) != 0)
		return -1;
	f = open_memstream(&buf, &len);
	if (f == NULL) {
		lab_result_free(r);
		*err = xstrdup("the lab's report: out of memory");
		return -1;
	}
	lab_print_text(f, r);
	lab_result_free(r);
	if (ferror(f) != 0) {
		fclose(f);
		free(buf);
		*err = xstrdup("the lab's report: could not be written");
		return -1;
	}
	if (fclose(f) != 0) {
		free(buf);
		*err = xstrdup("the lab's report: out of memory");
		return -1;
	}
	*text = buf;
	return 0;
}

/* Compute g's report into t; false (t unchanged but the message) if not. */
static bool
lab_set(tutor_t *t, int g)
{
	char *text = NULL, *err = NULL;

	if (lab_report(g, &text, &err) != 0) {
		tutor_message(t, "lab (g = %s): %s", lab_g_names[g], err);
		free(err);
		return false;
	}
	free(t->lab_text);
	t->lab_text = text;
	t->lab_g = g;
	t->text.lab_scroll = 0;
	return true;
}

void
tutor_lab_open(tutor_t *t)
{
	if (t->lab_text == NULL) {
		lab_opts_t o;

		lab_opts_default(&o);
		if (!lab_set(t, (int)o.g))
			return;
	}
	t->lab_return = t->screen;
	t->screen = SCR_LAB;
	tutor_message(t, NULL);
}

void
tutor_lab_next_g(tutor_t *t)
{
	if (lab_set(t, (t->lab_g + 1) % g_count()))
		tutor_message(t, NULL);
}

const char *
tutor_lab_g_name(const tutor_t *t)
{
	return lab_g_names[t->lab_g];
}

int
tutor_lab_count_lines(const char *text)
{
	int n = 0;

	if (text == NULL)
		return 0;
	for (; *text != '\0'; text++)
		if (*text == '\n' || text[1] == '\0')
			n++;
	return n;
}

void
tutor_lab_clear(tutor_t *t)
{
	free(t->lab_text);
	t->lab_text = NULL;
}
