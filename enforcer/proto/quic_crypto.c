/*
 * QUIC Initial keys and packet protection with libcrypto: HKDF-Extract and
 * HKDF-Expand-Label (TLS 1.3's label layout) over HMAC-SHA256, AES-128-ECB
 * for the header protection mask, AES-128-GCM for the payload. HKDF is
 * written out over one kept HMAC context (every output is one block at
 * most): libcrypto's HKDF object, parameters parsed on every call, took
 * about twice as long for a connection's keys (bench/README.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "enforcer/proto/quic_crypto.h"

struct quic_crypto {
	EVP_MAC_CTX *hmac;               /* HMAC-SHA256, for HKDF */
	EVP_CIPHER *ecb_cipher, *gcm_cipher;
	EVP_CIPHER_CTX *ecb, *gcm;
};

/* What tells the versions' Initial keys apart (RFC 9001 5.2, RFC 9369 3.3). */
struct version_params {
	uint32_t version;
	uint8_t salt[20];
	const char *key_label, *iv_label, *hp_label;
};

static const struct version_params versions[] = {
	{ QUIC_VERSION_1,
	  { 0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
	    0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a },
	  "quic key", "quic iv", "quic hp" },
	{ QUIC_VERSION_2,
	  { 0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
	    0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9 },
	  "quicv2 key", "quicv2 iv", "quicv2 hp" },
};

static const struct version_params *version_find(uint32_t version)
{
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (versions[i].version == version)
			return &versions[i];
	return NULL;
}

bool quic_version_known(uint32_t version)
{
	return version_find(version) != NULL;
}

struct quic_crypto *quic_crypto_new(void)
{
	struct quic_crypto *c = calloc(1, sizeof(*c));
	OSSL_PARAM digest[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC *mac;

	if (!c)
		return NULL;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	c->hmac = mac ? EVP_MAC_CTX_new(mac) : NULL;
	EVP_MAC_free(mac);
	c->ecb_cipher = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	c->gcm_cipher = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	c->ecb = EVP_CIPHER_CTX_new();
	c->gcm = EVP_CIPHER_CTX_new();
	/* the digest once, here: naming it in every call fetches it again */
	if (!c->hmac || !EVP_MAC_CTX_set_params(c->hmac, digest) || !c->ecb_cipher ||
	    !c->gcm_cipher || !c->ecb || !c->gcm ||
	    !EVP_EncryptInit_ex(c->ecb, c->ecb_cipher, NULL, NULL, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(c->ecb, 0) ||
	    !EVP_DecryptInit_ex(c->gcm, c->gcm_cipher, NULL, NULL, NULL)) {
		quic_crypto_free(c);
		errno = ENOTSUP;
		return NULL;
	}
	return c;
}

void quic_crypto_free(struct quic_crypto *c)
{
	if (!c)
		return;
	EVP_MAC_CTX_free(c->hmac);
	EVP_CIPHER_CTX_free(c->ecb);
	EVP_CIPHER_CTX_free(c->gcm);
	EVP_CIPHER_free(c->ecb_cipher);
	EVP_CIPHER_free(c->gcm_cipher);
	free(c);
}

/* HMAC-SHA256(KEY, A || B) into OUT (32 bytes). */
static int hmac(struct quic_crypto *c, const uint8_t *key, size_t key_len, const uint8_t *a,
		size_t a_len, const uint8_t *b, size_t b_len, uint8_t out[32])
{
	size_t n;

	return EVP_MAC_init(c->hmac, key, key_len, NULL) && EVP_MAC_update(c->hmac, a, a_len) &&
	       EVP_MAC_update(c->hmac, b, b_len) && EVP_MAC_final(c->hmac, out, &n, 32) &&
	       n == 32 ? 0 : -EIO;
}

/* HKDF-Extract (RFC 5869 2.2): PRK = HMAC(salt, IKM). */
static int hkdf_extract(struct quic_crypto *c, const uint8_t *salt, size_t salt_len,
			const uint8_t *ikm, size_t ikm_len, uint8_t prk[32])
{
	return hmac(c, salt, salt_len, ikm, ikm_len, NULL, 0, prk);
}

/*
 * HKDF-Expand-Label(SECRET, LABEL, "", LEN) of TLS 1.3 (RFC 8446 7.1), LEN
 * at most 32: HKDF-Expand's first block, HMAC(secret, HkdfLabel || 0x01).
 */
static int hkdf_expand_label(struct quic_crypto *c, const uint8_t secret[32],
			     const char *label, uint8_t *out, size_t len)
{
	static const uint8_t block1 = 1;
	size_t label_len = strlen(label);
	uint8_t info[2 + 1 + 6 + 32 + 1], t[32];
	size_t n = 0;
	int err;

	info[n++] = (uint8_t)(len >> 8);
	info[n++] = (uint8_t)len;
	info[n++] = (uint8_t)(6 + label_len);
	memcpy(info + n, "tls13 ", 6);
	memcpy(info + n + 6, label, label_len);
	n += 6 + label_len;
	info[n++] = 0;                  /* empty context */
	if ((err = hmac(c, secret, 32, info, n, &block1, 1, t)))
		return err;
	memcpy(out, t, len);
	return 0;
}

int quic_client_initial_keys(struct quic_crypto *c, uint32_t version, const uint8_t *dcid,
			     size_t len, struct quic_keys *out)
{
	const struct version_params *v = version_find(version);
	uint8_t initial[32], client[32];
	int err;

	if (!v)
		return -EPROTONOSUPPORT;
	if (len > QUIC_CID_MAX)
		return -EINVAL;
	if ((err = hkdf_extract(c, v->salt, sizeof(v->salt), dcid, len, initial)) ||
	    (err = hkdf_expand_label(c, initial, "client in", client, sizeof(client))) ||
	    (err = hkdf_expand_label(c, client, v->key_label, out->key, sizeof(out->key))) ||
	    (err = hkdf_expand_label(c, client, v->iv_label, out->iv, sizeof(out->iv))) ||
	    (err = hkdf_expand_label(c, client, v->hp_label, out->hp, sizeof(out->hp))))
		return err;
	return 0;
}

int quic_hp_mask(struct quic_crypto *c, const struct quic_keys *k, const uint8_t *sample,
		 uint8_t mask[5])
{
	uint8_t block[QUIC_HP_SAMPLE_LEN];
	int n;

	if (!EVP_EncryptInit_ex(c->ecb, NULL, NULL, k->hp, NULL) ||
	    !EVP_EncryptUpdate(c->ecb, block, &n, sample, QUIC_HP_SAMPLE_LEN) ||
	    n != QUIC_HP_SAMPLE_LEN)
		return -EIO;
	memcpy(mask, block, 5);
	return 0;
}

/* RFC 9001 5.3: the IV with the packet number XORed into its low bytes. */
static void make_nonce(const struct quic_keys *k, uint64_t pn, uint8_t nonce[12])
{
	memcpy(nonce, k->iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
}

int quic_aead_open(struct quic_crypto *c, const struct quic_keys *k, uint64_t pn,
		   const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
		   uint8_t *out)
{
	uint8_t nonce[12];
	int n, fin;

	if (len < QUIC_TAG_LEN)
		return -EINVAL;
	len -= QUIC_TAG_LEN;
	make_nonce(k, pn, nonce);
	if (!EVP_CipherInit_ex(c->gcm, NULL, NULL, k->key, nonce, 0) ||
	    !EVP_CipherUpdate(c->gcm, NULL, &n, aad, (int)aad_len) ||
	    !EVP_CipherUpdate(c->gcm, out, &n, in, (int)len) ||
	    !EVP_CIPHER_CTX_ctrl(c->gcm, EVP_CTRL_GCM_SET_TAG, QUIC_TAG_LEN, (void *)(in + len)))
		return -EIO;
	fin = EVP_CipherFinal_ex(c->gcm, out + n, &n);
	return fin == 1 ? 0 : -EBADMSG;
}

int quic_aead_seal(struct quic_crypto *c, const struct quic_keys *k, uint64_t pn,
		   const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
		   uint8_t *out)
{
	uint8_t nonce[12];
	int n;

	make_nonce(k, pn, nonce);
	if (!EVP_CipherInit_ex(c->gcm, NULL, NULL, k->key, nonce, 1) ||
	    !EVP_CipherUpdate(c->gcm, NULL, &n, aad, (int)aad_len) ||
	    !EVP_CipherUpdate(c->gcm, out, &n, in, (int)len) ||
	    !EVP_CipherFinal_ex(c->gcm, out + n, &n) ||
	    !EVP_CIPHER_CTX_ctrl(c->gcm, EVP_CTRL_GCM_GET_TAG, QUIC_TAG_LEN, out + len))
		return -EIO;
	return 0;
}
