/*
 * fuzz-claim.c: libFuzzer harness for the check language. The input is a
 * claim's text; it is parsed in a scope that holds one let, and a claim
 * that parses is printed every way (canonical text, 2-D in Unicode and
 * ASCII, laid out at 40 columns, LaTeX) and verified at a tiny shape on a
 * few tuples. Properties beyond "no crash, no sanitizer report":
 *   - a refusal has a message;
 *   - the canonical text parses again, to the same text.
 * Build with ./configure --enable-fuzzing CC=clang; make fuzz runs it.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv-shape.h"
#include "expr.h"
#include "verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static verify_ctx_t *vc;

/* The world at a tiny shape, made once: verifying is what is fuzzed. */
static verify_ctx_t *
tiny_ctx(void)
{
	conv_shape_t s;
	verify_opts_t o;
	char *err = NULL;

	conv_shape_init(&s, 1, 2, 4, 5, 2, 2, 3);
	verify_opts_default(&o);
	o.max_tuples = 20;
	o.max_bytes = (size_t)64 << 20;  /* lets stay under libFuzzer's RSS cap */
	vc = verify_ctx_create(&s, &o, &err);
	if (vc == NULL) {
		fprintf(stderr, "fuzz-claim: %s\n", err);
		abort();
	}
	return vc;
}

#define LET "let m[i < 3, j < 4] = i + j"

/* A scope with the let m, and m in vc. */
static expr_scope_t *
scope_with_let(claim_t **let)
{
	expr_scope_t *sc = expr_scope_create();
	char *err = NULL;

	*let = claim_parse(LET, "fuzz", 1, 1, sc, &err);
	assert(*let != NULL);
	return sc;
}

/* The canonical text of c parses again (beside the same let), to the
 * same text. */
static void
round_trip(const claim_t *c)
{
	char *text = claim_text(c), *again_text, *err = NULL;
	claim_t *let, *again;
	expr_scope_t *sc = scope_with_let(&let);

	again = claim_parse(text, "fuzz", 2, 1, sc, &err);
	if (again == NULL) {
		fprintf(stderr, "canonical text does not parse:\n%s\n%s\n", text,
		    err);
		abort();
	}
	again_text = claim_text(again);
	if (strcmp(again_text, text) != 0) {
		fprintf(stderr, "text round trip:\n%s\n%s\n", text, again_text);
		abort();
	}
	free(again_text);
	claim_free(again);
	claim_free(let);
	expr_scope_free(sc);
	free(text);
}

static void
use_claim(const claim_t *c)
{
	verify_result_t r;
	char *err = NULL;

	round_trip(c);
	pp_box_free(claim_render(c, PP_UNICODE));
	pp_box_free(claim_render(c, PP_ASCII));
	pp_box_free(claim_render_fit(c, PP_UNICODE, 40));
	pp_box_free(claim_render_fit(c, PP_ASCII, 24));
	free(claim_latex(c));
	memset(&r, 0, sizeof r);
	if (verify_claim(vc, c, &r, &err) != 0) {
		assert(err != NULL);
		free(err);
	}
	verify_result_clear(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *err = NULL;
	claim_t *let, *c;
	expr_scope_t *sc = scope_with_let(&let);
	verify_result_t r;

	if (vc == NULL)
		tiny_ctx();
	verify_ctx_clear_lets(vc);
	memset(&r, 0, sizeof r);
	if (verify_claim(vc, let, &r, &err) != 0)
		abort();
	verify_result_clear(&r);
	memcpy(text, data, size);
	text[size] = '\0';
	c = claim_parse(text, "fuzz", 2, 1, sc, &err);
	if (c == NULL) {
		assert(err != NULL && err[0] != '\0');
		free(err);
	} else {
		use_claim(c);
		claim_free(c);
	}
	claim_free(let);
	expr_scope_free(sc);
	free(text);
	return 0;
}
