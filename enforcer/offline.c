/*
 * Offline mode: a pcap through the live pipeline on one worker, judged by
 * the policy, decisions printed. Nothing is enforced (there is no traffic to
 * act on): blocks are logged with "enforced":false, as audit mode would, but
 * "mode" still says what the daemon would do live. Deterministic: the same
 * file and rules give the same lines, timestamps taken from the capture.
 */
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

/* A capture taken on the sending host has checksums never filled in. */
static void warn_offloaded(const char *path, const struct pipeline *p)
{
	struct pipeline_stats s;

	pipeline_stats(p, &s);
	if (s.decode[DECODE_BAD_TCP_CSUM])
		log_warnx("%s: %llu segments with a bad TCP checksum were ignored (a capture "
			  "taken on the sending host has offloaded checksums not filled in)",
			  path, (unsigned long long)s.decode[DECODE_BAD_TCP_CSUM]);
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
	p = pipeline_new(&pcfg);
	if (!p) {
		log_warn("pipeline");
		goto out;
	}
	if (pcap_source_run(o->pcap_path, pipeline_feed, p) == 0) {
		warn_offloaded(o->pcap_path, p);
		report(p, &j);
		status = 0;
	}
out:
	pipeline_free(p);
	judge_release(&j);
	decision_log_close(log);
	policy_free(policy);
	return status;
}
