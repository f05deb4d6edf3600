/*
 * fuzz-tutor.c: libFuzzer harness for the tutor's key handling (the state
 * machine in tutor.c, which has no curses in it). The tutor is opened on
 * the test lesson; every input byte is one key: bytes below 0x80 as
 * themselves (letters, digits, Enter, Tab, Esc, ...), the others as the
 * special keys (arrows, pages, Home, End, Backspace, F1, Back-Tab,
 * resize), and the cursors are clamped after it as the front end does.
 * Verification runs inline (no background thread); 'q' ends the input.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lesson.h"
#include "tutor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_SECONDS 2.0
static double deadline;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static bool
past_deadline(void *ud)
{
	(void)ud;
	return now_s() > deadline;
}

static int
key_of(uint8_t b)
{
	static const int special[] = { TK_UP, TK_DOWN, TK_LEFT, TK_RIGHT,
	    TK_PGUP, TK_PGDN, TK_HOME, TK_END, TK_BACKSPACE, TK_F1, TK_BTAB,
	    TK_RESIZE };

	if (b < 0x80)
		return b;
	return special[b % (sizeof special / sizeof special[0])];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = (char *)CONVGRAD_SRCDIR "/tests/data/tutor-lesson.md";
	tutor_t *t;
	size_t i;

	if (size > 64)          /* long sequences only repeat short ones */
		size = 64;
	t = tutor_create(&path, 1);
	/* Verification runs inline here, where the tutor runs it in the
	 * background: a shape typed into the shape panel (N=33, say) would
	 * make one key take minutes, which is no finding. Bound each claim
	 * by a sample and a work limit instead, as a cancel would. */
	t->opts.max_tuples = 512;
	t->opts.max_work = 1e6;
	t->opts.max_bytes = (size_t)64 << 20;
	/* and the whole input by the clock: past INPUT_SECONDS every claim
	 * is cancelled at once, as Esc would (libFuzzer's own limit is 10 s) */
	deadline = now_s() + INPUT_SECONDS;
	t->opts.cancelled = past_deadline;
	for (i = 0; i < size; i++) {
		tutor_action_t a = tutor_key(t, key_of(data[i]));

		(void)a;
		tutor_clamp(t);
		if (t->quit)
			break;
	}
	tutor_free(t);
	return 0;
}
