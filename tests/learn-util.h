/*
 * learn-util.h: what the tests of issue 10's modules (shrink, exercise)
 * share: a bundled lesson loaded by name from the source tree.
 */
#ifndef CONVGRAD_LEARN_UTIL_H
#define CONVGRAD_LEARN_UTIL_H

#include "lesson.h"

/* lessons/NAME under $top_srcdir (or the configured source directory);
 * fails the running test if it does not load. The caller frees it. */
lesson_t *learn_lesson_load(const char *name);

#endif
