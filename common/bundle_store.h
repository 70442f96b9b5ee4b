/*
 * Bundles in JetStream (url-enforcer(8), FLEET): `urlctl publish` stores a bundle's
 * bytes in chunks, then its manifest as the "head" of the bundles bucket;
 * the gateways read the head and fetch the chunks. Generations count up
 * from 1; a head is only ever replaced by the revision it was read at, so
 * two publishers at once cannot both take the same generation.
 */
#ifndef UE_BUNDLE_STORE_H
#define UE_BUNDLE_STORE_H

#include <nats/nats.h>
#include <stdint.h>

#include "common/bundle.h"

#define BUNDLE_SIZE_MAX (512u << 20)    /* a gateway fetches no more than this */

struct bundle_head {
	uint64_t generation;
	char digest[BUNDLE_DIGEST_LEN];
	uint64_t size;
	uint32_t chunks;
	char policy[BUNDLE_PATH_MAX];   /* the policy's path in the bundle */
	uint32_t files;
	char by[128];                   /* user@host that published */
	char at[32];                    /* when, RFC 3339 UTC */
};

/* Stores B as the next generation; HEAD (out) is its manifest. 0 or -1 with WHY. */
int bundle_store_publish(jsCtx *js, kvStore *kv, const struct bundle *b,
			 struct bundle_head *head, char *why, size_t why_len);

/* The latest manifest: 0, 1 when nothing was published yet, -1 with WHY. */
int bundle_store_head(kvStore *kv, struct bundle_head *head, char *why, size_t why_len);

/* The bundle HEAD describes, its digest checked: 0 (*DATA malloc'd) or -1 with WHY. */
int bundle_store_fetch(kvStore *kv, const struct bundle_head *head, uint8_t **data,
		       char *why, size_t why_len);

/* The manifest as JSON (urlctl publish prints it); NULL on failure. */
char *bundle_head_json(const struct bundle_head *head);

#endif
