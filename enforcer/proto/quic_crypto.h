/*
 * QUIC Initial packet protection (RFC 9001 section 5, RFC 9369 for v2): the
 * client's Initial keys derived from the Destination Connection ID of its
 * first Initial, header protection (AES-128-ECB) and the AEAD
 * (AES-128-GCM), through OpenSSL's libcrypto.
 *
 * A struct quic_crypto holds the libcrypto contexts one thread reuses for
 * every packet (fetching a cipher or KDF is far dearer than using it): one
 * per worker, never shared between threads.
 */
#ifndef UE_QUIC_CRYPTO_H
#define UE_QUIC_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QUIC_VERSION_1 0x00000001u
#define QUIC_VERSION_2 0x6b3343cfu
#define QUIC_CID_MAX 20          /* RFC 9000 17.2: a v1/v2 connection ID's longest */
#define QUIC_TAG_LEN 16
#define QUIC_HP_SAMPLE_LEN 16

/* One direction's Initial packet protection keys. */
struct quic_keys {
	uint8_t key[16];
	uint8_t iv[12];
	uint8_t hp[16];
};

struct quic_crypto;

/* NULL and errno set if libcrypto lacks HKDF or AES-128. */
struct quic_crypto *quic_crypto_new(void);
void quic_crypto_free(struct quic_crypto *c);

/* Versions whose Initial keys we know: 1 and 2. */
bool quic_version_known(uint32_t version);

/*
 * The client's Initial keys for VERSION from DCID[0..LEN). Returns 0,
 * -EPROTONOSUPPORT for another version, -EINVAL for a DCID over 20 bytes,
 * -EIO if libcrypto fails.
 */
int quic_client_initial_keys(struct quic_crypto *c, uint32_t version, const uint8_t *dcid,
			     size_t len, struct quic_keys *out);

/* The 5-byte header protection mask of SAMPLE (16 bytes). 0 or -EIO. */
int quic_hp_mask(struct quic_crypto *c, const struct quic_keys *k, const uint8_t *sample,
		 uint8_t mask[5]);

/*
 * Opens packet number PN's payload: IN[0..LEN) is ciphertext and tag, AAD
 * the unprotected header. Writes LEN - 16 bytes of plaintext to OUT.
 * Returns 0, -EBADMSG if it does not authenticate (wrong keys, forged or
 * damaged), -EINVAL if LEN is shorter than the tag.
 */
int quic_aead_open(struct quic_crypto *c, const struct quic_keys *k, uint64_t pn,
		   const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
		   uint8_t *out);

/* The reverse, for the tests' packet builders: LEN bytes of IN to LEN + 16 in OUT. */
int quic_aead_seal(struct quic_crypto *c, const struct quic_keys *k, uint64_t pn,
		   const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
		   uint8_t *out);

#endif
