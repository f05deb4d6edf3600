/*
 * expr-prog.h: the check language compiled for the verifier's hot path.
 *
 * expr_eval (expr.h) walks the claim's tree and looks every tensor and
 * shape constant up by name at every use; it is the reference, and the
 * only one that words findings. A program is the same tree with the names
 * resolved once, when it is compiled against a world (tensors to
 * pointers, constants to values, inferred ranges to numbers, numeric
 * derivatives to the world's id), and evaluated with the same arithmetic
 * in the same order: the same value, bit for bit, and a finding exactly
 * where expr_eval has one (then the caller asks expr_eval for the
 * message). The work limit of an evaluation is counted the same way.
 *
 * Two things expr_eval does not do, each giving the same bits:
 *   - d (EXPR) / d T[j] never writes T: the perturbed entry is an override
 *     that the program's reads see, so programs can run in several
 *     threads at once over the same tensors;
 *   - when the caller gives the ranges of the free variables, d (EXPR) /
 *     d T[j] remembers, for each tuple of the free variables EXPR reads,
 *     EXPR's value and the entries of T it read: at a j that EXPR does not
 *     read, both perturbed evaluations would equal that value, so the
 *     result is (v - v) / ((x+h) - (x-h)) without evaluating EXPR again.
 *
 * A program is valid while the world's tensors are (until a let is
 * replaced). Evaluation is thread-safe when the world's numeric_at and
 * cancelled are, each thread with its own slots and state.
 */
#ifndef CONVGRAD_EXPR_PROG_H
#define CONVGRAD_EXPR_PROG_H

#include <stdbool.h>
#include <stddef.h>

#include "expr.h"

typedef struct expr_prog expr_prog_t;

/* The range lo..hi of a free variable, for the memory of d (EXPR) / d T
 * (known: false when it depends on other variables). */
typedef struct expr_slot_range {
	bool known;
	long lo, hi;
} expr_slot_range_t;

/*
 * Compile e against env (which must provide numeric_id and numeric_at).
 * nslots is the claim's frame size; ranges NULL, or nfree entries for
 * slots 0..nfree-1: the program may then be evaluated only at values
 * within them. NULL when e uses something the compiler does not take
 * (then evaluate with expr_eval). The caller frees it.
 */
expr_prog_t *expr_prog_compile(const expr_t *e, const expr_env_t *env,
    int nslots, const expr_slot_range_t *ranges, int nfree, unsigned flags);
/* flags: no memories (a program evaluated at one tuple only). */
#define EXPR_PROG_NO_MEMO 1u
void expr_prog_free(expr_prog_t *p);          /* NULL: no-op */

/*
 * Evaluate p at slots (nslots entries, the free variables set; sums write
 * their own). 0 with *out set, or -1 where expr_eval has a finding (no
 * message: ask expr_eval). The memory of d (EXPR) / d T is shared by every
 * evaluation of p and guarded for threads.
 */
int expr_prog_eval(expr_prog_t *p, long *slots, value_t *out);
/* The same, as value_real() of the value (the verifier's hot path: no
 * value_t is built and copied). */
int expr_prog_eval_real(expr_prog_t *p, long *slots, double *out);

/* expr_prog_eval_real, and the work it counted in *work, for a caller
 * that keeps the value and charges the work again where it takes it
 * instead of evaluating (expr_prog_charge). The work is read from this
 * thread's counter, so it is exact when no other thread of the same
 * OpenMP number (the tutor's threads, all number 0) evaluates p at the
 * same time: verify's threads do not share numbers. */
int expr_prog_eval_real_w(expr_prog_t *p, long *slots, double *out,
    unsigned long *work);
void expr_prog_charge(expr_prog_t *p, unsigned long work);

/* The highest free variable (slot 0..nfree-1) p reads, -1 when none: p's
 * value at two tuples that agree on slots 0..that one is the same, so a
 * caller that enumerates tuples in order may keep it (the verifier
 * does). */
int expr_prog_last_free(const expr_prog_t *p);

/* An estimate of the sum terms of one evaluation of p, by the constant
 * ranges of its sums (a where's narrowing aside, a memory's short cuts
 * too): for a caller deciding whether work is worth threads. 0 for
 * NULL. */
double expr_prog_cost(const expr_prog_t *p);

/* The work of every evaluation of p so far: one per evaluation plus its
 * sum steps (as EVAL_MAX_TERMS counts them), so that a caller can bound
 * the work of a whole claim. 0 for NULL. */
unsigned long expr_prog_work(const expr_prog_t *p);

#endif
