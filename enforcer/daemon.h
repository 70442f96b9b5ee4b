/*
 * The live daemon (-i): its state, kept by daemon.c (setup, main loop,
 * policy swaps) and read by daemon_ctl.c (its answers to urlctl), both on
 * the main thread. Workers (worker.h) see only a struct worker_env: the
 * policy, mode and re-judge requests through the atomics below, the
 * enforcement handles; they publish their counters under their own lock.
 */
#ifndef UE_DAEMON_H
#define UE_DAEMON_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "enforcer/capture/tap_loader.h"
#include "enforcer/control/control.h"
#include "enforcer/enforce/conntrack.h"
#include "enforcer/enforce/rule_labels.h"
#include "enforcer/enforce/tc_attach.h"
#include "enforcer/fleet/fleet.h"
#include "enforcer/options.h"
#include "enforcer/worker.h"

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
	struct report report;          /* urlctl report, saved in --state-dir */
	time_t report_saved;
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
	struct rule_labels *labels;    /* main thread */
};

int daemon_run(const struct options *o);

/* Load PATH and swap it in; diagnostics to REPLY_FD (a control client) or stderr. */
int daemon_reload(struct daemon *d, const char *path, int reply_fd);
/* Ask every worker to judge its open sessions' latest requests again. */
void daemon_rejudge(struct daemon *d);
#define REPORT_SAVE_INTERVAL 60     /* seconds */

/* Makes the kernel's cut-off clients those of the `block all` rules open
 * at NOW and of the pauses in force. */
void daemon_update_cutoffs(struct daemon *d, time_t now);

/* daemon_ctl.c */
void daemon_ctl_register(struct daemon *d);
/* daemon_pause.c: urlctl pause, resume, paused */
void daemon_pause_register(struct daemon *d);
struct target_prefixes {
	struct prefix p[PAUSE_PREFIXES_MAX];
	unsigned n;
};
/* TARGET (IP, CIDR or @GROUP of the policy in force) into *T; 0, or a
 * message to the control client FD and -errno. */
int daemon_target_prefixes(struct daemon *d, int fd, const char *target,
			   struct target_prefixes *t);
/* daemon_report.c: urlctl report */
void daemon_report_register(struct daemon *d);

#endif
