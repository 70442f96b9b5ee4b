/*
 * The Internet checksum (RFC 1071) for the decoder's checks and the packets
 * inject.c crafts: one implementation, inline because decode runs it on
 * every segment it acts on.
 */
#ifndef UE_INET_CSUM_H
#define UE_INET_CSUM_H

#include <stdint.h>
#include <string.h>

/*
 * RFC 1071 sum over LEN bytes starting at an even offset of the checksummed
 * data. Words are loaded in host order: the folded one's complement sum is
 * the same in either byte order as long as every addend is.
 */
static inline uint64_t csum_add(uint64_t sum, const void *data, uint32_t len)
{
	const uint8_t *p = data;
	uint64_t w64;
	uint32_t w32;
	uint16_t w16;

	/* 32-bit halves of 64-bit loads: no carry is lost below 2^31 words */
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w64, p, 8);
		sum += (w64 & 0xffffffff) + (w64 >> 32);
	}
	if (len >= 4) {
		memcpy(&w32, p, 4);
		sum += w32;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w16, p, 2);
		sum += w16;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = { p[0], 0 };

		memcpy(&w16, last, 2);
		sum += w16;
	}
	return sum;
}

/*
 * SUM folded to 16 bits: in the byte order of the words summed (memory
 * order: store it as is); a header's checksum field takes its complement.
 */
static inline uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

#endif
