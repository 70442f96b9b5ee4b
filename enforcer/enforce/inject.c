/*
 * Crafting and sending the RSTs and the block page of `response=`
 * (url-enforcer.rules(5)).
 * See inject.h for why raw IP sockets with spoofed sources.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "bpf/kern_user.h"
#include "common/inet_csum.h"
#include "enforcer/enforce/inject.h"

#ifndef IPV6_HDRINCL
#define IPV6_HDRINCL 36       /* linux/in6.h; glibc 2.36's netinet/in.h lacks it */
#endif

#define INJECT_HOP_LIMIT 64
/*
 * The page segment's window is scaled by whatever shift the server announced;
 * the client has nothing left to send but its FIN, so any open window serves.
 */
#define PAGE_WINDOW 8192

/* One TCP segment to craft; ports host order. */
struct segment {
	const struct in6_addr *src;
	const struct in6_addr *dst;
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;            /* TH_* */
	uint16_t window;
	const char *payload;
	size_t payload_len;
};

static void craft_segment(const struct segment *s, struct inject_packet *p)
{
	bool v4 = IN6_IS_ADDR_V4MAPPED(s->src);
	size_t ip_len = v4 ? sizeof(struct iphdr) : sizeof(struct ip6_hdr);
	size_t tcp_len = sizeof(struct tcphdr) + s->payload_len;
	struct tcphdr *th = (struct tcphdr *)(p->data + ip_len);
	uint64_t sum;

	memset(p->data, 0, ip_len + sizeof(*th));
	if (v4) {
		struct iphdr *ip = (struct iphdr *)p->data;

		ip->version = 4;
		ip->ihl = sizeof(*ip) / 4;
		ip->tot_len = htons(ip_len + tcp_len);
		ip->frag_off = htons(IP_DF);
		ip->ttl = INJECT_HOP_LIMIT;
		ip->protocol = IPPROTO_TCP;
		memcpy(&ip->saddr, &s->src->s6_addr[12], 4);
		memcpy(&ip->daddr, &s->dst->s6_addr[12], 4);
		ip->check = (uint16_t)~csum_fold(csum_add(0, ip, sizeof(*ip)));
		sum = csum_add(0, &ip->saddr, 8);
	} else {
		struct ip6_hdr *ip6 = (struct ip6_hdr *)p->data;

		ip6->ip6_flow = htonl(6u << 28);
		ip6->ip6_plen = htons(tcp_len);
		ip6->ip6_nxt = IPPROTO_TCP;
		ip6->ip6_hlim = INJECT_HOP_LIMIT;
		ip6->ip6_src = *s->src;
		ip6->ip6_dst = *s->dst;
		sum = csum_add(0, &ip6->ip6_src, 32);
	}
	/* The rest of the pseudo-header: protocol and TCP length (as words in memory). */
	sum += htons(IPPROTO_TCP) + htons((uint16_t)tcp_len);

	th->th_sport = htons(s->sport);
	th->th_dport = htons(s->dport);
	th->th_seq = htonl(s->seq);
	th->th_ack = htonl(s->ack);
	th->th_off = sizeof(*th) / 4;
	th->th_flags = s->flags;
	th->th_win = htons(s->window);
	if (s->payload_len)
		memcpy(th + 1, s->payload, s->payload_len);
	th->th_sum = (uint16_t)~csum_fold(csum_add(sum, th, (uint32_t)tcp_len));
	p->len = ip_len + tcp_len;
}

static bool tuple_one_family(const struct flow_tuple *t)
{
	return IN6_IS_ADDR_V4MAPPED(&t->client) == IN6_IS_ADDR_V4MAPPED(&t->server);
}

/* As if from the client, at the sequence number the server expects next. */
static void craft_rst_to_server(const struct flow_tuple *t, const struct session_position *pos,
				struct inject_packet *p)
{
	struct segment s = {
		.src = &t->client, .dst = &t->server,
		.sport = t->client_port, .dport = t->server_port,
		.seq = pos->withheld ? pos->seq : pos->seq + pos->len,
		.ack = pos->ack,
		.flags = TH_RST | TH_ACK,
	};

	craft_segment(&s, p);
}

int inject_craft_reset(const struct flow_tuple *t, const struct session_position *pos,
		       struct inject_burst *out)
{
	struct segment to_client = {
		.src = &t->server, .dst = &t->client,
		.sport = t->server_port, .dport = t->client_port,
		.seq = pos->ack,
		.ack = pos->seq + pos->len,
		.flags = TH_RST | TH_ACK,
	};

	if (!tuple_one_family(t))
		return -EINVAL;
	craft_rst_to_server(t, pos, &out->packet[0]);
	craft_segment(&to_client, &out->packet[1]);
	out->count = 2;
	return 0;
}

/*
 * Writes S into OUT (CAP bytes, NUL-terminated) with HTML's special
 * characters as entities and control characters as '?', stopping before the
 * first character whose replacement would not fit.
 */
static void html_escape(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		char plain[2] = { *s, 0 };
		const char *rep = plain;
		size_t len;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				rep = "?";
		}
		len = strlen(rep);
		if (n + len >= cap)
			break;
		memcpy(out + n, rep, len);
		n += len;
	}
	out[n] = 0;
}

/* The 403 response, headers and page; its length or -EMSGSIZE. */
static int format_page(char *out, size_t cap, const char *rule_id,
		       const struct page_pause *pause)
{
	char id_html[INJECT_RULE_ID_MAX + 1];
	char body[INJECT_PACKET_MAX];
	int body_len, len;

	if (pause) {
		char when[64] = "it is resumed";
		struct tm tm;

		if (pause->until && localtime_r(&pause->until, &tm))
			strftime(when, sizeof(when), "%H:%M (%a %Y-%m-%d)", &tm);
		body_len = snprintf(body, sizeof(body),
			"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
			"<title>Internet paused</title></head>\n<body><h1>Internet paused</h1>\n"
			"<p>The internet is paused for this device until %s.</p></body></html>\n",
			when);
	} else if (rule_id) {
		html_escape(id_html, sizeof(id_html), rule_id);
		body_len = snprintf(body, sizeof(body),
			"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
			"<title>403 Forbidden</title></head>\n<body><h1>Blocked</h1>\n"
			"<p>This request was blocked by rule <b>%s</b>.</p></body></html>\n",
			id_html);
	} else {
		body_len = snprintf(body, sizeof(body),
			"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
			"<title>403 Forbidden</title></head>\n<body><h1>Blocked</h1>\n"
			"<p>This request was blocked by policy.</p></body></html>\n");
	}
	if (body_len < 0 || (size_t)body_len >= sizeof(body))
		return -EMSGSIZE;
	len = snprintf(out, cap,
		       "HTTP/1.1 403 Forbidden\r\n"
		       "Content-Type: text/html; charset=utf-8\r\n"
		       "Content-Length: %d\r\n"
		       "Cache-Control: no-store\r\n"
		       "Connection: close\r\n"
		       "\r\n%s", body_len, body);
	if (len < 0 || (size_t)len >= cap)
		return -EMSGSIZE;
	return len;
}

int inject_craft_page(const struct flow_tuple *t, const struct session_position *pos,
		      const char *rule_id, const struct page_pause *pause,
		      struct inject_burst *out)
{
	/* Room for the payload once the largest IP header and TCP's are in. */
	char payload[INJECT_PACKET_MAX - sizeof(struct ip6_hdr) - sizeof(struct tcphdr) + 1];
	int len = format_page(payload, sizeof(payload), rule_id, pause);
	struct segment to_client = {
		.src = &t->server, .dst = &t->client,
		.sport = t->server_port, .dport = t->client_port,
		.seq = pos->ack,
		.ack = pos->seq + pos->len,
		.flags = TH_PUSH | TH_ACK | TH_FIN,
		.window = PAGE_WINDOW,
		.payload = payload,
	};

	if (!tuple_one_family(t))
		return -EINVAL;
	if (len < 0)
		return len;
	to_client.payload_len = len;
	craft_rst_to_server(t, pos, &out->packet[0]);
	craft_segment(&to_client, &out->packet[1]);
	out->count = 2;
	return 0;
}

static const int inject_sndbuf = 4 << 20;

static int open_raw(int family)
{
	const int one = 1;
	const unsigned mark = UE_INJECT_MARK;
	int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	int err;

	if (fd < 0)
		return -errno;
	/* AF_INET's IPPROTO_RAW implies IP_HDRINCL; AF_INET6 is told. */
	if ((family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_HDRINCL, &one, sizeof(one)) < 0) ||
	    setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	/* A burst of blocks must not find the buffer full (a lost page leaves
	 * the client waiting); best effort, the default still works. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &inject_sndbuf, sizeof(inject_sndbuf)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &inject_sndbuf, sizeof(inject_sndbuf));
	return fd;
}

int injector_open(struct injector *inj)
{
	inj->fd6 = -1;
	inj->fd4 = open_raw(AF_INET);
	if (inj->fd4 < 0)
		return inj->fd4;
	inj->fd6 = open_raw(AF_INET6);
	if (inj->fd6 == -EAFNOSUPPORT) {
		inj->fd6 = -1;
	} else if (inj->fd6 < 0) {
		int err = inj->fd6;

		inj->fd6 = -1;
		injector_close(inj);
		return err;
	}
	return 0;
}

static int send_packet(const struct injector *inj, const struct inject_packet *p)
{
	ssize_t n;

	if (p->data[0] >> 4 == 4) {
		struct sockaddr_in to = { .sin_family = AF_INET };

		memcpy(&to.sin_addr, p->data + offsetof(struct iphdr, daddr), 4);
		n = sendto(inj->fd4, p->data, p->len, MSG_DONTWAIT, (struct sockaddr *)&to,
			   sizeof(to));
	} else {
		struct sockaddr_in6 to = { .sin6_family = AF_INET6 };

		if (inj->fd6 < 0)
			return -EAFNOSUPPORT;
		memcpy(&to.sin6_addr, p->data + offsetof(struct ip6_hdr, ip6_dst), 16);
		n = sendto(inj->fd6, p->data, p->len, MSG_DONTWAIT, (struct sockaddr *)&to,
			   sizeof(to));
	}
	return n < 0 ? -errno : 0;
}

int injector_send(const struct injector *inj, const struct inject_burst *burst)
{
	int first_err = 0;

	for (unsigned i = 0; i < burst->count; i++) {
		int err = send_packet(inj, &burst->packet[i]);

		if (err && !first_err)
			first_err = err;
	}
	return first_err;
}

int injector_reset(const struct injector *inj, const struct flow_tuple *t,
		   const struct session_position *pos)
{
	struct inject_burst burst;
	int err = inject_craft_reset(t, pos, &burst);

	return err ? err : injector_send(inj, &burst);
}

int injector_page(const struct injector *inj, const struct flow_tuple *t,
		  const struct session_position *pos, const char *rule_id,
		  const struct page_pause *pause)
{
	struct inject_burst burst;
	int err = inject_craft_page(t, pos, rule_id, pause, &burst);

	return err ? err : injector_send(inj, &burst);
}

void injector_close(struct injector *inj)
{
	if (inj->fd4 >= 0)
		close(inj->fd4);
	if (inj->fd6 >= 0)
		close(inj->fd6);
	inj->fd4 = inj->fd6 = -1;
}
