/* The harness's own checks: a failing ASSERT must report, not pass. */
#include "tests/harness.h"

void test_harness_asserts_pass(void)
{
	ASSERT_EQ(2 + 2, 4);
	ASSERT_STREQ("a", "a");
	ASSERT_OK(0);
}
