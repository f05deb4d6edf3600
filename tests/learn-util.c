/*
 * learn-util.c: see learn-util.h.
 */
#include <stdlib.h>

#include "check-util.h"
#include "learn-util.h"
#include "util.h"

lesson_t *
learn_lesson_load(const char *name)
{
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/lessons/%s", top ? top : CONVGRAD_SRCDIR,
	    name), *err = NULL;
	lesson_t *l = lesson_load(path, &err);

	ck_assert_msg(l != NULL, "%s", err ? err : "?");
	free(path);
	return l;
}
