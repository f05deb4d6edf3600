/*
 * lesson.c: read a lesson (a CommonMark file) into titles, prose, a default
 * shape and parsed claims.
 *
 * libcmark does the Markdown; this file walks the top-level blocks of the
 * document in order and gives each its meaning (see lesson.h):
 *   level-1 heading   the title (exactly one, before any step)
 *   level-2 heading   starts a step
 *   ```shape          the default shape (one per lesson)
 *   ```check          claims, parsed by claims_parse_block (expr.h)
 *   ```source         the source document's text, kept verbatim
 *   ```exercise       an exercise: prompt, hidden answer (a claim), hints
 *   anything else     prose: paragraphs as plain text (inline code kept,
 *                     soft breaks as spaces, emphasis and links reduced to
 *                     their text), lists, quotes and other code indented.
 * Line numbers come from cmark, so every error points at the lesson file:
 * a fenced block's content starts on the line after its fence.
 */
#include "config.h"

#include "lesson.h"

#include <cmark.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "escape.h"
#include "util.h"

/* The shape a lesson gets for keys its shape block leaves out. */
static const conv_shape_t lesson_shape_default = {
	.N = 2, .C_in = 2, .H_in = 7, .W_in = 8, .C_out = 3, .R = 3, .S = 2,
	.strh = 2, .strw = 3, .pad_h = 0, .pad_w = 0, .dil_h = 1, .dil_w = 1,
	.groups = 1,
};

static const char *const shape_keys[] = {
	"N", "C_in", "H_in", "W_in", "C_out", "R", "S", "strh", "strw",
	"pad_h", "pad_w", "dil_h", "dil_w", "groups",
};
#define SHAPE_KEYS_EXPECTED "expected N, C_in, H_in, W_in, C_out, R, S, " \
	"strh, strw, pad_h, pad_w, dil_h, dil_w, groups or covers"

/* The parser's state while walking one document. */
struct lesson_parse {
	lesson_t *l;
	bool have_shape;
	int shape_line;
	sbuf_t prose;          /* the intro or the current step's prose */
	sbuf_t prose_md;       /* the same, as written */
	const char *text;      /* the whole file, and where each line starts */
	size_t len;
	size_t *line_off;
	int nlines;
	sbuf_t source;         /* the current step's source blocks */
	bool have_source;
	int nalloc_steps;
	int nalloc_claims;     /* of the current step */
};

/* ---- text of inline and block nodes ---- */

static void add_inlines(sbuf_t *b, cmark_node *n);

static void
add_inline(sbuf_t *b, cmark_node *n)
{
	const char *lit;

	switch (cmark_node_get_type(n)) {
	case CMARK_NODE_TEXT:
	case CMARK_NODE_CODE:
		lit = cmark_node_get_literal(n);
		sbuf_add(b, lit != NULL ? lit : "");
		break;
	case CMARK_NODE_SOFTBREAK:
		sbuf_add(b, " ");
		break;
	case CMARK_NODE_LINEBREAK:
		sbuf_add(b, "\n");
		break;
	case CMARK_NODE_HTML_INLINE:
		break;
	default:  /* emphasis, strong, link, image: their text */
		add_inlines(b, n);
		break;
	}
}

static void
add_inlines(sbuf_t *b, cmark_node *n)
{
	cmark_node *c;

	for (c = cmark_node_first_child(n); c != NULL; c = cmark_node_next(c))
		add_inline(b, c);
}

/* Append s with every line prefixed by pfx (the first by first). */
static void
add_prefixed(sbuf_t *b, const char *s, const char *first, const char *pfx)
{
	const char *p = s, *nl;
	bool one = true;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		sbuf_add(b, one ? first : pfx);
		one = false;
		if (nl == NULL) {
			sbuf_add(b, p);
			break;
		}
		sbuf_addn(b, p, (size_t)(nl - p) + 1);
		p = nl + 1;
	}
}

static char *block_text(cmark_node *n);

/* The blocks under n as text, separated by blank lines (tight lists by
 * single newlines). */
static char *
children_text(cmark_node *n, const char *sep)
{
	sbuf_t b;
	cmark_node *c;
	char *t;

	sbuf_init(&b);
	for (c = cmark_node_first_child(n); c != NULL; c = cmark_node_next(c)) {
		t = block_text(c);
		if (*t != '\0') {
			if (b.len > 0)
				sbuf_add(&b, sep);
			sbuf_add(&b, t);
		}
		free(t);
	}
	return sbuf_take(&b);
}

static char *
list_text(cmark_node *n)
{
	sbuf_t b;
	cmark_node *item;
	int num = cmark_node_get_list_start(n);
	bool ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
	char mark[32], *t;

	sbuf_init(&b);
	for (item = cmark_node_first_child(n); item != NULL;
	    item = cmark_node_next(item)) {
		if (ordered)
			snprintf(mark, sizeof mark, "%d. ", num++);
		else
			snprintf(mark, sizeof mark, "- ");
		t = children_text(item, "\n");
		if (b.len > 0)
			sbuf_add(&b, "\n");
		add_prefixed(&b, t, mark, "  ");
		free(t);
	}
	return sbuf_take(&b);
}

/* A prose block as plain text (malloc'd, maybe ""). */
static char *
block_text(cmark_node *n)
{
	sbuf_t b;
	const char *lit;
	char *t;
	size_t len;

	sbuf_init(&b);
	switch (cmark_node_get_type(n)) {
	case CMARK_NODE_PARAGRAPH:
	case CMARK_NODE_HEADING:
		add_inlines(&b, n);
		break;
	case CMARK_NODE_CODE_BLOCK:
		lit = cmark_node_get_literal(n);
		add_prefixed(&b, lit != NULL ? lit : "", "    ", "    ");
		break;
	case CMARK_NODE_LIST:
		sbuf_free(&b);
		return list_text(n);
	case CMARK_NODE_BLOCK_QUOTE:
		t = children_text(n, "\n\n");
		add_prefixed(&b, t, "> ", "> ");
		free(t);
		break;
	default:  /* HTML blocks (comments), thematic breaks */
		break;
	}
	t = sbuf_take(&b);
	len = strlen(t);
	while (len > 0 && t[len - 1] == '\n')
		t[--len] = '\0';
	return t;
}

/* ---- the shape block ---- */

static bool
shape_key_known(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof shape_keys / sizeof shape_keys[0]; i++) {
		if (strcmp(key, shape_keys[i]) == 0)
			return true;
	}
	return false;
}

/* covers=padding,dilation (or none). */
static int
shape_covers(lesson_t *l, const char *val, const char *file, int line,
    int col, char **err)
{
	char *copy = xstrdup(val), *tok, *save = NULL;
	int rc = 0;

	l->covers_padding = l->covers_dilation = l->covers_groups = false;
	for (tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
	    tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "padding") == 0)
			l->covers_padding = true;
		else if (strcmp(tok, "dilation") == 0)
			l->covers_dilation = true;
		else if (strcmp(tok, "groups") == 0)
			l->covers_groups = true;
		else if (strcmp(tok, "none") != 0)
			rc = set_error(err, "%s:%d:%d: error: unknown value '%s' "
			    "in covers= (expected padding, dilation, groups or "
			    "none)",
			    file, line, col, tok);
	}
	free(copy);
	return rc;
}

/* One key=value word of the shape block at line:col. */
static int
shape_word(lesson_t *l, const char *w, const char *file, int line, int col,
    char **err)
{
	const char *eq = strchr(w, '=');
	char *key, *end;
	long v;
	int rc;

	if (eq == NULL)
		return set_error(err, "%s:%d:%d: error: expected key=value in the "
		    "shape block, got '%s'", file, line, col, w);
	key = xstrndup(w, (size_t)(eq - w));
	if (strcmp(key, "covers") == 0) {
		rc = shape_covers(l, eq + 1, file, line, col, err);
		free(key);
		return rc;
	}
	if (!shape_key_known(key)) {
		rc = set_error(err, "%s:%d:%d: error: unknown shape key '%s' (%s)",
		    file, line, col, key, SHAPE_KEYS_EXPECTED);
		free(key);
		return rc;
	}
	errno = 0;
	v = strtol(eq + 1, &end, 10);
	if (eq[1] == '\0' || *end != '\0' || errno != 0) {
		rc = set_error(err, "%s:%d:%d: error: shape key '%s' needs an "
		    "integer, got '%s'", file, line, col, key, eq + 1);
		free(key);
		return rc;
	}
	conv_shape_set(&l->shape, key, v);
	free(key);
	return 0;
}

/* Parse the shape block's content (first content line first_line) into
 * l->shape and validate it. */
static int
shape_parse(lesson_t *l, const char *text, int first_line, char **err)
{
	const char *p = text, *start;
	int line = first_line, col = 1, rc;
	char *w;

	while (*p != '\0') {
		if (*p == '\n' || *p == ' ' || *p == '\t' || *p == '\r') {
			if (*p == '\n') {
				line++;
				col = 1;
			} else
				col++;
			p++;
			continue;
		}
		start = p;
		while (*p != '\0' && strchr(" \t\r\n", *p) == NULL)
			p++;
		w = xstrndup(start, (size_t)(p - start));
		rc = shape_word(l, w, l->path, line, col, err);
		free(w);
		if (rc != 0)
			return -1;
		col += (int)(p - start);
	}
	return 0;
}

static int
shape_validate(lesson_t *l, int line, char **err)
{
	char *msg = NULL;

	if (conv_shape_validate(&l->shape, 0, &msg) == 0)
		return 0;
	set_error(err, "%s:%d:1: error: the lesson's default shape is invalid: "
	    "%s", l->path, line, msg);
	free(msg);
	return -1;
}

/* ---- steps ---- */

static lesson_step_t *
cur_step(struct lesson_parse *lp)
{
	return lp->l->nsteps > 0 ? &lp->l->steps[lp->l->nsteps - 1] : NULL;
}

/* Hand the accumulated prose and source to the current step (or the
 * intro). */
static void
flush_step(struct lesson_parse *lp)
{
	lesson_step_t *st = cur_step(lp);

	if (st == NULL) {
		free(lp->l->intro);
		free(lp->l->intro_md);
		lp->l->intro = sbuf_take(&lp->prose);
		lp->l->intro_md = sbuf_take(&lp->prose_md);
		return;
	}
	st->prose = sbuf_take(&lp->prose);
	st->prose_md = sbuf_take(&lp->prose_md);
	st->source = lp->have_source ? sbuf_take(&lp->source) : NULL;
	lp->have_source = false;
}

static void
start_step(struct lesson_parse *lp, cmark_node *h)
{
	lesson_t *l = lp->l;
	lesson_step_t *st;
	sbuf_t b;

	flush_step(lp);
	if (l->nsteps == lp->nalloc_steps) {
		lp->nalloc_steps = lp->nalloc_steps ? 2 * lp->nalloc_steps : 8;
		l->steps = xreallocarray(l->steps, (size_t)lp->nalloc_steps,
		    sizeof *l->steps);
	}
	st = &l->steps[l->nsteps++];
	memset(st, 0, sizeof *st);
	sbuf_init(&b);
	add_inlines(&b, h);
	st->title = sbuf_take(&b);
	st->line = cmark_node_get_start_line(h);
	lp->nalloc_claims = 0;
}

/* Lines first..last (1-based, inclusive) of the file as written. */
static void
add_lines(struct lesson_parse *lp, sbuf_t *b, int first, int last)
{
	size_t from, to;

	if (first < 1 || last < first || first > lp->nlines)
		return;
	if (last > lp->nlines)
		last = lp->nlines;
	from = lp->line_off[first - 1];
	to = last < lp->nlines ? lp->line_off[last] : lp->len;
	while (to > from && (lp->text[to - 1] == '\n' ||
	    lp->text[to - 1] == '\r'))
		to--;
	sbuf_addn(b, lp->text + from, to - from);
}

/* Where each line starts. Line ends are "\n", "\r\n" and a lone "\r", as
 * for cmark, so that cmark's line numbers index this table. */
static void
index_lines(struct lesson_parse *lp, const char *text, size_t len)
{
	size_t i;
	int cap = 64;

	lp->text = text;
	lp->len = len;
	lp->line_off = xcalloc((size_t)cap, sizeof *lp->line_off);
	lp->line_off[lp->nlines++] = 0;
	for (i = 0; i < len; i++) {
		if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
			continue;   /* the '\n' ends the line */
		if ((text[i] != '\n' && text[i] != '\r') || i + 1 == len)
			continue;
		if (lp->nlines == cap) {
			cap *= 2;
			lp->line_off = xreallocarray(lp->line_off, (size_t)cap,
			    sizeof *lp->line_off);
		}
		lp->line_off[lp->nlines++] = i + 1;
	}
}

static void
add_prose(struct lesson_parse *lp, cmark_node *n)
{
	char *t = block_text(n);

	if (cmark_node_get_type(n) != CMARK_NODE_HTML_BLOCK &&
	    cmark_node_get_type(n) != CMARK_NODE_THEMATIC_BREAK) {
		if (lp->prose_md.len > 0)
			sbuf_add(&lp->prose_md, "\n\n");
		add_lines(lp, &lp->prose_md, cmark_node_get_start_line(n),
		    cmark_node_get_end_line(n));
	}

	if (*t != '\0') {
		if (lp->prose.len > 0)
			sbuf_add(&lp->prose, "\n\n");
		sbuf_add(&lp->prose, t);
	}
	free(t);
}

static int
add_check(struct lesson_parse *lp, cmark_node *n, char **err)
{
	lesson_step_t *st = cur_step(lp);
	const char *lit = cmark_node_get_literal(n);
	int line = cmark_node_get_start_line(n) + 1, i, k = 0;
	claim_t **cl = NULL;

	if (st == NULL)
		return set_error(err, "%s:%d:%d: error: a check block outside a "
		    "step (put a '## ' heading above it)", lp->l->path, line - 1,
		    cmark_node_get_start_column(n));
	if (claims_parse_block(lit != NULL ? lit : "", lp->l->path, line,
	    lp->l->scope, &cl, &k, err) != 0)
		return -1;
	if (st->nclaims + k > lp->nalloc_claims) {
		lp->nalloc_claims = 2 * (st->nclaims + k);
		st->claims = xreallocarray(st->claims,
		    (size_t)lp->nalloc_claims, sizeof *st->claims);
	}
	for (i = 0; i < k; i++)
		st->claims[st->nclaims++] = cl[i];
	free(cl);
	return 0;
}

static int
add_source(struct lesson_parse *lp, cmark_node *n, char **err)
{
	const char *lit = cmark_node_get_literal(n);
	size_t len = lit != NULL ? strlen(lit) : 0;

	if (cur_step(lp) == NULL)
		return set_error(err, "%s:%d:%d: error: a source block outside a "
		    "step (put a '## ' heading above it)", lp->l->path,
		    cmark_node_get_start_line(n), cmark_node_get_start_column(n));
	while (len > 0 && lit[len - 1] == '\n')
		len--;
	if (lp->have_source)
		sbuf_add(&lp->source, "\n\n");
	sbuf_addn(&lp->source, lit != NULL ? lit : "", len);
	lp->have_source = true;
	return 0;
}

static int
add_shape(struct lesson_parse *lp, cmark_node *n, char **err)
{
	int line = cmark_node_get_start_line(n);
	const char *lit = cmark_node_get_literal(n);

	if (lp->have_shape)
		return set_error(err, "%s:%d:%d: error: a second shape block (the "
		    "first is at line %d)", lp->l->path, line,
		    cmark_node_get_start_column(n), lp->shape_line);
	lp->have_shape = true;
	lp->shape_line = line;
	return shape_parse(lp->l, lit != NULL ? lit : "", line + 1, err);
}

/* ---- the exercise block ---- */

/* One exercise block being read: the fields so far, and where each of
 * prompt and answer was written (line 0: not yet). */
struct ex_parse {
	struct lesson_parse *lp;
	lesson_exercise_t *ex;
	sbuf_t *field;          /* the field continuation lines go to, or NULL */
	bool field_is_answer;
	sbuf_t prompt, answer;
	sbuf_t *hints;
	int nalloc_hints;
	int prompt_line, answer_line, answer_col;
	int col0;               /* the file column of the block's column 1 */
};

/* A field's name: prompt, answer or hint. */
static const char *const ex_fields[] = { "prompt", "answer", "hint" };
#define EX_FIELDS_EXPECTED "expected 'prompt:', 'answer:' or 'hint:'"

/* Add a continuation line (white space trimmed) to a prose field. */
static void
ex_add_words(sbuf_t *b, const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r'))
		n--;
	if (n == 0)
		return;
	if (b->len > 0)
		sbuf_add(b, " ");
	sbuf_addn(b, s, n);
}

/* A new hint tier: its buffer. */
static sbuf_t *
ex_new_hint(struct ex_parse *ep)
{
	if (ep->ex->nhints == ep->nalloc_hints) {
		ep->nalloc_hints = ep->nalloc_hints ? 2 * ep->nalloc_hints : 4;
		ep->hints = xreallocarray(ep->hints, (size_t)ep->nalloc_hints,
		    sizeof *ep->hints);
	}
	sbuf_init(&ep->hints[ep->ex->nhints]);
	return &ep->hints[ep->ex->nhints++];
}

/* The field line "NAME: VALUE" at file line `line` (s, n: the line in the
 * block, not starting with white space). */
static int
ex_field_line(struct ex_parse *ep, const char *s, size_t n, int line,
    char **err)
{
	const char *path = ep->lp->l->path, *colon = memchr(s, ':', n);
	size_t k, klen = colon != NULL ? (size_t)(colon - s) : 0, v;
	int which = -1;

	for (k = 0; colon != NULL && k < 3; k++)
		if (strlen(ex_fields[k]) == klen &&
		    strncmp(s, ex_fields[k], klen) == 0)
			which = (int)k;
	if (which < 0)
		return set_error(err, "%s:%d:%d: error: %s '%.*s' in the exercise "
		    "block (%s; a line starting with white space continues the "
		    "field above)", path, line, ep->col0, colon != NULL ?
		    "unknown field" : "expected a field, got",
		    (int)(colon != NULL ? klen : n), s, EX_FIELDS_EXPECTED);
	v = klen + 1;
	while (v < n && (s[v] == ' ' || s[v] == '\t'))
		v++;
	if (which == 0 || which == 1) {
		int *seen = which == 0 ? &ep->prompt_line : &ep->answer_line;

		if (*seen > 0)
			return set_error(err, "%s:%d:%d: error: a second %s in the "
			    "exercise block (the first is at line %d)", path, line,
			    ep->col0, ex_fields[which], *seen);
		*seen = line;
	}
	ep->field_is_answer = which == 1;
	if (which == 1) {
		ep->field = &ep->answer;
		ep->answer_col = ep->col0 + (int)v;
		sbuf_addn(&ep->answer, s + v, n - v);
		return 0;
	}
	ep->field = which == 0 ? &ep->prompt : ex_new_hint(ep);
	ex_add_words(ep->field, s + v, n - v);
	return 0;
}

/* One line of the block's content (s, n without the line end). */
static int
ex_line(struct ex_parse *ep, const char *s, size_t n, int line, char **err)
{
	bool cont = n > 0 && (s[0] == ' ' || s[0] == '\t');
	size_t i;

	for (i = 0; i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'); i++)
		;
	if (i == n) {              /* blank: kept in an answer, for its lines */
		if (ep->field_is_answer)
			sbuf_add(&ep->answer, "\n");
		return 0;
	}
	if (!cont)
		return ex_field_line(ep, s, n, line, err);
	if (ep->field == NULL)
		return set_error(err, "%s:%d:%d: error: a continuation line before "
		    "any field in the exercise block (%s)", ep->lp->l->path, line,
		    ep->col0, EX_FIELDS_EXPECTED);
	if (ep->field_is_answer) {
		sbuf_add(&ep->answer, "\n");
		sbuf_addn(&ep->answer, s, n);
	} else
		ex_add_words(ep->field, s, n);
	return 0;
}

/* Is the claim text a let ("let" and white space first)? */
static bool
text_is_let(const char *t)
{
	while (*t == ' ' || *t == '\t' || *t == '\n')
		t++;
	return strncmp(t, "let", 3) == 0 && (t[3] == ' ' || t[3] == '\t' ||
	    t[3] == '\n' || t[3] == '\0');
}

/* The fields read: check them and fill ep->ex (fence at line:col). */
static int
ex_finish(struct ex_parse *ep, int line, int col, char **err)
{
	lesson_exercise_t *ex = ep->ex;
	const char *path = ep->lp->l->path;
	int i;

	if (ep->prompt_line == 0 || ep->prompt.len == 0)
		return set_error(err, "%s:%d:%d: error: the exercise block has %s "
		    "(write 'prompt: ' and the question)", path,
		    ep->prompt_line ? ep->prompt_line : line, col,
		    ep->prompt_line ? "an empty prompt" : "no prompt");
	if (ep->answer_line == 0 || ep->answer.len == 0 ||
	    strspn(ep->answer.s, " \t\r\n") == ep->answer.len)
		return set_error(err, "%s:%d:%d: error: the exercise block has %s "
		    "(write 'answer: ' and a claim that holds, hidden from the "
		    "student)", path, ep->answer_line ? ep->answer_line : line,
		    col, ep->answer_line ? "an empty answer" : "no answer");
	while (ep->answer.len > 0 && strchr(" \t\r\n",
	    ep->answer.s[ep->answer.len - 1]) != NULL)
		ep->answer.s[--ep->answer.len] = '\0';
	ex->prompt = sbuf_take(&ep->prompt);
	ex->answer = sbuf_take(&ep->answer);
	ex->hints = ex->nhints > 0 ? xcalloc((size_t)ex->nhints,
	    sizeof *ex->hints) : NULL;
	for (i = 0; i < ex->nhints; i++)
		ex->hints[i] = sbuf_take(&ep->hints[i]);
	if (text_is_let(ex->answer))
		return set_error(err, "%s:%d:%d: error: the exercise's answer is a "
		    "let; an answer is a claim (FORMULA = FORMULA, or d ... / d "
		    "... = ...) that the student's must match", path,
		    ep->answer_line, ep->answer_col);
	ex->answer_claim = claim_parse(ex->answer, path, ep->answer_line,
	    ep->answer_col, ep->lp->l->scope, err);
	if (ex->answer_claim == NULL)
		return -1;
	if (ex->answer_claim->expect_fail || ex->answer_claim->kind == CLAIM_LET)
		return set_error(err, "%s:%d:%d: error: the exercise's answer is "
		    "%s; an answer must hold", path, ep->answer_line,
		    ep->answer_col, ex->answer_claim->expect_fail ? "marked "
		    "'expect fail' (an erratum)" : "a let");
	return 0;
}

static void
ex_parse_free(struct ex_parse *ep)
{
	int i;

	sbuf_free(&ep->prompt);
	sbuf_free(&ep->answer);
	for (i = 0; i < ep->ex->nhints; i++)
		sbuf_free(&ep->hints[i]);
	free(ep->hints);
}

/* A new exercise at the end of step st (zeroed). */
static lesson_exercise_t *
ex_append(lesson_step_t *st)
{
	st->exercises = xreallocarray(st->exercises,
	    (size_t)st->nexercises + 1, sizeof *st->exercises);
	memset(&st->exercises[st->nexercises], 0, sizeof *st->exercises);
	return &st->exercises[st->nexercises++];
}

static int
add_exercise(struct lesson_parse *lp, cmark_node *n, char **err)
{
	lesson_step_t *st = cur_step(lp);
	const char *lit = cmark_node_get_literal(n), *p, *nl;
	int line = cmark_node_get_start_line(n), col =
	    cmark_node_get_start_column(n), at = line + 1, rc = 0;
	struct ex_parse ep;

	if (st == NULL)
		return set_error(err, "%s:%d:%d: error: an exercise block outside "
		    "a step (put a '## ' heading above it)", lp->l->path, line,
		    col);
	memset(&ep, 0, sizeof ep);
	ep.lp = lp;
	ep.ex = ex_append(st);
	ep.ex->line = line;
	ep.col0 = col;
	sbuf_init(&ep.prompt);
	sbuf_init(&ep.answer);
	for (p = lit != NULL ? lit : ""; *p != '\0' && rc == 0; at++) {
		nl = strchr(p, '\n');
		rc = ex_line(&ep, p, nl != NULL ? (size_t)(nl - p) : strlen(p),
		    at, err);
		p = nl != NULL ? nl + 1 : p + strlen(p);
	}
	if (rc == 0)
		rc = ex_finish(&ep, line, col, err);
	ex_parse_free(&ep);
	return rc;
}

/* The first word of a fence's info string. */
static bool
info_is(cmark_node *n, const char *word)
{
	const char *info = cmark_node_get_fence_info(n);
	size_t len = strlen(word);

	if (info == NULL || strncmp(info, word, len) != 0)
		return false;
	return info[len] == '\0' || info[len] == ' ' || info[len] == '\t';
}

static int
add_code(struct lesson_parse *lp, cmark_node *n, char **err)
{
	if (info_is(n, "check"))
		return add_check(lp, n, err);
	if (info_is(n, "source"))
		return add_source(lp, n, err);
	if (info_is(n, "shape"))
		return add_shape(lp, n, err);
	if (info_is(n, "exercise"))
		return add_exercise(lp, n, err);
	add_prose(lp, n);
	return 0;
}

static int
add_heading(struct lesson_parse *lp, cmark_node *n, char **err)
{
	int level = cmark_node_get_heading_level(n);
	sbuf_t b;

	if (level == 1) {
		if (lp->l->title != NULL)
			return set_error(err, "%s:%d:%d: error: a second title "
			    "(a lesson has one '# ' heading; steps are '## ')",
			    lp->l->path, cmark_node_get_start_line(n),
			    cmark_node_get_start_column(n));
		sbuf_init(&b);
		add_inlines(&b, n);
		lp->l->title = sbuf_take(&b);
		return 0;
	}
	if (lp->l->title == NULL)
		return set_error(err, "%s:%d:%d: error: missing title (the lesson "
		    "must start with a '# ' heading)", lp->l->path,
		    cmark_node_get_start_line(n), cmark_node_get_start_column(n));
	if (level == 2)
		start_step(lp, n);
	else
		add_prose(lp, n);
	return 0;
}

/* ---- fences ---- */

/* Line `line` (1-based) of the file: its start and length without the
 * line end. false when cmark's line is not in the table. */
static bool
line_at(const struct lesson_parse *lp, int line, const char **s, size_t *n)
{
	size_t from, to;

	if (line < 1 || line > lp->nlines)
		return false;
	from = lp->line_off[line - 1];
	to = line < lp->nlines ? lp->line_off[line] : lp->len;
	while (to > from && (lp->text[to - 1] == '\n' ||
	    lp->text[to - 1] == '\r'))
		to--;
	*s = lp->text + from;
	*n = to - from;
	return true;
}

/* A fence in s (up to 3 spaces, then 3 or more ` or ~): its character
 * and length, and where the rest of the line starts; false if none. */
static bool
fence_of(const char *s, size_t n, char *ch, size_t *len, size_t *rest)
{
	size_t i = 0, k;

	while (i < n && i < 3 && s[i] == ' ')
		i++;
	if (i == n || (s[i] != '`' && s[i] != '~'))
		return false;
	for (k = i; k < n && s[k] == s[i]; k++)
		;
	if (k - i < 3)
		return false;
	*ch = s[i];
	*len = k - i;
	*rest = k;
	return true;
}

/* The first line of lines first..last that is an ATX heading (up to 3
 * spaces, 1 to 6 '#', then a space or the end), or 0. */
static int
first_heading(const struct lesson_parse *lp, int first, int last)
{
	const char *s;
	size_t n, i, k;
	int line;

	for (line = first; line <= last; line++) {
		if (!line_at(lp, line, &s, &n))
			break;
		for (i = 0; i < n && i < 3 && s[i] == ' '; i++)
			;
		for (k = i; k < n && s[k] == '#'; k++)
			;
		if (k > i && k - i <= 6 && (k == n || s[k] == ' ' ||
		    s[k] == '\t'))
			return line;
	}
	return 0;
}

/*
 * A fenced block that is never closed runs, for CommonMark, to the end of
 * the document: a forgotten ``` after a check block would silently turn
 * every later step into claims (or prose). cmark does not say whether a
 * fence was closed, so the block's last line is read back: a closed block
 * ends on a fence of the same character, at least as long, with nothing
 * but white space after it.
 */
static int
check_fence_closed(struct lesson_parse *lp, cmark_node *n, char **err)
{
	int first = cmark_node_get_start_line(n), last = cmark_node_get_end_line(n);
	const char *s, *fence, *info = cmark_node_get_fence_info(n);
	size_t len, olen, clen, rest, k, ilen;
	char och, cch, over[80];
	int h;

	if (!line_at(lp, first, &s, &len) || !fence_of(s, len, &och, &olen, &rest))
		return 0;     /* an indented code block, or lines out of step */
	fence = s + rest - olen;
	if (last > first && line_at(lp, last, &s, &len) &&
	    fence_of(s, len, &cch, &clen, &rest) && cch == och && clen >= olen) {
		for (k = rest; k < len && (s[k] == ' ' || s[k] == '\t'); k++)
			;
		if (k == len)
			return 0;
	}
	for (ilen = 0; info != NULL && info[ilen] != '\0' &&
	    info[ilen] != ' ' && info[ilen] != '\t'; ilen++)
		;
	h = first_heading(lp, first + 1, last);
	if (h > 0)
		snprintf(over, sizeof over, ": it runs to the end of the file, "
		    "over the heading at line %d", h);
	else
		over[0] = '\0';
	return set_error(err, "%s:%d:%d: error: the %.*s%.*s block opened here "
	    "is never closed%s (close it with a %.*s line)", lp->l->path, first,
	    cmark_node_get_start_column(n), (int)olen, fence, (int)ilen,
	    info != NULL ? info : "", over, (int)olen, fence);
}

static int
add_block(struct lesson_parse *lp, cmark_node *n, char **err)
{
	cmark_node_type t = cmark_node_get_type(n);

	if (t == CMARK_NODE_HEADING)
		return add_heading(lp, n, err);
	if (lp->l->title == NULL && t != CMARK_NODE_HTML_BLOCK &&
	    t != CMARK_NODE_THEMATIC_BREAK)
		return set_error(err, "%s:%d:%d: error: missing title (the lesson "
		    "must start with a '# ' heading)", lp->l->path,
		    cmark_node_get_start_line(n), cmark_node_get_start_column(n));
	if (t == CMARK_NODE_CODE_BLOCK)
		return check_fence_closed(lp, n, err) != 0 ? -1 :
		    add_code(lp, n, err);
	add_prose(lp, n);
	return 0;
}

static int
walk(struct lesson_parse *lp, cmark_node *doc, char **err)
{
	cmark_node *n;

	for (n = cmark_node_first_child(doc); n != NULL; n = cmark_node_next(n)) {
		if (add_block(lp, n, err) != 0)
			return -1;
	}
	flush_step(lp);
	if (lp->l->title == NULL)
		return set_error(err, "%s:1:1: error: missing title (the lesson "
		    "must start with a '# ' heading)", lp->l->path);
	return shape_validate(lp->l, lp->have_shape ? lp->shape_line : 1, err);
}

/* Make the error message in *err (if any) visible text: every byte of an
 * invalid UTF-8 sequence and every control character but newline and tab
 * written as \xNN (escape.h). The words a message quotes from the lesson
 * (a shape word, a fence's info string) and paths may hold any bytes; a
 * claim's message is escaped already (expr-parse.c), and escaping leaves
 * escaped text as it is. Returns -1. */
static int
visible_error(char **err)
{
	char *v;

	if (err == NULL || *err == NULL)
		return -1;
	v = escape_visible_str(*err, true);
	free(*err);
	*err = v;
	return -1;
}

/*
 * A lesson is plain text: a control character other than tab, newline and
 * carriage return (ESC, BEL, NUL, ...) has no meaning in Markdown and would
 * reach the student's terminal through the title, the prose or a label. It
 * is refused where it stands: "FILE:LINE:COL: error: control character
 * \x1B in the lesson". Returns 0 or -1 with *err.
 */
static int
check_controls(const char *text, size_t len, const char *path, char **err)
{
	size_t i;
	int line = 1, col = 1;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];

		if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') ||
		    ch == 0x7f)
			return set_error(err, "%s:%d:%d: error: control character "
			    "\\x%02X in the lesson (a lesson is plain text)",
			    path, line, col, ch);
		if (ch == '\n' || (ch == '\r' && (i + 1 == len ||
		    text[i + 1] != '\n')))
			line++, col = 1;
		else if ((ch & 0xc0) != 0x80)    /* count characters, not bytes */
			col++;
	}
	return 0;
}

/* Block quotes, lists and inline spans nested deeper than this are
 * refused: the prose is gathered recursively (block_text, add_inlines),
 * and 50,000 nested '>' (100 KB) overflowed the stack. Real lessons nest
 * three or four levels; 100 is far past anything readable. */
#define LESSON_MAX_NESTING 100

/* Do cmark's leaf nodes, which its iterator enters but never exits. */
static bool
is_leaf(cmark_node_type t)
{
	switch (t) {
	case CMARK_NODE_HTML_BLOCK: case CMARK_NODE_THEMATIC_BREAK:
	case CMARK_NODE_CODE_BLOCK: case CMARK_NODE_TEXT:
	case CMARK_NODE_SOFTBREAK: case CMARK_NODE_LINEBREAK:
	case CMARK_NODE_CODE: case CMARK_NODE_HTML_INLINE:
		return true;
	default:
		return false;
	}
}

/* Refuse a document nested past LESSON_MAX_NESTING, at the first node too
 * deep. cmark's iterator walks the tree without recursion. */
static int
check_nesting(cmark_node *doc, const char *path, char **err)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	cmark_node *n;
	int depth = 0, rc = 0;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_EXIT) {
			depth--;
			continue;
		}
		if (is_leaf(cmark_node_get_type(n)))
			continue;
		if (++depth > LESSON_MAX_NESTING + 1) {   /* the document is 1 */
			rc = set_error(err, "%s:%d:%d: error: blocks nested more "
			    "than %d deep (block quotes, lists and their items, emphasis)", path,
			    cmark_node_get_start_line(n),
			    cmark_node_get_start_column(n), LESSON_MAX_NESTING);
			break;
		}
	}
	cmark_iter_free(it);
	return rc;
}

lesson_t *
lesson_parse(const char *text, size_t len, const char *path, char **err)
{
	struct lesson_parse lp;
	cmark_node *doc;
	int rc;

	if (check_controls(text, len, path, err) != 0) {
		visible_error(err);
		return NULL;
	}
	memset(&lp, 0, sizeof lp);
	lp.l = xcalloc(1, sizeof *lp.l);
	lp.l->path = xstrdup(path);
	lp.l->intro = xstrdup("");
	lp.l->intro_md = xstrdup("");
	lp.l->shape = lesson_shape_default;
	lp.l->scope = expr_scope_create();
	sbuf_init(&lp.prose);
	sbuf_init(&lp.source);
	sbuf_init(&lp.prose_md);
	index_lines(&lp, text, len);
	doc = cmark_parse_document(text, len, CMARK_OPT_DEFAULT);
	if (doc == NULL)
		fatal("cmark_parse_document failed (out of memory?)");
	rc = check_nesting(doc, path, err);
	if (rc == 0)
		rc = walk(&lp, doc, err);
	cmark_node_free(doc);
	sbuf_free(&lp.prose);
	sbuf_free(&lp.source);
	sbuf_free(&lp.prose_md);
	free(lp.line_off);
	if (rc != 0) {
		visible_error(err);
		lesson_free(lp.l);
		return NULL;
	}
	return lp.l;
}

/* The largest lesson read: CONVGRAD_MAX_LESSON_SIZE bytes (a whole number,
 * K or M after it for KiB or MiB), LESSON_MAX_SIZE if it is unset. A
 * lesson is tens of kilobytes; the cap keeps /dev/zero's like (refused
 * anyway: not a regular file) and a mistaken multi-gigabyte file from
 * filling memory. 0, or -1 with *err naming the variable. */
static int
lesson_max_size(size_t *max, char **err)
{
	const char *env = getenv("CONVGRAD_MAX_LESSON_SIZE");
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	*max = LESSON_MAX_SIZE;
	if (env == NULL || *env == '\0')
		return 0;
	errno = 0;
	v = strtoull(env, &end, 10);
	if (*end == 'K' || *end == 'M')
		shift = *end++ == 'K' ? 10 : 20;
	if (env[0] < '0' || env[0] > '9' || *end != '\0' || errno != 0 ||
	    v == 0 || v > (SIZE_MAX >> shift))
		return set_error(err, "CONVGRAD_MAX_LESSON_SIZE: expected a size "
		    "in bytes such as 4000000, 512K or 16M, got '%s'", env);
	*max = (size_t)v << shift;
	return 0;
}

lesson_t *
lesson_load(const char *path, char **err)
{
	char *text;
	size_t len, max;
	lesson_t *l;

	if (lesson_max_size(&max, err) != 0)
		return NULL;
	if (read_file_max(path, max, &text, &len, err) != 0) {
		if (err != NULL && strstr(*err, ": too large: ") != NULL) {
			char *e = xasprintf("%s (CONVGRAD_MAX_LESSON_SIZE sets the "
			    "limit)", *err);

			free(*err);
			*err = e;
		}
		visible_error(err);
		return NULL;
	}
	l = lesson_parse(text, len, path, err);
	free(text);
	return l;
}

static void
lesson_exercise_clear(lesson_exercise_t *ex)
{
	int i;

	free(ex->prompt);
	free(ex->answer);
	claim_free(ex->answer_claim);
	for (i = 0; i < ex->nhints && ex->hints != NULL; i++)
		free(ex->hints[i]);
	free(ex->hints);
}

static void
step_free(lesson_step_t *st)
{
	int i;

	free(st->title);
	free(st->prose);
	free(st->prose_md);
	free(st->source);
	for (i = 0; i < st->nclaims; i++)
		claim_free(st->claims[i]);
	free(st->claims);
	for (i = 0; i < st->nexercises; i++)
		lesson_exercise_clear(&st->exercises[i]);
	free(st->exercises);
}

void
lesson_free(lesson_t *l)
{
	int i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nsteps; i++)
		step_free(&l->steps[i]);
	free(l->steps);
	expr_scope_free(l->scope);
	free(l->path);
	free(l->title);
	free(l->intro);
	free(l->intro_md);
	free(l);
}

bool
lesson_covers(const lesson_t *l, const conv_shape_t *s, const char **why)
{
	if (!l->covers_padding && (s->pad_h != 0 || s->pad_w != 0)) {
		if (why != NULL)
			*why = "the lesson does not cover padding";
		return false;
	}
	if (!l->covers_dilation && (s->dil_h != 1 || s->dil_w != 1)) {
		if (why != NULL)
			*why = "the lesson does not cover dilation";
		return false;
	}
	if (!l->covers_groups && s->groups != 1) {
		if (why != NULL)
			*why = "the lesson does not cover groups";
		return false;
	}
	return true;
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *
lesson_default_dir(void)
{
	const char *env = getenv("CONVGRAD_LESSONS");

	if (env != NULL && *env != '\0')
		return env;
	if (is_dir(CONVGRAD_PKGDATADIR "/lessons"))
		return CONVGRAD_PKGDATADIR "/lessons";
	return CONVGRAD_SRCDIR "/lessons";
}

/* ---- collecting paths ---- */

struct path_list {
	char **v;
	int n, cap;
};

static void
path_add(struct path_list *pl, char *p)
{
	if (pl->n == pl->cap) {
		pl->cap = pl->cap ? 2 * pl->cap : 16;
		pl->v = xreallocarray(pl->v, (size_t)pl->cap, sizeof *pl->v);
	}
	pl->v[pl->n++] = p;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
is_md(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && len > 3 && strcmp(name + len - 3, ".md") == 0;
}

/* The *.md files of dir, sorted, appended to pl. */
static int
collect_dir(struct path_list *pl, const char *dir, char **err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int first = pl->n;
	size_t dlen = strlen(dir);
	const char *sep = dlen > 0 && dir[dlen - 1] == '/' ? "" : "/";

	if (d == NULL)
		return set_error(err, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (is_md(e->d_name))
			path_add(pl, xasprintf("%s%s%s", dir, sep, e->d_name));
	}
	closedir(d);
	if (pl->n == first)
		return set_error(err, "%s: no lessons (*.md) in this directory",
		    dir);
	qsort(pl->v + first, (size_t)(pl->n - first), sizeof *pl->v, cmp_str);
	return 0;
}

static int
collect_one(struct path_list *pl, const char *arg, char **err)
{
	struct stat st;

	if (stat(arg, &st) != 0)
		return set_error(err, "%s: %s", arg, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return collect_dir(pl, arg, err);
	path_add(pl, xstrdup(arg));
	return 0;
}

int
lesson_collect(char **args, int nargs, char ***paths, int *npaths,
    char **err)
{
	struct path_list pl = { NULL, 0, 0 };
	int i, rc = 0;

	if (nargs == 0)
		rc = collect_one(&pl, lesson_default_dir(), err);
	for (i = 0; i < nargs && rc == 0; i++)
		rc = collect_one(&pl, args[i], err);
	if (rc != 0) {
		lesson_paths_free(pl.v, pl.n);
		return visible_error(err);
	}
	*paths = pl.v;
	*npaths = pl.n;
	return 0;
}

void
lesson_paths_free(char **paths, int npaths)
{
	int i;

	for (i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
}
