/*
 * bench-report: what urlctl report costs the daemon.
 *   report_bench [POLICY]       (default examples/parental.rules)
 * CPU: judging (policy_match) of the same request mix, from 1,000 clients
 * over 200 hosts, with and without noting each in the report
 * (report_note), best of RUNS on one core, CPU time: ns a request and the
 * ratio. Memory: what the report holds for 1,000 clients, computed from
 * its fixed-size structs, and the report's own allocation.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common/request_text.h"
#include "enforcer/judge/report.h"
#include "policies/policy.h"

#define CLIENTS 1000
#define HOSTS 200
#define REQUESTS 2000000
#define RUNS 5

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct request reqs[HOSTS];
static struct url_norm norms[HOSTS][2];
static struct in6_addr clients[CLIENTS];

static double run(const struct policy *p, struct match_scratch *s, struct report *rp)
{
	time_t now = time(NULL);
	double t0 = seconds();
	struct decision d;

	for (unsigned i = 0; i < REQUESTS; i++) {
		struct request *r = &reqs[(i * 7) % HOSTS];

		r->tuple.client = clients[i % CLIENTS];
		policy_match(p, r, now, s, &d);
		if (rp)
			report_note(rp, &r->tuple.client, r->host, d.action == ACTION_BLOCK, now);
	}
	return seconds() - t0;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "examples/parental.rules";
	struct policy *p = policy_load(path, stderr);
	struct match_scratch *s = match_scratch_new();
	double best_plain = 1e9, best_report = 1e9;
	struct report rp;

	if (!p || !s || report_init(&rp, NULL))
		return 1;
	for (unsigned i = 0; i < HOSTS; i++) {
		char url[128];
		const char *why;
		struct request_text t = { .url = url };

		snprintf(url, sizeof(url), "%s://site%u.example%s/page/%u", i % 2 ? "https" : "http",
			 i, i % 10 == 0 ? ".youtube.com" : "", i);
		if (request_from_text(&t, norms[i], &reqs[i], &why)) {
			fprintf(stderr, "%s: %s\n", url, why);
			return 1;
		}
	}
	for (unsigned c = 0; c < CLIENTS; c++) {
		clients[c].s6_addr[10] = clients[c].s6_addr[11] = 0xff;
		clients[c].s6_addr[12] = 10;
		clients[c].s6_addr[14] = c >> 8;
		clients[c].s6_addr[15] = c & 0xff;
	}
	for (int r = 0; r < RUNS; r++) {
		double a = run(p, s, NULL), b = run(p, s, &rp);

		best_plain = a < best_plain ? a : best_plain;
		best_report = b < best_report ? b : best_report;
	}
	printf("policy %s, %d requests from %d clients over %d hosts, best of %d\n", path,
	       REQUESTS, CLIENTS, HOSTS, RUNS);
	printf("judging only:        %7.1f ns a request\n", best_plain * 1e9 / REQUESTS);
	printf("judging + report:    %7.1f ns a request (ratio %.2f; the report adds %.1f ns)\n",
	       best_report * 1e9 / REQUESTS, best_report / best_plain,
	       (best_report - best_plain) * 1e9 / REQUESTS);
	printf("memory: %zu bytes a client; %d clients: %.2f MiB in use "
	       "(allocated once: %.2f MiB for %d clients and the index)\n",
	       sizeof(struct report_client), CLIENTS,
	       CLIENTS * sizeof(struct report_client) / 1048576.0,
	       (REPORT_CLIENTS_MAX * sizeof(struct report_client) +
		REPORT_CLIENTS_MAX * 2 * sizeof(uint32_t)) / 1048576.0, REPORT_CLIENTS_MAX);
	printf("state file for %d clients: %zu bytes\n", CLIENTS,
	       CLIENTS * sizeof(struct report_client) + 24);
	report_release(&rp);
	match_scratch_free(s);
	policy_free(p);
	return 0;
}
