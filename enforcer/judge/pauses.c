/*
 * The pause table (pauses.h). The state file has one pause a line:
 *   TARGET SINCE UNTIL PREFIX[,PREFIX...]
 * times in seconds since the epoch (UNTIL 0: until resumed), prefixes as
 * prefix_parse() reads them. A line that does not parse is skipped and
 * counted in one warning: a damaged file loses that pause, not the others.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "enforcer/judge/pauses.h"
#include "common/state_file.h"

#define PAUSES_FILE_MAX (PAUSES_MAX * (PAUSE_TARGET_MAX + 48 + PAUSE_PREFIXES_MAX * 48))

/* Writes the table; called with the lock held. */
static int save(struct pauses *ps)
{
	static char buf[PAUSES_FILE_MAX];
	size_t len = 0;

	if (!ps->state_dir)
		return 0;
	for (unsigned i = 0; i < ps->n; i++) {
		const struct pause *p = &ps->p[i];

		len += snprintf(buf + len, sizeof(buf) - len, "%s %lld %lld ", p->target,
				(long long)p->since, (long long)p->until);
		for (unsigned j = 0; j < p->n; j++) {
			char pf[64];

			prefix_format(&p->prefixes[j], pf, sizeof(pf));
			len += snprintf(buf + len, sizeof(buf) - len, "%s%s", j ? "," : "", pf);
		}
		len += snprintf(buf + len, sizeof(buf) - len, "\n");
	}
	int err = state_file_write(ps->state_dir, PAUSES_FILE, buf, len);

	if (err)
		log_warnx("%s/%s: %s: pauses will not outlive a restart", ps->state_dir,
			  PAUSES_FILE, strerror(-err));
	return err;
}

/* One line of the state file into *P; false if it does not parse. */
static bool parse_line(char *line, struct pause *p)
{
	char *target = strtok(line, " "), *since = strtok(NULL, " "),
	     *until = strtok(NULL, " "), *list = strtok(NULL, " \n"), *end;
	const char *why;

	memset(p, 0, sizeof(*p));
	if (!target || !since || !until || !list || strlen(target) >= PAUSE_TARGET_MAX)
		return false;
	strcpy(p->target, target);
	p->since = strtoll(since, &end, 10);
	if (*end)
		return false;
	p->until = strtoll(until, &end, 10);
	if (*end)
		return false;
	for (char *pf = strtok(list, ","); pf; pf = strtok(NULL, ",")) {
		if (p->n == PAUSE_PREFIXES_MAX ||
		    prefix_parse(pf, strlen(pf), &p->prefixes[p->n++], &why))
			return false;
	}
	return p->n > 0;
}

int pauses_init(struct pauses *ps, const char *state_dir, time_t now)
{
	char *data = NULL, *save_ptr = NULL;
	size_t len;
	unsigned bad = 0;
	int err;

	memset(ps, 0, sizeof(*ps));
	pthread_rwlock_init(&ps->lock, NULL);
	ps->state_dir = state_dir;
	if (!state_dir)
		return 0;
	err = state_file_read(state_dir, PAUSES_FILE, PAUSES_FILE_MAX, &data, &len);
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	for (char *line = strtok_r(data, "\n", &save_ptr); line;
	     line = strtok_r(NULL, "\n", &save_ptr)) {
		struct pause p;

		if (!parse_line(line, &p) || ps->n == PAUSES_MAX)
			bad++;
		else if (!p.until || p.until > now)
			ps->p[ps->n++] = p;
	}
	free(data);
	if (bad)
		log_warnx("%s/%s: %u line%s skipped: not a pause", state_dir, PAUSES_FILE, bad,
			  bad == 1 ? "" : "s");
	return 0;
}

void pauses_release(struct pauses *ps)
{
	pthread_rwlock_destroy(&ps->lock);
}

int pauses_add(struct pauses *ps, const char *target, const struct prefix *pf, unsigned n,
	       time_t now, time_t until)
{
	unsigned i;
	int err;

	if (!n || n > PAUSE_PREFIXES_MAX || strlen(target) >= PAUSE_TARGET_MAX)
		return -EINVAL;
	pthread_rwlock_wrlock(&ps->lock);
	for (i = 0; i < ps->n && strcmp(ps->p[i].target, target); i++)
		;
	if (i == PAUSES_MAX) {
		pthread_rwlock_unlock(&ps->lock);
		return -ENOSPC;
	}
	struct pause *p = &ps->p[i];

	memset(p, 0, sizeof(*p));
	strcpy(p->target, target);
	memcpy(p->prefixes, pf, n * sizeof(*pf));
	p->n = n;
	p->since = now;
	p->until = until;
	if (i == ps->n)
		ps->n++;
	err = save(ps);
	pthread_rwlock_unlock(&ps->lock);
	return err;
}

static bool covers(const struct pause *p, const struct in6_addr *a)
{
	for (unsigned j = 0; j < p->n; j++)
		if (prefix_contains(&p->prefixes[j], a))
			return true;
	return false;
}

/* Removes the pauses GONE says yes to; the number removed. Lock held. */
static unsigned remove_where(struct pauses *ps, bool (*gone)(const struct pause *, const void *),
			     const void *arg)
{
	unsigned kept = 0, removed;

	for (unsigned i = 0; i < ps->n; i++)
		if (!gone(&ps->p[i], arg))
			ps->p[kept++] = ps->p[i];
	removed = ps->n - kept;
	ps->n = kept;
	return removed;
}

struct resume_target {
	const char *target;
	bool is_addr;
	struct in6_addr addr;
};

static bool resumed(const struct pause *p, const void *arg)
{
	const struct resume_target *t = arg;

	return !strcmp(t->target, "all") || !strcmp(p->target, t->target) ||
	       (t->is_addr && covers(p, &t->addr));
}

int pauses_remove(struct pauses *ps, const char *target, unsigned *removed)
{
	struct resume_target t = { .target = target };
	struct prefix host = { .len = 0 };
	const char *why;
	int err = 0;

	t.is_addr = !strchr(target, '/') && !prefix_parse(target, strlen(target), &host, &why);
	t.addr = host.addr;
	pthread_rwlock_wrlock(&ps->lock);
	*removed = remove_where(ps, resumed, &t);
	if (*removed)
		err = save(ps);
	pthread_rwlock_unlock(&ps->lock);
	return err;
}

static bool ended(const struct pause *p, const void *arg)
{
	time_t now = *(const time_t *)arg;

	return p->until && p->until <= now;
}

unsigned pauses_expire(struct pauses *ps, time_t now)
{
	unsigned n;

	pthread_rwlock_wrlock(&ps->lock);
	n = remove_where(ps, ended, &now);
	if (n)
		save(ps);
	pthread_rwlock_unlock(&ps->lock);
	return n;
}

bool pauses_lookup(struct pauses *ps, const struct in6_addr *client, time_t now,
		   time_t *until)
{
	bool paused = false, forever = false;

	*until = 0;
	pthread_rwlock_rdlock(&ps->lock);
	for (unsigned i = 0; i < ps->n; i++) {
		const struct pause *p = &ps->p[i];

		if ((p->until && p->until <= now) || !covers(p, client))
			continue;
		paused = true;
		forever |= !p->until;
		if (p->until > *until)
			*until = p->until;
	}
	pthread_rwlock_unlock(&ps->lock);
	if (forever)
		*until = 0;
	return paused;
}

time_t pauses_next_end(struct pauses *ps)
{
	time_t best = 0;

	pthread_rwlock_rdlock(&ps->lock);
	for (unsigned i = 0; i < ps->n; i++)
		if (ps->p[i].until && (!best || ps->p[i].until < best))
			best = ps->p[i].until;
	pthread_rwlock_unlock(&ps->lock);
	return best;
}

void pauses_snapshot(struct pauses *ps, struct pause *out, unsigned *n)
{
	pthread_rwlock_rdlock(&ps->lock);
	memcpy(out, ps->p, ps->n * sizeof(*out));
	*n = ps->n;
	pthread_rwlock_unlock(&ps->lock);
}
