/*
 * The decision log (url-enforcer(8), DECISION LOG): JSON Lines, one object
 * a line, keys in the order the man page gives them, written straight into
 * a buffer (one escaping function; byte for byte what jansson would write)
 * and written in whole lines only.
 *
 *   ts mode proto client client_port server server_port [method] [host] [url]
 *   [target] action rule rule_id response enforced [reason] [ech]
 *
 * method and target appear for HTTP only, host and url whenever the request
 * has them (not for an H2C preface). rule is "FILE:LINE" or null (a default
 * decision), rule_id null without id=, response is null unless the action is
 * block. A flow decided without a request (the reassembly or a parser over a
 * limit, --on-overflow) has no method, host, url nor target and carries
 * "reason":"overflow" after enforced; so does a flow blocked because its
 * stream reads two ways (pipeline.h), with "reason":"ambiguous". In strings
 * from the wire or a rule file, a byte that is not part of a valid UTF-8
 * sequence is written as the character of the same value (U+0080 to U+00FF,
 * its Latin-1 reading): nothing is lost and the valid text around it stays
 * as it was. "ech":true follows for a ClientHello that really uses Encrypted
 * Client Hello (policy_ech), never "ech":false. Control bytes are escaped (\n, \u001B, ...).
 *
 * Two ways to write, one formatter:
 *  - synchronous (offline mode): lines are gathered and written
 *    DECISION_LOG_BATCH bytes at a time, and whatever is gathered at
 *    decision_log_stats, decision_log_reopen and decision_log_close;
 *  - asynchronous (live mode): workers copy the formatted line into a bounded
 *    queue and never wait for the disk; a writer thread drains it, woken by
 *    the first line and writing what DECISION_LOG_GATHER_NS gathered after
 *    it in one go. When the queue is full the line is dropped and counted.
 */
#ifndef UE_DECISION_LOG_H
#define UE_DECISION_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/request.h"
#include "policies/policy.h"

#define DECISION_LOG_QUEUE_DEFAULT (4u << 20)   /* bytes of queued lines */
#define DECISION_LOG_LINE_MAX 65536             /* a longer line is dropped and counted */
#define DECISION_LOG_BATCH (64u << 10)          /* synchronous: bytes gathered for one write */
#define DECISION_LOG_GATHER_NS 1000000           /* asynchronous: a line waits this long at most */

struct decision_record {
	const struct request *request;  /* tuple, ts, proto and the request fields */
	bool audit;                     /* mode audit, else enforce */
	enum policy_action action;
	const struct rule_info *rule;   /* NULL: the default (or the overflow rule) decided */
	enum policy_response response;  /* written for ACTION_BLOCK only */
	bool enforced;                  /* traffic was acted upon */
	bool overflow;                  /* decided by --on-overflow, not by a rule */
	bool ambiguous;                 /* blocked: the stream reads two ways */
	bool paused;                    /* blocked: the client is paused ("reason":"paused") */
	bool ech;                       /* a ClientHello really using ECH (policy_ech) */
};

struct decision_log_stats {
	uint64_t written;       /* lines */
	uint64_t dropped;       /* queue full, line too long, or formatting failed */
	uint64_t write_errors;  /* write() failures (the lines are lost) */
};

struct decision_log;

/*
 * PATH "-" is stdout. QUEUE_BYTES 0: synchronous; otherwise a writer thread
 * drains a queue of that many bytes. Returns NULL and sets errno.
 */
struct decision_log *decision_log_open(const char *path, size_t queue_bytes);

/* Write or queue one line. Thread-safe. Returns 0, -ENOBUFS (dropped) or -errno. */
int decision_log_write(struct decision_log *l, const struct decision_record *rec);

/*
 * Open PATH again (after logrotate moved it). Safe to call from any thread,
 * not from a signal handler; the asynchronous log reopens in its writer.
 */
int decision_log_reopen(struct decision_log *l);

/*
 * FN gets a copy of every finished line (its newline included), in the
 * log's order, whether or not the file's queue had room; it is called with
 * the log's lock held, so it must never wait. Set before the first write.
 */
typedef void (*decision_log_tee_fn)(void *arg, const char *line, size_t len);
void decision_log_tee(struct decision_log *l, decision_log_tee_fn fn, void *arg);

/* A copy of the counters (thread-safe); a synchronous log first writes what
 * it has gathered. */
void decision_log_stats(struct decision_log *l, struct decision_log_stats *out);

/* Write what is queued, stop the writer, close. */
void decision_log_close(struct decision_log *l);

/* The record as one JSON line, newline and NUL into BUF; returns its length or -errno. */
int decision_log_format(const struct decision_record *rec, char *buf, size_t size);

#endif
