/*
 * tutor-present.h: presenter mode (convgrad --present), for a teacher at a
 * projector: a step is revealed one part at a time. Its parts, in order:
 * the prose paragraph by paragraph (the lesson's introduction's paragraphs
 * first, on step 1), then the claim (and an exercise's prompt), then the
 * verdict (the verification, the claim's mark, the live check's values;
 * an exercise's stay hidden until answered, tutor-edit.h). Space reveals the next part;
 * once everything is shown it pages the prose as usual. Arriving at a step
 * shows its first paragraph only.
 *
 * The state computes what is shown; ui-lesson.c asks these functions and
 * only draws. Without presenter mode (t->present false) everything is
 * shown, and the functions say so.
 */
#ifndef CONVGRAD_TUTOR_PRESENT_H
#define CONVGRAD_TUTOR_PRESENT_H

#include <stdbool.h>

#include "tutor.h"

/* The current step's prose as it is drawn: the introduction (step 1) and
 * the prose, separated by a blank line, cut after the paragraphs revealed.
 * malloc'd; "" when there is none. */
char *tutor_present_prose(const tutor_t *t);
/* Paragraphs of the current step's prose (with the introduction's). */
int tutor_present_paragraphs(const tutor_t *t);
/* The current step's parts: paragraphs, and the claim and its verdict
 * when the step has claims. */
int tutor_present_parts(const tutor_t *t);

/* Is the claim shown yet? Its verdict? (Always, outside presenter mode.) */
bool tutor_present_shows_claim(const tutor_t *t);
bool tutor_present_shows_verdict(const tutor_t *t);
/* What Space reveals next, for the screen's hint ("the next paragraph",
 * "the claim", "the verdict"), or NULL when all is shown. Static. */
const char *tutor_present_next_name(const tutor_t *t);

/* Space: reveal the next part and bring it into view. false (nothing
 * done) outside presenter mode or when all is shown: Space then pages. */
bool tutor_present_next(tutor_t *t);
/* A step was arrived at: only its first part is shown. */
void tutor_present_reset(tutor_t *t);

#endif
