/*
 * A fleet's other end, for tests/e2e/fleet.sh:
 *   fleet_tool publish-raw URL FILE   FILE's bytes as the next bundle, as a
 *                                     foreign or broken publisher would
 *                                     store it (no check, no packing)
 *   fleet_tool read URL SUBJECT       every message of the decision stream
 *                                     on SUBJECT, in stream order, one a
 *                                     line: "MSG-ID DATA"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bundle_store.h"
#include "common/fleet_nats.h"

static int publish_raw(jsCtx *js, const char *file)
{
	struct bundle b = { .n_files = 1 };
	struct bundle_head head;
	kvStore *kv = NULL;
	FILE *f = fopen(file, "rb");
	char why[512];
	int rc = 1;

	if (!f) {
		perror(file);
		return 1;
	}
	b.data = malloc(BUNDLE_SIZE_MAX);
	b.size = b.data ? fread(b.data, 1, BUNDLE_SIZE_MAX, f) : 0;
	fclose(f);
	bundle_digest(b.data, b.size, b.digest);
	snprintf(b.policy, sizeof(b.policy), "raw");
	if (fleet_kv(js, FLEET_BUNDLES_BUCKET, true, &kv, why, sizeof(why)) ||
	    bundle_store_publish(js, kv, &b, &head, why, sizeof(why)))
		fprintf(stderr, "fleet_tool: %s\n", why);
	else
		rc = printf("published generation %llu\n", (unsigned long long)head.generation) < 0;
	kvStore_Destroy(kv);
	free(b.data);
	return rc;
}

static int read_subject(jsCtx *js, const char *subject)
{
	jsSubOptions so;
	natsSubscription *sub = NULL;
	natsMsg *m = NULL;
	natsStatus st;

	jsSubOptions_Init(&so);
	so.Stream = FLEET_DECISIONS_STREAM;
	so.Ordered = true;
	so.Config.DeliverPolicy = js_DeliverAll;
	st = js_SubscribeSync(&sub, js, subject, NULL, &so, NULL);
	if (st != NATS_OK) {
		fprintf(stderr, "fleet_tool: %s: %s\n", subject, fleet_error(st));
		return 1;
	}
	/* the stream is read once its messages stop coming */
	while (natsSubscription_NextMsg(&m, sub, 1500) == NATS_OK) {
		const char *id = NULL;

		natsMsgHeader_Get(m, "Nats-Msg-Id", &id);
		printf("%s %.*s\n", id ? id : "-", natsMsg_GetDataLength(m), natsMsg_GetData(m));
		natsMsg_Destroy(m);
	}
	natsSubscription_Destroy(sub);
	return 0;
}

int main(int argc, char **argv)
{
	struct fleet_settings s = { .client_name = "fleet_tool" };
	natsConnection *nc = NULL;
	jsCtx *js = NULL;
	char why[512];
	int rc = 2;

	if (argc != 4 || (strcmp(argv[1], "publish-raw") && strcmp(argv[1], "read"))) {
		fprintf(stderr, "usage: fleet_tool publish-raw URL FILE | read URL SUBJECT\n");
		return 2;
	}
	s.servers = argv[2];
	if (fleet_connect(&s, false, &nc, why, sizeof(why)) ||
	    natsConnection_JetStream(&js, nc, NULL) != NATS_OK) {
		fprintf(stderr, "fleet_tool: %s\n", why);
		return 1;
	}
	rc = !strcmp(argv[1], "read") ? read_subject(js, argv[3]) : publish_raw(js, argv[3]);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	nats_CloseAndWait(2000);
	return rc;
}
