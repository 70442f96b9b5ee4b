/*
 * QUIC Initial protection against the published vectors (RFC 9001 and
 * RFC 9369, Appendix A): keys, header protection mask, the protected
 * client Initial opened and rebuilt byte for byte; then the long header
 * parser's and the frame walker's edges.
 */
#include <errno.h>
#include <stdlib.h>

#include "enforcer/proto/quic_packet.h"
#include "tests/harness.h"
#include "tests/unit/quic_vectors.h"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = quic_vector_unhex(hex, out, cap);

	ASSERT_NE(n, 0);
	return n;
}

static void vector_keys(const struct quic_vector *v, struct quic_keys *k)
{
	uint8_t dcid[8];

	unhex(quic_vector_dcid, dcid, sizeof(dcid));
	ASSERT_OK(quic_client_initial_keys(quic_test_crypto(), v->version, dcid, sizeof(dcid), k));
}

static void check_keys(const struct quic_vector *v)
{
	struct quic_keys k, want;

	vector_keys(v, &k);
	unhex(v->key, want.key, sizeof(want.key));
	unhex(v->iv, want.iv, sizeof(want.iv));
	unhex(v->hp, want.hp, sizeof(want.hp));
	ASSERT_MEMEQ(k.key, want.key, sizeof(k.key));
	ASSERT_MEMEQ(k.iv, want.iv, sizeof(k.iv));
	ASSERT_MEMEQ(k.hp, want.hp, sizeof(k.hp));
}

void test_quic_keys_v1(void)
{
	check_keys(&quic_vector_v1);
}

void test_quic_keys_v2(void)
{
	check_keys(&quic_vector_v2);
}

void test_quic_keys_refuse_unknown_version_and_long_dcid(void)
{
	struct quic_keys k;
	uint8_t dcid[21] = { 0 };

	ASSERT_EQ(quic_client_initial_keys(quic_test_crypto(), 0xff00001d, dcid, 8, &k), -EPROTONOSUPPORT);
	ASSERT_EQ(quic_client_initial_keys(quic_test_crypto(), QUIC_VERSION_1, dcid, 21, &k), -EINVAL);
	ASSERT_OK(quic_client_initial_keys(quic_test_crypto(), QUIC_VERSION_1, dcid, 0, &k));
}

static void check_mask(const struct quic_vector *v)
{
	struct quic_keys k;
	uint8_t sample[16], want[5], mask[5];

	vector_keys(v, &k);
	unhex(v->sample, sample, sizeof(sample));
	unhex(v->mask, want, sizeof(want));
	ASSERT_OK(quic_hp_mask(quic_test_crypto(), &k, sample, mask));
	ASSERT_MEMEQ(mask, want, sizeof(mask));
}

void test_quic_hp_mask_v1(void)
{
	check_mask(&quic_vector_v1);
}

void test_quic_hp_mask_v2(void)
{
	check_mask(&quic_vector_v2);
}

/* The vector's plaintext: its CRYPTO frame, then PADDING up to 1162 bytes. */
static void vector_payload(uint8_t *out)
{
	memset(out, 0, QUIC_VECTOR_PAYLOAD_LEN);
	unhex(quic_vector_crypto_frame, out, QUIC_VECTOR_PAYLOAD_LEN);
}

static void check_open(const struct quic_vector *v)
{
	uint8_t pkt[1200], out[1200], want[QUIC_VECTOR_PAYLOAD_LEN], dcid[8];
	size_t len = unhex(v->packet, pkt, sizeof(pkt)), out_len = 0;
	struct quic_long_header h;
	struct quic_keys k;

	ASSERT_EQ(len, 1200);
	ASSERT_OK(quic_long_header_parse(pkt, len, &h));
	ASSERT_EQ(h.version, v->version);
	ASSERT_EQ(h.type, QUIC_PACKET_INITIAL);
	unhex(quic_vector_dcid, dcid, sizeof(dcid));
	ASSERT_EQ(h.dcid_len, 8);
	ASSERT_MEMEQ(h.dcid, dcid, 8);
	ASSERT_EQ(h.scid_len, 0);
	ASSERT_EQ(h.pn_offset, 18);
	ASSERT_EQ(h.size, 1200);
	vector_keys(v, &k);
	ASSERT_OK(quic_initial_open(quic_test_crypto(), &k, pkt, &h, out, &out_len));
	ASSERT_EQ(out_len, QUIC_VECTOR_PAYLOAD_LEN);
	vector_payload(want);
	ASSERT_MEMEQ(out, want, sizeof(want));

	/* One flipped bit anywhere in the ciphertext or tag: it does not open. */
	for (size_t i = 22; i < len; i += 97) {
		pkt[i] ^= 0x10;
		ASSERT_EQ(quic_initial_open(quic_test_crypto(), &k, pkt, &h, out, &out_len), -EBADMSG);
		pkt[i] ^= 0x10;
	}
	/* Keys from another DCID do not open it either. */
	dcid[0] ^= 1;
	ASSERT_OK(quic_client_initial_keys(quic_test_crypto(), v->version, dcid, 8, &k));
	ASSERT_EQ(quic_initial_open(quic_test_crypto(), &k, pkt, &h, out, &out_len), -EBADMSG);
}

void test_quic_initial_open_v1(void)
{
	check_open(&quic_vector_v1);
}

void test_quic_initial_open_v2(void)
{
	check_open(&quic_vector_v2);
}

static void check_protect(const struct quic_vector *v)
{
	uint8_t hdr[22], payload[QUIC_VECTOR_PAYLOAD_LEN], want[1200], out[1200];
	struct quic_keys k;

	ASSERT_EQ(unhex(v->header, hdr, sizeof(hdr)), 22);
	unhex(v->packet, want, sizeof(want));
	vector_payload(payload);
	vector_keys(v, &k);
	ASSERT_OK(quic_initial_protect(quic_test_crypto(), &k, hdr, sizeof(hdr), 4, 2, payload,
				       sizeof(payload), out));
	ASSERT_MEMEQ(out, want, sizeof(want));
}

void test_quic_initial_protect_v1(void)
{
	check_protect(&quic_vector_v1);
}

void test_quic_initial_protect_v2(void)
{
	check_protect(&quic_vector_v2);
}

void test_quic_long_header_edges(void)
{
	uint8_t pkt[1200];
	size_t len = unhex(quic_vector_v1.packet, pkt, sizeof(pkt));
	struct quic_long_header h;

	/* Every truncation of the header and of the packet is refused, none read past it. */
	for (size_t n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, pkt, n);
		ASSERT_EQ(quic_long_header_parse(copy, n, &h), -EPROTO);
		free(copy);
	}
	/* More after the packet (coalesced): it ends where its length says. */
	uint8_t more[1300] = { 0 };

	memcpy(more, pkt, len);
	ASSERT_OK(quic_long_header_parse(more, sizeof(more), &h));
	ASSERT_EQ(h.size, 1200);

	uint8_t short_hdr[30] = { 0x40 };

	ASSERT_EQ(quic_long_header_parse(short_hdr, sizeof(short_hdr), &h), -ENOMSG);

	/* Another version: only the invariants are read. */
	uint8_t draft[] = { 0xc0, 0xff, 0x00, 0x00, 0x1d, 2, 0xaa, 0xbb, 1, 0xcc, 0, 0 };

	ASSERT_EQ(quic_long_header_parse(draft, sizeof(draft), &h), -EPROTONOSUPPORT);
	ASSERT_EQ(h.version, 0xff00001d);
	ASSERT_EQ(h.dcid_len, 2);
	ASSERT_EQ(h.dcid[1], 0xbb);

	uint8_t vn[] = { 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

	ASSERT_EQ(quic_long_header_parse(vn, sizeof(vn), &h), -EPROTONOSUPPORT);
	ASSERT_EQ(h.type, QUIC_PACKET_VERSION_NEGOTIATION);

	/* A connection ID over 20 bytes is not QUIC v1. */
	uint8_t long_cid[40] = { 0xc0, 0, 0, 0, 1, 21 };

	ASSERT_EQ(quic_long_header_parse(long_cid, sizeof(long_cid), &h), -EPROTO);

	/* v2's type bits: 0b01 is its Initial, 0b00 its Retry. */
	len = unhex(quic_vector_v2.packet, pkt, sizeof(pkt));
	ASSERT_OK(quic_long_header_parse(pkt, len, &h));
	ASSERT_EQ(h.type, QUIC_PACKET_INITIAL);
	pkt[0] &= 0xcf;
	ASSERT_OK(quic_long_header_parse(pkt, len, &h));
	ASSERT_EQ(h.type, QUIC_PACKET_RETRY);
}

struct frames_seen {
	unsigned n;
	uint64_t offset[8];
	size_t len[8];
};

static int note_frame(void *arg, uint64_t offset, const uint8_t *data, size_t len)
{
	struct frames_seen *s = arg;

	(void)data;
	if (s->n < 8) {
		s->offset[s->n] = offset;
		s->len[s->n] = len;
	}
	s->n++;
	return 0;
}

void test_quic_initial_frames(void)
{
	uint8_t payload[QUIC_VECTOR_PAYLOAD_LEN];
	struct frames_seen s = { 0 };

	vector_payload(payload);
	ASSERT_OK(quic_initial_frames(payload, sizeof(payload), note_frame, &s));
	ASSERT_EQ(s.n, 1);
	ASSERT_EQ(s.offset[0], 0);
	ASSERT_EQ(s.len[0], 241);

	/* PING, ACK (one gap), CRYPTO at 4-byte-varint offset 300, ACK_ECN,
	 * PADDING, CONNECTION_CLOSE with a 2-byte reason, CRYPTO at 0. */
	const uint8_t mixed[] = {
		0x01,
		0x02, 0x05, 0x00, 0x01, 0x01, 0x00, 0x01,
		0x06, 0x80, 0x00, 0x01, 0x2c, 0x03, 'a', 'b', 'c',
		0x03, 0x01, 0x00, 0x00, 0x00, 0x07, 0x08, 0x09,
		0x00, 0x00,
		0x1c, 0x0a, 0x06, 0x02, 'n', 'o',
		0x06, 0x00, 0x01, 'x',
	};

	memset(&s, 0, sizeof(s));
	ASSERT_OK(quic_initial_frames(mixed, sizeof(mixed), note_frame, &s));
	ASSERT_EQ(s.n, 2);
	ASSERT_EQ(s.offset[0], 300);
	ASSERT_EQ(s.len[0], 3);
	ASSERT_EQ(s.offset[1], 0);
	ASSERT_EQ(s.len[1], 1);

	/* Every truncation that cuts a frame short is refused. */
	for (size_t n = 1; n < sizeof(mixed); n++) {
		bool boundary = n == 1 || n == 8 || n == 17 || n == 25 || n == 26 || n == 27 ||
				n == 33;
		int err = quic_initial_frames(mixed, n, note_frame, &s);

		ASSERT_EQ(err, boundary ? 0 : -EPROTO);
	}

	/* A STREAM frame has no place in an Initial. */
	const uint8_t stream[] = { 0x06, 0x00, 0x01, 'x', 0x08, 0x00, 'y' };

	memset(&s, 0, sizeof(s));
	ASSERT_EQ(quic_initial_frames(stream, sizeof(stream), note_frame, &s), -EPROTO);
	ASSERT_EQ(s.n, 1);
}
