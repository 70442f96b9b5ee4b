/* Splits rule files into lines of tokens with their columns. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policies/rules_lex.h"

void lexer_init(struct lexer *lx, FILE *f, const char *file, struct diag *diag)
{
	memset(lx, 0, sizeof(*lx));
	lx->f = f;
	lx->file = file;
	lx->diag = diag;
}

void lexer_release(struct lexer *lx)
{
	free(lx->buf);
	free(lx->tok);
	memset(lx, 0, sizeof(*lx));
}

static int lexer_push(struct lexer *lx, char *s, unsigned len, unsigned col)
{
	if (lx->ntok == lx->tokcap) {
		unsigned cap = lx->tokcap ? lx->tokcap * 2 : 16;
		struct token *t = realloc(lx->tok, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		lx->tok = t;
		lx->tokcap = cap;
	}
	lx->tok[lx->ntok++] = (struct token){ .s = s, .len = len, .col = col };
	return 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Cuts LINE (LEN bytes) into NUL-terminated tokens in place. */
static int lexer_split(struct lexer *lx, char *line, size_t len)
{
	size_t i = 0;

	lx->ntok = 0;
	while (i < len) {
		while (i < len && is_blank(line[i]))
			i++;
		if (i == len || line[i] == '#')
			break;
		size_t start = i;

		while (i < len && !is_blank(line[i]))
			i++;
		line[i] = 0;    /* the blank (or the NUL getline left) ends the token */
		int err = lexer_push(lx, line + start, i - start, start + 1);

		if (err)
			return err;
		i++;
	}
	return lx->ntok;
}

int lexer_next(struct lexer *lx)
{
	for (;;) {
		errno = 0;
		ssize_t n = getline(&lx->buf, &lx->cap, lx->f);

		if (n < 0)
			return errno ? -errno : 0;
		char *line = lx->buf;

		/* editors on some systems start UTF-8 files with a byte order mark */
		if (++lx->line == 1 && n >= 3 && !memcmp(line, "\xef\xbb\xbf", 3)) {
			line += 3;
			n -= 3;
		}
		size_t nul = strlen(line);

		if (nul != (size_t)n) {
			diag_error(lx->diag, lx->file, lx->line, nul + 1, "NUL byte in line");
			continue;
		}
		int r = lexer_split(lx, line, n);

		if (r != 0)
			return r;
	}
}
