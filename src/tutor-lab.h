/*
 * tutor-lab.h: the tutor's step-size lab screen (SCR_LAB, key L; issue 11
 * item 4). The report is lab.h's lab_print_text at the lab's default
 * options with the chosen g, captured here as text so that the UI only
 * draws lines (no computing in draw code). No curses here.
 *
 * The sweep runs inside the key's action: at the default shape it is
 * about 200 forward passes of 54 outputs (some 10 ms, bounded by
 * LAB_MAX_WORK), inside the 50 ms a key may take. Other shapes are for
 * `convgrad lab step-size`.
 */
#ifndef CONVGRAD_TUTOR_LAB_H
#define CONVGRAD_TUTOR_LAB_H

#include "tutor.h"

/* L: open the lab, from the list or the lesson view (Esc returns there).
 * The first open computes the report for the default g (tanh); later
 * opens show the last g's report again. On failure the screen does not
 * change and t->message says why. */
void tutor_lab_open(tutor_t *t);
/* g on the lab: the next function of lab_g_names (after relu, linear),
 * recomputed, scrolled to the top. On failure the last report stays and
 * t->message says why. */
void tutor_lab_next_g(tutor_t *t);
/* The name of the g whose report is shown ("tanh", ...). */
const char *tutor_lab_g_name(const tutor_t *t);
/* Lines of text (each ending in '\n'; a last one without counts too). */
int tutor_lab_count_lines(const char *text);
/* Free the report (tutor_free). */
void tutor_lab_clear(tutor_t *t);

#endif
