/*
 * shrink.c: the smallest counterexample (shrink.h): a best-first greedy
 * walk over valid shapes in a space (shrink_shape), and for a claim each
 * shape verified in a world of its own (shrink_claim).
 */
#include "config.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "shrink.h"
#include "util.h"

/* The fields a neighbour lowers, in the order ties are broken. Padding,
 * dilation and groups are lowered too; the space then refuses none
 * (lowering never leaves it), and a space without them has them at 0, 1,
 * 1 already. */
static const char *const shrink_fields[] = {
	"N", "C_in", "C_out", "groups", "R", "S", "H_in", "W_in",
	"strh", "strw", "pad_h", "pad_w", "dil_h", "dil_w",
};
#define NFIELDS ((int)(sizeof shrink_fields / sizeof shrink_fields[0]))

void
shrink_result_clear(shrink_result_t *sr)
{
	verify_result_clear(&sr->r);
	memset(sr, 0, sizeof *sr);
}

size_t
shrink_measure(const conv_shape_t *s)
{
	return conv_input_size(s) + conv_weight_size(s) + conv_output_size(s);
}

/* The second key of the measure: how far from stride 1, no padding, no
 * dilation, one group. */
static long
shrink_extent(const conv_shape_t *s)
{
	return s->strh + s->strw + s->pad_h + s->pad_w + s->dil_h + s->dil_w +
	    s->groups;
}

/* a before b by the measure, then the extent, then field by field (so the
 * order, and the result, never depend on qsort). */
static int
shape_cmp(const void *pa, const void *pb)
{
	const conv_shape_t *a = pa, *b = pb;
	size_t ma = shrink_measure(a), mb = shrink_measure(b);
	long ea = shrink_extent(a), eb = shrink_extent(b), va, vb;
	int k;

	if (ma != mb)
		return ma < mb ? -1 : 1;
	if (ea != eb)
		return ea < eb ? -1 : 1;
	for (k = 0; k < NFIELDS; k++) {
		conv_shape_get(a, shrink_fields[k], &va);
		conv_shape_get(b, shrink_fields[k], &vb);
		if (va != vb)
			return va < vb ? -1 : 1;
	}
	return 0;
}

/* The smallest H_in (W_in) that keeps h_out output rows: the inverse of
 * H_out = (H_in + 2 pad - dil (R - 1) - 1) / str + 1. */
static long
fit_in(long out, long str, long pad, long dil, long k)
{
	return (out - 1) * str + dil * (k - 1) + 1 - 2 * pad;
}

/* s with its input sizes lowered to keep H_out, W_out of `keep`. */
static conv_shape_t
refit(conv_shape_t s, const conv_shape_t *keep)
{
	long h = fit_in(keep->H_out, s.strh, s.pad_h, s.dil_h, s.R);
	long w = fit_in(keep->W_out, s.strw, s.pad_w, s.dil_w, s.S);

	if (h >= 1 && h < s.H_in)
		s.H_in = h;
	if (w >= 1 && w < s.W_in)
		s.W_in = w;
	return s;
}

/* Is s within space sp (what a lesson covers: lesson_covers)? */
static bool
in_space(const shrink_space_t *sp, const conv_shape_t *s)
{
	return (sp->padding || (s->pad_h == 0 && s->pad_w == 0)) &&
	    (sp->dilation || (s->dil_h == 1 && s->dil_w == 1)) &&
	    (sp->groups || s->groups == 1);
}

/* Add s to the list if it is valid, in sp and smaller than cur. */
static void
add_candidate(const shrink_space_t *sp, const conv_shape_t *cur,
    conv_shape_t s, conv_shape_t **v, size_t *n, size_t *cap)
{
	char *err = NULL;

	if (conv_shape_validate(&s, 0, &err) != 0) {
		free(err);
		return;
	}
	if (!in_space(sp, &s) || shape_cmp(&s, cur) >= 0)
		return;
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = s;
}

/* Every neighbour of cur smaller than it, sorted smallest first. */
static conv_shape_t *
neighbours(const shrink_space_t *sp, const conv_shape_t *cur, size_t *n)
{
	conv_shape_t *v = NULL, s;
	size_t cap = 0, i;
	long val, lo;
	int k;

	*n = 0;
	for (k = 0; k < NFIELDS; k++) {
		conv_shape_get(cur, shrink_fields[k], &val);
		lo = strncmp(shrink_fields[k], "pad", 3) == 0 ? 0 : 1;
		for (; lo < val; lo++) {
			s = *cur;
			conv_shape_set(&s, shrink_fields[k], lo);
			add_candidate(sp, cur, s, &v, n, &cap);
			add_candidate(sp, cur, refit(s, cur), &v, n, &cap);
		}
	}
	if (*n == 0)
		return v;
	qsort(v, *n, sizeof *v, shape_cmp);
	for (i = 1, k = 1; i < *n; i++)     /* a refit may equal another */
		if (shape_cmp(&v[i], &v[k - 1]) != 0)
			v[k++] = v[i];
	*n = (size_t)k;
	return v;
}

/* One step of the walk: the smallest neighbour of f->shape that fails
 * becomes f's. 1 moved, 0 a local minimum (or out of tries), -2 stopped. */
static int
shrink_step(const shrink_space_t *sp, shrink_fails_fn fails, void *ctx,
    int max_tries, shrink_found_t *f)
{
	conv_shape_t *v;
	size_t n, i;
	int rc = 0, r;

	v = neighbours(sp, &f->shape, &n);
	for (i = 0; i < n && rc == 0; i++) {
		if (f->tries >= max_tries) {
			f->exhausted = true;
			break;
		}
		f->tries++;
		r = fails(ctx, &v[i]);
		if (r == -2) {
			rc = -2;
		} else if (r == 1) {
			f->shape = v[i];
			f->shrunk = true;
			rc = 1;
		}
		/* 0, or -1: e.g. a let too large there, a plugin that crashed
		 * there: not a counterexample */
	}
	free(v);
	return rc;
}

int
shrink_shape(const conv_shape_t *start, const shrink_space_t *sp,
    shrink_fails_fn fails, void *ctx, int max_tries, shrink_found_t *f)
{
	int rc;

	assert(start != NULL && sp != NULL && fails != NULL && f != NULL);
	memset(f, 0, sizeof *f);
	if (max_tries <= 0)
		max_tries = SHRINK_MAX_TRIES_DEFAULT;
	f->shape = *start;
	f->tries = 1;
	while ((rc = shrink_step(sp, fails, ctx, max_tries, f)) == 1)
		;
	return rc;
}

static bool
is_cancelled(const verify_opts_t *o)
{
	return (o->cancel != NULL && *o->cancel) ||
	    (o->cancelled != NULL && o->cancelled(o->ud));
}

/* Evaluate l's lets in vc, those before claim c (all of them when c is
 * not one of l's claims). 0, or -1 with *err. */
static int
lets_before(verify_ctx_t *vc, const lesson_t *l, const claim_t *c,
    char **err)
{
	verify_result_t r;
	int i, j;

	for (i = 0; i < l->nsteps; i++)
		for (j = 0; j < l->steps[i].nclaims; j++) {
			const claim_t *cl = l->steps[i].claims[j];

			if (cl == c)
				return 0;
			if (cl->kind != CLAIM_LET)
				continue;
			if (verify_claim(vc, cl, &r, err) != 0)
				return -1;
			verify_result_clear(&r);
		}
	return 0;
}

int
shrink_verify_at(const lesson_t *l, const claim_t *c, const conv_shape_t *s,
    const verify_opts_t *o, verify_result_t *r, char **err)
{
	verify_ctx_t *vc = verify_ctx_create(s, o, err);
	int rc;

	memset(r, 0, sizeof *r);
	if (vc == NULL)
		return -1;
	rc = lets_before(vc, l, c, err);
	if (rc == 0)
		rc = verify_claim(vc, c, r, err);
	verify_ctx_free(vc);
	return rc;
}

/* Verify c at shape s (shrink_verify_at). 1 it fails there (*r filled),
 * 0 it does not, -1 with *err (cannot be checked, or cancelled). */
static int
fails_at(const lesson_t *l, const claim_t *c, const conv_shape_t *s,
    const verify_opts_t *o, verify_result_t *r, char **err)
{
	if (shrink_verify_at(l, c, s, o, r, err) != 0)
		return -1;
	if (r->verdict == VERDICT_CANCELLED) {
		verify_result_clear(r);
		return set_error(err, "cancelled");
	}
	if (r->verdict == VERDICT_FAILS || r->verdict == VERDICT_REFUTED)
		return 1;
	verify_result_clear(r);
	return 0;
}

/* What shrink_claim's callback needs: the claim, and where the verdict
 * at the current (last failing) shape and a stopping error are kept. */
typedef struct claim_search {
	const lesson_t *l;
	const claim_t *c;
	const verify_opts_t *o;
	verify_result_t r;      /* at the last shape that failed */
	char *err;              /* why it stopped */
} claim_search_t;

/* shrink_fails_fn for a claim: fails_at, with cancelling (checked before
 * each shape too) as -2. */
static int
claim_fails(void *ctx, const conv_shape_t *s)
{
	claim_search_t *cs = ctx;
	verify_result_t r;
	char *err = NULL;
	int f;

	if (is_cancelled(cs->o)) {
		set_error(&cs->err, "cancelled");
		return -2;
	}
	f = fails_at(cs->l, cs->c, s, cs->o, &r, &err);
	if (f < 0 && is_cancelled(cs->o)) {
		cs->err = err;
		return -2;
	}
	free(err);
	if (f < 0)
		return -1;
	if (f == 1) {
		verify_result_clear(&cs->r);
		cs->r = r;
	}
	return f;
}

int
shrink_claim(const lesson_t *l, const claim_t *c, const conv_shape_t *start,
    const verify_opts_t *o, int max_tries, shrink_result_t *sr, char **err)
{
	shrink_space_t sp = { l->covers_padding, l->covers_dilation,
	    l->covers_groups };
	claim_search_t cs = { l, c, o, { 0 }, NULL };
	shrink_found_t f;
	const char *why;
	int rc;

	assert(l != NULL && c != NULL && start != NULL && o != NULL);
	memset(sr, 0, sizeof *sr);
	if (max_tries <= 0)
		max_tries = SHRINK_MAX_TRIES_DEFAULT;
	sr->shape = *start;
	if (conv_shape_validate(&sr->shape, o->max_bytes, err) != 0)
		return -1;
	if (!lesson_covers(l, &sr->shape, &why))
		return set_error(err, "the lesson does not cover the start "
		    "shape: %s", why);
	rc = fails_at(l, c, &sr->shape, o, &cs.r, err);
	if (rc <= 0) {
		shrink_result_clear(sr);
		return rc < 0 ? -1 : 1;
	}
	if (shrink_shape(&sr->shape, &sp, claim_fails, &cs, max_tries, &f) != 0) {
		verify_result_clear(&cs.r);
		shrink_result_clear(sr);
		*err = cs.err;
		return -1;
	}
	sr->shape = f.shape;
	sr->r = cs.r;
	sr->tries = f.tries;
	sr->exhausted = f.exhausted;
	sr->shrunk = f.shrunk;
	return 0;
}

char *
shrink_shape_str(const conv_shape_t *s, char *buf, size_t len)
{
	sbuf_t b;
	char *t;

	sbuf_init(&b);
	sbuf_addf(&b, "N=%ld C_in=%ld H_in=%ld W_in=%ld C_out=%ld R=%ld S=%ld",
	    s->N, s->C_in, s->H_in, s->W_in, s->C_out, s->R, s->S);
	if (s->strh == s->strw)
		sbuf_addf(&b, " stride %ld", s->strh);
	else
		sbuf_addf(&b, " stride %ld,%ld", s->strh, s->strw);
	if (s->pad_h != 0 || s->pad_w != 0)
		sbuf_addf(&b, " padding %ld,%ld", s->pad_h, s->pad_w);
	if (s->dil_h != 1 || s->dil_w != 1)
		sbuf_addf(&b, " dilation %ld,%ld", s->dil_h, s->dil_w);
	if (s->groups != 1)
		sbuf_addf(&b, " groups %ld", s->groups);
	t = sbuf_take(&b);
	snprintf(buf, len, "%s", t);
	free(t);
	return buf;
}

char *
shrink_str(const claim_t *c, const shrink_result_t *sr)
{
	char shape[256], *at;
	char *s;

	shrink_shape_str(&sr->shape, shape, sizeof shape);
	if (!sr->r.has_cex)
		return xasprintf("fails already at %s", shape);
	at = verify_cex_str(c, &sr->r);
	s = xasprintf("fails already at %s: at %s: formula %.17g, numeric "
	    "%.17g%s%s", shape, *at ? at : "(no indices)", sr->r.cex_formula,
	    sr->r.cex_numeric, sr->r.cex_finding ? "; " : "",
	    sr->r.cex_finding ? sr->r.cex_finding : "");
	free(at);
	return s;
}
