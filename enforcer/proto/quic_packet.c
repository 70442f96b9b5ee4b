/*
 * QUIC long headers, Initial packet protection and Initial frames; the
 * decisions are listed in quic_packet.h.
 */
#include <errno.h>
#include <string.h>

#include "enforcer/proto/quic_packet.h"

#define HEADER_FORM_LONG 0x80
#define FIXED_BIT 0x40
#define PN_MAX_LEN 4

#define FRAME_PADDING 0x00
#define FRAME_PING 0x01
#define FRAME_ACK 0x02
#define FRAME_ACK_ECN 0x03
#define FRAME_CRYPTO 0x06
#define FRAME_CONNECTION_CLOSE 0x1c

/* An RFC 9000 section 16 variable-length integer at *P; advances *P. */
static int read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	size_t n;

	if (*p >= end)
		return -EPROTO;
	n = (size_t)1 << (**p >> 6);
	if ((size_t)(end - *p) < n)
		return -EPROTO;
	*v = **p & 0x3f;
	for (size_t i = 1; i < n; i++)
		*v = *v << 8 | (*p)[i];
	*p += n;
	return 0;
}

/* The long packet type bits of each version, in enum quic_packet_type order. */
static enum quic_packet_type packet_type(uint32_t version, uint8_t bits)
{
	static const enum quic_packet_type v1[4] = {
		QUIC_PACKET_INITIAL, QUIC_PACKET_0RTT, QUIC_PACKET_HANDSHAKE, QUIC_PACKET_RETRY,
	};
	static const enum quic_packet_type v2[4] = {
		QUIC_PACKET_RETRY, QUIC_PACKET_INITIAL, QUIC_PACKET_0RTT, QUIC_PACKET_HANDSHAKE,
	};

	return version == QUIC_VERSION_2 ? v2[bits] : v1[bits];
}

int quic_long_header_parse(const uint8_t *d, size_t len, struct quic_long_header *h)
{
	const uint8_t *p = d, *end = d + len;
	uint64_t token_len, rest;

	memset(h, 0, sizeof(*h));
	if (len < 7)
		return len && !(d[0] & HEADER_FORM_LONG) ? -ENOMSG : -EPROTO;
	if (!(d[0] & HEADER_FORM_LONG))
		return -ENOMSG;
	h->version = (uint32_t)d[1] << 24 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 8 | d[4];
	p = d + 5;
	h->dcid_len = *p++;
	if (h->dcid_len > end - p)
		return -EPROTO;
	h->dcid = p;
	p += h->dcid_len;
	if (p >= end)
		return -EPROTO;
	h->scid_len = *p++;
	if (h->scid_len > end - p)
		return -EPROTO;
	h->scid = p;
	p += h->scid_len;
	if (h->version == 0) {
		h->type = QUIC_PACKET_VERSION_NEGOTIATION;
		h->size = len;
		return -EPROTONOSUPPORT;
	}
	if (!quic_version_known(h->version))
		return -EPROTONOSUPPORT;
	if (h->dcid_len > QUIC_CID_MAX || h->scid_len > QUIC_CID_MAX || !(d[0] & FIXED_BIT))
		return -EPROTO;
	h->type = packet_type(h->version, (d[0] >> 4) & 3);
	if (h->type == QUIC_PACKET_RETRY) {
		h->size = len;
		return 0;
	}
	if (h->type == QUIC_PACKET_INITIAL &&
	    (read_varint(&p, end, &token_len) || token_len > (uint64_t)(end - p)))
		return -EPROTO;
	if (h->type == QUIC_PACKET_INITIAL)
		p += token_len;
	if (read_varint(&p, end, &rest) || rest > (uint64_t)(end - p))
		return -EPROTO;
	h->pn_offset = (size_t)(p - d);
	h->size = h->pn_offset + (size_t)rest;
	return 0;
}

int quic_initial_open(struct quic_crypto *c, const struct quic_keys *keys, const uint8_t *pkt,
		      const struct quic_long_header *h, uint8_t *out, size_t *out_len)
{
	uint8_t header[1024], mask[5];
	size_t pn_len, hdr_len;
	uint64_t pn = 0;
	int err;

	/* The sample starts 4 bytes after the packet number's start, whatever its length. */
	if (h->size < h->pn_offset + PN_MAX_LEN + QUIC_HP_SAMPLE_LEN)
		return -EPROTO;
	if (h->pn_offset + PN_MAX_LEN > sizeof(header))
		return -EPROTO;                 /* a token longer than servers hand out */
	if ((err = quic_hp_mask(c, keys, pkt + h->pn_offset + PN_MAX_LEN, mask)))
		return err;
	memcpy(header, pkt, h->pn_offset + PN_MAX_LEN);
	header[0] ^= mask[0] & 0x0f;
	pn_len = (header[0] & 3) + 1;
	for (size_t i = 0; i < pn_len; i++) {
		header[h->pn_offset + i] ^= mask[1 + i];
		pn = pn << 8 | header[h->pn_offset + i];
	}
	hdr_len = h->pn_offset + pn_len;
	if (h->size - hdr_len < QUIC_TAG_LEN)
		return -EPROTO;
	if ((err = quic_aead_open(c, keys, pn, header, hdr_len, pkt + hdr_len,
				  h->size - hdr_len, out)))
		return err;
	*out_len = h->size - hdr_len - QUIC_TAG_LEN;
	return 0;
}

int quic_initial_protect(struct quic_crypto *c, const struct quic_keys *keys,
			 const uint8_t *hdr, size_t hdr_len, unsigned pn_len, uint64_t pn,
			 const uint8_t *payload, size_t len, uint8_t *out)
{
	size_t pn_offset = hdr_len - pn_len;
	uint8_t mask[5];
	int err;

	if (pn_len < 1 || pn_len > PN_MAX_LEN || hdr_len < pn_len ||
	    len + pn_len < PN_MAX_LEN + QUIC_HP_SAMPLE_LEN - QUIC_TAG_LEN)
		return -EINVAL;
	memcpy(out, hdr, hdr_len);
	if ((err = quic_aead_seal(c, keys, pn, hdr, hdr_len, payload, len, out + hdr_len)) ||
	    (err = quic_hp_mask(c, keys, out + pn_offset + PN_MAX_LEN, mask)))
		return err;
	out[0] ^= mask[0] & 0x0f;
	for (size_t i = 0; i < pn_len; i++)
		out[pn_offset + i] ^= mask[1 + i];
	return 0;
}

/* Skips an ACK frame's body (RFC 9000 19.3) after its type. */
static int skip_ack(const uint8_t **p, const uint8_t *end, bool ecn)
{
	uint64_t v, ranges;

	if (read_varint(p, end, &v) || read_varint(p, end, &v) ||       /* largest, delay */
	    read_varint(p, end, &ranges) || read_varint(p, end, &v))     /* count, first */
		return -EPROTO;
	for (uint64_t i = 0; i < ranges; i++)
		if (read_varint(p, end, &v) || read_varint(p, end, &v))  /* gap, length */
			return -EPROTO;
	for (int i = 0; ecn && i < 3; i++)
		if (read_varint(p, end, &v))
			return -EPROTO;
	return 0;
}

int quic_initial_frames(const uint8_t *payload, size_t len, quic_crypto_frame_fn fn, void *arg)
{
	const uint8_t *p = payload, *end = payload + len;

	while (p < end) {
		uint64_t type, offset, n;
		int err;

		if (read_varint(&p, end, &type))
			return -EPROTO;
		switch (type) {
		case FRAME_PADDING:
		case FRAME_PING:
			break;
		case FRAME_ACK:
		case FRAME_ACK_ECN:
			if (skip_ack(&p, end, type == FRAME_ACK_ECN))
				return -EPROTO;
			break;
		case FRAME_CRYPTO:
			if (read_varint(&p, end, &offset) || read_varint(&p, end, &n) ||
			    n > (uint64_t)(end - p))
				return -EPROTO;
			if ((err = fn(arg, offset, p, (size_t)n)))
				return err;
			p += n;
			break;
		case FRAME_CONNECTION_CLOSE:
			/* error code, frame type, reason phrase */
			if (read_varint(&p, end, &n) || read_varint(&p, end, &n) ||
			    read_varint(&p, end, &n) || n > (uint64_t)(end - p))
				return -EPROTO;
			p += n;
			break;
		default:
			return -EPROTO;
		}
	}
	return 0;
}
