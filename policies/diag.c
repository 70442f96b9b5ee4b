/* Writes and counts the diagnostics of a policy load. */
#include <stdarg.h>

#include "policies/diag.h"

static void diag_emit(FILE *out, const char *file, unsigned line, unsigned col,
		      const char *kind, const char *fmt, va_list ap)
{
	if (!out)
		return;
	if (line)
		fprintf(out, "%s:%u:%u: %s: ", file, line, col, kind);
	else
		fprintf(out, "%s: %s: ", file, kind);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
}

void diag_error(struct diag *d, const char *file, unsigned line, unsigned col,
		const char *fmt, ...)
{
	va_list ap;

	d->errors++;
	va_start(ap, fmt);
	diag_emit(d->out, file, line, col, "error", fmt, ap);
	va_end(ap);
}

void diag_warning(struct diag *d, const char *file, unsigned line, unsigned col,
		  const char *fmt, ...)
{
	va_list ap;

	d->warnings++;
	va_start(ap, fmt);
	diag_emit(d->out, file, line, col, "warning", fmt, ap);
	va_end(ap);
}
