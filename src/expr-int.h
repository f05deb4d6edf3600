/*
 * expr-int.h: what the files of the check language share and nobody else
 * sees: the arena, the name tables (tensors, constants, reserved words) and
 * the scope of lets. The public interface is expr.h.
 */
#ifndef CONVGRAD_EXPR_INT_H
#define CONVGRAD_EXPR_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "expr.h"

/* ---- arena (expr.c) ---- */

/* A bump allocator: every node and string of a claim. Memory is zeroed. */
arena_t *arena_create(void);
void arena_free(arena_t *a);                          /* NULL: no-op */
void *arena_alloc(arena_t *a, size_t n);
char *arena_strndup(arena_t *a, const char *s, size_t n);
char *arena_strdup(arena_t *a, const char *s);

/* ---- name tables (expr.c) ---- */

/* What a built-in tensor may be used for. */
enum {
	TN_WRT = 1,        /* d output[...] / d T[...], d f / d T: input weight bias */
	TN_COMPUTED = 2,   /* computed from others: d (EXPR) must not mention it */
	TN_PERTURB = 4,    /* d (EXPR) / d T[...] may perturb it in place */
};

/* Rank of a built-in tensor (or "strides": 1), or 0 if name is none. */
int expr_builtin_rank(const char *name, int *flags);
/* Is name one of the shape constants N C_in ... dil_w? */
bool expr_is_constant(const char *name);
/* Is name a reserved word (sum where in if ... abs, d, f)? */
bool expr_is_reserved(const char *name);

/* Add a let to the scope (claim_parse does, for a let claim). */
void expr_scope_add(expr_scope_t *sc, const char *name, int rank);

/* ---- printing (expr-print.c) ---- */

/* Canonical text of e appended to b (expr_text without the malloc). */
struct sbuf;
void expr_text_add(struct sbuf *b, const expr_t *e);

#endif
