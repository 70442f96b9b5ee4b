/*
 * Writes a deterministic pcap of HTTP and TLS sessions for bench-pipeline:
 *   gen_pcap OUT.pcap REQUESTS [small]
 * 512 sessions open at a time, interleaved packet by packet; 85% HTTP/1.1
 * with keep-alive (1 to 40 requests a session; GET with cookies of random
 * size, one POST in ten with a body of up to 4 KB; heads over one MSS span
 * segments), 15% TLS (a ClientHello with SNI, a server flight, application
 * data both ways); 5% of sessions over IPv6. "small": curl-like requests
 * instead (no cookie, no body, a short path: about 100-byte heads). Every checksum is correct
 * (tests/unit/pktbuild.c), timestamps 10 us apart.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/pktbuild.h"
#include "tests/unit/tlsbuild.h"

#define ACTIVE 512
#define MSS 1448
#define HOSTS 1000

struct session {
	char client[48], server[48];
	uint16_t sport, dport;
	uint32_t cseq, sseq;          /* next sequence number each way */
	unsigned requests_left;       /* HTTP; TLS: 1 (the ClientHello) */
	int open;
};

static uint64_t rng = 0x243f6a8885a308d3ull;
static pcap_dumper_t *out;
static struct timeval now = { 1700000000, 0 };
static uint64_t packets, requests;
static int small;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 33) % n;
}

static void emit(const struct session *s, int from_client, uint8_t flags, const void *data,
		 size_t len)
{
	static uint8_t frame[PKT_MAX];
	struct pkt_spec spec = {
		.src = from_client ? s->client : s->server,
		.dst = from_client ? s->server : s->client,
		.sport = from_client ? s->sport : s->dport,
		.dport = from_client ? s->dport : s->sport,
		.tcp_flags = flags, .seq = from_client ? s->cseq : s->sseq,
		.ack = from_client ? s->sseq : s->cseq, .payload = data, .payload_len = len,
	};
	size_t n = pkt_build(&spec, frame, sizeof(frame));
	struct pcap_pkthdr h = { .ts = now, .caplen = (bpf_u_int32)n, .len = (bpf_u_int32)n };

	if (!n) {
		fprintf(stderr, "gen_pcap: cannot build a frame\n");
		exit(1);
	}
	pcap_dump((u_char *)out, &h, frame);
	packets++;
	now.tv_usec += 10;
	if (now.tv_usec >= 1000000) {
		now.tv_sec++;
		now.tv_usec -= 1000000;
	}
}

/* DATA from one side, in MSS-sized segments. */
static void send_data(struct session *s, int from_client, const char *data, size_t len)
{
	for (size_t at = 0; at < len; at += MSS) {
		size_t n = len - at < MSS ? len - at : MSS;

		emit(s, from_client, TH_ACK | TH_PUSH, data + at, n);
		if (from_client)
			s->cseq += (uint32_t)n;
		else
			s->sseq += (uint32_t)n;
	}
}

static void fill(char *p, size_t n)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

	for (size_t i = 0; i < n; i++)
		p[i] = alphabet[rnd(sizeof(alphabet) - 1)];
}

static void open_session(struct session *s, uint64_t serial)
{
	int v6 = rnd(100) < 5;
	uint32_t c = (uint32_t)serial;

	memset(s, 0, sizeof(*s));
	if (v6) {
		snprintf(s->client, sizeof(s->client), "fd00:1::%x:%x", c >> 16, c & 0xffff);
		snprintf(s->server, sizeof(s->server), "fd00:2::%x", rnd(64) + 1);
	} else {
		snprintf(s->client, sizeof(s->client), "10.1.%u.%u", (c >> 8) & 0xff, c & 0xff);
		snprintf(s->server, sizeof(s->server), "10.2.0.%u", rnd(64) + 1);
	}
	s->sport = (uint16_t)(1024 + (serial * 7919) % 60000);
	s->dport = rnd(100) < 15 ? 443 : 80;
	s->requests_left = s->dport == 443 ? 1 : 1 + rnd(40);
	s->cseq = (uint32_t)rng;
	s->sseq = (uint32_t)(rng >> 32);
	emit(s, 1, TH_SYN, NULL, 0);
	s->cseq++;
	emit(s, 0, TH_SYN | TH_ACK, NULL, 0);
	s->sseq++;
	emit(s, 1, TH_ACK, NULL, 0);
	s->open = 1;
}

static void close_session(struct session *s)
{
	emit(s, 1, TH_FIN | TH_ACK, NULL, 0);
	s->cseq++;
	emit(s, 0, TH_FIN | TH_ACK, NULL, 0);
	s->sseq++;
	emit(s, 1, TH_ACK, NULL, 0);
	s->open = 0;
}

static void http_exchange(struct session *s)
{
	static char req[16384], body[4096], resp[2048];
	char path[256], cookie[1024];
	size_t plen = 4 + rnd(small ? 20 : 120), clen = small ? 0 : rnd(800);
	size_t blen = small || rnd(10) ? 0 : 1 + rnd(4000);
	size_t rlen = 50 + rnd(400);
	int n;

	fill(path, plen);
	path[plen] = 0;
	fill(cookie, clen);
	cookie[clen] = 0;
	if (small)
		n = snprintf(req, sizeof(req), "GET /%s HTTP/1.1\r\nHost: www.site%u.test\r\n"
			     "User-Agent: curl/7.88.1\r\nAccept: */*\r\n", path, rnd(HOSTS));
	else
		n = snprintf(req, sizeof(req),
			     "%s /%.*s/%s?q=%u HTTP/1.1\r\nHost: www.site%u.test\r\n"
			     "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 "
			     "Firefox/120.0\r\nAccept: text/html,application/xhtml+xml\r\n"
			     "Accept-Language: en-US,en;q=0.5\r\nCookie: s=%s\r\n"
			     "Connection: keep-alive\r\n",
			     blen ? "POST" : "GET", (int)(plen / 3), path, path + plen / 3,
			     rnd(100000), rnd(HOSTS), cookie);
	if (blen)
		n += snprintf(req + n, sizeof(req) - (size_t)n, "Content-Length: %zu\r\n", blen);
	n += snprintf(req + n, sizeof(req) - (size_t)n, "\r\n");
	fill(body, blen);
	memcpy(req + n, body, blen);
	send_data(s, 1, req, (size_t)n + blen);
	n = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", rlen);
	fill(resp + n, rlen);
	send_data(s, 0, resp, (size_t)n + rlen);
	requests++;
}

static void tls_exchange(struct session *s)
{
	static char flight[3000];
	uint8_t hello[512];
	char sni[64];
	size_t n;

	snprintf(sni, sizeof(sni), "cdn%u.video%u.test", rnd(10), rnd(HOSTS));
	n = tls_client_hello(sni, hello, sizeof(hello));
	send_data(s, 1, (const char *)hello, n);
	requests++;
	fill(flight, sizeof(flight));
	flight[0] = 22, flight[1] = 3, flight[2] = 3;
	send_data(s, 0, flight, 1500 + rnd(1500));
	for (unsigned i = rnd(4); i > 0; i--) {
		flight[0] = 23;
		send_data(s, 1, flight, 100 + rnd(600));
		send_data(s, 0, flight, 200 + rnd(2000));
	}
}

int main(int argc, char **argv)
{
	static struct session sessions[ACTIVE];
	uint64_t want, serial = 0;
	pcap_t *dead;

	if (argc < 3 || argc > 4 || !(want = strtoull(argv[2], NULL, 10)) ||
	    (argc == 4 && strcmp(argv[3], "small"))) {
		fprintf(stderr, "usage: gen_pcap OUT.pcap REQUESTS [small]\n");
		return 2;
	}
	small = argc == 4;
	dead = pcap_open_dead(DLT_EN10MB, 65535);
	out = pcap_dump_open(dead, argv[1]);
	if (!out) {
		fprintf(stderr, "gen_pcap: %s\n", pcap_geterr(dead));
		return 1;
	}
	while (requests < want) {
		struct session *s = &sessions[rnd(ACTIVE)];

		if (!s->open) {
			open_session(s, ++serial);
			continue;
		}
		if (s->dport == 443)
			tls_exchange(s);
		else
			http_exchange(s);
		if (--s->requests_left == 0)
			close_session(s);
	}
	for (unsigned i = 0; i < ACTIVE; i++)
		if (sessions[i].open)
			close_session(&sessions[i]);
	pcap_dump_close(out);
	pcap_close(dead);
	printf("%llu requests, %llu packets, %llu sessions\n", (unsigned long long)requests,
	       (unsigned long long)packets, (unsigned long long)serial);
	return 0;
}
