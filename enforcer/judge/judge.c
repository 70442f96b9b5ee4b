/* Requests -> policy decisions -> decision log lines; see judge.h. */
#include <errno.h>
#include <string.h>

#include "enforcer/judge/judge.h"

int judge_init(struct judge *j, const struct judge_config *cfg)
{
	memset(j, 0, sizeof(*j));
	j->cfg = *cfg;
	j->scratch = match_scratch_new();
	return j->scratch ? 0 : -ENOMEM;
}

void judge_release(struct judge *j)
{
	if (j->scratch)
		match_scratch_free(j->scratch);
	j->scratch = NULL;
}

static void log_line(struct judge *j, const struct request *r, enum policy_action action,
		     const struct rule_info *rule, enum policy_response response,
		     enum pipeline_event ev, bool paused)
{
	struct decision_record rec = {
		.request = r, .audit = j->cfg.audit, .action = action, .rule = rule,
		.response = response, .overflow = ev == PIPELINE_OVERFLOW,
		.ambiguous = ev == PIPELINE_AMBIGUOUS, .paused = paused,
		.ech = policy_ech(j->cfg.policy, r),
		.enforced = action == ACTION_BLOCK && judge_enforces(j),
	};

	/* a lost line is counted by the log itself */
	decision_log_write(j->cfg.log, &rec);
}

static void count(struct judge *j, const struct decision *d)
{
	if (d->action == ACTION_BLOCK)
		j->stats.blocked++;
	else
		j->stats.allowed++;
}

/*
 * A paused client's request is blocked whatever the policy says (the
 * kernel drops the rest of what it sends), with a page saying until when.
 */
static void apply_pause(struct judge *j, const struct request *r, time_t now,
			struct decision *d)
{
	time_t until;

	if (!d->paused && j->cfg.pauses &&
	    pauses_lookup(j->cfg.pauses, &r->tuple.client, now, &until)) {
		d->action = ACTION_BLOCK;
		d->response = RESPONSE_PAGE;
		d->rule = NULL;
		d->paused = true;
		d->paused_until = until;
	}
	if (d->paused)
		j->stats.paused_decisions++;
}

/*
 * The response is what will be done: only HTTP/1.x can carry the page; a
 * TLS session (no page without a forged certificate) and an h2c one are
 * reset instead, and logged so; a QUIC connection has nothing to reset.
 */
static void response_applicable(const struct request *r, struct decision *d)
{
	if (d->response == RESPONSE_PAGE && r->proto != REQUEST_HTTP)
		d->response = RESPONSE_RESET;
	if (r->proto == REQUEST_QUIC)
		d->response = RESPONSE_DROP;    /* UDP: nothing to reset */
}

/* The time= windows' and the report's clock (judge.h). */
static time_t judge_time(const struct judge *j, const struct request *r)
{
	return j->cfg.wall_clock ? time(NULL) : r->ts.tv_sec;
}

static void decide_request(struct judge *j, const struct request *r, struct decision *d)
{
	time_t now = judge_time(j, r);

	policy_match(j->cfg.policy, r, now, j->scratch, d);
	apply_pause(j, r, now, d);
	response_applicable(r, d);
	count(j, d);
}

static void record_request(struct judge *j, const struct request *r, const struct decision *d)
{
	if (j->cfg.report)
		report_note(j->cfg.report, &r->tuple.client, r->host ? r->host : "-",
			    d->action == ACTION_BLOCK, judge_time(j, r));
	for (unsigned i = 0; i < d->n_logged && i < POLICY_MAX_LOGGED; i++) {
		j->stats.logged++;
		log_line(j, r, ACTION_LOG, d->logged[i], d->logged[i]->response,
			 PIPELINE_REQUEST, false);
	}
	if (d->rule || d->action == ACTION_BLOCK || j->cfg.log_all)
		log_line(j, r, d->action, d->rule, d->response, PIPELINE_REQUEST, d->paused);
}

void judge_again(struct judge *j, const struct request *r, const struct timespec *now,
		 struct decision *d)
{
	struct request again = *r;

	again.ts = *now;
	policy_match(j->cfg.policy, &again, now->tv_sec, j->scratch, d);
	apply_pause(j, &again, now->tv_sec, d);
	response_applicable(r, d);
	if (d->action != ACTION_BLOCK)
		return;
	j->stats.blocked++;
	log_line(j, &again, ACTION_BLOCK, d->rule, d->response, PIPELINE_REQUEST, d->paused);
}

void judge_decide(struct judge *j, enum pipeline_event ev, const struct request *r,
		  struct decision *d)
{
	if (ev == PIPELINE_REQUEST) {
		decide_request(j, r, d);
		return;
	}
	if (ev == PIPELINE_OVERFLOW) {
		/* a flow over a limit: the overflow rule decides */
		*d = (struct decision){ .action = j->cfg.overflow_block ? ACTION_BLOCK : ACTION_ALLOW };
		j->stats.overflow_decisions++;
	} else {
		/* which copy of the bytes the server read is unknown: the safe reading */
		*d = (struct decision){ .action = ACTION_BLOCK };
		j->stats.ambiguous_decisions++;
	}
	d->response = RESPONSE_DROP;
	count(j, d);
}

void judge_record(struct judge *j, enum pipeline_event ev, const struct request *r,
		  const struct decision *d)
{
	if (ev == PIPELINE_REQUEST)
		record_request(j, r, d);
	else if (ev == PIPELINE_AMBIGUOUS || d->action == ACTION_BLOCK || j->cfg.log_all)
		log_line(j, r, d->action, NULL, d->response, ev, false);
}

void judge_pipeline_event(void *judge, enum pipeline_event ev, const struct request *r,
			  struct pipeline_session *s)
{
	struct decision d;

	(void)s;
	judge_decide(judge, ev, r, &d);
	judge_record(judge, ev, r, &d);
}
