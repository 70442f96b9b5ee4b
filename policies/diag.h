/*
 * Diagnostics of a policy load: "FILE:LINE:COL: error: MESSAGE" and
 * "... warning: ...", one a line, counted so the loader can refuse a
 * policy with any error after reporting all of them.
 */
#ifndef UE_POLICY_DIAG_H
#define UE_POLICY_DIAG_H

#include <stdio.h>

struct diag {
	FILE *out;            /* NULL: count only */
	unsigned errors;
	unsigned warnings;
};

void diag_error(struct diag *d, const char *file, unsigned line, unsigned col,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void diag_warning(struct diag *d, const char *file, unsigned line, unsigned col,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
