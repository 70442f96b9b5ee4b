/*
 * The per-client report: exact counts, the space-saving top sites (a
 * frequent host always kept, counts overestimated by at most their error),
 * the hourly ring and --since, the client bound, and a save and load.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enforcer/judge/report.h"
#include "tests/harness.h"

static struct in6_addr client(unsigned n)
{
	struct in6_addr a = { .s6_addr = { [10] = 0xff, [11] = 0xff, [12] = 10,
					   [14] = n >> 8, [15] = n & 0xff } };
	return a;
}

static int copy_first(const struct report_client *c, void *arg)
{
	memcpy(arg, c, sizeof(*c));
	return 1;
}

static const struct report_site *site(const struct report_site *top, const char *host)
{
	for (unsigned i = 0; i < REPORT_TOP_K; i++)
		if (top[i].count && !strcmp(top[i].host, host))
			return &top[i];
	return NULL;
}

void test_report_counts_and_top_sites(void)
{
	static struct report rp;
	static struct report_client c;
	const struct in6_addr a = client(1);
	time_t t0 = 1796400000;
	char host[32];

	ASSERT_OK(report_init(&rp, NULL));
	/* one frequent host among many rare ones: the sketch must keep it */
	for (unsigned i = 0; i < 1000; i++) {
		if (i % 4 == 0)
			report_note(&rp, &a, "often.test", false, t0 + i);
		snprintf(host, sizeof(host), "rare%u.test", i);
		report_note(&rp, &a, host, false, t0 + i);
	}
	for (unsigned i = 0; i < 7; i++)
		report_note(&rp, &a, "bad.test", true, t0 + 3600 * 5);
	ASSERT_EQ(report_foreach(&rp, copy_first, &c), 1);
	ASSERT_EQ(c.requests, 1257);
	ASSERT_EQ(c.blocks, 7);
	ASSERT_EQ(c.first_seen, t0);
	ASSERT_EQ(c.last_seen, t0 + 3600 * 5);
	const struct report_site *often = site(c.allowed, "often.test");

	ASSERT_NONNULL(often);
	ASSERT_TRUE(often->count >= 250 && often->count - often->error <= 250);
	ASSERT_EQ(site(c.blocked, "bad.test")->count, 7);
	ASSERT_EQ(site(c.blocked, "bad.test")->error, 0);

	uint64_t req, blk;

	report_client_since(&c, t0 + 3600 * 5, t0 + 3600 * 5, &req, &blk);
	ASSERT_EQ(req, 7);
	ASSERT_EQ(blk, 7);
	report_client_since(&c, t0 - 3600, t0 + 3600 * 5, &req, &blk);
	ASSERT_EQ(req, 1257);
	/* a week later the old hours have left the ring */
	report_client_since(&c, t0, t0 + 3600 * (REPORT_HOURS + 1), &req, &blk);
	ASSERT_EQ(req, 7);
	report_release(&rp);
}

void test_report_bounded_and_saved(void)
{
	static struct report rp, back;
	static struct report_client c;
	char dir[] = "/tmp/ue-report-XXXXXX";

	ASSERT_NONNULL(mkdtemp(dir));
	ASSERT_OK(report_init(&rp, dir));
	for (unsigned i = 0; i < REPORT_CLIENTS_MAX + 10; i++) {
		struct in6_addr a = client(i);

		report_note(&rp, &a, "x.test", i % 2, 1796400000);
	}
	ASSERT_EQ(rp.n, REPORT_CLIENTS_MAX);
	ASSERT_EQ(rp.untracked, 10);
	ASSERT_OK(report_save(&rp));
	ASSERT_OK(report_init(&back, dir));
	ASSERT_EQ(back.n, REPORT_CLIENTS_MAX);
	ASSERT_EQ(back.untracked, 10);
	struct in6_addr a = client(3);

	report_note(&back, &a, "y.test", false, 1796400100);   /* found again by its index */
	ASSERT_EQ(back.n, REPORT_CLIENTS_MAX);
	ASSERT_EQ(back.clients[3].requests, 2);
	ASSERT_EQ(report_foreach(&back, copy_first, &c), 1);
	ASSERT_EQ(c.blocks, 0);
	report_release(&back);
	report_release(&rp);

	/* a file of another shape is refused, not misread */
	FILE *f;
	char path[64];

	snprintf(path, sizeof(path), "%s/%s", dir, REPORT_FILE);
	f = fopen(path, "w");
	ASSERT_NONNULL(f);
	fputs("not a report", f);
	fclose(f);
	ASSERT_EQ(report_init(&back, dir), -EINVAL);
	ASSERT_EQ(back.n, 0);
	report_release(&back);
	unlink(path);
	rmdir(dir);
}
