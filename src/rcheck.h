/*
 * rcheck.h: check someone else's conv2d results entry by entry, and say
 * where they are wrong: `convgrad gradcheck --load DIR` and `--plugin`.
 *
 * A report holds one item per quantity checked (output, dinput, dweight,
 * dbias, a Jacobian). Each item compares a result with the truth entry by
 * entry against a per-entry tolerance, and keeps: entries checked and
 * wrong, the largest absolute and relative errors, the tolerance and why,
 * the first and the worst wrong entry with every index named, where the
 * wrong entries lie (their count along each index: "all 96 wrong entries
 * have di = 2 (R-1)", "only b >= 1"), a small grid of one slice with the
 * wrong entries marked, and the diagnosis from the bug zoo (zoo.h).
 * NaN and Inf never pass. The writers print it as text, JSON or TAP.
 */
#ifndef CONVGRAD_RCHECK_H
#define CONVGRAD_RCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "conv-shape.h"
#include "zoo.h"

#define RCHECK_MAX_DIMS 8      /* a Jacobian: output index, then wrt's */

typedef struct rcheck_entry {
	long index[RCHECK_MAX_DIMS];
	double got, want;
} rcheck_entry_t;

typedef struct rcheck_item {
	char name[64];             /* "dinput", "d output/d input" */
	char *context;             /* the shape or the files (malloc'd) */
	int ndim;
	const char *names[RCHECK_MAX_DIMS];   /* index names, static strings */
	size_t dims[RCHECK_MAX_DIMS];
	size_t checked, wrong;
	double max_abs, max_rel;   /* NaN if an entry was not finite */
	double tol;                /* the largest per-entry tolerance */
	char *tol_why;             /* malloc'd */
	bool pass;
	rcheck_entry_t first, worst;   /* when wrong > 0 */
	bool diagnosed;            /* the zoo was asked (results only) */
	const zoo_entry_t *diagnosis;  /* NULL: matches no known mistake */
	char *where;               /* malloc'd lines, or NULL */
	char *grid;                /* malloc'd, or NULL */
} rcheck_item_t;

typedef struct rcheck_report {
	char *title;               /* what was checked */
	char *truth;               /* what it was checked against */
	rcheck_item_t *items;
	size_t n, cap;
	char **faults;             /* a plugin's crashes, hangs, errors */
	size_t nfaults;
	char *smallest;            /* the smallest shape still wrong, or NULL */
} rcheck_report_t;

/* A new empty report (both strings copied). Free with rcheck_report_free
 * (NULL: no-op). */
rcheck_report_t *rcheck_report_create(const char *title, const char *truth);
void rcheck_report_free(rcheck_report_t *r);

/* What rcheck_compare compares: n = product of dims entries, row-major.
 * tol[i] is entry i's tolerance; checked (NULL: all) marks the entries
 * compared. s (may be NULL) lets "where" say when the wrong outputs are
 * those whose window reaches into the padding. */
typedef struct rcheck_input {
	const char *name, *context;
	int ndim;
	const char *const *names;
	const size_t *dims;
	const double *got, *want, *tol;
	const unsigned char *checked;
	const char *tol_why;
	const conv_shape_t *s;
} rcheck_input_t;

/* Compare and append an item to r; returns it (owned by r, valid until
 * the next append). An entry is wrong if got is not finite or
 * |got - want| > tol. */
rcheck_item_t *rcheck_compare(rcheck_report_t *r, const rcheck_input_t *in);

/* A check summed up elsewhere (the gradcheck engine's items keep their
 * first failing entry only): appended as given, worst = first, no where
 * or grid. Returns it. */
rcheck_item_t *rcheck_add_summary(rcheck_report_t *r,
    const rcheck_input_t *in, size_t checked, size_t wrong, double max_abs,
    double max_rel, double tol, const rcheck_entry_t *first);

/* A fault that stopped a check (msg copied): counts as a failure. */
void rcheck_add_fault(rcheck_report_t *r, const char *msg);

/* The smallest shape at which the results are still wrong (shape is a
 * shrink_shape_str, copied; a second call replaces the first): text
 * "smallest: fails already at SHAPE", JSON "smallest": SHAPE (the key only
 * when set). */
void rcheck_set_smallest(rcheck_report_t *r, const char *shape);

/* Items that failed, and faults. */
size_t rcheck_failed(const rcheck_report_t *r);

/* "(b=1, c_in=0, h_in=6, w_in=7)" for entry e of it, into buf. */
char *rcheck_index_str(const rcheck_item_t *it, const rcheck_entry_t *e,
    char *buf, size_t len);

/* The writers. text: for people; json: one object, each quantity with
 * exactly name, checked, wrong, max_abs, max_rel, tol, result, first,
 * worst ({"index": [...], "got": g, "want": w} or null) and diagnosis (a
 * zoo id or null), then the faults; tap: a plan and one test point per
 * quantity and per fault. */
void rcheck_print_text(FILE *f, const rcheck_report_t *r);
void rcheck_print_json(FILE *f, const rcheck_report_t *r);
void rcheck_print_tap(FILE *f, const rcheck_report_t *r);

/* Per-entry rounding factor for a sum of at most K products computed in
 * a precision of unit roundoff u and held to float64 truth: an entry's
 * tolerance is this times its sum of |terms| (see rcheck.c). */
double rcheck_gamma(double K, double u);

#endif
