/* Diagnostics on stderr (log.h). One write per line, so threads do not interleave. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

int log_verbose;

static void emit(const char *prefix, int errnum, const char *fmt, va_list ap)
{
	char line[2048];
	int n = snprintf(line, sizeof(line), "url-enforcer: %s", prefix);

	if (n < (int)sizeof(line))
		n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (errnum && n < (int)sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, ": %s", strerror(errnum));
	if (n >= (int)sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0)
		return;   /* nowhere left to complain */
}

#define LOG_FN(name, prefix, with_errno, gate)		\
	void name(const char *fmt, ...)			\
	{						\
		int e = errno;				\
		va_list ap;				\
		if (!(gate))				\
			return;				\
		va_start(ap, fmt);			\
		emit(prefix, with_errno ? e : 0, fmt, ap);	\
		va_end(ap);				\
		errno = e;				\
	}

LOG_FN(log_warn, "", 1, 1)
LOG_FN(log_warnx, "", 0, 1)
LOG_FN(log_info, "", 0, 1)
LOG_FN(log_debug, "debug: ", 0, log_verbose)

void fatal(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	emit("fatal: ", e, fmt, ap);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("fatal: ", 0, fmt, ap);
	va_end(ap);
	exit(1);
}
