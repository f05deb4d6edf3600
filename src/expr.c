/*
 * expr.c: the check language's bookkeeping: the arena every claim lives
 * in, the tables of names the language knows (tensors, constants; the
 * reserved words are the lexer's, expr-lex.c), the scope of lets, and the
 * few small public helpers.
 */
#include "expr-int.h"

#include <assert.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- arena ---- */

#define ARENA_CHUNK 8192

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	alignas(max_align_t) unsigned char data[];
};

struct arena {
	struct arena_chunk *head;
};

arena_t *
arena_create(void)
{
	return xcalloc(1, sizeof(arena_t));
}

void
arena_free(arena_t *a)
{
	struct arena_chunk *c, *next;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

/* Zeroed memory for n bytes, aligned for any type; lives until arena_free. */
void *
arena_alloc(arena_t *a, size_t n)
{
	const size_t al = alignof(max_align_t);
	struct arena_chunk *c = a->head;
	void *p;

	n = (n + al - 1) / al * al;
	if (n == 0)
		n = al;
	if (c == NULL || c->cap - c->used < n) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;

		c = xcalloc(1, sizeof(*c) + cap);
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += n;
	return p;
}

char *
arena_strndup(arena_t *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(arena_t *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

/* ---- names ---- */

unsigned long expr_eval_max_terms = EVAL_MAX_TERMS_DEFAULT;

static const struct {
	const char *name;
	int rank, flags;
} builtin_tensors[] = {
	{ "input",       4, TN_WRT | TN_PERTURB },
	{ "weight",      4, TN_WRT | TN_PERTURB },
	{ "bias",        1, TN_WRT | TN_PERTURB },
	{ "output",      4, TN_COMPUTED },
	{ "df",          4, TN_PERTURB },
	{ "input_nhwc",  4, TN_COMPUTED },
	{ "filter_hwio", 4, TN_COMPUTED },
	{ "output_nhwc", 4, TN_COMPUTED },
	{ "strides",     1, 0 },
};

static const char *const constants[] = {
	"N", "C_in", "H_in", "W_in", "C_out", "R", "S", "strh", "strw",
	"H_out", "W_out", "pad_h", "pad_w", "dil_h", "dil_w", "groups",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* input_nhwc and filter_hwio are copies of input and weight in another
 * layout, made once per shape: perturbing input would leave them stale, so
 * d (EXPR) / d T may not read them. */
int
expr_builtin_rank(const char *name, int *flags)
{
	size_t i;

	for (i = 0; i < NELEM(builtin_tensors); i++) {
		if (strcmp(builtin_tensors[i].name, name) == 0) {
			if (flags != NULL)
				*flags = builtin_tensors[i].flags;
			return builtin_tensors[i].rank;
		}
	}
	return 0;
}

bool
expr_is_constant(const char *name)
{
	size_t i;

	for (i = 0; i < NELEM(constants); i++)
		if (strcmp(constants[i], name) == 0)
			return true;
	return false;
}

/* ---- scope of lets ---- */

struct expr_scope {
	int n, cap;
	char **names;
	int *ranks;
};

expr_scope_t *
expr_scope_create(void)
{
	return xcalloc(1, sizeof(expr_scope_t));
}

void
expr_scope_free(expr_scope_t *sc)
{
	int i;

	if (sc == NULL)
		return;
	for (i = 0; i < sc->n; i++)
		free(sc->names[i]);
	free(sc->names);
	free(sc->ranks);
	free(sc);
}

int
expr_scope_rank(const expr_scope_t *sc, const char *name)
{
	int i;

	if (sc == NULL)
		return 0;
	for (i = 0; i < sc->n; i++)
		if (strcmp(sc->names[i], name) == 0)
			return sc->ranks[i];
	return 0;
}

void
expr_scope_add(expr_scope_t *sc, const char *name, int rank)
{
	assert(rank >= 1 && rank <= TENSOR_MAX_DIMS);
	assert(expr_scope_rank(sc, name) == 0);
	if (sc->n == sc->cap) {
		sc->cap = sc->cap ? 2 * sc->cap : 8;
		sc->names = xreallocarray(sc->names, sc->cap, sizeof(char *));
		sc->ranks = xreallocarray(sc->ranks, sc->cap, sizeof(int));
	}
	sc->names[sc->n] = xstrdup(name);
	sc->ranks[sc->n] = rank;
	sc->n++;
}

/* ---- public helpers ---- */

void
claim_free(claim_t *c)
{
	if (c == NULL)
		return;
	arena_free(c->arena);   /* the claim itself lives in its arena */
}

double
value_real(value_t v)
{
	switch (v.kind) {
	case VAL_INT:
		return (double)v.i;
	case VAL_REAL:
		return v.r;
	case VAL_BOOL:
		return v.b ? 1.0 : 0.0;
	}
	return 0.0;
}
