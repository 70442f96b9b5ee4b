/*
 * One decision stream for a fleet (url-enforcer(8), FLEET): every
 * decision-log line of this gateway also goes to the JetStream stream
 * URL_ENFORCER_DECISIONS, subject url-enforcer.decisions.NAME, each with a
 * message id (NAME-BOOT-SEQ) so that a line sent again after a server's
 * failure is stored once (the stream's duplicate window).
 *
 * The workers only copy the line into a bounded queue (decision_stream_line,
 * called where the decision log has the finished line); a thread publishes,
 * many at a time. While NATS cannot take them the lines go to the spool
 * (spool.h) and leave it in order once it can; what a full spool or queue
 * loses is counted and logged.
 */
#ifndef UE_DECISION_STREAM_H
#define UE_DECISION_STREAM_H

#include <nats/nats.h>
#include <stddef.h>
#include <stdint.h>

#define DECISION_STREAM_QUEUE (4u << 20)         /* bytes of lines waiting for the thread */
#define DECISION_SPOOL_DEFAULT (256ull << 20)    /* --nats-spool */

struct decision_stream_stats {
	uint64_t published;         /* lines the stream acknowledged */
	uint64_t spooled;           /* lines written to the spool */
	uint64_t lost;              /* spool or queue full */
	uint64_t spool_bytes;       /* waiting in the spool now */
};

struct decision_stream;

/* NAME: the gateway's; the spool in DIR, at most SPOOL_MAX bytes. NULL (errno) on failure. */
struct decision_stream *decision_stream_open(const char *name, const char *dir, size_t spool_max);
/* Starts the thread, which publishes through NC once it is connected (NULL: spool only). */
int decision_stream_start(struct decision_stream *ds);
void decision_stream_attach(struct decision_stream *ds, natsConnection *nc);
/* Stops the thread: what is still queued goes to the spool, for the next run. */
void decision_stream_close(struct decision_stream *ds);

/* One finished log line (its newline included); never waits. Thread-safe. */
void decision_stream_line(void *ds, const char *line, size_t len);

void decision_stream_stats(struct decision_stream *ds, struct decision_stream_stats *out);

#endif
