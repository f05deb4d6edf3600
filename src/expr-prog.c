/*
 * expr-prog.c: compiled programs of the check language (expr-prog.h).
 *
 * A program is a tree of pnodes, one per expression node, with every name
 * resolved at compile time. Its evaluator is expr-eval.c's, function for
 * function, with the same arithmetic, the same order of evaluation, the
 * same short cuts and the same work accounting, minus the words: where
 * expr-eval.c formats a finding, this file returns -1. Keep the two in
 * step: tests/check_expr_eval.c and check_verify.c run both on the same
 * expressions and lessons and compare every bit.
 *
 * A name the world cannot resolve (a let not yet defined, a constant with
 * no value) compiles to P_FAIL, a node whose every evaluation is a
 * finding, as expr_eval's lookup of it is.
 */
#include "config.h"

#include "expr-prog.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expr-int.h"
#include "parallel.h"
#include "util.h"

enum {
	P_FAIL = EX_DERIV + 1,  /* always a finding */
	P_CONST,                /* a shape constant, resolved */
	P_SLOT,                 /* an index variable */
	P_STRIDES,              /* strides[k] */
	P_NUMERIC,              /* d output[o] / d T[j], d f / d T[j] */
	P_FD,                   /* d (EXPR) / d T[j] */
};

/* d (EXPR) / d T nested in EXPR at most this deep (one override each). */
#define MAX_PERTURB 8

typedef struct pnode pnode_t;

/*
 * A bound on index k of a sum from a conjunct of its where: coef * x +
 * rest >= 0 (ge) or <= 0, x the index, rest an affine form of the
 * indices before it and of outer variables. Values of x outside the
 * bounds make the where false (it can have no finding: it is bfast), so
 * the sum skips them, charging their steps as if it had walked them.
 */
typedef struct sbound {
	int k;
	bool ge;
	long coef;
	const struct aff *rest;
} sbound_t;

/*
 * An ifast integer as c + sum coef[i] * slots[slot[i]], computed in
 * unsigned (wrapping) arithmetic: + - * are the same modulo 2^64 in any
 * order, and an ifast value lies within +-2^62, so the wrapped result is
 * the value itself, bit for bit, however the terms were regrouped. At
 * most AFF_MAX terms; past that a node keeps its tree.
 */
#define AFF_MAX 6

typedef struct aff {
	uint64_t c;
	int n;
	int slot[AFF_MAX];
	uint64_t coef[AFF_MAX];
} aff_t;

/* A value as the evaluator passes it: value_t's meaning in 16 bytes
 * (kind selects the member), converted at the program's edge. */
typedef struct pval {
	value_kind_t kind;
	union {
		long i;
		double r;
		bool b;
	};
} pval_t;

static double
pv_real(pval_t v)
{
	return v.kind == VAL_INT ? (double)v.i : v.kind == VAL_REAL ? v.r :
	    (v.b ? 1.0 : 0.0);
}

/* A range lo..hi: explicit (lo, hi programs) or known at compile time. */
typedef struct prange {
	pnode_t *lo, *hi;       /* NULL: lo_c..hi_c */
	long lo_c, hi_c;
	bool fail;              /* an inferred range the world cannot give */
} prange_t;

/* The memory of one d (EXPR) / d T node: by the tuple of the free
 * variables EXPR reads, its value, its work and the offsets of T it read
 * (sorted). state: 0 empty, 1 being written, 2 ready. */
typedef struct fd_memo_entry {
	int state;
	int status;             /* 0 or -1 (a finding) */
	pval_t v;
	unsigned long terms;    /* EXPR's sum steps, from zero */
	size_t nreads;
	size_t *reads;
} fd_memo_entry_t;

/* The root memory's entry (expr_prog's root_memo): the value alone, in
 * 16 bytes, so that the memory of a claim's part over millions of tuples
 * stays in the caches (the 56 bytes of an fd_memo_entry_t, most of them
 * unused there, made its loads miss: 30% of a claim that reads it at
 * every tuple). state as fd_memo_entry_t's. */
typedef struct root_ent {
	int state;
	signed char status;
	unsigned char kind;     /* value_kind_t */
	union {
		long i;
		double r;
		bool b;
	} u;
} root_ent_t;

typedef struct fd_memo {
	int nkeys;
	int *slots;             /* the free variables EXPR reads */
	long *lo;
	size_t *radix;
	size_t *mult;           /* key = sum (v_k - lo_k) * mult_k */
	size_t size;
	fd_memo_entry_t *e;     /* a d (EXPR) / d T node's, or NULL */
	root_ent_t *re;         /* the root's, or NULL */
} fd_memo_t;

/* fn (x) of one tensor entry x, as expr_fn1_real computes it (valid:
 * without a finding, and finite). */
typedef struct fn_entry {
	double x, y;
	bool valid;
} fn_entry_t;

/*
 * A sum's body as p_sum_inner evaluates it along the innermost index:
 * one factor, or the product of two, each T[...] or fn (T[...]) with the
 * access's offset affine (acc->aff), so that it moves by step at each
 * step of the index. The where, when there is one, is bfast.
 */
typedef struct sfactor {
	const struct pnode *acc;   /* the EX_ACCESS */
	const struct pnode *call;  /* the fn (T[...]) around it, or NULL */
	uint64_t step;
} sfactor_t;

typedef struct sinner {
	int nf;                    /* 1, or 2 for a product */
	sfactor_t f[2];
} sinner_t;

struct pnode {
	int kind;               /* expr_kind_t or P_* */
	const expr_t *src;
	/* An integer (ifast) or condition (bfast) that can have no finding
	 * at any tuple of the ranges: evaluated by ieval/beval, with no
	 * checks. lo..hi: an integer's interval. */
	bool ifast, bfast;
	__int128 lo, hi;
	/* An ifast integer in affine form (NULL: none); an access whose
	 * indices are all affine and within the tensor's dimensions at every
	 * tuple of the ranges: its flat offset, affine too. */
	const aff_t *aff;
	/* A bfast comparison of affine integers as differences compared
	 * with 0 (NULL: none): a < b < c as a - b and b - c; x in a .. b as
	 * x - a >= 0 and b - x >= 0. One affine form a comparison, not one
	 * a side. */
	const aff_t **cdiff;
	union {
		long ival;
		double rval;
		int slot;
		struct { const tensor_t *t; int nargs; pnode_t **args; } acc;
		struct { pnode_t *arg; long vals[4]; bool ok[4]; } strides;
		struct { pnode_t *a, *b, *c; } op;
		struct { int n; pnode_t **args; const cmp_op_t *ops; } cmp;
		/* inner: the body as factors (sum_inner), NULL: none */
		struct { int n; const int *slots; prange_t *r; pnode_t *where,
		    *body; int nb; const struct sbound *b;
		    const unsigned long *sub; const struct sinner *inner; } sum;
		/* tab: fn of every entry of args[0]'s tensor (call_table) */
		struct { expr_fn_t fn; int nargs; pnode_t **args;
		    const struct fn_entry *tab; } call;
		/* P_NUMERIC: out NULL for d f; P_FD: num, and den's access;
		 * rerun: num reads output, which follows T (forward_at) */
		struct { pnode_t *out, *den, *num; int id; fd_memo_t *memo;
		    bool rerun; } deriv;
	} u;
};

struct expr_prog {
	arena_t *arena;
	pnode_t *root;
	const expr_env_t *env;
	const tensor_t *output;             /* the world's, or NULL */
	int nfree, nslots;
	const expr_slot_range_t *ranges;    /* during compilation only */
	int depth;                          /* of the compilation */
	bool no_memo;                       /* EXPR_PROG_NO_MEMO */
	/* Each slot's interval, when known: the free variables' ranges and
	 * the sums' constant ranges (during compilation). */
	bool *iv_known;
	__int128 *iv_lo, *iv_hi;
	int fd_nest;                        /* d (EXPR) / d T inside EXPR */
	fd_memo_t **memos;
	int nmemos, cap_memos;
	/* The sum steps of every evaluation so far, in WORK_LINES counters
	 * on lines of their own (work_line()). */
	void *work_mem;
	unsigned long *work;
	/* The whole value by the free variables it reads, when they are
	 * far fewer tuples than the claim's (e.g. a right side that does not
	 * read half of the variables); NULL: none. */
	fd_memo_t *root_memo;
	int last_free;          /* expr_prog_last_free() */
	double cost;            /* expr_prog_cost() */
};

/*
 * The work counters: one per cache line, the thread's own by its number
 * in the parallel region (modulo WORK_LINES). One counter that every
 * thread bumped at every evaluation would bounce its line between the
 * cores: with 2 threads on one program, that was half of verify's time
 * (perf: the load next to it stalled). Still atomic: threads outside an
 * OpenMP region (the tutor's) all count on line 0.
 */
#define WORK_LINES 8
#define WORK_LINE_LONGS (64 / sizeof(unsigned long))

static unsigned long *
work_line(const expr_prog_t *p, int i)
{
	return &p->work[(size_t)i * WORK_LINE_LONGS];
}

/* One evaluation: the work done, the overrides of perturbed entries, and
 * (for the memory) the reads of one tensor. */

typedef struct prun {
	expr_prog_t *p;
	unsigned long terms;
	unsigned polls;
	int npert;
	struct { const tensor_t *t; size_t off; double v; } pert[MAX_PERTURB];
	const tensor_t *track;  /* NULL: no reads recorded */
	/* output as the innermost rerun d (EXPR) / d T being evaluated sees
	 * it (forward_at), NULL: the world's */
	const tensor_t *out_over;
	size_t *reads, nreads, cap_reads;
} prun_t;

/* ---- compiling ---- */

static pnode_t *compile(expr_prog_t *p, const expr_t *e);
static void aff_access(expr_prog_t *p, pnode_t *n);
static void sum_bounds(expr_prog_t *p, pnode_t *n);
static void sum_inner(expr_prog_t *p, pnode_t *n);

static pnode_t *
new_pnode(expr_prog_t *p, int kind, const expr_t *src)
{
	pnode_t *n = arena_alloc(p->arena, sizeof *n);

	n->kind = kind;
	n->src = src;
	return n;
}

static pnode_t **
compile_list(expr_prog_t *p, expr_t **es, int n)
{
	pnode_t **v = arena_alloc(p->arena, (size_t)(n > 0 ? n : 1) *
	    sizeof *v);
	int i;

	for (i = 0; i < n; i++)
		if ((v[i] = compile(p, es[i])) == NULL)
			return NULL;
	return v;
}

static tensor_t *
world_tensor(expr_prog_t *p, const char *name)
{
	return p->env->tensor(p->env->ctx, name);
}

/* tensor[args] read from tensor tname (df for d f / d output[...]). */
static pnode_t *
compile_access(expr_prog_t *p, const expr_t *e, const char *tname)
{
	static const char *const snames[] = { NULL, "strh", "strw", NULL };
	const tensor_t *t;
	pnode_t *n;
	int k;

	if (strcmp(tname, "strides") == 0) {
		n = new_pnode(p, P_STRIDES, e);
		if (e->u.access.nargs != 1)
			return new_pnode(p, P_FAIL, e);
		for (k = 0; k < 4; k++) {
			n->u.strides.vals[k] = 1;
			n->u.strides.ok[k] = snames[k] == NULL ||
			    p->env->constant(p->env->ctx, snames[k],
			    &n->u.strides.vals[k]);
		}
		n->u.strides.arg = compile(p, e->u.access.args[0]);
		return n->u.strides.arg != NULL ? n : NULL;
	}
	t = world_tensor(p, tname);
	if (t == NULL || e->u.access.nargs > TENSOR_MAX_DIMS ||
	    t->ndim != e->u.access.nargs)
		return new_pnode(p, P_FAIL, e);
	n = new_pnode(p, EX_ACCESS, e);
	n->u.acc.t = t;
	n->u.acc.nargs = e->u.access.nargs;
	n->u.acc.args = compile_list(p, e->u.access.args, e->u.access.nargs);
	if (n->u.acc.args == NULL)
		return NULL;
	aff_access(p, n);
	return n;
}

static int
compile_range(expr_prog_t *p, const expr_range_t *r, prange_t *out)
{
	const tensor_t *t;

	memset(out, 0, sizeof *out);
	if (r->lo != NULL) {
		out->lo = compile(p, r->lo);
		out->hi = compile(p, r->hi);
		return out->lo != NULL && out->hi != NULL ? 0 : -1;
	}
	if (strcmp(r->tensor, "strides") == 0) {
		out->hi_c = 3;
		return 0;
	}
	t = world_tensor(p, r->tensor);
	if (t == NULL || r->pos >= t->ndim)
		out->fail = true;
	else
		out->hi_c = (long)t->shape[r->pos] - 1;
	return 0;
}

static pnode_t *
compile_sum(expr_prog_t *p, const expr_t *e)
{
	pnode_t *n = new_pnode(p, EX_SUM, e);
	int *slots, k, ns = e->u.sum.n;

	n->u.sum.n = ns;
	n->u.sum.r = arena_alloc(p->arena, (size_t)(ns > 0 ? ns : 1) *
	    sizeof *n->u.sum.r);
	slots = arena_alloc(p->arena, (size_t)(ns > 0 ? ns : 1) * sizeof *slots);
	for (k = 0; k < ns; k++) {
		const prange_t *r = &n->u.sum.r[k];

		slots[k] = e->u.sum.idx[k].slot;
		if (compile_range(p, &e->u.sum.idx[k].range, &n->u.sum.r[k]) != 0)
			return NULL;
		if (slots[k] < 0 || slots[k] >= p->nslots)
			return NULL;
		/* the index's interval, when its bounds have one */
		if (r->lo == NULL && !r->fail) {
			p->iv_known[slots[k]] = true;
			p->iv_lo[slots[k]] = r->lo_c;
			p->iv_hi[slots[k]] = r->hi_c;
		} else if (r->lo != NULL && r->lo->ifast && r->hi->ifast) {
			p->iv_known[slots[k]] = true;
			p->iv_lo[slots[k]] = r->lo->lo;
			p->iv_hi[slots[k]] = r->hi->hi > r->lo->lo ? r->hi->hi :
			    r->lo->lo;
		}
	}
	n->u.sum.slots = slots;
	if (e->u.sum.where != NULL &&
	    (n->u.sum.where = compile(p, e->u.sum.where)) == NULL)
		return NULL;
	n->u.sum.body = compile(p, e->u.sum.body);
	if (n->u.sum.body == NULL)
		return NULL;
	if (n->u.sum.where != NULL && n->u.sum.where->bfast)
		sum_bounds(p, n);
	sum_inner(p, n);
	return n;
}

/* f for body b, a factor of sum n's inner form: T[...] with an affine
 * offset, or fn (T[...]) of one. false when b is neither. */
static bool
inner_factor(const pnode_t *n, const pnode_t *b, sfactor_t *f)
{
	const int slot = n->u.sum.slots[n->u.sum.n - 1];
	int i;

	f->call = NULL;
	if (b->kind == EX_CALL && b->u.call.nargs == 1 &&
	    b->u.call.fn != EXPR_FN_MIN && b->u.call.fn != EXPR_FN_MAX) {
		f->call = b;
		b = b->u.call.args[0];
	}
	if (b->kind != EX_ACCESS || b->aff == NULL)
		return false;
	f->acc = b;
	f->step = 0;
	for (i = 0; i < b->aff->n; i++)
		if (b->aff->slot[i] == slot)
			f->step = b->aff->coef[i];
	return true;
}

/* Sum n's inner form (sinner_t), when its body has one. */
static void
sum_inner(expr_prog_t *p, pnode_t *n)
{
	const pnode_t *b = n->u.sum.body;
	sinner_t in;

	if (n->u.sum.n < 1 || (n->u.sum.where != NULL &&
	    !n->u.sum.where->bfast))
		return;
	if (inner_factor(n, b, &in.f[0]))
		in.nf = 1;
	else if (b->kind == EX_MUL && inner_factor(n, b->u.op.a, &in.f[0]) &&
	    inner_factor(n, b->u.op.b, &in.f[1]))
		in.nf = 2;
	else
		return;
	n->u.sum.inner = memcpy(arena_alloc(p->arena, sizeof in), &in,
	    sizeof in);
}

/* Call fn on each child of e (ranges, where and body of a sum too). */
static void
each_child(const expr_t *e, void (*fn)(const expr_t *, void *), void *ud)
{
	int i;

	switch (e->kind) {
	case EX_INT: case EX_REAL: case EX_NAME:
		return;
	case EX_ACCESS:
		for (i = 0; i < e->u.access.nargs; i++)
			fn(e->u.access.args[i], ud);
		return;
	case EX_CMP:
		for (i = 0; i < e->u.cmp.n; i++)
			fn(e->u.cmp.args[i], ud);
		return;
	case EX_CALL:
		for (i = 0; i < e->u.call.nargs; i++)
			fn(e->u.call.args[i], ud);
		return;
	case EX_SUM:
		for (i = 0; i < e->u.sum.n; i++) {
			if (e->u.sum.idx[i].range.lo != NULL)
				fn(e->u.sum.idx[i].range.lo, ud);
			if (e->u.sum.idx[i].range.hi != NULL)
				fn(e->u.sum.idx[i].range.hi, ud);
		}
		if (e->u.sum.where != NULL)
			fn(e->u.sum.where, ud);
		fn(e->u.sum.body, ud);
		return;
	case EX_DERIV:
		if (e->u.deriv.num != NULL)
			fn(e->u.deriv.num, ud);
		fn(e->u.deriv.den, ud);
		return;
	default:
		if (e->u.op.a != NULL)
			fn(e->u.op.a, ud);
		if (e->u.op.b != NULL)
			fn(e->u.op.b, ud);
		if (e->u.op.c != NULL)
			fn(e->u.op.c, ud);
		return;
	}
}

/* The slots an expression reads and the slots its sums bind. */
typedef struct slot_use {
	int nslots;
	unsigned char *read, *bound;
	bool out_of_frame;
} slot_use_t;

static void
slot_use_walk(const expr_t *e, void *ud)
{
	slot_use_t *u = ud;
	int i;

	if (e->kind == EX_NAME && e->u.name.slot >= 0) {
		if (e->u.name.slot < u->nslots)
			u->read[e->u.name.slot] = 1;
		else
			u->out_of_frame = true;
	}
	if (e->kind == EX_SUM) {
		for (i = 0; i < e->u.sum.n; i++) {
			if (e->u.sum.idx[i].slot >= 0 &&
			    e->u.sum.idx[i].slot < u->nslots)
				u->bound[e->u.sum.idx[i].slot] = 1;
			else
				u->out_of_frame = true;
		}
	}
	each_child(e, slot_use_walk, ud);
}

/* Memory for d (EXPR) / d T at p: when every free variable EXPR reads has
 * a known range and the tuples of them are at most 1 << 20. NULL: none. */
#define FD_MEMO_MAX ((size_t)1 << 20)

static fd_memo_t *
memo_create(expr_prog_t *p, const expr_t *num, size_t max_size, bool root)
{
	unsigned char *seen;
	fd_memo_t *m;
	size_t size = 1;
	int k, n = 0;

	slot_use_t u;

	if (p->ranges == NULL || p->nfree <= 0 || p->no_memo)
		return NULL;
	u.nslots = p->nslots;
	u.read = xcalloc((size_t)p->nslots, 1);
	u.bound = xcalloc((size_t)p->nslots, 1);
	u.out_of_frame = false;
	slot_use_walk(num, &u);
	seen = u.read;
	/* EXPR must be a function of the free variables alone: every other
	 * slot it reads is bound by a sum inside it */
	for (k = p->nfree; k < p->nslots && !u.out_of_frame; k++)
		if (u.read[k] && !u.bound[k])
			u.out_of_frame = true;
	for (k = 0; k < p->nfree && !u.out_of_frame; k++) {
		if (!seen[k])
			continue;
		if (!p->ranges[k].known || p->ranges[k].hi < p->ranges[k].lo ||
		    (uint64_t)p->ranges[k].hi - (uint64_t)p->ranges[k].lo >=
		    FD_MEMO_MAX) {
			u.out_of_frame = true;
			break;
		}
		size *= (size_t)(p->ranges[k].hi - p->ranges[k].lo) + 1;
		if (size > max_size)
			u.out_of_frame = true;
		n++;
	}
	free(u.bound);
	if (u.out_of_frame) {
		free(seen);
		return NULL;
	}
	m = xcalloc(1, sizeof *m);
	m->nkeys = n;
	m->slots = xcalloc((size_t)(n > 0 ? n : 1), sizeof *m->slots);
	m->lo = xcalloc((size_t)(n > 0 ? n : 1), sizeof *m->lo);
	m->radix = xcalloc((size_t)(n > 0 ? n : 1), sizeof *m->radix);
	for (k = 0, n = 0; k < p->nfree; k++) {
		if (!seen[k])
			continue;
		m->slots[n] = k;
		m->lo[n] = p->ranges[k].lo;
		m->radix[n] = (size_t)(p->ranges[k].hi - p->ranges[k].lo) + 1;
		n++;
	}
	free(seen);
	m->mult = xcalloc((size_t)(n > 0 ? n : 1), sizeof *m->mult);
	for (k = n - 1; k >= 0; k--)
		m->mult[k] = k == n - 1 ? 1 : m->mult[k + 1] * m->radix[k + 1];
	m->size = size;
	if (root)
		m->re = xcalloc(size, sizeof *m->re);
	else
		m->e = xcalloc(size, sizeof *m->e);
	if (p->nmemos == p->cap_memos) {
		p->cap_memos = p->cap_memos ? 2 * p->cap_memos : 4;
		p->memos = xreallocarray(p->memos, (size_t)p->cap_memos,
		    sizeof *p->memos);
	}
	p->memos[p->nmemos++] = m;
	return m;
}

static void
has_deriv_walk(const expr_t *e, void *ud)
{
	if (e->kind == EX_DERIV)
		*(bool *)ud = true;
	else
		each_child(e, has_deriv_walk, ud);
}

/*
 * A d (EXPR) / d T whose EXPR reads output compiles when the world gives
 * output at a perturbed T without writing it (forward_at), T has a
 * numeric id, and the derivative is outermost with no derivative inside
 * EXPR: output then follows one perturbed entry, as in expr_eval, where
 * the perturbed callback reruns the kernel on the tensors as they are.
 */
static bool
rerun_compiles(const expr_prog_t *p, const expr_t *e)
{
	bool inner = false;

	if (p->env->forward_at == NULL || p->output == NULL || p->fd_nest > 0 ||
	    p->env->numeric_id(p->env->ctx,
	    e->u.deriv.den->u.access.tensor) < 0)
		return false;
	has_deriv_walk(e->u.deriv.num, &inner);
	return !inner;
}

/* d f / d output[...] is df; d output[...] / d T[...] and d f / d T[...]
 * numeric; d (EXPR) / d T[...] by central difference. */
static pnode_t *
compile_deriv(expr_prog_t *p, const expr_t *e)
{
	const expr_t *num = e->u.deriv.num, *den = e->u.deriv.den;
	const char *wrt;
	pnode_t *n;
	double h = p->env->fd_eps;

	if (den->kind != EX_ACCESS)
		return new_pnode(p, P_FAIL, e);
	wrt = den->u.access.tensor;
	if (num == NULL || (num->kind == EX_ACCESS &&
	    strcmp(num->u.access.tensor, "output") == 0)) {
		if (num == NULL && strcmp(wrt, "output") == 0)
			return compile_access(p, den, "df");
		n = new_pnode(p, P_NUMERIC, e);
		if (num != NULL && (n->u.deriv.out = compile_access(p, num,
		    "output")) == NULL)
			return NULL;
		if ((n->u.deriv.den = compile_access(p, den, wrt)) == NULL)
			return NULL;
		if ((num != NULL && n->u.deriv.out->kind == P_FAIL) ||
		    n->u.deriv.den->kind == P_FAIL)
			return new_pnode(p, P_FAIL, e);
		n->u.deriv.id = p->env->numeric_id(p->env->ctx, wrt);
		return n->u.deriv.id >= 0 ? n : new_pnode(p, P_FAIL, e);
	}
	if (e->u.deriv.rerun && !rerun_compiles(p, e))
		return NULL;    /* the world reruns the kernel: expr_eval's */
	if (!(h > 0.0) || !isfinite(h))
		return new_pnode(p, P_FAIL, e);
	n = new_pnode(p, P_FD, e);
	if (e->u.deriv.rerun) {
		n->u.deriv.rerun = true;
		n->u.deriv.id = p->env->numeric_id(p->env->ctx, wrt);
	}
	if (p->fd_nest >= MAX_PERTURB)
		return NULL;    /* nested deeper than the overrides go */
	p->fd_nest++;
	n->u.deriv.num = compile(p, num);
	p->fd_nest--;
	if (n->u.deriv.num == NULL ||
	    (n->u.deriv.den = compile_access(p, den, wrt)) == NULL)
		return NULL;
	if (n->u.deriv.den->kind == P_FAIL)
		return new_pnode(p, P_FAIL, e);
	/* a rerun's EXPR reads output, which every entry of T moves: the
	 * memory's short cut (an entry EXPR does not read) never holds */
	if (!n->u.deriv.rerun)
		n->u.deriv.memo = memo_create(p, num, FD_MEMO_MAX, false);
	return n;
}

/* ---- which integers and conditions cannot have a finding ---- */

/* Intervals within +-2^62: no operation on them overflows a long. */
#define IV_LIM ((__int128)1 << 62)

static bool
iv_set(pnode_t *n, __int128 a, __int128 b, __int128 c, __int128 d)
{
	__int128 lo = a, hi = a;

	lo = b < lo ? b : lo; hi = b > hi ? b : hi;
	lo = c < lo ? c : lo; hi = c > hi ? c : hi;
	lo = d < lo ? d : lo; hi = d > hi ? d : hi;
	n->lo = lo;
	n->hi = hi;
	return lo >= -IV_LIM && hi <= IV_LIM;
}

static __int128
floor_div_iv(__int128 a, __int128 b)
{
	__int128 q = a / b;

	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* ---- affine forms of ifast integers ---- */

static aff_t *
aff_new(expr_prog_t *p, uint64_t c)
{
	aff_t *f = arena_alloc(p->arena, sizeof *f);

	f->c = c;
	return f;
}

/* f += k * g; false past AFF_MAX terms. */
static bool
aff_add_scaled(aff_t *f, const aff_t *g, uint64_t k)
{
	int i, j;

	f->c += k * g->c;
	for (i = 0; i < g->n; i++) {
		for (j = 0; j < f->n && f->slot[j] != g->slot[i]; j++)
			;
		if (j == f->n) {
			if (f->n == AFF_MAX)
				return false;
			f->slot[f->n] = g->slot[i];
			f->coef[f->n++] = 0;
		}
		f->coef[j] += k * g->coef[i];
	}
	return true;
}

/* The affine form of ifast n from its children's, or NULL: literals,
 * constants, slots, negation, + and -, and * by a constant. */
static const aff_t *
aff_of(expr_prog_t *p, const pnode_t *n)
{
	const aff_t *a = NULL, *b = NULL;
	aff_t *f;

	if (n->kind == EX_NEG || n->kind == EX_ADD || n->kind == EX_SUB ||
	    n->kind == EX_MUL) {
		a = n->u.op.a->aff;
		b = n->kind != EX_NEG ? n->u.op.b->aff : NULL;
	}
	switch (n->kind) {
	case EX_INT: case P_CONST:
		return aff_new(p, (uint64_t)n->u.ival);
	case P_SLOT:
		f = aff_new(p, 0);
		f->n = 1;
		f->slot[0] = n->u.slot;
		f->coef[0] = 1;
		return f;
	case EX_NEG:
		f = aff_new(p, 0);
		return a != NULL && aff_add_scaled(f, a, (uint64_t)-1) ? f : NULL;
	case EX_ADD: case EX_SUB:
		f = aff_new(p, 0);
		return a != NULL && b != NULL && aff_add_scaled(f, a, 1) &&
		    aff_add_scaled(f, b, n->kind == EX_ADD ? 1 : (uint64_t)-1) ?
		    f : NULL;
	case EX_MUL:
		if (a == NULL || b == NULL || (a->n > 0 && b->n > 0))
			return NULL;
		f = aff_new(p, 0);
		return a->n == 0 ? (aff_add_scaled(f, b, a->c) ? f : NULL) :
		    (aff_add_scaled(f, a, b->c) ? f : NULL);
	default:
		return NULL;
	}
}

static inline long
aff_eval(const aff_t *f, const long *slots)
{
	uint64_t v = f->c;
	int i;

	for (i = 0; i < f->n; i++)
		v += f->coef[i] * (uint64_t)slots[f->slot[i]];
	return (long)v;
}

/* Access n's flat offset as one affine form, when every index is affine
 * and its interval lies within the tensor's dimension (no check can
 * fail at any tuple of the ranges). */
static void
aff_access(expr_prog_t *p, pnode_t *n)
{
	const tensor_t *t = n->u.acc.t;
	aff_t *f = aff_new(p, 0);
	int k;

	for (k = 0; k < n->u.acc.nargs; k++) {
		const pnode_t *a = n->u.acc.args[k];

		if (!a->ifast || a->aff == NULL || a->lo < 0 ||
		    a->hi >= (__int128)t->shape[k] ||
		    !aff_add_scaled(f, a->aff, (uint64_t)t->stride[k]))
			return;
	}
	n->aff = f;
}

/* ---- bounds of a sum's indices from its where ---- */

/* A constant range's span (its steps as p_range_count counts them), or
 * false when the range is not constant. */
static bool
const_span(const prange_t *r, long *lo, long *hi)
{
	if (r->lo == NULL) {
		*lo = r->lo_c;
		*hi = r->hi_c;
		return !r->fail;
	}
	if (!r->lo->ifast || !r->hi->ifast || r->lo->lo != r->lo->hi ||
	    r->hi->lo != r->hi->hi)
		return false;
	*lo = (long)r->lo->lo;
	*hi = (long)r->hi->lo;
	return true;
}

/* Index k of sum n, or -1 when slot is none of its indices. */
static int
sum_level(const pnode_t *n, int slot)
{
	int k;

	for (k = 0; k < n->u.sum.n; k++)
		if (n->u.sum.slots[k] == slot)
			return k;
	return -1;
}

/* l - m*r + delta >= 0 (ge) or <= 0 as a bound of the index x of sum n
 * that it reads last, when l, m*r and coef*x are affine within +-2^61
 * (so that rest = l - m*r + delta - coef*x, below 2^63 in size, is exact
 * in a long) and coef is at most 2^20 in size. */
static void
add_sbound(expr_prog_t *p, pnode_t *n, const pnode_t *l, const pnode_t *r,
    long m, long delta, bool ge, sbound_t *out, int *nb)
{
	const __int128 lim = (__int128)1 << 61;
	aff_t *d = aff_new(p, (uint64_t)delta), *rest;
	long xlo, xhi;
	int i, k, last = -1, at = -1;

	if (!l->ifast || !r->ifast || l->aff == NULL || r->aff == NULL ||
	    l->lo < -lim || l->hi > lim || m * r->lo < -lim || m * r->hi > lim ||
	    *nb == 4 * n->u.sum.n || !aff_add_scaled(d, l->aff, 1) ||
	    !aff_add_scaled(d, r->aff, -(uint64_t)m))
		return;
	for (i = 0; i < d->n; i++)
		if (d->coef[i] != 0 && (k = sum_level(n, d->slot[i])) > last) {
			last = k;
			at = i;
		}
	if (last < 0 || (int64_t)d->coef[at] < -(1L << 20) ||
	    (int64_t)d->coef[at] > (1L << 20) ||
	    !const_span(&n->u.sum.r[last], &xlo, &xhi) ||
	    (__int128)(int64_t)d->coef[at] * xlo < -lim ||
	    (__int128)(int64_t)d->coef[at] * xlo > lim ||
	    (__int128)(int64_t)d->coef[at] * xhi < -lim ||
	    (__int128)(int64_t)d->coef[at] * xhi > lim)
		return;
	rest = aff_new(p, d->c);
	for (i = 0; i < d->n; i++)
		if (i != at && d->coef[i] != 0) {
			rest->slot[rest->n] = d->slot[i];
			rest->coef[rest->n++] = d->coef[i];
		}
	out[*nb].k = last;
	out[*nb].ge = ge;
	out[*nb].coef = (long)(int64_t)d->coef[at];
	out[*nb].rest = rest;
	(*nb)++;
}

/* A // K with A affine and K a constant from 1 to 2^20: K, else 0. */
static long
idiv_by(const pnode_t *l)
{
	const pnode_t *b = l->u.op.b;

	if (l->kind != EX_IDIV || !l->ifast || l->u.op.a->aff == NULL ||
	    b->aff == NULL || b->aff->n != 0 || (int64_t)b->aff->c < 1 ||
	    (int64_t)b->aff->c > (1L << 20))
		return 0;
	return (long)b->aff->c;
}

/* The bounds of l OP r: as l - r, or with l = A // K (or r), by
 * A // K >= r iff A >= K*r and A // K <= r iff A <= K*r + K - 1. */
static void
cmp_sbounds(expr_prog_t *p, pnode_t *n, const pnode_t *l, cmp_op_t op,
    const pnode_t *r, sbound_t *out, int *nb)
{
	static const cmp_op_t flip[] = { [CMP_EQ] = CMP_EQ, [CMP_NE] = CMP_NE,
		[CMP_LT] = CMP_GT, [CMP_LE] = CMP_GE, [CMP_GT] = CMP_LT,
		[CMP_GE] = CMP_LE };
	const pnode_t *t;
	long k = idiv_by(l);

	if (k == 0 && idiv_by(r) != 0) {
		t = l;
		l = r;
		r = t;
		op = flip[op];
		k = idiv_by(l);
	}
	if (k != 0)
		l = l->u.op.a;
	else
		k = 1;
	/* A // K > r is A // K >= r + 1; A // K < r is A // K <= r - 1 */
	if (op == CMP_EQ || op == CMP_GE)
		add_sbound(p, n, l, r, k, 0, true, out, nb);
	if (op == CMP_GT)
		add_sbound(p, n, l, r, k, -k, true, out, nb);
	if (op == CMP_EQ || op == CMP_LE)
		add_sbound(p, n, l, r, k, -(k - 1), false, out, nb);
	if (op == CMP_LT)
		add_sbound(p, n, l, r, k, 1, false, out, nb);
}

/* The bounds of one conjunct (a comparison chain or `in`) and of each
 * side of an `and`. */
static void
conj_sbounds(expr_prog_t *p, pnode_t *n, const pnode_t *c, sbound_t *out,
    int *nb)
{
	int i;

	if (c->kind == EX_AND) {
		conj_sbounds(p, n, c->u.op.a, out, nb);
		conj_sbounds(p, n, c->u.op.b, out, nb);
	} else if (c->kind == EX_IN) {
		cmp_sbounds(p, n, c->u.op.a, CMP_GE, c->u.op.b, out, nb);
		cmp_sbounds(p, n, c->u.op.a, CMP_LE, c->u.op.c, out, nb);
	} else if (c->kind == EX_CMP) {
		for (i = 0; i + 1 < c->u.cmp.n; i++)
			cmp_sbounds(p, n, c->u.cmp.args[i], c->u.cmp.ops[i],
			    c->u.cmp.args[i + 1], out, nb);
	}
}

/* Sum n's bounds from its (bfast) where, and the steps each level's
 * skipped value would have charged below it: sub[k] = span(k+1) *
 * (1 + sub[k+1]). Only for sums whose ranges are all constant. */
static void
sum_bounds(expr_prog_t *p, pnode_t *n)
{
	int ns = n->u.sum.n, k, nb = 0;
	sbound_t *b = arena_alloc(p->arena, (size_t)(4 * ns) * sizeof *b);
	unsigned long *sub = arena_alloc(p->arena, (size_t)ns * sizeof *sub);
	long lo, hi;

	for (k = ns - 1; k >= 0; k--) {
		unsigned long span, below = 0;

		if (!const_span(&n->u.sum.r[k], &lo, &hi))
			return;
		if (k + 1 < ns) {
			const_span(&n->u.sum.r[k + 1], &lo, &hi);
			span = hi < lo ? 0 : (unsigned long)hi - (unsigned long)lo + 1;
			if (__builtin_mul_overflow(span, 1 + sub[k + 1], &below) ||
			    sub[k + 1] == ULONG_MAX)
				below = ULONG_MAX;
		}
		sub[k] = below;
	}
	conj_sbounds(p, n, n->u.sum.where, b, &nb);
	n->u.sum.nb = nb;
	n->u.sum.b = b;
	n->u.sum.sub = sub;
}

/* Mark n ifast (with its interval) when it is an integer leaf of known
 * value or interval, or + - * // % (positive divisor) and negation of
 * such; bfast when it is a comparison or `in` of ifast integers, or
 * and, or, not of bfast conditions. */
static void
mark_fast(expr_prog_t *p, pnode_t *n)
{
	const pnode_t *a = n->u.op.a, *b = n->u.op.b;
	int i;

	switch (n->kind) {
	case EX_INT: case P_CONST:
		n->ifast = iv_set(n, n->u.ival, n->u.ival, n->u.ival, n->u.ival);
		return;
	case P_SLOT:
		if (p->iv_known[n->u.slot])
			n->ifast = iv_set(n, p->iv_lo[n->u.slot],
			    p->iv_hi[n->u.slot], p->iv_lo[n->u.slot],
			    p->iv_lo[n->u.slot]);
		return;
	case EX_NEG:
		if (a->ifast)
			n->ifast = iv_set(n, -a->hi, -a->lo, -a->hi, -a->lo);
		return;
	case EX_ADD: case EX_SUB: case EX_MUL: case EX_IDIV: case EX_MOD:
		if (!a->ifast || !b->ifast)
			return;
		if (n->kind == EX_ADD)
			n->ifast = iv_set(n, a->lo + b->lo, a->hi + b->hi,
			    a->lo + b->lo, a->hi + b->hi);
		else if (n->kind == EX_SUB)
			n->ifast = iv_set(n, a->lo - b->hi, a->hi - b->lo,
			    a->lo - b->hi, a->hi - b->lo);
		else if (n->kind == EX_MUL)
			n->ifast = iv_set(n, a->lo * b->lo, a->lo * b->hi,
			    a->hi * b->lo, a->hi * b->hi);
		else if (n->kind == EX_IDIV)
			n->ifast = b->lo >= 1 && iv_set(n, floor_div_iv(a->lo,
			    b->lo), floor_div_iv(a->lo, b->hi),
			    floor_div_iv(a->hi, b->lo), floor_div_iv(a->hi, b->hi));
		else
			n->ifast = b->lo >= 1 && iv_set(n, 0, b->hi - 1, 0, 0);
		return;
	case EX_CMP:
		for (i = 0; i < n->u.cmp.n; i++)
			if (!n->u.cmp.args[i]->ifast)
				return;
		n->bfast = true;
		return;
	case EX_IN:
		n->bfast = a->ifast && b->ifast && n->u.op.c->ifast;
		return;
	case EX_NOT:
		n->bfast = a->bfast;
		return;
	case EX_AND: case EX_OR:
		n->bfast = a->bfast && b->bfast;
		return;
	default:
		return;
	}
}

/* Past this many entries a tensor's fn table is not built. */
#define FN_TABLE_MAX ((size_t)1 << 20)

/*
 * fn (T[...]) for a one-argument real function (tanh, exp, log, ...):
 * fn of every entry of T, computed once, so that a sum over T's entries
 * evaluated at many tuples (lesson 12: sum tanh(output[...]) at every
 * perturbation of the input) does not call fn again and again on the
 * same numbers. An evaluation takes the table's value only when the
 * entry it reads has the table's bits (an override or a rerun's output
 * differ): then fn would return the same bits. Not for a program
 * evaluated at one tuple (EXPR_PROG_NO_MEMO).
 */
static void
call_table(expr_prog_t *p, pnode_t *n)
{
	const pnode_t *a = n->u.call.args[0];
	const tensor_t *t;
	fn_entry_t *tab;
	size_t o;

	if (p->no_memo || n->u.call.nargs != 1 || a->kind != EX_ACCESS ||
	    n->u.call.fn == EXPR_FN_MIN || n->u.call.fn == EXPR_FN_MAX)
		return;
	t = a->u.acc.t;
	if (t->size == 0 || t->size > FN_TABLE_MAX)
		return;
	tab = arena_alloc(p->arena, t->size * sizeof *tab);
	for (o = 0; o < t->size; o++) {
		tab[o].x = t->data[o];
		tab[o].valid = isfinite(tab[o].x) &&
		    expr_fn1_real(n->u.call.fn, tab[o].x, &tab[o].y) == 0 &&
		    isfinite(tab[o].y);
	}
	n->u.call.tab = tab;
}

static pnode_t *
compile_node(expr_prog_t *p, const expr_t *e)
{
	pnode_t *n;
	long v;

	switch (e->kind) {
	case EX_INT:
		n = new_pnode(p, EX_INT, e);
		n->u.ival = e->u.ival;
		return n;
	case EX_REAL:
		n = new_pnode(p, EX_REAL, e);
		n->u.rval = e->u.rval;
		return n;
	case EX_NAME:
		if (e->u.name.slot >= 0) {
			n = new_pnode(p, P_SLOT, e);
			n->u.slot = e->u.name.slot;
			return n;
		}
		if (!p->env->constant(p->env->ctx, e->u.name.name, &v))
			return new_pnode(p, P_FAIL, e);
		n = new_pnode(p, P_CONST, e);
		n->u.ival = v;
		return n;
	case EX_ACCESS:
		return compile_access(p, e, e->u.access.tensor);
	case EX_CMP:
		n = new_pnode(p, EX_CMP, e);
		n->u.cmp.n = e->u.cmp.n;
		n->u.cmp.ops = e->u.cmp.ops;
		n->u.cmp.args = compile_list(p, e->u.cmp.args, e->u.cmp.n);
		return n->u.cmp.args != NULL ? n : NULL;
	case EX_SUM:
		return compile_sum(p, e);
	case EX_CALL:
		n = new_pnode(p, EX_CALL, e);
		n->u.call.fn = e->u.call.id;
		n->u.call.nargs = e->u.call.nargs;
		n->u.call.args = compile_list(p, e->u.call.args, e->u.call.nargs);
		if (n->u.call.args == NULL || e->u.call.nargs < 1)
			return NULL;
		call_table(p, n);
		return n;
	case EX_DERIV:
		return compile_deriv(p, e);
	default:
		n = new_pnode(p, (int)e->kind, e);
		if ((e->u.op.a != NULL && (n->u.op.a = compile(p, e->u.op.a)) ==
		    NULL) || (e->u.op.b != NULL && (n->u.op.b = compile(p,
		    e->u.op.b)) == NULL) || (e->u.op.c != NULL &&
		    (n->u.op.c = compile(p, e->u.op.c)) == NULL))
			return NULL;
		return n;
	}
}

/* a - b as one affine form (a and b ifast, with theirs), or NULL: past
 * AFF_MAX terms, or when a - b could leave a long (the intervals say). */
static const aff_t *
aff_diff(expr_prog_t *p, const pnode_t *a, const pnode_t *b)
{
	aff_t *f;

	if (a->aff == NULL || b->aff == NULL || a->hi - b->lo > LONG_MAX ||
	    a->lo - b->hi < LONG_MIN)
		return NULL;
	f = aff_new(p, 0);
	return aff_add_scaled(f, a->aff, 1) &&
	    aff_add_scaled(f, b->aff, (uint64_t)-1) ? f : NULL;
}

/* n->cdiff for a bfast comparison or `in` (see pnode). */
static void
cmp_diffs(expr_prog_t *p, pnode_t *n)
{
	int i, nd = n->kind == EX_IN ? 2 : n->u.cmp.n - 1;
	const aff_t **d = arena_alloc(p->arena, (size_t)nd * sizeof *d);

	for (i = 0; i < nd; i++) {
		if (n->kind == EX_IN)
			d[i] = i == 0 ? aff_diff(p, n->u.op.a, n->u.op.b) :
			    aff_diff(p, n->u.op.c, n->u.op.a);
		else
			d[i] = aff_diff(p, n->u.cmp.args[i],
			    n->u.cmp.args[i + 1]);
		if (d[i] == NULL)
			return;
	}
	n->cdiff = d;
}

/* Depth guard: a chain too deep for the stack is left to expr_eval (and
 * its own guard). */
#define COMPILE_MAX_DEPTH 2000

static pnode_t *
compile(expr_prog_t *p, const expr_t *e)
{
	pnode_t *n;

	if (++p->depth > COMPILE_MAX_DEPTH) {
		p->depth--;
		return NULL;
	}
	n = compile_node(p, e);
	p->depth--;
	if (n != NULL) {
		mark_fast(p, n);
		if (n->ifast)
			n->aff = aff_of(p, n);
		if (n->bfast && (n->kind == EX_CMP || n->kind == EX_IN))
			cmp_diffs(p, n);
	}
	return n;
}

static void
memo_free(fd_memo_t *m)
{
	size_t i;

	for (i = 0; m->e != NULL && i < m->size; i++)
		free(m->e[i].reads);
	free(m->e);
	free(m->re);
	free(m->mult);
	free(m->slots);
	free(m->lo);
	free(m->radix);
	free(m);
}

void
expr_prog_free(expr_prog_t *p)
{
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nmemos; i++)
		memo_free(p->memos[i]);   /* the root's among them */
	free(p->memos);
	arena_free(p->arena);
	free(p->work_mem);
	free(p);
}

/* The highest free variable (slot below nfree) that e reads, -1 for
 * none; nfree - 1 when e reads a slot outside the frame. */
/* The sum terms of one evaluation of n, by the ranges of its sums (a
 * range lo..hi of affine integers by its widest span, another counts 1,
 * a where does not narrow): an estimate for expr_prog_cost. */
static double
node_cost(const pnode_t *n)
{
	double c = 0, terms = 1;
	int i;

	if (n == NULL || n->ifast || n->bfast)
		return 0;
	switch (n->kind) {
	case EX_ACCESS:
		for (i = 0; i < n->u.acc.nargs; i++)
			c += node_cost(n->u.acc.args[i]);
		return c;
	case P_STRIDES:
		return node_cost(n->u.strides.arg);
	case EX_CMP:
		for (i = 0; i < n->u.cmp.n; i++)
			c += node_cost(n->u.cmp.args[i]);
		return c;
	case EX_CALL:
		for (i = 0; i < n->u.call.nargs; i++)
			c += node_cost(n->u.call.args[i]);
		return c;
	case EX_SUM:
		for (i = 0; i < n->u.sum.n; i++) {
			const prange_t *r = &n->u.sum.r[i];

			if (r->lo == NULL && !r->fail && r->hi_c >= r->lo_c)
				terms *= (double)r->hi_c - (double)r->lo_c + 1;
			else if (r->lo != NULL && r->lo->ifast &&
			    r->hi->ifast && r->hi->hi >= r->lo->lo)
				terms *= (double)(r->hi->hi - r->lo->lo) + 1;
		}
		return terms * (1 + node_cost(n->u.sum.where) +
		    node_cost(n->u.sum.body));
	case P_NUMERIC:
		return node_cost(n->u.deriv.out) + node_cost(n->u.deriv.den);
	case P_FD:
		return node_cost(n->u.deriv.den) + node_cost(n->u.deriv.num);
	case EX_INT: case EX_REAL: case P_SLOT: case P_CONST: case P_FAIL:
		return 0;
	default:
		return node_cost(n->u.op.a) + node_cost(n->u.op.b) +
		    node_cost(n->u.op.c);
	}
}

double
expr_prog_cost(const expr_prog_t *p)
{
	return p != NULL ? p->cost : 0;
}

static int
last_free_read(const expr_t *e, int nslots, int nfree)
{
	slot_use_t u;
	int k, last = -1;

	u.nslots = nslots;
	u.read = xcalloc((size_t)nslots + 1, 1);
	u.bound = xcalloc((size_t)nslots + 1, 1);
	u.out_of_frame = false;
	slot_use_walk(e, &u);
	for (k = 0; k < nfree; k++)
		if (u.read[k])
			last = k;
	if (u.out_of_frame)
		last = nfree - 1;
	free(u.read);
	free(u.bound);
	return last;
}

int
expr_prog_last_free(const expr_prog_t *p)
{
	return p->last_free;
}

/* A memory of the whole value pays when it has at most a quarter as many
 * entries as the claim has tuples (and at most 4 FD_MEMO_MAX). */
static size_t
root_memo_max(const expr_slot_range_t *ranges, int nfree)
{
	size_t tuples = 1, cap = 4 * FD_MEMO_MAX;
	int k;

	for (k = 0; k < nfree; k++) {
		if (!ranges[k].known || ranges[k].hi < ranges[k].lo)
			return 0;
		if ((uint64_t)ranges[k].hi - (uint64_t)ranges[k].lo >= 4 * cap)
			return cap;
		tuples *= (size_t)(ranges[k].hi - ranges[k].lo) + 1;
		if (tuples >= 4 * cap)
			return cap;
	}
	return tuples / 4;
}

expr_prog_t *
expr_prog_compile(const expr_t *e, const expr_env_t *env, int nslots,
    const expr_slot_range_t *ranges, int nfree, unsigned flags)
{
	expr_prog_t *p;
	int k;

	assert(e != NULL && env != NULL);
	if (env->numeric_id == NULL || env->numeric_at == NULL || nslots < 0 ||
	    nfree > nslots)
		return NULL;
	p = xcalloc(1, sizeof *p);
	p->arena = arena_create();
	p->output = env->tensor(env->ctx, "output");
	p->work_mem = xcalloc(WORK_LINES + 1, 64);
	p->work = (unsigned long *)(((uintptr_t)p->work_mem + 63) &
	    ~(uintptr_t)63);
	p->env = env;
	p->ranges = ranges;
	p->no_memo = (flags & EXPR_PROG_NO_MEMO) != 0;
	p->nfree = nfree;
	p->nslots = nslots;
	p->iv_known = xcalloc((size_t)nslots + 1, sizeof *p->iv_known);
	p->iv_lo = xcalloc((size_t)nslots + 1, sizeof *p->iv_lo);
	p->iv_hi = xcalloc((size_t)nslots + 1, sizeof *p->iv_hi);
	for (k = 0; ranges != NULL && k < nfree; k++) {
		if (ranges[k].known && ranges[k].lo <= ranges[k].hi) {
			p->iv_known[k] = true;
			p->iv_lo[k] = ranges[k].lo;
			p->iv_hi[k] = ranges[k].hi;
		}
	}
	p->root = compile(p, e);
	free(p->iv_known);
	free(p->iv_lo);
	free(p->iv_hi);
	if (p->root == NULL) {
		expr_prog_free(p);
		return NULL;
	}
	if (ranges != NULL)
		p->root_memo = memo_create(p, e, root_memo_max(ranges, nfree),
		    true);
	p->last_free = last_free_read(e, nslots, nfree);
	p->cost = node_cost(p->root);
	p->ranges = NULL;
	return p;
}

/* ---- evaluating: expr-eval.c's functions, without the words ---- */

static int peval(const pnode_t *n, prun_t *r, long *slots, pval_t *out);
static long ieval(const pnode_t *n, const long *slots);
static bool beval(const pnode_t *n, const long *slots);

static pval_t
p_int(long i)
{
	pval_t v = { .kind = VAL_INT, .i = i };
	return v;
}

static pval_t
p_real(double x)
{
	pval_t v = { .kind = VAL_REAL, .r = x };
	return v;
}

static pval_t
p_bool(bool b)
{
	pval_t v = { .kind = VAL_BOOL, .b = b };
	return v;
}

static int
peval_num(const pnode_t *n, prun_t *r, long *slots, pval_t *v)
{
	if (peval(n, r, slots, v) < 0 || v->kind == VAL_BOOL)
		return -1;
	return 0;
}

static int
peval_bool(const pnode_t *n, prun_t *r, long *slots, bool *b)
{
	pval_t v;

	if (peval(n, r, slots, &v) < 0 || v.kind != VAL_BOOL)
		return -1;
	*b = v.b;
	return 0;
}

static int
peval_integer(const pnode_t *n, prun_t *r, long *slots, long *out)
{
	pval_t v;

	if (peval_num(n, r, slots, &v) < 0)
		return -1;
	if (v.kind == VAL_INT) {
		*out = v.i;
		return 0;
	}
	if (v.r == floor(v.r) && fabs(v.r) <= 9e15) {
		*out = (long)v.r;
		return 0;
	}
	return -1;
}

/* T's entry at off as the evaluation sees it: the innermost override of
 * a d (EXPR) / d T being evaluated, else the tensor's. A read of the
 * tracked tensor is recorded (the memory of d (EXPR) / d T). */
static double
read_entry(prun_t *r, const tensor_t *t, size_t off)
{
	int i;

	if (r->track == t) {
		if (r->nreads == r->cap_reads) {
			r->cap_reads = r->cap_reads ? 2 * r->cap_reads : 32;
			r->reads = xreallocarray(r->reads, r->cap_reads,
			    sizeof *r->reads);
		}
		r->reads[r->nreads++] = off;
	}
	for (i = r->npert - 1; i >= 0; i--)
		if (r->pert[i].t == t && r->pert[i].off == off)
			return r->pert[i].v;
	if (r->out_over != NULL && t == r->p->output)
		return r->out_over->data[off];
	return t->data[off];
}

/* The flat offset of access n's indices (in range), or -1. */
static int
peval_offset(const pnode_t *n, prun_t *r, long *slots, size_t *off)
{
	const tensor_t *t = n->u.acc.t;
	long idx[TENSOR_MAX_DIMS];
	size_t o = 0;
	int k;

	if (n->aff != NULL) {
		*off = (size_t)aff_eval(n->aff, slots);
		return 0;
	}
	for (k = 0; k < n->u.acc.nargs; k++) {
		const pnode_t *a = n->u.acc.args[k];

		if (a->ifast)
			idx[k] = ieval(a, slots);
		else if (peval_integer(a, r, slots, &idx[k]) < 0)
			return -1;
	}
	for (k = 0; k < n->u.acc.nargs; k++) {
		if (idx[k] < 0 || (size_t)idx[k] >= t->shape[k])
			return -1;
		o += (size_t)idx[k] * t->stride[k];
	}
	*off = o;
	return 0;
}

static int
peval_strides(const pnode_t *n, prun_t *r, long *slots, pval_t *out)
{
	long k;

	if (peval_integer(n->u.strides.arg, r, slots, &k) < 0 || k < 0 ||
	    k > 3 || !n->u.strides.ok[k])
		return -1;
	*out = p_int(n->u.strides.vals[k]);
	return 0;
}

static int
p_arith_int(int kind, long a, long b, pval_t *out)
{
	long x;

	if (expr_int_op(kind, a, b, &x) != 0)
		return -1;
	*out = p_int(x);
	return 0;
}

static int
p_arith_real(int kind, double a, double b, pval_t *out)
{
	double x;

	if (expr_real_op(kind, a, b, &x) != 0)
		return -1;
	*out = p_real(x);
	return 0;
}

static int
peval_arith(const pnode_t *n, prun_t *r, long *slots, pval_t *out)
{
	pval_t a, b;

	if (peval_num(n->u.op.a, r, slots, &a) < 0 ||
	    peval_num(n->u.op.b, r, slots, &b) < 0)
		return -1;
	if (a.kind == VAL_INT && b.kind == VAL_INT && n->kind != EX_DIV)
		return p_arith_int(n->kind, a.i, b.i, out);
	return p_arith_real(n->kind, pv_real(a), pv_real(b), out);
}

static int
peval_neg(const pnode_t *n, prun_t *r, long *slots, pval_t *out)
{
	pval_t a;

	if (peval_num(n->u.op.a, r, slots, &a) < 0)
		return -1;
	if (a.kind == VAL_REAL) {
		*out = p_real(-a.r);
		return 0;
	}
	if (a.i == LONG_MIN)
		return -1;
	*out = p_int(-a.i);
	return 0;
}

static int
p_compare(pval_t a, cmp_op_t op, pval_t b, bool *res)
{
	int c;

	if ((a.kind == VAL_BOOL) != (b.kind == VAL_BOOL) ||
	    (a.kind == VAL_BOOL && op != CMP_EQ && op != CMP_NE))
		return -1;
	if (a.kind == VAL_BOOL)
		c = (int)a.b - (int)b.b;
	else if (a.kind == VAL_INT && b.kind == VAL_INT)
		c = (a.i > b.i) - (a.i < b.i);
	else
		c = (pv_real(a) > pv_real(b)) - (pv_real(a) < pv_real(b));
	*res = expr_cmp_holds(op, c);
	return 0;
}

static int
peval_cmp(const pnode_t *n, prun_t *r, long *slots, pval_t *out)
{
	pval_t a, b;
	bool res = true;
	int i;

	if (peval(n->u.cmp.args[0], r, slots, &a) < 0)
		return -1;
	for (i = 1; i < n->u.cmp.n && res; i++, a = b) {
		if (peval(n->u.cmp.args[i], r, slots, &b) < 0 ||
		    p_compare(a, n->u.cmp.ops[i - 1], b, &res) < 0)
			return -1;
	}
	*out = p_bool(res);
	return 0;
}

static int
peval_in(const pnode_t *n, prun_t *r, long *slots, pval_t *out)
{
	pval_t x, a, b;
	bool lo, hi;

	if (peval_num(n->u.op.a, r, slots, &x) < 0 ||
	    peval_num(n->u.op.b, r, slots, &a) < 0 ||
	    peval_num(n->u.op.c, r, slots, &b) < 0 ||
	    p_compare(a, CMP_LE, x, &lo) < 0 ||
	    p_compare(x, CMP_LE, b, &hi) < 0)
		return -1;
	*out = p_bool(lo && hi);
	return 0;
}

static int
peval_logic(const pnode_t *n, prun_t *r, long *slots, pval_t *out)
{
	bool a, b = false;

	if (peval_bool(n->u.op.a, r, slots, &a) < 0)
		return -1;
	if (n->kind == EX_NOT) {
		*out = p_bool(!a);
		return 0;
	}
	if ((n->kind == EX_AND) == a && peval_bool(n->u.op.b, r, slots, &b) < 0)
		return -1;
	*out = p_bool(n->kind == EX_AND ? a && b : a || b);
	return 0;
}

static int
peval_if(const pnode_t *n, prun_t *r, long *slots, pval_t *out)
{
	bool c;

	if (peval_bool(n->u.op.a, r, slots, &c) < 0)
		return -1;
	return peval(c ? n->u.op.b : n->u.op.c, r, slots, out);
}

typedef struct pacc {
	bool real;
	long i;
	double x;
} pacc_t;

static int
p_range(const prange_t *pr, prun_t *r, long *slots, long *lo, long *hi)
{
	if (pr->lo != NULL)
		return peval_integer(pr->lo, r, slots, lo) < 0 ||
		    peval_integer(pr->hi, r, slots, hi) < 0 ? -1 : 0;
	if (pr->fail)
		return -1;
	*lo = pr->lo_c;
	*hi = pr->hi_c;
	return 0;
}

static unsigned long
p_range_count(long lo, long hi)
{
	unsigned long span;

	if (hi < lo)
		return 0;
	span = (unsigned long)hi - (unsigned long)lo;
	return span == ULONG_MAX ? ULONG_MAX : span + 1;
}

static int
p_charge(prun_t *r, unsigned long n)
{
	if (n <= EVAL_MAX_TERMS - r->terms) {
		r->terms += n;
		return 0;
	}
	return -1;
}

static bool
p_cancelled(prun_t *r)
{
	const expr_env_t *w = r->p->env;

	if (++r->polls < EVAL_POLL_EVERY)
		return false;
	r->polls = 0;
	return w->cancelled != NULL && w->cancelled(w->ctx);
}

static __int128
div_floor128(__int128 a, __int128 b)
{
	__int128 q = a / b;

	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Narrow index k's constant range lo..hi of sum n by its bounds
 * (sum_bounds): the values left out make the where false, so their
 * terms are skipped, and the steps the walk below them would have
 * counted are charged instead (the same work, so the same limit). */
static int
p_sum_narrow(const pnode_t *n, int k, prun_t *r, const long *slots, long *lo,
    long *hi)
{
	__int128 nlo = *lo, nhi = *hi, rest, c, x;
	unsigned long skipped, steps;
	int i;

	for (i = 0; i < n->u.sum.nb; i++) {
		const sbound_t *b = &n->u.sum.b[i];

		if (b->k != k)
			continue;
		rest = aff_eval(b->rest, slots);
		c = b->coef;
		/* c*x + rest >= 0 (ge) or <= 0 */
		if ((c > 0) == b->ge) {
			x = c > 0 ? -div_floor128(rest, c) : -div_floor128(-rest, -c);
			if (x > nlo)
				nlo = x;
		} else {
			x = c > 0 ? div_floor128(-rest, c) : div_floor128(rest, -c);
			if (x < nhi)
				nhi = x;
		}
	}
	if (nhi < nlo)
		skipped = (unsigned long)*hi - (unsigned long)*lo + 1;
	else
		skipped = (unsigned long)(nlo - *lo) + (unsigned long)(*hi - nhi);
	if (__builtin_mul_overflow(skipped, n->u.sum.sub[k], &steps) ||
	    p_charge(r, steps) < 0)
		return -1;
	*lo = nhi < nlo ? 1 : (long)nlo;
	*hi = nhi < nlo ? 0 : (long)nhi;
	return 0;
}

/* Where factor f reads: the entries its tensor has in this evaluation
 * (a rerun's output), and whether an override may hide one of them. */
typedef struct fread {
	const double *data;
	bool pert;
	uint64_t off;
} fread_t;

/* Factor f's value at offset rd->off, as peval would compute T[...] or
 * fn (T[...]): the same bits, -1 where it has a finding. */
static int
inner_value(const sfactor_t *f, const fread_t *rd, const prun_t *r,
    double *out)
{
	const tensor_t *t = f->acc->u.acc.t;
	double x = rd->data[rd->off], y;
	int i;

	for (i = r->npert - 1; rd->pert && i >= 0; i--) {
		if (r->pert[i].t == t && r->pert[i].off == rd->off) {
			x = r->pert[i].v;
			break;
		}
	}
	if (!isfinite(x))
		return -1;
	if (f->call == NULL) {
		*out = x;
		return 0;
	}
	if (f->call->u.call.tab != NULL) {
		const fn_entry_t *e = &f->call->u.call.tab[rd->off];

		if (e->valid && memcmp(&x, &e->x, sizeof x) == 0) {
			*out = e->y;
			return 0;
		}
	}
	if (expr_fn1_real(f->call->u.call.fn, x, &y) < 0 || !isfinite(y))
		return -1;
	*out = y;
	return 0;
}

/*
 * The innermost index of sum n, lo..hi (within its range, narrowed), by
 * its inner form: the terms of p_sum_level's walk, in its order (so the
 * same sum, bit for bit, and the same findings and polls), with each
 * factor's offset moved by its step instead of the body's tree walked
 * at each term. Not while reads are recorded (r->track).
 */
static int
p_sum_inner(const pnode_t *n, prun_t *r, long *slots, long lo, long hi,
    pacc_t *acc)
{
	const sinner_t *in = n->u.sum.inner;
	const int slot = n->u.sum.slots[n->u.sum.n - 1];
	fread_t rd[2];
	double x, y;
	long v;
	int i, j;

	slots[slot] = lo;
	for (i = 0; i < in->nf; i++) {
		const tensor_t *t = in->f[i].acc->u.acc.t;

		rd[i].data = r->out_over != NULL && t == r->p->output ?
		    r->out_over->data : t->data;
		rd[i].pert = false;
		for (j = 0; j < r->npert; j++)
			rd[i].pert = rd[i].pert || r->pert[j].t == t;
		rd[i].off = (uint64_t)aff_eval(in->f[i].acc->aff, slots);
	}
	for (v = lo;; v++) {
		slots[slot] = v;
		if (p_cancelled(r))
			return -1;
		if (n->u.sum.where == NULL || beval(n->u.sum.where, slots)) {
			if (inner_value(&in->f[0], &rd[0], r, &x) < 0)
				return -1;
			if (in->nf == 2) {
				if (inner_value(&in->f[1], &rd[1], r, &y) < 0)
					return -1;
				x *= y;
				if (!isfinite(x))
					return -1;
			}
			acc->real = true;
			acc->x += x;
		}
		if (v == hi)
			break;
		for (i = 0; i < in->nf; i++)
			rd[i].off += in->f[i].step;
	}
	return 0;
}

static int
p_sum_level(const pnode_t *n, int k, prun_t *r, long *slots, pacc_t *acc)
{
	long lo, hi, v;
	pval_t t;
	bool w = true;

	if (k == n->u.sum.n) {
		if (n->u.sum.where != NULL &&
		    peval_bool(n->u.sum.where, r, slots, &w) < 0)
			return -1;
		if (!w)
			return 0;
		if (peval_num(n->u.sum.body, r, slots, &t) < 0)
			return -1;
		if (t.kind == VAL_REAL) {
			acc->real = true;
			acc->x += t.r;
		} else if (__builtin_add_overflow(acc->i, t.i, &acc->i))
			return -1;
		return 0;
	}
	if (p_range(&n->u.sum.r[k], r, slots, &lo, &hi) < 0 ||
	    p_charge(r, p_range_count(lo, hi)) < 0)
		return -1;
	if (hi < lo)
		return 0;
	if (n->u.sum.nb > 0 && p_sum_narrow(n, k, r, slots, &lo, &hi) < 0)
		return -1;
	if (hi < lo)
		return 0;
	if (k == n->u.sum.n - 1 && n->u.sum.inner != NULL && r->track == NULL)
		return p_sum_inner(n, r, slots, lo, hi, acc);
	for (v = lo;; v++) {
		slots[n->u.sum.slots[k]] = v;
		if (p_cancelled(r))
			return -1;
		if (p_sum_level(n, k + 1, r, slots, acc) < 0)
			return -1;
		if (v == hi)
			break;
	}
	return 0;
}

static int
peval_sum(const pnode_t *n, prun_t *r, long *slots, pval_t *out)
{
	pacc_t acc = { false, 0, 0.0 };

	if (p_sum_level(n, 0, r, slots, &acc) < 0)
		return -1;
	*out = acc.real ? p_real(acc.x + (double)acc.i) : p_int(acc.i);
	return 0;
}

/* fn (T[...]) by its table (call_table): the entry read as the access
 * reads it (overrides, reads recorded), fn from the table when it has
 * the table's bits. */
static int
peval_fn1_tab(const pnode_t *n, prun_t *r, long *slots, pval_t *out)
{
	const pnode_t *a = n->u.call.args[0];
	const fn_entry_t *e;
	size_t off;
	double x, y;

	if (peval_offset(a, r, slots, &off) < 0)
		return -1;
	x = read_entry(r, a->u.acc.t, off);
	e = &n->u.call.tab[off];
	if (e->valid && memcmp(&x, &e->x, sizeof x) == 0) {
		*out = p_real(e->y);
		return 0;
	}
	if (!isfinite(x) || expr_fn1_real(n->u.call.fn, x, &y) < 0)
		return -1;
	*out = p_real(y);
	return 0;
}

/* abs, tanh, exp, log, relu, square: expr-int.h's arithmetic, as
 * expr-eval.c's eval_fn1 (which words the findings). */
static int
peval_fn1(const pnode_t *n, prun_t *r, long *slots, pval_t *out)
{
	pval_t a;
	long ri;
	double rr;

	if (n->u.call.tab != NULL)
		return peval_fn1_tab(n, r, slots, out);
	if (peval_num(n->u.call.args[0], r, slots, &a) < 0)
		return -1;
	if (a.kind == VAL_INT && expr_fn_int(n->u.call.fn)) {
		*out = p_int(0);
		if (expr_fn1_int(n->u.call.fn, a.i, &ri) < 0)
			return -1;
		*out = p_int(ri);
		return 0;
	}
	if (expr_fn1_real(n->u.call.fn, pv_real(a), &rr) < 0)
		return -1;
	*out = p_real(rr);
	return 0;
}

static int
peval_call(const pnode_t *n, prun_t *r, long *slots, pval_t *out)
{
	bool is_max = n->u.call.fn == EXPR_FN_MAX, lt;
	pval_t best, v;
	int i;

	if (n->u.call.fn != EXPR_FN_MIN && !is_max)
		return peval_fn1(n, r, slots, out);
	if (peval_num(n->u.call.args[0], r, slots, &best) < 0)
		return -1;
	for (i = 1; i < n->u.call.nargs; i++) {
		if (peval_num(n->u.call.args[i], r, slots, &v) < 0)
			return -1;
		p_compare(v, is_max ? CMP_GT : CMP_LT, best, &lt);
		if (best.kind == VAL_REAL || v.kind == VAL_REAL)
			best = p_real(lt ? pv_real(v) : pv_real(best));
		else if (lt)
			best = v;
	}
	*out = best;
	return 0;
}

static int
peval_numeric(const pnode_t *n, prun_t *r, long *slots, pval_t *out)
{
	const expr_env_t *w = r->p->env;
	size_t o = 0, j;

	if (n->u.deriv.out != NULL &&
	    peval_offset(n->u.deriv.out, r, slots, &o) < 0)
		return -1;
	if (peval_offset(n->u.deriv.den, r, slots, &j) < 0)
		return -1;
	*out = p_real(w->numeric_at(w->ctx, n->u.deriv.id,
	    n->u.deriv.out != NULL ? (long)o : -1, j));
	return 0;
}

/* EXPR at the unperturbed world, from a fresh count of work, recording
 * the entries of t it reads (sorted, without repeats). */
static void
fd_memo_fill(prun_t *r, const pnode_t *num, const tensor_t *t, long *slots,
    fd_memo_entry_t *e)
{
	prun_t sub;
	size_t i, k;

	sub.p = r->p;
	sub.terms = 0;
	sub.polls = 0;
	sub.npert = 0;
	sub.reads = NULL;
	sub.nreads = sub.cap_reads = 0;
	sub.track = t;
	sub.out_over = NULL;
	e->status = peval_num(num, &sub, slots, &e->v);
	e->terms = sub.terms;
	/* sort and drop repeats: a small insertion sort, reads are few */
	for (i = 1; i < sub.nreads; i++) {
		size_t x = sub.reads[i];

		for (k = i; k > 0 && sub.reads[k - 1] > x; k--)
			sub.reads[k] = sub.reads[k - 1];
		sub.reads[k] = x;
	}
	for (i = k = 0; i < sub.nreads; i++)
		if (k == 0 || sub.reads[k - 1] != sub.reads[i])
			sub.reads[k++] = sub.reads[i];
	e->nreads = k;
	e->reads = sub.reads;
}

static bool
fd_memo_reads(const fd_memo_entry_t *e, size_t off)
{
	size_t lo = 0, hi = e->nreads;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->reads[mid] == off)
			return true;
		if (e->reads[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Memory m's key for the free variables at slots (the mixed radix of
 * their offsets in their ranges, the last fastest: products independent
 * of one another, not a chain), or SIZE_MAX outside the ranges. */
static inline size_t
memo_key(const fd_memo_t *m, const long *slots)
{
	size_t key = 0;
	bool out = false;
	int k;

	for (k = 0; k < m->nkeys; k++) {
		size_t d = (size_t)slots[m->slots[k]] - (size_t)m->lo[k];

		out |= d >= m->radix[k];   /* below lo too: d wraps */
		key += d * m->mult[k];
	}
	return out ? SIZE_MAX : key;
}

/* The memory's entry for the free variables at slots, filled if empty
 * (by this thread; another that fills it at the same time computes the
 * same, and the first to publish wins). */
static const fd_memo_entry_t *
fd_memo_get(prun_t *r, const pnode_t *n, long *slots, fd_memo_entry_t *mine)
{
	fd_memo_t *m = n->u.deriv.memo;
	fd_memo_entry_t *e;
	size_t key;
	int expect = 0;

	if ((key = memo_key(m, slots)) == SIZE_MAX)
		return NULL;     /* outside the ranges given */
	e = &m->e[key];
	if (__atomic_load_n(&e->state, __ATOMIC_ACQUIRE) == 2)
		return e;
	fd_memo_fill(r, n->u.deriv.num, n->u.deriv.den->u.acc.t, slots, mine);
	if (mine->status < 0 && r->p->env->cancelled != NULL &&
	    r->p->env->cancelled(r->p->env->ctx))
		return mine;    /* a cancelled evaluation is not remembered */
	if (__atomic_compare_exchange_n(&e->state, &expect, 1, false,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		e->status = mine->status;
		e->v = mine->v;
		e->terms = mine->terms;
		e->nreads = mine->nreads;
		e->reads = mine->reads;
		mine->reads = NULL;
		__atomic_store_n(&e->state, 2, __ATOMIC_RELEASE);
		return e;
	}
	return mine;
}

/* A rerun d (EXPR) / d T[off]: EXPR at x+h, then at x-h, T[off]
 * overridden and output from forward_at at each (expr_eval's order: the
 * second side is not evaluated when the first has a finding). */
static int
peval_rerun(const pnode_t *n, prun_t *r, long *slots, size_t off,
    double xp, double xm, pval_t *out)
{
	const expr_env_t *w = r->p->env;
	const tensor_t *saved = r->out_over;
	tensor_t *o = tensor_create(r->p->output->ndim, r->p->output->shape);
	pval_t vp, vm;
	int rc, top = r->npert++;

	r->pert[top].t = n->u.deriv.den->u.acc.t;
	r->pert[top].off = off;
	r->pert[top].v = xp;
	r->out_over = o;
	rc = w->forward_at(w->ctx, n->u.deriv.id, off, xp, o);
	if (rc == 0)
		rc = peval_num(n->u.deriv.num, r, slots, &vp);
	r->pert[top].v = xm;
	if (rc == 0)
		rc = w->forward_at(w->ctx, n->u.deriv.id, off, xm, o);
	if (rc == 0)
		rc = peval_num(n->u.deriv.num, r, slots, &vm);
	r->npert--;
	r->out_over = saved;
	tensor_free(o);
	if (rc < 0)
		return -1;
	*out = p_real((pv_real(vp) - pv_real(vm)) / (xp - xm));
	return 0;
}

/* d (EXPR) / d T[j]: (EXPR(x+h) - EXPR(x-h)) / ((x+h) - (x-h)), T[j]
 * overridden, never written. */
static int
peval_fd(const pnode_t *n, prun_t *r, long *slots, pval_t *out)
{
	const pnode_t *den = n->u.deriv.den;
	const fd_memo_entry_t *e = NULL;
	fd_memo_entry_t mine;
	double orig, xp, xm, h = r->p->env->fd_eps;
	pval_t vp, vm;
	size_t off;
	int rc, top;

	if (peval_offset(den, r, slots, &off) < 0)
		return -1;
	orig = read_entry(r, den->u.acc.t, off);
	xp = orig + h;
	xm = orig - h;
	mine.reads = NULL;      /* the rest is filled before it is read */
	if (n->u.deriv.memo != NULL && r->npert == 0 && r->track == NULL)
		e = fd_memo_get(r, n, slots, &mine);
	if (e != NULL && !fd_memo_reads(e, off)) {
		/* both evaluations would be this one, with its work twice */
		if (mine.reads != NULL)
			free(mine.reads);
		if (e->status < 0 || p_charge(r, e->terms) < 0 ||
		    p_charge(r, e->terms) < 0)
			return -1;
		*out = p_real((pv_real(e->v) - pv_real(e->v)) / (xp - xm));
		return 0;
	}
	if (mine.reads != NULL)
		free(mine.reads);
	if (r->npert == MAX_PERTURB)
		return -1;      /* not reached: compile refuses deeper nests */
	if (n->u.deriv.rerun)
		return peval_rerun(n, r, slots, off, xp, xm, out);
	top = r->npert++;
	r->pert[top].t = den->u.acc.t;
	r->pert[top].off = off;
	r->pert[top].v = xp;
	rc = peval_num(n->u.deriv.num, r, slots, &vp);
	r->pert[top].v = xm;
	if (rc == 0)
		rc = peval_num(n->u.deriv.num, r, slots, &vm);
	r->npert--;
	if (rc < 0)
		return -1;
	*out = p_real((pv_real(vp) - pv_real(vm)) / (xp - xm));
	return 0;
}

/* An ifast integer: the same value as the checked path, which can have
 * no finding here (the intervals say so). */
static long
ieval(const pnode_t *n, const long *slots)
{
	if (n->aff != NULL)
		return aff_eval(n->aff, slots);
	switch (n->kind) {
	case EX_INT: case P_CONST: return n->u.ival;
	case P_SLOT: return slots[n->u.slot];
	case EX_NEG: return -ieval(n->u.op.a, slots);
	case EX_ADD: return ieval(n->u.op.a, slots) + ieval(n->u.op.b, slots);
	case EX_SUB: return ieval(n->u.op.a, slots) - ieval(n->u.op.b, slots);
	case EX_MUL: return ieval(n->u.op.a, slots) * ieval(n->u.op.b, slots);
	case EX_IDIV:
		return expr_floor_div(ieval(n->u.op.a, slots), ieval(n->u.op.b, slots));
	case EX_MOD:
		return expr_floor_mod(ieval(n->u.op.a, slots), ieval(n->u.op.b, slots));
	}
	assert(0 && "not an ifast node");
	return 0;
}

static bool
icmp(long a, cmp_op_t op, long b)
{
	return expr_cmp_holds(op, (a > b) - (a < b));
}

/* A bfast condition, with the checked path's short cuts. */
static bool
beval(const pnode_t *n, const long *slots)
{
	long a, b, x;
	int i;

	if (n->cdiff != NULL) {
		if (n->kind == EX_IN)
			return aff_eval(n->cdiff[0], slots) >= 0 &&
			    aff_eval(n->cdiff[1], slots) >= 0;
		for (i = 0; i < n->u.cmp.n - 1; i++)
			if (!icmp(aff_eval(n->cdiff[i], slots),
			    n->u.cmp.ops[i], 0))
				return false;
		return true;
	}
	switch (n->kind) {
	case EX_CMP:
		a = ieval(n->u.cmp.args[0], slots);
		for (i = 1; i < n->u.cmp.n; i++, a = b) {
			b = ieval(n->u.cmp.args[i], slots);
			if (!icmp(a, n->u.cmp.ops[i - 1], b))
				return false;
		}
		return true;
	case EX_IN:
		x = ieval(n->u.op.a, slots);
		a = ieval(n->u.op.b, slots);
		b = ieval(n->u.op.c, slots);
		return a <= x && x <= b;
	case EX_NOT: return !beval(n->u.op.a, slots);
	case EX_AND: return beval(n->u.op.a, slots) && beval(n->u.op.b, slots);
	case EX_OR: return beval(n->u.op.a, slots) || beval(n->u.op.b, slots);
	}
	assert(0 && "not a bfast node");
	return false;
}

static int
peval_node(const pnode_t *n, prun_t *r, long *slots, pval_t *out)
{
	size_t off;

	if (n->ifast) {
		*out = p_int(ieval(n, slots));
		return 0;
	}
	if (n->bfast) {
		*out = p_bool(beval(n, slots));
		return 0;
	}
	switch (n->kind) {
	case EX_INT: *out = p_int(n->u.ival); return 0;
	case EX_REAL: *out = p_real(n->u.rval); return 0;
	case P_SLOT: *out = p_int(slots[n->u.slot]); return 0;
	case P_CONST: *out = p_int(n->u.ival); return 0;
	case P_FAIL: return -1;
	case EX_ACCESS:
		if (peval_offset(n, r, slots, &off) < 0)
			return -1;
		*out = p_real(read_entry(r, n->u.acc.t, off));
		return 0;
	case P_STRIDES: return peval_strides(n, r, slots, out);
	case EX_NEG: return peval_neg(n, r, slots, out);
	case EX_NOT: case EX_AND: case EX_OR:
		return peval_logic(n, r, slots, out);
	case EX_ADD: case EX_SUB: case EX_MUL: case EX_DIV: case EX_IDIV:
	case EX_MOD:
		return peval_arith(n, r, slots, out);
	case EX_CMP: return peval_cmp(n, r, slots, out);
	case EX_IN: return peval_in(n, r, slots, out);
	case EX_IF: return peval_if(n, r, slots, out);
	case EX_SUM: return peval_sum(n, r, slots, out);
	case EX_CALL: return peval_call(n, r, slots, out);
	case P_NUMERIC: return peval_numeric(n, r, slots, out);
	case P_FD: return peval_fd(n, r, slots, out);
	}
	assert(0 && "unknown program node");
	return -1;
}

/* As expr-eval.c's eval: a real result that is not finite is a finding
 * where it first appears. */
static int
peval(const pnode_t *n, prun_t *r, long *slots, pval_t *out)
{
	if (peval_node(n, r, slots, out) < 0)
		return -1;
	if (out->kind == VAL_REAL && !isfinite(out->r))
		return -1;
	return 0;
}

static int
eval_fresh(expr_prog_t *p, long *slots, pval_t *out)
{
	prun_t r;
	int rc;

	r.p = p;
	r.terms = 0;
	r.polls = 0;
	r.npert = 0;
	r.track = NULL;
	r.out_over = NULL;
	r.reads = NULL;
	r.nreads = r.cap_reads = 0;
	rc = peval(p->root, &r, slots, out);
	if (r.reads != NULL)
		free(r.reads);
	__atomic_add_fetch(work_line(p, parallel_thread_num() % WORK_LINES),
	    r.terms + 1, __ATOMIC_RELAXED);
	return rc;
}

/* The work counted on this thread's line. */
static unsigned long
expr_prog_work_here(const expr_prog_t *p)
{
	return __atomic_load_n(work_line(p, parallel_thread_num() % WORK_LINES),
	    __ATOMIC_RELAXED);
}

unsigned long
expr_prog_work(const expr_prog_t *p)
{
	unsigned long n = 0;
	int i;

	for (i = 0; p != NULL && i < WORK_LINES; i++)
		n += __atomic_load_n(work_line(p, i), __ATOMIC_RELAXED);
	return n;
}

/* The root memory's entry for slots, or NULL (outside the ranges). */
static root_ent_t *
root_entry(const fd_memo_t *m, const long *slots)
{
	size_t key = memo_key(m, slots);

	return key == SIZE_MAX ? NULL : &m->re[key];
}

static int prog_eval(expr_prog_t *p, long *slots, pval_t *out);

int
expr_prog_eval(expr_prog_t *p, long *slots, value_t *out)
{
	pval_t v;
	int rc = prog_eval(p, slots, &v);

	if (rc == 0) {
		out->kind = v.kind;
		out->i = v.kind == VAL_INT ? v.i : 0;
		out->r = v.kind == VAL_REAL ? v.r : 0.0;
		out->b = v.kind == VAL_BOOL ? v.b : false;
	}
	return rc;
}

int
expr_prog_eval_real_w(expr_prog_t *p, long *slots, double *out,
    unsigned long *work)
{
	unsigned long before = expr_prog_work_here(p);
	int rc = expr_prog_eval_real(p, slots, out);

	*work = expr_prog_work_here(p) - before;
	return rc;
}

void
expr_prog_charge(expr_prog_t *p, unsigned long work)
{
	__atomic_add_fetch(work_line(p, parallel_thread_num() % WORK_LINES),
	    work, __ATOMIC_RELAXED);
}

int
expr_prog_eval_real(expr_prog_t *p, long *slots, double *out)
{
	pval_t v;
	int rc = prog_eval(p, slots, &v);

	if (rc == 0)
		*out = pv_real(v);
	return rc;
}

static pval_t
root_value(const root_ent_t *e)
{
	pval_t v;

	v.kind = (value_kind_t)e->kind;
	if (v.kind == VAL_INT)
		v.i = e->u.i;
	else if (v.kind == VAL_REAL)
		v.r = e->u.r;
	else
		v.b = e->u.b;
	return v;
}

static void
root_keep(root_ent_t *e, pval_t v)
{
	e->kind = (unsigned char)v.kind;
	if (v.kind == VAL_INT)
		e->u.i = v.i;
	else if (v.kind == VAL_REAL)
		e->u.r = v.r;
	else
		e->u.b = v.b;
}

static int
prog_eval(expr_prog_t *p, long *slots, pval_t *out)
{
	root_ent_t *e;
	const expr_env_t *w = p->env;
	int rc, expect = 0;

	assert(p != NULL && out != NULL);
	if (p->root_memo == NULL || (e = root_entry(p->root_memo, slots)) == NULL)
		return eval_fresh(p, slots, out);
	if (__atomic_load_n(&e->state, __ATOMIC_ACQUIRE) == 2) {
		if (e->status == 0)
			*out = root_value(e);
		return e->status;
	}
	rc = eval_fresh(p, slots, out);
	if (rc < 0 && w->cancelled != NULL && w->cancelled(w->ctx))
		return rc;
	if (__atomic_compare_exchange_n(&e->state, &expect, 1, false,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		e->status = (signed char)rc;
		if (rc == 0)
			root_keep(e, *out);
		__atomic_store_n(&e->state, 2, __ATOMIC_RELEASE);
	}
	return rc;
}
