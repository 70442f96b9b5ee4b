/* The canonical session key (kern_user.h), shared by the kernel and the daemon. */
#include <arpa/inet.h>

#include "bpf/kern_user.h"
#include "tests/harness.h"

static void both_orders_agree(const char *a, uint16_t ap, const char *b, uint16_t bp,
			      int a_is_lo)
{
	struct ue_session_key k1, k2;
	uint8_t aa[16], ba[16];

	ASSERT_EQ(inet_pton(AF_INET6, a, aa), 1);
	ASSERT_EQ(inet_pton(AF_INET6, b, ba), 1);
	memset(&k1, 0xa5, sizeof(k1));   /* padding must come out zeroed */
	memset(&k2, 0x5a, sizeof(k2));
	ASSERT_EQ(ue_session_key_fill(&k1, aa, htons(ap), ba, htons(bp), 6), a_is_lo);
	ASSERT_EQ(ue_session_key_fill(&k2, ba, htons(bp), aa, htons(ap), 6), !a_is_lo);
	ASSERT_MEMEQ(&k1, &k2, sizeof(k1));
	ASSERT_MEMEQ(k1.lo_addr, a_is_lo ? aa : ba, 16);
	ASSERT_EQ(ntohs(k1.lo_port), a_is_lo ? ap : bp);
	ASSERT_EQ(k1.l4_proto, 6);
	ASSERT_EQ(k1.pad[0] | k1.pad[1] | k1.pad[2], 0);
}

void test_session_key_is_canonical(void)
{
	both_orders_agree("::ffff:10.0.0.2", 40000, "::ffff:10.0.1.2", 80, 1);
	both_orders_agree("::ffff:10.0.1.2", 80, "::ffff:10.0.0.2", 40000, 0);
	both_orders_agree("fd00::2", 443, "fd00::1", 40000, 0);
	/* same host both ends: the port decides, compared as a number */
	both_orders_agree("::1", 0x0100, "::1", 0x00ff, 0);
}

void test_session_key_of_identical_endpoints(void)
{
	struct ue_session_key k;
	uint8_t a[16] = { [15] = 1 };

	ASSERT_EQ(ue_session_key_fill(&k, a, htons(8080), a, htons(8080), 6), 1);
	ASSERT_MEMEQ(k.lo_addr, k.hi_addr, 16);
}
