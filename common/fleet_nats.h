/*
 * What urlctl and the daemons share on NATS JetStream (url-enforcer(8), FLEET): the
 * connection options (--nats, --nats-creds, --nats-ca) and the names of the
 * buckets and the stream a fleet keeps.
 *
 *   KV url-enforcer-bundles   "head": the latest bundle's manifest (JSON);
 *                             "chunk.GEN.I": its bytes, FLEET_CHUNK_SIZE a key
 *   KV url-enforcer-gateways  one key a gateway (its --name): what it runs,
 *                             what it refused, written on every change and
 *                             every FLEET_HEARTBEAT_S (last contact)
 *   stream URL_ENFORCER_DECISIONS, subjects url-enforcer.decisions.NAME:
 *                             every gateway's decision-log lines
 */
#ifndef UE_FLEET_NATS_H
#define UE_FLEET_NATS_H

#include <nats/nats.h>
#include <stdbool.h>
#include <stddef.h>

#define FLEET_BUNDLES_BUCKET "url-enforcer-bundles"
#define FLEET_GATEWAYS_BUCKET "url-enforcer-gateways"
#define FLEET_HEAD_KEY "head"
#define FLEET_DECISIONS_STREAM "URL_ENFORCER_DECISIONS"
#define FLEET_DECISIONS_SUBJECT "url-enforcer.decisions"    /* .NAME */
/* Under NATS's default max_payload (1 MiB) with room for headers. */
#define FLEET_CHUNK_SIZE (512u << 10)
#define FLEET_HEARTBEAT_S 5
#define FLEET_NAME_MAX 64
/* How long the stream remembers message ids: a line sent again within it is stored once. */
#define FLEET_DEDUPE_WINDOW_S 600

struct fleet_settings {
	const char *servers;        /* --nats URL[,URL...] */
	const char *creds;          /* --nats-creds FILE, or NULL */
	const char *ca;             /* --nats-ca FILE, or NULL */
	const char *client_name;    /* shown by the servers (connz) */
};

/*
 * Connects to the first server that answers. BACKGROUND (the daemon): when
 * none does, the connection keeps trying on its own and the call succeeds
 * at once; it reconnects forever after a loss. Otherwise (urlctl) fails.
 * 0 or -1 with the reason in WHY.
 */
int fleet_connect(const struct fleet_settings *s, bool background, natsConnection **nc,
		  char *why, size_t why_len);

/* Binds to BUCKET, creating it when CREATE (3 replicas where the cluster has them, else 1). */
int fleet_kv(jsCtx *js, const char *bucket, bool create, kvStore **kv, char *why,
	     size_t why_len);

/* Creates the decision stream unless it exists. */
int fleet_decision_stream(jsCtx *js, char *why, size_t why_len);

/* Whether NAME can name a gateway: a subject token and a key ([A-Za-z0-9_-], 1-64). */
bool fleet_name_ok(const char *name);

/* libnats's last error on this thread, or the status's text. */
const char *fleet_error(natsStatus s);

#endif
