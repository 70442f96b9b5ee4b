/*
 * Which senders a capture shows leaving their TCP checksums to offload
 * (--checksums auto): the peer acknowledges data they only sent with wrong
 * checksums. Evasion decoys with wrong checksums never prove it.
 */
#include <arpa/inet.h>
#include <string.h>

#include "enforcer/stream/csum_offload.h"
#include "tests/harness.h"
#include "tests/unit/pktbuild.h"

#define CLIENT "10.0.0.2"
#define SERVER "10.0.1.2"

/* A client->server segment of DATA at SEQ (relative to 1000), its checksum right or not. */
static void client_data(struct csum_offload *o, uint32_t seq, const char *data, bool csum_ok)
{
	uint8_t f[PKT_MAX];
	size_t n = pkt_build(&(struct pkt_spec){ .src = CLIENT, .dst = SERVER, .sport = 40000,
		.dport = 80, .tcp_flags = TH_ACK | TH_PUSH, .seq = 1000 + seq, .ack = 5000,
		.payload = data, .payload_len = strlen(data) }, f, sizeof(f));

	ASSERT_TRUE(n > 0);
	if (!csum_ok)
		f[14 + 20 + 16] ^= 0x55;
	csum_offload_frame(o, &(struct frame){ .data = f, .caplen = (uint32_t)n,
		.wirelen = (uint32_t)n, .link = DECODE_LINK_ETHERNET, .verify_csum = CSUM_VERIFY });
}

/* The server acknowledges the client's bytes up to ACK (relative), its own checksum wrong. */
static void server_ack(struct csum_offload *o, uint32_t ack)
{
	uint8_t f[PKT_MAX];
	size_t n = pkt_build(&(struct pkt_spec){ .src = SERVER, .dst = CLIENT, .sport = 80,
		.dport = 40000, .tcp_flags = TH_ACK, .seq = 5000, .ack = 1000 + ack }, f, sizeof(f));

	ASSERT_TRUE(n > 0);
	f[14 + 20 + 16] ^= 0x55;
	csum_offload_frame(o, &(struct frame){ .data = f, .caplen = (uint32_t)n,
		.wirelen = (uint32_t)n, .link = DECODE_LINK_ETHERNET, .verify_csum = CSUM_VERIFY });
}

/* The one sender proven, as text, or "" */
static const char *proven(const struct csum_offload *o)
{
	static char text[INET6_ADDRSTRLEN];
	const struct in6_addr *s;
	unsigned n = csum_offload_senders(o, &s);

	ASSERT_TRUE(n <= 1);
	if (!n)
		return "";
	inet_ntop(AF_INET, &s[0].s6_addr[12], text, sizeof(text));
	return text;
}

static struct csum_offload *offload_new(void)
{
	struct port_set http, tls;

	ASSERT_OK(port_set_parse(&http, "80"));
	ASSERT_OK(port_set_parse(&tls, "443"));
	return csum_offload_new(&http, &tls);
}

static const char req[] = "GET /x HTTP/1.1\r\nHost: a\r\n\r\n";   /* 28 bytes */

void test_csum_offload_acknowledged_wrong_checksums(void)
{
	struct csum_offload *o = offload_new();

	ASSERT_NONNULL(o);
	client_data(o, 0, req, false);
	ASSERT_STREQ(proven(o), "");            /* not before the peer acknowledges it */
	server_ack(o, 10);
	ASSERT_STREQ(proven(o), "");            /* not all of it */
	server_ack(o, 28);
	ASSERT_STREQ(proven(o), CLIENT);
	csum_offload_free(o);
}

void test_csum_offload_decoys_prove_nothing(void)
{
	static const struct { const char *name; const char *steps; } cases[] = {
		/* b: a wrong checksum over [0,28), g: a right one, G: right over [0,14)
		 * then [14,28), a: the server acknowledges 28 */
		{ "decoy, then the real copy, acknowledged", "bga" },
		{ "the real copy, then a decoy retransmission", "gba" },
		{ "acknowledged before and after a decoy", "gaba" },
		{ "the real copy in two pieces", "bGa" },
		{ "a decoy never acknowledged", "bbb" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct csum_offload *o = offload_new();

		ASSERT_NONNULL(o);
		for (const char *s = cases[i].steps; *s; s++) {
			if (*s == 'b')
				client_data(o, 0, req, false);
			else if (*s == 'g')
				client_data(o, 0, req, true);
			else if (*s == 'a')
				server_ack(o, 28);
			else {
				client_data(o, 0, "GET /x HTTP/1.", true);
				client_data(o, 14, "1\r\nHost: a\r\n\r\n", true);
			}
		}
		if (strcmp(proven(o), ""))
			harness_fail(__FILE__, __LINE__, "%s: %s taken for an offloading sender",
				     cases[i].name, proven(o));
		csum_offload_free(o);
	}
}

/* Past the first data, still: a decoy after right data that is then
 * followed only by wrong data acknowledged is offload (a sender may turn
 * offload on), a decoy ahead of its real copy is not. */
void test_csum_offload_later_in_the_stream(void)
{
	struct csum_offload *o = offload_new();

	ASSERT_NONNULL(o);
	client_data(o, 0, req, true);
	server_ack(o, 28);
	client_data(o, 28, req, false);         /* a decoy for the second request */
	client_data(o, 28, req, true);
	server_ack(o, 56);
	ASSERT_STREQ(proven(o), "");
	client_data(o, 56, req, false);
	server_ack(o, 84);
	ASSERT_STREQ(proven(o), CLIENT);
	csum_offload_free(o);
}
