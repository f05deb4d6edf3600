/*
 * expr-lex.h: the check language's lexer (internal to expr-*.c).
 *
 * Tokens carry where they start: a byte offset into the claim's text and
 * the lesson file's line and column (columns count characters, so a UTF-8
 * character is one column). Reserved words are their own token kinds.
 */
#ifndef CONVGRAD_EXPR_LEX_H
#define CONVGRAD_EXPR_LEX_H

#include <stddef.h>

typedef enum tok_kind {
	TK_EOF, TK_ERROR,
	TK_NAME, TK_INT, TK_REAL,
	/* punctuation */
	TK_LPAREN, TK_RPAREN, TK_LBRACK, TK_RBRACK, TK_COMMA, TK_DOTDOT,
	TK_PLUS, TK_MINUS, TK_STAR, TK_SLASH, TK_DSLASH, TK_PERCENT,
	TK_EQ, TK_NE, TK_LT, TK_LE, TK_GT, TK_GE, TK_ASSIGN,
	/* reserved words, in the order of expr-lex.c's words[] */
	TK_SUM, TK_WHERE, TK_IN, TK_IF, TK_THEN, TK_ELSE, TK_AND, TK_OR,
	TK_NOT, TK_LET, TK_D, TK_F, TK_KERNEL, TK_EXPECT, TK_FAIL, TK_MIN,
	TK_MAX, TK_ABS, TK_TANH, TK_EXP, TK_LOG, TK_RELU, TK_SQUARE,
} tok_kind_t;

typedef struct token {
	tok_kind_t kind;
	size_t off, len;       /* the token's bytes in the text */
	int line, col;
	long ival;             /* TK_INT */
	double rval;           /* TK_REAL */
	const char *msg;       /* TK_ERROR: what is wrong (static) */
} token_t;

typedef struct lexer {
	const char *text;
	size_t pos;
	int line, col;         /* of text[pos] */
} lexer_t;

/* Start lexing text, whose first character is at line:col of the file. */
void lex_init(lexer_t *lx, const char *text, int line, int col);
/* The next token. TK_ERROR for a bad character or a malformed number. */
void lex_next(lexer_t *lx, token_t *t);
/* Printable spelling of a token kind ("')'", "name", "end of claim"). */
const char *lex_kind_name(tok_kind_t k);

#endif
