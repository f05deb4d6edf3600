/*
 * expr.h: the check language. Claims about conv2d, parsed into an AST,
 * evaluated against real tensors, and rendered three ways.
 *
 * A claim (one per logical line of a ```check block; see docs/lesson-format.md):
 *   output[b,c_out,h_out,w_out] = EXPR                       identity
 *   d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] = EXPR
 *   d (EXPR) / d input[b,c_in,h_in,w_in] = EXPR              partial
 *   d f / d weight[c_out,c_in,di,dj] = EXPR                  chain rule
 *   d f / d input = kernel matrix                            a real kernel
 *   let cols[b < N, row < C_in*R*S, col < H_out*W_out] = EXPR
 * each optionally followed by `where COND` and/or `expect fail`.
 *
 * The left side is the NUMERIC side: a tensor computed by the real forward
 * kernel, a Jacobian entry or gradient from finite differences of the real
 * forward kernel, or the finite difference of an interpreted expression.
 * The right side is the FORMULA, interpreted. The verifier compares them.
 *
 * Names. Tensors: input weight bias output df input_nhwc filter_hwio
 * output_nhwc, and lets. Constants: N C_in H_in W_in C_out R S strh strw
 * H_out W_out pad_h pad_w dil_h dil_w, and strides[0..3] = 1,strh,strw,1.
 * Any other identifier is an index variable. Every index variable that no
 * sum binds is FREE: the claim is checked at every tuple of its free
 * variables. A variable's range is inferred from a position where it
 * indexes a tensor alone (weight[c_out,c_in,di,dj] gives di 0..R-1), or
 * given (`sum(k in 0..K-1)`; for a free variable that indexes no tensor
 * alone, a top-level conjunct `k in A..B` of the claim's `where`, A and B
 * using constants and earlier free variables).
 *
 * Memory: a claim owns an arena; every node, name and string of the claim
 * lives in it and claim_free() releases all at once, so a parse error path
 * cannot leak.
 */
#ifndef CONVGRAD_EXPR_H
#define CONVGRAD_EXPR_H

#include <stdbool.h>
#include <stdio.h>

#include "tensor.h"

typedef struct expr expr_t;
typedef struct arena arena_t;

typedef enum expr_kind {
	EX_INT,      /* u.ival */
	EX_REAL,     /* u.rval */
	EX_NAME,     /* u.name: an index variable (slot >= 0) or constant (slot -1) */
	EX_ACCESS,   /* u.access: tensor[args], also strides[k] */
	EX_NEG,      /* u.op.a */
	EX_NOT,      /* u.op.a */
	EX_ADD, EX_SUB, EX_MUL, EX_DIV, EX_IDIV, EX_MOD, EX_AND, EX_OR, /* u.op.a, b */
	EX_CMP,      /* u.cmp: a chain a < b <= c */
	EX_IN,       /* u.op: a in b..c (inclusive) */
	EX_IF,       /* u.op: if a then b else c */
	EX_SUM,      /* u.sum */
	EX_CALL,     /* u.call: min(a, b, ...), max(...), abs(a), tanh(a), ... */
	EX_DERIV,    /* u.deriv: d NUM / d DEN */
} expr_kind_t;

/* The functions of the language (u.call.id), decided once by the parser:
 * min and max take one or more arguments, the others one. relu(x) is
 * max(0, x), square(x) is x * x (both integers for an integer x); tanh,
 * exp and log are real; log of a value <= 0 is a finding. */
typedef enum expr_fn {
	EXPR_FN_MIN, EXPR_FN_MAX, EXPR_FN_ABS, EXPR_FN_TANH, EXPR_FN_EXP,
	EXPR_FN_LOG, EXPR_FN_RELU, EXPR_FN_SQUARE,
} expr_fn_t;

typedef enum cmp_op { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE } cmp_op_t;

/* An index variable's range, lo..hi inclusive. Explicit (lo, hi set) or
 * inferred (lo == hi == NULL): 0 .. dim(tensor, pos) - 1. */
typedef struct expr_range {
	expr_t *lo, *hi;
	const char *tensor;
	int pos;
} expr_range_t;

/* A summation or free index variable. */
typedef struct expr_index {
	const char *name;
	int slot;              /* its place in the evaluation frame */
	expr_range_t range;
	int line, col;         /* where it is declared (a sum) or first used */
} expr_index_t;

struct expr {
	expr_kind_t kind;
	int line, col;         /* where it starts in the lesson file, 1-based */
	union {
		long ival;
		double rval;
		struct { const char *name; int slot; } name;
		struct { const char *tensor; int nargs; expr_t **args; } access;
		struct { expr_t *a, *b, *c; } op;
		struct { int n; expr_t **args; cmp_op_t *ops; } cmp; /* n args, n-1 ops */
		struct { int n; expr_index_t *idx; expr_t *where; expr_t *body; } sum;
		struct { const char *fn; int nargs; expr_t **args;
			expr_fn_t id; } call;
		/* num: NULL for f, an EX_ACCESS of output, or any expression
		 * (written in parentheses); den: an EX_ACCESS of input, weight,
		 * bias (or output, with num == NULL: d f / d output = df), or an
		 * EX_NAME of the tensor alone in a kernel claim. */
		/* rerun: d (EXPR) / d T[...] with EXPR reading output and T
		 * one of input, weight, bias (a loss such as sum(...)
		 * tanh(output[...])): the evaluator has the world rerun the
		 * real forward kernel at each perturbed value (env perturbed). */
		struct { expr_t *num; expr_t *den; bool rerun; } deriv;
	} u;
};

typedef enum claim_kind {
	CLAIM_IDENTITY,   /* lhs: EX_ACCESS of a tensor the kernels computed */
	CLAIM_PARTIAL,    /* lhs: EX_DERIV, num output[...] or (EXPR) */
	CLAIM_CHAIN,      /* lhs: EX_DERIV, num f */
	CLAIM_KERNEL,     /* lhs: EX_DERIV d f / d T; rhs NULL; kernel set */
	CLAIM_LET,        /* lhs: EX_ACCESS of the new tensor by its index names */
} claim_kind_t;

/* The backward kernel a kernel claim names ("kernel element", "kernel
 * matrix" or, for the input only, "kernel transposed"), decided once by
 * the parser. */
typedef enum claim_kernel {
	KERNEL_NONE = 0,  /* not a kernel claim */
	KERNEL_ELEMENT,   /* the element form (loops written like the formula) */
	KERNEL_MATRIX,    /* the matrix form (im2col and GEMM) */
	KERNEL_TRANSPOSED, /* dinput as a transposed convolution (conv-elem.h) */
	KERNEL_COUNT
} claim_kernel_t;

/* "element", "matrix" or "transposed" (the word in the claim), "" for
 * KERNEL_NONE. */
const char *claim_kernel_name(claim_kernel_t k);

typedef struct claim {
	claim_kind_t kind;
	expr_t *lhs;
	expr_t *rhs;            /* NULL for CLAIM_KERNEL */
	claim_kernel_t kernel;  /* CLAIM_KERNEL: which backward kernel */
	expr_t *where;          /* NULL: every tuple */
	bool expect_fail;
	const char *label;      /* the `#` comment line just above it, or NULL */
	const char *text;       /* the claim as written (continuation lines joined by '\n') */
	const char *file;
	int line, col;
	int nfree;              /* free index variables, in order of first appearance */
	expr_index_t *free;
	int nslots;             /* frame size: free + every summation index */
	int ndims;              /* CLAIM_LET: its dimensions' bounds, lhs args are names */
	expr_t **dims;
	arena_t *arena;         /* owns all of the above */
} claim_t;

/* Let-tensors defined so far in a lesson (name and rank), so later claims
 * can use them. */
typedef struct expr_scope expr_scope_t;
expr_scope_t *expr_scope_create(void);
void expr_scope_free(expr_scope_t *sc);   /* NULL: no-op */
/* The rank of the let called name, or 0 if the scope has none (sc NULL:
 * none). */
int expr_scope_rank(const expr_scope_t *sc, const char *name);

/*
 * Parse one claim (text may span lines; line/col give where text starts in
 * `file`, for messages). Names are resolved, free variables and ranges
 * inferred; a let adds its tensor to sc (sc may be NULL when no lets are
 * used). Returns the claim, or NULL with *err set to a full message (no
 * trailing newline; "(at end of claim)" instead of "near" at the end):
 *   FILE:LINE:COL: error: WHAT (near 'TOKEN')
 *     <the source line>
 *           ^
 * e.g. "')' expected to close '(' at line 12, column 9".
 */
claim_t *claim_parse(const char *text, const char *file, int line, int col,
    expr_scope_t *sc, char **err);
void claim_free(claim_t *c);   /* NULL: no-op */

/*
 * Split a ```check block into claims and parse each. Rules: blank lines
 * separate claims; a line starting with '#' is a comment, and the comment
 * just above a claim is its label; a line that starts with white space, or
 * any line while a bracket is open, continues the claim above.
 * first_line is the file line of the block's first content line. On
 * success *claims (malloc'd array, each a claim) and *n are set.
 */
int claims_parse_block(const char *block, const char *file, int first_line,
    expr_scope_t *sc, claim_t ***claims, int *n, char **err);

/* ---- evaluation ---- */

typedef enum value_kind { VAL_INT, VAL_REAL, VAL_BOOL } value_kind_t;
typedef struct value {
	value_kind_t kind;
	long i;
	double r;
	bool b;
} value_t;
double value_real(value_t v);       /* int or real as double; bool as 0/1 */

/* What the evaluator needs from the world (the verifier provides it). */
typedef struct expr_env {
	/* The tensor called name (built-in or let), or NULL. For d(EXPR)/d T
	 * the evaluator perturbs one element of T in place and restores it. */
	tensor_t *(*tensor)(void *ctx, const char *name);
	/* A constant's value; false if unknown. */
	bool (*constant)(void *ctx, const char *name, long *value);
	/* d output[out_idx] / d wrt[wrt_idx] from finite differences of the
	 * real forward kernel, or d f / d wrt[wrt_idx] when out_idx is NULL.
	 * wrt is "input", "weight" or "bias". 0, or -1 with *err. */
	int (*numeric_deriv)(void *ctx, const char *wrt, const long *out_idx,
	    const long *wrt_idx, double *value, char **err);
	/* Optional, for compiled programs (expr-prog.h): the numeric
	 * derivatives with the tensor named once, numeric_id(wrt) (-1: wrt
	 * has none), and the indices already checked against output and
	 * wrt and flattened: out_off into output, or -1 for d f / d wrt. */
	int (*numeric_id)(void *ctx, const char *wrt);
	double (*numeric_at)(void *ctx, int id, long out_off, size_t wrt_off);
	/* For d (EXPR) / d T[...] whose EXPR reads output (deriv.rerun):
	 * T (input, weight or bias) has just had one entry changed in place
	 * (restored false: recompute output from the tensors as they are now,
	 * with the real forward kernel) or given back (restored true: output
	 * as it was). 0, or -1 with *err. NULL: such a derivative is a
	 * finding. */
	int (*perturbed)(void *ctx, const char *wrt, bool restored, char **err);
	/* Optional, for compiled programs (expr-prog.h), the same without
	 * writing the world: into out (output's shape), output by the real
	 * forward kernel at the world with entry wrt_off of numeric tensor
	 * id (numeric_id) set to v, the bits perturbed would give. Safe to
	 * call from several threads at once. 0, or -1. NULL: such a
	 * derivative is not compiled (expr_eval walks it). */
	int (*forward_at)(void *ctx, int id, size_t wrt_off, double v,
	    tensor_t *out);
	double fd_eps;          /* step h for d(EXPR)/d T (central difference) */
	/* NULL, or asked every EVAL_POLL_EVERY (1024) steps of a sum: true
	 * stops the evaluation with the finding "cancelled" (the verifier
	 * reads its cancel flag here, so a long sum cannot delay it). */
	bool (*cancelled)(void *ctx);
	void *ctx;
} expr_env_t;

/*
 * Evaluate e with index variables in slots[]. Returns 0 with *out set, or
 * -1 with *finding (malloc'd) set to what went wrong at this tuple, e.g.
 *   "weight[c_out1=0, c_in=1, di=3, dj=0]: position 3 (di = 3) is outside 0..2"
 * (out-of-range access; positions count from 1), "division by zero in
 * 'x / y'", "position 3 of input is not an integer (1.5)", "'bias[c_out]'
 * is NaN", "integer overflow in '...'". Never a silent zero. slots has
 * claim->nslots entries, the free variables' values first; sums write
 * their own slots. docs/check-language.md has the whole list.
 * finding NULL: the same status, but no message is formatted (a caller
 * that only needs to know whether a tuple fails pays nothing for text).
 */
int expr_eval(const expr_t *e, const expr_env_t *env, long *slots,
    value_t *out, char **finding);
/* A range's bounds at the current slots. 0, or -1 with *err. */
int expr_range_eval(const expr_range_t *r, const expr_env_t *env,
    long *slots, long *lo, long *hi, char **err);

/* ---- printing ---- */

typedef enum pp_style { PP_UNICODE, PP_ASCII, PP_LATEX } pp_style_t;

/* A 2-D layout: height rows of UTF-8 text, each padded to width display
 * columns; baseline is the row that continues the surrounding line. */
typedef struct pp_box {
	int width, height, baseline;
	char **rows;
} pp_box_t;

/* 2-D layout of a claim (lhs = rhs, then "where ..." and "(expect fail)"):
 * stacked fraction for d a / d b and for '/', Σ with its indices beneath
 * (three rows tall before a fraction), trailing digits of names as
 * subscripts (h_out1 -> h_out₁) in PP_UNICODE; ASCII only (d/d written as
 * a fraction of dashes, "sum" with indices below) in PP_ASCII. Both styles
 * give boxes of the same height and baseline. */
pp_box_t *claim_render(const claim_t *c, pp_style_t style);
pp_box_t *expr_render(const expr_t *e, pp_style_t style);
/* Claim c in at most max_width columns where it can be (expr-layout.c):
 * identical to claim_render() when that fits; else stacked the way one
 * would by hand: lhs, "= rhs" beside it or below it, "where ..." below;
 * chains of + - · and or broken before an operator; a sum's body beside
 * or under Σ; ∂(EXPR)/∂x as ∂/∂x (EXPR); accesses and calls broken
 * between their arguments; `if` on three lines. Every piece is drawn as
 * claim_render() draws it there (same parentheses). Never wider than
 * max_width unless a single piece that cannot be broken is wider. PP_UNICODE
 * or PP_ASCII; the caller frees it (pp_box_free). */
pp_box_t *claim_render_fit(const claim_t *c, pp_style_t style, int max_width);
void pp_box_free(pp_box_t *b);      /* NULL: no-op */
/* Print a box's rows to f, each prefixed by indent spaces. */
void pp_box_print(const pp_box_t *b, FILE *f, int indent);
/* One-line LaTeX of the claim (\frac{\partial ...}{...}, \sum_{...}). */
char *claim_latex(const claim_t *c);
/* Presentation MathML (expr-mathml.c), well-formed XML in UTF-8, for the
 * HTML handouts: claim_mathml gives one <math display="block"> element
 * (MathML namespace, the canonical text as its alttext) of lhs = rhs,
 * "where ..." and "(expect fail)"; expr_mathml an inline <math>.
 * Fractions ∂a/∂b and a/b as mfrac, Σ as munderover or munder,
 * subscripts as msub, if/else chains as cases. malloc'd. */
char *claim_mathml(const claim_t *c);
char *expr_mathml(const expr_t *e);
/* Canonical one-line source text of an expression / claim. */
char *expr_text(const expr_t *e);
char *claim_text(const claim_t *c);

#endif
