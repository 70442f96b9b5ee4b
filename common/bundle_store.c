/* Bundles in JetStream key-value buckets; see bundle_store.h. */
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/bundle_store.h"
#include "common/fleet_nats.h"

#define PUBLISH_TRIES 5

#define FAIL(...) (snprintf(why, why_len, __VA_ARGS__), -1)

char *bundle_head_json(const struct bundle_head *h)
{
	json_t *o = json_pack("{s:I, s:s, s:I, s:i, s:s, s:i, s:s, s:s}",
			      "generation", (json_int_t)h->generation, "digest", h->digest,
			      "size", (json_int_t)h->size, "chunks", (int)h->chunks,
			      "policy", h->policy, "files", (int)h->files, "by", h->by,
			      "at", h->at);
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	json_decref(o);
	return s;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* A manifest from the bucket: written by a publisher, read as untrusted. */
static int head_parse(const char *text, size_t len, struct bundle_head *h)
{
	json_t *o = json_loadb(text, len, 0, NULL);
	json_int_t gen = 0, size = 0, chunks = 0, files = 0;
	const char *digest = NULL, *policy = NULL, *by = "", *at = "";
	int rc = -1;

	if (o && !json_unpack(o, "{s:I, s:s, s:I, s:I, s:s, s:I, s?s, s?s}", "generation", &gen,
			      "digest", &digest, "size", &size, "chunks", &chunks, "policy",
			      &policy, "files", &files, "by", &by, "at", &at) &&
	    gen > 0 && size > 0 && (uint64_t)size <= BUNDLE_SIZE_MAX &&
	    chunks == (json_int_t)(((uint64_t)size + FLEET_CHUNK_SIZE - 1) / FLEET_CHUNK_SIZE) &&
	    files > 0 && files < INT_MAX && strlen(digest) < sizeof(h->digest) &&
	    strlen(policy) < sizeof(h->policy) && printable(digest) && printable(policy) &&
	    printable(by) && printable(at)) {
		*h = (struct bundle_head){ .generation = (uint64_t)gen, .size = (uint64_t)size,
					   .chunks = (uint32_t)chunks, .files = (uint32_t)files };
		snprintf(h->digest, sizeof(h->digest), "%s", digest);
		snprintf(h->policy, sizeof(h->policy), "%s", policy);
		snprintf(h->by, sizeof(h->by), "%s", by);
		snprintf(h->at, sizeof(h->at), "%s", at);
		rc = 0;
	}
	json_decref(o);
	return rc;
}

/* The head and its revision (0: none yet). */
static int head_read(kvStore *kv, struct bundle_head *h, uint64_t *rev, char *why,
		     size_t why_len)
{
	kvEntry *e = NULL;
	natsStatus st = kvStore_Get(&e, kv, FLEET_HEAD_KEY);
	int rc = 0;

	*rev = 0;
	if (st == NATS_NOT_FOUND)
		return 1;
	if (st != NATS_OK)
		return FAIL("reading the latest bundle: %s", fleet_error(st));
	*rev = kvEntry_Revision(e);
	if (head_parse(kvEntry_Value(e), (size_t)kvEntry_ValueLen(e), h))
		rc = FAIL("the latest bundle's manifest is malformed");
	kvEntry_Destroy(e);
	return rc;
}

int bundle_store_head(kvStore *kv, struct bundle_head *head, char *why, size_t why_len)
{
	uint64_t rev;

	return head_read(kv, head, &rev, why, why_len);
}

/* Forgets the chunks of generation GEN (superseded, or a lost race). */
static void chunks_purge(jsCtx *js, uint64_t gen)
{
	char subject[128];
	jsOptions o;

	jsOptions_Init(&o);
	snprintf(subject, sizeof(subject), "$KV." FLEET_BUNDLES_BUCKET ".chunk.%llu.>",
		 (unsigned long long)gen);
	o.Stream.Purge.Subject = subject;
	js_PurgeStream(js, "KV_" FLEET_BUNDLES_BUCKET, &o, NULL);
}

static void publisher_identity(struct bundle_head *h)
{
	struct passwd *pw = getpwuid(getuid());
	char host[64] = "";
	time_t now = time(NULL);
	struct tm tm;

	gethostname(host, sizeof(host) - 1);
	snprintf(h->by, sizeof(h->by), "%s@%s", pw ? pw->pw_name : "?", host);
	gmtime_r(&now, &tm);
	strftime(h->at, sizeof(h->at), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int bundle_store_publish(jsCtx *js, kvStore *kv, const struct bundle *b,
			 struct bundle_head *head, char *why, size_t why_len)
{
	for (int attempt = 0; attempt < PUBLISH_TRIES; attempt++) {
		struct bundle_head old = { 0 };
		uint64_t rev;
		natsStatus st = NATS_OK;
		char *json;
		int r = head_read(kv, &old, &rev, why, why_len);

		if (r < 0 && rev == 0)
			return -1;      /* unreadable (a malformed head is replaced) */
		*head = (struct bundle_head){
			.generation = old.generation + 1, .size = b->size,
			.chunks = (uint32_t)((b->size + FLEET_CHUNK_SIZE - 1) / FLEET_CHUNK_SIZE),
			.files = b->n_files,
		};
		snprintf(head->digest, sizeof(head->digest), "%s", b->digest);
		snprintf(head->policy, sizeof(head->policy), "%s", b->policy);
		publisher_identity(head);
		for (uint32_t i = 0; i < head->chunks && st == NATS_OK; i++) {
			char key[64];
			size_t off = (size_t)i * FLEET_CHUNK_SIZE;
			size_t n = b->size - off < FLEET_CHUNK_SIZE ? b->size - off : FLEET_CHUNK_SIZE;

			snprintf(key, sizeof(key), "chunk.%llu.%u",
				 (unsigned long long)head->generation, i);
			st = kvStore_Put(NULL, kv, key, b->data + off, (int)n);
		}
		if (st != NATS_OK) {
			chunks_purge(js, head->generation);
			return FAIL("storing the bundle: %s", fleet_error(st));
		}
		json = bundle_head_json(head);
		if (!json)
			return FAIL("out of memory");
		if (rev)
			st = kvStore_Update(NULL, kv, FLEET_HEAD_KEY, json, (int)strlen(json), rev);
		else
			st = kvStore_Create(NULL, kv, FLEET_HEAD_KEY, json, (int)strlen(json));
		free(json);
		if (st == NATS_OK) {
			if (head->generation > 1)
				chunks_purge(js, head->generation - 2);  /* the previous one stays */
			return 0;
		}
		/* another publisher got there first: try again above its generation */
		chunks_purge(js, head->generation);
	}
	return FAIL("the latest bundle kept changing while this one was stored");
}

int bundle_store_fetch(kvStore *kv, const struct bundle_head *h, uint8_t **data, char *why,
		       size_t why_len)
{
	char digest[BUNDLE_DIGEST_LEN];
	uint8_t *buf = malloc(h->size);
	uint64_t got = 0;

	*data = NULL;
	if (!buf)
		return FAIL("generation %llu: %llu bytes: out of memory",
			    (unsigned long long)h->generation, (unsigned long long)h->size);
	for (uint32_t i = 0; i < h->chunks; i++) {
		kvEntry *e = NULL;
		char key[64];
		natsStatus st;
		int n;

		snprintf(key, sizeof(key), "chunk.%llu.%u", (unsigned long long)h->generation, i);
		st = kvStore_Get(&e, kv, key);
		if (st != NATS_OK) {
			free(buf);
			return FAIL("generation %llu, %s: %s", (unsigned long long)h->generation, key,
				    fleet_error(st));
		}
		n = kvEntry_ValueLen(e);
		if (n < 0 || (uint64_t)n > h->size - got) {
			kvEntry_Destroy(e);
			free(buf);
			return FAIL("generation %llu: more bytes than announced",
				    (unsigned long long)h->generation);
		}
		memcpy(buf + got, kvEntry_Value(e), (size_t)n);
		got += (uint64_t)n;
		kvEntry_Destroy(e);
	}
	bundle_digest(buf, got, digest);
	if (got != h->size || strcmp(digest, h->digest)) {
		free(buf);
		return FAIL("generation %llu: %s (%llu bytes) does not match its manifest",
			    (unsigned long long)h->generation, digest, (unsigned long long)got);
	}
	*data = buf;
	return 0;
}
