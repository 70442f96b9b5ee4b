/*
 * make bench-log: what one decision log line costs, the line written
 * directly (decision_log_format) against jansson building and dumping the
 * same object (tests/unit/log_jansson.c, the formatter the daemon had
 * before), in the same run; then the whole decision_log_write path (format,
 * lock, queue) of an asynchronous log writing to /dev/null. Records are
 * browser-like HTTP requests and TLS ClientHellos, one in 16 with hostile
 * bytes (quotes, control bytes, invalid UTF-8). CPU time of this thread,
 * best of RUNS passes.
 *   bench_log [LINES]     (default 1000000)
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enforcer/judge/decision_log.h"
#include "tests/unit/log_jansson.h"

#define RUNS 3
#define RECORDS 64

static struct request requests[RECORDS];
static struct decision_record records[RECORDS];
static char texts[RECORDS][4][256];
static const struct rule_info rule = {
	.file = "/etc/url-enforcer/parental.rules", .line = 42, .id = "games",
	.action = ACTION_BLOCK, .response = RESPONSE_RESET,
};

static void make_records(void)
{
	for (unsigned i = 0; i < RECORDS; i++) {
		struct request *r = &requests[i];
		bool tls = i % 4 == 3, hostile = i % 16 == 5;

		inet_pton(AF_INET6, i % 8 ? "::ffff:192.168.1.23" : "fd00:1::23", &r->tuple.client);
		inet_pton(AF_INET6, i % 8 ? "::ffff:93.184.216.34" : "2606:2800:220:1::248",
			  &r->tuple.server);
		r->tuple.client_port = (uint16_t)(40000 + i * 37);
		r->tuple.server_port = tls ? 443 : 80;
		r->ts = (struct timespec){ 1795545847 + i / 8, 123456789 + i * 1000 };
		r->proto = tls ? REQUEST_TLS : REQUEST_HTTP;
		snprintf(texts[i][0], 256, hostile ? "www.ex\"am\\ple\x01.test" : "www.example%u.com", i);
		snprintf(texts[i][1], 256, tls ? "https://%s/" :
			 hostile ? "http://%s/search?q=\xe9t\xc3\xa9\x1b[31m" :
			 "http://%s/assets/js/app.%u.min.js?v=3", texts[i][0], i);
		snprintf(texts[i][2], 256, hostile ? "/search?q=\xe9t\xc3\xa9\x1b[31m" :
			 "/assets/js/app.%u.min.js?v=3", i);
		r->host = texts[i][0];
		r->url = texts[i][1];
		if (!tls) {
			r->method = "GET";
			r->target = texts[i][2];
		}
		records[i] = (struct decision_record){
			.request = r, .action = i % 3 ? ACTION_ALLOW : ACTION_BLOCK,
			.rule = i % 3 ? NULL : &rule, .response = RESPONSE_RESET,
			.enforced = i % 3 == 0,
		};
	}
}

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef int (*format_fn)(const struct decision_record *, char *, size_t);

/* ns a line, best of RUNS; *bytes: what the lines add up to */
static double time_format(format_fn fmt, unsigned lines, unsigned long long *bytes)
{
	static char buf[DECISION_LOG_LINE_MAX];
	double best = 1e30;

	for (int run = 0; run < RUNS; run++) {
		double t0 = cpu_seconds();

		*bytes = 0;
		for (unsigned i = 0; i < lines; i++) {
			int n = fmt(&records[i % RECORDS], buf, sizeof(buf));

			if (n < 0) {
				fprintf(stderr, "bench_log: formatting failed\n");
				exit(1);
			}
			*bytes += (unsigned)n;
		}
		double t = cpu_seconds() - t0;

		if (t < best)
			best = t;
	}
	return best * 1e9 / lines;
}

/* decision_log_write into a queue drained to /dev/null by the writer
 * thread; *dropped: lines the full queue refused in the best pass */
static double time_write(unsigned lines, unsigned long long *dropped)
{
	double best = 1e30;

	for (int run = 0; run < RUNS; run++) {
		struct decision_log *l = decision_log_open("/dev/null", DECISION_LOG_QUEUE_DEFAULT);
		struct decision_log_stats st;
		double t0, t;

		if (!l) {
			perror("bench_log: /dev/null");
			exit(1);
		}
		t0 = cpu_seconds();
		for (unsigned i = 0; i < lines; i++)
			decision_log_write(l, &records[i % RECORDS]);
		t = cpu_seconds() - t0;
		decision_log_stats(l, &st);
		decision_log_close(l);
		if (t < best) {
			best = t;
			*dropped = st.dropped;
		}
	}
	return best * 1e9 / lines;
}

int main(int argc, char **argv)
{
	unsigned lines = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000000;
	unsigned long long mine_bytes, jansson_bytes, dropped = 0;
	double mine, jansson, write;

	if (!lines) {
		fprintf(stderr, "usage: bench_log [LINES]\n");
		return 2;
	}
	make_records();
	jansson = time_format(log_jansson_format, lines, &jansson_bytes);
	mine = time_format(decision_log_format, lines, &mine_bytes);
	write = time_write(lines, &dropped);
	if (mine_bytes != jansson_bytes) {
		fprintf(stderr, "bench_log: the two formatters wrote %llu and %llu bytes\n",
			mine_bytes, jansson_bytes);
		return 1;
	}
	printf("decision log, %u lines of %.0f bytes on average (CPU time of one thread, best of %d)\n",
	       lines, (double)mine_bytes / lines, RUNS);
	printf("  %-44s %8.0f ns/line  (baseline)\n", "jansson: object built, json_dumpb", jansson);
	printf("  %-44s %8.0f ns/line  %.1fx faster\n", "decision_log_format: written directly", mine,
	       jansson / mine);
	printf("  %-44s %8.0f ns/line  (a worker's cost; %llu of the lines dropped, queue full)\n",
	       "decision_log_write: format + lock + queue", write, dropped);
	return 0;
}
