/* The decision log: formatter and writers; format and guarantees in decision_log.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/byte_ring.h"
#include "common/ip_text.h"
#include "enforcer/judge/decision_log.h"

struct decision_log {
	char *path;                  /* NULL: stdout */
	int fd;
	pthread_mutex_t lock;
	struct decision_log_stats stats;
	/* synchronous only: lines gathered for one write (a write a line
	 * cost more than formatting it) */
	char *batch;
	size_t batch_len;
	uint64_t batch_lines;
	/* asynchronous only: formatted lines and their writer */
	struct byte_ring queue;
	bool stopping, reopen_wanted;
	pthread_cond_t wake;
	pthread_t writer;
	decision_log_tee_fn tee;     /* a fleet's decision stream */
	void *tee_arg;
};


/*
 * The line is written straight into the caller's buffer: no tree of JSON
 * values, no allocation (a line once cost ~5 us with jansson, now well
 * under 1 us: bench/README.md). Out of room, the line is marked full and
 * nothing more is written; the caller gets -E2BIG, never a cut line.
 */
struct line {
	char *p, *end;
	bool full;
};

static void put_mem(struct line *l, const char *s, size_t n)
{
	if (l->full || (size_t)(l->end - l->p) < n) {
		l->full = true;
		return;
	}
	memcpy(l->p, s, n);
	l->p += n;
}

#define PUT_LITERAL(l, s) put_mem(l, s, sizeof(s) - 1)

static void put_uint(struct line *l, uint64_t v, unsigned min_digits)
{
	char digits[24];
	unsigned n = 0;

	do {
		digits[sizeof(digits) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v || n < min_digits);
	put_mem(l, digits + sizeof(digits) - n, n);
}

/* The length of the valid UTF-8 sequence starting at s (1 to 4), 0 if none
 * does (a stray continuation byte, an overlong form, a surrogate, beyond
 * U+10FFFF, cut short). Reads no further than the first byte that fails. */
static unsigned utf8_sequence(const unsigned char *s)
{
	unsigned c = s[0];

#define CONT(b) (((b) & 0xc0) == 0x80)
	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0;
	if (c < 0xe0)
		return CONT(s[1]) ? 2 : 0;
	if (c < 0xf0)
		return CONT(s[1]) && CONT(s[2]) &&
		       !(c == 0xe0 && s[1] < 0xa0) && !(c == 0xed && s[1] >= 0xa0) ? 3 : 0;
	if (c < 0xf5)
		return CONT(s[1]) && CONT(s[2]) && CONT(s[3]) &&
		       !(c == 0xf0 && s[1] < 0x90) && !(c == 0xf4 && s[1] >= 0x90) ? 4 : 0;
	return 0;
#undef CONT
}

/* Bytes copied as they are inside a JSON string: ASCII from 0x20 but " (0x22) and \ (0x5c) */
static const bool json_plain[256] = {
	[0x20 ... 0x21] = true, [0x23 ... 0x5b] = true, [0x5d ... 0x7f] = true,
};

/*
 * S as the inside of a JSON string: the one place the log escapes.
 * jansson's choices, so its own dump of the same text is byte-identical:
 * " and \ escaped, \b \f \n \r \t, other bytes below 0x20 as \u00XX (upper
 * case), everything else as it is. Bytes that are not valid UTF-8 (off the
 * wire) become the character of the same value, U+0080 to U+00FF (their
 * Latin-1 reading): nothing is lost, valid text stays as it was.
 */
static void put_escaped(struct line *l, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		const unsigned char *run = p;
		unsigned n;

		while (json_plain[*p])
			p++;
		put_mem(l, (const char *)run, (size_t)(p - run));
		if (!*p)
			break;
		if (*p >= 0x80) {
			n = utf8_sequence(p);
			if (n) {
				put_mem(l, (const char *)p, n);
				p += n;
			} else {
				char latin1[2] = { (char)(0xc0 | *p >> 6), (char)(0x80 | (*p & 0x3f)) };

				put_mem(l, latin1, 2);
				p++;
			}
			continue;
		}
		switch (*p) {
		case '"': PUT_LITERAL(l, "\\\""); break;
		case '\\': PUT_LITERAL(l, "\\\\"); break;
		case '\b': PUT_LITERAL(l, "\\b"); break;
		case '\f': PUT_LITERAL(l, "\\f"); break;
		case '\n': PUT_LITERAL(l, "\\n"); break;
		case '\r': PUT_LITERAL(l, "\\r"); break;
		case '\t': PUT_LITERAL(l, "\\t"); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', "0123456789ABCDEF"[*p >> 4],
				      "0123456789ABCDEF"[*p & 15] };

			put_mem(l, u, sizeof(u));
		}
		}
		p++;
	}
}

/* ,"KEY":"VALUE" with VALUE escaped; KEY is a literal of ours */
#define PUT_STRING_FIELD(l, key, value) do { \
	PUT_LITERAL(l, ",\"" key "\":\""); put_escaped(l, value); PUT_LITERAL(l, "\""); \
} while (0)

static void put_addr(struct line *l, const struct in6_addr *a)
{
	char text[INET6_ADDRSTRLEN];

	ip_format_mapped(a, text, sizeof(text));
	put_mem(l, text, strlen(text));
}

/* RFC 3339, UTC, microseconds; the date and time of day are formatted once
 * a second per thread. */
static void put_ts(struct line *l, const struct timespec *ts)
{
	static __thread time_t cached_sec = -1;
	static __thread char cached[32];
	static __thread size_t cached_len;

	if (ts->tv_sec != cached_sec) {
		struct tm tm;
		time_t sec = ts->tv_sec;

		cached_len = gmtime_r(&sec, &tm) ?
			     strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S", &tm) : 0;
		cached_sec = ts->tv_sec;
	}
	put_mem(l, cached, cached_len);
	PUT_LITERAL(l, ".");
	put_uint(l, (uint64_t)ts->tv_nsec / 1000, 6);
	PUT_LITERAL(l, "Z");
}

int decision_log_format(const struct decision_record *rec, char *buf, size_t size)
{
	const struct request *r = rec->request;
	const struct rule_info *rule = rec->rule;
	/* room for the newline and a NUL */
	struct line l = { buf, buf + (size > 2 ? size - 2 : 0), false };

	PUT_LITERAL(&l, "{\"ts\":\"");
	put_ts(&l, &r->ts);
	if (rec->audit)
		PUT_LITERAL(&l, "\",\"mode\":\"audit\"");
	else
		PUT_LITERAL(&l, "\",\"mode\":\"enforce\"");
	PUT_STRING_FIELD(&l, "proto", request_proto_name(r->proto));
	PUT_LITERAL(&l, ",\"client\":\"");
	put_addr(&l, &r->tuple.client);
	PUT_LITERAL(&l, "\",\"client_port\":");
	put_uint(&l, r->tuple.client_port, 1);
	PUT_LITERAL(&l, ",\"server\":\"");
	put_addr(&l, &r->tuple.server);
	PUT_LITERAL(&l, "\",\"server_port\":");
	put_uint(&l, r->tuple.server_port, 1);
	if (r->method)
		PUT_STRING_FIELD(&l, "method", r->method);
	if (r->host)
		PUT_STRING_FIELD(&l, "host", r->host);
	if (r->url)
		PUT_STRING_FIELD(&l, "url", r->url);
	if (r->target)
		PUT_STRING_FIELD(&l, "target", r->target);
	PUT_STRING_FIELD(&l, "action", policy_action_name(rec->action));
	if (rule) {
		PUT_LITERAL(&l, ",\"rule\":\"");
		put_escaped(&l, rule->file);
		PUT_LITERAL(&l, ":");
		put_uint(&l, rule->line, 1);
		PUT_LITERAL(&l, "\"");
	} else {
		PUT_LITERAL(&l, ",\"rule\":null");
	}
	if (rule && rule->id)
		PUT_STRING_FIELD(&l, "rule_id", rule->id);
	else
		PUT_LITERAL(&l, ",\"rule_id\":null");
	if (rec->action == ACTION_BLOCK)
		PUT_STRING_FIELD(&l, "response", policy_response_name(rec->response));
	else
		PUT_LITERAL(&l, ",\"response\":null");
	if (rec->enforced)
		PUT_LITERAL(&l, ",\"enforced\":true");
	else
		PUT_LITERAL(&l, ",\"enforced\":false");
	if (rec->overflow)
		PUT_LITERAL(&l, ",\"reason\":\"overflow\"");
	else if (rec->ambiguous)
		PUT_LITERAL(&l, ",\"reason\":\"ambiguous\"");
	else if (rec->paused)
		PUT_LITERAL(&l, ",\"reason\":\"paused\"");
	else if (r->flags & REQUEST_QUIC_VERSION)
		PUT_LITERAL(&l, ",\"reason\":\"quic-version\"");
	if (rec->ech)
		PUT_LITERAL(&l, ",\"ech\":true");
	PUT_LITERAL(&l, "}");
	if (l.full)
		return -E2BIG;
	*l.p++ = '\n';
	*l.p = 0;
	return (int)(l.p - buf);
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

/* Synchronous: writes what is gathered. Called with the lock held. */
static void flush_batch(struct decision_log *l)
{
	if (!l->batch_len)
		return;
	count_write(l, write_all(l->fd, l->batch, l->batch_len), l->batch_lines);
	l->batch_len = 0;
	l->batch_lines = 0;
}

_Static_assert(DECISION_LOG_LINE_MAX <= DECISION_LOG_BATCH, "a line fits an empty batch");

/* Synchronous: a line into the batch, written first when it is full. */
static void gather(struct decision_log *l, const char *line, size_t n)
{
	if (l->batch_len + n > DECISION_LOG_BATCH)
		flush_batch(l);
	memcpy(l->batch + l->batch_len, line, n);
	l->batch_len += n;
	l->batch_lines++;
}

static void *writer_main(void *arg)
{
	struct decision_log *l = arg;

	pthread_mutex_lock(&l->lock);
	for (;;) {
		while (!l->queue.queued && !l->stopping && !l->reopen_wanted)
			pthread_cond_wait(&l->wake, &l->lock);
		if (l->reopen_wanted) {
			l->reopen_wanted = false;
			pthread_mutex_unlock(&l->lock);
			reopen_fd(l);
			pthread_mutex_lock(&l->lock);
			continue;
		}
		if (!l->queue.queued)
			break;          /* stopping, and all is written */
		if (!l->stopping) {
			/* Let a busy daemon's lines gather for one write: waking
			 * and writing for each line cost more CPU than the worker
			 * spent to decide it. Producers signal nobody meanwhile. */
			pthread_mutex_unlock(&l->lock);
			nanosleep(&(struct timespec){ .tv_nsec = DECISION_LOG_GATHER_NS }, NULL);
			pthread_mutex_lock(&l->lock);
		}
		const char *chunk;
		size_t n = byte_ring_peek(&l->queue, &chunk);
		uint64_t lines = 0;

		for (size_t i = 0; i < n; i++)
			lines += chunk[i] == '\n';
		/* producers only append behind head + queued: the chunk stays put */
		pthread_mutex_unlock(&l->lock);
		int rc = write_all(l->fd, chunk, n);
		pthread_mutex_lock(&l->lock);
		count_write(l, rc, lines);
		byte_ring_drop(&l->queue, n);
	}
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

/* Everything but the writer thread, which is stopped or was never started. */
static void log_free(struct decision_log *l)
{
	if (l->path && l->fd >= 0)
		close(l->fd);
	byte_ring_free(&l->queue);
	free(l->batch);
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
		if (byte_ring_init(&l->queue, queue_bytes)) {
			err = ENOMEM;
			goto fail;
		}
		err = pthread_create(&l->writer, NULL, writer_main, l);
		if (err)
			goto fail;
	} else if (!(l->batch = malloc(DECISION_LOG_BATCH))) {
		err = ENOMEM;
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
	if (!byte_ring_put(&l->queue, line, n)) {
		l->stats.dropped++;
		return -ENOBUFS;
	}
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
	else if (l->queue.buf)
		rc = enqueue(l, line, (size_t)n);
	else
		gather(l, line, (size_t)n);
	if (n >= 0 && l->tee)
		l->tee(l->tee_arg, line, (size_t)n);
	pthread_mutex_unlock(&l->lock);
	return n < 0 ? n : rc;
}

void decision_log_tee(struct decision_log *l, decision_log_tee_fn fn, void *arg)
{
	l->tee = fn;
	l->tee_arg = arg;
}

int decision_log_reopen(struct decision_log *l)
{
	int rc = 0;

	pthread_mutex_lock(&l->lock);
	if (l->queue.buf) {
		l->reopen_wanted = true;
		pthread_cond_signal(&l->wake);
	} else {
		flush_batch(l);         /* into the file it was meant for */
		rc = reopen_fd(l);
	}
	pthread_mutex_unlock(&l->lock);
	return rc;
}

void decision_log_stats(struct decision_log *l, struct decision_log_stats *out)
{
	pthread_mutex_lock(&l->lock);
	if (l->batch)
		flush_batch(l);
	*out = l->stats;
	pthread_mutex_unlock(&l->lock);
}

void decision_log_close(struct decision_log *l)
{
	if (!l)
		return;
	if (l->queue.buf) {
		pthread_mutex_lock(&l->lock);
		l->stopping = true;
		pthread_cond_signal(&l->wake);
		pthread_mutex_unlock(&l->lock);
		pthread_join(l->writer, NULL);
	} else {
		flush_batch(l);
	}
	log_free(l);
}
