/* The decision log: exact lines as url-enforcer(8) DECISION LOG gives them, both writers, reopen, drops. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <jansson.h>

#include "enforcer/judge/decision_log.h"
#include "tests/harness.h"
#include "tests/unit/log_jansson.h"

static struct flow_tuple v4_tuple(void)
{
	struct flow_tuple t;

	memset(&t, 0, sizeof(t));
	inet_pton(AF_INET6, "::ffff:10.0.0.2", &t.client);
	inet_pton(AF_INET6, "::ffff:10.0.1.2", &t.server);
	t.client_port = 40312;
	t.server_port = 80;
	return t;
}

static const struct rule_info games = {
	.file = "parental.rules", .line = 7, .id = "games",
	.action = ACTION_BLOCK, .response = RESPONSE_DROP,
};

static struct request http_request(void)
{
	return (struct request){
		.tuple = v4_tuple(), .ts = { 1795545847, 123456789 }, .proto = REQUEST_HTTP,
		.method = "GET", .host = "example.test", .url = "http://example.test/a?x=1",
		.path = "/a?x=1", .target = "/a?x=1",
	};
}

static const char spec_line[] =
	"{\"ts\":\"2026-11-24T18:44:07.123456Z\",\"mode\":\"enforce\",\"proto\":\"http\","
	"\"client\":\"10.0.0.2\",\"client_port\":40312,\"server\":\"10.0.1.2\",\"server_port\":80,"
	"\"method\":\"GET\",\"host\":\"example.test\",\"url\":\"http://example.test/a?x=1\","
	"\"target\":\"/a?x=1\",\"action\":\"block\",\"rule\":\"parental.rules:7\",\"rule_id\":\"games\","
	"\"response\":\"drop\",\"enforced\":true}\n";

void test_decision_log_spec_example(void)
{
	struct request r = http_request();
	struct decision_record rec = {
		.request = &r, .action = ACTION_BLOCK, .rule = &games,
		.response = RESPONSE_DROP, .enforced = true,
	};
	char buf[1024];

	ASSERT_EQ(decision_log_format(&rec, buf, sizeof(buf)), strlen(spec_line));
	ASSERT_STREQ(buf, spec_line);
	/* too small a buffer is an error, never a cut line */
	ASSERT_EQ(decision_log_format(&rec, buf, 100), -E2BIG);
}

void test_decision_log_tls_default_audit(void)
{
	struct request r = {
		.ts = { 0, 1000 }, .proto = REQUEST_TLS, .host = "a.test",
		.url = "https://a.test/", .path = "/",
	};
	struct decision_record rec = { .request = &r, .audit = true, .action = ACTION_ALLOW };
	char buf[1024];

	inet_pton(AF_INET6, "fd77:1::2", &r.tuple.client);
	inet_pton(AF_INET6, "fd77:2::2", &r.tuple.server);
	r.tuple.client_port = 5;
	r.tuple.server_port = 443;
	ASSERT_TRUE(decision_log_format(&rec, buf, sizeof(buf)) > 0);
	ASSERT_STREQ(buf,
		     "{\"ts\":\"1970-01-01T00:00:00.000001Z\",\"mode\":\"audit\",\"proto\":\"tls\","
		     "\"client\":\"fd77:1::2\",\"client_port\":5,\"server\":\"fd77:2::2\","
		     "\"server_port\":443,\"host\":\"a.test\",\"url\":\"https://a.test/\","
		     "\"action\":\"allow\",\"rule\":null,\"rule_id\":null,\"response\":null,"
		     "\"enforced\":false}\n");
}

void test_decision_log_overflow_and_wire_bytes(void)
{
	struct request r = http_request();
	struct decision_record rec = {
		.request = &r, .action = ACTION_BLOCK, .response = RESPONSE_RESET,
		.overflow = true,
	};
	char buf[1024];

	r.method = r.host = r.url = r.target = NULL;
	ASSERT_TRUE(decision_log_format(&rec, buf, sizeof(buf)) > 0);
	ASSERT_TRUE(strstr(buf, "\"server_port\":80,\"action\":\"block\",\"rule\":null,"
			   "\"rule_id\":null,\"response\":\"reset\",\"enforced\":false,"
			   "\"reason\":\"overflow\"}\n") != NULL);

	/* not UTF-8: each byte becomes the Latin-1 character, quotes escaped;
	 * valid UTF-8 beside it stays as it is */
	r = http_request();
	r.target = "/\xe9\"x\xc3\xa9\x01";
	rec.overflow = false;
	ASSERT_TRUE(decision_log_format(&rec, buf, sizeof(buf)) > 0);
	ASSERT_TRUE(strstr(buf, "\"target\":\"/\xc3\xa9\\\"x\xc3\xa9\\u0001\"") != NULL);
}

/* xorshift64*: the same hostile strings every run */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned)((rng_state * 0x2545f4914f6cdd1dull) >> 33) % n;
}

static size_t put_utf8(char *p, unsigned cp)
{
	if (cp < 0x80)
		return p[0] = (char)cp, 1;
	if (cp < 0x800)
		return p[0] = (char)(0xc0 | cp >> 6), p[1] = (char)(0x80 | (cp & 0x3f)), 2;
	if (cp < 0x10000)
		return p[0] = (char)(0xe0 | cp >> 12), p[1] = (char)(0x80 | (cp >> 6 & 0x3f)),
		       p[2] = (char)(0x80 | (cp & 0x3f)), 3;
	return p[0] = (char)(0xf0 | cp >> 18), p[1] = (char)(0x80 | (cp >> 12 & 0x3f)),
	       p[2] = (char)(0x80 | (cp >> 6 & 0x3f)), p[3] = (char)(0x80 | (cp & 0x3f)), 4;
}

/* Up to 40 pieces of what the wire may carry; *valid: all of it UTF-8. */
static void hostile_string(char *s, size_t size, bool *valid)
{
	static const char *const bad[] = {
		"\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf",   /* overlong */
		"\xed\xa0\x80", "\xed\xbf\xbf",                   /* surrogates */
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xfe", /* beyond U+10FFFF */
		"\xc3", "\xe2\x82", "\xf0\x9f\x98",               /* cut short */
		"\x80", "\xbf", "\xc3\x28",                         /* stray continuation */
	};
	size_t n = 0;

	*valid = true;
	for (unsigned pieces = rnd(41); pieces-- && n + 8 < size;) {
		unsigned kind = rnd(8), cp;

		switch (kind) {
		case 0: s[n++] = "\"\\/"[rnd(3)]; break;
		case 1: s[n++] = (char)(1 + rnd(0x1f)); break;           /* control, 0x1f too */
		case 2: s[n++] = 0x7f; break;
		case 3: s[n++] = (char)(0x20 + rnd(0x5f)); break;
		case 4: s[n++] = (char)(0x80 + rnd(0x80)); *valid = false; break;
		case 5: {
			const char *b = bad[rnd(sizeof(bad) / sizeof(bad[0]))];

			memcpy(s + n, b, strlen(b));
			n += strlen(b);
			*valid = false;
			break;
		}
		default:
			do
				cp = 0x80 + rnd(0x10ff80);
			while (cp >= 0xd800 && cp < 0xe000);
			if (rnd(8) == 0)
				cp = 0x2028 + rnd(2);   /* line separators JavaScript chokes on */
			n += put_utf8(s + n, cp);
		}
	}
	s[n] = 0;
}

/*
 * The line written directly equals, byte for byte, what jansson writes for
 * the same record (wire strings rendered by the stated rule), and jansson
 * parses it back into the same values: quotes, backslashes, control bytes,
 * invalid UTF-8 in every field that comes off the wire or from a rule file.
 */
void test_decision_log_matches_jansson_on_hostile_strings(void)
{
	enum { CASES = 20000, FIELD = 256 };
	static char fields[6][FIELD];
	static char mine[DECISION_LOG_LINE_MAX], theirs[DECISION_LOG_LINE_MAX];

	for (unsigned i = 0; i < CASES; i++) {
		bool valid[6];
		struct rule_info rule = { .line = rnd(100000) };
		struct request r = {
			.ts = { rnd(4000000000u), rnd(1000000000) }, .proto = rnd(REQUEST_QUIC + 1),
			.flags = rnd(8) ? 0 : REQUEST_QUIC_VERSION,
			.tuple = { .client_port = rnd(65536), .server_port = rnd(65536) },
		};
		struct decision_record rec = {
			.request = &r, .audit = rnd(2), .action = rnd(3), .response = rnd(3),
			.enforced = rnd(2), .overflow = rnd(4) == 0, .ambiguous = rnd(4) == 0,
			.ech = rnd(4) == 0, .paused = rnd(8) == 0,
			.rule = rnd(4) ? &rule : NULL,
		};
		json_error_t err;
		json_t *parsed, *expected;
		int n;

		for (int f = 0; f < 6; f++)
			hostile_string(fields[f], FIELD, &valid[f]);
		r.method = rnd(4) ? fields[0] : NULL;
		r.host = rnd(4) ? fields[1] : NULL;
		r.url = rnd(4) ? fields[2] : NULL;
		r.target = rnd(4) ? fields[3] : NULL;
		rule.file = fields[4];
		rule.id = rnd(3) ? fields[5] : NULL;
		for (int k = 0; k < 16; k++) {
			r.tuple.client.s6_addr[k] = (uint8_t)rnd(256);
			r.tuple.server.s6_addr[k] = (uint8_t)rnd(256);
		}
		if (rnd(2)) {   /* IPv4 */
			memset(r.tuple.client.s6_addr, 0, 10);
			memset(r.tuple.client.s6_addr + 10, 0xff, 2);
		}

		n = decision_log_format(&rec, mine, sizeof(mine));
		ASSERT_EQ(log_jansson_format(&rec, theirs, sizeof(theirs)), n);
		if (strcmp(mine, theirs))
			harness_fail(__FILE__, __LINE__, "case %u:\n mine   %s theirs %s", i, mine, theirs);
		parsed = json_loads(mine, 0, &err);
		if (!parsed)
			harness_fail(__FILE__, __LINE__, "case %u: jansson: %s: %s", i, err.text, mine);
		expected = json_loads(theirs, 0, &err);
		ASSERT_NONNULL(expected);
		ASSERT_TRUE(json_equal(parsed, expected));
		/* valid UTF-8 comes back exactly as it was */
		if (r.target && valid[3])
			ASSERT_STREQ(json_string_value(json_object_get(parsed, "target")), r.target);
		if (r.host && valid[1])
			ASSERT_STREQ(json_string_value(json_object_get(parsed, "host")), r.host);
		json_decref(parsed);
		json_decref(expected);
	}
}

static char *read_file(const char *path)
{
	static char text[1 << 16];
	FILE *f = fopen(path, "r");
	size_t n;

	ASSERT_NONNULL(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	return text;
}

/* An empty file for a log, and the record of the man page's example. */
struct log_case {
	char path[32];
	struct request r;
	struct decision_record rec;
};

static void log_case_init(struct log_case *c)
{
	int fd;

	snprintf(c->path, sizeof(c->path), "/tmp/ue-declog-XXXXXX");
	fd = mkstemp(c->path);
	ASSERT_TRUE(fd >= 0);
	close(fd);
	c->r = http_request();
	c->rec = (struct decision_record){
		.request = &c->r, .action = ACTION_BLOCK, .rule = &games, .enforced = true,
	};
}

void test_decision_log_sync_reopen(void)
{
	struct log_case c;
	char *path = c.path, moved[64];
	const struct decision_record *rec = &c.rec;
	struct decision_log_stats st;
	struct decision_log *l;
	char two[2 * sizeof(spec_line)];

	log_case_init(&c);
	snprintf(moved, sizeof(moved), "%s.1", path);
	l = decision_log_open(path, 0);
	ASSERT_NONNULL(l);
	ASSERT_OK(decision_log_write(l, rec));
	ASSERT_OK(decision_log_write(l, rec));
	ASSERT_OK(rename(path, moved));          /* logrotate moves the file away */
	ASSERT_OK(decision_log_reopen(l));
	ASSERT_OK(decision_log_write(l, rec));
	decision_log_stats(l, &st);
	decision_log_close(l);
	ASSERT_EQ(st.written, 3);
	snprintf(two, sizeof(two), "%s%s", spec_line, spec_line);
	ASSERT_STREQ(read_file(moved), two);
	ASSERT_STREQ(read_file(path), spec_line);
	unlink(path);
	unlink(moved);
}

void test_decision_log_async_queue(void)
{
	struct log_case c;
	char *path = c.path;
	const struct decision_record *rec = &c.rec;
	struct decision_log_stats st;
	struct decision_log *l;
	uint64_t dropped;
	size_t n;

	log_case_init(&c);
	/* a queue that holds 3.5 lines: each write fits once the writer has caught up */
	l = decision_log_open(path, sizeof(spec_line) * 7 / 2);
	ASSERT_NONNULL(l);
	for (int i = 0; i < 100; i++) {
		int rc = decision_log_write(l, rec);

		ASSERT_TRUE(rc == 0 || rc == -ENOBUFS);
	}
	decision_log_stats(l, &st);
	dropped = st.dropped;
	decision_log_close(l);
	l = decision_log_open(path, 16);         /* smaller than any line: every line dropped */
	ASSERT_NONNULL(l);
	ASSERT_EQ(decision_log_write(l, rec), -ENOBUFS);
	decision_log_stats(l, &st);
	ASSERT_EQ(st.dropped, 1);
	ASSERT_EQ(st.written, 0);
	decision_log_close(l);
	/* whatever was not dropped arrived whole, one line each */
	const char *text = read_file(path);

	n = strlen(text);
	ASSERT_EQ(n, (100 - dropped) * (sizeof(spec_line) - 1));
	for (size_t at = 0; at < n; at += sizeof(spec_line) - 1)
		ASSERT_TRUE(!strncmp(text + at, spec_line, sizeof(spec_line) - 1));
	unlink(path);
}
