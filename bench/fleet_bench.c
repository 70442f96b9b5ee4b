/*
 * make bench-fleet: what one gateway's decision stream costs and carries.
 * The decision log of the daemon (asynchronous writer to a file) is fed N
 * records from one thread, twice in each round: alone (the baseline), then
 * with the fleet's tee, the decision stream publishing every line to a
 * JetStream cluster. Reported per mode, best of ROUNDS: decisions a second
 * (for the stream: until the cluster has acknowledged the last line) and the
 * process's CPU time per decision (every thread: workers' side, log writer,
 * stream thread, libnats), so the difference is the stream's added cost.
 *   fleet_bench NATS_URL DIR [N]     (default 200000)
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "common/fleet_nats.h"
#include "enforcer/fleet/decision_stream.h"
#include "enforcer/judge/decision_log.h"

#define ROUNDS 3
#define IN_FLIGHT_MAX 8000      /* lines fed and not yet acknowledged: well under the 4 MiB queue */

static struct request requests[4];
static struct decision_record records[4];

static const struct rule_info rule = {
	.file = "/var/lib/url-enforcer/fleet/bundle-7/school.rules", .line = 42, .id = "games",
	.action = ACTION_BLOCK, .response = RESPONSE_RESET,
};

static void make_records(void)
{
	static const char *const hosts[4] = {
		"www.example.com", "cdn.games.example", "video.example.net", "mail.example.org",
	};
	static char urls[4][128];

	for (unsigned i = 0; i < 4; i++) {
		struct request *r = &requests[i];

		inet_pton(AF_INET6, "::ffff:10.1.2.34", &r->tuple.client);
		inet_pton(AF_INET6, "::ffff:93.184.216.34", &r->tuple.server);
		r->tuple.client_port = (uint16_t)(40000 + i);
		r->tuple.server_port = i == 3 ? 443 : 80;
		r->ts = (struct timespec){ 1795545847, 123456789 };
		r->proto = i == 3 ? REQUEST_TLS : REQUEST_HTTP;
		snprintf(urls[i], sizeof(urls[i]), i == 3 ? "https://%s/" :
			 "http://%s/assets/js/app.%u.min.js?v=3", hosts[i], i);
		r->host = hosts[i];
		r->url = urls[i];
		if (i != 3) {
			r->method = "GET";
			r->target = strchr(urls[i] + 7, '/');
		}
		records[i] = (struct decision_record){
			.request = r, .action = i == 1 ? ACTION_BLOCK : ACTION_LOG,
			.rule = &rule, .response = RESPONSE_RESET, .enforced = i == 1,
		};
	}
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

struct result {
	double rate;                /* decisions a second */
	double cpu_us;              /* CPU microseconds a decision */
};

/* N records through a log at PATH; with DS, teed to the stream and waited for. */
static struct result run(const char *path, struct decision_stream *ds, unsigned n)
{
	struct decision_log *l = decision_log_open(path, DECISION_LOG_QUEUE_DEFAULT);
	struct decision_stream_stats st = { 0 };
	uint64_t base;
	double t0, c0;

	if (!l) {
		perror(path);
		exit(1);
	}
	if (ds) {
		decision_log_tee(l, decision_stream_line, ds);
		decision_stream_stats(ds, &st);
	}
	base = st.published + st.spooled + st.lost;
	t0 = now_s();
	c0 = cpu_s();
	for (unsigned i = 0; i < n; i++) {
		while (ds && i % 256 == 0) {
			decision_stream_stats(ds, &st);
			if (base + i - (st.published + st.spooled + st.lost) < IN_FLIGHT_MAX)
				break;
			usleep(200);
		}
		decision_log_write(l, &records[i % 4]);
	}
	decision_log_close(l);      /* the file: everything written */
	while (ds) {
		decision_stream_stats(ds, &st);
		if (st.published + st.spooled + st.lost - base >= n)
			break;
		usleep(1000);
	}
	if (ds && (st.spooled || st.lost))
		fprintf(stderr, "note: %llu lines spooled, %llu lost: NATS did not take them all\n",
			(unsigned long long)st.spooled, (unsigned long long)st.lost);
	return (struct result){ n / (now_s() - t0), (cpu_s() - c0) * 1e6 / n };
}

int main(int argc, char **argv)
{
	struct fleet_settings s = { .client_name = "fleet_bench" };
	struct result file = { 0 }, stream = { 0 };
	struct decision_stream *ds;
	natsConnection *nc;
	unsigned n = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 200000;
	char why[256], path[4096];

	if (argc < 3) {
		fprintf(stderr, "usage: fleet_bench NATS_URL DIR [N]\n");
		return 2;
	}
	s.servers = argv[1];
	make_records();
	if (fleet_connect(&s, false, &nc, why, sizeof(why))) {
		fprintf(stderr, "fleet_bench: %s\n", why);
		return 1;
	}
	ds = decision_stream_open("bench", argv[2], 1ull << 30);
	if (!ds || decision_stream_start(ds)) {
		perror("decision stream");
		return 1;
	}
	decision_stream_attach(ds, nc);
	for (int r = 0; r < ROUNDS; r++) {
		struct result f, t;

		snprintf(path, sizeof(path), "%s/file-only.log", argv[2]);
		f = run(path, NULL, n);
		snprintf(path, sizeof(path), "%s/file-and-stream.log", argv[2]);
		t = run(path, ds, n);
		printf("round %d: file only %.0f/s %.2f us CPU; file + stream %.0f/s %.2f us CPU\n",
		       r + 1, f.rate, f.cpu_us, t.rate, t.cpu_us);
		if (!r || f.cpu_us < file.cpu_us)
			file = f;
		if (!r || t.cpu_us < stream.cpu_us)
			stream = t;
	}
	printf("\n%u decisions a run, best of %d (least CPU a decision)\n", n, ROUNDS);
	printf("| mode | decisions/s | CPU us a decision |\n| --- | ---: | ---: |\n");
	printf("| file only (baseline) | %.0f | %.2f |\n", file.rate, file.cpu_us);
	printf("| file + decision stream | %.0f | %.2f |\n", stream.rate, stream.cpu_us);
	printf("added by the stream: %.2f us CPU a decision (%.1fx the file-only cost)\n",
	       stream.cpu_us - file.cpu_us, stream.cpu_us / file.cpu_us);
	decision_stream_close(ds);
	natsConnection_Destroy(nc);
	nats_CloseAndWait(2000);
	return 0;
}
