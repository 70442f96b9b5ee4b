/*
 * bench-pipeline's driver: one core, one pcap file, best of RUNS.
 *   pipeline_bench FILE [RUNS]
 * baseline: libpcap reads every frame (opened as pcap_source opens it) and
 * touches nothing else;
 * pipeline: the same file through pcap_source_run() into a pipeline whose
 * callback only counts (no policy): decode, flows, reassembly, parsers.
 * Prints both rates, their ratio, the bytes a flow costs and the peak RSS.
 * Times are CPU time of this process (one thread): the rate of one core,
 * whatever else the machine runs at the moment.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "enforcer/capture/pcap_source.h"
#include "enforcer/pipeline/pipeline.h"

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double baseline(const char *path, uint64_t *frames)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t bytes = 0;
	double t0 = seconds();
	pcap_t *pc = pcap_source_open(path);

	if (!pc)
		exit(1);
	*frames = 0;
	while (pcap_next_ex(pc, &h, &data) == 1) {
		bytes += h->caplen + data[h->caplen - 1];
		(*frames)++;
	}
	pcap_close(pc);
	if (!bytes)
		fprintf(stderr, "empty capture\n");
	return seconds() - t0;
}

static void count(void *arg, enum pipeline_event ev, const struct request *r,
		  struct pipeline_session *s)
{
	(void)ev;
	(void)r;
	(void)s;
	(*(uint64_t *)arg)++;
}

static double run_pipeline(const char *path, struct pipeline_stats *st, size_t *per_flow)
{
	uint64_t events = 0;
	struct pipeline_config cfg = {
		.http_ports = { { 80, 8000, 8080 }, 3 }, .tls_ports = { { 443 }, 1 }, .emit = count, .arg = &events,
	};
	struct pipeline *p = pipeline_new(&cfg);
	double t0 = seconds(), t;

	if (!p || pcap_source_run(path, pipeline_feed, p)) {
		fprintf(stderr, "pipeline failed\n");
		exit(1);
	}
	t = seconds() - t0;
	pipeline_stats(p, st);
	*per_flow = pipeline_bytes_per_flow(p);
	pipeline_free(p);
	return t;
}

int main(int argc, char **argv)
{
	int runs = argc > 2 ? atoi(argv[2]) : 3;
	double best_base = 1e9, best_pipe = 1e9;
	struct pipeline_stats st;
	uint64_t frames = 0, req;
	struct rusage ru;
	size_t per_flow = 0;

	if (argc < 2 || runs < 1) {
		fprintf(stderr, "usage: pipeline_bench FILE [RUNS]\n");
		return 2;
	}
	for (int i = 0; i < runs; i++) {
		double b = baseline(argv[1], &frames), p = run_pipeline(argv[1], &st, &per_flow);

		best_base = b < best_base ? b : best_base;
		best_pipe = p < best_pipe ? p : best_pipe;
	}
	getrusage(RUSAGE_SELF, &ru);
	req = st.requests_http + st.requests_tls + st.requests_h2c + st.requests_quic;
	printf("frames            %llu\n", (unsigned long long)frames);
	printf("requests          %llu (http %llu, tls %llu); malformed %llu, overflows %llu\n",
	       (unsigned long long)req, (unsigned long long)st.requests_http,
	       (unsigned long long)st.requests_tls,
	       (unsigned long long)(st.decode[DECODE_BAD_TCP_CSUM] + st.decode[DECODE_BAD_TCP]),
	       (unsigned long long)st.overflows);
	printf("baseline (libpcap read)  %.3f s  %.2f M packets/s\n", best_base,
	       (double)frames / best_base / 1e6);
	printf("pipeline (no policy)     %.3f s  %.2f M packets/s  %.2f M requests/s  "
	       "(%.2fx the baseline's time)\n", best_pipe, (double)frames / best_pipe / 1e6,
	       (double)req / best_pipe / 1e6, best_pipe / best_base);
	printf("bytes per flow    %zu (+ lazy buffers); peak flows %llu created\n", per_flow,
	       (unsigned long long)st.flows.created);
	printf("peak RSS          %.1f MiB\n", (double)ru.ru_maxrss / 1024);
	return 0;
}
