/*
 * The per-client report (report.h). The state file is the table as it is
 * in memory behind a small header (magic, version, sizes, count): it is
 * read back by the same build on the same host, and a header that does
 * not match is refused (the report then starts anew, and says so).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "enforcer/judge/report.h"
#include "common/state_file.h"

#define SLOTS (REPORT_CLIENTS_MAX * 2)
#define FILE_MAGIC 0x75657270u      /* "uerp" */
#define FILE_VERSION 1

struct file_header {
	uint32_t magic, version, client_size, n;
	uint64_t untracked;
};

static uint32_t addr_hash(const struct in6_addr *a)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 16; i++)
		h = (h ^ a->s6_addr[i]) * 16777619u;
	return h;
}

/* The slot of A, or of the empty place where it would go. */
static uint32_t *slot_of(struct report *rp, const struct in6_addr *a)
{
	uint32_t i = addr_hash(a) % SLOTS;

	while (rp->slots[i] && memcmp(&rp->clients[rp->slots[i] - 1].addr, a, sizeof(*a)))
		i = (i + 1) % SLOTS;
	return &rp->slots[i];
}

static int load(struct report *rp)
{
	struct file_header h;
	char *data;
	size_t len;
	int err = state_file_read(rp->state_dir, REPORT_FILE,
				  sizeof(h) + REPORT_CLIENTS_MAX * sizeof(struct report_client),
				  &data, &len);

	if (err)
		return err == -ENOENT ? 0 : err;
	memcpy(&h, data, len < sizeof(h) ? len : sizeof(h));
	if (len < sizeof(h) || h.magic != FILE_MAGIC || h.version != FILE_VERSION ||
	    h.client_size != sizeof(struct report_client) || h.n > REPORT_CLIENTS_MAX ||
	    len != sizeof(h) + (size_t)h.n * sizeof(struct report_client)) {
		free(data);
		return -EINVAL;
	}
	memcpy(rp->clients, data + sizeof(h), (size_t)h.n * sizeof(struct report_client));
	rp->n = h.n;
	rp->untracked = h.untracked;
	for (unsigned i = 0; i < rp->n; i++)
		*slot_of(rp, &rp->clients[i].addr) = i + 1;
	free(data);
	return 0;
}

int report_init(struct report *rp, const char *state_dir)
{
	memset(rp, 0, sizeof(*rp));
	pthread_mutex_init(&rp->lock, NULL);
	rp->state_dir = state_dir;
	rp->clients = calloc(REPORT_CLIENTS_MAX, sizeof(*rp->clients));
	rp->slots = calloc(SLOTS, sizeof(*rp->slots));
	if (!rp->clients || !rp->slots)
		return -ENOMEM;
	return state_dir ? load(rp) : 0;
}

void report_release(struct report *rp)
{
	free(rp->clients);
	free(rp->slots);
	pthread_mutex_destroy(&rp->lock);
	memset(rp, 0, sizeof(*rp));
}

static void site_note(struct report_site *top, const char *host)
{
	struct report_site *min = &top[0];

	for (unsigned i = 0; i < REPORT_TOP_K; i++) {
		if (top[i].count && !strncmp(top[i].host, host, REPORT_HOST_MAX - 1)) {
			top[i].count++;
			return;
		}
		if (top[i].count < min->count)
			min = &top[i];
	}
	/* not counted: it takes the smallest counter's place (an empty one first) */
	min->error = min->count;
	min->count++;
	snprintf(min->host, sizeof(min->host), "%s", host);
}

void report_note(struct report *rp, const struct in6_addr *client, const char *host,
		 bool blocked, time_t now)
{
	uint32_t hour = now / 3600;

	pthread_mutex_lock(&rp->lock);
	uint32_t *slot = slot_of(rp, client);

	if (!*slot) {
		if (rp->n == REPORT_CLIENTS_MAX) {
			rp->untracked++;
			pthread_mutex_unlock(&rp->lock);
			return;
		}
		memset(&rp->clients[rp->n], 0, sizeof(rp->clients[rp->n]));
		rp->clients[rp->n].addr = *client;
		rp->clients[rp->n].first_seen = now;
		*slot = ++rp->n;
	}
	struct report_client *c = &rp->clients[*slot - 1];
	struct report_hour *h = &c->hours[hour % REPORT_HOURS];

	c->requests++;
	c->blocks += blocked;
	c->last_seen = now;
	if (h->hour != hour)
		*h = (struct report_hour){ .hour = hour };
	h->requests++;
	h->blocks += blocked;
	site_note(blocked ? c->blocked : c->allowed, host);
	pthread_mutex_unlock(&rp->lock);
}

int report_save(struct report *rp)
{
	struct file_header h = { .magic = FILE_MAGIC, .version = FILE_VERSION,
				 .client_size = sizeof(struct report_client) };
	size_t len;
	char *buf;
	int err;

	if (!rp->state_dir)
		return 0;
	pthread_mutex_lock(&rp->lock);
	h.n = rp->n;
	h.untracked = rp->untracked;
	len = sizeof(h) + (size_t)h.n * sizeof(struct report_client);
	buf = malloc(len);
	if (buf) {
		memcpy(buf, &h, sizeof(h));
		memcpy(buf + sizeof(h), rp->clients, len - sizeof(h));
	}
	pthread_mutex_unlock(&rp->lock);
	if (!buf)
		return -ENOMEM;
	err = state_file_write(rp->state_dir, REPORT_FILE, buf, len);
	free(buf);
	return err;
}

int report_foreach(struct report *rp, report_fn fn, void *arg)
{
	static struct report_client copy;
	int err = 0;

	for (unsigned i = 0; !err; i++) {
		pthread_mutex_lock(&rp->lock);
		bool more = i < rp->n;

		if (more)
			copy = rp->clients[i];
		pthread_mutex_unlock(&rp->lock);
		if (!more)
			break;
		err = fn(&copy, arg);
	}
	return err;
}

void report_client_since(const struct report_client *c, time_t since, time_t now,
			 uint64_t *requests, uint64_t *blocks)
{
	uint32_t from = since / 3600, to = now / 3600;

	*requests = *blocks = 0;
	for (unsigned i = 0; i < REPORT_HOURS; i++) {
		const struct report_hour *h = &c->hours[i];

		if (h->hour && h->hour >= from && h->hour <= to && h->hour + REPORT_HOURS > to) {
			*requests += h->requests;
			*blocks += h->blocks;
		}
	}
}
