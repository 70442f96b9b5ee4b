/* ClientHello records for tests; see tlsbuild.h. */
#include <string.h>

#include "tests/unit/tlsbuild.h"

#define EXT_KEY_SHARE 0x0033
#define EXT_ECH 0xfe0d

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* An extension of LEN bytes of FILL. */
static size_t put_filled_ext(uint8_t *p, uint16_t type, size_t len, uint8_t fill)
{
	put16(p, type);
	put16(p + 2, len);
	memset(p + 4, fill, len);
	return 4 + len;
}

size_t tls_client_hello_extras(const char *sni, const struct tls_hello_extras *extras,
			       uint8_t *out, size_t cap)
{
	size_t nl = sni ? strlen(sni) : 0, n = 0, ext_at;
	size_t extra_len = extras->key_share_len + (extras->key_share_len ? 4 : 0) +
			   (extras->ech ? 4 + 32 : 0);
	uint8_t *p = out;

	if (nl > 255 || cap < 64 + nl + extra_len || 64 + nl + extra_len > 65535)
		return 0;
	p[n++] = 22, p[n++] = 3, p[n++] = 1, n += 2;       /* record header; length below */
	p[n++] = 1, n += 3;                                /* ClientHello; length below */
	p[n++] = 3, p[n++] = 3;                            /* legacy version TLS 1.2 */
	memset(p + n, 0x11, 32), n += 32;                  /* random */
	p[n++] = 0;                                        /* session id */
	put16(p + n, 2), n += 2;
	p[n++] = 0x13, p[n++] = 0x01;                      /* TLS_AES_128_GCM_SHA256 */
	p[n++] = 1, p[n++] = 0;                            /* compression: null */
	ext_at = n, n += 2;
	if (sni) {
		put16(p + n, 0), n += 2;                   /* server_name */
		put16(p + n, nl + 5), n += 2;
		put16(p + n, nl + 3), n += 2;
		p[n++] = 0;                                /* host_name */
		put16(p + n, nl), n += 2;
		memcpy(p + n, sni, nl), n += nl;
	}
	if (extras->key_share_len)
		n += put_filled_ext(p + n, EXT_KEY_SHARE, extras->key_share_len, 0x5a);
	if (extras->ech)
		n += put_filled_ext(p + n, EXT_ECH, 32, 0xec);
	put16(p + ext_at, n - ext_at - 2);
	p[6] = 0;
	put16(p + 7, n - 9);
	put16(p + 3, n - 5);
	return n;
}

size_t tls_client_hello(const char *sni, uint8_t *out, size_t cap)
{
	const struct tls_hello_extras none = { 0 };

	return tls_client_hello_extras(sni, &none, out, cap);
}
