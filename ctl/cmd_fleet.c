/* urlctl publish and urlctl fleet: a fleet's bundles and gateways on NATS (url-enforcer(8), FLEET). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/render.h"
#include "ctl/urlctl.h"
#include "common/ctl_proto.h"
#include "common/bundle_store.h"
#include "ctl/bundle_pack.h"
#include "common/fleet_nats.h"

struct fleet_args {
	struct fleet_settings nats;
	bool json;
	const char *file;
};

/* The row's --nats (required), --nats-creds, --nats-ca, --json and FILE. */
static void fleet_args(const struct ctl_command *c, const struct ctl_args *a, struct fleet_args *f)
{
	memset(f, 0, sizeof(*f));
	f->nats.client_name = "urlctl";
	f->nats.servers = ctl_value(c, a, "nats");
	f->nats.creds = ctl_value(c, a, "nats-creds");
	f->nats.ca = ctl_value(c, a, "nats-ca");
	f->json = a->format == OUT_JSON;
	f->file = a->argc ? a->argv[0] : NULL;
}

/* Connected, with a JetStream context and BUCKET; CTL_OK or the exit status. */
static int fleet_open_bucket(const struct fleet_args *a, const char *cmd, const char *bucket,
			     bool create, natsConnection **nc, jsCtx **js, kvStore **kv)
{
	char why[512];
	natsStatus st;

	*js = NULL;
	*kv = NULL;
	if (fleet_connect(&a->nats, false, nc, why, sizeof(why))) {
		fprintf(stderr, "urlctl %s: %s\n", cmd, why);
		return CTL_UNREACHABLE;
	}
	st = natsConnection_JetStream(js, *nc, NULL);
	if (st != NATS_OK) {
		fprintf(stderr, "urlctl %s: JetStream: %s\n", cmd, fleet_error(st));
		return CTL_FAILED;
	}
	if (fleet_kv(*js, bucket, create, kv, why, sizeof(why))) {
		if (!create)
			return CTL_OK;  /* not there yet: the caller says so */
		fprintf(stderr, "urlctl %s: %s\n", cmd, why);
		return CTL_FAILED;
	}
	return CTL_OK;
}

static void fleet_close_all(natsConnection *nc, jsCtx *js, kvStore *a, kvStore *b)
{
	kvStore_Destroy(a);
	kvStore_Destroy(b);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	nats_CloseAndWait(2000);
}

int cmd_publish(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *args)
{
	struct fleet_args a;
	struct bundle b;
	struct bundle_head head;
	natsConnection *nc = NULL;
	jsCtx *js = NULL;
	kvStore *kv = NULL;
	char why[512];
	int status;

	(void)env;
	fleet_args(c, args, &a);
	/* every error at once, here, before any gateway sees the bundle */
	if (bundle_pack(a.file, &b, stderr))
		return CTL_FAILED;
	status = fleet_open_bucket(&a, "publish", FLEET_BUNDLES_BUCKET, true, &nc, &js, &kv);
	if (status == CTL_OK && bundle_store_publish(js, kv, &b, &head, why, sizeof(why))) {
		fprintf(stderr, "urlctl publish: %s\n", why);
		status = CTL_FAILED;
	}
	if (status == CTL_OK)
		printf("published generation %llu: %s, %u file%s, %llu bytes, policy %s\n",
		       (unsigned long long)head.generation, head.digest, head.files,
		       head.files == 1 ? "" : "s", (unsigned long long)head.size, head.policy);
	bundle_release(&b);
	fleet_close_all(nc, js, kv, NULL);
	return status;
}

/* Text from another machine, safe on a terminal: control characters become '?'. */
static json_t *shown_string(const char *s)
{
	char *copy = strdup(s ? s : "");
	json_t *j;

	if (!copy)
		return json_null();
	for (char *c = copy; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	j = json_string(copy);
	free(copy);
	return j ? j : json_null();
}

/* One gateway's row from its record in the gateways bucket. */
static json_t *gateway_row(kvEntry *e, const struct bundle_head *latest)
{
	json_t *rec = json_loadb(kvEntry_Value(e), (size_t)kvEntry_ValueLen(e), 0, NULL);
	json_t *row = json_object();
	json_int_t gen = json_integer_value(json_object_get(rec, "generation"));
	const char *digest = json_string_value(json_object_get(rec, "digest"));
	json_t *refused = json_object_get(rec, "refused");
	int64_t age_s = (time(NULL) * 1000000000ll - kvEntry_Created(e)) / 1000000000ll;

	json_object_set_new(row, "gateway", shown_string(kvEntry_Key(e)));
	json_object_set_new(row, "generation", json_integer(gen));
	json_object_set_new(row, "latest", json_boolean(latest->generation &&
		(uint64_t)gen == latest->generation && digest && !strcmp(digest, latest->digest)));
	json_object_set_new(row, "applied",
			    shown_string(json_string_value(json_object_get(rec, "applied"))));
	json_object_set_new(row, "last_contact_s", json_integer(age_s < 0 ? 0 : age_s));
	json_object_set_new(row, "version",
			    shown_string(json_string_value(json_object_get(rec, "version"))));
	if (json_is_string(refused)) {
		char text[600];

		snprintf(text, sizeof(text), "generation %lld: %s",
			 (long long)json_integer_value(json_object_get(rec, "refused_generation")),
			 json_string_value(refused));
		json_object_set_new(row, "refused", shown_string(text));
	} else {
		json_object_set_new(row, "refused", json_null());
	}
	json_decref(rec);
	return row;
}

int cmd_fleet(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *args)
{
	struct fleet_args a;
	struct bundle_head latest = { 0 };
	natsConnection *nc = NULL;
	jsCtx *js = NULL;
	kvStore *bundles = NULL, *gateways = NULL;
	kvKeysList keys = { 0 };
	json_t *rows = json_array();
	char why[512];
	int status;

	(void)env;
	fleet_args(c, args, &a);
	status = fleet_open_bucket(&a, "fleet", FLEET_BUNDLES_BUCKET, false, &nc, &js, &bundles);
	if (status == CTL_OK && bundles && bundle_store_head(bundles, &latest, why, sizeof(why)) < 0) {
		fprintf(stderr, "urlctl fleet: %s\n", why);
		status = CTL_FAILED;
	}
	if (status == CTL_OK && !fleet_kv(js, FLEET_GATEWAYS_BUCKET, false, &gateways, why,
					  sizeof(why)) &&
	    kvStore_Keys(&keys, gateways, NULL) == NATS_OK) {
		for (int i = 0; i < keys.Count; i++) {
			kvEntry *e = NULL;

			if (kvStore_Get(&e, gateways, keys.Keys[i]) == NATS_OK)
				json_array_append_new(rows, gateway_row(e, &latest));
			kvEntry_Destroy(e);
		}
	}
	if (status == CTL_OK && a.json) {
		json_t *doc = json_pack("{s:o, s:O}", "latest", latest.generation ?
					json_pack("{s:I, s:s, s:s, s:s}", "generation",
						  (json_int_t)latest.generation, "digest",
						  latest.digest, "by", latest.by, "at", latest.at) :
					json_null(), "gateways", rows);

		json_dumpf(doc, stdout, JSON_PRESERVE_ORDER | JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(doc);
	} else if (status == CTL_OK) {
		if (latest.generation)
			printf("latest bundle: generation %llu, %s, published by %s at %s\n",
			       (unsigned long long)latest.generation, latest.digest, latest.by,
			       latest.at);
		else
			printf("latest bundle: none published yet\n");
		render(stdout, SHAPE_TABLE, OUT_TEXT, rows);
	}
	kvKeysList_Destroy(&keys);
	json_decref(rows);
	fleet_close_all(nc, js, bundles, gateways);
	return status;
}
