/*
 * A packet worker: its capture sockets (one per interface, in each
 * interface's fanout group, so a flow always lands here), its own pipeline
 * and judge; a block is enforced here, at once (worker.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enforcer/worker.h"
#include "common/clock.h"
#include "common/log.h"

static void note_verdict_latency(struct worker *w, const struct timespec *packet_ts)
{
	struct timespec now;
	int64_t us;
	unsigned b = 0;

	clock_gettime(CLOCK_REALTIME, &now);
	us = (now.tv_sec - packet_ts->tv_sec) * 1000000 + (now.tv_nsec - packet_ts->tv_nsec) / 1000;
	if (us < 0)
		us = 0;
	while (b < VERDICT_BUCKETS && (uint64_t)us > verdict_bucket_us[b])
		b++;
	w->verdict.bucket[b]++;
	w->verdict.sum_us += us;
	w->verdict.count++;
}

/* The entry first: from here on nothing of the session gets through. */
static bool block_session(struct worker *w, const struct request *r, const struct decision *d)
{
	int err = blocklist_add(w->env.bl, &r->tuple, d->rule ? d->rule->label : 0,
				r->proto == REQUEST_QUIC ? UE_BLOCK_UDP :
				d->response != RESPONSE_DROP ? UE_BLOCK_RESET : 0);

	if (err) {
		log_warnx("blocklist: %s", strerror(-err));
		return false;
	}
	w->blocks_added++;
	return true;
}

/* A blocked session's RSTs or page (judge.h: page only where HTTP/1.x can carry it). */
static void respond(struct worker *w, const struct request *r, struct pipeline_session *s,
		    const struct decision *d)
{
	const struct worker_env *env = &w->env;
	struct session_position pos = s->pos;
	int err;

	if (d->response == RESPONSE_DROP)
		return;
	if (!s->position_known) {
		w->inject_failures++;
		return;
	}
	if (env->o->hold)
		hold_position(env->hold, &r->tuple, s->hold, &pos);
	err = d->response == RESPONSE_PAGE ?
	      injector_page(env->inj, &r->tuple, &pos, d->rule ? d->rule->id : NULL,
			    d->paused ? &(struct page_pause){ d->paused_until } : NULL) :
	      injector_reset(env->inj, &r->tuple, &pos);
	if (err)
		w->inject_failures++;
}

static void on_event(void *arg, enum pipeline_event ev, const struct request *r,
		     struct pipeline_session *s)
{
	struct worker *w = arg;
	struct decision d;

	/* A request picked up mid-stream on a session in the blocklist: the
	 * retransmission of one judged before its flow was evicted (the block
	 * drops the server's ACK, so the client sends it again). Judged once. */
	if (ev == PIPELINE_REQUEST && (r->flags & REQUEST_MIDSTREAM) && r->proto != REQUEST_QUIC &&
	    judge_enforces(&w->judge) && blocklist_contains(w->env.bl, &r->tuple, IPPROTO_TCP)) {
		w->frame_outcome = HOLD_KEEP;
		return;
	}
	judge_decide(&w->judge, ev, r, &d);
	if (d.action == ACTION_BLOCK && judge_enforces(&w->judge)) {
		bool blocked = block_session(w, r, &d);

		w->frame_outcome = HOLD_KEEP;
		note_verdict_latency(w, &r->ts);
		if (blocked)
			respond(w, r, s, &d);
	} else {
		note_verdict_latency(w, &r->ts);
		if (ev == PIPELINE_REQUEST && r->proto == REQUEST_TLS &&
		    w->frame_outcome == HOLD_RELEASE)
			w->frame_outcome = HOLD_RELEASE_SESSION;
	}
	/* the lines last: writing them (a wakeup of the log's writer) delays no verdict */
	judge_record(&w->judge, ev, r, &d);
}

static void judge_again_one(void *arg, const struct request *r, struct pipeline_session *s)
{
	struct worker *w = arg;
	struct timespec now;
	struct decision d;

	if (blocklist_contains(w->env.bl, &r->tuple,
			       r->proto == REQUEST_QUIC ? IPPROTO_UDP : IPPROTO_TCP))
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	judge_again(&w->judge, r, &now, &d);
	if (d.action == ACTION_BLOCK && judge_enforces(&w->judge) && block_session(w, r, &d))
		respond(w, r, s, &d);
}

/* Between batches: pick up a new policy, mode or re-judge request. */
static void sync_with_daemon(struct worker *w)
{
	const struct worker_env *env = &w->env;
	uint64_t gen = atomic_load(env->policy_gen), rejudge;

	if (gen != w->policy_gen) {
		w->judge.cfg.policy = atomic_load(env->policy);
		w->policy_gen = gen;
		atomic_store(&w->seen_gen, gen);
	}
	w->judge.cfg.audit = atomic_load(env->audit);
	rejudge = atomic_load(env->rejudge_gen);
	if (rejudge != w->rejudge_gen) {
		w->rejudge_gen = rejudge;
		pipeline_foreach_latest(w->pipe, judge_again_one, w);
	}
}

static void on_frame(const struct capture_frame *cf, void *arg)
{
	struct worker *w = arg;
	struct frame fr = {
		.data = cf->data, .caplen = cf->caplen, .wirelen = cf->len, .ts = cf->ts,
		.link = DECODE_LINK_ETHERNET,
		/* live, the kernel says which checksums are left to offload:
		 * auto and verify alike follow it */
		.verify_csum = w->env.o->checksums == CHECKSUMS_NONE ? CSUM_SKIP : cf->csum,
	};

	w->frame_outcome = HOLD_RELEASE;
	pipeline_packet(w->pipe, &fr);
	if (w->env.o->hold)
		hold_settle(w->env.hold, pipeline_last_segment(w->pipe), cf, w->frame_outcome,
			    &w->hold);
}

static void publish(struct worker *w)
{
	struct worker_counters c = { 0 };

	pipeline_stats(w->pipe, &c.pipe);
	c.judge = w->judge.stats;
	if (w->ring)
		c.capture.packets = tap_ring_records(w->ring);
	for (unsigned i = 0; i < w->env.o->n_interfaces; i++) {
		struct capture_stats s;

		if (!capture_stats(w->caps[i], &s)) {
			c.capture.packets += s.packets;
			c.capture.drops += s.drops;
		}
	}
	c.blocks_added = w->blocks_added;
	c.inject_failures = w->inject_failures;
	c.verdict = w->verdict;
	c.hold = w->hold;
	pthread_mutex_lock(&w->lock);
	w->published = c;
	pthread_mutex_unlock(&w->lock);
}

/*
 * Waits for frames; the poll result (0: look at the ring anyway). A worker
 * on the BPF ring that was woken twice within WORKER_BUSY_NS is busy: it
 * then naps WORKER_NAP_NS and reads what piled up, unwoken, until a nap
 * brings nothing. Each wakeup costs the tap an interprocessor interrupt
 * and the worker two context switches, more than judging a request; a
 * request waits WORKER_NAP_NS at most for it. 100 ms bounds how long a
 * policy swap waits for this worker.
 */
static int wait_for_frames(struct worker *w, struct pollfd *pfd, unsigned nfds)
{
	int64_t woken;
	int ready;

	if (w->napping) {
		nanosleep(&(struct timespec){ .tv_nsec = WORKER_NAP_NS }, NULL);
		return 0;
	}
	/* records that came while the last were judged are read at once */
	ready = poll(pfd, nfds, !w->ring || tap_ring_sleep(w->ring) ? 100 : 0);
	if (!w->ring)
		return ready;
	tap_ring_awake(w->ring);
	woken = clock_ns(CLOCK_MONOTONIC);
	w->napping = woken - w->last_woken_ns < WORKER_BUSY_NS;
	w->last_woken_ns = woken;
	return ready;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned n = w->env.o->n_interfaces;
	struct pollfd pfd[OPTIONS_MAX_INTERFACES + 1];   /* the sockets, the ring */
	time_t last_expire = 0;
	int64_t last_publish = 0;

	for (unsigned i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = capture_fd(w->caps[i]), .events = POLLIN };
	pfd[n] = (struct pollfd){ .fd = w->ring ? tap_ring_fd(w->ring) : -1, .events = POLLIN };
	while (!atomic_load(w->env.stop)) {
		int ready = wait_for_frames(w, pfd, n + 1);
		struct timespec now;

		/* After the wait: what arrived is judged by what is in force now. */
		sync_with_daemon(w);
		for (unsigned i = 0; ready > 0 && i < n; i++) {
			int got = pfd[i].revents ? capture_next_block(w->caps[i], 0, on_frame, w) : 0;

			if (got < 0 && got != -EINTR)
				log_warnx("%s: capture: %s", w->env.o->interfaces[i], strerror(-got));
		}
		/* every time: records that wake nobody (tap.bpf.c), or came unwoken */
		if (w->ring) {
			int got = tap_ring_read(w->ring, on_frame, w);

			if (got < 0 && got != -EINTR)
				log_warnx("BPF ring: %s", strerror(-got));
			if (got == 0)
				w->napping = false;
		}
		clock_gettime(CLOCK_REALTIME, &now);
		if (now.tv_sec != last_expire) {
			pipeline_expire(w->pipe, now.tv_sec);
			last_expire = now.tv_sec;
		}
		/* Counters for urlctl stats: ten times a second, not per packet. */
		if (now.tv_sec * 10 + now.tv_nsec / 100000000 != last_publish) {
			last_publish = now.tv_sec * 10 + now.tv_nsec / 100000000;
			publish(w);
		}
	}
	publish(w);
	return NULL;
}

int worker_start(struct worker *w, const struct worker_env *env, unsigned id)
{
	const struct options *o = env->o;
	struct pipeline_config pcfg = {
		.http_ports = o->http_ports, .tls_ports = o->tls_ports,
		.max_flows = o->max_flows, .idle_timeout = o->idle_timeout,
		.emit = on_event, .arg = w,
	};
	struct judge_config jcfg = {
		.policy = atomic_load(env->policy), .log = env->log, .audit = atomic_load(env->audit),
		.log_all = o->log_all, .overflow_block = o->overflow_block, .wall_clock = true,
		.pauses = env->pauses, .report = env->report,
		.live = true,
	};
	int err;

	w->env = *env;
	w->id = id;
	w->policy_gen = atomic_load(env->policy_gen);
	atomic_store(&w->seen_gen, w->policy_gen);
	w->rejudge_gen = atomic_load(env->rejudge_gen);
	pthread_mutex_init(&w->lock, NULL);
	if (judge_init(&w->judge, &jcfg))
		return -ENOMEM;
	w->pipe = pipeline_new(&pcfg);
	if (!w->pipe)
		return -errno;
	err = pthread_create(&w->thread, NULL, worker_main, w);
	return -err;
}

void worker_join(struct worker *w)
{
	if (!w->pipe)
		return;
	pthread_join(w->thread, NULL);
	pipeline_free(w->pipe);
	judge_release(&w->judge);
	w->pipe = NULL;
}

void worker_counters(struct worker *w, struct worker_counters *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->published;
	pthread_mutex_unlock(&w->lock);
}

void worker_counters_add(struct worker_counters *sum, const struct worker_counters *add)
{
	uint64_t *s = (uint64_t *)sum;
	const uint64_t *a = (const uint64_t *)add;

	_Static_assert(sizeof(*sum) % sizeof(uint64_t) == 0, "worker_counters: counts only");
	for (size_t i = 0; i < sizeof(*sum) / sizeof(uint64_t); i++)
		s[i] += a[i];
}
