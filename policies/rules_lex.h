/*
 * The line-oriented lexer of rule files: one statement a line, tokens split
 * at blanks, a token that starts with '#' comments out the rest of the line.
 * Each token keeps its 1-based byte column for diagnostics.
 */
#ifndef UE_RULES_LEX_H
#define UE_RULES_LEX_H

#include <stdio.h>

#include "policies/diag.h"

struct token {
	const char *s;        /* NUL-terminated, inside the line buffer */
	unsigned len;
	unsigned col;
};

struct lexer {
	FILE *f;
	const char *file;     /* for diagnostics */
	struct diag *diag;
	unsigned line;
	char *buf;
	size_t cap;
	struct token *tok;
	unsigned ntok;
	unsigned tokcap;
};

void lexer_init(struct lexer *lx, FILE *f, const char *file, struct diag *diag);
/*
 * Reads up to the next line with tokens and returns how many (0 at the end
 * of the file), or -errno. A line the lexer rejects (a NUL byte) is reported
 * and skipped.
 */
int lexer_next(struct lexer *lx);
void lexer_release(struct lexer *lx);

#endif
