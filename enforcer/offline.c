/*
 * Offline mode: a pcap through the live pipeline on one worker, judged by
 * the policy, decisions printed. Nothing is enforced (there is no traffic to
 * act on): blocks are logged with "enforced":false, as audit mode would, but
 * "mode" still says what the daemon would do live. Deterministic: the same
 * file and rules give the same lines, timestamps taken from the capture.
 *
 * --checksums auto reads the file twice: first to find the senders whose
 * checksums the capture shows left to offload (csum_offload.h), then to
 * judge, trusting those. A decision may come before the acknowledgement
 * that proves its sender offloads, so one pass would not do.
 */
#include <arpa/inet.h>
#include <sys/stat.h>

#include "enforcer/stream/csum_offload.h"
#include "enforcer/judge/decision_log.h"
#include "enforcer/judge/judge.h"
#include "common/log.h"
#include "enforcer/options.h"
#include "enforcer/capture/pcap_source.h"
#include "enforcer/pipeline/pipeline.h"

static void report(const struct pipeline *p, const struct judge *j)
{
	struct pipeline_stats s;
	uint64_t malformed = 0;

	pipeline_stats(p, &s);
	for (int r = DECODE_FIRST_MALFORMED; r < DECODE_RESULT_MAX; r++)
		malformed += s.decode[r];
	log_debug("%llu packets, %llu requests (http %llu, tls %llu, h2c %llu, quic %llu), "
		  "%llu malformed, %llu overflows, %llu flows (%llu evicted); %llu blocked, "
		  "%llu allowed",
		  (unsigned long long)s.packets,
		  (unsigned long long)(s.requests_http + s.requests_tls + s.requests_h2c +
				       s.requests_quic),
		  (unsigned long long)s.requests_http, (unsigned long long)s.requests_tls,
		  (unsigned long long)s.requests_h2c, (unsigned long long)s.requests_quic,
		  (unsigned long long)malformed,
		  (unsigned long long)s.overflows, (unsigned long long)s.flows.created,
		  (unsigned long long)s.flows.evicted, (unsigned long long)j->stats.blocked,
		  (unsigned long long)j->stats.allowed);
}

/* What was ignored: decoys, or (verify) a capture with offloaded checksums. */
static void warn_bad_checksums(const struct options *o, const struct pipeline *p)
{
	struct pipeline_stats s;

	pipeline_stats(p, &s);
	if (s.decode[DECODE_BAD_TCP_CSUM])
		log_warnx("%s: %llu segments with a wrong TCP checksum were ignored%s", o->pcap_path,
			  (unsigned long long)s.decode[DECODE_BAD_TCP_CSUM],
			  o->checksums == CHECKSUMS_VERIFY ? " (where the capture was taken on the "
			  "sending host or a veth, they were left to offload: --checksums auto)" : "");
}

/* Said once: which senders' checksums are trusted, and why. */
static void say_trusted(const char *path, const struct in6_addr *senders, unsigned n)
{
	char list[256] = "", text[INET6_ADDRSTRLEN];
	size_t used = 0;

	if (!n)
		return;
	for (unsigned i = 0; i < n && used < sizeof(list); i++) {
		if (IN6_IS_ADDR_V4MAPPED(&senders[i]))
			inet_ntop(AF_INET, &senders[i].s6_addr[12], text, sizeof(text));
		else
			inet_ntop(AF_INET6, &senders[i], text, sizeof(text));
		used += snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", text);
	}
	log_warnx("%s: trusting the TCP checksums of %s: the capture shows them left to "
		  "offload (wrong, yet acknowledged by the peer)", path, list);
}

/* --checksums none: every segment counts. */
static void feed_unverified(void *p, const struct frame *fr)
{
	struct frame unverified = *fr;

	unverified.verify_csum = CSUM_SKIP;
	pipeline_packet(p, &unverified);
}

/*
 * --checksums auto: the first pass. 0, or 1 when the file could not be read
 * (said on stderr). A file read only once (a pipe) is verified as it is.
 */
static int find_offloading_senders(const struct options *o, struct csum_offload *offload,
				   struct pipeline_config *pcfg)
{
	struct stat st;

	if (stat(o->pcap_path, &st) || !S_ISREG(st.st_mode)) {
		log_warnx("%s: not a file that can be read twice: checksums verified "
			  "(--checksums auto needs a first pass)", o->pcap_path);
		return 0;
	}
	if (pcap_source_run(o->pcap_path, csum_offload_frame, offload))
		return 1;
	pcfg->n_csum_trusted = csum_offload_senders(offload, &pcfg->csum_trusted);
	say_trusted(o->pcap_path, pcfg->csum_trusted, pcfg->n_csum_trusted);
	return 0;
}

int offline_run(const struct options *o)
{
	struct pipeline_config pcfg = {
		.http_ports = o->http_ports, .tls_ports = o->tls_ports,
		.max_flows = o->max_flows, .idle_timeout = o->idle_timeout,
		.emit = judge_pipeline_event,
	};
	struct judge_config jcfg = {
		.audit = o->audit, .live = false, .log_all = o->log_all,
		.overflow_block = o->overflow_block,
	};
	struct policy *policy = NULL;
	struct csum_offload *offload = NULL;
	struct decision_log *log = NULL;
	struct pipeline *p = NULL;
	struct judge j = { 0 };
	int status = 1;

	policy = policy_load(o->policy_path, stderr);
	if (!policy)
		goto out;
	log = decision_log_open(o->log_path, 0);
	if (!log) {
		log_warn("%s", o->log_path);
		goto out;
	}
	jcfg.policy = policy;
	jcfg.log = log;
	if (judge_init(&j, &jcfg)) {
		log_warnx("out of memory");
		goto out;
	}
	pcfg.arg = &j;
	if (o->checksums == CHECKSUMS_AUTO) {
		offload = csum_offload_new(&o->http_ports, &o->tls_ports);
		if (!offload) {
			log_warnx("out of memory");
			goto out;
		}
		if (find_offloading_senders(o, offload, &pcfg))
			goto out;
	}
	p = pipeline_new(&pcfg);
	if (!p) {
		log_warn("pipeline");
		goto out;
	}
	if (pcap_source_run(o->pcap_path, o->checksums == CHECKSUMS_NONE ? feed_unverified :
			    pipeline_feed, p) == 0) {
		warn_bad_checksums(o, p);
		report(p, &j);
		status = 0;
	}
out:
	pipeline_free(p);
	csum_offload_free(offload);
	judge_release(&j);
	decision_log_close(log);
	policy_free(policy);
	return status;
}
