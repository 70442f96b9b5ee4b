/*
 * The RSTs and the block page as crafted: headers parsed back, checksums
 * verified with a checksum routine of this file's own, sequence numbers,
 * the page's framing and escaping. Opening the sockets needs root.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "bpf/kern_user.h"
#include "enforcer/enforce/inject.h"
#include "tests/harness.h"

/* One's complement sum of BUF read as big-endian 16-bit words, folded. */
static uint16_t ones_sum(const uint8_t *buf, size_t len)
{
	uint64_t sum = 0;
	uint16_t word;

	for (size_t i = 0; i + 1 < len; i += 2) {
		memcpy(&word, buf + i, 2);
		sum += ntohs(word);
	}
	if (len & 1)
		sum += (uint64_t)buf[len - 1] << 8;
	while (sum > 0xffff)
		sum = (sum >> 16) + (sum & 0xffff);
	return (uint16_t)sum;
}

/* A packet parsed back: addresses (v4-mapped for IPv4), TCP header, payload. */
struct parsed {
	struct in6_addr src, dst;
	struct tcphdr tcp;
	const uint8_t *payload;
	size_t payload_len;
};

static void map_v4(struct in6_addr *a, const void *v4)
{
	memset(a, 0, sizeof(*a));
	a->s6_addr[10] = a->s6_addr[11] = 0xff;
	memcpy(&a->s6_addr[12], v4, 4);
}

/* Parses P, failing the test unless every length and checksum is right. */
static void parse_packet(const struct inject_packet *p, struct parsed *out)
{
	uint8_t check[sizeof(p->data) + 40];
	size_t ip_len, tcp_len, pseudo_len;

	ASSERT_TRUE(p->len <= sizeof(p->data));
	if (p->data[0] >> 4 == 4) {
		struct iphdr ip;

		ASSERT_TRUE(p->len >= sizeof(ip) + sizeof(struct tcphdr));
		memcpy(&ip, p->data, sizeof(ip));
		ASSERT_EQ(ip.ihl, 5);
		ASSERT_EQ(ntohs(ip.tot_len), p->len);
		ASSERT_EQ(ip.protocol, IPPROTO_TCP);
		ASSERT_TRUE(ip.ttl > 0);
		ASSERT_EQ(ntohs(ip.frag_off) & (IP_MF | IP_OFFMASK), 0);
		ASSERT_EQ(ones_sum(p->data, sizeof(ip)), 0xffff);
		map_v4(&out->src, &ip.saddr);
		map_v4(&out->dst, &ip.daddr);
		ip_len = sizeof(ip);
		tcp_len = p->len - ip_len;
		/* pseudo-header: src, dst, zero, protocol, TCP length */
		memcpy(check, &ip.saddr, 8);
		check[8] = 0;
		check[9] = IPPROTO_TCP;
		check[10] = tcp_len >> 8;
		check[11] = tcp_len & 0xff;
		pseudo_len = 12;
	} else {
		struct ip6_hdr ip6;

		ASSERT_EQ(p->data[0] >> 4, 6);
		ASSERT_TRUE(p->len >= sizeof(ip6) + sizeof(struct tcphdr));
		memcpy(&ip6, p->data, sizeof(ip6));
		ASSERT_EQ(ntohs(ip6.ip6_plen), p->len - sizeof(ip6));
		ASSERT_EQ(ip6.ip6_nxt, IPPROTO_TCP);
		ASSERT_TRUE(ip6.ip6_hlim > 0);
		out->src = ip6.ip6_src;
		out->dst = ip6.ip6_dst;
		ip_len = sizeof(ip6);
		tcp_len = p->len - ip_len;
		/* pseudo-header: src, dst, 32-bit length, 3 zeros, next header */
		memcpy(check, &ip6.ip6_src, 32);
		memset(check + 32, 0, 8);
		check[34] = tcp_len >> 8;
		check[35] = tcp_len & 0xff;
		check[39] = IPPROTO_TCP;
		pseudo_len = 40;
	}
	memcpy(check + pseudo_len, p->data + ip_len, tcp_len);
	ASSERT_EQ(ones_sum(check, pseudo_len + tcp_len), 0xffff);
	memcpy(&out->tcp, p->data + ip_len, sizeof(out->tcp));
	ASSERT_EQ(out->tcp.th_off, 5);
	out->payload = p->data + ip_len + sizeof(out->tcp);
	out->payload_len = tcp_len - sizeof(out->tcp);
}

static struct flow_tuple tuple_of(const char *client, uint16_t cport, const char *server,
				  uint16_t sport)
{
	struct flow_tuple t = { .client_port = cport, .server_port = sport };
	struct in_addr v4;

	if (inet_pton(AF_INET, client, &v4) == 1) {
		map_v4(&t.client, &v4);
		ASSERT_EQ(inet_pton(AF_INET, server, &v4), 1);
		map_v4(&t.server, &v4);
	} else {
		ASSERT_EQ(inet_pton(AF_INET6, client, &t.client), 1);
		ASSERT_EQ(inet_pton(AF_INET6, server, &t.server), 1);
	}
	return t;
}

/* Checks P goes from FROM:FPORT to TO:TPORT with SEQ, ACK and FLAGS. */
static void expect_segment(const struct parsed *p, const struct in6_addr *from, uint16_t fport,
			   const struct in6_addr *to, uint16_t tport, uint32_t seq, uint32_t ack,
			   uint8_t flags)
{
	ASSERT_MEMEQ(&p->src, from, 16);
	ASSERT_MEMEQ(&p->dst, to, 16);
	ASSERT_EQ(ntohs(p->tcp.th_sport), fport);
	ASSERT_EQ(ntohs(p->tcp.th_dport), tport);
	ASSERT_EQ(ntohl(p->tcp.th_seq), seq);
	ASSERT_EQ(ntohl(p->tcp.th_ack), ack);
	ASSERT_EQ(p->tcp.th_flags, flags);
}

static void check_reset(const struct flow_tuple *t, const struct session_position *pos,
			uint32_t server_seq)
{
	struct inject_burst b;
	struct parsed to_server, to_client;
	uint32_t client_next = pos->seq + pos->len;

	ASSERT_OK(inject_craft_reset(t, pos, &b));
	ASSERT_EQ(b.count, 2);
	parse_packet(&b.packet[0], &to_server);
	parse_packet(&b.packet[1], &to_client);
	expect_segment(&to_server, &t->client, t->client_port, &t->server, t->server_port,
		       server_seq, pos->ack, TH_RST | TH_ACK);
	expect_segment(&to_client, &t->server, t->server_port, &t->client, t->client_port,
		       pos->ack, client_next, TH_RST | TH_ACK);
	ASSERT_EQ(to_server.payload_len, 0);
	ASSERT_EQ(to_client.payload_len, 0);
}

void test_inject_reset_ipv4(void)
{
	struct flow_tuple t = tuple_of("10.0.0.2", 40312, "10.0.1.2", 80);
	struct session_position pos = { .seq = 1000, .len = 77, .ack = 5000 };

	check_reset(&t, &pos, 1077);
}

void test_inject_reset_ipv6(void)
{
	struct flow_tuple t = tuple_of("fd00::2", 51000, "fd00:1::2", 8080);
	struct session_position pos = { .seq = 123456789, .len = 300, .ack = 987654321 };

	check_reset(&t, &pos, 123457089);
}

/* The server never saw the withheld segment: it still expects its start. */
void test_inject_reset_withheld_segment(void)
{
	struct flow_tuple t = tuple_of("10.0.0.2", 40312, "10.0.1.2", 80);
	struct session_position pos = { .seq = 1000, .len = 77, .ack = 5000, .withheld = true };

	check_reset(&t, &pos, 1000);
}

void test_inject_reset_sequence_wraps(void)
{
	struct flow_tuple t = tuple_of("10.0.0.2", 40312, "10.0.1.2", 443);
	struct session_position pos = { .seq = 0xffffffe0u, .len = 0x40, .ack = 7 };

	check_reset(&t, &pos, 0x20);
}

void test_inject_rejects_mixed_families(void)
{
	struct flow_tuple t = tuple_of("10.0.0.2", 40312, "10.0.1.2", 80);
	struct session_position pos = { .seq = 1, .len = 1, .ack = 1 };
	struct inject_burst b;

	ASSERT_EQ(inet_pton(AF_INET6, "fd00::1", &t.server), 1);
	ASSERT_EQ(inject_craft_reset(&t, &pos, &b), -EINVAL);
	ASSERT_EQ(inject_craft_page(&t, &pos, "x", NULL, &b), -EINVAL);
}

/*
 * Crafts the page for RULE_ID over T, checks both packets and returns the
 * HTTP body (NUL-terminated, in BODY) after checking the response's framing.
 */
static void craft_page_body(const struct flow_tuple *t, const char *rule_id, char *body,
			    size_t cap)
{
	struct session_position pos = { .seq = 4000, .len = 120, .ack = 9000 };
	struct inject_burst b;
	struct parsed to_server, page;
	char response[INJECT_PACKET_MAX + 1];
	const char *head_end, *cl;

	ASSERT_OK(inject_craft_page(t, &pos, rule_id, NULL, &b));
	ASSERT_EQ(b.count, 2);
	parse_packet(&b.packet[0], &to_server);
	parse_packet(&b.packet[1], &page);
	expect_segment(&to_server, &t->client, t->client_port, &t->server, t->server_port,
		       4120, 9000, TH_RST | TH_ACK);
	expect_segment(&page, &t->server, t->server_port, &t->client, t->client_port,
		       9000, 4120, TH_FIN | TH_PUSH | TH_ACK);
	ASSERT_TRUE(ntohs(page.tcp.th_win) > 0);

	memcpy(response, page.payload, page.payload_len);
	response[page.payload_len] = 0;
	ASSERT_EQ(strlen(response), page.payload_len);
	ASSERT_EQ(strncmp(response, "HTTP/1.1 403 Forbidden\r\n", 24), 0);
	ASSERT_NONNULL(strstr(response, "\r\nConnection: close\r\n"));
	ASSERT_NONNULL(strstr(response, "\r\nContent-Type: text/html"));
	head_end = strstr(response, "\r\n\r\n");
	ASSERT_NONNULL(head_end);
	cl = strstr(response, "\r\nContent-Length: ");
	ASSERT_TRUE(cl && cl < head_end);
	ASSERT_EQ(strtoul(cl + 18, NULL, 10), strlen(head_end + 4));
	ASSERT_TRUE(strlen(head_end + 4) < cap);
	strcpy(body, head_end + 4);
}

/* The rule id on the page, HTML-escaped; no id, no name. */
void test_inject_page_shows_rule_id(void)
{
	static const struct {
		const char *client, *server, *rule_id, *shown, *absent;
	} cases[] = {
		{ "10.0.0.2", "10.0.1.2", "games", "<b>games</b>", NULL },
		{ "fd00::2", "fd00:1::2", "parental.rules:7", "<b>parental.rules:7</b>", NULL },
		{ "10.0.0.2", "10.0.1.2", NULL, "blocked by policy.", "<b>" },
		{ "10.0.0.2", "10.0.1.2", "<script>\"x\"&'y'\x01",
		  "<b>&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;?</b>", "<script>" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct flow_tuple t = tuple_of(cases[i].client, 40312, cases[i].server, 80);
		char body[INJECT_PACKET_MAX];

		craft_page_body(&t, cases[i].rule_id, body, sizeof(body));
		ASSERT_NONNULL(strstr(body, cases[i].shown));
		ASSERT_NONNULL(strstr(body, "</html>"));
		if (cases[i].absent)
			ASSERT_NULL(strstr(body, cases[i].absent));
	}
}

/* A huge id is cut at an entity boundary and the page still fits a packet. */
void test_inject_page_cuts_long_rule_id(void)
{
	struct flow_tuple t = tuple_of("fd00::2", 51000, "fd00:1::2", 80);
	char id[2000], body[INJECT_PACKET_MAX];
	const char *start, *end;

	memset(id, '&', sizeof(id) - 1);
	id[sizeof(id) - 1] = 0;
	craft_page_body(&t, id, body, sizeof(body));
	start = strstr(body, "<b>");
	ASSERT_NONNULL(start);
	start += 3;
	end = strstr(start, "</b>");
	ASSERT_NONNULL(end);
	ASSERT_TRUE(end - start > 0 && end - start <= INJECT_RULE_ID_MAX);
	ASSERT_EQ((end - start) % 5, 0);
	for (const char *p = start; p < end; p += 5)
		ASSERT_EQ(strncmp(p, "&amp;", 5), 0);
}

void test_injector_opens_marked_sockets(void)
{
	struct injector inj;
	unsigned mark = 0;
	socklen_t len = sizeof(mark);

	require_root();
	ASSERT_OK(injector_open(&inj));
	ASSERT_TRUE(inj.fd4 >= 0);
	ASSERT_OK(getsockopt(inj.fd4, SOL_SOCKET, SO_MARK, &mark, &len));
	ASSERT_EQ(mark, UE_INJECT_MARK);
	if (inj.fd6 >= 0) {
		mark = 0;
		ASSERT_OK(getsockopt(inj.fd6, SOL_SOCKET, SO_MARK, &mark, &len));
		ASSERT_EQ(mark, UE_INJECT_MARK);
	}
	injector_close(&inj);
	ASSERT_EQ(inj.fd4, -1);
	ASSERT_EQ(inj.fd6, -1);
}
