/* Port lists for --http-ports / --tls-ports. */
#include <errno.h>

#include "enforcer/capture/port_set.h"
#include "tests/harness.h"

void test_port_set_parse(void)
{
	struct port_set s;

	ASSERT_OK(port_set_parse(&s, "80,8000,8080"));
	ASSERT_EQ(s.n, 3);
	ASSERT_EQ(s.port[2], 8080);
	ASSERT_TRUE(port_set_has(&s, 8000));
	ASSERT_TRUE(!port_set_has(&s, 443));
	ASSERT_OK(port_set_parse(&s, "443,443"));
	ASSERT_EQ(s.n, 1);
	ASSERT_OK(port_set_parse(&s, "65535"));
}

void test_port_set_rejects(void)
{
	struct port_set s = { .port = { 1 }, .n = 1 };

	ASSERT_EQ(port_set_parse(&s, ""), -EINVAL);
	ASSERT_EQ(port_set_parse(&s, "0"), -EINVAL);
	ASSERT_EQ(port_set_parse(&s, "65536"), -EINVAL);
	ASSERT_EQ(port_set_parse(&s, "80,"), -EINVAL);
	ASSERT_EQ(port_set_parse(&s, "80 ,81"), -EINVAL);
	ASSERT_EQ(port_set_parse(&s, "-1"), -EINVAL);
	ASSERT_EQ(port_set_parse(&s, "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"), -E2BIG);
	ASSERT_EQ(s.n, 1);          /* unchanged on error */
}
