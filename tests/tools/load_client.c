/*
 * An HTTP load client with a verdict for every request, for
 * tests/e2e/load.sh:
 *   load_client HOST PORT CONNECTIONS SECONDS BAD_EVERY BAD_FILE [SOURCE,...]
 * keeps CONNECTIONS sessions busy for SECONDS, from the SOURCE addresses in
 * turn (more ports than one address has). Request number n asks for
 * /bad/n when n % BAD_EVERY == 0 (written to BAD_FILE, one a line), else
 * for /ok/n. A session carries allowed requests one after the other
 * (keep-alive) and ends after a blocked one, however it was answered. At
 * the end one JSON object: what each kind of request got, and the rate.
 *
 * Outcomes: "200", "403" (the block page), "reset", "closed" (the end of
 * the stream before a whole response), "timeout" (no whole response in
 * 5 s), "other"; connections that failed before a request are counted
 * apart ("connect_failures").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_NS (5 * 1000000000ll)
#define RESPONSE_MAX 4096

enum outcome { OUT_200, OUT_403, OUT_RESET, OUT_CLOSED, OUT_TIMEOUT, OUT_OTHER, OUT_MAX };
static const char *const outcome_names[OUT_MAX] = {
	"200", "403", "reset", "closed", "timeout", "other",
};

struct session {
	int fd;
	bool connected;
	bool bad;                  /* the request under way asks for /bad/ */
	int64_t started_ns;        /* of the request under way; 0: none */
	char in[RESPONSE_MAX];
	size_t in_len;
};

#define SOURCES_MAX 64

struct load {
	struct sockaddr_storage server;
	socklen_t server_len;
	struct sockaddr_storage source[SOURCES_MAX];
	unsigned n_sources, next_source;
	int ep;
	uint64_t next_request;
	unsigned bad_every;
	FILE *bad_file;
	bool stopping;
	uint64_t sent[2];                  /* [bad] */
	uint64_t outcome[2][OUT_MAX];      /* [bad][outcome] */
	uint64_t connect_failures;
};

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ll + t.tv_nsec;
}

static int session_open(struct load *l, struct session *s)
{
	struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN, .data.ptr = s };
	int one = 1;

	s->fd = socket(l->server.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -errno;
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (l->n_sources) {
		const struct sockaddr_storage *src = &l->source[l->next_source++ % l->n_sources];

		if (bind(s->fd, (const struct sockaddr *)src, l->server_len))
			return -errno;
	}
	s->connected = false;
	s->started_ns = now_ns();
	s->in_len = 0;
	if (connect(s->fd, (struct sockaddr *)&l->server, l->server_len) && errno != EINPROGRESS)
		return -errno;
	return epoll_ctl(l->ep, EPOLL_CTL_ADD, s->fd, &ev) ? -errno : 0;
}

static void session_close(struct session *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static int session_request(struct load *l, struct session *s)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = s };
	uint64_t n = l->next_request++;
	char req[128];
	int len;

	s->bad = l->bad_every && n % l->bad_every == 0;
	len = snprintf(req, sizeof(req), "GET /%s/%llu HTTP/1.1\r\nHost: load.test\r\n\r\n",
		       s->bad ? "bad" : "ok", (unsigned long long)n);
	if (s->bad)
		fprintf(l->bad_file, "/bad/%llu\n", (unsigned long long)n);
	l->sent[s->bad]++;
	s->started_ns = now_ns();
	s->in_len = 0;
	if (send(s->fd, req, (size_t)len, MSG_NOSIGNAL) != len)
		return -errno;
	return epoll_ctl(l->ep, EPOLL_CTL_MOD, s->fd, &ev) ? -errno : 0;
}

/* The request under way ended with O: count it, then go on or start over. */
static void session_done(struct load *l, struct session *s, enum outcome o, bool keep)
{
	if (s->connected)
		l->outcome[s->bad][o]++;
	else
		l->connect_failures++;
	s->started_ns = 0;
	if (!keep || s->bad || l->stopping) {
		session_close(s);
		if (!l->stopping && session_open(l, s))
			session_close(s);
		return;
	}
	if (session_request(l, s)) {
		session_close(s);
		if (session_open(l, s))
			session_close(s);
	}
}

/* A whole response in s->in? Sets *status; false while more must come. */
static bool response_complete(const struct session *s, int *status)
{
	const char *end = memmem(s->in, s->in_len, "\r\n\r\n", 4);
	const char *cl;
	size_t head, body = 0;

	if (!end || sscanf(s->in, "HTTP/1.%*d %d", status) != 1)
		return false;
	head = (size_t)(end + 4 - s->in);
	cl = memmem(s->in, head, "Content-Length:", 15);
	if (cl)
		body = strtoul(cl + 15, NULL, 10);
	return s->in_len >= head + body;
}

static void session_readable(struct load *l, struct session *s)
{
	ssize_t n = recv(s->fd, s->in + s->in_len, sizeof(s->in) - s->in_len - 1, 0);
	int status;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		session_done(l, s, errno == ECONNRESET ? OUT_RESET : OUT_OTHER, false);
		return;
	}
	s->in_len += (size_t)n;
	s->in[s->in_len] = 0;
	if (response_complete(s, &status)) {
		session_done(l, s, status == 200 ? OUT_200 : status == 403 ? OUT_403 : OUT_OTHER,
			     status == 200);
		return;
	}
	if (n == 0)
		session_done(l, s, OUT_CLOSED, false);
	else if (s->in_len == sizeof(s->in) - 1)
		session_done(l, s, OUT_OTHER, false);
}

static void session_event(struct load *l, struct session *s, uint32_t events)
{
	if (!s->connected) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) || err ||
		    (events & (EPOLLERR | EPOLLHUP))) {
			session_done(l, s, OUT_OTHER, false);
			return;
		}
		if (!(events & EPOLLOUT))
			return;
		s->connected = true;
		if (session_request(l, s))
			session_done(l, s, OUT_OTHER, false);
		return;
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		session_readable(l, s);
}

/* HOST and PORT into *SA; returns its length, or 0 if HOST is no address. */
static socklen_t parse_addr(struct sockaddr_storage *sa, const char *host, int port)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)sa;

	memset(sa, 0, sizeof(*sa));
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		return sizeof(*v4);
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		return sizeof(*v6);
	}
	return 0;
}

/* A comma-separated list of source addresses, of the server's family. */
static int parse_sources(struct load *l, char *list)
{
	for (char *a = strtok(list, ","); a; a = strtok(NULL, ",")) {
		if (l->n_sources == SOURCES_MAX ||
		    parse_addr(&l->source[l->n_sources], a, 0) != l->server_len)
			return -EINVAL;
		l->n_sources++;
	}
	return 0;
}

static void report(const struct load *l, double seconds)
{
	uint64_t answered = 0;

	printf("{\"seconds\":%.2f", seconds);
	for (int bad = 0; bad < 2; bad++) {
		printf(",\"%s\":{\"sent\":%llu", bad ? "bad" : "ok", (unsigned long long)l->sent[bad]);
		for (int o = 0; o < OUT_MAX; o++) {
			printf(",\"%s\":%llu", outcome_names[o], (unsigned long long)l->outcome[bad][o]);
			answered += o == OUT_200 || o == OUT_403 || o == OUT_RESET ? l->outcome[bad][o] : 0;
		}
		printf("}");
	}
	printf(",\"connect_failures\":%llu,\"requests_per_s\":%.0f}\n",
	       (unsigned long long)l->connect_failures, answered / seconds);
}

int main(int argc, char **argv)
{
	struct load l = { .ep = -1 };
	struct session *sessions;
	struct rlimit nofile;
	unsigned conns;
	int64_t start, end, last_sweep = 0;

	if (argc >= 7)
		l.server_len = parse_addr(&l.server, argv[1], atoi(argv[2]));
	if (argc < 7 || argc > 8 || !l.server_len || (argc == 8 && parse_sources(&l, argv[7]))) {
		fprintf(stderr, "usage: load_client HOST PORT CONNECTIONS SECONDS BAD_EVERY BAD_FILE "
			"[SOURCE,...]\n");
		return 2;
	}
	conns = (unsigned)atoi(argv[3]);
	l.bad_every = (unsigned)atoi(argv[5]);
	l.bad_file = fopen(argv[6], "w");
	if (!conns || !l.bad_file) {
		perror(argv[6]);
		return 1;
	}
	nofile.rlim_cur = nofile.rlim_max = conns + 64;
	if (setrlimit(RLIMIT_NOFILE, &nofile))
		perror("RLIMIT_NOFILE");
	l.ep = epoll_create1(EPOLL_CLOEXEC);
	sessions = calloc(conns, sizeof(*sessions));
	if (l.ep < 0 || !sessions)
		return 1;
	for (unsigned i = 0; i < conns; i++)
		if (session_open(&l, &sessions[i]))
			session_close(&sessions[i]);
	start = now_ns();
	end = start + (int64_t)atoi(argv[4]) * 1000000000ll;
	for (;;) {
		struct epoll_event ev[256];
		int64_t t = now_ns();
		int n;
		bool busy = false;

		if (t >= end && !l.stopping)
			l.stopping = true;      /* finish what is under way, start nothing */
		if (t - last_sweep > 100000000ll) {
			last_sweep = t;
			for (unsigned i = 0; i < conns; i++) {
				struct session *s = &sessions[i];

				if (s->fd >= 0 && s->started_ns && t - s->started_ns > TIMEOUT_NS)
					session_done(&l, s, OUT_TIMEOUT, false);
				busy |= s->fd >= 0 && s->started_ns;
			}
			if (l.stopping && !busy)
				break;
		}
		n = epoll_wait(l.ep, ev, 256, 100);
		for (int i = 0; i < n; i++)
			session_event(&l, ev[i].data.ptr, ev[i].events);
	}
	report(&l, (double)(now_ns() - start) / 1e9);
	for (unsigned i = 0; i < conns; i++)
		session_close(&sessions[i]);
	free(sessions);
	close(l.ep);
	fclose(l.bad_file);
	return 0;
}
