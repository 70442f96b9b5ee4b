/*
 * This gateway in a fleet (--nats; url-enforcer(8), FLEET). A background thread
 * keeps the NATS connection: it watches the bundles bucket, fetches and
 * compiles each new bundle and offers the compiled policy to the main
 * thread, which swaps it in as `urlctl apply` does; it records in the
 * gateways bucket what this gateway runs, what it refused and when it was
 * last heard of. Enforcing never waits on NATS: the workers and the main
 * loop only ever take what the thread has finished.
 *
 * What outlives a restart, under STATE_DIR/fleet:
 *   bundle-GEN/    the applied bundle, unpacked (the daemon's policy path)
 *   applied.json   its manifest and when it was applied; a daemon that
 *                  starts while NATS is down runs that policy
 *   spool, spool.pos  decisions not yet in the stream (decision_stream.h)
 */
#ifndef UE_FLEET_H
#define UE_FLEET_H

#include <stdbool.h>
#include <stdint.h>

#include "common/fleet_nats.h"
#include "enforcer/fleet/decision_stream.h"
#include "policies/policy.h"

struct fleet_config {
	struct fleet_settings nats;
	const char *name;           /* --name: this gateway's key and subject token */
	const char *state_dir;      /* --state-dir */
	const char *version;        /* the daemon's, for urlctl fleet */
	size_t spool_max;           /* --nats-spool: bytes of decisions kept while NATS is away */
};

/* Each a uint64_t: urlctl stats reads them by name (common/metrics.h). */
struct fleet_stats {
	uint64_t generation;        /* of the bundle in force; 0: none (the -p file) */
	uint64_t bundles_applied;
	uint64_t bundles_refused;
	uint64_t connected;         /* 1 or 0 */
	struct decision_stream_stats decisions;
};

struct fleet;

/* Creates STATE_DIR/fleet. NULL (errno set) on failure. */
struct fleet *fleet_open(const struct fleet_config *cfg);
/* Starts the thread: 0 or -errno. */
int fleet_start(struct fleet *f);
/* Stops the thread (an offer not taken is dropped) and frees F. */
void fleet_close(struct fleet *f);

/*
 * The last bundle applied before this start, compiled (diagnostics to
 * stderr), or NULL when there is none or it no longer compiles: the daemon
 * then runs its -p file, and the fleet knows it runs no bundle.
 */
struct policy *fleet_load_last(struct fleet *f);

/*
 * The main thread's side of an offer: FD becomes readable when a compiled
 * bundle waits; fleet_offer_take returns it (NULL: none) and, once it is in
 * force (the daemon's from then on), fleet_offer_done lets the thread go on.
 */
int fleet_offer_fd(const struct fleet *f);
struct policy *fleet_offer_take(struct fleet *f);
void fleet_offer_done(struct fleet *f);

void fleet_stats(struct fleet *f, struct fleet_stats *out);

/* The decision stream: decision_stream_line is the decision log's tee, with this as its argument. */
struct decision_stream *fleet_decisions(struct fleet *f);

#endif
