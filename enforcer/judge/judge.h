/*
 * Judging: each request the pipeline hands over is matched against the
 * policy, and the decision log gets what url-enforcer(8) DECISION LOG says: one line
 * per matching `log` rule, then the decision's line when a rule decided or
 * the default blocked (every decision with log_all). A flow over a limit is
 * decided by the overflow rule (--on-overflow): logged when it blocks. A
 * flow whose stream reads two ways (PIPELINE_AMBIGUOUS) is blocked and
 * logged: one of its readings may be a request the parsers never saw.
 *
 * One judge per worker (its PCRE2 scratch is not shared). The time= windows
 * see the capture's time offline, so a replay decides as the moment it was
 * recorded, and the daemon's own clock live (wall_clock), the one that also
 * says when a window opens or closes for open sessions.
 */
#ifndef UE_JUDGE_H
#define UE_JUDGE_H

#include <stdbool.h>

#include "enforcer/judge/decision_log.h"
#include "enforcer/judge/pauses.h"
#include "enforcer/judge/report.h"
#include "enforcer/pipeline/pipeline.h"
#include "policies/policy.h"

struct judge_config {
	const struct policy *policy;
	struct decision_log *log;
	bool audit;                  /* mode audit: never act on traffic (urlctl mode switches it) */
	bool live;                   /* there is traffic to act on (not --pcap) */
	bool log_all;
	bool overflow_block;         /* --on-overflow block */
	bool wall_clock;             /* time= windows by the daemon's clock, not the packet's */
	struct pauses *pauses;       /* urlctl pause (live only): NULL, none */
	struct report *report;       /* urlctl report (live only): NULL, none */
};

struct judge_stats {
	uint64_t allowed;
	uint64_t blocked;
	uint64_t logged;             /* `log` rule matches */
	uint64_t overflow_decisions;
	uint64_t ambiguous_decisions;
	uint64_t paused_decisions;   /* blocked: the client is paused (a pause or `block all`) */
};

struct judge {
	struct judge_config cfg;
	struct match_scratch *scratch;
	struct judge_stats stats;
};

/* Whether a block this judge decides is enforced: live and not in audit mode. */
static inline bool judge_enforces(const struct judge *j)
{
	return j->cfg.live && !j->cfg.audit;
}

/* Returns 0 or -ENOMEM. */
int judge_init(struct judge *j, const struct judge_config *cfg);
void judge_release(struct judge *j);

/*
 * R decided again at NOW, under a new policy or a time= window that opened
 * or closed: only a block is logged (with NOW as its time) and counted; an
 * allow changes nothing. D gets the decision.
 */
void judge_again(struct judge *j, const struct request *r, const struct timespec *now,
		 struct decision *d);

/*
 * Any pipeline event, in two steps so that a block is enforced before its
 * line is written: judge_decide matches (a request), applies the overflow
 * rule (a flow over a limit) or blocks (an ambiguous stream) and counts;
 * judge_record then writes the report and the log lines of that decision.
 */
void judge_decide(struct judge *j, enum pipeline_event ev, const struct request *r,
		  struct decision *d);
void judge_record(struct judge *j, enum pipeline_event ev, const struct request *r,
		  const struct decision *d);

/* A pipeline_fn for callers that only judge and log (offline mode). */
void judge_pipeline_event(void *judge, enum pipeline_event ev, const struct request *r,
			  struct pipeline_session *s);

#endif
