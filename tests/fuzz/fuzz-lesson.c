/*
 * fuzz-lesson.c: libFuzzer harness for the lesson loader. The input is a
 * lesson file; it is parsed (Markdown by libcmark, then titles, steps,
 * shape blocks and check blocks) and either refused with a message that
 * names the file or loaded whole, and then freed.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *err = NULL;
	lesson_t *l = lesson_parse((const char *)data, size, "fuzz.md", &err);
	int s, k;

	if (l == NULL) {
		assert(err != NULL && strncmp(err, "fuzz.md", 7) == 0);
		free(err);
		return 0;
	}
	assert(l->title != NULL);
	for (s = 0; s < l->nsteps; s++)
		for (k = 0; k < l->steps[s].nclaims; k++)
			assert(l->steps[s].claims[k] != NULL);
	lesson_free(l);
	return 0;
}
