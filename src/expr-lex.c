/*
 * expr-lex.c: the check language's lexer, after Lua's llex.c: one pass,
 * one token of lookahead kept by the parser, positions tracked as we go.
 *
 *   name    = [A-Za-z_][A-Za-z0-9_]*        (reserved words are tokens)
 *   integer = digit {digit}
 *   real    = digit {digit} "." digit {digit} [exponent] | digit {digit} exponent
 *   exponent= ("e" | "E") ["+" | "-"] digit {digit}
 * "1..3" is 1, "..", 3: a '.' belongs to a number only before a digit.
 */
#include "expr-lex.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const words[] = {
	"sum", "where", "in", "if", "then", "else", "and", "or", "not", "let",
	"d", "f", "kernel", "expect", "fail", "min", "max", "abs", "tanh", "exp",
	"log", "relu", "square",
};

void
lex_init(lexer_t *lx, const char *text, int line, int col)
{
	lx->text = text;
	lx->pos = 0;
	lx->line = line;
	lx->col = col;
}

/* Advance one byte; a UTF-8 continuation byte does not take a column. */
static void
advance(lexer_t *lx)
{
	unsigned char c = (unsigned char)lx->text[lx->pos];

	if (c == '\0')
		return;
	lx->pos++;
	if (c == '\n') {
		lx->line++;
		lx->col = 1;
	} else if ((c & 0xc0) != 0x80) {
		lx->col++;
	}
}

static void
skip_space(lexer_t *lx)
{
	while (isspace((unsigned char)lx->text[lx->pos]))
		advance(lx);
}

static int
is_name_char(int c)
{
	return isalnum(c) || c == '_';
}

static void
lex_name(lexer_t *lx, token_t *t)
{
	size_t i;

	while (is_name_char((unsigned char)lx->text[lx->pos]))
		advance(lx);
	t->len = lx->pos - t->off;
	t->kind = TK_NAME;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strlen(words[i]) == t->len &&
		    memcmp(words[i], lx->text + t->off, t->len) == 0) {
			t->kind = (tok_kind_t)(TK_SUM + i);
			break;
		}
	}
}

static void
skip_digits(lexer_t *lx)
{
	while (isdigit((unsigned char)lx->text[lx->pos]))
		advance(lx);
}

/* A number; anything glued to it that is a letter, digit or '.' makes it
 * malformed ("1e", "2x", "1.5.3"). */
static void
lex_number(lexer_t *lx, token_t *t)
{
	const char *s = lx->text;
	int real = 0;

	skip_digits(lx);
	if (s[lx->pos] == '.' && isdigit((unsigned char)s[lx->pos + 1])) {
		real = 1;
		advance(lx);
		skip_digits(lx);
	}
	if ((s[lx->pos] == 'e' || s[lx->pos] == 'E') &&
	    (isdigit((unsigned char)s[lx->pos + 1]) ||
	    ((s[lx->pos + 1] == '+' || s[lx->pos + 1] == '-') &&
	    isdigit((unsigned char)s[lx->pos + 2])))) {
		real = 1;
		advance(lx);
		advance(lx);
		skip_digits(lx);
	}
	if (is_name_char((unsigned char)s[lx->pos]) ||
	    (s[lx->pos] == '.' && s[lx->pos + 1] != '.')) {
		while (is_name_char((unsigned char)s[lx->pos]) || s[lx->pos] == '.')
			advance(lx);
		t->len = lx->pos - t->off;
		t->kind = TK_ERROR;
		t->msg = "malformed number";
		return;
	}
	t->len = lx->pos - t->off;
	errno = 0;
	if (real) {
		t->kind = TK_REAL;
		t->rval = strtod(s + t->off, NULL);
	} else {
		t->kind = TK_INT;
		t->ival = strtol(s + t->off, NULL, 10);
	}
	/* strtod reports ERANGE for a subnormal result too (1e-320 is one):
	 * that is a number, read exactly as C reads it. Out of range are an
	 * overflow (inf) and an underflow to 0 (1e-400). */
	if (errno == ERANGE && !(real && t->rval != 0.0 && isfinite(t->rval))) {
		t->kind = TK_ERROR;
		t->msg = "number out of range";
	}
}

static const struct {
	const char *s;
	tok_kind_t k;
} puncts[] = {   /* longest first */
	{ "..", TK_DOTDOT }, { "//", TK_DSLASH }, { "==", TK_EQ },
	{ "!=", TK_NE }, { "<=", TK_LE }, { ">=", TK_GE },
	{ "(", TK_LPAREN }, { ")", TK_RPAREN }, { "[", TK_LBRACK },
	{ "]", TK_RBRACK }, { ",", TK_COMMA }, { "+", TK_PLUS },
	{ "-", TK_MINUS }, { "*", TK_STAR }, { "/", TK_SLASH },
	{ "%", TK_PERCENT }, { "<", TK_LT }, { ">", TK_GT }, { "=", TK_ASSIGN },
};

static void
lex_punct(lexer_t *lx, token_t *t)
{
	size_t i, n;

	for (i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++) {
		n = strlen(puncts[i].s);
		if (strncmp(lx->text + lx->pos, puncts[i].s, n) == 0) {
			t->kind = puncts[i].k;
			t->len = n;
			while (n-- > 0)
				advance(lx);
			return;
		}
	}
	/* one whole UTF-8 character */
	advance(lx);
	while (((unsigned char)lx->text[lx->pos] & 0xc0) == 0x80)
		advance(lx);
	t->kind = TK_ERROR;
	t->len = lx->pos - t->off;
	t->msg = "unexpected character";
}

void
lex_next(lexer_t *lx, token_t *t)
{
	int c;

	skip_space(lx);
	memset(t, 0, sizeof(*t));
	t->off = lx->pos;
	t->line = lx->line;
	t->col = lx->col;
	c = (unsigned char)lx->text[lx->pos];
	if (c == '\0')
		t->kind = TK_EOF;
	else if (isalpha(c) || c == '_')
		lex_name(lx, t);
	else if (isdigit(c))
		lex_number(lx, t);
	else
		lex_punct(lx, t);
}

const char *
lex_kind_name(tok_kind_t k)
{
	static const char *const names[] = {
		"end of claim", "error", "name", "integer", "number",
		"'('", "')'", "'['", "']'", "','", "'..'",
		"'+'", "'-'", "'*'", "'/'", "'//'", "'%'",
		"'=='", "'!='", "'<'", "'<='", "'>'", "'>='", "'='",
		"'sum'", "'where'", "'in'", "'if'", "'then'", "'else'", "'and'",
		"'or'", "'not'", "'let'", "'d'", "'f'", "'kernel'", "'expect'",
		"'fail'", "'min'", "'max'", "'abs'", "'tanh'", "'exp'", "'log'",
		"'relu'", "'square'",
	};

	return names[k];
}
