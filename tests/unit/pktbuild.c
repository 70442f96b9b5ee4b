/* The test packet builder; see pktbuild.h. */
#include <arpa/inet.h>
#include <string.h>

#include "tests/unit/pktbuild.h"

#define ETH_ALEN_ 6

struct writer {
	uint8_t *buf;
	size_t cap, len;
	int overflow;
};

static uint8_t *put(struct writer *w, const void *data, size_t n)
{
	uint8_t *at = w->buf + w->len;

	if (w->overflow || n > w->cap - w->len) {
		w->overflow = 1;
		return NULL;
	}
	if (data)
		memcpy(at, data, n);
	else
		memset(at, 0, n);
	w->len += n;
	return at;
}

static void put_u8(struct writer *w, uint8_t v) { put(w, &v, 1); }

static void put_be16(struct writer *w, uint16_t v)
{
	uint16_t be = htons(v);

	put(w, &be, 2);
}

static void put_be32(struct writer *w, uint32_t v)
{
	uint32_t be = htonl(v);

	put(w, &be, 4);
}

static void set_be16(uint8_t *at, uint16_t v)
{
	at[0] = v >> 8;
	at[1] = v & 0xff;
}

/* RFC 1071 sum, folded, not complemented. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t n)
{
	for (; n > 1; p += 2, n -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (n)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static uint16_t finish(uint32_t sum)
{
	uint16_t c = ~sum & 0xffff;

	return c;
}

struct addrs {
	int family;
	uint8_t src[16], dst[16];
	size_t len;   /* 4 or 16 */
};

static int parse_addrs(const struct pkt_spec *s, struct addrs *a)
{
	if (!s->src || !s->dst)
		return -1;
	a->family = strchr(s->src, ':') ? AF_INET6 : AF_INET;
	a->len = a->family == AF_INET6 ? 16 : 4;
	if (inet_pton(a->family, s->src, a->src) != 1 ||
	    inet_pton(a->family, s->dst, a->dst) != 1)
		return -1;
	return 0;
}

static void put_ipv6_ext(struct writer *w, uint8_t type, uint8_t next,
			 const struct pkt_spec *s)
{
	put_u8(w, next);
	switch (type) {
	case IPPROTO_ROUTING:
		put_u8(w, 0);          /* 8 bytes */
		put_u8(w, 253);        /* routing type: experimental */
		put_u8(w, 0);          /* segments left */
		put(w, NULL, 4);
		break;
	case IPPROTO_FRAGMENT:
		put_u8(w, 0);
		put_be16(w, (s->frag_offset & 0xfff8) | (s->more_fragments ? 1 : 0));
		put_be32(w, s->frag_id);
		break;
	default:                       /* hop-by-hop, destination options */
		put_u8(w, 0);          /* 8 bytes */
		put_u8(w, 1);          /* PadN */
		put_u8(w, 4);
		put(w, NULL, 4);
		break;
	}
}

static int valid(const struct pkt_spec *s, const struct addrs *a)
{
	uint8_t l4 = s->l4 ? s->l4 : IPPROTO_TCP;

	if (l4 != IPPROTO_TCP && l4 != IPPROTO_UDP && l4 != IPPROTO_ICMP && l4 != IPPROTO_ICMPV6)
		return 0;
	if (s->n_vlan > 2 || s->n_ext > PKT_MAX_EXT || s->frag_offset % 8)
		return 0;
	if (s->ip_options_len % 4 || s->ip_options_len > 40 ||
	    (s->ip_options_len && a->family != AF_INET))
		return 0;
	if (s->tcp_options_len % 4 || s->tcp_options_len > 40)
		return 0;
	if (s->n_ext && a->family != AF_INET6)
		return 0;
	for (unsigned i = 0; i < s->n_ext; i++)
		if (s->ext[i] != IPPROTO_HOPOPTS && s->ext[i] != IPPROTO_ROUTING &&
		    s->ext[i] != IPPROTO_DSTOPTS && s->ext[i] != IPPROTO_FRAGMENT)
			return 0;
	return 1;
}

size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap)
{
	static const uint8_t def_src[ETH_ALEN_] = { 2, 0, 0, 0, 0, 1 };
	static const uint8_t def_dst[ETH_ALEN_] = { 2, 0, 0, 0, 0, 2 };
	struct writer w = { .buf = buf, .cap = cap };
	uint8_t l4 = s->l4 ? s->l4 : IPPROTO_TCP;
	uint8_t ttl = s->ttl ? s->ttl : 64;
	size_t ip_at, l4_at, l4_len, hdr_len;
	/* ICMP: the payload is the whole message */
	int has_l4 = s->frag_offset == 0 && (l4 == IPPROTO_TCP || l4 == IPPROTO_UDP);
	struct addrs a;

	if (parse_addrs(s, &a) || !valid(s, &a))
		return 0;

	put(&w, s->eth_dst ? s->eth_dst : def_dst, ETH_ALEN_);
	put(&w, s->eth_src ? s->eth_src : def_src, ETH_ALEN_);
	for (unsigned i = 0; i < s->n_vlan; i++) {
		int outer_of_two = s->n_vlan == 2 && i == 0;

		put_be16(&w, outer_of_two ? 0x88a8 : 0x8100);
		put_be16(&w, s->vlan[i] & 0x0fff);
	}
	put_be16(&w, a.family == AF_INET6 ? 0x86dd : 0x0800);

	hdr_len = !has_l4 ? 0 : l4 == IPPROTO_UDP ? 8 : 20 + s->tcp_options_len;
	l4_len = hdr_len + s->payload_len;

	ip_at = w.len;
	if (a.family == AF_INET) {
		size_t ihl = 20 + s->ip_options_len;
		uint16_t frag = (s->frag_offset / 8) | (s->more_fragments ? 0x2000 : 0);

		put_u8(&w, 0x40 | ihl / 4);
		put_u8(&w, 0);
		put_be16(&w, ihl + l4_len);
		put_be16(&w, s->frag_id & 0xffff);
		put_be16(&w, frag);
		put_u8(&w, ttl);
		put_u8(&w, l4);
		put_be16(&w, 0);
		put(&w, a.src, 4);
		put(&w, a.dst, 4);
		put(&w, s->ip_options, s->ip_options_len);
		if (w.overflow || ihl + l4_len > 0xffff)
			return 0;
		set_be16(buf + ip_at + 10, finish(sum16(0, buf + ip_at, ihl)));
	} else {
		size_t ext_len = 8 * s->n_ext;

		put_be32(&w, 0x60000000);
		put_be16(&w, ext_len + l4_len);
		put_u8(&w, s->n_ext ? s->ext[0] : l4);
		put_u8(&w, ttl);
		put(&w, a.src, 16);
		put(&w, a.dst, 16);
		for (unsigned i = 0; i < s->n_ext; i++)
			put_ipv6_ext(&w, s->ext[i], i + 1 < s->n_ext ? s->ext[i + 1] : l4, s);
		if (ext_len + l4_len > 0xffff)
			return 0;
	}

	l4_at = w.len;
	if (has_l4) {
		put_be16(&w, s->sport);
		put_be16(&w, s->dport);
		if (l4 == IPPROTO_UDP) {
			put_be16(&w, l4_len);
			put_be16(&w, 0);
		} else {
			put_be32(&w, s->seq);
			put_be32(&w, s->ack);
			put_u8(&w, (hdr_len / 4) << 4);
			put_u8(&w, s->tcp_flags);
			put_be16(&w, 65535);      /* window */
			put_be16(&w, 0);          /* checksum */
			put_be16(&w, 0);          /* urgent pointer */
			put(&w, s->tcp_options, s->tcp_options_len);
		}
	}
	put(&w, s->payload, s->payload_len);
	if (w.overflow)
		return 0;

	if (has_l4) {
		/* pseudo-header: addresses, protocol, L4 length */
		uint32_t sum = sum16(0, a.src, a.len);
		size_t csum_at = l4_at + (l4 == IPPROTO_UDP ? 6 : 16);
		uint16_t csum;

		sum = sum16(sum, a.dst, a.len);
		sum = sum16(sum + l4 + (uint32_t)l4_len, buf + l4_at, l4_len);
		csum = finish(sum);
		if (l4 == IPPROTO_UDP && csum == 0)
			csum = 0xffff;    /* 0 means "no checksum" in UDP */
		set_be16(buf + csum_at, csum);
	}
	return w.len;
}
