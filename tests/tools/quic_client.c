/*
 * A QUIC client's first flight, crafted (tests/unit/quicbuild.h): a
 * ClientHello with SNI, as large as a browser's post-quantum one, in
 * protected Initial packets, for the end-to-end tests and the benchmark.
 *
 *   quic_client [-2] [-s SNI] [-k BYTES] [-1] [-r] [-o] [-f N] HOST PORT
 *     sends the Initials from one UDP socket, then, 0.3 s later, N more
 *     datagrams (1-RTT-like) on the same 4-tuple; prints the client port.
 *     -2 QUIC v2 (default v1); -k the key share's size (default 1250: the
 *     ClientHello spans two Initials); -1 one Initial only (-k 0 fits);
 *     -r the second Initial first; -o another DCID on the second.
 *   quic_client -w OUT.pcap N
 *     writes N connections' first flights (v1 and v2 alternately, split,
 *     every fourth reversed with another DCID) and a server reply each,
 *     Ethernet/IPv4/UDP, for bench-quic.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "enforcer/proto/quic_crypto.h"
#include "tests/unit/pktbuild.h"
#include "tests/unit/quicbuild.h"
#include "tests/unit/tlsbuild.h"

#define DATAGRAM_MAX 2048

struct flight {
	uint32_t version;
	const char *sni;
	size_t key_share;
	bool one, reverse, other_dcid;
	uint8_t dcid[8];
};

struct datagrams {
	uint8_t pkt[2][DATAGRAM_MAX];
	size_t len[2];
	unsigned n;
};

static void die(const char *what)
{
	fprintf(stderr, "quic_client: %s\n", what);
	exit(2);
}

/* The flight's Initials, in the order they are to be sent. */
static void build(struct quic_crypto *c, const struct flight *fl, struct datagrams *out)
{
	static const uint8_t other[5] = { 0x0d, 0x1c, 0x1d, 0x2e, 0x3f };
	const struct tls_hello_extras x = { .key_share_len = fl->key_share };
	uint8_t record[8192], frames[2][4096];
	size_t rlen = tls_client_hello_extras(fl->sni, &x, record, sizeof(record));
	size_t mlen = rlen - TLS_RECORD_HEADER, cut = fl->one ? mlen : mlen / 2;

	if (!rlen)
		die("ClientHello too large");
	out->n = fl->one ? 1 : 2;
	for (unsigned i = 0; i < out->n; i++) {
		size_t off = i ? cut : 0, n = i ? mlen - cut : cut;
		struct quic_initial_spec s = {
			.version = fl->version, .dcid = i && fl->other_dcid ? other : fl->dcid,
			.dcid_len = i && fl->other_dcid ? sizeof(other) : sizeof(fl->dcid),
			.key_dcid = fl->dcid, .key_dcid_len = sizeof(fl->dcid), .pn = i,
			.frames = frames[i],
			.frames_len = quic_put_crypto(frames[i], off, record + TLS_RECORD_HEADER + off, n),
		};
		unsigned at = fl->reverse ? out->n - 1 - i : i;

		out->len[at] = quic_initial_build(c, &s, out->pkt[at], DATAGRAM_MAX);
		if (!out->len[at])
			die("Initial does not fit a datagram (-1 with a large -k?)");
	}
}

static void send_flight(struct quic_crypto *c, const struct flight *fl, const char *host,
		       const char *port, unsigned follow_ups)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *ai;
	struct sockaddr_storage me;
	socklen_t me_len = sizeof(me);
	struct datagrams d;
	uint8_t one_rtt[64] = { 0x40 };
	int fd;

	build(c, fl, &d);
	if (getaddrinfo(host, port, &hints, &ai))
		die("unknown host");
	fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen))
		die(strerror(errno));
	freeaddrinfo(ai);
	for (unsigned i = 0; i < d.n; i++)
		if (send(fd, d.pkt[i], d.len[i], 0) < 0)
			die(strerror(errno));
	if (follow_ups)
		nanosleep(&(struct timespec){ 0, 300000000 }, NULL);
	for (unsigned i = 0; i < follow_ups; i++)
		if (send(fd, one_rtt, sizeof(one_rtt), 0) < 0)
			die(strerror(errno));
	getsockname(fd, (struct sockaddr *)&me, &me_len);
	printf("%u\n", ntohs(((struct sockaddr_in *)&me)->sin_port));  /* same offset in v6 */
	close(fd);
}

static void dump(pcap_dumper_t *out, const struct pkt_spec *spec, struct timeval *ts)
{
	static uint8_t frame[PKT_MAX];
	size_t n = pkt_build(spec, frame, sizeof(frame));
	struct pcap_pkthdr h = { .ts = *ts, .caplen = (bpf_u_int32)n, .len = (bpf_u_int32)n };

	if (!n)
		die("cannot build a frame");
	pcap_dump((u_char *)out, &h, frame);
	ts->tv_usec += 10;
	if (ts->tv_usec >= 1000000)
		ts->tv_sec++, ts->tv_usec -= 1000000;
}

static void write_pcap(struct quic_crypto *c, const char *path, unsigned long n)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *out = pcap_dump_open(dead, path);
	struct timeval ts = { 1700000000, 0 };
	uint8_t reply[1200];
	char sni[64], client[32];

	if (!out)
		die(pcap_geterr(dead));
	memset(reply, 0, sizeof(reply));
	reply[0] = 0xc0;                     /* a server's Initial: long header, not judged */
	for (unsigned long i = 0; i < n; i++) {
		struct flight fl = {
			.version = i % 2 ? QUIC_VERSION_2 : QUIC_VERSION_1, .sni = sni,
			.key_share = 1250, .reverse = i % 4 == 3, .other_dcid = i % 4 == 3,
		};
		struct datagrams d;
		uint16_t sport = (uint16_t)(1024 + i % 60000);

		for (unsigned b = 0; b < sizeof(fl.dcid); b++)
			fl.dcid[b] = (uint8_t)(i >> (8 * (b % 4)) ^ b * 0x3b);
		snprintf(sni, sizeof(sni), "site%lu.example.test", i % 1000);
		snprintf(client, sizeof(client), "10.%lu.%lu.%lu", 1 + i / 60000 / 65536 % 200,
			 i / 60000 / 256 % 256, i / 60000 % 256 + 1);
		build(c, &fl, &d);
		for (unsigned k = 0; k < d.n; k++)
			dump(out, &(struct pkt_spec){ .src = client, .dst = "192.0.2.1",
			     .l4 = IPPROTO_UDP, .sport = sport, .dport = 443,
			     .payload = d.pkt[k], .payload_len = d.len[k] }, &ts);
		dump(out, &(struct pkt_spec){ .src = "192.0.2.1", .dst = client, .l4 = IPPROTO_UDP,
		     .sport = 443, .dport = sport, .payload = reply, .payload_len = sizeof(reply) },
		     &ts);
	}
	pcap_dump_close(out);
	pcap_close(dead);
}

int main(int argc, char **argv)
{
	struct flight fl = { .version = QUIC_VERSION_1, .sni = "example.test", .key_share = 1250 };
	struct quic_crypto *c = quic_crypto_new();
	unsigned follow_ups = 0;
	const char *pcap_out = NULL;
	int opt;

	if (!c)
		die("libcrypto lacks HKDF or AES-128");
	srandom((unsigned)getpid() ^ (unsigned)time(NULL));
	for (unsigned b = 0; b < sizeof(fl.dcid); b++)
		fl.dcid[b] = (uint8_t)random();
	while ((opt = getopt(argc, argv, "2s:k:1rof:w:")) != -1) {
		switch (opt) {
		case '2': fl.version = QUIC_VERSION_2; break;
		case 's': fl.sni = optarg; break;
		case 'k': fl.key_share = strtoul(optarg, NULL, 10); break;
		case '1': fl.one = true; break;
		case 'r': fl.reverse = true; break;
		case 'o': fl.other_dcid = true; break;
		case 'f': follow_ups = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'w': pcap_out = optarg; break;
		default: die("usage: see tests/tools/quic_client.c");
		}
	}
	if (pcap_out && optind + 1 != argc)
		die("-w OUT.pcap N");
	if (!pcap_out && optind + 2 != argc)
		die("HOST PORT expected");
	if (pcap_out)
		write_pcap(c, pcap_out, strtoul(argv[optind], NULL, 10));
	else
		send_flight(c, &fl, argv[optind], argv[optind + 1], follow_ups);
	quic_crypto_free(c);
	return 0;
}
