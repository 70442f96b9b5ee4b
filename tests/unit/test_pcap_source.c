/* Capture files through pcap_source: link types, timestamps, files that are not captures. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "enforcer/capture/pcap_source.h"
#include "enforcer/pipeline/pipeline.h"
#include "tests/harness.h"
#include "tests/unit/pktbuild.h"

static const char get[] = "GET /x HTTP/1.1\r\nHost: pcap.test\r\n\r\n";

struct seen {
	unsigned requests;
	struct timespec ts;
};

static void on_event(void *arg, enum pipeline_event ev, const struct request *r,
		     struct pipeline_session *session)
{
	struct seen *s = arg;

	(void)session;
	ASSERT_EQ(ev, PIPELINE_REQUEST);
	ASSERT_STREQ(r->url, "http://pcap.test/x");
	s->requests++;
	s->ts = r->ts;
}

/* A SYN and the request, each behind a HDR_LEN-byte link header from MAKE_HDR. */
static void write_capture(const char *path, int dlt, size_t hdr_len,
			  void (*make_hdr)(uint8_t *hdr, uint16_t ethertype))
{
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(dlt, 65535,
							    PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d = pcap_dump_open(dead, path);

	ASSERT_NONNULL(d);
	for (int i = 0; i < 2; i++) {
		uint8_t eth[PKT_MAX], frame[PKT_MAX];
		size_t n = pkt_build(&(struct pkt_spec){
			.src = "10.0.0.2", .dst = "10.0.1.2", .sport = 1234, .dport = 80,
			.tcp_flags = i ? TH_ACK : TH_SYN, .seq = i ? 11 : 10,
			.payload = i ? get : NULL, .payload_len = i ? sizeof(get) - 1 : 0,
		}, eth, sizeof(eth));
		struct pcap_pkthdr h = { .ts = { 1700000000 + i, 123456789 } };

		ASSERT_TRUE(n > 14);
		make_hdr(frame, 0x0800);
		memcpy(frame + hdr_len, eth + 14, n - 14);
		h.caplen = h.len = (bpf_u_int32)(hdr_len + n - 14);
		pcap_dump((u_char *)d, &h, frame);
	}
	pcap_dump_close(d);
	pcap_close(dead);
}

static void no_header(uint8_t *hdr, uint16_t type) { (void)hdr, (void)type; }

static void sll_header(uint8_t *hdr, uint16_t type)
{
	memset(hdr, 0, 16);
	hdr[14] = (uint8_t)(type >> 8), hdr[15] = (uint8_t)type;
}

static void sll2_header(uint8_t *hdr, uint16_t type)
{
	memset(hdr, 0, 20);
	hdr[0] = (uint8_t)(type >> 8), hdr[1] = (uint8_t)type;
}

static void eth_header(uint8_t *hdr, uint16_t type)
{
	memset(hdr, 2, 12);
	hdr[12] = (uint8_t)(type >> 8), hdr[13] = (uint8_t)type;
}

static int replay(const char *path, struct seen *s)
{
	struct pipeline_config cfg = {
		.http_ports = { { 80 }, 1 }, .emit = on_event, .arg = s,
	};
	struct pipeline *p = pipeline_new(&cfg);
	int rc;

	ASSERT_NONNULL(p);
	memset(s, 0, sizeof(*s));
	rc = pcap_source_run(path, pipeline_feed, p);
	pipeline_free(p);
	return rc;
}

void test_pcap_source_link_types(void)
{
	static const struct {
		int dlt;
		size_t hdr_len;
		void (*make)(uint8_t *, uint16_t);
	} kinds[] = {
		{ DLT_EN10MB, 14, eth_header }, { DLT_RAW, 0, no_header },
		{ DLT_LINUX_SLL, 16, sll_header }, { DLT_LINUX_SLL2, 20, sll2_header },
	};
	char path[] = "/tmp/ue-pcap-XXXXXX";
	int fd = mkstemp(path);
	struct seen s;

	ASSERT_TRUE(fd >= 0);
	close(fd);
	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		write_capture(path, kinds[i].dlt, kinds[i].hdr_len, kinds[i].make);
		ASSERT_OK(replay(path, &s));
		ASSERT_EQ(s.requests, 1);
		ASSERT_EQ(s.ts.tv_sec, 1700000001);
		ASSERT_EQ(s.ts.tv_nsec, 123456789);       /* nanoseconds kept */
	}
	write_capture(path, DLT_PPP, 4, no_header);    /* a link type we do not read */
	ASSERT_EQ(replay(path, &s), -EINVAL);
	unlink(path);
}

void test_pcap_source_not_a_capture(void)
{
	char path[] = "/tmp/ue-pcap-XXXXXX";
	int fd = mkstemp(path);
	struct seen s;

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(write(fd, "not a capture file at all", 25), 25);
	close(fd);
	ASSERT_EQ(replay(path, &s), -EINVAL);
	unlink(path);
	ASSERT_EQ(replay("/nonexistent/ue.pcap", &s), -EINVAL);
}
