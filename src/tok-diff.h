/*
 * tok-diff.h: which tokens of two claims' texts differ, for the tutor's
 * erratum beside its correction (lesson 8: "+ R" against "+ R - 1",
 * "h_out1" against "w_out1").
 *
 * The texts are split into tokens (names, numbers, "..", "==", "!=", "<=",
 * ">=", any other character alone; blanks separate) and compared by a
 * longest common subsequence: a token outside it is changed.
 */
#ifndef CONVGRAD_TOK_DIFF_H
#define CONVGRAD_TOK_DIFF_H

#include <stdbool.h>

/* Tokens above this in either text: no diff (false). */
#define TOK_DIFF_MAX 1024

/* Mark the bytes of a's and b's changed tokens: ma[strlen(a)] and
 * mb[strlen(b)] (the caller's) get 1 on each byte of a changed token, 0
 * elsewhere (blanks included). false, marks all 0, when a text has more
 * than TOK_DIFF_MAX tokens. */
bool tok_diff(const char *a, const char *b, unsigned char *ma,
    unsigned char *mb);

#endif
