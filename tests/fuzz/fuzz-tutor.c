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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"
#include "tutor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
