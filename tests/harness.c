/* The unit-test runner: runs every registered test_* whose name contains
 * the filter given as argv[1], prints one line a test and the totals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/harness.h"

struct test_entry {
	const char *name;
	void (*fn)(void);
};
extern const struct test_entry test_registry[];
extern const unsigned test_registry_len;

enum outcome { PASSED, FAILED, SKIPPED };

static jmp_buf test_exit;
static enum outcome outcome;
static char reason[512];

void harness_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(reason, sizeof(reason), "%s:%d: ", file, line);

	va_start(ap, fmt);
	vsnprintf(reason + n, sizeof(reason) - n, fmt, ap);
	va_end(ap);
	outcome = FAILED;
	longjmp(test_exit, 1);
}

void skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	outcome = SKIPPED;
	longjmp(test_exit, 1);
}

void require_root(void)
{
	if (geteuid() != 0)
		skip("needs root for the kernel");
}

static enum outcome run_one(const struct test_entry *t)
{
	outcome = PASSED;
	reason[0] = 0;
	if (!setjmp(test_exit))
		t->fn();
	return outcome;
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : "";
	unsigned counts[3] = { 0 };

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (unsigned i = 0; i < test_registry_len; i++) {
		const struct test_entry *t = &test_registry[i];

		if (!strstr(t->name, filter))
			continue;
		enum outcome o = run_one(t);

		counts[o]++;
		if (o == PASSED)
			printf("ok   %s\n", t->name);
		else if (o == FAILED)
			printf("FAIL %s: %s\n", t->name, reason);
		else
			printf("skip %s: %s\n", t->name, reason);
	}
	printf("unit: %u passed, %u failed, %u skipped\n", counts[PASSED],
	       counts[FAILED], counts[SKIPPED]);
	return counts[FAILED] ? 1 : 0;
}
