/*
 * The live daemon (-i): its state, shared by daemon.c (setup, main loop,
 * policy swaps), worker.c (packet workers) and daemon_ctl.c (control
 * requests). Workers read the policy, the mode and the re-judge requests
 * through the atomics below and publish their counters under their lock;
 * everything else belongs to the main thread.
 */
#ifndef UE_DAEMON_H
#define UE_DAEMON_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "enforcer/enforce/blocklist.h"
#include "enforcer/capture/capture.h"
#include "enforcer/capture/tap_ring.h"
#include "enforcer/enforce/conntrack.h"
#include "enforcer/control/control.h"
#include "enforcer/judge/decision_log.h"
#include "enforcer/enforce/hold.h"
#include "enforcer/fleet/fleet.h"
#include "enforcer/enforce/inject.h"
#include "enforcer/judge/judge.h"
#include "enforcer/options.h"
#include "enforcer/pipeline/pipeline.h"
#include "enforcer/capture/tap_loader.h"
#include "enforcer/enforce/tc_attach.h"

#define RULE_LABELS_MAX (1u << 20)   /* distinct rule labels over all reloads */

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

struct worker {
	struct daemon *d;
	pthread_t thread;
	unsigned id;
	struct capture *caps[OPTIONS_MAX_INTERFACES];
	struct tap_ring *ring;        /* --capture bpf-ring: this worker's frames */
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

struct name_map;

/* The main thread's own counts (urlctl stats, common/metrics.h). */
struct daemon_counters {
	uint64_t reloads, reload_failures, blocks_expired, blocks_ended;
};

struct daemon {
	const struct options *o;
	_Atomic(struct policy *) policy;
	_Atomic uint64_t policy_gen;
	_Atomic uint64_t rejudge_gen;
	_Atomic bool audit;
	_Atomic bool stop;
	struct tap_prog *tap;
	struct blocklist *bl;
	struct injector inj;
	struct hold hold;              /* --hold; its fd is -1 without */
	struct decision_log *log;
	struct pauses pauses;          /* urlctl pause, saved in --state-dir */
	struct fleet *fleet;           /* --nats; NULL without */
	struct conntrack_watch ct;
	bool ct_open;
	struct control ctl;
	struct match_scratch *ctl_scratch;   /* urlctl test, on the main thread */
	struct worker *workers;
	unsigned n_workers;
	int lock_fds[OPTIONS_MAX_INTERFACES];
	int ifindex[OPTIONS_MAX_INTERFACES];
	time_t started;
	time_t next_change;            /* of a time= window; 0: none */
	struct daemon_counters counters;
	char **labels;                 /* main thread: intern_label() in daemon.c */
	unsigned n_labels;
	struct name_map *label_index;  /* label -> its index in labels, plus 1 */
};

int daemon_run(const struct options *o);

/* Load PATH and swap it in; diagnostics to REPLY_FD (a control client) or stderr. */
int daemon_reload(struct daemon *d, const char *path, int reply_fd);
/* Ask every worker to judge its open sessions' latest requests again. */
void daemon_rejudge(struct daemon *d);
/* Makes the kernel's cut-off clients those of the `block all` rules open
 * at NOW and of the pauses in force. */
void daemon_update_cutoffs(struct daemon *d, time_t now);

/* worker.c */
int worker_start(struct worker *w, struct daemon *d, unsigned id);
void worker_join(struct worker *w);
void worker_counters(struct worker *w, struct worker_counters *out);
void worker_counters_add(struct worker_counters *sum, const struct worker_counters *add);

/* daemon_ctl.c */
void daemon_ctl_register(struct daemon *d);
/* daemon_pause.c: urlctl pause, resume, paused */
void daemon_pause_register(struct daemon *d);

#endif
