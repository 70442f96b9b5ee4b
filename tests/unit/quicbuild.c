/* Client Initial datagrams for tests; see quicbuild.h. */
#include <string.h>

#include "enforcer/proto/quic_packet.h"
#include "tests/unit/quicbuild.h"

#define DATAGRAM_MIN 1200
#define PN_LEN 2

/* A variable-length integer in the shortest form of at most 4 bytes. */
static size_t put_varint(uint8_t *p, uint64_t v)
{
	if (v < 64) {
		p[0] = (uint8_t)v;
		return 1;
	}
	if (v < 16384) {
		p[0] = (uint8_t)(0x40 | v >> 8);
		p[1] = (uint8_t)v;
		return 2;
	}
	p[0] = (uint8_t)(0x80 | v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return 4;
}

size_t quic_put_crypto(uint8_t *out, uint64_t offset, const uint8_t *data, size_t len)
{
	size_t n = 0;

	out[n++] = 0x06;
	n += put_varint(out + n, offset);
	n += put_varint(out + n, len);
	memcpy(out + n, data, len);
	return n + len;
}

size_t quic_initial_build(struct quic_crypto *c, const struct quic_initial_spec *s,
			  uint8_t *out, size_t cap)
{
	uint8_t hdr[64], payload[16384];
	size_t h = 0, len = s->frames_len, total;
	uint8_t type = s->version == QUIC_VERSION_2 ? 1 : 0;
	struct quic_keys keys;

	if (s->dcid_len > QUIC_CID_MAX || len > sizeof(payload) - DATAGRAM_MIN)
		return 0;
	hdr[h++] = (uint8_t)(0xc0 | type << 4 | (PN_LEN - 1));
	for (int i = 3; i >= 0; i--)
		hdr[h++] = (uint8_t)(s->version >> (8 * i));
	hdr[h++] = (uint8_t)s->dcid_len;
	memcpy(hdr + h, s->dcid, s->dcid_len);
	h += s->dcid_len;
	hdr[h++] = 0;                                   /* SCID: none */
	hdr[h++] = 0;                                   /* token: none */
	memcpy(payload, s->frames, len);
	if (h + 2 + PN_LEN + len + QUIC_TAG_LEN < DATAGRAM_MIN) {
		size_t pad = DATAGRAM_MIN - (h + 2 + PN_LEN + len + QUIC_TAG_LEN);

		memset(payload + len, 0, pad);
		len += pad;
	}
	total = h + 2 + PN_LEN + len + QUIC_TAG_LEN;
	if (total > cap)
		return 0;
	/* Length: always the 2-byte form, as the payload stays under 16,384 bytes. */
	hdr[h++] = (uint8_t)(0x40 | (PN_LEN + len + QUIC_TAG_LEN) >> 8);
	hdr[h++] = (uint8_t)(PN_LEN + len + QUIC_TAG_LEN);
	hdr[h++] = (uint8_t)(s->pn >> 8);
	hdr[h++] = (uint8_t)s->pn;
	if (quic_client_initial_keys(c, s->version, s->key_dcid ? s->key_dcid : s->dcid,
				     s->key_dcid ? s->key_dcid_len : s->dcid_len, &keys) ||
	    quic_initial_protect(c, &keys, hdr, h, PN_LEN, s->pn, payload, len, out))
		return 0;
	return total;
}
