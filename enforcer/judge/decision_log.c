/* The decision log: formatter and writers; format and guarantees in decision_log.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "enforcer/judge/decision_log.h"

struct decision_log {
	char *path;                  /* NULL: stdout */
	int fd;
	pthread_mutex_t lock;
	struct decision_log_stats stats;
	/* asynchronous only: a byte ring of formatted lines and its writer */
	char *ring;
	size_t cap, head, queued;
	bool stopping, reopen_wanted;
	pthread_cond_t wake;
	pthread_t writer;
};

static const char *const proto_names[] = {
	[REQUEST_HTTP] = "http", [REQUEST_TLS] = "tls", [REQUEST_H2C] = "h2c",
};
static const char *const action_names[] = {
	[ACTION_ALLOW] = "allow", [ACTION_BLOCK] = "block", [ACTION_LOG] = "log",
};
static const char *const response_names[] = {
	[RESPONSE_DROP] = "drop", [RESPONSE_RESET] = "reset", [RESPONSE_PAGE] = "page",
};

#define NAME(table, i) ((unsigned)(i) < sizeof(table) / sizeof(table[0]) && table[i] ? \
			table[i] : "unknown")

/* Wire bytes that are not UTF-8 become Latin-1 characters, one per byte. */
static json_t *wire_string(const char *s)
{
	json_t *j = json_string(s);
	size_t n = 0;
	char *latin1;

	if (j)
		return j;
	latin1 = malloc(2 * strlen(s) + 1);
	if (!latin1)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x80) {
			latin1[n++] = (char)*p;
		} else {
			latin1[n++] = (char)(0xc0 | *p >> 6);
			latin1[n++] = (char)(0x80 | (*p & 0x3f));
		}
	}
	latin1[n] = 0;
	j = json_string(latin1);
	free(latin1);
	return j;
}

static json_t *addr_string(const struct in6_addr *a)
{
	char text[INET6_ADDRSTRLEN];

	if (IN6_IS_ADDR_V4MAPPED(a))
		inet_ntop(AF_INET, &a->s6_addr[12], text, sizeof(text));
	else
		inet_ntop(AF_INET6, a, text, sizeof(text));
	return json_string(text);
}

/* RFC 3339, UTC, microseconds. */
static json_t *ts_string(const struct timespec *ts)
{
	char text[48];
	struct tm tm;
	time_t sec = ts->tv_sec;
	size_t n;

	if (!gmtime_r(&sec, &tm))
		return NULL;
	n = strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(text + n, sizeof(text) - n, ".%06ldZ", ts->tv_nsec / 1000);
	return json_string(text);
}

static json_t *rule_string(const struct rule_info *rule)
{
	char text[4096];

	if (!rule)
		return json_null();
	snprintf(text, sizeof(text), "%s:%u", rule->file, rule->line);
	return wire_string(text);
}

int decision_log_format(const struct decision_record *rec, char *buf, size_t size)
{
	const struct request *r = rec->request;
	const struct rule_info *rule = rec->rule;
	json_t *o = json_object();
	int bad = !o;
	size_t n;

#define PUT(key, value) (bad |= json_object_set_new(o, key, value))
	if (o) {
		PUT("ts", ts_string(&r->ts));
		PUT("mode", json_string(rec->audit ? "audit" : "enforce"));
		PUT("proto", json_string(NAME(proto_names, r->proto)));
		PUT("client", addr_string(&r->tuple.client));
		PUT("client_port", json_integer(r->tuple.client_port));
		PUT("server", addr_string(&r->tuple.server));
		PUT("server_port", json_integer(r->tuple.server_port));
		if (r->method)
			PUT("method", wire_string(r->method));
		if (r->host)
			PUT("host", wire_string(r->host));
		if (r->url)
			PUT("url", wire_string(r->url));
		if (r->target)
			PUT("target", wire_string(r->target));
		PUT("action", json_string(NAME(action_names, rec->action)));
		PUT("rule", rule_string(rule));
		PUT("rule_id", rule && rule->id ? wire_string(rule->id) : json_null());
		PUT("response", rec->action == ACTION_BLOCK ?
		    json_string(NAME(response_names, rec->response)) : json_null());
		PUT("enforced", json_boolean(rec->enforced));
		if (rec->overflow)
			PUT("reason", json_string("overflow"));
		else if (rec->ambiguous)
			PUT("reason", json_string("ambiguous"));
		else if (rec->paused)
			PUT("reason", json_string("paused"));
	}
#undef PUT
	if (bad) {
		json_decref(o);
		return -ENOMEM;
	}
	/* room for the newline and a NUL */
	n = json_dumpb(o, buf, size > 2 ? size - 2 : 0, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (n == 0)
		return -EINVAL;
	if (n + 2 > size)
		return -E2BIG;
	buf[n++] = '\n';
	buf[n] = 0;
	return (int)n;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int open_path(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);

	return fd < 0 ? -errno : fd;
}

/* Called with the lock held (synchronous) or from the writer thread. */
static int reopen_fd(struct decision_log *l)
{
	int fd;

	if (!l->path)
		return 0;
	fd = open_path(l->path);
	if (fd < 0)
		return fd;
	close(l->fd);
	l->fd = fd;
	return 0;
}

/* Called with the lock held. */
static void count_write(struct decision_log *l, int rc, uint64_t lines)
{
	if (rc)
		l->stats.write_errors++;
	else
		l->stats.written += lines;
}

static void *writer_main(void *arg)
{
	struct decision_log *l = arg;

	pthread_mutex_lock(&l->lock);
	for (;;) {
		while (!l->queued && !l->stopping && !l->reopen_wanted)
			pthread_cond_wait(&l->wake, &l->lock);
		if (l->reopen_wanted) {
			l->reopen_wanted = false;
			pthread_mutex_unlock(&l->lock);
			reopen_fd(l);
			pthread_mutex_lock(&l->lock);
			continue;
		}
		if (!l->queued)
			break;          /* stopping, and all is written */
		size_t n = l->queued < l->cap - l->head ? l->queued : l->cap - l->head;
		const char *chunk = l->ring + l->head;
		uint64_t lines = 0;

		for (size_t i = 0; i < n; i++)
			lines += chunk[i] == '\n';
		/* producers only append behind head + queued: the chunk stays put */
		pthread_mutex_unlock(&l->lock);
		int rc = write_all(l->fd, chunk, n);
		pthread_mutex_lock(&l->lock);
		count_write(l, rc, lines);
		l->head = (l->head + n) % l->cap;
		l->queued -= n;
	}
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

/* Everything but the writer thread, which is stopped or was never started. */
static void log_free(struct decision_log *l)
{
	if (l->path && l->fd >= 0)
		close(l->fd);
	free(l->ring);
	free(l->path);
	pthread_cond_destroy(&l->wake);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

struct decision_log *decision_log_open(const char *path, size_t queue_bytes)
{
	struct decision_log *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return NULL;
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->wake, NULL);
	l->fd = STDOUT_FILENO;
	if (strcmp(path, "-")) {
		l->path = strdup(path);
		if (!l->path) {
			err = ENOMEM;
			goto fail;
		}
		l->fd = open_path(path);
		if (l->fd < 0) {
			err = -l->fd;
			goto fail;
		}
	}
	if (queue_bytes) {
		l->cap = queue_bytes;
		l->ring = malloc(queue_bytes);
		if (!l->ring) {
			err = ENOMEM;
			goto fail;
		}
		err = pthread_create(&l->writer, NULL, writer_main, l);
		if (err)
			goto fail;
	}
	return l;
fail:
	log_free(l);
	errno = err;
	return NULL;
}

/* Copy a line into the ring, or drop it. Called with the lock held. */
static int enqueue(struct decision_log *l, const char *line, size_t n)
{
	size_t tail, first;

	if (n > l->cap - l->queued) {
		l->stats.dropped++;
		return -ENOBUFS;
	}
	tail = (l->head + l->queued) % l->cap;
	first = n < l->cap - tail ? n : l->cap - tail;
	memcpy(l->ring + tail, line, first);
	memcpy(l->ring, line + first, n - first);
	l->queued += n;
	pthread_cond_signal(&l->wake);
	return 0;
}

int decision_log_write(struct decision_log *l, const struct decision_record *rec)
{
	static __thread char line[DECISION_LOG_LINE_MAX];
	int n = decision_log_format(rec, line, sizeof(line));
	int rc = 0;

	pthread_mutex_lock(&l->lock);
	if (n < 0)
		l->stats.dropped++;
	else if (l->ring)
		rc = enqueue(l, line, (size_t)n);
	else
		count_write(l, write_all(l->fd, line, (size_t)n), 1);
	pthread_mutex_unlock(&l->lock);
	return n < 0 ? n : rc;
}

int decision_log_reopen(struct decision_log *l)
{
	int rc = 0;

	pthread_mutex_lock(&l->lock);
	if (l->ring) {
		l->reopen_wanted = true;
		pthread_cond_signal(&l->wake);
	} else {
		rc = reopen_fd(l);
	}
	pthread_mutex_unlock(&l->lock);
	return rc;
}

void decision_log_stats(struct decision_log *l, struct decision_log_stats *out)
{
	pthread_mutex_lock(&l->lock);
	*out = l->stats;
	pthread_mutex_unlock(&l->lock);
}

void decision_log_close(struct decision_log *l)
{
	if (!l)
		return;
	if (l->ring) {
		pthread_mutex_lock(&l->lock);
		l->stopping = true;
		pthread_cond_signal(&l->wake);
		pthread_mutex_unlock(&l->lock);
		pthread_join(l->writer, NULL);
	}
	log_free(l);
}
