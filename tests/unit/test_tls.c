/*
 * TLS ClientHello parser vectors, built by a small ClientHello builder and
 * each checked at every split (stream_check.h), plus one real ClientHello
 * that `openssl s_client` sends to a listener on loopback.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "enforcer/proto/tls.h"
#include "tests/harness.h"
#include "tests/unit/stream_check.h"

extern char **environ;

/* ---- a ClientHello builder ---- */

struct bytes {
	uint8_t *p;
	size_t len;
};

static void put(struct bytes *b, const void *data, size_t n)
{
	if (n == 0)
		return;
	b->p = realloc(b->p, b->len + n + 1);
	ASSERT_NONNULL(b->p);
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void put_uint(struct bytes *b, uint32_t v, size_t n)
{
	uint8_t be[4];

	for (size_t i = 0; i < n; i++)
		be[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	put(b, be, n);
}

static void put_fill(struct bytes *b, uint8_t byte, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(b, &byte, 1);
}

/* An extension: type, 2-byte length, DATA. */
static void put_ext(struct bytes *exts, uint16_t type, const struct bytes *data)
{
	put_uint(exts, type, 2);
	put_uint(exts, (uint32_t)data->len, 2);
	put(exts, data->p, data->len);
}

static void put_empty_ext(struct bytes *exts, uint16_t type)
{
	struct bytes none = { 0 };

	put_ext(exts, type, &none);
}

/* server_name with one entry per NAMES[i] (type host_name) and TYPES[i]. */
static void put_sni_ext(struct bytes *exts, const char *const *names, const uint8_t *types,
			size_t n)
{
	struct bytes list = { 0 }, ext = { 0 };

	for (size_t i = 0; i < n; i++) {
		put_uint(&list, types ? types[i] : 0, 1);
		put_uint(&list, (uint32_t)strlen(names[i]), 2);
		put(&list, names[i], strlen(names[i]));
	}
	put_uint(&ext, (uint32_t)list.len, 2);
	put(&ext, list.p, list.len);
	put_ext(exts, 0x0000, &ext);
	free(list.p);
	free(ext.p);
}

static void put_sni(struct bytes *exts, const char *name)
{
	put_sni_ext(exts, &name, NULL, 1);
}

/* key_share with one x25519 share and one of KEY_LEN bytes (a PQ hybrid's size). */
static void put_key_share(struct bytes *exts, size_t key_len)
{
	struct bytes shares = { 0 }, ext = { 0 };

	put_uint(&shares, 0x11ec, 2);
	put_uint(&shares, (uint32_t)key_len, 2);
	put_fill(&shares, 0xab, key_len);
	put_uint(&shares, 0x001d, 2);
	put_uint(&shares, 32, 2);
	put_fill(&shares, 0xcd, 32);
	put_uint(&ext, (uint32_t)shares.len, 2);
	put(&ext, shares.p, shares.len);
	put_ext(exts, 0x0033, &ext);
	free(shares.p);
	free(ext.p);
}

/* The ClientHello handshake message (header included) around EXTS. */
static struct bytes client_hello(const struct bytes *exts)
{
	static const uint16_t suites[] = { 0x3a3a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f };
	struct bytes body = { 0 }, msg = { 0 };

	put_uint(&body, 0x0303, 2);                       /* legacy_version */
	put_fill(&body, 0x11, 32);                        /* random */
	put_uint(&body, 32, 1);                           /* legacy_session_id */
	put_fill(&body, 0x22, 32);
	put_uint(&body, sizeof(suites), 2);
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		put_uint(&body, suites[i], 2);
	put_uint(&body, 1, 1);                            /* compression: null */
	put_uint(&body, 0, 1);
	if (exts) {
		put_uint(&body, (uint32_t)exts->len, 2);
		put(&body, exts->p, exts->len);
	}
	put_uint(&msg, 1, 1);                             /* client_hello */
	put_uint(&msg, (uint32_t)body.len, 3);
	put(&msg, body.p, body.len);
	free(body.p);
	return msg;
}

/* MSG cut into handshake records of at most RECORD_MAX payload bytes. */
static struct bytes records(const struct bytes *msg, size_t record_max)
{
	struct bytes out = { 0 };

	for (size_t at = 0; at < msg->len; at += record_max) {
		size_t n = msg->len - at < record_max ? msg->len - at : record_max;

		put_uint(&out, 0x160301, 3);
		put_uint(&out, (uint32_t)n, 2);
		put(&out, msg->p + at, n);
	}
	return out;
}

static void check_records(const char *name, const struct bytes *exts, size_t record_max,
			  uint16_t port, int want_rc, const char *want)
{
	struct bytes msg = client_hello(exts);
	struct bytes stream = records(&msg, record_max);

	stream_check(&tls_parser_ops, name, stream.p, stream.len, 0, port, want_rc, want);
	free(msg.p);
	free(stream.p);
}

static void check_hello(const char *name, const struct bytes *exts, int want_rc, const char *want)
{
	check_records(name, exts, 16384, 443, want_rc, want);
}

#define TLS_EXAMPLE "TLS 0 - example.test https://example.test/ / -\n"

/* ---- vectors ---- */

void test_tls_sni(void)
{
	struct bytes exts = { 0 };

	put_sni(&exts, "Example.TEST.");
	put_empty_ext(&exts, 0x0017);                     /* extended_master_secret */
	check_hello("sni", &exts, 0, TLS_EXAMPLE);
	check_records("sni, port 8443", &exts, 16384, 8443, 0,
		      "TLS 0 - example.test https://example.test:8443/ / -\n");
	free(exts.p);
}

void test_tls_no_sni(void)
{
	struct bytes exts = { 0 };
	static const char *const empty[] = { "" };
	static const char *const other_type[] = { "example.test" };
	static const uint8_t type_1[] = { 1 };

	put_empty_ext(&exts, 0x0017);
	check_hello("no server_name", &exts, 0, "TLS 0x1 - 10.0.1.2 https://10.0.1.2/ / -\n");
	check_hello("no extensions", NULL, 0, "TLS 0x1 - 10.0.1.2 https://10.0.1.2/ / -\n");
	free(exts.p);

	exts = (struct bytes){ 0 };
	put_sni_ext(&exts, empty, NULL, 1);
	check_hello("empty host_name", &exts, 0, "TLS 0x1 - 10.0.1.2 https://10.0.1.2/ / -\n");
	free(exts.p);

	exts = (struct bytes){ 0 };
	put_sni_ext(&exts, other_type, type_1, 1);
	check_hello("name type not host_name", &exts, 0,
		    "TLS 0x1 - 10.0.1.2 https://10.0.1.2/ / -\n");
	free(exts.p);
}

void test_tls_ech(void)
{
	struct bytes exts = { 0 }, ech = { 0 };

	put_fill(&ech, 0x5a, 200);
	put_sni(&exts, "public.example.test");
	put_ext(&exts, 0xfe0d, &ech);
	check_hello("ech", &exts, 0,
		    "TLS 0x2 - public.example.test https://public.example.test/ / -\n");
	free(exts.p);

	exts = (struct bytes){ 0 };
	put_ext(&exts, 0xffce, &ech);
	check_hello("esni without sni", &exts, 0, "TLS 0x3 - 10.0.1.2 https://10.0.1.2/ / -\n");
	free(exts.p);
	free(ech.p);
}

void test_tls_grease(void)
{
	struct bytes exts = { 0 }, one = { 0 };

	put_fill(&one, 0, 1);
	put_empty_ext(&exts, 0x0a0a);
	put_empty_ext(&exts, 0xfafa);
	put_sni(&exts, "example.test");
	put_ext(&exts, 0x1a1a, &one);
	put_ext(&exts, 0x1a1a, &one);                     /* repeated GREASE: no matter */
	check_hello("grease", &exts, 0, TLS_EXAMPLE);
	free(exts.p);
	free(one.p);
}

void test_tls_sni_evasions(void)
{
	struct bytes exts = { 0 };
	static const char *const two[] = { "example.test", "other.test" };
	static const uint8_t types[] = { 0, 0 };

	put_sni_ext(&exts, two, types, 2);
	check_hello("two names in one list: the first", &exts, 0,
		    "TLS 0x20 - example.test https://example.test/ / -\n");
	free(exts.p);

	exts = (struct bytes){ 0 };
	put_sni(&exts, "example.test");
	put_sni(&exts, "other.test");
	check_hello("two server_name extensions: the first", &exts, 0,
		    "TLS 0x20 - example.test https://example.test/ / -\n");
	free(exts.p);

	/* A NUL inside the name cannot cut it short (url.c escapes it). */
	exts = (struct bytes){ 0 };
	put_sni_ext(&exts, (const char *const[]){ "x" }, NULL, 1);
	exts.p[exts.len - 1] = 0;
	check_hello("NUL in the name", &exts, 0, "TLS 0 - %00 https://%00/ / -\n");
	free(exts.p);
}

void test_tls_sni_too_long(void)
{
	struct bytes exts = { 0 };
	char name[URL_HOST_MAX + 1];

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	put_sni(&exts, name);
	check_hello("SNI longer than any host", &exts, -E2BIG, "");
	free(exts.p);
}

void test_tls_split_records(void)
{
	struct bytes exts = { 0 };

	put_key_share(&exts, 64);
	put_sni(&exts, "example.test");
	check_records("records of 100 bytes", &exts, 100, 443, 0, TLS_EXAMPLE);
	check_records("records of 1 byte", &exts, 1, 443, 0, TLS_EXAMPLE);
	check_records("records of 3 bytes (header split)", &exts, 3, 443, 0, TLS_EXAMPLE);
	free(exts.p);
}

void test_tls_big_key_share(void)
{
	struct bytes exts = { 0 };

	/* 3 KB of key share before the SNI: more than one TCP segment. */
	put_key_share(&exts, 3000);
	put_sni(&exts, "example.test");
	check_hello("3 KB key share, one record", &exts, 0, TLS_EXAMPLE);
	check_records("3 KB key share, records of 1400", &exts, 1400, 443, 0, TLS_EXAMPLE);
	free(exts.p);
}

void test_tls_size_limit(void)
{
	struct bytes exts = { 0 }, pad = { 0 };
	char *text;
	size_t cuts[] = { 3, 4000, 40000 };

	/* Padding so that the message is exactly TLS_HELLO_MAX bytes. */
	put_sni(&exts, "example.test");
	struct bytes probe = client_hello(&exts);

	put_fill(&pad, 0, TLS_HELLO_MAX - probe.len - 4);
	put_ext(&exts, 0x0015, &pad);
	struct bytes msg = client_hello(&exts);
	struct bytes stream = records(&msg, 16384);

	ASSERT_EQ(msg.len, TLS_HELLO_MAX);
	ASSERT_EQ(stream_feed_pieces(&tls_parser_ops, stream.p, stream.len, cuts, 3, 0, 443, &text), 0);
	ASSERT_STREQ(text, TLS_EXAMPLE);
	free(text);
	free(stream.p);
	free(msg.p);

	put_fill(&pad, 0, 1);
	exts.len = 0;
	put_sni(&exts, "example.test");
	put_ext(&exts, 0x0015, &pad);
	msg = client_hello(&exts);
	stream = records(&msg, 16384);
	ASSERT_EQ(msg.len, TLS_HELLO_MAX + 1);
	ASSERT_EQ(stream_feed_pieces(&tls_parser_ops, stream.p, stream.len, cuts, 3, 0, 443, &text), -E2BIG);
	ASSERT_STREQ(text, "");
	free(text);
	free(stream.p);
	free(msg.p);
	free(probe.p);
	free(pad.p);
	free(exts.p);

	/* A header announcing 16 MB: refused before anything is buffered. */
	static const uint8_t huge[] = { 0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0xff, 0xff, 0xff };

	stream_check(&tls_parser_ops, "16 MB announced", huge, sizeof(huge), 0, 443, -E2BIG, "");
}

void test_tls_not_tls(void)
{
#define CHECK_RAW(name, raw, rc) \
	stream_check(&tls_parser_ops, name, (const uint8_t *)(raw), sizeof(raw) - 1, 0, 443, rc, "")
	CHECK_RAW("HTTP", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", -EPROTO);
	CHECK_RAW("alert record", "\x15\x03\x01\x00\x02\x02\x28", -EPROTO);
	CHECK_RAW("version 2", "\x16\x02\x00\x00\x04\x01\x00\x00\x00", -EPROTO);
	CHECK_RAW("SSLv2 hello", "\x80\x2e\x01\x00\x02\x00\x15", -EPROTO);
	CHECK_RAW("empty record", "\x16\x03\x01\x00\x00\x01", -EPROTO);
	CHECK_RAW("record too long", "\x16\x03\x01\x48\x01\x01", -EPROTO);
	CHECK_RAW("server hello", "\x16\x03\x03\x00\x06\x02\x00\x00\x02\x03\x03", -EPROTO);
	CHECK_RAW("empty client hello", "\x16\x03\x01\x00\x04\x01\x00\x00\x00", -EPROTO);
	CHECK_RAW("truncated client hello",
		  "\x16\x03\x01\x00\x08\x01\x00\x00\x04\x03\x03\x00\x00", -EPROTO);
	CHECK_RAW("change cipher spec inside the hello",
		  "\x16\x03\x01\x00\x02\x01\x00\x14\x03\x03\x00\x01\x01", -EPROTO);
	CHECK_RAW("nothing", "", 0);
	CHECK_RAW("a record header only", "\x16\x03\x01\x02\x00", 0);
#undef CHECK_RAW
}

void test_tls_malformed_extensions(void)
{
	struct bytes exts = { 0 };

	put_sni(&exts, "example.test");
	put_uint(&exts, 0x0017, 2);
	put_uint(&exts, 10, 2);                           /* longer than what is left */
	check_hello("extension overruns", &exts, -EPROTO, "");
	free(exts.p);

	/* A server_name list that overruns its extension: no name, not fatal. */
	exts = (struct bytes){ 0 };
	put_uint(&exts, 0x0000, 2);
	put_uint(&exts, 5, 2);
	put_uint(&exts, 9, 2);
	put_uint(&exts, 0, 1);
	put_uint(&exts, 1, 2);
	check_hello("server_name list overruns", &exts, 0,
		    "TLS 0x1 - 10.0.1.2 https://10.0.1.2/ / -\n");
	free(exts.p);
}

void test_tls_rest_ignored(void)
{
	struct bytes exts = { 0 };

	put_sni(&exts, "example.test");
	struct bytes msg = client_hello(&exts);
	struct bytes stream = records(&msg, 16384);

	/* change_cipher_spec, then application data, then a second hello */
	put(&stream, "\x14\x03\x03\x00\x01\x01" "\x17\x03\x03\x00\x03xyz", 14);
	struct bytes again = records(&msg, 16384);

	put(&stream, again.p, again.len);
	stream_check(&tls_parser_ops, "after the hello", stream.p, stream.len, 0, 443, 0, TLS_EXAMPLE);
	free(again.p);
	free(msg.p);
	free(stream.p);
	free(exts.p);
}

static void count_request(void *arg, const struct request *r)
{
	(void)r;
	(*(unsigned *)arg)++;
}

void test_tls_memory(void)
{
	static struct url_norm scratch;
	struct bytes exts = { 0 };
	struct flow_tuple flow = stream_check_flow(443);
	unsigned emitted = 0;
	struct parse_ctx ctx = {
		.tuple = &flow, .emit = count_request, .arg = &emitted, .scratch = &scratch,
	};
	struct tls_stream ts;

	ASSERT_EQ(sizeof(struct tls_stream), 32);
	put_sni(&exts, "example.test");
	struct bytes msg = client_hello(&exts);
	struct bytes stream = records(&msg, 16384);

	/* Whole in one segment: nothing buffered. */
	tls_stream_init(&ts);
	ASSERT_OK(tls_feed(&ts, stream.p, stream.len, &ctx));
	ASSERT_NULL(ts.hello);
	ASSERT_EQ(emitted, 1);
	tls_stream_release(&ts);

	/* Split: a buffer of the announced size, freed once the hello is whole. */
	tls_stream_init(&ts);
	ASSERT_OK(tls_feed(&ts, stream.p, 20, &ctx));
	ASSERT_NONNULL(ts.hello);
	ASSERT_EQ(ts.hello_cap, msg.len);
	ASSERT_OK(tls_feed(&ts, stream.p + 20, stream.len - 20, &ctx));
	ASSERT_NULL(ts.hello);
	ASSERT_EQ(emitted, 2);
	tls_stream_release(&ts);
	free(msg.p);
	free(stream.p);
	free(exts.p);
}

void test_tls_is_record_start(void)
{
	ASSERT_TRUE(tls_is_record_start((const uint8_t *)"\x16\x03\x01\x02\x00\x01", 6));
	ASSERT_TRUE(tls_is_record_start((const uint8_t *)"\x16\x03\x03\x00\x10", 5));
	ASSERT_TRUE(!tls_is_record_start((const uint8_t *)"\x16\x03\x01\x02\x00\x02", 6));
	ASSERT_TRUE(!tls_is_record_start((const uint8_t *)"\x17\x03\x03\x00\x10\x01", 6));
	ASSERT_TRUE(!tls_is_record_start((const uint8_t *)"\x16\x03\x01\x00\x00\x01", 6));
	ASSERT_TRUE(!tls_is_record_start((const uint8_t *)"\x16\x03\x01", 3));
	ASSERT_TRUE(!tls_is_record_start((const uint8_t *)"GET / HTTP/1.1", 14));
}

/* ---- a real ClientHello from openssl s_client on loopback ---- */

/* Reads from FD until BUF holds one whole TLS handshake message's records. */
static size_t read_client_hello(int fd, uint8_t *buf, size_t cap)
{
	size_t len = 0, msg_need = 0, msg_have = 0, at = 0;

	while (len < cap) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 20000) != 1)
			break;
		ssize_t n = read(fd, buf + len, cap - len);

		if (n <= 0)
			break;
		len += (size_t)n;
		while (at + 5 <= len) {
			size_t rec = (size_t)buf[at + 3] << 8 | buf[at + 4];

			if (at + 5 + rec > len)
				break;
			if (!msg_need && rec >= 4)
				msg_need = 4 + ((size_t)buf[at + 6] << 16 | (size_t)buf[at + 7] << 8 |
						buf[at + 8]);
			msg_have += rec;
			at += 5 + rec;
		}
		if (msg_need && msg_have >= msg_need)
			return at;
	}
	return 0;
}

void test_tls_real_openssl_client_hello(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(addr);
	static uint8_t buf[65536];
	char connect_to[32];
	pid_t pid;
	int lfd = socket(AF_INET, SOCK_STREAM, 0), cfd, devnull;

	if (access("/usr/bin/openssl", X_OK))
		harness_fail(__FILE__, __LINE__, "no /usr/bin/openssl: make deps installs it");
	ASSERT_TRUE(lfd >= 0);
	ASSERT_OK(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)));
	ASSERT_OK(listen(lfd, 1));
	ASSERT_OK(getsockname(lfd, (struct sockaddr *)&addr, &alen));
	snprintf(connect_to, sizeof(connect_to), "127.0.0.1:%u", ntohs(addr.sin_port));

	char *argv[] = { "openssl", "s_client", "-connect", connect_to, "-servername",
			 "Real.Example.TEST", "-quiet", NULL };
	posix_spawn_file_actions_t fa;

	devnull = open("/dev/null", O_RDWR);
	ASSERT_TRUE(devnull >= 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, devnull, 0);
	posix_spawn_file_actions_adddup2(&fa, devnull, 1);
	posix_spawn_file_actions_adddup2(&fa, devnull, 2);
	ASSERT_OK(posix_spawn(&pid, "/usr/bin/openssl", &fa, NULL, argv, environ));
	posix_spawn_file_actions_destroy(&fa);
	close(devnull);

	struct pollfd p = { .fd = lfd, .events = POLLIN };
	size_t len = 0;

	if (poll(&p, 1, 20000) == 1 && (cfd = accept(lfd, NULL, NULL)) >= 0) {
		len = read_client_hello(cfd, buf, sizeof(buf));
		close(cfd);
	}
	close(lfd);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	ASSERT_TRUE(len > 0);
	ASSERT_TRUE(tls_is_record_start(buf, len));
	stream_check(&tls_parser_ops, "openssl s_client", buf, len, 0, 443, 0,
		     "TLS 0 - real.example.test https://real.example.test/ / -\n");
}
