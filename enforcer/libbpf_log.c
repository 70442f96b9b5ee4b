/* Routes libbpf's print callback into log.h, one level quieter. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "enforcer/libbpf_log.h"
#include "common/log.h"

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *msg, *line, *next;
	int n;

	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !log_verbose))
		return 0;
	n = vasprintf(&msg, fmt, ap);
	if (n < 0)
		return 0;
	/* A verifier log arrives as one message of many lines: one log line each,
	 * so none is cut at log.c's line limit. */
	for (line = msg; *line; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			*next++ = 0;
		if (level == LIBBPF_WARN)
			log_info("libbpf: %s", line);
		else
			log_debug("libbpf: %s", line);
	}
	free(msg);
	return n;
}

void libbpf_log_init(void)
{
	libbpf_set_print(libbpf_print);
}
