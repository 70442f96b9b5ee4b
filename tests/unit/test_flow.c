/* The flow table: lookup, eviction of the least recently active, idle expiry, close. */
#include <errno.h>
#include <stdlib.h>

#include "enforcer/stream/flow.h"
#include "tests/harness.h"

/* Tuple N: 10.0.x.y:N -> 10.1.0.1:80 (v4-mapped). */
static struct flow_tuple tuple_n(uint32_t n)
{
	struct flow_tuple t;

	memset(&t, 0, sizeof(t));
	t.client.s6_addr[10] = t.client.s6_addr[11] = 0xff;
	t.server.s6_addr[10] = t.server.s6_addr[11] = 0xff;
	t.client.s6_addr[12] = 10;
	t.client.s6_addr[14] = (uint8_t)(n >> 16);
	t.client.s6_addr[15] = (uint8_t)(n >> 8);
	t.client_port = (uint16_t)(n | 1024);
	t.server.s6_addr[12] = 10;
	t.server.s6_addr[13] = 1;
	t.server.s6_addr[15] = 1;
	t.server_port = 80;
	return t;
}

/* The owner's data: which flow it belongs to, and a record of releases. */
struct owned {
	uint32_t n;
};

struct releases {
	unsigned count;
	uint32_t last;
};

static void note_release(void *arg, struct flow *f)
{
	struct releases *r = arg;

	r->count++;
	r->last = ((struct owned *)f->data)->n;
}

static struct flow_table *table(uint32_t max, uint32_t idle, struct releases *rel)
{
	struct flow_table_config cfg = {
		.max_flows = max, .idle_timeout = idle, .data_size = sizeof(struct owned),
		.release = note_release, .arg = rel,
	};
	struct flow_table *t = flow_table_new(&cfg);

	ASSERT_NONNULL(t);
	return t;
}

static struct flow *add(struct flow_table *t, uint32_t n, int64_t now)
{
	struct flow_tuple k = tuple_n(n);
	struct flow *f = flow_insert(t, &k, now);

	ASSERT_NONNULL(f);
	ASSERT_EQ(((struct owned *)f->data)->n, 0);   /* zeroed */
	((struct owned *)f->data)->n = n;
	return f;
}

static bool present(struct flow_table *t, uint32_t n)
{
	struct flow_tuple k = tuple_n(n);
	struct flow *f = flow_lookup(t, &k);

	if (f)
		ASSERT_EQ(((struct owned *)f->data)->n, n);
	return f != NULL;
}

void test_flow_config_rejected(void)
{
	struct flow_table_config cfg = { .max_flows = 0 };

	ASSERT_NULL(flow_table_new(&cfg));
	ASSERT_EQ(errno, EINVAL);
}

void test_flow_insert_lookup_close(void)
{
	struct releases rel = { 0 };
	struct flow_table *t = table(1000, 300, &rel);

	for (uint32_t n = 1; n <= 1000; n++)
		add(t, n, 0);
	for (uint32_t n = 1; n <= 1000; n++)
		ASSERT_TRUE(present(t, n));
	ASSERT_TRUE(!present(t, 1001));
	/* close every third: the others stay reachable (backward-shift deletion) */
	for (uint32_t n = 3; n <= 1000; n += 3) {
		struct flow_tuple k = tuple_n(n);

		flow_close(t, flow_lookup(t, &k));
		ASSERT_EQ(rel.last, n);
	}
	for (uint32_t n = 1; n <= 1000; n++)
		ASSERT_EQ(present(t, n), n % 3 != 0);
	ASSERT_EQ(flow_table_stats(t)->closed, 333);
	ASSERT_EQ(flow_table_stats(t)->active, 667);
	/* closed entries are reused */
	for (uint32_t n = 2001; n <= 2333; n++)
		add(t, n, 1);
	ASSERT_EQ(flow_table_stats(t)->evicted, 0);
	for (uint32_t n = 2001; n <= 2333; n++)
		ASSERT_TRUE(present(t, n));
	flow_table_free(t);
	ASSERT_EQ(rel.count, 1333);
}

void test_flow_full_evicts_least_recently_active(void)
{
	struct releases rel = { 0 };
	struct flow_table *t = table(4, 300, &rel);
	struct flow *first = add(t, 1, 0);

	add(t, 2, 1);
	add(t, 3, 2);
	add(t, 4, 3);
	flow_touch(t, first, 4);                 /* 2 is now the least recently active */
	add(t, 5, 5);
	ASSERT_EQ(rel.last, 2);
	ASSERT_EQ(flow_table_stats(t)->evicted, 1);
	ASSERT_TRUE(present(t, 1) && !present(t, 2) && present(t, 5));
	add(t, 6, 6);
	ASSERT_EQ(rel.last, 3);
	ASSERT_EQ(flow_table_stats(t)->active, 4);
	flow_table_free(t);
}

void test_flow_idle_expiry(void)
{
	struct releases rel = { 0 };
	struct flow_table *t = table(16, 300, &rel);
	struct flow *f1 = add(t, 1, 100);

	add(t, 2, 150);
	add(t, 3, 200);
	flow_touch(t, f1, 390);
	ASSERT_EQ(flow_table_expire(t, 399), 0);
	ASSERT_EQ(flow_table_expire(t, 450), 1);   /* 2 idle 300 s */
	ASSERT_TRUE(!present(t, 2) && present(t, 1) && present(t, 3));
	ASSERT_EQ(flow_table_expire(t, 690), 2);
	ASSERT_EQ(flow_table_stats(t)->expired, 3);
	ASSERT_EQ(flow_table_stats(t)->active, 0);
	ASSERT_EQ(rel.count, 3);
	flow_table_free(t);
}

static void count_visit(void *arg, struct flow *f)
{
	uint32_t *order = arg;

	order[order[0]++ + 1] = ((struct owned *)f->data)->n;
}

void test_flow_foreach_least_recent_first(void)
{
	struct releases rel = { 0 };
	struct flow_table *t = table(8, 300, &rel);
	uint32_t order[8] = { 0 };
	struct flow *f2;

	add(t, 1, 0);
	f2 = add(t, 2, 0);
	add(t, 3, 0);
	flow_touch(t, f2, 1);
	flow_table_foreach(t, count_visit, order);
	ASSERT_EQ(order[0], 3);
	ASSERT_EQ(order[1], 1);
	ASSERT_EQ(order[2], 3);
	ASSERT_EQ(order[3], 2);
	flow_table_free(t);
}

void test_flow_latest_request_copy(void)
{
	struct releases rel = { 0 };
	struct flow_table *t = table(8, 300, &rel);
	struct flow *f = add(t, 1, 0);
	struct request r = {
		.tuple = f->tuple, .ts = { 1700000000, 5000 }, .proto = REQUEST_HTTP,
		.flags = REQUEST_MIDSTREAM, .method = "GET", .host = "example.test",
		.url = "http://example.test/a?x=1", .path = "/a?x=1", .target = "/b/../a?x=1",
	};
	struct request out;

	ASSERT_TRUE(!flow_latest_request(f, &out));
	ASSERT_OK(flow_keep_request(f, &r));
	ASSERT_TRUE(flow_latest_request(f, &out));
	ASSERT_STREQ(out.method, "GET");
	ASSERT_STREQ(out.host, "example.test");
	ASSERT_STREQ(out.url, "http://example.test/a?x=1");
	ASSERT_STREQ(out.path, "/a?x=1");
	ASSERT_STREQ(out.target, "/b/../a?x=1");
	ASSERT_EQ(out.ts.tv_sec, 1700000000);
	ASSERT_EQ(out.flags, REQUEST_MIDSTREAM);
	ASSERT_MEMEQ(&out.tuple, &f->tuple, sizeof(out.tuple));
	/* the path shares the URL's bytes */
	ASSERT_TRUE(out.path > out.url && out.path < out.url + strlen(out.url));

	/* a TLS request after it: NULL fields stay NULL */
	struct request tls = {
		.tuple = f->tuple, .proto = REQUEST_TLS, .host = "a.test",
		.url = "https://a.test/", .path = "/",
	};
	ASSERT_OK(flow_keep_request(f, &tls));
	ASSERT_TRUE(flow_latest_request(f, &out));
	ASSERT_EQ(out.proto, REQUEST_TLS);
	ASSERT_NULL(out.method);
	ASSERT_NULL(out.target);
	ASSERT_STREQ(out.url, "https://a.test/");
	ASSERT_STREQ(out.path, "/");
	flow_table_free(t);        /* frees the copy (ASan checks) */
}

void test_flow_bytes_per_flow(void)
{
	struct releases rel = { 0 };
	struct flow_table *t = table(FLOW_MAX_DEFAULT, 300, &rel);

	/* a 64-byte header, 8 bytes of data (rounded), two 8-byte slots */
	ASSERT_EQ(sizeof(struct flow), 64);
	ASSERT_EQ(flow_table_bytes_per_flow(t), 64 + 8 + 16);
	flow_table_free(t);
}
