/*
 * verify.h: the verifier. Checks each claim at every tuple of its free
 * index variables: the numeric side (real forward kernel, finite
 * differences) against the formula (interpreted), and reports the largest
 * errors, the tolerance and why, and the first counterexample in full.
 *
 * A verify_ctx is the world at one shape: seeded random input, weight, bias
 * and upstream gradient df; output and output_nhwc from the real forward
 * kernels; input_nhwc and filter_hwio by layout conversion; the lets of the
 * lesson being verified. Numeric Jacobian columns and entries of the
 * numeric gradient d f / d T are computed once per context, the first time
 * a claim needs them (one column or one entry at a time, so the tutor's
 * live check stays fast at large shapes), and shared by every claim.
 */
#ifndef CONVGRAD_VERIFY_H
#define CONVGRAD_VERIFY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conv-shape.h"
#include "expr.h"
#include "fdiff.h"
#include "lesson.h"

typedef struct verify_opts {
	fd_opts_t fd;
	uint64_t seed;
	size_t max_tuples;     /* past this many, a random sample of this many */
	double max_work;       /* per claim (VERIFY_MAX_WORK_DEFAULT); 0: none */
	/* Evaluate every tuple with expr_eval, the tree walk, instead of the
	 * compiled form (expr-prog.h), and visit every tuple the where may
	 * leave out: the reference the fast path is tested against (the
	 * results are the same, bit for bit). */
	bool reference;
	/* Compute every numeric derivative in this context: take none from
	 * the last context freed at the same world, and leave it none (the
	 * default shares them; see verify_ctx_create; the reference never
	 * does). */
	bool fresh;
	/*
	 * Cancellation, for a caller that verifies in a background thread
	 * (or wants a signal handler to stop it): when *cancel becomes
	 * nonzero, the running verify_claim or verify_claim_at stops within
	 * VERIFY_POLL_MS of work (the flag is read between tuples, inside
	 * the evaluator's sums, and between finite-difference passes), and
	 * returns VERDICT_CANCELLED (verify_claim) or -1 with "cancelled"
	 * (verify_claim_at). The verifier only reads the flag; the caller
	 * sets it and clears it before the next claim. NULL: no flag.
	 */
	const volatile sig_atomic_t *cancel;
	/* Optional callbacks, from the verifying thread, at the start and
	 * end of a claim and about every VERIFY_POLL_MS in between (by the
	 * clock, not by tuple counts): progress (done of total tuples, as
	 * the claim reports them) and cancelled (true stops it, as *cancel
	 * does). */
	void (*progress)(void *ud, size_t done, size_t total);
	bool (*cancelled)(void *ud);
	void *ud;
	/* The most bytes the world's tensors and the lesson's lets may take
	 * together: a let that would pass it is refused before it is
	 * allocated. 0: CONV_MEM_LIMIT_DEFAULT (4 GiB). */
	size_t max_bytes;
} verify_opts_t;

/* The most work, in milliseconds of this machine, between two polls of
 * the cancel flag and the callbacks (a goal, not a hard real-time bound:
 * one forward pass of the kernel at a huge shape can take longer). */
#define VERIFY_POLL_MS 20

/* Every tuple of each bundled lesson's claims at N=2 C_in=3 H=W=16
 * C_out=4 3x3 (the largest: 33,191,424) is checked, none sampled. */
#define VERIFY_MAX_TUPLES_DEFAULT 50000000
/* A claim stops, as one that cannot be checked, past this much work: its
 * evaluations (one each) and their sum steps (expr-prog.h), about 20 to
 * 60 s here. Tuples alone are bounded by max_tuples, each evaluation by
 * the evaluator's own limit of 1e7 sum steps. */
#define VERIFY_MAX_WORK_DEFAULT 10000000000.0
#define VERIFY_SEED_DEFAULT 20261126

void verify_opts_default(verify_opts_t *o);

typedef struct verify_ctx verify_ctx_t;

/* Build the world at shape s (validated here). NULL with *err on a bad
 * shape. The numeric derivatives that the last context freed had
 * computed are taken over when its world was the same (shape, seed,
 * finite-difference options), unless either context is fresh or
 * reference: a lesson's Jacobian columns serve the next lesson. */
verify_ctx_t *verify_ctx_create(const conv_shape_t *s, const verify_opts_t *o,
    char **err);
void verify_ctx_free(verify_ctx_t *vc);     /* NULL: no-op */
const conv_shape_t *verify_ctx_shape(const verify_ctx_t *vc);
/* "input", "weight", "bias", "df", "output", "input_nhwc", ... or a let;
 * NULL if unknown. */
const tensor_t *verify_ctx_tensor(verify_ctx_t *vc, const char *name);
const expr_env_t *verify_ctx_env(verify_ctx_t *vc);
/* Forget the lets (before verifying another lesson). */
void verify_ctx_clear_lets(verify_ctx_t *vc);
/* Poll o's cancel flag and callbacks (cancel, progress, cancelled, ud)
 * from now on instead of those vc was made with: for a context made on a
 * worker thread and then used by another (the tutor's lets). */
void verify_ctx_set_hooks(verify_ctx_t *vc, const verify_opts_t *o);

typedef enum verdict {
	VERDICT_HOLDS,          /* every tuple within tolerance */
	VERDICT_FAILS,          /* a counterexample */
	VERDICT_REFUTED,        /* expect fail, and refuted: as expected */
	VERDICT_NOT_REFUTED,    /* expect fail, but it held */
	VERDICT_DEFINED,        /* a let, evaluated without findings */
	VERDICT_CANCELLED,
} verdict_t;

/* HOLDS, REFUTED and DEFINED are what a lesson wants. */
bool verdict_ok(verdict_t v);
const char *verdict_name(verdict_t v);   /* "holds", "refuted, as expected", ... */


typedef struct verify_result {
	verdict_t verdict;
	size_t checked, total;  /* tuples checked (where COND held) of total */
	bool sampled;           /* checked a random sample of total */
	size_t failures;        /* tuples outside tolerance or with a finding */
	double max_abs, max_rel;
	double tol_abs, tol_rel;
	const char *tol_why;    /* static: one line saying why */
	bool has_cex;           /* the first counterexample: */
	long *cex;              /* the point's values, verify_point_count() of
	                         * them, named by verify_point_name() */
	double cex_formula, cex_numeric;
	char *cex_finding;      /* out-of-range access, NaN, ... or NULL */
} verify_result_t;

void verify_result_clear(verify_result_t *r);   /* frees what it owns */

/* Check one claim. A let is evaluated and stored in vc for later claims.
 * Returns 0 with *r filled (whatever the verdict), or -1 with *err when the
 * claim cannot be checked at all (e.g. a range that cannot be evaluated). */
int verify_claim(verify_ctx_t *vc, const claim_t *c, verify_result_t *r,
    char **err);

/* One tuple, for the tutor's live check: vals are the point's values, as
 * verify_point_name() names them (claim->free[] but for kernel claims). */
typedef struct verify_point {
	bool applies;           /* the where COND holds here */
	bool ok;                /* within tolerance, no finding */
	double formula, numeric;
	char *finding;          /* or NULL; the caller frees */
} verify_point_t;
int verify_claim_at(verify_ctx_t *vc, const claim_t *c, const long *vals,
    verify_point_t *pt, char **err);

/* "b=0 c_in=1 h_in=3 w_in=4" for the counterexample (malloc'd). */
char *verify_cex_str(const claim_t *c, const verify_result_t *r);

/* A run's count of claims the one way verify, the handouts and the tests
 * write it, singular where it is one: "6 claims: 5 hold, 1 erratum refuted
 * as expected, 0 failed", "1 claim: 1 holds, 0 errata ...". Malloc'd. */
char *verify_tally_str(int claims, int hold, int refuted, int failed);
/* The variables a point of c (r->cex, verify_claim_at's vals) is given by:
 * claim->free[] for identities, partials and chains; the tensor's indices
 * (b c_in h_in w_in, c_out c_in di dj, c_out) for a kernel claim; the lhs
 * index names for a let. Names are static or owned by the claim. */
int verify_point_count(const claim_t *c);
const char *verify_point_name(const claim_t *c, int k);

/* One claim's outcome in one line, as `verify` and the handouts word it:
 * "holds: 96 of 96 tuples, max error 1e-10 (rel 2e-10), tol 1e-06 +
 * 1e-06*|numeric|", "fails at 3 of 96 tuples, ...", "refuted, as expected:
 * fails at ...", "holds: vacuously, at this shape: ..." (no tuple met the
 * claim's conditions). times is the multiplication sign ("*" or "·");
 * here_ok adds " (at this shape)" to a "not refuted" the run allows.
 * malloc'd. */
char *verify_outcome_text(const claim_t *cl, const verify_result_t *r,
    const char *times, bool here_ok);

#endif
