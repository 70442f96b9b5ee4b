/*
 * A tiny test harness. Every `void test_NAME(void)` in tests/unit/ is found
 * by tests/gen_registry.sh; no registration. An ASSERT that fails reports
 * file and line and ends the current test; skip() ends it as skipped.
 */
#ifndef UE_HARNESS_H
#define UE_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

void harness_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
void skip(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Kernel tests call this first: not root means skipped, never passed. */
void require_root(void);

#define ASSERT_TRUE(c) do { if (!(c)) \
	harness_fail(__FILE__, __LINE__, "expected %s", #c); } while (0)
#define ASSERT_EQ(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) harness_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", \
				   #a, a_, #b, b_); } while (0)
#define ASSERT_NE(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ == b_) harness_fail(__FILE__, __LINE__, "%s == %s == %lld", #a, #b, a_); } while (0)
#define ASSERT_OK(x) do { long long r_ = (long long)(x); \
	if (r_ != 0) harness_fail(__FILE__, __LINE__, "%s returned %lld", #x, r_); } while (0)
#define ASSERT_NULL(p) do { if ((p) != NULL) \
	harness_fail(__FILE__, __LINE__, "%s is not NULL", #p); } while (0)
#define ASSERT_NONNULL(p) do { if ((p) == NULL) \
	harness_fail(__FILE__, __LINE__, "%s is NULL", #p); } while (0)
#define ASSERT_STREQ(a, b) do { const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_)) harness_fail(__FILE__, __LINE__, \
		"%s is \"%s\", expected \"%s\"", #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } while (0)
#define ASSERT_MEMEQ(a, b, n) do { if (memcmp((a), (b), (n))) \
	harness_fail(__FILE__, __LINE__, "%s differs from %s", #a, #b); } while (0)

#endif
