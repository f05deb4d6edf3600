/*
 * lesson.h: lessons are Markdown files read with libcmark.
 *
 *   # Title                      the lesson's title (first level-1 heading)
 *   prose before the first ##    the lesson's introduction
 *   ## Step                      one step: its prose is what the student reads
 *   ```shape                     the default shape, key=value pairs:
 *   N=2 C_in=2 H_in=7 W_in=8 C_out=3 R=3 S=2 strh=2 strw=3
 *   ```                          (also pad_h pad_w dil_h dil_w groups, and
 *                                 covers=padding,dilation,groups: see below)
 *   ```check                     claims of the step (expr.h)
 *   ```source                    the source document's text for the step,
 *                                verbatim (its LaTeX as written)
 *   ```exercise                  an exercise of the step (lesson_exercise_t):
 *   prompt: what to work out      `prompt:` and `answer:` once each, `hint:`
 *   answer: CLAIM                 any number of times (one tier each, in
 *   hint: a first nudge           order); a line starting with white space
 *   ```                           continues the field above
 *
 * A lesson holds at every valid shape within what it covers. By default a
 * lesson covers any sizes and strides with no padding, no dilation and
 * groups=1; `covers=padding,dilation,groups` in its shape block widens that. Re-verifying
 * at a shape it does not cover skips the lesson and says why.
 */
#ifndef CONVGRAD_LESSON_H
#define CONVGRAD_LESSON_H

#include <stdbool.h>

#include "conv-shape.h"
#include "expr.h"

/* An exercise (a ```exercise block): the student is asked `prompt` and
 * answers with a claim; `answer` is the lesson's own (hidden) claim.
 * Prompt and hints are plain text, continuation lines joined by a space;
 * answer is the claim's text as written (continuation lines joined by
 * '\n', their indentation kept), and answer_claim that text parsed with
 * the lets written above the block in scope (never a let, never `expect
 * fail`). Whether the answer holds is checked in exercise.h, not here:
 * parsing runs no kernel. */
typedef struct lesson_exercise {
	char *prompt;
	char *answer;
	claim_t *answer_claim;
	int nhints;
	char **hints;         /* tier 1 first */
	int line;             /* line of the ```exercise fence */
} lesson_exercise_t;

typedef struct lesson_step {
	char *title;          /* the ## heading's text */
	char *prose;          /* paragraphs as plain text, separated by blank lines */
	char *prose_md;       /* the same prose blocks as written (Markdown) */
	char *source;         /* the ```source blocks joined, or NULL */
	int nclaims;
	claim_t **claims;     /* in the order written */
	int nexercises;
	lesson_exercise_t *exercises;  /* in the order written */
	int line;             /* line of the ## heading */
} lesson_step_t;

typedef struct lesson {
	char *path;
	char *title;
	char *intro;          /* prose before the first step, or "" */
	char *intro_md;       /* the same as written (Markdown), or "" */
	conv_shape_t shape;   /* the default shape, validated */
	bool covers_padding, covers_dilation, covers_groups;
	int nsteps;
	lesson_step_t *steps;
	expr_scope_t *scope;  /* the lets of this lesson */
} lesson_t;

/* A lesson larger than this many bytes is refused (4 MiB; the bundled
 * lessons are under 20 KB). The environment variable
 * CONVGRAD_MAX_LESSON_SIZE (bytes, or with K or M) sets another cap. */
#define LESSON_MAX_SIZE ((size_t)4 << 20)

/* Read and parse a lesson file. Returns the lesson, or NULL with *err set
 * ("lessons/x.md:12:5: error: ..."; parse errors of claims as in expr.h;
 * an exercise block without a prompt or an answer, with an unknown field,
 * or whose answer does not parse or is a let or an erratum;
 * "x.md: not a regular file (a FIFO)" without blocking for a special
 * file; "x.md: too large: ..." past the size cap). */
lesson_t *lesson_load(const char *path, char **err);
lesson_t *lesson_parse(const char *text, size_t len, const char *path,
    char **err);
void lesson_free(lesson_t *l);        /* NULL: no-op */

/* Does the lesson cover shape s (padding, dilation, groups)? If not, *why says
 * what it does not cover (static string). */
bool lesson_covers(const lesson_t *l, const conv_shape_t *s, const char **why);

/* The bundled lessons' directory: $CONVGRAD_LESSONS if set, else the
 * installed $(pkgdatadir)/lessons if it exists, else the source tree's
 * lessons/ (running from a build). Static string. */
const char *lesson_default_dir(void);

/* Expand FILES and DIRS (a directory gives its *.md files, sorted) into a
 * malloc'd array of malloc'd paths. nargs == 0: the default directory.
 * Returns 0, or -1 with *err (a missing path, an empty directory). */
int lesson_collect(char **args, int nargs, char ***paths, int *npaths,
    char **err);
void lesson_paths_free(char **paths, int npaths);

#endif
