/*
 * libFuzzer: QUIC Initial parsing and CRYPTO frame reassembly
 * (enforcer/proto/quic.h). Input: a flags byte, then chunks of plaintext
 * frames, each a 2-byte big-endian length and that many bytes. Each chunk
 * becomes one client Initial, protected with the real keys so that it
 * opens and its frames reach reassembly; the raw input is fed as one more
 * datagram for the header parser. Flags: bit 0 QUIC v2, bit 1 odd chunks
 * carry another DCID, bit 2 chunks fed last to first, bit 3 each twice.
 * Checks: at most one request, and when done nothing is left allocated.
 */
#include <stdlib.h>

#include "enforcer/proto/quic.h"
#include "tests/unit/quicbuild.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHUNKS_MAX 16

static unsigned requests;
static struct url_norm scratch;

static void count_request(void *arg, const struct request *r)
{
	(void)arg;
	(void)r;
	requests++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct quic_crypto *c;
	static uint8_t pkts[CHUNKS_MAX][16384 + 64];
	static const uint8_t dcid[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, other[4] = { 9, 9, 9, 9 };
	size_t lens[CHUNKS_MAX], n = 0, at = 1;
	struct flow_tuple flow = { .client_port = 40000, .server_port = 443 };
	struct parse_ctx ctx = { .tuple = &flow, .emit = count_request, .scratch = &scratch };
	struct quic_stats stats = { 0 };
	struct quic_conn qc;
	uint8_t flags;

	if (!c && !(c = quic_crypto_new()))
		abort();
	if (size < 1)
		return 0;
	flags = data[0];
	while (n < CHUNKS_MAX && at + 2 <= size) {
		size_t len = (size_t)data[at] << 8 | data[at + 1];
		bool odd = n % 2;
		struct quic_initial_spec s = {
			.version = flags & 1 ? QUIC_VERSION_2 : QUIC_VERSION_1,
			.dcid = (flags & 2) && odd ? other : dcid,
			.dcid_len = (flags & 2) && odd ? sizeof(other) : sizeof(dcid),
			.key_dcid = dcid, .key_dcid_len = sizeof(dcid), .pn = n,
		};

		at += 2;
		if (len > size - at)
			len = size - at;
		s.frames = data + at;
		s.frames_len = len;
		lens[n] = quic_initial_build(c, &s, pkts[n], sizeof(pkts[n]));
		if (lens[n])
			n++;
		at += len;
	}
	requests = 0;
	quic_conn_init(&qc);
	for (size_t i = 0; i < n; i++) {
		size_t k = flags & 4 ? n - 1 - i : i;

		for (int rep = 0; rep < (flags & 8 ? 2 : 1); rep++)
			(void)quic_feed(&qc, c, pkts[k], lens[k], &ctx, &stats);
	}
	(void)quic_feed(&qc, c, data, size, &ctx, &stats);
	if (requests > 1 || (quic_conn_done(&qc) && quic_conn_memory(&qc)) ||
	    quic_conn_memory(&qc) > QUIC_HELLO_MAX + QUIC_HELLO_MAX / 8 + 4096)
		abort();
	quic_conn_release(&qc);
	return 0;
}
