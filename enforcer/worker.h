/*
 * A packet worker (worker.c): its capture sockets, its own pipeline and
 * judge, and the blocks it enforces at once. It sees of the daemon only its
 * struct worker_env; the daemon reads its counters through worker_counters.
 */
#ifndef UE_WORKER_H
#define UE_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>

#include "enforcer/capture/capture.h"
#include "enforcer/capture/tap_ring.h"
#include "enforcer/enforce/blocklist.h"
#include "enforcer/enforce/hold.h"
#include "enforcer/enforce/inject.h"
#include "enforcer/judge/decision_log.h"
#include "enforcer/judge/judge.h"
#include "enforcer/options.h"
#include "enforcer/pipeline/pipeline.h"

/* The BPF ring's adaptive wakeups (worker.c, wait_for_frames). */
#define WORKER_BUSY_NS 250000         /* woken again within this: busy */
#define WORKER_NAP_NS 250000          /* a busy worker's nap */

/* Verdict latency of every request and ClientHello judged as it arrived (not
 * the re-judgements after a policy swap or a time= window): the completing
 * packet's kernel timestamp -> judged, for an enforced block -> its
 * blocklist entry written. Upper bounds of the buckets in microseconds. */
#define VERDICT_BUCKETS 10
static const unsigned verdict_bucket_us[VERDICT_BUCKETS] = {
	10, 25, 50, 100, 250, 500, 1000, 2500, 10000, 100000,
};

struct verdict_histogram {
	uint64_t bucket[VERDICT_BUCKETS + 1];   /* the last: over every bound */
	uint64_t sum_us;
	uint64_t count;
};

/* Every field a uint64_t count, so that workers' counters add up field by field. */
struct worker_counters {
	struct pipeline_stats pipe;
	struct judge_stats judge;
	struct capture_stats capture;
	uint64_t blocks_added;
	uint64_t inject_failures;
	struct verdict_histogram verdict;
	struct hold_stats hold;
};

/*
 * What a worker reads of the daemon: the policy, mode, re-judge and stop
 * requests through the atomics (the main thread writes them), the
 * enforcement handles (never written once open). Set up by the daemon.
 */
struct worker_env {
	const struct options *o;
	_Atomic(struct policy *) *policy;
	_Atomic uint64_t *policy_gen;
	_Atomic uint64_t *rejudge_gen;
	_Atomic bool *audit;
	_Atomic bool *stop;
	struct blocklist *bl;
	const struct injector *inj;
	const struct hold *hold;       /* --hold; its fd is -1 without */
	struct decision_log *log;
	struct pauses *pauses;         /* urlctl pause: looked up under its lock */
	struct report *report;         /* urlctl report: noted under its lock */
};

struct worker {
	struct worker_env env;
	pthread_t thread;
	unsigned id;
	struct capture *caps[OPTIONS_MAX_INTERFACES];
	struct tap_ring *ring;        /* --capture bpf-ring: this worker's frames */
	int64_t last_woken_ns;        /* CLOCK_MONOTONIC: from the ring's poll */
	bool napping;                 /* busy: naps instead of being woken */
	struct pipeline *pipe;
	struct judge judge;
	uint64_t policy_gen;          /* the generation this worker matches with */
	uint64_t rejudge_gen;
	_Atomic uint64_t seen_gen;    /* published: it no longer uses older policies */
	uint64_t blocks_added, inject_failures;
	struct verdict_histogram verdict;
	struct hold_stats hold;
	enum hold_outcome frame_outcome;   /* --hold: of the frame being processed */
	pthread_mutex_t lock;         /* guards published */
	struct worker_counters published;
};

int worker_start(struct worker *w, const struct worker_env *env, unsigned id);
void worker_join(struct worker *w);
void worker_counters(struct worker *w, struct worker_counters *out);
void worker_counters_add(struct worker_counters *sum, const struct worker_counters *add);

#endif
