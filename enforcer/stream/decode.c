/* Frame -> TCP/UDP segment; see decode.h for what is checked and why. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "common/inet_csum.h"
#include "enforcer/stream/decode.h"

#define ETH_HLEN_ 14
#define SLL_HLEN 16
#define SLL2_HLEN 20
#define VLAN_TAGS_MAX 4          /* QinQ stacks deeper than this are not traffic we serve */
#define IPV6_EXT_MAX 8           /* a longer chain is an evasion attempt or garbage */

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_8021Q 0x8100
#define ETHERTYPE_8021AD 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100

/* What is left of the frame, and whether a shortfall is the capture's fault. */
struct cursor {
	const uint8_t *p;
	uint32_t len;
	bool snapped;            /* caplen < wirelen */
	enum csum_check verify_csum;
};

static const char *const result_names[DECODE_RESULT_MAX] = {
	[DECODE_TCP] = "tcp",
	[DECODE_UDP] = "udp",
	[DECODE_NOT_IP] = "not-ip",
	[DECODE_OTHER_L4] = "other-l4",
	[DECODE_FRAGMENT] = "fragment",
	[DECODE_SNAPPED] = "snapped",
	[DECODE_BAD_LINK] = "bad-link",
	[DECODE_BAD_IPV4] = "bad-ipv4",
	[DECODE_BAD_IPV4_CSUM] = "bad-ipv4-csum",
	[DECODE_BAD_IPV6] = "bad-ipv6",
	[DECODE_BAD_TCP] = "bad-tcp",
	[DECODE_BAD_TCP_CSUM] = "bad-tcp-csum",
	[DECODE_BAD_UDP] = "bad-udp",
};

const char *decode_result_name(enum decode_result r)
{
	return (unsigned)r < DECODE_RESULT_MAX ? result_names[r] : "unknown";
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A sum over data that includes its checksum field: right if all ones. */
static bool csum_ok(uint64_t sum)
{
	return csum_fold(sum) == 0xffff;
}

static enum decode_result short_by(const struct cursor *c, enum decode_result malformed)
{
	return c->snapped ? DECODE_SNAPPED : malformed;
}

static enum decode_result decode_tcp(const struct cursor *c, uint64_t pseudo,
				     struct packet *out)
{
	const uint8_t *t = c->p;
	uint32_t doff;

	if (c->len < 20)
		return short_by(c, DECODE_BAD_TCP);
	doff = (uint32_t)(t[12] >> 4) * 4;
	if (doff < 20 || doff > c->len)
		return DECODE_BAD_TCP;
	out->l4 = t;
	out->l4_len = c->len;
	out->pseudo_sum = pseudo;
	out->verify_csum = c->verify_csum;
	out->sport = get16(t);
	out->dport = get16(t + 2);
	out->seq = get32(t + 4);
	out->ack = get32(t + 8);
	out->tcp_flags = t[13] & 0x3f;
	out->window = get16(t + 14);
	out->payload = t + doff;
	out->payload_len = c->len - doff;
	return DECODE_TCP;
}

bool decode_tcp_csum_ok(const struct packet *p)
{
	uint16_t field;

	if (p->verify_csum == CSUM_SKIP || csum_ok(csum_add(p->pseudo_sum, p->l4, p->l4_len)))
		return true;
	memcpy(&field, p->l4 + 16, sizeof(field));
	return p->verify_csum == CSUM_VERIFY_OR_PARTIAL && field == csum_fold(p->pseudo_sum);
}

uint16_t decode_tcp_csum(const struct packet *p, bool pseudo_only)
{
	if (pseudo_only)
		return csum_fold(p->pseudo_sum);
	return (uint16_t)~csum_fold(csum_add(p->pseudo_sum, p->l4, p->l4_len));
}

/* Client->server UDP is QUIC: its checksum is not checked (an AEAD tag is). */
static enum decode_result decode_udp(const struct cursor *c, uint64_t pseudo,
				     struct packet *out)
{
	const uint8_t *u = c->p;
	uint16_t ulen;

	if (c->len < 8)
		return short_by(c, DECODE_BAD_UDP);
	ulen = get16(u + 4);
	if (ulen < 8 || ulen > c->len)
		return DECODE_BAD_UDP;
	out->l4 = u;
	out->l4_len = ulen;
	out->pseudo_sum = pseudo;
	out->sport = get16(u);
	out->dport = get16(u + 2);
	out->tcp_flags = 0;
	out->window = 0;
	out->seq = out->ack = 0;
	out->payload = u + 8;
	out->payload_len = ulen - 8u;
	return DECODE_UDP;
}

static enum decode_result decode_l4(uint8_t proto, const struct cursor *c, uint64_t pseudo,
				    struct packet *out)
{
	if (proto == IPPROTO_TCP)
		return decode_tcp(c, pseudo, out);
	if (proto == IPPROTO_UDP)
		return decode_udp(c, pseudo, out);
	return DECODE_OTHER_L4;
}

static void map_v4(struct in6_addr *a, const uint8_t *v4)
{
	memset(a, 0, 10);
	a->s6_addr[10] = 0xff;
	a->s6_addr[11] = 0xff;
	memcpy(&a->s6_addr[12], v4, 4);
}

static enum decode_result decode_ipv4(struct cursor c, struct packet *out)
{
	const uint8_t *ip = c.p;
	uint32_t ihl, total;
	uint64_t pseudo;

	if (c.len < 20)
		return short_by(&c, DECODE_BAD_IPV4);
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	total = get16(ip + 2);
	if ((ip[0] >> 4) != 4 || ihl < 20 || total < ihl)
		return DECODE_BAD_IPV4;
	if (total > c.len)
		return short_by(&c, DECODE_BAD_IPV4);
	if (c.verify_csum && !csum_ok(csum_add(0, ip, ihl)))
		return DECODE_BAD_IPV4_CSUM;
	if (get16(ip + 6) & 0x3fff)          /* MF set or a fragment offset */
		return DECODE_FRAGMENT;
	map_v4(&out->src, ip + 12);
	map_v4(&out->dst, ip + 16);
	c.p += ihl;
	c.len = total - ihl;
	pseudo = csum_add(0, ip + 12, 8) + htons(ip[9]) + htons((uint16_t)c.len);
	return decode_l4(ip[9], &c, pseudo, out);
}

static enum decode_result decode_ipv6(struct cursor c, struct packet *out)
{
	const uint8_t *ip = c.p;
	uint32_t plen;
	uint8_t next;
	uint64_t pseudo;

	if (c.len < 40)
		return short_by(&c, DECODE_BAD_IPV6);
	plen = get16(ip + 4);
	if ((ip[0] >> 4) != 6 || plen == 0)  /* jumbograms never reach a tap */
		return DECODE_BAD_IPV6;
	if (40 + plen > c.len)
		return short_by(&c, DECODE_BAD_IPV6);
	next = ip[6];
	c.p += 40;
	c.len = plen;
	for (unsigned n = 0;; n++) {
		uint32_t hlen;

		switch (next) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case IPPROTO_MH:
			if (c.len < 8)
				return DECODE_BAD_IPV6;
			hlen = ((uint32_t)c.p[1] + 1) * 8;
			break;
		case IPPROTO_AH:
			if (c.len < 8)
				return DECODE_BAD_IPV6;
			hlen = ((uint32_t)c.p[1] + 2) * 4;
			break;
		case IPPROTO_FRAGMENT:
			/* any fragment, first or later: not reassembled */
			return c.len < 8 ? DECODE_BAD_IPV6 : DECODE_FRAGMENT;
		default:
			goto l4;
		}
		if (n >= IPV6_EXT_MAX || hlen > c.len)
			return DECODE_BAD_IPV6;
		next = c.p[0];
		c.p += hlen;
		c.len -= hlen;
	}
l4:
	memcpy(&out->src, ip + 8, 16);
	memcpy(&out->dst, ip + 24, 16);
	pseudo = csum_add(0, ip + 8, 32) + htonl(c.len) + htonl(next);
	return decode_l4(next, &c, pseudo, out);
}

/* ETHERTYPE at C, after any VLAN tags. */
static enum decode_result decode_ethertype(uint16_t type, struct cursor c, struct packet *out)
{
	for (unsigned tags = 0; type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD ||
				type == ETHERTYPE_QINQ_OLD; tags++) {
		if (tags >= VLAN_TAGS_MAX)
			return DECODE_BAD_LINK;
		if (c.len < 4)
			return short_by(&c, DECODE_BAD_LINK);
		type = get16(c.p + 2);
		c.p += 4;
		c.len -= 4;
	}
	if (type == ETHERTYPE_IPV4)
		return decode_ipv4(c, out);
	if (type == ETHERTYPE_IPV6)
		return decode_ipv6(c, out);
	return DECODE_NOT_IP;
}

static enum decode_result decode_raw(struct cursor c, struct packet *out)
{
	if (c.len < 1)
		return short_by(&c, DECODE_BAD_LINK);
	switch (c.p[0] >> 4) {
	case 4:
		return decode_ipv4(c, out);
	case 6:
		return decode_ipv6(c, out);
	default:
		return DECODE_NOT_IP;
	}
}

static enum decode_result skip_link(struct cursor c, uint32_t hlen, uint32_t type_at,
				    struct packet *out)
{
	if (c.len < hlen)
		return short_by(&c, DECODE_BAD_LINK);
	uint16_t type = get16(c.p + type_at);

	c.p += hlen;
	c.len -= hlen;
	return decode_ethertype(type, c, out);
}

enum decode_result decode_packet(enum decode_link link, const uint8_t *frame,
				 uint32_t caplen, uint32_t wirelen, enum csum_check verify_csum,
				 struct packet *out)
{
	struct cursor c = {
		.p = frame, .len = caplen, .snapped = caplen < wirelen,
		.verify_csum = verify_csum,
	};

	switch (link) {
	case DECODE_LINK_ETHERNET:
		return skip_link(c, ETH_HLEN_, 12, out);
	case DECODE_LINK_SLL:
		return skip_link(c, SLL_HLEN, 14, out);
	case DECODE_LINK_SLL2:
		return skip_link(c, SLL2_HLEN, 0, out);
	case DECODE_LINK_RAW:
		return decode_raw(c, out);
	}
	return DECODE_BAD_LINK;
}
