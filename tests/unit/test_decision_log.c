/* The decision log: exact lines as url-enforcer(8) DECISION LOG gives them, both writers, reopen, drops. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "enforcer/judge/decision_log.h"
#include "tests/harness.h"

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

	/* not UTF-8: each byte becomes the Latin-1 character, quotes escaped */
	r = http_request();
	r.target = "/\xe9\"x";
	rec.overflow = false;
	ASSERT_TRUE(decision_log_format(&rec, buf, sizeof(buf)) > 0);
	ASSERT_TRUE(strstr(buf, "\"target\":\"/\xc3\xa9\\\"x\"") != NULL);
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
