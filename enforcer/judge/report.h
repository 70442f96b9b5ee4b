/*
 * The report (urlctl report): per client, counters of every request judged
 * (not only the logged ones): requests, blocks, first and last seen, the
 * top sites allowed and blocked, and requests and blocks per hour over the
 * last 7 days. Memory is bounded: at most REPORT_CLIENTS_MAX clients, each
 * a fixed struct report_client (the top sites are a space-saving sketch of
 * REPORT_TOP_K counters, the hours a ring of REPORT_HOURS buckets).
 * Workers note requests under one mutex; the main thread saves the table
 * to --state-dir (state_file.h) now and then and at exit, so a restart
 * keeps it.
 */
#ifndef UE_REPORT_H
#define UE_REPORT_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define REPORT_CLIENTS_MAX 4096
#define REPORT_TOP_K 10
#define REPORT_HOST_MAX 64          /* a longer host is kept cut short */
#define REPORT_HOURS (7 * 24)
#define REPORT_FILE "report"

/*
 * Space-saving (Metwally et al.): K counters; a host not among them
 * replaces the smallest and inherits its count as its overestimate
 * (error), so every host seen more than N/K times is there, and each
 * count is at most its error too high.
 */
struct report_site {
	char host[REPORT_HOST_MAX];
	uint32_t count;
	uint32_t error;
};

struct report_hour {
	uint32_t hour;                  /* hours since the epoch; 0: empty */
	uint32_t requests;
	uint32_t blocks;
};

struct report_client {
	struct in6_addr addr;
	uint64_t requests, blocks;
	int64_t first_seen, last_seen;
	struct report_site allowed[REPORT_TOP_K];
	struct report_site blocked[REPORT_TOP_K];
	struct report_hour hours[REPORT_HOURS];   /* by hour % REPORT_HOURS */
};

struct report {
	pthread_mutex_t lock;
	struct report_client *clients;  /* REPORT_CLIENTS_MAX, in order of first sight */
	unsigned n;
	uint32_t *slots;                /* open addressing: client index + 1, 0 empty */
	uint64_t untracked;             /* requests of clients beyond REPORT_CLIENTS_MAX */
	const char *state_dir;          /* NULL: not saved */
};

/* Empty, then what STATE_DIR holds. 0, -ENOMEM, or -errno of a file that
 * cannot be read (the report then starts empty). */
int report_init(struct report *rp, const char *state_dir);
void report_release(struct report *rp);

/* One judged request of CLIENT for HOST at NOW. */
void report_note(struct report *rp, const struct in6_addr *client, const char *host,
		 bool blocked, time_t now);

/* Writes the table to the state folder; 0 or -errno. */
int report_save(struct report *rp);

/* Calls FN with a copy of each client's counters (under the lock, in order
 * of first sight); stops at FN's first non-zero return. */
typedef int (*report_fn)(const struct report_client *c, void *arg);
int report_foreach(struct report *rp, report_fn fn, void *arg);

/* Requests and blocks of C in the hours from SINCE to NOW (whole hours). */
void report_client_since(const struct report_client *c, time_t since, time_t now,
			 uint64_t *requests, uint64_t *blocks);

#endif
