/* Connecting to a fleet's NATS servers and binding its buckets; see fleet_nats.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fleet_nats.h"

#define SERVERS_MAX 16

const char *fleet_error(natsStatus s)
{
	natsStatus last;
	const char *text = nats_GetLastError(&last);

	if (!text || !*text)
		return natsStatus_GetText(s);
	/* "(conn.c:2088): No server available ...": the library's source line helps no user */
	if (text[0] == '(' && strstr(text, "): "))
		text = strstr(text, "): ") + 3;
	return text;
}

#define FAIL(s, what) (snprintf(why, why_len, "%s: %s", what, fleet_error(s)), -1)

bool fleet_name_ok(const char *name)
{
	size_t n = strlen(name);

	return n && n <= FLEET_NAME_MAX && strspn(name, "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

int fleet_connect(const struct fleet_settings *s, bool background, natsConnection **nc,
		  char *why, size_t why_len)
{
	char *list = strdup(s->servers), *save = NULL;
	const char *servers[SERVERS_MAX];
	natsOptions *o = NULL;
	natsStatus st;
	int n = 0;

	*nc = NULL;
	if (!list)
		return snprintf(why, why_len, "out of memory"), -1;
	for (char *u = strtok_r(list, ",", &save); u && n < SERVERS_MAX;
	     u = strtok_r(NULL, ",", &save))
		servers[n++] = u;
	st = natsOptions_Create(&o);
	if (st == NATS_OK && !n)
		st = NATS_INVALID_ARG;
	if (st == NATS_OK)
		st = natsOptions_SetServers(o, servers, n);
	if (st == NATS_OK && s->client_name)
		st = natsOptions_SetName(o, s->client_name);
	if (st == NATS_OK && s->creds)
		st = natsOptions_SetUserCredentialsFromFiles(o, s->creds, NULL);
	if (st == NATS_OK && s->ca)
		st = natsOptions_LoadCATrustedCertificates(o, s->ca);
	if (st == NATS_OK)
		st = natsOptions_SetTimeout(o, 2000);
	if (st == NATS_OK && background)
		st = natsOptions_SetMaxReconnect(o, -1);
	if (st == NATS_OK && background)
		st = natsOptions_SetReconnectWait(o, 500);
	if (st == NATS_OK && background)
		st = natsOptions_SetRetryOnFailedConnect(o, true, NULL, NULL);
	if (st == NATS_OK) {
		st = natsConnection_Connect(nc, o);
		if (st == NATS_NOT_YET_CONNECTED)
			st = NATS_OK;   /* trying in the background */
	}
	natsOptions_Destroy(o);
	free(list);
	return st == NATS_OK ? 0 : FAIL(st, s->servers);
}

int fleet_kv(jsCtx *js, const char *bucket, bool create, kvStore **kv, char *why,
	     size_t why_len)
{
	natsStatus st = js_KeyValue(kv, js, bucket);
	kvConfig cfg;

	if (st == NATS_OK || !create)
		return st == NATS_OK ? 0 : FAIL(st, bucket);
	kvConfig_Init(&cfg);
	cfg.Bucket = bucket;
	cfg.History = 1;
	cfg.Replicas = 3;
	st = js_CreateKeyValue(kv, js, &cfg);
	if (st != NATS_OK) {
		cfg.Replicas = 1;   /* a single server, or a cluster of fewer than three */
		st = js_CreateKeyValue(kv, js, &cfg);
	}
	return st == NATS_OK ? 0 : FAIL(st, bucket);
}

int fleet_decision_stream(jsCtx *js, char *why, size_t why_len)
{
	const char *subjects[] = { FLEET_DECISIONS_SUBJECT ".*" };
	jsStreamConfig cfg;
	jsStreamInfo *si = NULL;
	natsStatus st = js_GetStreamInfo(&si, js, FLEET_DECISIONS_STREAM, NULL, NULL);

	jsStreamInfo_Destroy(si);
	if (st == NATS_OK)
		return 0;
	jsStreamConfig_Init(&cfg);
	cfg.Name = FLEET_DECISIONS_STREAM;
	cfg.Subjects = subjects;
	cfg.SubjectsLen = 1;
	cfg.Storage = js_FileStorage;
	cfg.Duplicates = (int64_t)FLEET_DEDUPE_WINDOW_S * 1000000000;
	cfg.Replicas = 3;
	st = js_AddStream(&si, js, &cfg, NULL, NULL);
	if (st != NATS_OK) {
		cfg.Replicas = 1;
		st = js_AddStream(&si, js, &cfg, NULL, NULL);
	}
	jsStreamInfo_Destroy(si);
	return st == NATS_OK ? 0 : FAIL(st, FLEET_DECISIONS_STREAM);
}
