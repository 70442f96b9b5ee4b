/* The fleet's decision stream: queue, publisher thread, spool; see decision_stream.h. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/byte_ring.h"
#include "common/fleet_nats.h"
#include "common/log.h"
#include "enforcer/fleet/decision_stream.h"
#include "enforcer/fleet/spool.h"

#define ACK_WAIT_MS 2000            /* a line not acknowledged by then is spooled */
#define RETRY_MS 1000               /* after a failure, NATS is left alone this long */
#define ID_MAX (FLEET_NAME_MAX + 64)
#define SPOOL_ROUNDS_A_TURN 8       /* then the queue's turn again */
#define WAKE_MS 20                  /* the thread looks at the queue this often... */
#define WAKE_BYTES (256u << 10)     /* ...or when this much waits */

/* The lines of one publishing round and what became of each. */
struct round {
	unsigned n;
	const char *id[SPOOL_BATCH_LINES];
	const char *line[SPOOL_BATCH_LINES];
	size_t len[SPOOL_BATCH_LINES];
	char id_buf[SPOOL_BATCH_LINES][ID_MAX];     /* ids of lines from the queue */
	bool done[SPOOL_BATCH_LINES], failed[SPOOL_BATCH_LINES];
	unsigned n_done, cursor;
};

struct decision_stream {
	char subject[FLEET_NAME_MAX + 64];
	char id_prefix[FLEET_NAME_MAX + 32];        /* NAME-BOOT- */
	uint64_t seq;
	struct spool spool;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;           /* guards the queue, nc, stop and stats */
	pthread_cond_t wake;
	struct byte_ring queue;
	bool stop;
	natsConnection *nc;
	struct decision_stream_stats stats;
	/* the thread's own */
	char *taken;                    /* lines out of the ring */
	jsCtx *js;
	bool stream_ready;
	struct timespec retry_at;
	bool losing;
	uint64_t lost_before;
	pthread_mutex_t ack_lock;       /* guards rnd's results, written by libnats' thread */
	pthread_cond_t acked;
	struct round rnd;
};

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000ll + t.tv_nsec / 1000000;
}

void decision_stream_line(void *arg, const char *line, size_t len)
{
	struct decision_stream *ds = arg;

	pthread_mutex_lock(&ds->lock);
	if (!byte_ring_put(&ds->queue, line, len))
		ds->stats.lost++;
	else if (ds->queue.queued >= WAKE_BYTES && ds->queue.queued - len < WAKE_BYTES)
		pthread_cond_signal(&ds->wake);   /* else its timer: no wake-up a line */
	pthread_mutex_unlock(&ds->lock);
}

/* libnats' thread: one line's fate; lines are acknowledged in order, so the search is short. */
static void on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
	struct decision_stream *ds = closure;
	struct round *r = &ds->rnd;
	const char *id = NULL;

	(void)js;
	natsMsgHeader_Get(msg, "Nats-Msg-Id", &id);
	pthread_mutex_lock(&ds->ack_lock);
	for (unsigned k = 0; id && k < r->n; k++) {
		unsigned i = (r->cursor + k) % r->n;

		if (!r->done[i] && !strcmp(r->id[i], id)) {
			r->done[i] = true;
			r->failed[i] = !pa || pae;
			r->n_done++;
			r->cursor = i + 1;
			if (r->n_done == r->n)
				pthread_cond_signal(&ds->acked);
			break;
		}
	}
	pthread_mutex_unlock(&ds->ack_lock);
	natsMsg_Destroy(msg);
}

/* NATS takes lines now: connected, the stream there, no failure just before. */
static bool online(struct decision_stream *ds)
{
	natsConnection *nc;
	char why[256];

	pthread_mutex_lock(&ds->lock);
	nc = ds->nc;
	pthread_mutex_unlock(&ds->lock);
	if (!nc || natsConnection_Status(nc) != NATS_CONN_STATUS_CONNECTED ||
	    now_ms() < ds->retry_at.tv_sec * 1000ll + ds->retry_at.tv_nsec / 1000000)
		return false;
	if (!ds->js) {
		jsOptions o;

		jsOptions_Init(&o);
		o.PublishAsync.AckHandler = on_ack;
		o.PublishAsync.AckHandlerClosure = ds;
		if (natsConnection_JetStream(&ds->js, nc, &o) != NATS_OK)
			return false;
	}
	if (!ds->stream_ready && fleet_decision_stream(ds->js, why, sizeof(why))) {
		log_debug("fleet: %s", why);
		return false;
	}
	return ds->stream_ready = true;
}

static void back_off(struct decision_stream *ds)
{
	int64_t at = now_ms() + RETRY_MS;

	ds->retry_at = (struct timespec){ at / 1000, (at % 1000) * 1000000 };
}

/* Publishes the round's lines, many in flight at once; false if any failed. */
static bool publish_round(struct decision_stream *ds)
{
	struct round *r = &ds->rnd;
	jsPubOptions po;
	natsMsgList pending = { 0 };
	unsigned sent = 0, failed = 0;
	struct timespec until;

	pthread_mutex_lock(&ds->ack_lock);
	memset(r->done, 0, sizeof(r->done));
	memset(r->failed, 0, sizeof(r->failed));
	r->n_done = r->cursor = 0;
	pthread_mutex_unlock(&ds->ack_lock);
	jsPubOptions_Init(&po);
	po.MaxWait = ACK_WAIT_MS;
	for (; sent < r->n; sent++) {
		po.MsgId = r->id[sent];
		if (js_PublishAsync(ds->js, ds->subject, r->line[sent], (int)r->len[sent], &po) !=
		    NATS_OK)
			break;
	}
	jsPubOptions_Init(&po);
	po.MaxWait = ACK_WAIT_MS + 1000;
	if (js_PublishAsyncComplete(ds->js, &po) != NATS_OK &&
	    js_PublishAsyncGetPendingList(&pending, ds->js) == NATS_OK)
		natsMsgList_Destroy(&pending);   /* never acknowledged: failed below */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 1;
	pthread_mutex_lock(&ds->ack_lock);
	while (r->n_done < sent &&
	       pthread_cond_timedwait(&ds->acked, &ds->ack_lock, &until) != ETIMEDOUT)
		;
	for (unsigned i = 0; i < r->n; i++) {
		if (!r->done[i] || r->failed[i]) {
			r->done[i] = true;   /* an ack arriving later changes nothing */
			r->failed[i] = true;
			failed++;
		}
	}
	pthread_mutex_unlock(&ds->ack_lock);
	pthread_mutex_lock(&ds->lock);
	ds->stats.published += r->n - failed;
	pthread_mutex_unlock(&ds->lock);
	if (failed)
		back_off(ds);
	return !failed;
}

static void spool_line(struct decision_stream *ds, const char *id, const char *line, size_t len)
{
	int err = spool_append(&ds->spool, id, line, len);

	pthread_mutex_lock(&ds->lock);
	if (err)
		ds->stats.lost++;
	else
		ds->stats.spooled++;
	pthread_mutex_unlock(&ds->lock);
	if (err && err != -ENOSPC)
		log_warnx("fleet: decision spool: %s", strerror(-err));
}

/* The queue's lines in R: published, and whatever NATS did not take spooled, in order. */
static void send_from_queue(struct decision_stream *ds)
{
	struct round *r = &ds->rnd;
	bool direct = !spool_pending(&ds->spool) && online(ds);

	if (direct && publish_round(ds))
		return;
	for (unsigned i = 0; i < r->n; i++)
		if (!direct || r->failed[i])
			spool_line(ds, r->id[i], r->line[i], r->len[i]);
}

/* The spool's oldest lines, while NATS takes them. */
static void send_from_spool(struct decision_stream *ds)
{
	struct round *r = &ds->rnd;
	struct spool_batch b;

	for (int turn = 0; turn < SPOOL_ROUNDS_A_TURN && spool_pending(&ds->spool) &&
	     online(ds); turn++) {
		if (spool_peek(&ds->spool, &b))
			return;
		r->n = b.n;
		for (unsigned i = 0; i < b.n; i++) {
			r->id[i] = b.id[i];
			r->line[i] = b.line[i];
			r->len[i] = b.line_len[i];
		}
		/* all or nothing: lines that got through are stored once when sent again */
		if (b.n && !publish_round(ds))
			return;
		spool_consume(&ds->spool, &b);
	}
}

/* Logs the start and the end of an episode of losses (a full spool or queue). */
static void report_losses(struct decision_stream *ds)
{
	uint64_t lost;

	pthread_mutex_lock(&ds->lock);
	lost = ds->stats.lost;
	ds->stats.spool_bytes = (uint64_t)(ds->spool.size - ds->spool.head);
	pthread_mutex_unlock(&ds->lock);
	if (!ds->losing && lost > ds->lost_before) {
		ds->losing = true;
		log_warnx("fleet: the decision spool (%zu bytes) or queue is full: decisions are "
			  "being lost until NATS takes them", ds->spool.max);
	} else if (ds->losing && !spool_pending(&ds->spool)) {
		ds->losing = false;
		log_warnx("fleet: spool sent; %llu decision(s) were lost while it was full",
			  (unsigned long long)(lost - ds->lost_before));
		ds->lost_before = lost;
	}
}

/* Takes what the queue holds into ds->taken; its length. Called with the lock held. */
static size_t take_queue(struct decision_stream *ds)
{
	size_t n = 0, piece;
	const char *p;

	while ((piece = byte_ring_peek(&ds->queue, &p))) {   /* at most two pieces */
		memcpy(ds->taken + n, p, piece);
		byte_ring_drop(&ds->queue, piece);
		n += piece;
	}
	return n;
}

/* Lines of TAKEN[0..N) in rounds, each with its id. */
static void send_taken(struct decision_stream *ds, size_t n)
{
	struct round *r = &ds->rnd;
	char *p = ds->taken, *end = ds->taken + n;

	while (p < end) {
		r->n = 0;
		while (p < end && r->n < SPOOL_BATCH_LINES) {
			char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

			snprintf(r->id_buf[r->n], ID_MAX, "%s%llu", ds->id_prefix,
				 (unsigned long long)++ds->seq);
			r->id[r->n] = r->id_buf[r->n];
			r->line[r->n] = p;
			r->len[r->n] = len;
			r->n++;
			p += len + 1;
		}
		send_from_queue(ds);
	}
}

static void *stream_main(void *arg)
{
	struct decision_stream *ds = arg;
	bool stop;

	do {
		struct timespec until;
		size_t n;

		pthread_mutex_lock(&ds->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += WAKE_MS * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		if (!ds->queue.queued && !ds->stop)
			pthread_cond_timedwait(&ds->wake, &ds->lock, &until);
		stop = ds->stop;
		n = take_queue(ds);
		pthread_mutex_unlock(&ds->lock);
		if (stop)
			ds->retry_at.tv_sec = 1ll << 40;   /* stopping: straight to the spool */
		send_taken(ds, n);
		if (!stop)
			send_from_spool(ds);
		report_losses(ds);
	} while (!stop);
	return NULL;
}

struct decision_stream *decision_stream_open(const char *name, const char *dir, size_t spool_max)
{
	struct decision_stream *ds = calloc(1, sizeof(*ds));
	int err;

	if (!ds)
		return NULL;
	snprintf(ds->subject, sizeof(ds->subject), FLEET_DECISIONS_SUBJECT ".%s", name);
	snprintf(ds->id_prefix, sizeof(ds->id_prefix), "%s-%llx-", name,
		 (unsigned long long)time(NULL) * 1000 + (unsigned long long)(now_ms() % 1000));
	ds->taken = malloc(DECISION_STREAM_QUEUE);
	err = ds->taken ? byte_ring_init(&ds->queue, DECISION_STREAM_QUEUE) : -ENOMEM;
	if (!err)
		err = spool_open(&ds->spool, dir, spool_max);
	if (err) {
		byte_ring_free(&ds->queue);
		free(ds->taken);
		free(ds);
		errno = -err;
		return NULL;
	}
	pthread_mutex_init(&ds->lock, NULL);
	pthread_cond_init(&ds->wake, NULL);
	pthread_mutex_init(&ds->ack_lock, NULL);
	pthread_cond_init(&ds->acked, NULL);
	return ds;
}

int decision_stream_start(struct decision_stream *ds)
{
	int err = pthread_create(&ds->thread, NULL, stream_main, ds);

	ds->started = !err;
	return -err;
}

void decision_stream_attach(struct decision_stream *ds, natsConnection *nc)
{
	pthread_mutex_lock(&ds->lock);
	ds->nc = nc;
	pthread_mutex_unlock(&ds->lock);
}

void decision_stream_close(struct decision_stream *ds)
{
	if (!ds)
		return;
	pthread_mutex_lock(&ds->lock);
	ds->stop = true;
	pthread_cond_signal(&ds->wake);
	pthread_mutex_unlock(&ds->lock);
	if (ds->started)
		pthread_join(ds->thread, NULL);
	jsCtx_Destroy(ds->js);
	spool_close(&ds->spool);
	pthread_cond_destroy(&ds->acked);
	pthread_mutex_destroy(&ds->ack_lock);
	pthread_cond_destroy(&ds->wake);
	pthread_mutex_destroy(&ds->lock);
	byte_ring_free(&ds->queue);
	free(ds->taken);
	free(ds);
}

void decision_stream_stats(struct decision_stream *ds, struct decision_stream_stats *out)
{
	pthread_mutex_lock(&ds->lock);
	*out = ds->stats;
	pthread_mutex_unlock(&ds->lock);
}
