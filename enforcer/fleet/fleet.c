/* This gateway in a fleet: the bundle watcher and its records; see fleet.h. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/bundle_store.h"
#include "enforcer/fleet/decision_stream.h"
#include "enforcer/fleet/fleet.h"
#include "common/log.h"

#define POLL_MS 1000
#define WHY_MAX 512

enum offer_state { OFFER_NONE, OFFER_WAITING, OFFER_TAKEN, OFFER_DONE };

struct fleet {
	struct fleet_config cfg;
	char dir[PATH_MAX];             /* STATE_DIR/fleet */
	char *last_policy;              /* of applied.json, at open */
	natsConnection *nc;
	jsCtx *js;
	kvStore *bundles, *gateways;
	struct decision_stream *decisions;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;           /* guards what follows, up to the thread's own */
	pthread_cond_t cond;
	bool stop;
	int offer_fd;
	struct policy *offer;
	enum offer_state offer_state;
	struct fleet_stats stats;
	/* the thread's own */
	struct bundle_head running;     /* generation 0: none, the -p file */
	char applied_at[32];
	uint64_t refused_gen;
	char refused_why[WHY_MAX];
	time_t last_status;
	bool status_dirty;
};

static void now_text(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- what outlives a restart: applied.json ---- */

static int applied_save(struct fleet *f, const char *policy)
{
	char path[PATH_MAX + 32], tmp[PATH_MAX + 32];
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}",
			      "generation", (json_int_t)f->running.generation,
			      "digest", f->running.digest, "policy", policy,
			      "applied", f->applied_at, "by", f->running.by, "at", f->running.at);
	int rc;

	snprintf(path, sizeof(path), "%s/applied.json", f->dir);
	snprintf(tmp, sizeof(tmp), "%s/applied.json.new", f->dir);
	rc = o ? json_dump_file(o, tmp, JSON_PRESERVE_ORDER) : -1;
	json_decref(o);
	if (rc || rename(tmp, path)) {
		log_warn("fleet: %s", path);
		return -1;
	}
	return 0;
}

static void applied_load(struct fleet *f)
{
	char path[PATH_MAX + 32];
	json_t *o;
	json_int_t gen = 0;
	const char *digest = "", *policy = NULL, *applied = "", *by = "", *at = "";

	snprintf(path, sizeof(path), "%s/applied.json", f->dir);
	o = json_load_file(path, 0, NULL);
	if (!o)
		return;
	if (!json_unpack(o, "{s:I, s:s, s:s, s?s, s?s, s?s}", "generation", &gen, "digest",
			 &digest, "policy", &policy, "applied", &applied, "by", &by, "at", &at) &&
	    gen > 0) {
		f->running.generation = (uint64_t)gen;
		snprintf(f->running.digest, sizeof(f->running.digest), "%s", digest);
		snprintf(f->running.by, sizeof(f->running.by), "%s", by);
		snprintf(f->running.at, sizeof(f->running.at), "%s", at);
		snprintf(f->applied_at, sizeof(f->applied_at), "%s", applied);
		f->last_policy = strdup(policy);
	}
	json_decref(o);
}

/* Every bundle-* folder but KEEP's (NULL: all). */
static void bundles_remove_except(struct fleet *f, const char *keep)
{
	DIR *d = opendir(f->dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[PATH_MAX + 300];

		if (strncmp(e->d_name, "bundle-", 7) || (keep && !strcmp(e->d_name, keep)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", f->dir, e->d_name);
		bundle_remove_dir(path);
	}
	if (d)
		closedir(d);
}

/* ---- the gateways bucket: what this gateway runs ---- */

static void status_put(struct fleet *f)
{
	json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:s}", "gateway", f->cfg.name,
			      "version", f->cfg.version, "generation", (json_int_t)f->running.generation,
			      "digest", f->running.digest, "applied", f->applied_at);
	char *text;
	natsStatus st;

	if (o && f->refused_gen) {
		json_object_set_new(o, "refused_generation", json_integer((json_int_t)f->refused_gen));
		json_object_set_new(o, "refused", json_string(f->refused_why));
	}
	text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!text)
		return;
	st = kvStore_Put(NULL, f->gateways, f->cfg.name, text, (int)strlen(text));
	free(text);
	if (st == NATS_OK) {
		f->last_status = time(NULL);
		f->status_dirty = false;
	}
}

/* ---- applying a bundle ---- */

/* Hands P to the main thread and waits until it is in force (true) or the daemon stops. */
static bool offer(struct fleet *f, struct policy *p)
{
	uint64_t one = 1;
	bool done;

	pthread_mutex_lock(&f->lock);
	f->offer = p;
	f->offer_state = OFFER_WAITING;
	if (write(f->offer_fd, &one, sizeof(one)) != sizeof(one))
		log_warn("fleet: waking the main loop");
	while (f->offer_state != OFFER_DONE && !f->stop)
		pthread_cond_wait(&f->cond, &f->lock);
	done = f->offer_state == OFFER_DONE;
	if (!done) {
		policy_free(f->offer);   /* never taken */
		f->offer = NULL;
	}
	f->offer_state = OFFER_NONE;
	pthread_mutex_unlock(&f->lock);
	return done;
}

/* Diagnostics as one line, the unpacked folder's prefix taken out of them. */
static void diag_line(const char *diag, const char *prefix, char *out, size_t len)
{
	size_t n = 0, plen = strlen(prefix);

	out[0] = 0;
	for (const char *s = diag; *s && n + 1 < len;) {
		size_t l = strcspn(s, "\n");

		if (!strncmp(s, prefix, plen) && l >= plen) {
			s += plen;
			l -= plen;
		}
		n += (size_t)snprintf(out + n, len - n, "%s%.*s", n ? "; " : "", (int)l, s);
		s += l + (s[l] == '\n');
	}
}

static void refuse(struct fleet *f, const struct bundle_head *h, const char *why)
{
	f->refused_gen = h->generation;
	snprintf(f->refused_why, sizeof(f->refused_why), "%s", why);
	f->status_dirty = true;
	pthread_mutex_lock(&f->lock);
	f->stats.bundles_refused++;
	pthread_mutex_unlock(&f->lock);
	log_warnx("fleet: bundle generation %llu (%s) refused, the policy in force stays: %s",
		  (unsigned long long)h->generation, h->digest, why);
}

static void apply(struct fleet *f, const struct bundle_head *h)
{
	char dir[PATH_MAX + 40], name[32], why[WHY_MAX], prefix[PATH_MAX + 42];
	char *policy = NULL, *diag = NULL;
	size_t diag_len = 0;
	uint8_t *data = NULL;
	struct policy *p;
	FILE *mem;

	if (bundle_store_fetch(f->bundles, h, &data, why, sizeof(why))) {
		/* a digest that does not match is the bundle's fault; anything else, try again */
		if (strstr(why, "does not match"))
			refuse(f, h, why);
		else
			log_warnx("fleet: %s", why);
		return;
	}
	snprintf(name, sizeof(name), "bundle-%llu", (unsigned long long)h->generation);
	snprintf(dir, sizeof(dir), "%s/%s", f->dir, name);
	bundle_remove_dir(dir);         /* a half-written one of an earlier attempt */
	if (bundle_unpack(data, h->size, dir, &policy, why, sizeof(why))) {
		free(data);
		bundle_remove_dir(dir);
		refuse(f, h, why);
		return;
	}
	free(data);
	mem = open_memstream(&diag, &diag_len);
	p = policy_load(policy, mem);
	if (mem)
		fclose(mem);
	snprintf(prefix, sizeof(prefix), "%s/", dir);
	diag_line(diag ? diag : "", prefix, why, sizeof(why));
	free(diag);
	if (!p) {
		bundle_remove_dir(dir);
		refuse(f, h, *why ? why : "invalid policy");
		free(policy);
		return;
	}
	if (!offer(f, p)) {
		free(policy);
		return;                 /* stopping */
	}
	f->running = *h;
	now_text(f->applied_at, sizeof(f->applied_at));
	if (f->refused_gen < h->generation)
		f->refused_gen = 0;
	f->status_dirty = true;
	applied_save(f, policy);
	bundles_remove_except(f, name);
	pthread_mutex_lock(&f->lock);
	f->stats.bundles_applied++;
	f->stats.generation = h->generation;
	pthread_mutex_unlock(&f->lock);
	log_info("fleet: bundle generation %llu (%s, by %s at %s) in force",
		 (unsigned long long)h->generation, h->digest, h->by, h->at);
	free(policy);
}

/* ---- the thread ---- */

static bool bind_buckets(struct fleet *f)
{
	char why[WHY_MAX];

	if (!f->js && natsConnection_JetStream(&f->js, f->nc, NULL) != NATS_OK)
		return false;
	if (!f->gateways && fleet_kv(f->js, FLEET_GATEWAYS_BUCKET, true, &f->gateways, why,
				     sizeof(why))) {
		log_warnx("fleet: %s", why);
		return false;
	}
	/* created by the first publish */
	if (!f->bundles && fleet_kv(f->js, FLEET_BUNDLES_BUCKET, false, &f->bundles, why,
				    sizeof(why)))
		return false;
	return true;
}

static void poll_once(struct fleet *f)
{
	struct bundle_head h;
	char why[WHY_MAX];
	int r;

	if (!bind_buckets(f))
		goto status;
	r = bundle_store_head(f->bundles, &h, why, sizeof(why));
	if (r < 0)
		log_debug("fleet: %s", why);
	else if (r == 0 && h.generation != f->running.generation && h.generation != f->refused_gen)
		apply(f, &h);
status:
	if (f->gateways && (f->status_dirty || time(NULL) - f->last_status >= FLEET_HEARTBEAT_S))
		status_put(f);
}

static void *fleet_main(void *arg)
{
	struct fleet *f = arg;
	char why[WHY_MAX];
	struct timespec until;

	if (fleet_connect(&f->cfg.nats, true, &f->nc, why, sizeof(why)))
		log_warnx("fleet: %s: no fleet for this run, decisions are spooled", why);
	else
		decision_stream_attach(f->decisions, f->nc);
	pthread_mutex_lock(&f->lock);
	while (!f->stop && f->nc) {
		bool up = natsConnection_Status(f->nc) == NATS_CONN_STATUS_CONNECTED;

		f->stats.connected = up;
		pthread_mutex_unlock(&f->lock);
		if (up)
			poll_once(f);
		pthread_mutex_lock(&f->lock);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += POLL_MS / 1000;
		while (!f->stop && pthread_cond_timedwait(&f->cond, &f->lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

static int mkdirs(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = strchr(buf + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		if (mkdir(buf, 0750) && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(buf, 0750) && errno != EEXIST ? -1 : 0;
}

struct fleet *fleet_open(const struct fleet_config *cfg)
{
	struct fleet *f = calloc(1, sizeof(*f));
	pthread_condattr_t ca;
	int err;

	if (!f)
		return NULL;
	f->cfg = *cfg;
	f->offer_fd = -1;
	snprintf(f->dir, sizeof(f->dir), "%s/fleet", cfg->state_dir);
	if (mkdirs(f->dir))
		goto fail;
	f->offer_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (f->offer_fd < 0)
		goto fail;
	f->decisions = decision_stream_open(cfg->name, f->dir, cfg->spool_max);
	if (!f->decisions)
		goto fail;
	applied_load(f);
	f->stats.generation = f->running.generation;
	f->status_dirty = true;
	pthread_mutex_init(&f->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&f->cond, &ca);
	pthread_condattr_destroy(&ca);
	return f;
fail:
	err = errno;
	decision_stream_close(f->decisions);
	if (f->offer_fd >= 0)
		close(f->offer_fd);
	free(f->last_policy);
	free(f);
	errno = err;
	return NULL;
}

int fleet_start(struct fleet *f)
{
	int err = decision_stream_start(f->decisions);

	if (!err)
		err = -pthread_create(&f->thread, NULL, fleet_main, f);
	f->started = !err;
	return err;
}

struct decision_stream *fleet_decisions(struct fleet *f)
{
	return f->decisions;
}

void fleet_close(struct fleet *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	f->stop = true;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	if (f->started)
		pthread_join(f->thread, NULL);
	decision_stream_close(f->decisions);    /* before the connection it publishes on */
	kvStore_Destroy(f->bundles);
	kvStore_Destroy(f->gateways);
	jsCtx_Destroy(f->js);
	natsConnection_Destroy(f->nc);
	nats_CloseAndWait(2000);
	close(f->offer_fd);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	free(f->last_policy);
	free(f);
}

struct policy *fleet_load_last(struct fleet *f)
{
	struct policy *p = f->last_policy ? policy_load(f->last_policy, stderr) : NULL;

	if (p) {
		log_info("fleet: bundle generation %llu, applied %s, in force until NATS says more",
			 (unsigned long long)f->running.generation, f->applied_at);
		return p;
	}
	if (f->last_policy)
		log_warnx("fleet: %s: the last bundle applied does not compile", f->last_policy);
	pthread_mutex_lock(&f->lock);
	f->running = (struct bundle_head){ 0 };
	f->stats.generation = 0;
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

int fleet_offer_fd(const struct fleet *f)
{
	return f->offer_fd;
}

struct policy *fleet_offer_take(struct fleet *f)
{
	struct policy *p = NULL;
	uint64_t n;

	if (read(f->offer_fd, &n, sizeof(n)) != sizeof(n))
		return NULL;
	pthread_mutex_lock(&f->lock);
	if (f->offer_state == OFFER_WAITING) {
		p = f->offer;
		f->offer = NULL;
		f->offer_state = OFFER_TAKEN;
	}
	pthread_mutex_unlock(&f->lock);
	return p;
}

void fleet_offer_done(struct fleet *f)
{
	pthread_mutex_lock(&f->lock);
	f->offer_state = OFFER_DONE;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

void fleet_stats(struct fleet *f, struct fleet_stats *out)
{
	pthread_mutex_lock(&f->lock);
	*out = f->stats;
	pthread_mutex_unlock(&f->lock);
	decision_stream_stats(f->decisions, &out->decisions);
}
